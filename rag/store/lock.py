"""One writer at a time per index: an advisory file lock (flock) in the index directory.

A second writer waits for the first (logging who holds it) up to `timeout` seconds, then raises
IndexLockedError naming the holder. The kernel drops the lock when its holder dies, even by
kill -9, so a crash never leaves the index locked.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexLockedError

log = logging.getLogger(__name__)

POLL = 0.2


@contextmanager
def write_lock(path: Path, timeout: float) -> Iterator[None]:
    path.mkdir(parents=True, exist_ok=True)
    lock = path / "write.lock"
    with open(lock, "a+") as f:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(lock)
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"Another process ({holder}) is writing to the index at {path}. Wait for it to "
                        "finish, or stop it; set RAG_LOCK_TIMEOUT to wait longer."
                    ) from None
                if not told:
                    log.warning("waiting for %s to finish writing to %s", holder, path)
                    told = True
                time.sleep(POLL)
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _holder(lock: Path) -> str:
    try:
        return lock.read_text().strip() or "unknown process"
    except OSError:
        return "unknown process"
