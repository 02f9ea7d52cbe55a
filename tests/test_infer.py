"""Metadata a record lacks, read off its URL or dateline (rag/ingest/infer.py), marked as inferred,
counted by `stats()` and `newsrag info`, and used by a question that names a time; and the note a
corpus without any dates gets instead of "nothing was published then"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakes import memory_index
from rag.ingest.infer import date_in_dateline, date_in_url, infer, outlet_of
from rag.types import Article


@pytest.mark.parametrize(("url", "outlet", "day"), [
    ("https://www.usatoday.com/story/news/politics/2025/08/28/tariffs-court/85870001007/", "USA Today", "2025-08-28"),
    ("https://edition.cnn.com/2020/03/05/world/coronavirus/index.html", "CNN", "2020-03-05"),
    ("https://www.theguardian.com/world/2019/jan/05/paris-protests", "The Guardian", "2019-01-05"),
    ("https://www.bbc.co.uk/news/world-europe-51234567", "BBC News", None),  # no date in the path
    ("https://news.example.org/a/20200131-floods.html", "example.org", "2020-01-31"),  # unknown site: its host
    ("https://example.com/2020/13/45/not-a-date", "example.com", None),  # month 13: not a date
    ("https://example.com/archive/1850/01/01/old", "example.com", None),  # before any news site
    ("file:///home/me/articles/story.html", "", None),
    ("http://127.0.0.1:8000/2020/01/02/x", "", "2020-01-02"),  # an address is no outlet
    ("", "", None),
])
def test_outlet_and_date_from_a_url(url: str, outlet: str, day: str | None) -> None:
    assert (outlet_of(url), date_in_url(url)) == (outlet, day)


@pytest.mark.parametrize(("text", "day"), [
    ("WASHINGTON, Aug. 28, 2025 — The court ruled on Thursday that", "2025-08-28"),
    ("Monday, March 2, 2020 – Officials said the harbour would reopen.", "2020-03-02"),
    ("28 August 2025: the council voted to close the bridge.", "2025-08-28"),
    ("LONDON (Reuters) - Shares fell on Monday.", None),  # a dateline without a date
    ("In May 2019, the government announced a plan.", None),  # a date in the story, not a dateline
    ("The mayor said on February 30, 2020 that", None),
])
def test_a_date_from_the_dateline_that_opens_the_text(text: str, day: str | None) -> None:
    assert date_in_dateline(text) == day


def test_infer_fills_only_what_is_missing_and_says_so() -> None:
    url = "https://www.usatoday.com/story/news/2025/08/28/x/"
    bare = infer(Article("a", "T", "Text.", url=url))
    assert (bare.source, bare.published, bare.inferred) == ("USA Today", "2025-08-28", ("source", "published"))
    given = Article("b", "T", "Text.", source="Gazette", url=url, published="2025-08-29")
    assert infer(given) is given  # what the record gives always wins
    dated = infer(Article("c", "T", "Text.", source="Gazette", url=url))
    assert (dated.source, dated.published, dated.inferred) == ("Gazette", "2025-08-28", ("published",))
    nothing = Article("d", "T", "Text.")
    assert infer(nothing) is nothing


def _rows(n: int) -> list[dict]:
    topics = ["bridge", "harbour", "festival", "election", "flood", "museum"]
    return [{"title": f"The {t} story", "url": f"https://www.usatoday.com/story/news/2025/0{1 + i % 3}/1{i}/{t}/",
             "text": f"The {t} of Lindmark made the news again. Officials said the {t} would stay open. "
                     f"Residents of Lindmark spoke about the {t} at length."}
            for i, t in enumerate(topics[:n])]


def test_scraped_pages_without_metadata_get_outlet_and_date_and_a_window_narrows(tmp_path: Path) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _rows(6)), encoding="utf-8")
    idx = memory_index(tmp_path)
    report = idx.ingest([src], progress=False)
    assert (report.added, report.failed) == (6, [])
    stats = idx.stats()
    assert stats.sources == {"USA Today": 6} and stats.inferred == {"published": 6, "source": 6}
    assert (stats.first_date, stats.last_date) == ("2025-01-10", "2025-03-15")
    stored = {a.title: a for a in idx.articles()}
    assert stored["The bridge story"].published == "2025-01-10"
    assert stored["The bridge story"].inferred == ("source", "published")
    answer = idx.query("What happened to the harbour in February 2025?", as_of="2025-12-01")
    assert answer.time_window is not None and answer.time_window[0] == "2025-02-01"
    assert {c.article_id for c in answer.citations} <= {a.id for a in idx.articles() if (a.published or "") < "2025-03"}
    assert not [n for n in answer.notes if n.kind == "widened"]  # the window held something: no note


def test_a_corpus_without_dates_says_so_instead_of_nothing_was_published(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "url"} for r in _rows(3)]  # no URL: nothing to read a date off
    src = tmp_path / "undated.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    idx = memory_index(tmp_path)
    idx.ingest([src], progress=False)
    assert idx.stats().first_date is None
    answer = idx.query("What happened to the harbour in February 2025?", as_of="2025-12-01")
    notes = [n.text for n in answer.notes if n.kind == "widened"]
    assert notes == ["No article in the corpus has a publication date, so “February 2025” could not narrow the search."]
    assert not answer.abstained and "harbour" in answer.text


def test_a_servers_summary_counts_inferred_fields_in_and_out() -> None:
    from rag.store.summary import Summary

    records = [{"source": "USA Today", "date": 20250828, "chunks": 2, "inferred": "source,published"},
               {"source": "Gazette", "date": 20250829, "chunks": 1},
               {"source": "Gazette", "date": 20250829, "chunks": 1, "inferred": "published"}]
    summary = Summary.count(records)
    assert summary.stats().inferred == {"published": 2, "source": 1}
    summary.add(records[0], -1)  # removed
    assert Summary.read({"summary": summary.dump()}).stats().inferred == {"published": 1}
    assert Summary.read({"summary": '{"articles": 1}'}).stats().inferred == {}  # written before inference existed
