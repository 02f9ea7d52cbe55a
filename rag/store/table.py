"""The article table: one SQLite database beside Chroma (`table.sqlite`).

- `articles`: one row per committed article (its record's metadata as JSON, with the columns
  listings filter on: outlet, date, URL, copy-of, chunks), so `stats()`, removal and the outlet
  list never scan Chroma;
- `speakers`: who is quoted in which article, so `quotes(speaker=...)` reads only their articles;
- `pending`: the articles a write or delete has started on. A crash leaves them there, and the
  next writer removes exactly them (from Chroma, the lexical index and here): recovery costs
  what was in flight, not the size of the index;
- `meta`: the generation, moved on by every commit.

The table is the commit marker: an article exists for search once its row is committed here, in
one transaction, after Chroma and the lexical index hold its chunks. Readers need no rebuild:
each query reads the latest committed state (WAL mode: readers never wait for the writer).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..types import Filters, IndexStats, StoredArticle, date_int
from .records import stored_article

NAME = "table.sqlite"
SCHEMA = 1

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, date INTEGER NOT NULL, url TEXT NOT NULL,
    duplicate_of TEXT NOT NULL, chunks INTEGER NOT NULL, ingested TEXT NOT NULL, meta TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_copy ON articles(duplicate_of);
CREATE TABLE IF NOT EXISTS speakers (article_id TEXT NOT NULL, word TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS speakers_word ON speakers(word);
CREATE INDEX IF NOT EXISTS speakers_article ON speakers(article_id);
CREATE TABLE IF NOT EXISTS pending (id TEXT PRIMARY KEY);
"""


def _where(f: Filters, alias: str, article: str = "article_id") -> tuple[str, list[Any]]:
    """SQL conditions (and their parameters) for `f` over a table with date, source and article
    columns; undated rows are outside every window, as in Chroma."""
    sql, args = [], []
    if f.since or f.until:
        sql.append(f"{alias}.date >= ?")
        args.append(max(1, date_int(f.since) or 0))
    if f.until:
        sql.append(f"{alias}.date <= ?")
        args.append(date_int(f.until))
    for column, values in (("source", f.sources), (article, f.article_ids)):
        if values:
            sql.append(f"{alias}.{column} IN ({','.join('?' * len(values))})")
            args += list(values)
    return "".join(f" AND {s}" for s in sql), args


