"""Where an index lives: Chroma (embedded, or a `chroma run` server) for vectors and records,
the lexical side (BM25) built from it, and the one-writer lock."""

from .chroma import Store
from .lock import write_lock
from .records import centroids, unstorable

__all__ = ["Store", "centroids", "unstorable", "write_lock"]
