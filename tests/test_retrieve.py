"""rag.ask.retrieve: filter clauses, filters on both the dense and the BM25 side, fusion, the per-article cap.

Random unit vectors written with `Store.write` into a real embedded Chroma: no model."""

from __future__ import annotations


import numpy as np
import pytest

from rag.errors import ConfigError
from rag.ask.retrieve import search
from rag.types import Filters
from rag.store import Store
from rag.types import Article, Chunk, date_int

DIM = 16
MODEL = "fake/model"

# (id, published, source, topic word): the topic word appears in every sentence of the article
SPECS = [
    ("old-reuters", "2019-06-01", "Reuters", "zebra"),
    ("mid-ap", "2020-03-15", "AP", "zebra"),
    ("late-reuters", "2020-11-20", "Reuters", "zebra"),
    ("new-ap", "2021-01-10", "AP", "zebra"),
    ("undated-blog", None, "Blog", "zebra"),
    ("filler-1", "2020-02-02", "Reuters", "harvest"),
    ("filler-2", "2020-07-07", "AP", "election"),
    ("filler-3", "2019-09-09", "Blog", "football"),
]
SENTENCES = 4


def _article(aid: str, published: str | None, source: str, topic: str) -> Article:
    text = " ".join(f"Sentence {k} of {aid} reports on the {topic} story in detail." for k in range(SENTENCES))
    return Article(id=aid, title=f"The {topic} story ({aid})", text=text, source=source, published=published)


