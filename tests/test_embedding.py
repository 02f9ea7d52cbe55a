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


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b not in ("torch", "auto")])
def test_backend_loads_offline_and_matches_default(backend, reference, tmp_path, monkeypatch):
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


QUESTION_PATH = """
import json, sys
from rag.embedding import Embedder
e = Embedder(cache_dir=sys.argv[1])
v = e.encode_query(sys.argv[2])
print(json.dumps({"vector": v.tolist(), "tokens": e.count_tokens(sys.argv[2]), "dim": e.dim,
                  "max_tokens": e.max_tokens, "torch": "torch" in sys.modules}))
"""


def test_auto_answers_questions_without_torch_once_ingest_cached_a_copy(reference, tmp_path):
    """RAG_ENCODER=auto: with nothing cached, torch encodes and no file appears; `cache_onnx`
    (what ingest calls) leaves a copy, and a new process then encodes a question with
    onnxruntime and tokenizers alone, to the same vector and token count."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    e = Embedder(cache_dir=tmp_path)
    np.testing.assert_allclose(e.encode(SENTENCES), reference, atol=1e-6)
    assert not list(tmp_path.rglob("*.onnx"))
    e.cache_onnx()
    assert list(tmp_path.rglob("model.onnx")) and list(tmp_path.rglob("meta.json")) and list(tmp_path.rglob("tokenizer.json"))
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", QUESTION_PATH, str(tmp_path), SENTENCES[2]], cwd=root,
                         capture_output=True, text=True, check=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin"})
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["torch"] is False, "the question path imported torch"
    assert float(np.dot(np.array(got["vector"], dtype=np.float32), reference[2])) >= 0.99999
    assert (got["tokens"], got["dim"], got["max_tokens"]) == (e.count_tokens(SENTENCES[2]), 384, 256)


def test_auto_sends_big_batches_to_torch(tmp_path):
    e = Embedder(cache_dir=tmp_path)
    e.cache_onnx()
    fresh = Embedder(cache_dir=tmp_path)
    fresh.encode(["a question"])
    assert "model" not in fresh.__dict__  # the ONNX copy answered
    fresh.encode([f"sentence {i}" for i in range(100)])
    assert "model" in fresh.__dict__  # an ingest-sized batch loads torch


def test_device_is_checked():
    import torch

    with pytest.raises(ConfigError, match="Unknown device 'gpu'.*RAG_DEVICE"):
        Embedder(device="gpu")
    assert Embedder(device="cpu").encode(["x"]).shape == (1, 384)
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="RAG_DEVICE=cuda but torch sees no cuda"):
            Embedder(device="cuda", backend="torch").encode(["x"])