class Table:
    """The SQLite side of one index; `path` None keeps it in memory (tests, a server's client)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path is not None else ":memory:", check_same_thread=False,
                                   isolation_level=None, timeout=60)
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_DDL)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _in(self, sql: str, ids: Sequence[str], extra: Sequence[Any] = ()) -> list[tuple]:
        """`sql` with `{ids}` run over `ids` in slices below SQLite's parameter limit."""
        out: list[tuple] = []
        ids = list(ids)
        for k in range(0, len(ids), 500):
            part = ids[k : k + 500]
            out += self._rows(sql.format(ids=",".join("?" * len(part))), [*part, *extra])
        return out

    # -- writing (the caller holds the write lock) -------------------------------------------
    def begin(self, ids: Iterable[str]) -> None:
        """Mark `ids` as in flight before Chroma is touched (see `pending_ids`)."""
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in ids])

    def pending_ids(self) -> list[str]:
        """Articles a write or delete started on and never finished (a crash)."""
        return [r[0] for r in self._rows("SELECT id FROM pending")]

    def commit(self, records: Sequence[tuple[str, dict[str, Any]]], updated: Sequence[tuple[str, dict[str, Any]]] = ()) -> None:
        """In one transaction: replace these articles (id, record metadata), update other
        records' metadata, clear them from `pending`, and move the generation on."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                ids = [i for i, _ in records]
                self._remove(ids)
                db.executemany(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)",
                    [(i, m.get("source", ""), int(m.get("date", 0) or 0), m.get("url", ""), m.get("duplicate_of", ""),
                      int(m.get("chunks", 0) or 0), m.get("ingested", ""), json.dumps(m, ensure_ascii=False))
                     for i, m in records],
                )
                db.executemany("INSERT INTO speakers VALUES (?,?)", [
                    (i, w) for i, m in records for w in speaker_words(m.get("quotes", ""))])
                db.executemany("UPDATE articles SET meta = ? WHERE id = ?",
                               [(json.dumps(m, ensure_ascii=False), i) for i, m in updated])
                self._finish(ids)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these articles and their chunks in one transaction (they vanish from search)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._remove(ids)
                self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def finish(self, ids: Sequence[str]) -> None:
        """Chroma is done with these too: they are no longer in flight."""
        with self._lock:
            self._finish(ids)

    def _finish(self, ids: Sequence[str]) -> None:
        self._db.executemany("DELETE FROM pending WHERE id = ?", [(i,) for i in ids])
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
        self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    def _remove(self, ids: Sequence[str]) -> None:
        for k in range(0, len(ids), 500):
            part = list(ids[k : k + 500])
            marks = ",".join("?" * len(part))
            for table, column in (("speakers", "article_id"), ("articles", "id")):
                self._db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)

    def update_meta(self, updated: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """New metadata for committed records (where they were read from)."""
        with self._lock:
            self._db.executemany("UPDATE articles SET meta = ? WHERE id = ?",
                                 [(json.dumps(m, ensure_ascii=False), i) for i, m in updated])

    # -- reading -----------------------------------------------------------------------------
    def generation(self) -> int:
        rows = self._rows("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

    def is_empty(self) -> bool:
        return not self._rows("SELECT 1 FROM articles LIMIT 1")

    def has_chunks(self) -> bool:
        return bool(self._rows("SELECT 1 FROM articles WHERE chunks > 0 LIMIT 1"))

    def chunk_count(self) -> int:
        return self._rows("SELECT coalesce(sum(chunks), 0) FROM articles")[0][0]

    def committed(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that are committed articles."""
        return {r[0] for r in self._in("SELECT id FROM articles WHERE id IN ({ids})", sorted(set(ids)))}

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> record metadata of those of `ids` that are committed."""
        return {i: json.loads(m) for i, m in self._in("SELECT id, meta FROM articles WHERE id IN ({ids})", ids)}

    def state(self, ids: Sequence[str]) -> dict[str, StoredArticle]:
        return {i: stored_article(i, m) for i, m in self.records(ids).items()}

    def articles(self, where: str = "", args: Sequence[Any] = (), order: str = "") -> Iterator[StoredArticle]:
        """Committed articles (no text), optionally `WHERE` a condition over the table's columns."""
        sql = "SELECT id, meta FROM articles" + (f" WHERE {where}" if where else "") + (f" ORDER BY {order}" if order else "")
        for i, m in self._rows(sql, args):
            yield stored_article(i, json.loads(m))

    def matching(self, ids: Sequence[str] = (), urls: Sequence[str] = (), sources: Sequence[str] = ()) -> list[str]:
        """Ids of the committed articles with any of these ids, URLs or outlets."""
        out: list[str] = []
        for column, values in (("id", ids), ("url", urls), ("source", sources)):
            out += [r[0] for r in self._in(f"SELECT id FROM articles WHERE {column} IN ({{ids}})", [v for v in values if v])]
        return list(dict.fromkeys(out))

    def copies_of(self, ids: Sequence[str]) -> list[str]:
        """Ids of the copies recorded as copies of any of `ids`."""
        return [r[0] for r in self._in("SELECT id FROM articles WHERE duplicate_of IN ({ids})", ids)]

    def quoting(self, word: str, f: Filters = Filters()) -> list[StoredArticle]:
        """Originals (not copies) quoting a speaker whose name has `word` (see `speaker_key`)."""
        if not word:
            return []
        cond, args = _where(f, "a", "id")
        sql = (f"SELECT a.id, a.meta FROM articles a WHERE a.duplicate_of = '' AND a.id IN "
               f"(SELECT article_id FROM speakers WHERE word = ?) {cond}")
        return [stored_article(i, json.loads(m)) for i, m in self._rows(sql, [word, *args])]

    def with_quotes(self, f: Filters, limit: int, offset: int = 0) -> list[StoredArticle]:
        """Originals with quotations, newest first (a page of them)."""
        cond, args = _where(f, "a", "id")
        sql = (f"SELECT a.id, a.meta FROM articles a WHERE a.duplicate_of = '' AND a.id IN "
               f"(SELECT article_id FROM speakers) {cond} ORDER BY a.date DESC, a.id LIMIT ? OFFSET ?")
        return [stored_article(i, json.loads(m)) for i, m in self._rows(sql, [*args, limit, offset])]

    def stats(self) -> IndexStats:
        (n, first, last, ingested, published, source), = self._rows(
            "SELECT count(*), min(NULLIF(date, 0)), max(NULLIF(date, 0)), max(NULLIF(ingested, '')), "
            + ", ".join(f"total(instr(',' || coalesce(json_extract(meta, '$.inferred'), '') || ',', ',{name},') > 0)"
                        for name in ("published", "source"))
            + " FROM articles WHERE duplicate_of = ''")
        copies = self._rows("SELECT count(*) FROM articles WHERE duplicate_of != ''")[0][0]
        sources = {s or "(unknown)": c for s, c in self._rows(
            "SELECT source, count(*) FROM articles WHERE duplicate_of = '' GROUP BY source")}
        inferred = {name: int(c) for name, c in (("published", published), ("source", source)) if c}  # one pass, with the counts
        iso = lambda d: f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" if d else None  # noqa: E731
        return IndexStats(
            articles=n, chunks=self.chunk_count(), copies=copies,
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            first_date=iso(first), last_date=iso(last), last_ingested=ingested, inferred=inferred,
        )

    def coverage(self) -> tuple[str, str] | None:
        """(first, last) published date of what can be searched (articles with chunks), ISO."""
        (first, last), = self._rows("SELECT min(date), max(date) FROM articles WHERE date > 0 AND chunks > 0")
        if not first:
            return None
        iso = lambda d: f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}"  # noqa: E731
        return iso(first), iso(last)


def speaker_words(raw: str) -> set[str]:
    """The folded name words of every attributed speaker in an article's stored quotations, and
    '' when it has any."""
    from ..ingest.quotes import UNCERTAIN, fold_words  # quotations are the ingest side's business

    quotes = json.loads(raw) if raw else []
    words = {w for q in quotes if q[2] and q[3] != UNCERTAIN for w in fold_words(q[2])}
    return words | {""} if quotes else words  # "": it holds quotations (`with_quotes`)
