"""The lexical index: BM25 over every committed chunk's words, in tantivy, beside Chroma (`lexical/`).

Chosen by measurement (benchmarks/bench_lexical.py, RESULTS.md): at 100k chunks tantivy answers
a top-50 search in about a millisecond with filters inside the query, adds 100 articles in a
tenth of a second, and opens memory-mapped in no time; SQLite FTS5 took 200 ms a search (its
bm25() scores every matching row), bm25s is as fast but can't be updated, only rebuilt.

Each chunk is indexed as the stemmed words of its title and text (`rag.text.tokenize`, the
tokens every other step counts), with its article, outlet and date, so date, outlet and article
filters are clauses of the query itself. A write (`index_chunks`) replaces articles' chunks and commits
(tantivy's commit is atomic: a crash before it leaves the last commit). The article table
(table.py) is still the commit marker: hits of articles it doesn't hold are dropped by the
caller, and articles a crash left pending are deleted here by the next writer.

Another process's commit is picked up by `follow()` (a reload: new segments are opened, nothing
is rebuilt), which the store calls when the table's generation moved.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..text import tokenize
from ..types import Filters, date_int

DIR = "lexical"
WRITER_HEAP = 64_000_000  # bytes tantivy's writer buffers before it flushes a segment


def body(title: str, text: str) -> str:
    """What the lexical index holds for a chunk: the stemmed words of its title and text."""
    return " ".join(tokenize(f"{title}\n{text}"))


def _schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("article", stored=True, tokenizer_name="raw")
    sb.add_text_field("source", tokenizer_name="raw")
    sb.add_integer_field("date", indexed=True, fast=True)
    return sb.build()


class Lexical:
    """BM25 over chunk words; `path` None keeps it in memory (tests)."""

    def __init__(self, path: Path | None) -> None:
        import tantivy

        self._lock = threading.RLock()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(_schema(), str(path) if path is not None else None, reuse=True)
        self._schema = self._index.schema
        self._generation: int | None = None

    def follow(self, generation: int) -> None:
        """See the latest commit of any process when the index's generation moved."""
        if generation != self._generation:
            with self._lock:
                self._index.reload()
                self._generation = generation

    # -- writing (the caller holds the write lock) ----------------------------------------------
    def index_chunks(self, article_ids: Iterable[str], chunks: Sequence[tuple[str, str, dict[str, Any], str]]) -> None:
        """Delete these articles' chunks and add (chunk id, article id, metadata, text), in one commit."""
        import tantivy

        with self._lock:
            writer = self._index.writer(WRITER_HEAP, 1)
            try:
                for aid in article_ids:
                    writer.delete_documents_by_term("article", aid)
                for cid, aid, meta, text in chunks:
                    writer.add_document(tantivy.Document(
                        body=body(meta.get("title", ""), text), id=cid, article=aid,
                        source=meta.get("source", ""), date=int(meta.get("date", 0) or 0)))
                writer.commit()
                writer.wait_merging_threads()  # also lets the writer (and its lock) go
            except BaseException:
                writer.rollback()
                raise
            self._index.reload()

    def unindex(self, article_ids: Sequence[str]) -> None:
        self.index_chunks(article_ids, [])

    # -- reading ------------------------------------------------------------------------------
    def count(self) -> int:
        return self._index.searcher().num_docs

    def _filter(self, f: Filters):
        import tantivy

        Q, clauses = tantivy.Query, []
        if f.since or f.until:  # undated chunks (date 0) are outside every window, as in Chroma
            clauses.append(Q.range_query(self._schema, "date", tantivy.FieldType.Integer,
                                         max(1, date_int(f.since) or 0), date_int(f.until) if f.until else None))
        if f.sources:
            clauses.append(Q.term_set_query(self._schema, "source", list(f.sources)))
        if f.article_ids:
            clauses.append(Q.term_set_query(self._schema, "article", list(f.article_ids)))
        return [Q.const_score_query(c, 0.0) for c in clauses]

    def search(self, query: str, n: int, f: Filters) -> list[tuple[str, str, float]]:
        """(chunk id, article id, BM25 score) of the `n` best chunks for any of `query`'s words,
        the filters applied inside the search."""
        import tantivy

        words = list(dict.fromkeys(tokenize(query)))
        if not words:
            return []
        Q, Occur = tantivy.Query, tantivy.Occur
        matched = Q.boolean_query([(Occur.Should, Q.term_query(self._schema, "body", w)) for w in words])
        filters = self._filter(f)
        if filters:
            matched = Q.boolean_query([(Occur.Must, matched), *((Occur.Must, c) for c in filters)])
        with self._lock:
            searcher = self._index.searcher()
        out = []
        for score, address in searcher.search(matched, n, count=False).hits:
            doc = searcher.doc(address)
            out.append((doc["id"][0], doc["article"][0], float(score)))
        return out

    def term_idf(self, term: str) -> float:
        """IDF of an already-tokenized term among the chunks; a term never used is the rarest of all."""
        with self._lock:
            searcher = self._index.searcher()
        n = searcher.num_docs
        df = searcher.doc_freq("body", term) if n else 0
        return math.log1p((n - df + 0.5) / (df + 0.5))
