"""The encoder backends: each loads offline from the packaged model and gives unit vectors close
to the default's; an unknown backend name is a clear ConfigError."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embedding import BACKENDS, Embedder
from rag.errors import ConfigError, RagError

SENTENCES = [
    "Russia and Ukraine signed a grain deal in Istanbul on Friday.",
    "A suspected gas explosion brought down an apartment block in Magnitogorsk.",
    "What did Putin say about weapons supply?",
    "hello",
]
MIN_COSINE = {"onnx": 0.999, "onnx-int8": 0.98}
# Dynamic int8 quantizes activations per batch, so a text's vector depends a little on what it is
# batched with (measured: onnx-int8 >= 0.975 between alone and in a batch).
MIN_SELF_COSINE = {"onnx": 0.99999, "onnx-int8": 0.97}


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return Embedder().encode(SENTENCES)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "torch"])
def test_backend_loads_offline_and_matches_default(backend, reference, tmp_path, monkeypatch):
    if backend.startswith("onnx"):
        pytest.importorskip("onnx", reason="the ONNX backends need `pip install newsrag[fast]`")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    e = Embedder(backend=backend, cache_dir=tmp_path)
    vectors = e.encode(SENTENCES)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(vectors * reference, axis=1)
    assert cosine.min() >= MIN_COSINE[backend], cosine
    # the query path (one text alone) agrees with the batched vectors
    alone = np.stack([e.encode([s])[0] for s in SENTENCES])
    assert np.sum(alone * vectors, axis=1).min() >= MIN_SELF_COSINE[backend]
    np.testing.assert_allclose(e.encode_query(SENTENCES[2]), alone[2], atol=1e-6)
    if backend.startswith("onnx"):
        assert any(tmp_path.rglob("*.onnx")), "the ONNX file goes into cache_dir"
        again = Embedder(backend=backend, cache_dir=tmp_path)  # reuses the cached file
        np.testing.assert_allclose(again.encode(SENTENCES), vectors, atol=1e-5)


def test_bad_backend_name_is_a_clear_config_error():
    with pytest.raises(ConfigError, match=r"Unknown encoder backend 'onxx'.*torch.*onnx-int8.*RAG_ENCODER"):
        Embedder(backend="onxx")
    assert issubclass(ConfigError, RagError)


def test_default_repr_unchanged():
    assert repr(Embedder()) == "Embedder('packaged:all-MiniLM-L6-v2')"
    assert "onnx" in repr(Embedder(backend="onnx"))
