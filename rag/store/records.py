"""How articles and chunks are held as Chroma records: flat metadata, the checks before a write,
and the typed view of a stored record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..types import Article, Chunk, StoredArticle, date_int


def centroids(chunks: Sequence[Chunk], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """article id -> the unit-length mean of its chunk vectors (the article's own vector)."""
    sums: dict[str, np.ndarray] = {}
    for c, v in zip(chunks, vectors):
        sums[c.article_id] = sums.get(c.article_id, 0) + v
    return {i: v / (np.linalg.norm(v) or 1.0) for i, v in sums.items()}


_TEXT_FIELDS = ("id", "title", "text", "source", "url", "author", "origin")


def unstorable(a: Article) -> str:
    """Why the index can't hold `a` as it is ('' when it can): every field must be valid text."""
    for name in _TEXT_FIELDS:
        value = getattr(a, name)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"its {name} is not valid Unicode text (at character {exc.start}); fix the input's encoding"
    if a.published and date_int(a.published) is None:
        return f"its date {a.published!r} is not a YYYY-MM-DD date"
    return ""


def stored_article(article_id: str, meta: dict[str, Any], text: str | None = None) -> StoredArticle:
    """A record's metadata as a StoredArticle."""
    origins = tuple(o for o in (meta.get("origins") or "").split("\n") if o) or (
        (meta["origin"],) if meta.get("origin") else ())
    return StoredArticle(
        id=article_id, title=meta.get("title", ""), source=meta.get("source", ""), url=meta.get("url", ""),
        published=meta.get("published") or None, author=meta.get("author", ""), origin=meta.get("origin", ""),
        origins=origins, content_hash=meta.get("content_hash", ""), chunks=int(meta.get("chunks", 0) or 0),
        duplicate_of=meta.get("duplicate_of", ""), variant_of=meta.get("variant_of", ""),
        also_carried_by=tuple(x.strip() for x in (meta.get("also_carried_by") or "").split(",") if x.strip()),
        ingested=meta.get("ingested", ""), quotes=meta.get("quotes", ""), text=text,
        inferred=tuple(x for x in (meta.get("inferred") or "").split(",") if x),
    )


def article_metadata(a: Article) -> dict[str, Any]:
    return {
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published": a.published or "",
        "date": date_int(a.published) or 0,
        "author": a.author,
    }

