"""Idempotent ingestion: load -> skip unchanged (by content hash, before embedding) -> chunk ->
embed -> write, in batches. Bad files and records are reported and skipped; the rest goes in."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from os import PathLike

from .chunking import chunk_article
from .embedding import Embedder
from .loaders import load
from .store import Store
from .types import Article, Chunk, Failure, IngestReport

log = logging.getLogger(__name__)

BATCH_ARTICLES = 64


def ingest(
    store: Store,
    embedder: Embedder,
    paths: Iterable[str | PathLike],
    chunk_tokens: int,
    progress: bool | None = None,
) -> IngestReport:
    start = time.perf_counter()
    report = IngestReport()
    articles: dict[str, Article] = {}
    for item in load(paths):
        if isinstance(item, Failure):
            log.warning("skipped %s", item)
            report.failed.append(item)
        elif item.id in articles and articles[item.id].content_hash != item.content_hash:
            log.warning("%s: article id %r also read from %s; keeping the later one", item.origin, item.id, articles[item.id].origin)
            articles[item.id] = item
        else:
            articles[item.id] = item

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
    budget = min(chunk_tokens, embedder.max_tokens - 2)
    for k in range(0, len(todo), BATCH_ARTICLES):
        batch = todo[k : k + BATCH_ARTICLES]
        chunks: list[Chunk] = []
        kept: list[Article] = []
        for a in batch:
            parts = chunk_article(a, max_tokens=budget, count_tokens=embedder.count_tokens)
            if not parts:
                report.failed.append(Failure(a.origin or a.id, "no text left to index after cleaning"))
                continue
            kept.append(a)
            chunks.extend(parts)
        titles = {a.id: a.title for a in kept}
        vectors = embedder.encode([f"{titles[c.article_id]}\n{c.text}" for c in chunks])
        store.write(kept, chunks, vectors)
        for a in kept:
            if a.id in stored:
                report.updated += 1
            else:
                report.added += 1
        report.chunks += len(chunks)
        bar.update(len(batch))
        bar.set_postfix(chunks=report.chunks)
    bar.close()
    report.seconds = time.perf_counter() - start
    log.info("ingest: %r", report)
    return report
