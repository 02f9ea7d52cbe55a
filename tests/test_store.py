"""rag.store: the model recorded with the collections, rewrites, and the commit marker.

Unit tests write random unit vectors with `Store.write` (real embedded Chroma, no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.ingest.chunking import chunk_article
from rag.errors import ModelMismatchError, RagError
from rag.ingest import ingest, read
from rag.ask.retrieve import search
from rag.types import Filters
from rag.store import Store
from rag.types import Article, Chunk

DIM = 8
MODEL = "fake/model-a"
rng = np.random.default_rng(7)


def unit(n: int, dim: int = DIM) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def article(i: int, sentences: int = 3, **kw) -> Article:  # noqa: ANN003
    text = " ".join(f"Article {i} sentence {k} mentions topic{i} and more words." for k in range(sentences))
    fields = {"id": f"art-{i}", "title": f"Title {i}", "text": text, "source": "Outlet", "published": "2020-05-0" + str(1 + i % 9)}
    fields.update(kw)
    return Article(**fields)


def chunks_of(a: Article, per_chunk: int = 1) -> list[Chunk]:
    """One chunk per sentence (a word-count budget that fits one sentence)."""
    return chunk_article(a, max_tokens=11 * per_chunk + 2, overlap=0, count_tokens=lambda t: len(t.split()))


def write(store: Store, articles: list[Article]) -> list[Chunk]:
    chunks = [c for a in articles for c in chunks_of(a)]
    store.write(articles, chunks, unit(len(chunks)))
    return chunks


class FakeEmbedder:
    """The interface ingest needs, without a model: random unit vectors, one token per word."""

    name = MODEL
    max_tokens = 256

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return unit(len(texts))


def stored_chunk_ids(store: Store) -> set[str]:
    return {cid for cid, _, _ in store.iter_chunks()}


# --- the model's identity --------------------------------------------------------------------
def test_model_is_recorded_with_the_collections(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    assert store.stored_model() is None and not store.exists
    write(store, [article(1)])
    assert store.stored_model() == MODEL
    for name in ("chunks", "articles"):
        meta = store._client.get_collection(name, embedding_function=None).metadata
        assert meta["embed_model"] == MODEL and meta["dim"] == DIM


def test_reopening_with_the_same_model_sees_the_data(tmp_path: Path) -> None:
    write(Store(tmp_path, MODEL), [article(1), article(2)])
    again = Store(tmp_path, MODEL)
    assert again.exists
    assert again.article_count() == 2 and again.chunk_count() == 6


def test_reopening_with_another_model_is_a_clear_error(tmp_path: Path) -> None:
    write(Store(tmp_path, MODEL), [article(1)])
    other = Store(tmp_path, "fake/model-b")
    with pytest.raises(ModelMismatchError) as info:
        other.open()
    message = str(info.value)
    assert MODEL in message and "fake/model-b" in message
    assert f"RAG_MODEL='{MODEL}'" in message and "RAG_HOME" in message  # what to do about it
    assert str(tmp_path) in message
    assert isinstance(info.value, RagError)
    assert (info.value.stored, info.value.configured) == (MODEL, "fake/model-b")
    assert other.stored_model() == MODEL  # asking which model doesn't raise


def test_news_index_refuses_another_model_before_loading_it(tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.index import NewsIndex

    write(Store(tmp_path / "index", MODEL), [article(1)])
    with pytest.raises(ModelMismatchError, match="fake/model-a.*no/such-model"):
        NewsIndex(tmp_path / "index", Settings(home=tmp_path, model="no/such-model"))


# --- writing -------------------------------------------------------------------------------
def test_write_stores_chunks_with_flat_metadata_and_the_article_record(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    a = article(1, url="https://example.com/1", author="A. Writer")
    chunks = write(store, [a])
    got = {cid: (meta, text) for cid, meta, text in store.iter_chunks()}
    assert set(got) == {c.id for c in chunks}
    for c in chunks:
        meta, text = got[c.id]
        assert text == c.text == a.text[meta["start"] : meta["end"]]
        assert meta["article_id"] == a.id and meta["index"] == c.index
        assert (meta["title"], meta["source"], meta["url"], meta["published"], meta["date"]) == (
            a.title, a.source, a.url, a.published, int(a.published.replace("-", ""))
        )
        assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    meta, text = store.get_article(a.id)
    assert text == a.text
    assert meta["content_hash"] == a.content_hash and meta["chunks"] == len(chunks) and meta["author"] == "A. Writer"
    assert store.content_hashes([a.id, "missing"]) == {a.id: a.content_hash}
    assert store.get_article("missing") is None


def test_an_undated_article_gets_date_zero(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    write(store, [article(1, published=None)])
    ((_, meta, _),) = list(store.iter_articles())
    assert meta["published"] == "" and meta["date"] == 0


def test_rewriting_an_article_with_fewer_chunks_leaves_none_of_the_old(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    long, other = article(1, sentences=5), article(2)
    write(store, [long, other])
    assert len(stored_chunk_ids(store)) == 8
    short = article(1, text="A much shorter story told in nine words here. It has only two sentences now, each nine words.")
    write(store, [short])
    ids = stored_chunk_ids(store)
    assert ids == {"art-1#0", "art-1#1", "art-2#0", "art-2#1", "art-2#2"}
    texts = {cid: text for cid, _, text in store.iter_chunks()}
    assert texts["art-1#0"] == "A much shorter story told in nine words here."
    assert texts["art-1#1"] == "It has only two sentences now, each nine words."
    meta, text = store.get_article("art-1")
    assert text == short.text and meta["chunks"] == 2
    assert store.article_count() == 2


def test_write_of_many_articles_pages_through_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.store.chroma

    monkeypatch.setattr(rag.store.chroma, "PAGE", 7)  # reads come back in several pages
    monkeypatch.setattr(rag.store.chroma, "CHROMA_BATCH", 5)  # writes go in several batches
    store = Store(tmp_path, MODEL)
    arts = [article(i) for i in range(12)]
    chunks = write(store, arts)
    assert {cid for cid, _, _ in store.iter_chunks()} == {c.id for c in chunks}
    assert [i for i, _, _ in store.iter_articles()] and {i for i, _, _ in store.iter_articles()} == {a.id for a in arts}
    assert store.content_hashes([a.id for a in arts]) == {a.id: a.content_hash for a in arts}


# --- the commit marker: the article table; what a crash leaves ------------------------------
def _orphan_chunks(store: Store, a: Article, n: int) -> np.ndarray:
    """Chunks of `a` in Chroma that the article table never committed: what a crash mid-write
    leaves behind."""
    vectors = unit(n)
    store._chunks.add(
        ids=[f"{a.id}#{k}" for k in range(n)],
        embeddings=vectors,
        documents=[f"orphan passage {k} about zebras" for k in range(n)],
        metadatas=[{"article_id": a.id, "title": a.title, "source": a.source, "url": "", "published": "2020-05-01",
                    "date": 20200501, "author": "", "index": k, "start": 0, "end": 10} for k in range(n)],
    )
    return vectors


def test_uncommitted_chunks_are_invisible_to_search(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    write(store, [article(1), article(2)])
    ghost = article(3)
    vectors = _orphan_chunks(store, ghost, 4)
    assert store._chunks.count() == 10 and store.chunk_count() == 6  # in Chroma, but not committed
    assert not any(cid.startswith("art-3#") for cid, *_ in store.lexical("orphan passage zebras", 50, Filters()))
    # the query is the orphan's own vector and words: without the commit check it would be the top hit
    hits = search(store, vectors[0], "zebras orphan passage", k=10, filters=Filters(), per_article=10)
    assert hits and all(h.article_id != ghost.id for h in hits)
    assert all(h.article_id in {"art-1", "art-2"} for h in hits)
    assert "art-3#0" in {cid for cid, _, _ in store.iter_chunks()}  # it is stored (its own vector: the nearest)...
    assert all(cid != "art-3#0" for cid, *_ in store.dense(vectors[0], 10, Filters()))  # ...and never returned


def test_a_later_ingest_removes_what_a_crash_left_and_writes_the_article_whole(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "ghost.txt").write_text("Ghost story\nIt was a dark night. The end came soon.", encoding="utf-8")
    store = Store(tmp_path / "index", MODEL)
    embedder = FakeEmbedder()
    first = ingest(store, embedder, read([src / "ghost.txt"]), chunk_tokens=200, progress=False)
    assert first.added == 1 and first.ok
    (aid,) = [a.id for a in store.articles()]

    # a crash in the middle of rewriting it: marked in flight, its Chroma chunks half replaced
    store._table.begin([aid])
    store._chunks.delete(where={"article_id": aid})
    _orphan_chunks(store, Article(id=aid, title="Ghost story", text="x"), 6)
    assert store._table.pending_ids() == [aid]

    again = Store(tmp_path / "index", MODEL)  # the next process
    redo = ingest(again, embedder, read([src / "ghost.txt"]), chunk_tokens=200, progress=False)
    assert redo.added == 1 and redo.unchanged == 0 and redo.ok
    chunks = [(cid, text) for cid, meta, text in again.iter_chunks() if meta["article_id"] == aid]
    assert chunks == [(f"{aid}#0", "It was a dark night. The end came soon.")]
    assert again.get_article(aid)[0]["chunks"] == 1 and again._table.pending_ids() == []
    assert [cid for cid, *_ in again.lexical("dark night", 5, Filters())] == [f"{aid}#0"]


@pytest.mark.parametrize("lost", ["table.sqlite*", "lexical"])
def test_an_index_without_its_table_or_lexical_index_gets_them_back_on_opening(tmp_path: Path, lost: str) -> None:
    """An index written before the table existed (Chroma only), or whose lexical index was
    deleted, is completed from Chroma when next opened."""
    import shutil

    store = Store(tmp_path, MODEL)
    write(store, [article(1), article(2)])
    before = store.lexical("topic1 sentence", 10, Filters())
    assert before
    store._table.close()
    del store
    for f in tmp_path.glob(lost):
        shutil.rmtree(f) if f.is_dir() else f.unlink()
    reopened = Store(tmp_path, MODEL)
    assert reopened.stats().articles == 2 and reopened.chunk_count() == 6
    assert [c for c, *_ in reopened.lexical("topic1 sentence", 10, Filters())] == [c for c, *_ in before]


def test_ingest_skips_unchanged_and_updates_changed_articles(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Title A\nFirst version of the story.", encoding="utf-8")
    store = Store(tmp_path / "index", MODEL)
    embedder = FakeEmbedder()
    assert ingest(store, embedder, read([src]), 200, progress=False).added == 1
    r = ingest(store, embedder, read([src]), 200, progress=False)
    assert (r.added, r.updated, r.unchanged, r.chunks) == (0, 0, 1, 0)
    src.write_text("Title A\nSecond version of the story. With one more sentence.", encoding="utf-8")
    r = ingest(store, embedder, read([src]), 200, progress=False)
    assert (r.added, r.updated, r.unchanged) == (0, 1, 0)
    assert store.article_count() == 1


def test_empty_store_reads_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path, MODEL)
    assert store.article_count() == 0 and store.chunk_count() == 0
    assert list(store.iter_articles()) == [] and list(store.iter_chunks()) == []
    assert store.dense(unit(1)[0], 5, Filters()) == []
    assert store.content_hashes(["x"]) == {}
    assert store.lexical("anything", 5, Filters()) == [] and search(store, unit(1)[0], "anything", 5) == []
