"""In-memory stand-ins for the two slow parts, so routing and answering can be tested in
milliseconds: a real Chroma that lives in memory (`Store(..., memory=True)`), and an embedder
that needs no model.

`WordEmbedder` turns a text into a normalised bag of its stemmed words (hashed into 256
dimensions): texts that share words are close, as with a real model, but nothing is learnt.
It is for tests of the flow (which answerer answers, what is cited, what is noted), never for
quality; the real model is tested end to end elsewhere.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.index import NewsIndex
from rag.store import Store
from rag.text import tokenize

DIM = 256
MODEL = "fake:words"


class WordEmbedder:
    name = MODEL
    max_tokens = 256
    dim = DIM

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in tokenize(text):
                out[i, zlib.crc32(word.encode()) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def cache_onnx(self) -> None:
        pass  # nothing to speed up


def memory_index(tmp_path: Path, **settings: object) -> NewsIndex:
    """A NewsIndex over an in-memory store and the word embedder (its lock file goes in tmp_path)."""
    s = Settings(home=tmp_path, model=MODEL, **settings)  # type: ignore[arg-type]
    return NewsIndex(tmp_path / "index", s, store=Store(tmp_path / "index", MODEL, memory=True), embedder=WordEmbedder())
