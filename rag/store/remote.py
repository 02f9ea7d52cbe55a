"""The article table and the lexical side of an index on a Chroma server, without a copy of it.

A client of a `chroma run` server holds no corpus: every listing and search is a query the server
answers.

- Listings filter the `articles` records on the server (`where` on outlet, URL, copy-of, date;
  each record's `speakers` is a list of name words, matched with `$contains`). Counts, outlets
  and dates come from the summary every write keeps in the collection's metadata (summary.py).
- The lexical search uses Chroma's full-text filter (`where_document` `$contains`, an indexed
  trigram search on the server): for the question's rarest words, the chunks that contain them
  (with the filters applied on the server too), then BM25 over those candidates here, with each
  word's document frequency counted by the server (up to `DF_CAP`). A word in more than
  `DF_CAP` chunks is too common to pick candidates by; the dense side covers what it would find.
  Chroma's own BM25/sparse search (the Search API) is Chroma Cloud only as of chromadb 1.5.

The commit marker is the article record (written after its chunks); the articles a write or
delete has started on are listed in the collection's metadata (`pending`), and the next writer
removes them, then recounts the summary.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..text import STOPWORDS, stem, tokenize
from ..types import Filters, IndexStats, StoredArticle
from .records import stored_article
from .summary import Summary

DF_CAP = 1000  # chunks counted per word for its document frequency
CANDIDATES = 200  # chunks fetched per word
WORDS = 6  # the rarest this many words of a question pick candidates
K1, B = 1.2, 0.75
BATCH = 2000


def speakers_field(meta: dict[str, Any]) -> dict[str, Any]:
    """The fields a record gets for listings by speaker: `speakers` (name words; omitted when
    none: Chroma refuses empty lists) and `has_quotes`."""
    from .table import _speaker_words

    words = _speaker_words(meta.get("quotes", ""))
    out: dict[str, Any] = {"has_quotes": bool(words)}
    named = sorted(w for w in words if w)
    if named:
        out["speakers"] = named
    return out


def _forms(word: str) -> list[str]:
    """The substrings a chunk holding `word` (any case, any ending) contains."""
    base = stem(word.lower())
    return list(dict.fromkeys([base, base.capitalize(), word.lower(), word.capitalize(), word.upper()]))


class RemoteTable:
    """`Table`'s interface over the two collections of a Chroma server."""

    def __init__(self, chunks: Any, articles: Any, metadata: Callable[[], dict[str, Any]]) -> None:
        """`metadata()` reads the `articles` collection's metadata afresh from the server."""
        self._chunks, self._articles, self._fresh = chunks, articles, metadata
        self._summary: tuple[int, Summary] | None = None
        self._replaced: dict[str, dict[str, Any]] = {}
        self._base: Summary | None = None
        self._dfs: tuple[int, dict[str, int]] = (-1, {})

    def close(self) -> None:
        pass

    # -- writing (one writer; the caller holds the write lock) ---------------------------------
    def begin(self, ids: Iterable[str]) -> None:
        ids = list(ids)
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
        for m in self.records(ids).values():
            summary.add(m, -1)
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

    # -- the lexical side (the server's chunks are what is searched: nothing to index here) ------
    def index_chunks(self, article_ids: Iterable[str], chunks: Sequence) -> None:
        pass

    def unindex(self, article_ids: Sequence[str]) -> None:
        pass

    def follow(self, generation: int) -> None:
        pass

    def count(self) -> int:
        return self.chunk_count()

    def _df(self, word: str, generation: int) -> int:
        """Chunks holding `word` (counted up to DF_CAP), remembered until the index changes."""
        if self._dfs[0] != generation:
            self._dfs = (generation, {})
        counts = self._dfs[1]
        if word not in counts:
            counts[word] = len(self._chunks.get(where_document=_contains(word), limit=DF_CAP, include=[])["ids"])
        return counts[word]

    def search(self, query: str, n: int, f: Filters) -> list[tuple[str, str, float]]:
        """(chunk id, article id, BM25 score) of the best of the candidates the question's rarest
        words find on the server, the filters applied there."""
        words = list(dict.fromkeys(w for w in query.replace("’", "'").split() if w))
        words = [w.strip(".,;:!?\"'()[]") for w in words]
        words = [w for w in dict.fromkeys(words) if w and w.lower() not in STOPWORDS and tokenize(w)]
        if not words:
            return []
        generation, total = self.generation(), max(1, self.chunk_count())
        df = {w: self._df(w, generation) for w in words}
        picked = [w for w in sorted(words, key=df.__getitem__) if 0 < df[w] < DF_CAP][:WORDS]
        where = f.where()
        found: dict[str, tuple[str, str, list[str]]] = {}
        for w in picked:
            got = self._chunks.get(where=where, where_document=_contains(w), limit=CANDIDATES,
                                   include=["metadatas", "documents"])
            for cid, m, text in zip(got["ids"], got["metadatas"], got["documents"]):
                found.setdefault(cid, (m.get("article_id", ""), text, tokenize(f"{m.get('title', '')}\n{text}")))
        if not found:
            return []
        idf = {t: math.log1p((total - df[w] + 0.5) / (df[w] + 0.5)) for w in words for t in tokenize(w)}
        avg = sum(len(toks) for _, _, toks in found.values()) / len(found)
        scored = []
        for cid, (aid, _, toks) in found.items():
            counts: dict[str, int] = {}
            for t in toks:
                if t in idf:
                    counts[t] = counts.get(t, 0) + 1
            norm = K1 * (1 - B + B * len(toks) / (avg or 1.0))
            score = sum(idf[t] * c * (K1 + 1) / (c + norm) for t, c in counts.items())
            if score > 0:
                scored.append((cid, aid, score))
        committed = self.committed(aid for _, aid, _ in scored)
        return sorted((s for s in scored if s[1] in committed), key=lambda s: -s[2])[:n]

    def term_idf(self, term: str) -> float:
        """IDF of a stemmed term, its frequency counted on the server (up to DF_CAP)."""
        df = self._df(term, self.generation())
        total = max(1, self.chunk_count())
        return math.log1p((total - df + 0.5) / (df + 0.5))


def _contains(word: str) -> dict[str, Any]:
    forms = _forms(word)
    return {"$contains": forms[0]} if len(forms) == 1 else {"$or": [{"$contains": x} for x in forms]}

