"""Syndicated copies: the same wire story under several outlets is kept once, and the article
that is kept lists the other outlets as "also carried by".

Two articles are copies when their embeddings are close (cosine of chunk centroids) and their
texts share most word 5-grams (Jaccard of shingles): the first is cheap to search for in Chroma,
the second is what decides. But two reports that read alike and differ in a fact (a number, a
name, a place, a date: "in Tampa" against "in Glendale") are not copies: the one that disagrees
would be hidden. Both are kept, the later one linked to the other (`variant_of`).
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

from ..text import fact_difference
from ..types import Article

if TYPE_CHECKING:
    from ..store import Store

SHINGLE_WORDS = 5
MIN_COSINE = 0.9
MIN_JACCARD = 0.8
_WORD = re.compile(r"\w+")
EDGE_WORDS = 12  # bylines, datelines and footers differ between copies: differences this near an end don't count
SHORT_TEXT = 60  # ... in an article; a text shorter than this many words (a snippet) has no byline


def differing_fact(a: Article, b: Article) -> str:
    """The fact two alike articles give differently ('Tampa / Glendale'), '' when they differ in
    nothing but wording, bylines or the outlets' own names."""
    outlets = {w.lower() for o in (a.source, b.source) for w in _WORD.findall(o)}
    edge = 0 if min(len(a.text.split()), len(b.text.split())) < SHORT_TEXT else EDGE_WORDS
    found = fact_difference(a.text, b.text, ignore=outlets, edge=edge)
    return f"{found[0]} / {found[1]}" if found else ""


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
        self.seen: list[tuple[str, frozenset[int], np.ndarray, Article]] = []
        self.variant_of: dict[str, str] = {}  # article id -> the alike report it differs from in a fact

    def original_of(self, article: Article, centroid: np.ndarray) -> str | None:
        """The id of the article `article` copies, or None (also when it is an alike report that
        differs in a fact: then `variant_of` records which)."""
        mine = shingles(article.text)
        for other_id, other, vec, other_article in self.seen:
            if other_id != article.id and float(vec @ centroid) >= MIN_COSINE and jaccard(mine, other) >= MIN_JACCARD:
                return self._unless_it_differs(article, other_article)
        for other_id, sim, meta, text in self.store.nearest_articles(centroid, 3):
            if other_id == article.id or other_id in self.rewriting or meta.get("duplicate_of") or sim < MIN_COSINE:
                continue
            if jaccard(mine, shingles(text)) >= MIN_JACCARD:
                other = Article(other_id, meta.get("title", ""), text, meta.get("source", ""))
                return self._unless_it_differs(article, other)
        return None

    def _unless_it_differs(self, article: Article, other: Article) -> str | None:
        fact = differing_fact(other, article)
        if not fact:
            return other.id
        self.variant_of[article.id] = other.id
        return None

    def add(self, article: Article, centroid: np.ndarray) -> None:
        self.seen.append((article.id, shingles(article.text), centroid, article))
