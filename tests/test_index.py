"""NewsIndex end to end: the packaged embedding model and embedded Chroma, as users run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CORPUS, DEV_SET, WIKINEWS
from rag.config import PACKAGED_MODEL, Settings
from rag.errors import EmptyIndexError, RagError
from rag.index import NewsIndex
from rag.types import Answer, Hit

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
PUTIN_Q = "What did Putin say about weapons supply?"


def assert_verbatim(idx: NewsIndex, answer: Answer) -> None:
    """Every quote (cited or related) is the article's text at exactly its offsets."""
    for c in [*answer.citations, *answer.related]:
        article = idx.article(c.article_id)
        assert article is not None, c.article_id
        assert article.text[c.start : c.end] == c.quote, (answer.question, c)
        assert c.quote.strip()
        assert (c.title, c.source, c.url, c.published) == (article.title, article.source, article.url, article.published)


def assert_markers_match_citations(answer: Answer) -> None:
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert sorted(set(markers)) == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


# --- the seed corpus ----------------------------------------------------------------------------
def test_putin_weapons_answer_is_cited_verbatim(seed_index: NewsIndex) -> None:
    answer = seed_index.query(PUTIN_Q)
    assert not answer.abstained
    assert "stop supplying weapons" in answer.text
    first = answer.citations[0]
    assert first.n == 1 and first.source == "Baonghean.vn"
    assert "[1]" in answer.text
    assert "stop supplying weapons" in " ".join(c.quote for c in answer.citations)
    assert_verbatim(seed_index, answer)
    assert_markers_match_citations(answer)
    assert answer.hits and answer.search_query == PUTIN_Q
    assert set(answer.timings) >= {"retrieve", "answer"} and all(t >= 0 for t in answer.timings.values())


def test_question_the_corpus_cannot_answer_abstains(seed_index: NewsIndex) -> None:
    answer = seed_index.query("What is the capital of Australia?")
    assert answer.abstained, answer.text
    assert answer.citations == []
    assert "Canberra" not in answer.text
    assert_verbatim(seed_index, answer)  # the related passages shown instead are verbatim too


def test_article_returns_metadata_and_full_text(seed_index: NewsIndex) -> None:
    (hit,) = seed_index.search("Istanbul peace talks", k=1)
    article = seed_index.article(hit.article_id)
    assert article.id == hit.article_id and article.source == "Baonghean.vn"
    assert article.title == "President Putin wants to reach a solution to the Ukraine conflict through negotiations"
    source_text = (CORPUS / "baonghean-putin-negotiations.txt").read_text(encoding="utf-8")
    assert article.text == source_text.split("\n", 1)[1].strip()
    assert seed_index.article("no-such-id") is None


def test_repr(seed_index: NewsIndex) -> None:
    assert repr(seed_index) == f"NewsIndex({str(seed_index.path)!r}, model={PACKAGED_MODEL!r})"


# --- the Wikinews corpus -----------------------------------------------------------------------
@pytest.mark.slow
def test_search_returns_populated_hits(wikinews_index: NewsIndex) -> None:
    hits = wikinews_index.search("Who signed in Istanbul?", k=5)
    assert len(hits) == 5 and all(isinstance(h, Hit) for h in hits)
    assert any(h.source == "Baonghean.vn" for h in hits)
    for h in hits:
        assert h.article_id and h.title and h.source and h.text and h.chunk_id.startswith(h.article_id + "#")
        assert h.score > 0 and (h.dense_score is not None or h.bm25_score is not None)
        assert wikinews_index.article(h.article_id).text[h.start : h.end] == h.text
        if h.source.startswith("Wikinews"):
            assert ISO.fullmatch(h.published) and h.url.startswith("https://en.wikinews.org/")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("since", "until"), [("2020-01-01", "2020-06-30"), ("2020-07-01", None), (None, "2019-03-31")]
)
def test_search_honours_the_date_window(wikinews_index: NewsIndex, since, until) -> None:  # noqa: ANN001
    question = "earthquake damage and casualties"
    unfiltered = wikinews_index.search(question, k=10)
    hits = wikinews_index.search(question, k=10, since=since, until=until)
    assert hits

    def inside(h: Hit) -> bool:
        return h.published is not None and (since or "0") <= h.published <= (until or "9999")

    assert all(inside(h) for h in hits), [(h.title, h.published) for h in hits]
    assert not all(inside(h) for h in unfiltered)  # the window really removed something


@pytest.mark.slow
def test_search_by_source_and_article(wikinews_index: NewsIndex) -> None:
    hits = wikinews_index.search("negotiations", k=5, sources=["Baonghean.vn"])
    assert hits and {h.source for h in hits} == {"Baonghean.vn"}
    target = wikinews_index.search("Christchurch mosque shooting", k=1)[0].article_id
    hits = wikinews_index.search("court", k=5, article_ids=[target])
    assert hits and {h.article_id for h in hits} == {target}


