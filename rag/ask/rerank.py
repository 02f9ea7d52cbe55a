"""Optional second stage: a sentence-transformers cross-encoder re-scores the fused candidates.

Off by default (no cross-encoder ships offline). Switch it on with RAG_RERANKER set to a model
directory or hub name, e.g. `cross-encoder/ms-marco-MiniLM-L6-v2` where a hub is reachable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from ..errors import ModelError
from ..types import Hit

log = logging.getLogger(__name__)


class Reranker:
    """Re-scores (question, passage) pairs with a cross-encoder and re-orders hits by it."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.name = model
        self.batch_size = batch_size

    @cached_property
    def model(self):
        from sentence_transformers import CrossEncoder

        path = Path(self.name).expanduser()
        try:
            return CrossEncoder(str(path) if path.exists() else self.name, device="cpu")
        except Exception as exc:
            raise ModelError(
                f"Could not load the reranker {self.name!r}: {exc}. Set RAG_RERANKER to a local "
                "cross-encoder directory (hub names need network), or unset it to rank without one."
            ) from exc

    def rerank(self, question: str, hits: Sequence[Hit], k: int, per_article: int) -> list[Hit]:
        """The `k` best of `hits` by cross-encoder score, at most `per_article` per article."""
        if not hits:
            return []
        scores = self.model.predict(
            [(question, f"{h.title}\n{h.text}") for h in hits], batch_size=self.batch_size, show_progress_bar=False
        )
        out: list[Hit] = []
        per: dict[str, int] = {}
        for score, hit in sorted(zip(scores, hits), key=lambda p: float(p[0]), reverse=True):
            if per.get(hit.article_id, 0) >= per_article:
                continue
            per[hit.article_id] = per.get(hit.article_id, 0) + 1
            hit.rerank_score = float(score)
            hit.score = float(score)
            out.append(hit)
            if len(out) == k:
                break
        return out

    def __repr__(self) -> str:
        return f"Reranker({self.name!r})"
