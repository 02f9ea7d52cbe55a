"""Storage: an embedded Chroma database with two collections, plus the BM25 side built from it.

- `chunks`: one record per chunk (embedding of title + chunk text; flat metadata with the
  article's title, outlet, url, date as ISO string and as int YYYYMMDD, and the chunk offsets).
- `articles`: one record per article (full text as the document, content hash, chunk count).
  An article record is written only after all its chunks are, so it doubles as the commit
  marker: chunks whose article record is missing (a crash mid-write) are invisible to search
  and are replaced by the next ingest.

The embedding model's identity is stored in the collection metadata; opening the index with
another model raises ModelMismatchError.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexGoneError, ModelMismatchError, ReadOnlyIndexError
from ..types import Article, Chunk, Failure, Filters, IndexStats, StoredArticle
from .client import connect, snapshot, writable
from .lexical import Corpus
from .records import article_metadata, centroids, stored_article

log = logging.getLogger(__name__)

SCHEMA = 1
CHROMA_BATCH = 2000  # below Chroma's max batch size on every backend
PAGE = 5000


class Store:
    """The Chroma collections of one index: embedded in a directory, or on a Chroma server."""

    def __init__(self, path: Path, model: str, url: str = "", *, memory: bool = False) -> None:
        self.path = Path(path)
        self.model = model
        self.url = url
        self.memory = memory
        self.read_only = not (url or memory) and not writable(self.path)
        if memory:  # all in-memory Chroma clients of a process share one system: a name space each
            import uuid

            self._client, self._names = connect(self.path, memory=True), f"m{uuid.uuid4().hex[:12]}-"
        else:
            self._client, self._names = connect(snapshot(self.path) if self.read_only else self.path, url), ""
        self._chunks = None
        self._articles = None
        self._corpus: Corpus | None = None

    # -- collections ---------------------------------------------------------------------
    def _collection(self, name: str, dim: int | None):
        """Open a collection; create it (recording the model) only when `dim` is given."""
        from chromadb.errors import NotFoundError

        try:
            col = self._client.get_collection(self._names + name, embedding_function=None)
        except (NotFoundError, ValueError):
            if dim is None:
                return None
            col = self._client.create_collection(
                self._names + name,
                embedding_function=None,
                metadata={"embed_model": self.model, "dim": dim, "schema": SCHEMA},
                configuration={"hnsw": {"space": "cosine"}},
            )
        stored = (col.metadata or {}).get("embed_model")
        if stored != self.model:
            raise ModelMismatchError(self.url or str(self.path), str(stored), self.model)
        return col

    def open(self, dim: int | None = None) -> bool:
        """Open (or with `dim`, create) both collections. False when the index doesn't exist yet."""
        if self._chunks is None:
            self._chunks = self._collection("chunks", dim)
            self._articles = self._collection("articles", dim)
        return self._chunks is not None and self._articles is not None

    @property
    def exists(self) -> bool:
        return self.open()

    def stored_model(self) -> str | None:
        """The model the index was built with, without checking it against ours."""
        for col in self._client.list_collections():
            if col.name == self._names + "chunks":
                return (self._client.get_collection(col.name, embedding_function=None).metadata or {}).get(
                    "embed_model"
                )
        return None

    # -- writing -------------------------------------------------------------------------
    def stored_state(self, ids: Sequence[str]) -> dict[str, StoredArticle]:
        """The committed records of those of `ids` the index holds (without text)."""
        if not self.open() or not ids:
            return {}
        out: dict[str, StoredArticle] = {}
        for k in range(0, len(ids), CHROMA_BATCH):
            got = self._articles.get(ids=list(ids[k : k + CHROMA_BATCH]), include=["metadatas"])
            for i, m in zip(got["ids"], got["metadatas"]):
                out[i] = stored_article(i, m)
        return out

    def content_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """article id -> stored content hash, for those of `ids` that are committed."""
        return {i: a.content_hash for i, a in self.stored_state(ids).items()}

    def set_origins(self, origins: dict[str, list[str]]) -> None:
        """Record where unchanged articles were read from this time (a file moved, or copied)."""
        if not self.open() or not origins:
            return
        ids = list(origins)
        for k in range(0, len(ids), CHROMA_BATCH):
            got = self._articles.get(ids=ids[k : k + CHROMA_BATCH], include=["metadatas"])
            self._articles.update(ids=got["ids"], metadatas=[
                {**m, "origin": origins[i][-1], "origins": "\n".join(origins[i])}
                for i, m in zip(got["ids"], got["metadatas"])
            ])

    def copies_of(self, ids: Sequence[str]) -> list[Article]:
        """The syndicated copies (with their text) recorded as copies of any of `ids`."""
        if not self.open() or not ids:
            return []
        out: list[Article] = []
        ids = list(ids)
        for k in range(0, len(ids), CHROMA_BATCH):
            got = self._articles.get(where={"duplicate_of": {"$in": ids[k : k + CHROMA_BATCH]}},
                                     include=["metadatas", "documents"])
            out += [stored_article(i, m, t).article() for i, m, t in zip(got["ids"], got["metadatas"], got["documents"])]
        return out

    def write(
        self,
        articles: Sequence[Article],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        copies: Sequence[tuple[Article, str, np.ndarray]] = (),
        extra: dict[str, dict[str, Any]] | None = None,
    ) -> list[Failure]:
        """Replace these articles and all their chunks. Chunks first, article records last.
        `extra` adds fields to an article's record (its quotations: rag/answer/quoted.py).

        `copies` are (article, id of the article it copies, its centroid): stored as records
        without chunks (so re-ingesting them is a no-op), their outlets added to the original's
        "also carried by".

        Returns the articles that could not be stored, one Failure each: when a batch fails, its
        articles are written one by one so the rest land; one that still fails leaves nothing
        behind (no chunks, no record)."""
        self.check_writable()
        try:
            self._write(articles, chunks, vectors, copies, extra)
            return []
        except Exception as exc:  # Chroma refused something: find which article, keep the rest
            if len(articles) + len(copies) == 1:
                a = articles[0] if articles else copies[0][0]
                self._discard([a.id])
                log.warning("could not store %s: %s", a.origin or a.id, exc)
                return [Failure(a.origin or a.id, " ".join(f"could not be stored: {type(exc).__name__}: {exc}".split()))]
        failures: list[Failure] = []
        for a in articles:
            rows = [i for i, c in enumerate(chunks) if c.article_id == a.id]
            failures += self.write([a], [chunks[i] for i in rows], vectors[rows], (), extra)
        for copy in copies:
            failures += self.write([], [], np.zeros((0, len(copy[2])), dtype=np.float32), [copy], extra)
        return failures

    def _discard(self, ids: Sequence[str]) -> None:
        """Delete whatever a failed write left of these articles."""
        try:
            self.delete_articles(ids)
        except Exception:  # nothing more can be done here; the next ingest's sweep retries
            log.exception("cleaning up after a failed write of %s failed", ids)

    def _write(
        self,
        articles: Sequence[Article],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        copies: Sequence[tuple[Article, str, np.ndarray]],
        extra: dict[str, dict[str, Any]] | None,
    ) -> None:
        assert len(chunks) == len(vectors)
        dim = int(vectors.shape[1]) if len(vectors) else (len(copies[0][2]) if copies else None)
        self.open(dim=dim)
        by_id = {a.id: a for a in articles}
        ids = list(by_id) + [a.id for a, _, _ in copies]
        for k in range(0, len(ids), CHROMA_BATCH):
            self._chunks.delete(where={"article_id": {"$in": ids[k : k + CHROMA_BATCH]}})
        for k in range(0, len(chunks), CHROMA_BATCH):
            part = chunks[k : k + CHROMA_BATCH]
            self._chunks.add(
                ids=[c.id for c in part],
                embeddings=vectors[k : k + CHROMA_BATCH],
                documents=[c.text for c in part],
                metadatas=[
                    {**article_metadata(by_id[c.article_id]), "article_id": c.article_id,
                     "index": c.index, "start": c.start, "end": c.end}
                    for c in part
                ],
            )
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.article_id] = counts.get(c.article_id, 0) + 1
        centroid = centroids(chunks, vectors)
        carried = self._carried([a.id for a in articles] + [orig for _, orig, _ in copies])
        for copy, orig, _ in copies:
            if copy.source and copy.source != (by_id[orig].source if orig in by_id else carried[orig][1]):
                carried[orig][0].add(copy.source)
        records = [
            (a, centroid[a.id],
             {"chunks": counts[a.id], "also_carried_by": ", ".join(sorted(carried[a.id][0])), "duplicate_of": "",
              **(extra or {}).get(a.id, {})})
            for a in articles
        ] + [(a, vec, {"chunks": 0, "duplicate_of": orig, "also_carried_by": "", "quotes": "",  # upsert merges: clear
                       "origins": (extra or {}).get(a.id, {}).get("origins", "")})
             for a, orig, vec in copies]
        for k in range(0, len(records), CHROMA_BATCH):
            part = records[k : k + CHROMA_BATCH]
            self._articles.upsert(
                ids=[a.id for a, _, _ in part],
                embeddings=np.stack([v for _, v, _ in part]),
                documents=[a.text for a, _, _ in part],
                metadatas=[
                    {**article_metadata(a), "content_hash": a.content_hash, "origin": a.origin, "ingested": now, **extra}
                    for a, _, extra in part
                ],
            )
        stored_originals = [o for o in {orig for _, orig, _ in copies} if o not in by_id]
        if stored_originals:
            got = self._articles.get(ids=stored_originals, include=["metadatas"])
            self._articles.update(
                ids=got["ids"],
                metadatas=[{**m, "also_carried_by": ", ".join(sorted(carried[i][0]))} for i, m in zip(got["ids"], got["metadatas"])],
            )
        self._bump()

    def _carried(self, ids: Sequence[str]) -> dict[str, tuple[set[str], str]]:
        """id -> (outlets already listed as also carrying it, its own outlet), from the store."""
        out: dict[str, tuple[set[str], str]] = {i: (set(), "") for i in ids}
        got = self._articles.get(ids=list(out), include=["metadatas"]) if out else {"ids": [], "metadatas": []}
        for i, m in zip(got["ids"], got["metadatas"]):
            listed = {s.strip() for s in (m.get("also_carried_by") or "").split(",") if s.strip()}
            out[i] = (listed, m.get("source", ""))
        return out

    def nearest_articles(self, vector: np.ndarray, n: int) -> list[tuple[str, float, dict[str, Any], str]]:
        """(id, cosine similarity, metadata, text) of the `n` articles whose centroids are nearest."""
        if not self.open() or not self._articles.count():
            return []
        got = self._articles.query(
            query_embeddings=[vector], n_results=min(n, self._articles.count()),
            include=["metadatas", "documents", "distances"],
        )
        return [
            (i, 1.0 - float(d), m, t)
            for i, d, m, t in zip(got["ids"][0], got["distances"][0], got["metadatas"][0], got["documents"][0])
        ]

    def _bump(self) -> None:
        self._articles.modify(metadata={**(self._articles.metadata or {}), "generation": time.time_ns()})

    def delete_articles(self, ids: Sequence[str]) -> None:
        """Remove articles: their records first (so they vanish from search at once), then chunks."""
        self.check_writable()
        if not self.open() or not ids:
            return
        ids = list(ids)
        for k in range(0, len(ids), CHROMA_BATCH):
            self._articles.delete(ids=ids[k : k + CHROMA_BATCH])
        for k in range(0, len(ids), CHROMA_BATCH):
            self._chunks.delete(where={"article_id": {"$in": ids[k : k + CHROMA_BATCH]}})
        self._bump()

    def sweep_orphans(self) -> int:
        """Delete chunks whose article record is missing (left by an interrupted write). Returns how many."""
        if not self.open():
            return 0
        committed = {i for i, _, _ in self.iter_articles()}
        orphans: list[str] = []
        total = self._chunks.count()
        for offset in range(0, total, PAGE):
            got = self._chunks.get(include=["metadatas"], limit=PAGE, offset=offset)
            orphans += [i for i, m in zip(got["ids"], got["metadatas"]) if m.get("article_id") not in committed]
        for k in range(0, len(orphans), CHROMA_BATCH):
            self._chunks.delete(ids=orphans[k : k + CHROMA_BATCH])
        if orphans:
            log.info("removed %d chunks left by an interrupted write", len(orphans))
        return len(orphans)

    def check_writable(self) -> None:
        """An embedded index whose directory was deleted under a running process can't be written,
        nor one this user may only read."""
        if self.read_only:
            raise ReadOnlyIndexError(f"The index at {self.path} is read-only for this user: it can be searched "
                                     "but not changed. Ask for write access, or ingest into an index of your own.")
        if not (self.url or self.memory) and not (self.path / "chroma").is_dir():
            raise IndexGoneError(
                f"The index directory {self.path} is gone (deleted while this process was running). "
                "Restart the page or program to create a new index there, then ingest again."
            )

    def generation(self) -> int:
        """Changes on every write, by any process: readers compare it to know they are stale."""
        if not self.open():
            return 0
        fresh = self._client.get_collection(self._names + "articles", embedding_function=None)
        return int((fresh.metadata or {}).get("generation", 0))

    # -- reading -------------------------------------------------------------------------
    def article_count(self) -> int:
        return self._articles.count() if self.open() else 0

    def chunk_count(self) -> int:
        return self._chunks.count() if self.open() else 0

    def articles(self, include_text: bool = False) -> Iterator[StoredArticle]:
        """Every committed article record (copies included: see `StoredArticle.duplicate_of`)."""
        for i, meta, text in self.iter_articles(include_text):
            yield stored_article(i, meta, text)

    def iter_articles(self, include_text: bool = False) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        """(id, metadata, text or None) of every committed article."""
        if not self.open():
            return
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        total = self._articles.count()
        for offset in range(0, total, PAGE):
            got = self._articles.get(include=include, limit=PAGE, offset=offset)
            docs = got.get("documents") or [None] * len(got["ids"])
            yield from zip(got["ids"], got["metadatas"], docs)

    def iter_chunks(self) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(chunk id, metadata, text) of every chunk, committed or not."""
        if not self.open():
            return
        total = self._chunks.count()
        for offset in range(0, total, PAGE):
            got = self._chunks.get(include=["metadatas", "documents"], limit=PAGE, offset=offset)
            yield from zip(got["ids"], got["metadatas"], got["documents"])

    def article(self, article_id: str) -> StoredArticle | None:
        """One committed article with its text, or None."""
        got = self.get_article(article_id)
        return stored_article(article_id, got[0], got[1]) if got else None

    def stats(self) -> IndexStats:
        """Counts, outlets and dates of what the index holds (model and path are the caller's)."""
        dates: list[str] = []
        sources: dict[str, int] = {}
        ingested: list[str] = []
        n = copies = 0
        for a in self.articles():
            if a.duplicate_of:  # a syndicated copy, kept once under its original
                copies += 1
                continue
            n += 1
            if a.ingested:
                ingested.append(a.ingested)
            if a.published:
                dates.append(a.published)
            src = a.source or "(unknown)"
            sources[src] = sources.get(src, 0) + 1
        return IndexStats(
            articles=n, chunks=self.chunk_count(), copies=copies,
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            first_date=min(dates) if dates else None, last_date=max(dates) if dates else None,
            last_ingested=max(ingested) if ingested else None,
        )

    def get_article(self, article_id: str) -> tuple[dict[str, Any], str] | None:
        if not self.open():
            return None
        got = self._articles.get(ids=[article_id], include=["metadatas", "documents"])
        return (got["metadatas"][0], got["documents"][0]) if got["ids"] else None

    def dense(self, vector: np.ndarray, n: int, filters: Filters) -> list[tuple[str, float, dict, str]]:
        """(chunk id, cosine similarity, metadata, text) of the `n` nearest committed chunks."""
        if not self.open():
            return []
        n = min(n, self._chunks.count())
        if n == 0:
            return []
        got = self._chunks.query(
            query_embeddings=[vector], n_results=n, where=filters.where(),
            include=["metadatas", "documents", "distances"],
        )
        committed = self.lexical_side().committed
        return [
            (i, 1.0 - float(d), m, t)
            for i, d, m, t in zip(got["ids"][0], got["distances"][0], got["metadatas"][0], got["documents"][0])
            if m.get("article_id") in committed
        ]

    # -- the lexical side (BM25 over the committed chunks, rebuilt when any process wrote) ------
    def lexical_side(self) -> Corpus:
        if self._corpus is None:
            self._corpus = Corpus.load(self)
        return self._corpus

    def refresh(self) -> bool:
        """Called as each question starts: rebuild the lexical side if any process has written to
        the index since it was built. True when there is something to search."""
        if self._corpus is not None and self._corpus.generation != self.generation():
            self._corpus = None
        return bool(self.lexical_side().ids)

    def lexical(self, query: str, n: int, filters: Filters) -> list[tuple[str, float, dict, str]]:
        """(chunk id, BM25 score, metadata, text) of the `n` best committed chunks for `query`."""
        corpus = self.lexical_side()
        return [(corpus.ids[i], score, corpus.metas[i], corpus.texts[i]) for i, score in corpus.bm25_top(query, n, filters)]

    def coverage(self) -> tuple[str, str] | None:
        """(first, last) published date of what can be searched, ISO; None when nothing is dated."""
        return self.lexical_side().coverage

    def term_idf(self, term: str) -> float:
        """How rare an (already tokenized) term is among the chunks; unseen terms are the rarest."""
        bm25 = self.lexical_side().bm25
        return bm25.term_idf(term) if bm25 else 1.0
