"""rag.store.table and rag.text: tokenizing (stopwords, stemming), BM25 ranking in SQLite FTS5,
filters inside the search, the article table, and what is left in flight."""

from __future__ import annotations

import json

import pytest

from rag.store.table import Table, match
from rag.text import STOPWORDS, stem, tokenize
from rag.types import Filters

DOCS = [
    "The council met on Monday to discuss the city budget.",  # 0
    "The council approved the budget after a long debate.",  # 1
    "A zebra escaped from the city zoo and ran into the council chamber.",  # 2
    "Weather: rain on Monday, sun on Tuesday.",  # 3
    "Russia said it would keep supplying weapons; the supplies continue.",  # 4
]


def table_of(docs: list[str], dates: list[int] | None = None, sources: list[str] | None = None) -> Table:
    t = Table(None)
    dates = dates or [20200101] * len(docs)
    sources = sources or ["Outlet"] * len(docs)
    records = [(f"a{i}", {"source": s, "date": d, "chunks": 1}) for i, (d, s) in enumerate(zip(dates, sources))]
    chunks = [(f"a{i}#0", f"a{i}", {"date": d, "source": s, "title": ""}, text)
              for i, (text, d, s) in enumerate(zip(docs, dates, sources))]
    t.commit(records, chunks)
    return t


@pytest.fixture(scope="module")
def index() -> Table:
    return table_of(DOCS)


def ranking(index: Table, query: str, f: Filters = Filters()) -> list[int]:
    return [int(aid[1:]) for _, aid, _ in index.search(query, 10, f)]


def test_rare_term_outweighs_common_terms(index: Table) -> None:
    # "council" is in three documents, "zebra" in one: the zebra document wins.
    assert ranking(index, "council zebra")[0] == 2
    assert index.term_idf("zebra") > index.term_idf("council") > 0


def test_documents_without_query_terms_are_not_found(index: Table) -> None:
    assert sorted(ranking(index, "budget")) == [0, 1]
    assert all(score > 0 for *_, score in index.search("budget", 10, Filters()))


def test_more_matching_terms_rank_higher(index: Table) -> None:
    assert ranking(index, "council budget Monday")[0] == 0


def test_repeated_term_scores_higher_but_saturates() -> None:
    t = table_of(["apple pie recipe", "apple apple apple pie", "pear tart"])
    scores = {aid: s for _, aid, s in t.search("apple", 10, Filters())}
    assert scores["a1"] > scores["a0"] > 0 and "a2" not in scores
    assert scores["a1"] < 3 * scores["a0"]  # saturation: three occurrences are worth well under three times one


def test_stemming_matches_inflected_forms(index: Table) -> None:
    assert stem("supplying") == stem("supplies") == stem("supply") == "suppli"
    assert stem("weapons") == stem("weapon")
    assert ranking(index, "supply weapon") == [4]
    assert ranking(index, "approves")[0] == 1  # 'approved' in the text


def test_short_words_and_numbers_are_not_stemmed() -> None:
    assert stem("was") == "was"
    assert stem("2019") == "2019"
    assert stem("1234567") == "1234567"


def test_tokenize_lowercases_drops_stopwords_and_stems() -> None:
    assert tokenize("The Council was DISCUSSING the budgets, and they said no.") == ["council", "discuss", "budget"]
    assert {"the", "and", "what", "said", "who"} <= STOPWORDS


@pytest.mark.parametrize("query", ["", "   ", "?!", "What did they do about the", "unseenword"])
def test_empty_stopword_or_unknown_query_finds_nothing(index: Table, query: str) -> None:
    assert index.search(query, 10, Filters()) == []


@pytest.mark.parametrize("query", ['"council', "council AND NOT budget", "NEAR(council budget)", "coun*", "body:zebra",
                                   "council OR", "- ^ ( ) :"])
def test_fts5_syntax_in_a_question_is_just_words(index: Table, query: str) -> None:
    """A question is never FTS5 query syntax: quotes, operators and column names are words."""
    assert match(query).count('"') % 2 == 0
    index.search(query, 10, Filters())  # no sqlite3.OperationalError
    assert ranking(index, "council AND NOT budget")[:1] != [3]


