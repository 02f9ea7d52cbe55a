"""One question's way through NewsIndex (plan -> retrieve -> answer -> check), on an in-memory
store with a word-bag embedder (tests/fakes.py): which answerer answers, what it cites, what the
check step adds. Milliseconds each; the real model and store are tested end to end elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakes import memory_index
from rag.index import NewsIndex
from rag.types import AnswerStream

ARTICLES = [
    {"id": "quake-1", "title": "Earthquake shakes Lindmark harbour", "date": "2021-03-01", "source": "Coast Post",
     "text": "An earthquake shook the harbour town of Lindmark on Monday. Officials said 12 people died in the "
             "collapse of the old fish market. Rescuers worked through the night in freezing rain."},
    {"id": "quake-2", "title": "Lindmark earthquake toll rises", "date": "2021-03-03", "source": "Daily Wire",
     "text": "The toll of the Lindmark earthquake rose on Wednesday. Officials said 15 people died in the "
             "collapse of the old fish market. Mayor Ingrid Solvang said the town would rebuild the market."},
    {"id": "talks-1", "title": "Mayor Solvang speaks on reconstruction", "date": "2021-03-10", "source": "Coast Post",
     "text": "Mayor Ingrid Solvang spoke to reporters about the reconstruction of Lindmark. "
             "\"We will rebuild the fish market stone by stone, and it will be stronger than before,\" Solvang said. "
             "She added that the harbour would reopen within a month."},
    {"id": "ferry-1", "title": "Ferry service to Brannholm resumes", "date": "2021-05-20", "source": "Daily Wire",
     "text": "The ferry service between Lindmark and Brannholm resumed on Friday after the earthquake repairs. "
             "The operator said the crossing takes forty minutes."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    tmp = tmp_path_factory.mktemp("flow")
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    idx = memory_index(tmp)
    report = idx.ingest([src], progress=False)
    assert (report.added, report.failed) == (4, [])
    return idx


def _verbatim(index: NewsIndex, answer) -> None:  # noqa: ANN001
    for c in [*answer.citations, *answer.related]:
        assert index.article(c.article_id).text[c.start:c.end] == c.quote


def test_a_factual_question_is_answered_by_quoting(index: NewsIndex) -> None:
    answer = index.query("How long does the ferry crossing to Brannholm take?", as_of="2021-05-01")
    assert "forty minutes" in answer.text and answer.answerer == "extractive" and not answer.abstained
    assert answer.citations[0].article_id == "ferry-1"
    _verbatim(index, answer)


def test_a_quote_question_is_answered_from_the_speakers_quotations(index: NewsIndex) -> None:
    answer = index.query("What did Solvang say about the fish market?", as_of="2021-05-01")
    assert answer.text.startswith("Ingrid Solvang said: “We will rebuild the fish market stone by stone")
    assert answer.citations[0].article_id == "talks-1"
    _verbatim(index, answer)


def test_reports_that_disagree_are_both_cited(index: NewsIndex) -> None:
    answer = index.query("How many people died in the Lindmark earthquake?", as_of="2021-05-01")
    assert "Reports differ on the number of deaths" in answer.text
    assert {c.article_id for c in answer.citations} >= {"quake-1", "quake-2"}
    assert "the later report" in answer.text
    _verbatim(index, answer)


def test_a_timeline_lists_the_story_oldest_first(index: NewsIndex) -> None:
    answer = index.timeline("the Lindmark earthquake", as_of="2021-05-01")
    dates = [c.published for c in answer.citations]
    assert dates == sorted(dates) and len(dates) >= 2
    assert all(line.startswith(("2021-03-01", "2021-03-03", "2021-03-10", "2021-05-20")) for line in answer.text.splitlines())


def test_a_time_outside_the_corpus_is_said_not_answered(index: NewsIndex) -> None:
    answer = index.query("What happened in Lindmark in March 2030?", as_of="2031-01-01")
    assert answer.abstained
    assert answer.text.startswith("The corpus has nothing after 2021-05-20 (it covers 2021-03-01 to 2021-05-20)")


def test_an_empty_window_is_widened_and_noted_beside_the_answer(index: NewsIndex) -> None:
    answer = index.query("How long does the ferry crossing take, as reported in April 2021?", as_of="2021-12-01")
    [note] = answer.notes
    assert note.kind == "widened" and note.text.startswith("Nothing was published between 2021-04-01 and 2021-05-07")
    assert "forty minutes" in answer.text and not answer.text.startswith("Nothing")
    assert answer.time_window == ("2021-03-01", "2021-06-07")  # a month wider on each side


def test_something_the_corpus_lacks_is_an_abstention(index: NewsIndex) -> None:
    answer = index.query("Who won the chess olympiad in Budapest?", as_of="2021-05-01")
    assert answer.abstained and answer.text.startswith("The corpus doesn't say.")


def test_a_followup_leans_on_the_earlier_turn(index: NewsIndex) -> None:
    first = index.query("What did Mayor Solvang say about the fish market?", as_of="2021-05-01")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    answer = index.query("When will the harbour reopen?", history, as_of="2021-05-01")
    assert "within a month" in answer.text


def test_streaming_gives_the_same_answer(index: NewsIndex) -> None:
    stream = index.query("How long does the ferry crossing to Brannholm take?", stream=True, as_of="2021-05-01")
    assert isinstance(stream, AnswerStream)
    text = "".join(stream)
    plain = index.query("How long does the ferry crossing to Brannholm take?", as_of="2021-05-01")
    assert text == stream.answer.text == plain.text
    assert [c.quote for c in stream.answer.citations] == [c.quote for c in plain.citations]


def test_the_read_side_is_typed(index: NewsIndex, tmp_path: Path) -> None:
    stats = index.stats()
    assert (stats.articles, stats.sources) == (4, {"Coast Post": 2, "Daily Wire": 2})
    assert (stats.first_date, stats.last_date) == ("2021-03-01", "2021-05-20")
    assert {a.id for a in index.articles()} == {"quake-1", "quake-2", "talks-1", "ferry-1"}
    assert [q.speaker for q in index.quotes(speaker="Solvang")] == ["Ingrid Solvang"]