def _chunks(a: Article) -> list[Chunk]:
    out, pos = [], 0
    for k in range(SENTENCES):
        end = a.text.index(".", pos) + 1
        out.append(Chunk(a.id, k, pos, end, a.text[pos:end]))
        pos = end + 1
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    rng = np.random.default_rng(11)
    store = Store(tmp_path_factory.mktemp("retrieve") / "index", MODEL)
    articles = [_article(*s) for s in SPECS]
    chunks = [c for a in articles for c in _chunks(a)]
    # every chunk of an article lies near that article's own direction
    base = {a.id: rng.normal(size=DIM) for a in articles}
    vectors = np.stack([base[c.article_id] + 0.3 * rng.normal(size=DIM) for c in chunks]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.write(articles, chunks, vectors)
    direction = {aid: (v / np.linalg.norm(v)).astype(np.float32) for aid, v in base.items()}
    return store, None, {a.id: a for a in articles}, direction


def _respects(hit_article: Article, f: Filters) -> bool:
    # An undated article (stored as date 0) is outside every date window.
    d = date_int(hit_article.published) or 0
    if (f.since or f.until) and not d:
        return False
    if f.since and d < date_int(f.since):
        return False
    if f.until and d > date_int(f.until):
        return False
    if f.sources and hit_article.source not in f.sources:
        return False
    return not (f.article_ids and hit_article.id not in f.article_ids)


# --- Filters.where ---------------------------------------------------------------------------
def test_no_filters() -> None:
    f = Filters()
    assert not f and f.where() is None and f.to_dict() == {}


def test_where_with_one_restriction_is_the_bare_clause() -> None:
    assert Filters(since="2020-03-01").where() == {"date": {"$gte": 20200301}}
    assert Filters(until="2020-03-31").where() == {"$and": [{"date": {"$gte": 1}}, {"date": {"$lte": 20200331}}]}
    assert Filters(sources=("AP", "Reuters")).where() == {"source": {"$in": ["AP", "Reuters"]}}
    assert Filters(article_ids=("a",)).where() == {"article_id": {"$in": ["a"]}}


def test_where_with_several_restrictions_is_an_and() -> None:
    f = Filters(since="2020-03-01", until="2020-03-31", sources=("AP",), article_ids=("x", "y"))
    assert f
    assert f.where() == {"$and": [
        {"date": {"$gte": 20200301}},
        {"date": {"$lte": 20200331}},
        {"source": {"$in": ["AP"]}},
        {"article_id": {"$in": ["x", "y"]}},
    ]}
    assert f.to_dict() == {"since": "2020-03-01", "until": "2020-03-31", "sources": ("AP",), "article_ids": ("x", "y")}


@pytest.mark.parametrize("value", ["2020-03", "March 2020", "yesterday", "2020/13/45x"])
@pytest.mark.parametrize("name", ["since", "until"])
def test_a_date_that_is_not_a_date_is_a_clear_error(name: str, value: str) -> None:
    # else it becomes {"$gte": None}, which Chroma rejects with an obscure message
    with pytest.raises(ConfigError) as info:
        Filters(**{name: value})
    assert name in str(info.value) and repr(value) in str(info.value) and "YYYY-MM-DD" in str(info.value)


def test_where_clause_dates_are_numbers() -> None:
    # Chroma range operators take numbers only
    (lo, hi) = Filters(since="2020-01-01", until="2020-12-31").where()["$and"]
    assert isinstance(lo["date"]["$gte"], int) and isinstance(hi["date"]["$lte"], int)


# --- the filters on each side ----------------------------------------------------------------
FILTERS = [
    Filters(since="2020-01-01"),
    Filters(until="2020-06-30"),
    Filters(since="2020-01-01", until="2020-12-31"),
    Filters(sources=("AP",)),
    Filters(sources=("Reuters",), since="2020-01-01"),
    Filters(article_ids=("mid-ap", "filler-3")),
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: str(f.to_dict()))
def test_dense_side_honours_filters(world, f: Filters) -> None:
    store, _, articles, direction = world
    got = store.dense(direction["old-reuters"], 50, f)
    assert got, "the filter leaves something to find"
    for _, _, meta, _ in got:
        assert _respects(articles[meta["article_id"]], f), meta["article_id"]
    allowed = [c for c in articles.values() if _respects(c, f)]
    assert {meta["article_id"] for _, _, meta, _ in got} == {a.id for a in allowed}


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: str(f.to_dict()))
def test_bm25_side_honours_filters(world, f: Filters) -> None:
    store, _, articles, _ = world
    got = store.lexical("zebra story detail", 50, f)
    assert got
    for cid, score, meta, _ in got:
        assert score > 0
        assert _respects(articles[meta["article_id"]], f), cid
    allowed = {a.id for a in articles.values() if _respects(a, f)}  # "story" and "detail" are in every article
    assert {meta["article_id"] for _, _, meta, _ in got} == allowed


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: str(f.to_dict()))
def test_fused_search_honours_filters_from_both_sides(world, f: Filters) -> None:
    store, corpus, articles, direction = world
    # The query points at an article most filters exclude, on both sides: without the filter it wins.
    unfiltered = search(store, direction["old-reuters"], "zebra", k=5, per_article=2)
    assert unfiltered[0].article_id == "old-reuters"
    hits = search(store, direction["old-reuters"], "zebra", k=20, filters=f, per_article=4)
    assert hits
    assert any(h.dense_score is not None for h in hits)
    for h in hits:
        assert _respects(articles[h.article_id], f), (h.article_id, f)
    if any(topic == "zebra" and _respects(articles[aid], f) for aid, _, _, topic in SPECS):
        assert any(h.bm25_score is not None for h in hits)  # the BM25 side contributed too


def test_undated_articles_do_not_pass_a_date_window(world) -> None:
    """An article without a date is dropped by `since` (date 0 < since) but kept by `until`
    (0 <= until), on both sides: 'published before June 2020' then includes stories of unknown date
    (in the Wikinews index, the 2024 Baonghean article passes `until=2019-12-31`)."""
    store, corpus, _, direction = world
    f = Filters(until="2020-06-30")
    dense = [meta["article_id"] for _, _, meta, _ in store.dense(direction["undated-blog"], 50, f)]
    bm25 = [meta["article_id"] for _, _, meta, _ in store.lexical("zebra", 50, f)]
    assert "undated-blog" not in dense
    assert "undated-blog" not in bm25


def test_lexical_filters_match_chromas(world) -> None:
    """The article table applies each filter as Chroma's `where` does: the same chunks pass."""
    store, _, _, direction = world
    for f in FILTERS:
        by_table = {cid for cid, *_ in store.lexical("sentence", 100, f)}
        by_where = {cid for cid, _, _, _ in store.dense(direction["mid-ap"], 100, f)}
        assert by_table == by_where, f


