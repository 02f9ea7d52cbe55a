"""rag.ask.rerank: an optional cross-encoder second stage, tested with a real cross-encoder built here
(the packaged MiniLM with a fresh one-logit head: a real model of the right kind, if an untrained one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import ModelError
from rag.ask.rerank import Reranker
from rag.types import Hit

from conftest import CORPUS


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from sentence_transformers import CrossEncoder

    from rag.embedding import packaged_model_path

    torch.manual_seed(0)
    model = CrossEncoder(str(packaged_model_path()), num_labels=1, device="cpu")
    out = tmp_path_factory.mktemp("cross-encoder")
    model.save(str(out))
    return out


def _hit(article: str, text: str) -> Hit:
    return Hit(article, f"title {article}", "Outlet", "", "2020-01-01", text, 0.0, 0, len(text))


def test_rerank_orders_by_the_cross_encoder_and_caps_articles(cross_encoder_dir: Path) -> None:
    reranker = Reranker(str(cross_encoder_dir))
    hits = [_hit("a", "Putin spoke about weapons."), _hit("a", "The weather was fine."),
            _hit("b", "Negotiations in Istanbul."), _hit("c", "A football match ended 2-1.")]
    expected = reranker.model.predict([("question?", f"{h.title}\n{h.text}") for h in hits])
    out = reranker.rerank("question?", hits, k=3, per_article=1)
    assert [h.rerank_score for h in out] == sorted(h.rerank_score for h in out)[::-1]
    assert len({h.article_id for h in out}) == len(out) == 3  # one per article
    best = max(range(len(hits)), key=lambda i: expected[i])
    assert out[0] is hits[best]
    assert out[0].score == pytest.approx(float(expected[best]))


def test_a_missing_reranker_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="RAG_RERANKER"):
        Reranker(str(tmp_path / "nope")).model


def test_index_uses_the_reranker_when_configured(cross_encoder_dir: Path, tmp_path: Path) -> None:
    from rag.index import NewsIndex

    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path, reranker=str(cross_encoder_dir)))
    assert idx.ingest([CORPUS], progress=False).ok
    hits = idx.search("Who signed in Istanbul?", k=3)
    assert hits and all(h.rerank_score is not None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    answer = idx.query("What did Putin say about weapons supply?")
    assert answer.citations and all(h.rerank_score is not None for h in answer.hits)


def test_reranker_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_RERANKER", "/models/ce")
    assert Settings.from_env().reranker == "/models/ce"
    assert Settings.from_env(env={}).reranker == ""
