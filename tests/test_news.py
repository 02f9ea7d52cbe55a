"""News intelligence on real Wikinews articles: story timelines and sources that disagree
(planted pairs from benchmarks/bench_disagree.py), in a small real index."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, SHARED, WIKINEWS
from rag.check.disagree import figures, note
from rag.config import Settings
from rag.ask.plan import timeline_topic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pairs():
    if not WIKINEWS.exists():
        pytest.skip("../shared is missing")
    from benchmarks.bench_disagree import planted_pairs

    return planted_pairs(SHARED)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, pairs):  # noqa: ANN001
    """The Hong Kong, Brexit and Notre-Dame stories, the planted pairs' real articles (with
    their planted revisions), and a handful of unrelated stories."""
    from rag.index import NewsIndex

    home = tmp_path_factory.mktemp("news")
    wanted = {p.gold_id for p in pairs}
    lines = []
    for i, line in enumerate(WIKINEWS.read_text(encoding="utf-8").splitlines()):
        a = json.loads(line)
        if a["id"] in wanted or any(w in a["title"] for w in ("Hong Kong", "Brexit", "Notre Dame", "Mendez")) or i % 25 == 0:
            lines.append(line)
    (home / "real.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (home / "planted.jsonl").write_text("".join(json.dumps(p.planted) + "\n" for p in pairs), encoding="utf-8")
    idx = NewsIndex(home / "index", Settings(home=home))
    assert idx.ingest([home / "real.jsonl", home / "planted.jsonl", CORPUS], progress=False).ok
    return idx


# -- timelines --------------------------------------------------------------------------------
@pytest.mark.parametrize("question, topic", [
    ("How did the Hong Kong protests develop?", "the Hong Kong protests"),
    ("Timeline of Brexit", "Brexit"),
    ("What happened with the Notre-Dame fire over time?", "the Notre-Dame fire"),
    ("Who signed in Istanbul?", None),
])
def test_timeline_questions(question: str, topic: str | None) -> None:
    assert timeline_topic(question) == topic


def test_a_timeline_is_dated_oldest_first_and_cited(index) -> None:  # noqa: ANN001
    answer = index.timeline("the Hong Kong protests")
    assert answer.question == "How did the Hong Kong protests develop?" and not answer.abstained
    dates = [c.published for c in answer.citations]
    assert len(dates) >= 4 and dates == sorted(dates)
    assert dates[0] == "2019-06-23" and dates[-1] == "2019-11-27"
    lines = answer.text.splitlines()
    assert lines[0].startswith("2019-06-23 — On Friday, thousands of Hong Kong protesters") and lines[0].endswith("[1]")
    assert all(c.n == i for i, c in enumerate(answer.citations, 1))
    for c in answer.citations:  # each entry is its article's lead, verbatim at its offsets
        assert index.article(c.article_id).text[c.start:c.end] == c.quote
        assert "Hong Kong" in c.title or "Hong Kong" in c.quote
    assert index.query("How did the Hong Kong protests develop?").text == answer.text


def test_a_timeline_of_something_the_corpus_lacks_abstains(index) -> None:  # noqa: ANN001
    assert index.timeline("the Martian colony referendum").abstained


# -- sources that disagree --------------------------------------------------------------------
def test_figures() -> None:
    assert [(f.kind, f.raw) for f in figures("Twenty people were arrested, and two police officers were injured.")] \
        == [("arrests", "Twenty"), ("injured", "two")]
    assert [(f.kind, f.value) for f in figures("The toll rose to 1,204 on 4 January 2019, and $2.5 million was raised.")] \
        == [("deaths", 1204.0), ("money", 2_500_000.0)]
    assert figures("At 12:00 on May 5 the 2019 season began.") == []


def test_note_names_the_later_report() -> None:
    [a], [b] = figures("39 dead"), figures("41 dead")
    assert note("deaths", (a, 1, "2019-01-01"), (b, 2, "2019-01-04")) == (
        "Reports differ on the number of deaths: 39 [1] (2019-01-01) against 41 [2] (2019-01-04); "
        "the later report [2] gives 41.")
    assert note("deaths", (b, 2, "2019-01-04"), (a, 1, "2019-01-01")).endswith("the later report [2] gives 41.")
    assert note("deaths", (a, 1, None), (b, 2, None)).endswith("; neither is later.")


def test_planted_disagreements_are_reported(index, pairs) -> None:  # noqa: ANN001
    from benchmarks.bench_disagree import check

    results = {p.question: check(index.query(p.question), p) for p in pairs}
    ok = [q for q, why in results.items() if not why]
    assert len(pairs) >= 8
    assert len(ok) >= 0.6 * len(pairs), results  # bench_disagree.py on the full corpus: 6 of 9
    zapata = next(p for p in pairs if "Zapata" in p.question)
    answer = index.query(zapata.question)
    cited = {c.article_id: c for c in answer.citations}
    assert cited[zapata.planted["id"]].quote.startswith('"Once I managed to stick my heels into the boat, I knew I had done 99%')
    assert answer.text.endswith(f"the later report [{cited[zapata.planted['id']].n}] gives 99.")


def test_no_disagreement_without_a_second_report(index) -> None:  # noqa: ANN001
    answer = index.query("What did Putin say about weapons supply?")
    assert "Reports differ" not in answer.text


# -- who said what ----------------------------------------------------------------------------
def test_quotations_are_stored_at_ingest_with_offsets(index) -> None:  # noqa: ANN001
    from rag.answer.quoted import decode

    [(meta, text)] = [(m, t) for _, m, t in index.store.iter_articles(include_text=True) if m["source"] == "Baonghean.vn"]
    assert meta["quotes"].startswith("[[")  # written with the article's record
    stored = decode(meta["quotes"], text)
    assert stored and all(text[q.start:q.end] == q.text for q in stored)


def test_quotes_of_a_speaker(index) -> None:  # noqa: ANN001
    found = index.quotes(speaker="Putin")
    assert found and all(h.speaker == "Vladimir Putin" for h in found)
    signed = next(h for h in found if h.quote.text.startswith("He signed it."))
    assert signed.source == "Baonghean.vn" and signed.quote.confidence == "named"
    assert "President Putin told Carlson" in signed.context
    text = index.article(signed.article_id).text
    assert text[signed.quote.start:signed.quote.end] == signed.quote.text
    # the one the article gives to "the Kremlin boss" is his too (a role the article gave him)
    weapons = next(h for h in found if "stop supplying weapons" in h.quote.text)
    assert weapons.quote.confidence == "role" and 'The Kremlin "boss"' in weapons.context


def test_what_did_x_say_answers_from_x_quotations(index) -> None:  # noqa: ANN001
    answer = index.query("What did Ben Affleck say about former CIA officer Tony Mendez, whom he played in Argo, "
                         "after Mendez died?")
    assert answer.text.startswith("Ben Affleck said: “Tony Mendez was a true American hero.")
    [cite] = answer.citations
    assert "Affleck" in cite.quote and index.article(cite.article_id).text[cite.start:cite.end] == cite.quote


def test_the_seed_question_credits_putin(index) -> None:  # noqa: ANN001
    answer = index.query("What did Putin say about weapons supply?")
    assert answer.text.startswith("Vladimir Putin said: “if you really want to stop the conflict, you need to "
                                  "stop supplying weapons.")
    [cite] = answer.citations
    assert index.article(cite.article_id).text[cite.start:cite.end] == cite.quote
