"""Idempotent ingestion: load -> skip unchanged (by content hash, before embedding) -> chunk ->
embed -> write, in batches. Bad files and records are reported and skipped; the rest goes in."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from os import PathLike
from pathlib import Path

from .answer import quoted
from .chunking import chunk_article
from .dedupe import Deduper
from .embedding import Embedder
from .loaders import _wanted, load
from .quotes import extract_quotes
from .store import Store, centroids
from .types import Article, Chunk, Failure, IngestReport

log = logging.getLogger(__name__)

def ingest(
    store: Store,
    embedder: Embedder,
    paths: Iterable[str | PathLike],
    chunk_tokens: int,
    progress: bool | None = None,
    batch: int = 64,
    prune: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> IngestReport:
    """Bring the index in line with `paths`. The caller holds the write lock.

    With `prune`, articles once read from under a directory in `paths` that are no longer
    there are removed (not those of files that failed to load this time)."""
    start = time.perf_counter()
    paths = list(paths)
    report = IngestReport()
    articles: dict[str, Article] = {}
    for item in load(paths, include, exclude):
        if isinstance(item, Failure):
            log.warning("skipped %s", item)
            report.failed.append(item)
            continue
        item = replace(item, origin=_absolute(item.origin))
        if item.id in articles and articles[item.id].content_hash != item.content_hash:
            log.warning("%s: article id %r also read from %s; keeping the later one", item.origin, item.id, articles[item.id].origin)
        articles[item.id] = item

    store.sweep_orphans()  # chunks an interrupted run left without their article record
    if prune:
        report.removed = _prune(store, paths, set(articles), report.failed, include, exclude)

    stored = store.content_hashes(list(articles))
    todo = []
    for a in articles.values():
        if stored.get(a.id) == a.content_hash:
            report.unchanged += 1
        else:
            todo.append(a)
    if not todo:
        report.seconds = time.perf_counter() - start
        return report  # nothing changed: don't even load the model
    if progress is None:
        progress = sys.stderr.isatty()

    from tqdm import tqdm  # the plain bar: tqdm.auto warns in notebooks without ipywidgets

    bar = tqdm(total=len(todo), unit="article", disable=not progress, desc="Ingesting")
    dedupe = Deduper(store)
    budget = min(chunk_tokens, embedder.max_tokens - 2)
    for k in range(0, len(todo), batch):
        group = todo[k : k + batch]
        chunks: list[Chunk] = []
        kept: list[Article] = []
        for a in group:
            parts = chunk_article(a, max_tokens=budget, count_tokens=embedder.count_tokens)
            if not parts:
                report.failed.append(Failure(a.origin or a.id, "no text left to index after cleaning"))
                continue
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
        keep = {a.id for a in originals}
        rows = [i for i, c in enumerate(chunks) if c.article_id in keep]
        quotations = {a.id: {"quotes": quoted.encode(extract_quotes(a.text))} for a in originals}
        store.write(originals, [chunks[i] for i in rows], vectors[rows], copies, extra=quotations)
        for a in kept:
            if a.id in stored:
                report.updated += 1
            else:
                report.added += 1
        report.copies += len(copies)
        report.chunks += len(rows)
        bar.update(len(group))
        bar.set_postfix(chunks=report.chunks)
    bar.close()
    report.seconds = time.perf_counter() - start
    log.info("ingest: %r", report)
    return report


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


def _prune(
    store: Store, paths: list[str | PathLike], seen: set[str], failed: list[Failure],
    include: Sequence[str], exclude: Sequence[str],
) -> int:
    """Remove stored articles from files under these directories that this run would have read
    (matching the globs) but did not find; files that failed to load don't count as gone."""
    dirs = [Path(os.path.abspath(p)) for p in paths if os.path.isdir(p)]
    failed_files = {os.path.abspath(_file_of(f.where)) for f in failed}

    def gone(article_id: str, origin: str) -> bool:
        file = _file_of(origin)
        if article_id in seen or not file or file in failed_files:
            return False
        for d in dirs:
            if file.startswith(str(d) + os.sep):
                return _wanted(Path(file).relative_to(d), include, exclude)
        return False

    doomed = [i for i, meta, _ in store.iter_articles() if gone(i, meta.get("origin", ""))]
    if doomed:
        log.info("pruning %d articles no longer under %s", len(doomed), ", ".join(map(str, dirs)))
        store.delete_articles(doomed)
    return len(doomed)