def test_an_outlet_the_question_names_is_searched_first_without_hiding_the_rest(wikinews_index: NewsIndex) -> None:
    plain = wikinews_index.query("What was reported about Tucker Carlson?")
    assert plain.hits[0].source == "Baonghean.vn"  # the seed tells of the interview
    named = wikinews_index.query("What did Wikinews report about Tucker Carlson?")
    assert named.hits[0].source.startswith("Wikinews") and named.filters == {}  # a signal, not a filter
    # an explicit outlet filter wins over the one the question names
    chosen = wikinews_index.query("What did Wikinews report about Tucker Carlson?", sources=["Baonghean.vn"])
    assert {h.source for h in chosen.hits} == {"Baonghean.vn"}


@pytest.mark.slow
def test_query_with_a_date_window_records_the_filters(wikinews_index: NewsIndex) -> None:
    answer = wikinews_index.query("What happened in the earthquake?", since="2020-01-01", until="2020-03-31")
    assert answer.filters == {"since": "2020-01-01", "until": "2020-03-31"}
    assert all("2020-01-01" <= h.published <= "2020-03-31" for h in answer.hits)
    assert all("2020-01-01" <= c.published <= "2020-03-31" for c in answer.citations + answer.related)


@pytest.mark.slow
def test_a_time_named_in_the_question_becomes_the_window(wikinews_index: NewsIndex) -> None:
    answer = wikinews_index.query("What happened in the earthquake in January 2020?", as_of="2021-06-01")
    assert answer.time_window is not None
    since, until = answer.time_window
    assert since <= "2020-01-01" and "2020-01-31" <= until < "2020-03-01"
    assert answer.hits
    for item in [*answer.hits, *answer.citations, *answer.related]:
        assert item.published is not None and since <= item.published <= until, item
    assert f"*published {since} to {until}" in answer._repr_markdown_()


@pytest.mark.slow
def test_followup_stays_with_the_article_of_the_first_answer(wikinews_index: NewsIndex) -> None:
    q1 = "Who was charged over the Christchurch shooting?"
    first = wikinews_index.query(q1)
    assert not first.abstained and "Tarrant" in first.text
    article = first.hits[0].article_id
    assert first.citations[0].article_id == article

    history = [{"role": "user", "content": q1}, {"role": "assistant", "content": first.text}]
    followup = wikinews_index.query("Where is he from?", history)
    assert followup.search_query != "Where is he from?" and "Christchurch" in followup.search_query
    assert followup.hits[0].article_id == article
    assert all(c.article_id == article for c in followup.citations)
    assert_verbatim(wikinews_index, followup)

    alone = wikinews_index.query("Where is he from?")  # without the history it is a different search
    assert alone.search_query == "Where is he from?"


@pytest.mark.slow
def test_every_citation_over_dev_questions_is_verbatim(wikinews_index: NewsIndex) -> None:
    questions = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_type: dict[str, list[dict]] = {}
    for q in questions:
        by_type.setdefault(q["type"], []).append(q)
    sample = [q for qs in by_type.values() for q in qs[:4]][:24]  # a few of every type
    assert len(sample) >= 20
    cited = 0
    for q in sample:
        history: list[dict] = []
        for turn in q.get("turns") or [q["question"]]:
            answer = wikinews_index.query(turn, history)
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answer.text}]
        assert_verbatim(wikinews_index, answer)
        if not answer.abstained:
            assert_markers_match_citations(answer)
        cited += len(answer.citations)
    assert cited >= 10


@pytest.mark.slow
def test_stats(wikinews_index: NewsIndex) -> None:
    stats = wikinews_index.stats().to_dict()
    assert set(stats) == {"articles", "chunks", "copies", "sources", "first_date", "last_date", "last_ingested", "model", "path",
                          "inferred"}
    assert stats["inferred"] == {}  # every Wikinews record gives its outlet and date; the seed has nothing to read one off
    assert stats["articles"] == 294
    assert stats["chunks"] == wikinews_index.store.chunk_count() > 294
    assert stats["sources"] == {"Wikinews (en.wikinews.org)": 293, "Baonghean.vn": 1}
    assert (stats["first_date"], stats["last_date"]) == ("2019-01-04", "2020-12-28")
    assert stats["model"] == PACKAGED_MODEL
    assert stats["path"] == str(wikinews_index.path)
    json.dumps(stats)


@pytest.mark.slow
def test_reingesting_unchanged_files_adds_nothing(wikinews_index: NewsIndex) -> None:
    before = wikinews_index.stats()
    report = wikinews_index.ingest([WIKINEWS, CORPUS], progress=False)
    assert report.ok
    assert (report.added, report.updated, report.unchanged, report.chunks) == (0, 0, 294, 0)
    assert wikinews_index.stats() == before


