"""newsrag: ask questions of a news corpus and get answers where every claim cites its passage.

    from rag import query
    query("What did Putin say about weapons supply?")

`query()` uses the default index (RAG_HOME); `NewsIndex(path)` opens any other one.
Heavy libraries (torch, chromadb, gradio) load on first use, not on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .config import Settings
from .errors import (
    ConfigError,
    EmptyIndexError,
    IndexGoneError,
    IndexLockedError,
    IndexNotFoundError,
    LLMError,
    LLMRequestError,
    LLMUnavailableError,
    ModelError,
    ModelMismatchError,
    RagError,
    ReadOnlyIndexError,
)
from .types import (
    Answer,
    AnswerStream,
    Article,
    Citation,
    Claim,
    Failure,
    Filters,
    Hit,
    IndexStats,
    IngestReport,
    Note,
    StoredArticle,
)

__all__ = [
    "query", "NewsIndex", "Settings", "Answer", "AnswerStream", "Citation", "Claim", "Hit", "Article", "Failure",
    "Filters", "IndexStats", "IngestReport", "Note", "StoredArticle",
    "RagError", "ConfigError", "EmptyIndexError", "IndexLockedError", "IndexNotFoundError", "IndexGoneError",
    "ReadOnlyIndexError", "ModelError", "ModelMismatchError", "LLMError", "LLMUnavailableError", "LLMRequestError",
]

_default: Any = None


def __getattr__(name: str) -> Any:
    if name == "NewsIndex":  # lazy, so `import rag` doesn't import chromadb
        from .index import NewsIndex

        return NewsIndex
    raise AttributeError(name)


def default_index() -> Any:
    """The index at RAG_HOME, opened once per process."""
    global _default
    from .index import NewsIndex

    settings = Settings.from_env()
    if _default is None or _default.settings != settings:
        _default = NewsIndex(settings=settings)
    return _default


def query(question: str, history: Sequence[dict[str, Any]] | None = None, **kwargs: Any) -> Answer | AnswerStream:
    """Answer `question` from the default index (see `NewsIndex.query` for the options, among
    them `llm=` and `stream=True`)."""
    return default_index().query(question, history, **kwargs)
