"""The article table of an index on a Chroma server, without a copy of it.

A client of a `chroma run` server holds no corpus: every listing is a query the server answers.

- Listings filter the `articles` records on the server (`where` on outlet, URL, copy-of, date;
  each record's `speakers` is a list of name words, matched with `$contains`). Counts, outlets
  and dates come from the summary every write keeps in the collection's metadata (summary.py).
- There is no lexical index on the server: `search` returns None, and retrieval ranks the dense
  candidates by their words instead (rag/ask/retrieve.py, `by_words`). Chroma's full-text filter
  (`where_document` `$contains`) was measured for it and is too slow to search by: 0.35 to 1 s a
  word at 100k chunks (RESULTS.md). Chroma's own BM25/sparse search (the Search API) is Chroma
  Cloud only as of chromadb 1.5.

The commit marker is the article record (written after its chunks); the articles a write or
delete has started on are listed in the collection's metadata (`pending`), and the next writer
removes them, then recounts the summary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..types import Filters, IndexStats, StoredArticle
from .records import stored_article
from .summary import Summary

BATCH = 2000


def speakers_field(meta: dict[str, Any]) -> dict[str, Any]:
    """The fields a record gets for listings by speaker: `speakers` (name words; [""] when none,
    since Chroma refuses empty lists and an upsert keeps a field it isn't given) and `has_quotes`."""
    from .table import speaker_words

    words = speaker_words(meta.get("quotes", ""))
    return {"has_quotes": bool(words), "speakers": sorted(w for w in words if w) or [""]}


class RemoteTable:
    """`Table`'s interface over the two collections of a Chroma server."""

    def __init__(self, chunks: Any, articles: Any, metadata: Callable[[], dict[str, Any]]) -> None:
        """`metadata()` reads the `articles` collection's metadata afresh from the server."""
        self._chunks, self._articles, self._fresh = chunks, articles, metadata
        self._summary: tuple[int, Summary] | None = None
        self._replaced: dict[str, dict[str, Any]] = {}
        self._base: Summary | None = None

    def close(self) -> None:
        pass

    # -- writing (one writer; the caller holds the write lock) ---------------------------------
    def begin(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in ids:
            self._replaced.pop(i, None)
        self._replaced.update(self.records(ids))  # subtracted from the summary at commit
        self._base = self.summary()  # as it is before Chroma changes (an old index's is counted now)
        meta = self._fresh()
        pending = sorted(set(json.loads(meta.get("pending", "[]"))) | set(ids))
        self._articles.modify(metadata={**meta, "pending": json.dumps(pending)})

    def pending_ids(self) -> list[str]:
        return json.loads(self._fresh().get("pending", "[]"))

    def commit(self, records: Sequence[tuple[str, dict[str, Any]]], updated: Sequence = ()) -> None:
        summary = self._base or self.summary()
        for i, _ in records:
            if i in self._replaced:
                summary.add(self._replaced.pop(i), -1)
        for _, m in records:
            summary.add(m)
        self._save(summary, done=[i for i, _ in records])

    def delete(self, ids: Sequence[str]) -> None:
        summary = self.summary()
        for i, m in self.records(ids).items():
            summary.add(m, -1)
            self._replaced.pop(i, None)
        self._save(summary, done=[])

    def finish(self, ids: Sequence[str]) -> None:
        meta = self._fresh()
        pending = [i for i in json.loads(meta.get("pending", "[]")) if i not in set(ids)]
        self._articles.modify(metadata={**meta, "pending": json.dumps(pending)})

    def recount(self) -> None:
        """After a crash: the summary counted again from the records (a scan, once)."""
        self._save(Summary.count(m for _, m in self._all()), done=[])

    def _save(self, summary: Summary, done: Sequence[str]) -> None:
        """The summary, the new generation and what is no longer pending, in one metadata write."""
        meta = self._fresh()
        pending = [i for i in json.loads(meta.get("pending", "[]")) if i not in set(done)]
        generation = time.time_ns()
        self._articles.modify(metadata={**meta, "summary": summary.dump(), "summary_generation": generation,
                                        "generation": generation, "pending": json.dumps(pending)})
        self._summary, self._base = None, None

    def update_meta(self, updated: Sequence[tuple[str, dict[str, Any]]]) -> None:
        pass  # the records are the table: Store has updated them

    # -- reading -----------------------------------------------------------------------------
    def summary(self) -> Summary:
        """The collection's summary; counted from the records (once per change) when the last
        writer kept none: an index written embedded, then served."""
        meta = self._fresh()
        generation = int(meta.get("generation", 0))
        if self._summary is None or self._summary[0] != generation:
            found = Summary.read(meta) if int(meta.get("summary_generation", -1)) == generation else None
            self._summary = (generation, found if found is not None else Summary.count(m for _, m in self._all()))
        return self._summary[1]

    def generation(self) -> int:
        return int(self._fresh().get("generation", 0))

    def is_empty(self) -> bool:
        s = self.summary()
        return not (s.articles or s.copies)

    def has_chunks(self) -> bool:
        return self.summary().chunks > 0

    def chunk_count(self) -> int:
        return self.summary().chunks

    def _get(self, **kw: Any) -> list[tuple[str, dict[str, Any]]]:
        got = self._articles.get(include=["metadatas"], **kw)
        return list(zip(got["ids"], got["metadatas"]))

    def _all(self) -> Iterator[tuple[str, dict[str, Any]]]:
        total = self._articles.count()
        for offset in range(0, total, BATCH):
            yield from self._get(limit=BATCH, offset=offset)

    def committed(self, ids: Iterable[str]) -> set[str]:
        ids = sorted(set(ids))
        return {i for k in range(0, len(ids), BATCH) for i in self._articles.get(ids=ids[k : k + BATCH], include=[])["ids"]}

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        ids = list(ids)
        return {i: m for k in range(0, len(ids), BATCH) for i, m in self._get(ids=ids[k : k + BATCH])}

    def state(self, ids: Sequence[str]) -> dict[str, StoredArticle]:
        return {i: stored_article(i, m) for i, m in self.records(ids).items()}

    def articles(self) -> Iterator[StoredArticle]:
        for i, m in self._all():
            yield stored_article(i, m)

    def matching(self, ids: Sequence[str] = (), urls: Sequence[str] = (), sources: Sequence[str] = ()) -> list[str]:
        out = list(self.committed(ids)) if ids else []
        for column, values in (("url", urls), ("source", sources)):
            values = [v for v in values if v]
            if values:
                out += self._articles.get(where={column: {"$in": values}}, include=[])["ids"]
        return list(dict.fromkeys(out))

    def copies_of(self, ids: Sequence[str]) -> list[str]:
        return self._articles.get(where={"duplicate_of": {"$in": list(ids)}}, include=[])["ids"] if ids else []

    def _listing(self, clause: dict[str, Any], f: Filters) -> list[tuple[str, dict[str, Any]]]:
        clauses = [clause, {"duplicate_of": ""}]
        where = Filters(f.since, f.until, f.sources).where()
        if where:
            clauses += where["$and"] if "$and" in where else [where]
        got = self._get(where={"$and": clauses})
        return [(i, m) for i, m in got if not f.article_ids or i in f.article_ids]

    def quoting(self, word: str, f: Filters = Filters()) -> list[StoredArticle]:
        return [stored_article(i, m) for i, m in self._listing({"speakers": {"$contains": word}}, f)] if word else []

    def with_quotes(self, f: Filters, limit: int, offset: int = 0) -> list[StoredArticle]:
        found = sorted(self._listing({"has_quotes": True}, f), key=lambda im: (-int(im[1].get("date", 0) or 0), im[0]))
        return [stored_article(i, m) for i, m in found[offset : offset + limit]]

    def stats(self) -> IndexStats:
        return self.summary().stats()

    def coverage(self) -> tuple[str, str] | None:
        return self.summary().coverage()

    # -- no lexical index on a server ------------------------------------------------------------
    def index_chunks(self, article_ids: Iterable[str], chunks: Sequence) -> None:
        pass

    def unindex(self, article_ids: Sequence[str]) -> None:
        pass

    def follow(self, generation: int) -> None:
        pass

    def count(self) -> int:
        return 0

    def search(self, query: str, n: int, f: Filters) -> None:
        return None  # no lexical index on a server: see the module docstring

    def term_idf(self, term: str) -> None:
        return None
