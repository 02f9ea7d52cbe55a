"""rag.store.lexical, rag.store.table and rag.text: tokenizing (stopwords, stemming), BM25 ranking
in tantivy with the filters inside the search, the article table, and what is left in flight."""

from __future__ import annotations

import json

import pytest

from rag.store.lexical import Lexical
from rag.store.table import Table
from rag.text import STOPWORDS, stem, tokenize
from rag.types import Filters

DOCS = [
    "The council met on Monday to discuss the city budget.",  # 0
    "The council approved the budget after a long debate.",  # 1
    "A zebra escaped from the city zoo and ran into the council chamber.",  # 2
    "Weather: rain on Monday, sun on Tuesday.",  # 3
    "Russia said it would keep supplying weapons; the supplies continue.",  # 4
]


def table_of(docs: list[str], dates: list[int] | None = None, sources: list[str] | None = None) -> Lexical:
    lex = Lexical(None)
    dates = dates or [20200101] * len(docs)
    sources = sources or ["Outlet"] * len(docs)
    chunks = [(f"a{i}#0", f"a{i}", {"date": d, "source": s, "title": ""}, text)
              for i, (text, d, s) in enumerate(zip(docs, dates, sources))]
    lex.index_chunks([], chunks)
    return lex


@pytest.fixture(scope="module")
def index() -> Lexical:
    return table_of(DOCS)


def ranking(index: Lexical, query: str, f: Filters = Filters()) -> list[int]:
    return [int(aid[1:]) for _, aid, _ in index.search(query, 10, f)]


def test_rare_term_outweighs_common_terms(index: Lexical) -> None:
    # "council" is in three documents, "zebra" in one: the zebra document wins.
    assert ranking(index, "council zebra")[0] == 2
    assert index.term_idf("zebra") > index.term_idf("council") > 0


def test_documents_without_query_terms_are_not_found(index: Lexical) -> None:
    assert sorted(ranking(index, "budget")) == [0, 1]
    assert all(score > 0 for *_, score in index.search("budget", 10, Filters()))


def test_more_matching_terms_rank_higher(index: Lexical) -> None:
    assert ranking(index, "council budget Monday")[0] == 0


def test_repeated_term_scores_higher_but_saturates() -> None:
    t = table_of(["apple pie recipe", "apple apple apple pie", "pear tart"])
    scores = {aid: s for _, aid, s in t.search("apple", 10, Filters())}
    assert scores["a1"] > scores["a0"] > 0 and "a2" not in scores
    assert scores["a1"] < 3 * scores["a0"]  # saturation: three occurrences are worth well under three times one


def test_stemming_matches_inflected_forms(index: Lexical) -> None:
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
def test_empty_stopword_or_unknown_query_finds_nothing(index: Lexical, query: str) -> None:
    assert index.search(query, 10, Filters()) == []


@pytest.mark.parametrize("query", ['"council', "council AND NOT budget", "NEAR(council budget)", "coun*", "body:zebra",
                                   "council OR", "- ^ ( ) :", "date:[0 TO 99999999]"])
def test_query_syntax_in_a_question_is_just_words(index: Lexical, query: str) -> None:
    """A question is never query syntax: quotes, operators and field names are words (each word
    is a term query; nothing is parsed)."""
    index.search(query, 10, Filters())  # no parse error
    assert set(ranking(index, "council AND NOT budget")) == {0, 1, 2}
    assert ranking(index, "date:[0 TO 99999999]") == []


def test_an_unseen_term_counts_as_the_rarest(index: Lexical) -> None:
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
              ("c", {"source": "BBC", "date": 20210101, "chunks": 0, "duplicate_of": "a"})])
    s = t.stats()
    assert (s.articles, s.copies, s.chunks) == (2, 1, 2)
    assert s.sources == {"(unknown)": 1, "AP": 1} and (s.first_date, s.last_date) == ("2020-01-05", "2020-01-05")
    assert s.last_ingested == "2026-01-01T00:00:00Z" and t.coverage() == ("2020-01-05", "2020-01-05")
    assert t.matching(urls=["https://x/b"], sources=["AP"]) == ["b", "a"] and t.copies_of(["a"]) == ["c"]
    assert [a.id for a in t.quoting("putin")] == ["a"] and t.quoting("smith") == []
    assert [a.id for a in t.with_quotes(Filters(), 10)] == ["a"]
    assert [a.id for a in t.with_quotes(Filters(since="2021-01-01"), 10)] == []


def test_indexing_replaces_an_articles_chunks_and_unindexing_removes_them() -> None:
    lex = table_of(["the old version about zebras", "another story about zebras"])
    lex.index_chunks(["a0"], [("a0#0", "a0", {"date": 20200101, "source": "AP"}, "the new version about giraffes")])
    assert ranking(lex, "zebras") == [1] and ranking(lex, "giraffes") == [0] and lex.count() == 2
    lex.unindex(["a0"])
    assert ranking(lex, "giraffes") == [] and lex.count() == 1


def test_a_table_commit_replaces_an_article_and_a_delete_removes_it() -> None:
    t = Table(None)
    t.commit([("a0", {"source": "AP", "date": 20200101, "chunks": 2})])
    t.commit([("a0", {"source": "BBC", "date": 20200101, "chunks": 1})])
    assert t.chunk_count() == 1 and t.stats().sources == {"BBC": 1}
    t.delete(["a0"])
    assert t.is_empty() and not t.has_chunks()


def test_what_was_begun_and_not_committed_stays_pending() -> None:
    t = Table(None)
    g = t.generation()
    t.begin(["a1", "new"])
    assert sorted(t.pending_ids()) == ["a1", "new"]
    t.commit([("new", {"source": "AP", "date": 20200101, "chunks": 0})])
    assert t.pending_ids() == ["a1"] and t.generation() > g


def test_a_failed_commit_changes_nothing() -> None:
    t = Table(None)
    t.commit([("a", {"source": "AP", "date": 1, "chunks": 1})])
    before = (t.stats(), t.generation(), t.pending_ids())
    t.begin(["b"])
    with pytest.raises(Exception):
        t.commit([("b", {"source": "AP", "date": 1, "chunks": 1}), ("c", object())])  # not JSON: fails midway
    assert (t.stats(), t.generation()) == before[:2] and t.pending_ids() == ["b"]
