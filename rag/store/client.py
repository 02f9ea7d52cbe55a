"""Opening Chroma: embedded in a directory (a private copy when this user may only read it), or a
`chroma run` server; with telemetry off."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ConfigError

log = logging.getLogger(__name__)


def connect(path: Path, url: str = "", memory: bool = False):
    """An embedded Chroma in `path/chroma`, or, with `url`, a Chroma server (`chroma run`), or,
    with `memory`, one that lives in this process only."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if memory:
        return chromadb.EphemeralClient(settings=settings)
    if url:
        parts = urlparse(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"RAG_CHROMA_URL={url!r} is not an http(s) URL like http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https", settings=settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise ConfigError(
                f"No Chroma server answers at {url} ({type(exc).__name__}). Start one with "
                "`chroma run --path DIR --port PORT`, or unset RAG_CHROMA_URL to use the embedded store."
            ) from exc
        return client
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path / "chroma"), settings=settings)


def writable(path: Path) -> bool:
    """Whether this process may write the embedded index at `path` (Chroma can't even open a
    database it can't write: it writes on start)."""
    db = path / "chroma"
    table = [f for f in [*path.glob("table.sqlite*"), *(path / "lexical").glob("*")] if f.is_file()]
    return not db.is_dir() or (os.access(db, os.W_OK) and os.access(path, os.W_OK) and all(
        os.access(f, os.W_OK) for f in [*db.rglob("*"), *table] if f.is_file()))


def snapshot(path: Path) -> Path:
    """A private copy of a read-only index to read from (removed when the process exits)."""
    import atexit
    import shutil
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="newsrag-readonly-"))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    shutil.copytree(path / "chroma", copy / "chroma", copy_function=shutil.copyfile)
    for table in path.glob("table.sqlite*"):  # the article table, with its write-ahead log
        shutil.copyfile(table, copy / table.name)
    if (path / "lexical").is_dir():
        shutil.copytree(path / "lexical", copy / "lexical", copy_function=shutil.copyfile)
    for d in [copy, *(p for p in copy.rglob("*") if p.is_dir())]:
        d.chmod(0o700)  # copytree copied the read-only modes of the directories; sqlite writes beside its file
    size = sum(f.stat().st_size for f in (copy / "chroma").rglob("*") if f.is_file())
    log.warning("the index at %s is read-only for this user: reading a copy (%.0f MB) in %s; it won't see "
                "later ingests, and nothing can be added to it", path, size / 2**20, copy)
    return copy

