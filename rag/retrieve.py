"""Hybrid retrieval: dense (Chroma) and BM25, each filtered the same way, fused by reciprocal
rank, with a cap on chunks per article so one long story can't crowd out the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from .bm25 import BM25
from .errors import ConfigError
from .store import Store
from .types import Hit, date_int

RRF_K = 60
DEFAULT_CANDIDATES = 50


@dataclass(frozen=True)
class Filters:
    """Restrictions on what may be retrieved. Dates are ISO strings, inclusive."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value[:10])
                except ValueError:
                    raise ConfigError(f"{name}={value!r} is not a date; give it as YYYY-MM-DD.") from None

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.article_ids)

    def where(self) -> dict[str, Any] | None:
        """The same restrictions as a Chroma `where` clause."""
        clauses: list[dict[str, Any]] = []
        if self.since or self.until:  # undated articles (date 0) are outside every window
            clauses.append({"date": {"$gte": max(1, date_int(self.since) or 0)}})
        if self.until:
            clauses.append({"date": {"$lte": date_int(self.until)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class Corpus:
    """The in-memory side of an index: every committed chunk's metadata and text, and BM25 over it."""

    ids: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    committed: set[str] = field(default_factory=set)
    bm25: BM25 | None = None
    generation: int = 0  # the store's generation this was built from

    @classmethod
    def load(cls, store: Store) -> "Corpus":
        generation = store.generation()
        committed = {i for i, _, _ in store.iter_articles()}
        c = cls(committed=committed, generation=generation)
        for cid, meta, text in store.iter_chunks():
            if meta.get("article_id") in committed:
                c.ids.append(cid)
                c.metas.append(meta)
                c.texts.append(text)
        c.bm25 = BM25([f"{m.get('title', '')}\n{t}" for m, t in zip(c.metas, c.texts)])
        c._dates = np.array([m.get("date", 0) for m in c.metas], dtype=np.int64)
        return c

    @property
    def coverage(self) -> tuple[str, str] | None:
        """(first, last) published date of what can be searched, ISO; None when nothing is dated."""
        dated = self._dates[self._dates > 0] if len(self.ids) else np.zeros(0, dtype=np.int64)
        if not len(dated):
            return None
        iso = lambda d: f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}"  # noqa: E731
        return iso(int(dated.min())), iso(int(dated.max()))

    def mask(self, f: Filters) -> np.ndarray | None:
        if not f:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if f.since or f.until:
            keep &= self._dates >= max(1, date_int(f.since) or 0)
        if f.until:
            keep &= self._dates <= date_int(f.until)
        if f.sources:
            allowed = set(f.sources)
            keep &= np.array([m.get("source") in allowed for m in self.metas], dtype=bool)
        if f.article_ids:
            allowed = set(f.article_ids)
            keep &= np.array([m.get("article_id") in allowed for m in self.metas], dtype=bool)
        return keep

    def bm25_top(self, query: str, n: int, f: Filters) -> list[tuple[int, float]]:
        if not self.ids or self.bm25 is None:
            return []
        scores = self.bm25.scores(query)
        mask = self.mask(f)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _hit(cid: str, meta: dict[str, Any], text: str) -> Hit:
    return Hit(
        article_id=meta.get("article_id", ""),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        url=meta.get("url", ""),
        published=meta.get("published") or None,
        text=text,
        score=0.0,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        chunk_id=cid,
    )


def search(
    store: Store,
    corpus: Corpus,
    vector: np.ndarray,
    query: str,
    k: int,
    filters: Filters = Filters(),
    per_article: int = 3,
    candidates: int = DEFAULT_CANDIDATES,
) -> list[Hit]:
    """The top `k` chunks for `query` (embedded as `vector`), fused dense + BM25, at most
    `per_article` from one article."""
    n = max(candidates, k * 4)
    hits: dict[str, Hit] = {}
    fused: dict[str, float] = {}
    for rank, (cid, sim, meta, text) in enumerate(
        r for r in store.dense(vector, n, filters.where()) if r[2].get("article_id") in corpus.committed
    ):
        hit = hits.setdefault(cid, _hit(cid, meta, text))
        hit.dense_score = sim
        fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    for rank, (i, score) in enumerate(corpus.bm25_top(query, n, filters)):
        cid = corpus.ids[i]
        hit = hits.setdefault(cid, _hit(cid, corpus.metas[i], corpus.texts[i]))
        hit.bm25_score = score
        fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)

    out: list[Hit] = []
    per: dict[str, int] = {}
    for cid in sorted(fused, key=fused.__getitem__, reverse=True):
        hit = hits[cid]
        if per.get(hit.article_id, 0) >= per_article:
            continue
        per[hit.article_id] = per.get(hit.article_id, 0) + 1
        hit.score = fused[cid]
        out.append(hit)
        if len(out) == k:
            break
    return out