# --- fusion and hits -------------------------------------------------------------------------
def test_hits_carry_their_chunk_and_both_scores(world) -> None:
    store, corpus, articles, direction = world
    hits = search(store, direction["mid-ap"], "zebra", k=8, per_article=3)
    assert len(hits) == 8
    top = hits[0]
    assert top.article_id == "mid-ap"
    a = articles[top.article_id]
    assert a.text[top.start : top.end] == top.text
    assert (top.title, top.source, top.published, top.url) == (a.title, a.source, a.published, a.url)
    assert top.chunk_id.startswith("mid-ap#")
    assert top.dense_score is not None and top.bm25_score is not None
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert len({h.chunk_id for h in hits}) == len(hits)


def test_a_chunk_found_by_both_sides_beats_one_found_by_one(world) -> None:
    store, corpus, _, direction = world
    # the vector points at filler-2 (no 'zebra'); the words at the zebra stories
    hits = search(store, direction["filler-2"], "zebra", k=30, per_article=4)
    both = [h for h in hits if h.dense_score is not None and h.bm25_score is not None]
    dense_only = [h for h in hits if h.bm25_score is None]
    assert both and dense_only
    assert hits[0] in both
    assert min(h.score for h in both) > max(h.score for h in dense_only)
    # and the dense side's favourite is still the best of those found by the vector alone
    assert dense_only[0].article_id == "filler-2"


def test_bm25_finds_what_the_vector_misses(world) -> None:
    store, corpus, _, direction = world
    k, candidates = 3, 3  # the dense side looks at max(candidates, 4 * k) = 12 chunks
    nearest = {meta["article_id"] for _, _, meta, _ in store.dense(direction["filler-1"], 12, Filters())}
    assert "filler-3" not in nearest  # the vector alone never finds it
    hits = search(store, direction["filler-1"], "football", k=k, per_article=4, candidates=candidates)
    found = [h for h in hits if h.article_id == "filler-3"]
    assert found and all(h.bm25_score is not None and h.dense_score is None for h in found)


def test_k_limits_the_number_of_hits(world) -> None:
    store, corpus, _, direction = world
    for k in (1, 3, 7):
        assert len(search(store, direction["mid-ap"], "zebra", k=k, per_article=4)) == k


# --- per-article cap -------------------------------------------------------------------------
@pytest.mark.parametrize("cap", [1, 2, 3])
def test_per_article_cap(world, cap: int) -> None:
    store, corpus, _, direction = world
    hits = search(store, direction["late-reuters"], "late-reuters zebra", k=10, per_article=cap)
    counts: dict[str, int] = {}
    for h in hits:
        counts[h.article_id] = counts.get(h.article_id, 0) + 1
    assert max(counts.values()) == cap
    assert counts["late-reuters"] == cap
    # the cap makes room for other articles rather than returning fewer (8 articles in all)
    assert len(hits) == min(10, cap * len(SPECS))


def test_without_a_binding_cap_one_article_takes_more_places(world) -> None:
    store, corpus, _, direction = world
    hits = search(store, direction["late-reuters"], "late-reuters zebra", k=4, per_article=10)
    assert [h.article_id for h in hits] == ["late-reuters"] * 4


def test_empty_filter_result(world) -> None:
    store, corpus, _, direction = world
    f = Filters(since="2030-01-01")
    assert search(store, direction["mid-ap"], "zebra", k=5, filters=f) == []
    f = Filters(sources=("Nobody",))
    assert search(store, direction["mid-ap"], "zebra", k=5, filters=f) == []


def test_the_dense_weight_moves_the_fusion_toward_the_vector_side(world) -> None:  # noqa: ANN001
    """The query's words point at the zebra articles, its vector at a filler one: a heavy dense
    side puts that filler first, a light one the zebra articles."""
    store, _, _, direction = world
    vector = direction["filler-2"]
    heavy = search(store, vector, "zebra story", 5, per_article=1, dense_weight=10.0)
    light = search(store, vector, "zebra story", 5, per_article=1, dense_weight=0.1)
    assert heavy[0].article_id == "filler-2"
    assert light[0].article_id != "filler-2" and "zebra" in light[0].title
    assert [h.article_id for h in search(store, vector, "zebra story", 5, per_article=1)] == [
        h.article_id for h in search(store, vector, "zebra story", 5, per_article=1, dense_weight=1.0)]
