"""Syndicated copies: the same wire story from several outlets is kept once, with 'also carried by'."""

from __future__ import annotations

import json
from pathlib import Path

from rag.config import Settings
from rag.ingest.dedupe import jaccard, shingles
from rag.index import NewsIndex

from conftest import WIKINEWS

STORY = (
    "Rescuers in northern Italy pulled three hikers from a crevasse on the Marmolada glacier on Sunday, "
    "regional officials said. The hikers, two brothers from Trento and a friend from Verona, had fallen "
    "about fifteen metres while crossing the glacier without ropes. A helicopter crew lowered a rescuer "
    "who reached them after two hours; all three were taken to hospital in Belluno with fractures and "
    "hypothermia. The regional alpine rescue service warned that warm weather had weakened snow bridges "
    "across the Dolomites and urged walkers to stay on marked paths."
)


def test_shingles_see_copies_not_topics() -> None:
    edited = STORY.replace("regional officials said", "officials told AFP") + " Copyright 2020 Wire."
    other = "A glacier in the Dolomites partly collapsed on Sunday, killing walkers near the Marmolada summit."
    assert jaccard(shingles(STORY), shingles(edited)) >= 0.8
    assert jaccard(shingles(STORY), shingles(other)) < 0.1


def test_a_wire_story_under_three_outlets_is_kept_once(tmp_path: Path) -> None:
    rows = [
        {"id": "ap-1", "title": "Three hikers rescued from Marmolada crevasse", "text": STORY, "source": "AP", "date": "2020-07-05"},
        {"id": "nyt-1", "title": "Hikers saved from glacier crevasse in Italy", "text": STORY + " (AP)", "source": "New York Post", "date": "2020-07-05"},
        {"id": "ap-2", "title": "Rescue on the Marmolada", "text": STORY.replace("on Sunday", "on Sunday morning"), "source": "Yahoo News", "date": "2020-07-06"},
        {"id": "other", "title": "Glacier walk", "text": "Tourists walked on a glacier in Norway on a sunny Sunday and took photos of the ice.", "source": "AP", "date": "2020-07-06"},
    ]
    src = tmp_path / "wire.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows[:2]) + "\n")
    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    first = idx.ingest([src], progress=False)
    assert (first.added, first.copies) == (2, 1)  # a copy within one run

    src2 = tmp_path / "later.jsonl"
    src2.write_text("\n".join(json.dumps(r) for r in rows[2:]) + "\n")
    second = idx.ingest([src2], progress=False)
    assert (second.added, second.copies) == (2, 1)  # a copy of what is already stored

    stats = idx.stats()
    assert (stats.articles, stats.copies) == (2, 2)
    assert idx.article("ap-1").also_carried_by == ("New York Post", "Yahoo News")
    hits = idx.search("hikers rescued from a crevasse on the Marmolada glacier", k=10)
    assert {h.article_id for h in hits} <= {"ap-1", "other"} and hits[0].article_id == "ap-1"

    again = idx.ingest([src, src2], progress=False)  # copies are remembered: nothing to embed
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_no_false_copies_in_the_wikinews_corpus(wikinews_index) -> None:
    """Wikinews stories are all distinct: none may be taken for a copy of another."""
    if not WIKINEWS.exists():
        return
    assert wikinews_index.stats().copies == 0
