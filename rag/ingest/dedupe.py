"""Syndicated copies: the same wire story under several outlets is kept once, and the article
that is kept lists the other outlets as "also carried by".

Two articles are copies when their embeddings are close (cosine of chunk centroids) and their
texts share most word 5-grams (Jaccard of shingles): the first is cheap to search for in Chroma,
the second is what decides.
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

from ..types import Article

if TYPE_CHECKING:
    from ..store import Store

SHINGLE_WORDS = 5
MIN_COSINE = 0.9
MIN_JACCARD = 0.8
_WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return frozenset({zlib.crc32(" ".join(words).encode())})
    return frozenset(zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode()) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class Deduper:
    """Finds the article an incoming one copies: among those seen in this run, then in the store."""

    def __init__(self, store: "Store", rewriting: set[str] | frozenset[str] = frozenset()) -> None:
        self.store = store
        self.rewriting = rewriting  # ids this run writes anew: their stored text is about to change
        self.seen: list[tuple[str, frozenset[int], np.ndarray]] = []

    def original_of(self, article: Article, centroid: np.ndarray) -> str | None:
        mine = shingles(article.text)
        for other_id, other, vec in self.seen:
            if other_id != article.id and float(vec @ centroid) >= MIN_COSINE and jaccard(mine, other) >= MIN_JACCARD:
                return other_id
        for other_id, sim, meta, text in self.store.nearest_articles(centroid, 3):
            if other_id == article.id or other_id in self.rewriting or meta.get("duplicate_of") or sim < MIN_COSINE:
                continue
            if jaccard(mine, shingles(text)) >= MIN_JACCARD:
                return other_id
        return None

    def add(self, article: Article, centroid: np.ndarray) -> None:
        self.seen.append((article.id, shingles(article.text), centroid))
