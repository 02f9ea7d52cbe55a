"""Passages with their context (rag/ask/context.py): whole sentences around each chunk, windows of
one article merged, and the real index handing the wider passages to the answerer."""

from __future__ import annotations

from pathlib import Path

from rag.ask.context import widen
from rag.types import Hit

TEXT = ("The dam on the Orri river opened on Monday. It took six years to build. "
        "Engineer Mara Holt led the project. The reservoir holds 40 million cubic metres.\n"
        "Farmers downstream welcomed the water. Critics said the cost was too high.")


def _hit(sentence: str, article_id: str = "dam") -> Hit:
    start = TEXT.index(sentence)
    return Hit(article_id, "Dam opens", "Wire", "", "2020-01-06", sentence, 0.5, start, start + len(sentence))


def test_a_window_adds_whole_sentences_up_to_the_pad() -> None:
    [got] = widen([_hit("Engineer Mara Holt led the project.")], {"dam": TEXT}, pad=50)
    assert got.text == ("It took six years to build. Engineer Mara Holt led the project. "
                        "The reservoir holds 40 million cubic metres.")
    assert TEXT[got.start:got.end] == got.text  # offsets still point at the article's text


def test_no_sentence_is_cut_and_a_paragraph_start_is_a_boundary() -> None:
    [got] = widen([_hit("Farmers downstream welcomed the water.")], {"dam": TEXT}, pad=20)
    assert got.text == "Farmers downstream welcomed the water."  # the sentences around are longer than 20
    [got] = widen([_hit("Farmers downstream welcomed the water.")], {"dam": TEXT}, pad=60)
    assert got.text == ("The reservoir holds 40 million cubic metres.\n"
                        "Farmers downstream welcomed the water. Critics said the cost was too high.")


def test_windows_of_one_article_that_meet_are_merged_at_the_first_rank() -> None:
    first, second = _hit("The reservoir holds 40 million cubic metres."), _hit("It took six years to build.")
    other = Hit("other", "t", "Wire", "", None, "Elsewhere.", 0.4, 0, 10)
    got = widen([first, other, second], {"dam": TEXT, "other": "Elsewhere."}, pad=40)
    assert [h.article_id for h in got] == ["dam", "other"]
    assert got[0].text == ("It took six years to build. Engineer Mara Holt led the project. "
                           "The reservoir holds 40 million cubic metres.\nFarmers downstream welcomed the water.")
    assert got[0].score == first.score


def test_a_hit_whose_offsets_dont_hold_or_a_zero_pad_is_left_alone() -> None:
    stale = _hit("It took six years to build.")
    stale = Hit(**{**stale.__dict__, "text": "something else"})
    assert widen([stale], {"dam": TEXT}, pad=100) == [stale]
    assert widen([_hit("It took six years to build.")], {"dam": TEXT}, pad=0)[0].text == "It took six years to build."
    assert widen([_hit("It took six years to build.")], {}, pad=100)[0].text == "It took six years to build."


def test_an_llm_gets_the_wider_passages_the_extractive_answerer_the_passages(tmp_path: Path) -> None:
    from fakes import memory_index

    from rag.ask.retrieve import Retrieval

    body = " ".join(f"Filler sentence number {i} about the region's weather." for i in range(60))
    text = f"{body} The Orri dam was built by Kestrel Works. Its reservoir holds 40 million cubic metres. {body}"
    idx = memory_index(tmp_path)
    (tmp_path / "dam.jsonl").write_text(
        '{"id": "dam", "title": "Orri dam", "date": "2020-01-06", "text": "%s"}\n' % text, encoding="utf-8")
    assert idx.ingest([tmp_path / "dam.jsonl"], progress=False).ok
    question = "How much does the Orri dam reservoir hold?"
    narrow = idx.search(question, k=3)
    assert [h.text for h in idx.query(question, k=3).hits] == [h.text for h in narrow]  # the extractive answerer's
    wide = idx.with_context(Retrieval(hits=narrow)).hits
    article = idx.article("dam").text
    for h in wide:
        assert article[h.start:h.end] == h.text
    assert any(narrow[0].text in h.text and len(h.text) > len(narrow[0].text) for h in wide)  # the same passage, wider
    assert sum(len(h.text) for h in wide) <= sum(len(h.text) for h in narrow) + 2 * idx.settings.context_pad * len(narrow)
    off = memory_index(tmp_path / "off", context_pad=0)
    assert off.with_context(Retrieval(hits=narrow)).hits == narrow
