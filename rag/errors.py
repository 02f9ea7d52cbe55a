"""The one error tree of newsrag. Every message says what to do next.

    RagError
    ├── ConfigError            a setting has a value we cannot use
    ├── EmptyIndexError        a question was asked before anything was ingested
    ├── ModelError             the embedding model cannot be loaded
    │   └── ModelMismatchError the index was built with another embedding model
    ├── IndexLockedError       another process is writing to the same index
    ├── IndexNotFoundError     no index where one was expected (a mistyped path)
    ├── IndexGoneError         the index's directory was deleted under a running process
    ├── ReadOnlyIndexError     the index can be read but not written by this user
    └── LLMError               the configured LLM (RAG_LLM) did not answer
        ├── LLMUnavailableError    its server is down, unreachable, or too slow (timeout)
        └── LLMRequestError        it refused the request: unknown model, bad key, a 4xx/5xx
"""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error newsrag raises on purpose."""


class ConfigError(RagError):
    """A setting (argument or RAG_* variable) has a value newsrag cannot use."""


class EmptyIndexError(RagError):
    """The index holds no articles yet."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"The index at {path} is empty. Add articles first: "
            "`newsrag ingest PATH...` or `NewsIndex(...).ingest([...])`."
        )


class ModelError(RagError):
    """The embedding model could not be loaded."""


class ModelMismatchError(ModelError):
    """The index was built with a different embedding model than the one configured."""

    def __init__(self, path: str, stored: str, configured: str) -> None:
        super().__init__(
            f"The index at {path} was built with the embedding model {stored!r}, "
            f"but {configured!r} is configured. Set RAG_MODEL={stored!r} to use this index, "
            "or point RAG_HOME (or RAG_CHROMA_URL) at a new place to build one with the new model."
        )
        self.stored = stored
        self.configured = configured


class IndexLockedError(RagError):
    """Another process holds the write lock on the index."""


class IndexNotFoundError(RagError):
    """No index at the path given, and this operation doesn't create one."""


class IndexGoneError(RagError):
    """The index's directory disappeared while the process had it open."""


class ReadOnlyIndexError(RagError):
    """A write was asked of an index this user may only read."""


class LLMError(RagError):
    """The configured LLM did not answer. `spec` is the RAG_LLM value it was asked through."""

    def __init__(self, spec: str, message: str) -> None:
        super().__init__(message)
        self.spec = spec


class LLMUnavailableError(LLMError):
    """The LLM's server is down, unreachable or too slow."""


class LLMRequestError(LLMError):
    """The LLM's server answered with an error: unknown model, bad API key, a 4xx or 5xx."""