# --- a tiny index built here ------------------------------------------------------------------
GOOD_TXT = "Flood in Springfield\nHeavy rain flooded the town of Springfield on Friday. Hundreds of residents left their homes."
GOOD_RECORD = {"id": "rec-1", "title": "Bridge reopens", "date": "2021-02-03", "source": "Gazette",
               "text": "The old bridge over the river reopened on Wednesday after two years of repairs."}


@pytest.fixture(scope="module")
def bad_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bad_input")
    (d / "good.txt").write_text(GOOD_TXT, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (d / "latin1.txt").write_bytes("Café news\nLe café était fermé.".encode("latin-1"))
    lines = [json.dumps(GOOD_RECORD), '{"title": "broken", "text": ', json.dumps({"id": "rec-3", "title": "No text here"})]
    (d / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


def test_bad_input_is_reported_and_the_good_articles_go_in(bad_input: Path, tmp_path: Path) -> None:
    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    report = idx.ingest([bad_input], progress=False)
    assert not report.ok
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    failed = {f.where: f.reason for f in report.failed}
    assert set(failed) == {
        str(bad_input / "empty.txt"), str(bad_input / "binary.txt"), str(bad_input / "latin1.txt"),
        f"{bad_input / 'records.jsonl'}:2", f"{bad_input / 'records.jsonl'}:3",
    }
    assert failed[str(bad_input / "empty.txt")] == "empty file"
    assert "binary" in failed[str(bad_input / "binary.txt")]
    assert "UTF-8" in failed[str(bad_input / "latin1.txt")]
    assert failed[f"{bad_input / 'records.jsonl'}:2"].startswith("invalid JSON")
    assert "no text" in failed[f"{bad_input / 'records.jsonl'}:3"]
    for f in report.failed:
        assert f"  failed: {f.where}: {f.reason}" in report.summary()

    stats = idx.stats()
    assert stats.articles == 2 and stats.sources == {"Gazette": 1, "(unknown)": 1}
    hits = idx.search("bridge repairs", k=1)
    assert hits[0].article_id == "rec-1" and hits[0].published == "2021-02-03"
    answer = idx.query("How long did the bridge repairs take?")
    assert_verbatim(idx, answer)

    # an updated file is re-chunked, and an unchanged one skipped
    (bad_input / "good.txt").write_text(GOOD_TXT + " The water receded on Sunday.", encoding="utf-8")
    try:
        again = idx.ingest([bad_input / "good.txt", bad_input / "records.jsonl"], progress=False)
    finally:
        (bad_input / "good.txt").write_text(GOOD_TXT, encoding="utf-8")
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    flood = idx.search("flood Springfield", k=1)[0]
    assert "receded on Sunday" in idx.article(flood.article_id).text
    assert any("receded" in h.text for h in idx.search("water receded", k=3))


def test_asking_an_empty_index_says_to_ingest(tmp_path: Path) -> None:
    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    for call in (lambda: idx.query("Anything?"), lambda: idx.search("Anything?")):
        with pytest.raises(EmptyIndexError) as info:
            call()
        assert "newsrag ingest" in str(info.value) and str(idx.path) in str(info.value)
        assert isinstance(info.value, RagError)
    stats = idx.stats()
    assert (stats.articles, stats.chunks, stats.first_date, stats.last_date) == (0, 0, None, None)


def test_ingest_of_nothing_but_failures_leaves_the_index_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    report = idx.ingest(tmp_path / "empty.txt", progress=False)  # one path, not a list
    assert not report.ok and report.added == 0 and len(report.failed) == 1
    with pytest.raises(EmptyIndexError):
        idx.query("Anything?")


def test_default_index_follows_rag_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag

    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(rag, "_default", None)  # don't leak this index into other tests
    idx = rag.default_index()
    assert idx.path == tmp_path / "home" / "index"
    assert rag.default_index() is idx  # opened once per process
    with pytest.raises(EmptyIndexError, match="newsrag ingest"):
        rag.query("Anything?")


def test_an_ingest_by_another_process_is_seen_without_restarting(tmp_path) -> None:
    """The BM25 side never goes stale: a second NewsIndex (as another process would) writes,
    and the first one's next search finds the new article by a word only it contains."""
    from rag.config import Settings
    from rag.index import NewsIndex

    reader = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    assert reader.ingest([CORPUS], progress=False).ok
    assert reader.search("Putin weapons", k=1)
    (tmp_path / "new.txt").write_text("Zanzibar ferry capsizes\n(Reuters) - A ferry named Quokkaberry capsized off Zanzibar.\n")
    writer = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    assert writer.ingest([tmp_path / "new.txt"], progress=False).added == 1
    hits = reader.search("Quokkaberry", k=3)
    assert hits[0].title == "Zanzibar ferry capsizes"
    assert hits[0].bm25_score is not None
