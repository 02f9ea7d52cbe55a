"""A small BM25 index over chunk texts, held as a sparse matrix (scipy) for fast scoring.

Built from what the store holds, so it can never disagree with the vector side; scores every
chunk for a query, and the caller applies the same filters it gives Chroma.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..text import tokenize
from ..types import Filters, date_int

if TYPE_CHECKING:
    from .chroma import Store

K1 = 1.2
B = 0.75

class BM25:
    def __init__(self, texts: Sequence[str]) -> None:
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for r, text in enumerate(texts):
            terms = tokenize(text)
            lengths[r] = len(terms)
            counts: dict[int, int] = {}
            for t in terms:
                col = vocab.setdefault(t, len(vocab))
                counts[col] = counts.get(col, 0) + 1
            rows += [r] * len(counts)
            cols += list(counts)
            vals += list(counts.values())
        self.vocab = vocab
        n = len(texts)
        tf = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, max(1, len(vocab))))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=tf.shape[1]).astype(np.float32)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / (avg or 1.0))
        tf = tf.tocoo()
        weights = self.idf[tf.col] * tf.data * (K1 + 1) / (tf.data + norm[tf.row])
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self.size = n

    def scores(self, query: str) -> np.ndarray:
        cols = sorted({self.vocab[t] for t in tokenize(query) if t in self.vocab})
        if not cols or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.matrix[:, cols].sum(axis=1)).ravel()

    def term_idf(self, term: str) -> float:
        """IDF of an already-tokenized term; a term the corpus never uses is the rarest of all."""
        i = self.vocab.get(term)
        return float(self.idf[i]) if i is not None else float(np.log1p((self.size + 0.5) / 0.5))


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