def test_an_unseen_term_counts_as_the_rarest(index: Table) -> None:
    seen = [index.term_idf(t) for t in {t for d in DOCS for t in tokenize(d)}]
    assert index.term_idf("zzzz") >= max(seen) > 0


def test_length_normalisation_prefers_the_shorter_document() -> None:
    t = table_of(["election result", "election " + " ".join(f"filler{i}" for i in range(40))])
    assert ranking(t, "election") == [0, 1]


def test_filters_apply_inside_the_search() -> None:
    t = table_of(["storm hits the coast"] * 4, dates=[20200105, 20200210, 0, 20200301],
                 sources=["AP", "Reuters", "AP", "AP"])
    assert sorted(ranking(t, "storm", Filters(since="2020-02-01"))) == [1, 3]
    assert sorted(ranking(t, "storm", Filters(until="2020-02-28"))) == [0, 1]  # undated: outside every window
    assert sorted(ranking(t, "storm", Filters(sources=("AP",)))) == [0, 2, 3]
    assert ranking(t, "storm", Filters(article_ids=("a2", "zz"))) == [2]
    assert ranking(t, "storm", Filters("2020-01-01", "2020-01-31", ("Reuters",))) == []


def test_the_article_table_answers_listings() -> None:
    t = Table(None)
    quotes = json.dumps([[0, 5, "Vladimir Putin", "named", 0, 9], [10, 15, None, "uncertain", 10, 20]])
    t.commit([("a", {"source": "AP", "date": 20200105, "published": "2020-01-05", "url": "https://x/a", "chunks": 1,
                     "ingested": "2026-01-01T00:00:00Z", "quotes": quotes}),
              ("b", {"source": "", "date": 0, "url": "https://x/b", "chunks": 1}),
              ("c", {"source": "BBC", "date": 20210101, "chunks": 0, "duplicate_of": "a"})],
             [("a#0", "a", {"date": 20200105, "source": "AP"}, "x"), ("b#0", "b", {"date": 0, "source": ""}, "y")])
    s = t.stats()
    assert (s.articles, s.copies, s.chunks) == (2, 1, 2)
    assert s.sources == {"(unknown)": 1, "AP": 1} and (s.first_date, s.last_date) == ("2020-01-05", "2020-01-05")
    assert s.last_ingested == "2026-01-01T00:00:00Z" and t.coverage() == ("2020-01-05", "2020-01-05")
    assert t.matching(urls=["https://x/b"], sources=["AP"]) == ["b", "a"] and t.copies_of(["a"]) == ["c"]
    assert [a.id for a in t.quoting("putin")] == ["a"] and t.quoting("smith") == []
    assert [a.id for a in t.with_quotes(Filters(), 10)] == ["a"]
    assert [a.id for a in t.with_quotes(Filters(since="2021-01-01"), 10)] == []


def test_a_commit_replaces_an_article_and_a_delete_removes_it() -> None:
    t = table_of(["the old version about zebras"])
    t.commit([("a0", {"source": "AP", "date": 20200101, "chunks": 1})],
             [("a0#0", "a0", {"date": 20200101, "source": "AP"}, "the new version about giraffes")])
    assert ranking(t, "zebras") == [] and ranking(t, "giraffes") == [0] and t.chunk_count() == 1
    t.delete(["a0"])
    assert t.is_empty() and not t.has_chunks() and ranking(t, "giraffes") == []


def test_what_was_begun_and_not_committed_stays_pending() -> None:
    t = table_of(DOCS)
    g = t.generation()
    t.begin(["a1", "new"])
    assert sorted(t.pending_ids()) == ["a1", "new"]
    t.commit([("new", {"source": "AP", "date": 20200101, "chunks": 0})], [])
    assert t.pending_ids() == ["a1"] and t.generation() > g


def test_a_failed_commit_changes_nothing() -> None:
    t = table_of(DOCS)
    before = (t.stats(), t.generation(), ranking(t, "zebra"))
    with pytest.raises(Exception):
        t.commit([("x", {"source": "AP", "date": 1, "chunks": 1})],
                 [("a2#0", "x", {"date": 1, "source": "AP"}, "zebra twice")])  # chunk id taken: UNIQUE fails
    assert (t.stats(), t.generation(), ranking(t, "zebra")) == before
