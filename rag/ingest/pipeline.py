"""Idempotent ingestion: load -> skip unchanged (by content hash, before embedding) -> chunk ->
embed -> write, in batches. Bad files and records are reported and skipped; the rest goes in.

Every article is isolated: one that can't be chunked, stored or read (a name that isn't valid
text, a bug in a parser) becomes that article's one-line failure and the rest of its batch
lands. Loading (which may fetch URLs) happens before the write lock is taken, so a slow server
never holds the index.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from ..answer import quoted
from .chunking import chunk_article
from .dedupe import Deduper
from ..embedding import Embedder
from .files import load, wanted
from .infer import infer
from .quotes import extract_quotes
from ..store import Store, centroids, unstorable
from ..types import Article, Chunk, Failure, IngestReport

if TYPE_CHECKING:
    from .fetch import FetchPolicy

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    """What reading the inputs gave: articles by id (the last read wins) and failures."""

    articles: dict[str, Article] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)


def read(
    paths: Iterable[str | PathLike], include: Sequence[str] = (), exclude: Sequence[str] = (),
    policy: "FetchPolicy | None" = None,
) -> Loaded:
    """Load every input (files, directories, URLs fetched under `policy`); nothing is written."""
    out = Loaded()
    for item in load(list(paths), include, exclude, policy):
        if isinstance(item, Failure):
            log.warning("%s %s", "note:" if item.warning else "skipped", item)
            (out.warnings if item.warning else out.failed).append(item)
            continue
        item = infer(replace(item, origin=_absolute(item.origin)))  # an outlet or date the record lacks, from its URL
        out.warnings += [Failure(item.origin or item.id, note, warning=True) for note in item.notes]
        before = out.articles.get(item.id)
        if before is not None and before.content_hash != item.content_hash:
            log.warning("%s: article id %r also read from %s; keeping the later one", item.origin, item.id, before.origin)
        out.articles[item.id] = item
    return out


def ingest(
    store: Store,
    embedder: Embedder,
    loaded: Loaded,
    chunk_tokens: int,
    progress: bool | None = None,
    batch: int = 64,
    prune_dirs: Sequence[str | PathLike] = (),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> IngestReport:
    """Bring the index in line with what was `loaded`. The caller holds the write lock.

    With `prune_dirs`, articles once read from under those directories that are no longer there
    are removed (not those of files that failed to load this time, nor those still read from a
    file elsewhere). Copies of an original that changed or was removed are promoted to articles."""
    start = time.perf_counter()
    report = IngestReport(failed=list(loaded.failed), warnings=list(loaded.warnings))
    articles = loaded.articles
    store.recover()  # what an interrupted run left half-written
    removed = prune(store, prune_dirs, set(articles), report.failed, include, exclude) if prune_dirs else []
    report.removed = len(removed)

    stored = store.stored_state(list(articles))
    todo: list[Article] = []
    moved: dict[str, list[str]] = {}
    for a in articles.values():
        state = stored.get(a.id)
        if state is None or state.content_hash != a.content_hash:
            todo.append(a)
            continue
        report.unchanged += 1
        if a.origin and a.origin not in state.origins[-1:]:  # read from a new place: remember it
            moved[a.id] = [o for o in state.origins if o != a.origin] + [a.origin]
    if moved:
        store.set_origins(moved)
    changed = [a.id for a in todo if a.id in stored]
    todo_ids = {a.id for a in todo}
    orphaned = [articles.get(c.id, c) for c in store.copies_of(changed + removed) if c.id not in todo_ids]
    seen = {a.id for a in orphaned}
    orphaned += [a for a in _dangling(store, [a for a in articles.values() if a.id not in todo_ids], stored)
                 if a.id not in seen]
    if orphaned:
        log.info("%d copies of changed or removed articles are re-examined", len(orphaned))
    report.unchanged -= sum(a.id in articles for a in orphaned)
    report.promoted = write_articles(store, embedder, todo + orphaned, chunk_tokens, progress, batch, report,
                                     stored_ids=set(stored), origins={i: s.origins for i, s in stored.items()},
                                     promoted_ids={c.id for c in orphaned})
    report.seconds = time.perf_counter() - start
    log.info("ingest: %r", report)
    return report


def _dangling(store: Store, unchanged: list[Article], stored: dict) -> list[Article]:
    """Unchanged copies whose original is no longer in the index (left so by an older version):
    they are promoted like the copies of a removed original."""
    copies = {a.id: stored[a.id].duplicate_of for a in unchanged if stored[a.id].duplicate_of}
    present = store.stored_state(sorted(set(copies.values()))) if copies else {}
    return [a for a in unchanged if a.id in copies and copies[a.id] not in present]


def write_articles(
    store: Store, embedder: Embedder, todo: list[Article], chunk_tokens: int, progress: bool | None,
    batch: int, report: IngestReport, stored_ids: set[str] = frozenset(),  # type: ignore[assignment]
    origins: dict[str, list[str]] | None = None, promoted_ids: set[str] = frozenset(),  # type: ignore[assignment]
) -> int:
    """Chunk, embed, de-duplicate and write `todo` in batches, counting into `report`. Returns how
    many of `promoted_ids` (copies re-examined) became articles of their own."""
    if not todo:
        return 0
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm import tqdm  # the plain bar: tqdm.auto warns in notebooks without ipywidgets

    bar = tqdm(total=len(todo), unit="article", disable=not progress, desc="Ingesting")
    dedupe = Deduper(store, rewriting={a.id for a in todo})
    budget = min(chunk_tokens, embedder.max_tokens - 2)
    origins = origins or {}
    promoted = 0
    for k in range(0, len(todo), batch):
        group = todo[k : k + batch]
        chunks: list[Chunk] = []
        kept: list[Article] = []
        extra: dict[str, dict[str, str]] = {}
        for a in group:
            prepared = _prepare(a, budget, embedder, origins.get(a.id, []))
            if isinstance(prepared, Failure):
                report.failed.append(prepared)
                continue
            parts, extra[a.id] = prepared
            kept.append(a)
            chunks.extend(parts)
        titles = {a.id: a.title for a in kept}
        vectors = embedder.encode([f"{titles[c.article_id]}\n{c.text}" for c in chunks])
        originals, copies = [], []
        article_vectors = centroids(chunks, vectors)
        for a in kept:
            centroid = article_vectors[a.id]
            orig = dedupe.original_of(a, centroid)
            if orig:
                log.info("%s copies %s; kept once", a.origin or a.id, orig)
                copies.append((a, orig, centroid))
            else:
                dedupe.add(a, centroid)
                originals.append(a)
                if a.id in dedupe.variant_of:  # reads like another report but gives a fact differently
                    extra[a.id]["variant_of"] = dedupe.variant_of[a.id]
        keep = {a.id for a in originals}
        rows = [i for i, c in enumerate(chunks) if c.article_id in keep]
        failed = store.write(originals, [chunks[i] for i in rows], vectors[rows], copies, extra=extra)
        lost = {f.where for f in failed}
        report.failed.extend(failed)
        for a in kept:
            if (a.origin or a.id) in lost:
                continue
            if a.id in promoted_ids:
                promoted += a.id in keep
            elif a.id in stored_ids:
                report.updated += 1
            else:
                report.added += 1
        report.copies += sum((a.origin or a.id) not in lost for a, _, _ in copies)
        stored_ok = {a.id for a in originals if (a.origin or a.id) not in lost}
        report.chunks += sum(chunks[i].article_id in stored_ok for i in rows)
        bar.update(len(group))
        bar.set_postfix(chunks=report.chunks)
    bar.close()
    return promoted


def _prepare(
    a: Article, budget: int, embedder: Embedder, origins: list[str]
) -> tuple[list[Chunk], dict[str, str]] | Failure:
    """An article's chunks and extra record fields (quotations, origins), or why it can't be stored."""
    where = a.origin or a.id
    why = unstorable(a)
    if why:
        return Failure(where, why)
    try:
        parts = chunk_article(a, max_tokens=budget, count_tokens=embedder.count_tokens)
        if not parts:
            return Failure(where, "no text left to index after cleaning")
        known = [o for o in origins if o != a.origin] + ([a.origin] if a.origin else [])
        return parts, {"quotes": quoted.encode(extract_quotes(a.text)), "origins": "\n".join(known)}
    except Exception as exc:  # a bug on one odd article must not stop the batch
        log.exception("preparing %s failed", where)
        return Failure(where, " ".join(f"unexpected error: {type(exc).__name__}: {exc}".split()))


def _file_of(origin: str) -> str:
    """'/data/a.jsonl:12' -> '/data/a.jsonl' (origins name a file, or a file and a line or index)."""
    head, sep, tail = origin.rpartition(":")
    return head if sep and (tail.isdigit() or tail.startswith("#")) else origin


def _absolute(origin: str) -> str:
    """Origins are stored absolute, so pruning works whatever directory the next run starts in."""
    if not origin or "://" in origin:
        return origin
    file = _file_of(origin)
    return os.path.abspath(file) + origin[len(file) :]


def prune(
    store: Store, dirs: Sequence[str | PathLike], seen: set[str], failed: list[Failure],
    include: Sequence[str], exclude: Sequence[str],
) -> list[str]:
    """Remove stored articles from files under these directories that this run would have read
    (matching the globs) but did not find; files that failed to load don't count as gone, and an
    article still read from a file elsewhere (moved, or kept in two places) stays."""
    roots = [str(Path(os.path.abspath(p))) for p in dirs]
    failed_files = {os.path.abspath(_file_of(f.where)) for f in failed}

    def under_pruned(file: str) -> bool:
        for d in roots:
            if file.startswith(d + os.sep):
                return wanted(Path(file).relative_to(d), include, exclude)
        return False

    def gone(article_id: str, origins: list[str]) -> bool:
        if article_id in seen:
            return False
        files = [_file_of(o) for o in origins if o and "://" not in o]
        if not files or any(f in failed_files for f in files):
            return False
        # every place it was read from is either pruned here (and it wasn't found) or gone from disk
        return any(under_pruned(f) for f in files) and all(under_pruned(f) or not os.path.exists(f) for f in files)

    doomed = [a.id for a in store.articles() if gone(a.id, a.origins)]
    if doomed:
        log.info("pruning %d articles no longer under %s", len(doomed), ", ".join(roots))
        store.delete_articles(doomed)
    return doomed
