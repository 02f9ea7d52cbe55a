"""The one error tree of newsrag. Every message says what to do next.

    RagError
    ├── ConfigError            a setting has a value we cannot use
    ├── EmptyIndexError        a question was asked before anything was ingested
    ├── ModelError             the embedding model cannot be loaded
    │   └── ModelMismatchError the index was built with another embedding model
    └── IndexLockedError       another process is writing to the same index
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
