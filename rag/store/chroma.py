"""Storage: an embedded Chroma database with two collections, and beside it the article table
and the lexical index.

- `chunks`: one record per chunk (embedding of title + chunk text; flat metadata with the
  article's title, outlet, url, date as ISO string and as int YYYYMMDD, and the chunk offsets).
- `articles`: one record per article (full text as the document, content hash, chunk count,
  the centroid of its chunks as its vector: the copy detector's search).

Beside them: the lexical index (rag/store/lexical.py, tantivy) and the article table
(rag/store/table.py, SQLite). The table is the commit marker: an article is searchable once its
row is committed there, after Chroma and the lexical index hold its chunks. Articles a crash
left half-written are listed in the table as pending, and the next writer removes exactly them.

With a Chroma server (`RAG_CHROMA_URL`) nothing is copied to the client: the table's listings
are queries the server answers, and there is no lexical index (rag/store/remote.py; README, "One
index for a team").

The embedding model's identity is stored in the collection metadata; opening the index with
another model raises ModelMismatchError.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexGoneError, ModelMismatchError, ReadOnlyIndexError
from ..types import Article, Chunk, Failure, Filters, IndexStats, StoredArticle
from ..text import tokenize
from .client import connect, snapshot, writable
from .records import article_metadata, centroids, stored_article
from .lexical import DIR as LEXICAL, Lexical
from .remote import RemoteTable, speakers_field
from .table import NAME as TABLE, Table

log = logging.getLogger(__name__)

SCHEMA = 1
CHROMA_BATCH = 2000  # below Chroma's max batch size on every backend
PAGE = 5000


class Store:
    """One index: its Chroma collections (embedded in a directory, or on a Chroma server), and
    beside them the article table and the lexical index (on a server: `RemoteTable` for both)."""

    def __init__(self, path: Path, model: str, url: str = "", *, memory: bool = False) -> None:
        self.path = Path(path)
        self.model = model
        self.url = url
        self.memory = memory
        self.read_only = not (url or memory) and not writable(self.path)
        if memory:  # all in-memory Chroma clients of a process share one system: a name space each
            import uuid

            self._client, self._names = connect(self.path, memory=True), f"m{uuid.uuid4().hex[:12]}-"
            self._table, self._lexical = Table(None), Lexical(None)
        else:
            home = snapshot(self.path) if self.read_only else self.path
            self._client, self._names = connect(home, url), ""
            if url:  # made when the collections open
                self._table = self._lexical = None
            else:
                self._table, self._lexical = Table(home / TABLE), Lexical(home / LEXICAL)
        self._chunks = None
        self._articles = None
        self._outlets: tuple[int, tuple[str, ...]] | None = None  # (generation, outlets): see outlets()
        self._pool: list[set[str]] = []  # on a server: the words of the last dense search's passages

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
            if self._chunks is not None and self._articles is not None:
                if self.url:
                    self._table = self._lexical = RemoteTable(self._chunks, self._articles, self._collection_metadata)
                elif self._table.is_empty() and self._articles.count():
                    log.info("building the article table and lexical index of %s (once)", self.path)
                    self._import()
                elif self._table.has_chunks() and not self._lexical.count():
                    log.info("building the lexical index of %s (once)", self.path)
                    self._import(records=False)
        return self._chunks is not None and self._articles is not None

    def _collection_metadata(self) -> dict[str, Any]:
        """The `articles` collection's metadata as it is now (another process may have changed it)."""
        return dict(self._client.get_collection(self._names + "articles", embedding_function=None).metadata or {})

    def _import(self, records: bool = True) -> None:
        """Fill the table (with `records`: from Chroma's article records, which were the commit
        marker before the table) and the lexical index from Chroma."""
        committed = {i: m for i, m, _ in self.iter_articles()} if records else dict(self._table.records(
            [a.id for a in self._table.articles()]))
        chunks = [(cid, m["article_id"], m, t) for cid, m, t in self.iter_chunks() if m.get("article_id") in committed]
        self._lexical.index_chunks(list(committed), chunks)
        if records:
            self._table.commit(list(committed.items()))

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
        return self._table.state(ids)

    def content_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """article id -> stored content hash, for those of `ids` that are committed."""
        return {i: a.content_hash for i, a in self.stored_state(ids).items()}

    def set_origins(self, origins: dict[str, list[str]]) -> None:
        """Record where unchanged articles were read from this time (a file moved, or copied)."""
        if not self.open() or not origins:
            return
        updated = [(i, {**m, "origin": origins[i][-1], "origins": "\n".join(origins[i])})
                   for i, m in self._table.records(list(origins)).items()]
        for k in range(0, len(updated), CHROMA_BATCH):
            part = updated[k : k + CHROMA_BATCH]
            self._articles.update(ids=[i for i, _ in part], metadatas=[m for _, m in part])
        self._table.update_meta(updated)

    def copies_of(self, ids: Sequence[str]) -> list[Article]:
        """The syndicated copies (with their text) recorded as copies of any of `ids`."""
        if not self.open() or not ids:
            return []
        return [a.article() for a in self.with_text(self._table.copies_of(ids))]

    def with_text(self, ids: Sequence[str]) -> list[StoredArticle]:
        """These committed articles with their text, in the order given (those still there)."""
        if not self.open():
            return []
        records = self._table.records(ids)
        texts: dict[str, str] = {}
        wanted = [i for i in ids if i in records]
        for k in range(0, len(wanted), CHROMA_BATCH):
            got = self._articles.get(ids=wanted[k : k + CHROMA_BATCH], include=["documents"])
            texts.update(zip(got["ids"], got["documents"]))
        return [stored_article(i, records[i], texts[i]) for i in wanted if i in texts]

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
        self._table.begin(ids)  # from here until the table commits, a crash is undone by `recover`
        for k in range(0, len(ids), CHROMA_BATCH):
            self._chunks.delete(where={"article_id": {"$in": ids[k : k + CHROMA_BATCH]}})
        chunk_meta = [{**article_metadata(by_id[c.article_id]), "article_id": c.article_id,
                       "index": c.index, "start": c.start, "end": c.end} for c in chunks]
        for k in range(0, len(chunks), CHROMA_BATCH):
            part = chunks[k : k + CHROMA_BATCH]
            self._chunks.add(
                ids=[c.id for c in part],
                embeddings=vectors[k : k + CHROMA_BATCH],
                documents=[c.text for c in part],
                metadatas=chunk_meta[k : k + CHROMA_BATCH],
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
        metas = [{**article_metadata(a), "content_hash": a.content_hash, "origin": a.origin, "ingested": now,
                  "inferred": ",".join(a.inferred), **extra}  # always written: an upsert keeps keys it isn't given
                 for a, _, extra in records]
        metas = [{**m, **speakers_field(m)} for m in metas]  # listings by speaker on a server
        for k in range(0, len(records), CHROMA_BATCH):
            part = records[k : k + CHROMA_BATCH]
            self._articles.upsert(
                ids=[a.id for a, _, _ in part],
                embeddings=np.stack([v for _, v, _ in part]),
                documents=[a.text for a, _, _ in part],
                metadatas=metas[k : k + CHROMA_BATCH],
            )
        stored_originals = [o for o in {orig for _, orig, _ in copies} if o not in by_id]
        updated = [(i, {**m, "also_carried_by": ", ".join(sorted(carried[i][0]))})
                   for i, m in self._table.records(stored_originals).items()]
        if updated:
            self._articles.update(ids=[i for i, _ in updated], metadatas=[m for _, m in updated])
        self._lexical.index_chunks(ids, [(c.id, c.article_id, m, c.text) for c, m in zip(chunks, chunk_meta)])
        self._table.commit([(a.id, m) for (a, _, _), m in zip(records, metas)], updated)
        self._bump()

    def _carried(self, ids: Sequence[str]) -> dict[str, tuple[set[str], str]]:
        """id -> (outlets already listed as also carrying it, its own outlet), from the table."""
        out: dict[str, tuple[set[str], str]] = {i: (set(), "") for i in ids}
        for i, m in self._table.records(list(out)).items():
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
        """Embedded: a new generation in Chroma too, which tells a Chroma server later started on
        this directory that its summary is stale. On a server the table moves it on itself."""
        if not self.url:
            self._articles.modify(metadata={**self._collection_metadata(), "generation": time.time_ns()})

    def delete_articles(self, ids: Sequence[str]) -> None:
        """Remove articles: from the table first (so they vanish from search at once), then
        their Chroma records and chunks."""
        self.check_writable()
        if not self.open() or not ids:
            return
        ids = list(ids)
        self._table.begin(ids)
        self._table.delete(ids)
        self._delete_chroma(ids)
        self._lexical.unindex(ids)
        self._table.finish(ids)
        self._bump()

    def _delete_chroma(self, ids: list[str]) -> None:
        for k in range(0, len(ids), CHROMA_BATCH):
            self._articles.delete(ids=ids[k : k + CHROMA_BATCH])
            self._chunks.delete(where={"article_id": {"$in": ids[k : k + CHROMA_BATCH]}})

    def recover(self) -> int:
        """Remove what an interrupted write or delete left half-done (the table's pending
        articles, from Chroma and the table): the next ingest writes them again whole. Returns
        how many articles that was; costs what was in flight, not the size of the index."""
        if not self.open():
            return 0
        pending = self._table.pending_ids()
        if pending:
            self._table.delete(pending)
            self._delete_chroma(pending)
            self._lexical.unindex(pending)
            self._table.finish(pending)
            if self.url:  # it may have counted articles that never committed
                self._table.recount()
            self._bump()
            log.info("removed %d articles an interrupted write left half-written; they are written again "
                     "when next ingested", len(pending))
        return len(pending)

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
        """Changes on every write, by any process."""
        return self._table.generation() if self.open() else 0

    # -- reading -------------------------------------------------------------------------
    def article_count(self) -> int:
        """Committed article records (copies included)."""
        if not self.open():
            return 0
        s = self._table.stats()
        return s.articles + s.copies

    def lexical_count(self) -> int:
        """Chunks the lexical index holds (0 on a server: it has none)."""
        if not self.open():
            return 0
        return self._lexical.count()

    def chunk_count(self) -> int:
        """Committed chunks."""
        return self._table.chunk_count() if self.open() else 0

    def articles(self, include_text: bool = False) -> Iterator[StoredArticle]:
        """Every committed article record (copies included: see `StoredArticle.duplicate_of`)."""
        if not self.open():
            return
        if not include_text:
            yield from self._table.articles()
            return
        ids = [a.id for a in self._table.articles()]
        for k in range(0, len(ids), PAGE):
            yield from self.with_text(ids[k : k + PAGE])

    def matching(self, ids: Sequence[str] = (), urls: Sequence[str] = (), sources: Sequence[str] = ()) -> list[str]:
        """Ids of the committed articles with any of these ids, URLs or outlets."""
        return self._table.matching(ids, urls, sources) if self.open() else []

    def quoting(self, name: str, filters: Filters = Filters()) -> list[StoredArticle]:
        """Originals, with text, that hold a quotation whose speaker `name` may name."""
        return self.with_text(self.quoting_ids(name, filters))

    def quoting_ids(self, name: str, filters: Filters = Filters()) -> list[str]:
        """Ids of the originals that hold a quotation whose speaker `name` may name (no text read)."""
        from ..ingest.quotes import speaker_key

        return [a.id for a in self._table.quoting(speaker_key(name), filters)] if self.open() else []

    def with_quotes(self, filters: Filters, limit: int, offset: int = 0) -> list[StoredArticle]:
        """A page of originals (with text) that hold attributed quotations, newest first."""
        return self.with_text([a.id for a in self._table.with_quotes(filters, limit, offset)]) if self.open() else []

    def iter_articles(self, include_text: bool = False) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        """(id, metadata, text or None) of every article record in Chroma, committed or not."""
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
        return self._table.stats() if self.open() else IndexStats()

    def outlets(self) -> tuple[str, ...]:
        """The outlets the index holds, most articles first; counted again only after a write
        (every question asks for them, and `stats()` reads every article record)."""
        generation = self.generation()
        if self._outlets is None or self._outlets[0] != generation:
            self._outlets = (generation, tuple(self.stats().sources))
        return self._outlets[1]

    def get_article(self, article_id: str) -> tuple[dict[str, Any], str] | None:
        """The committed article's record metadata and text."""
        found = self.with_text([article_id]) if self.open() else []
        return (self._table.records([article_id])[article_id], found[0].text or "") if found else None

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
        committed = self._table.committed(m.get("article_id", "") for m in got["metadatas"][0])
        found = [
            (i, 1.0 - float(d), m, t)
            for i, d, m, t in zip(got["ids"][0], got["distances"][0], got["metadatas"][0], got["documents"][0])
            if m.get("article_id") in committed
        ]
        if self.url:  # what `term_idf` counts from, without a lexical index
            self._pool = [set(tokenize(f"{m.get('title', '')}\n{t}")) for _, _, m, t in found]
        return found

    def refresh(self) -> bool:
        """Called as each question starts: True when there is something to search. Nothing needs
        rebuilding after another process writes: every read sees the latest commit."""
        if not self.open():
            return False
        self._lexical.follow(self._table.generation())
        return self._table.has_chunks()

    def lexical(self, query: str, n: int, filters: Filters) -> list[tuple[str, float, dict, str]] | None:
        """(chunk id, BM25 score, metadata, text) of the `n` best committed chunks for `query`;
        None on a server, which has no lexical index (the caller ranks the dense candidates by
        their words instead)."""
        if not self.open():
            return []
        ranked = self._lexical.search(query, n, filters)
        if ranked is None:
            return None
        committed = self._table.committed(a for _, a, _ in ranked)  # a write may be between its two commits
        ranked = [r for r in ranked if r[1] in committed]
        if not ranked:
            return []
        got = self._chunks.get(ids=[c for c, _, _ in ranked], include=["metadatas", "documents"])
        found = {i: (m, t) for i, m, t in zip(got["ids"], got["metadatas"], got["documents"])}
        return [(c, score, *found[c]) for c, _, score in ranked if c in found]


    def coverage(self) -> tuple[str, str] | None:
        """(first, last) published date of what can be searched, ISO; None when nothing is dated."""
        return self._table.coverage() if self.open() else None

    def term_idf(self, term: str) -> float:
        """How rare an (already tokenized) term is among the chunks; unseen terms are the rarest."""
        idf = self._lexical.term_idf(term) if self.open() else 1.0
        if idf is None:  # on a server: how rare it is among the passages the last search found
            df = sum(term in p for p in self._pool)
            idf = math.log1p((len(self._pool) - df + 0.5) / (df + 0.5))
        return idf
