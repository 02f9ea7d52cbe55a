"""The lexical engine, measured before choosing: SQLite FTS5, bm25s and tantivy (rag/store/lexical.py).

    .venv/bin/python benchmarks/bench_lexical.py [--sizes 10000,100000] [--queries 80] [--shared ../shared]
    (bm25s: `pip install -e '.[bench]'`)

All three index the same chunks as the same tokens (`rag.text.tokenize`: stemmed, no
stopwords). The chunks are real-looking (benchmarks/synthetic.py: Wikinews sentences recombined,
a made-up name per article so the vocabulary grows with the corpus, three years of dates, 12
outlets); the queries are the dev-set questions. Each engine and size runs in a fresh
subprocess, which reports:

- build s: indexing every chunk (tokenizing included, the same for all);
- open s: a new process opening the saved index and answering its first search;
- search p50 / p95 ms: top 50 for a question, without a filter and with a one-month date
  window (bm25s: a weight mask over the chunks' dates, its way of filtering);
- add 100 s: adding 100 articles (500 chunks) to the big index: FTS5 and tantivy insert and
  commit them; bm25s has no incremental update and is rebuilt;
- peak RSS MB of the process, and the index's size on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))



def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def timed(queries: list[str], plain, dated) -> tuple[list[float], list[float]]:
    """Seconds each question took without a filter (`plain(q)`) and with a date window (`dated(q)`)."""
    out: tuple[list[float], list[float]] = ([], [])
    for q in queries:
        for times, search in zip(out, (plain, dated)):
            t = time.perf_counter()
            search(q)
            times.append(time.perf_counter() - t)
    return out


def chunks(n: int, shared: Path, seed: int) -> list[tuple[str, str, int, str, str]]:
    """(chunk id, article id, date int, outlet, text) of `n` chunks of synthetic articles."""
    from synthetic import CHUNKS_PER_ARTICLE, articles

    out = []
    for record, spans in articles((n + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE, shared, seed):
        day = int(record["published"].replace("-", ""))
        out += [(f"{record['id']}#{k}", record["id"], day, record["source"], text) for k, (_, _, text) in enumerate(spans)]
    return out[:n]


FTS5_DDL = """
CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
                     date INTEGER NOT NULL, source TEXT NOT NULL);
CREATE INDEX chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE fts USING fts5(body, detail=column);
"""


def run_fts(path: Path, rows, queries, new_rows) -> dict:
    """The FTS5 candidate as it was built for the index (commit 893fb41): chunk rows with their
    filters' columns, an FTS5 table of their words, bm25() ranking, filters in the same query."""
    import sqlite3

    from rag.text import tokenize

    def add(db, part):
        db.execute("BEGIN")
        for cid, aid, d, src, text in part:
            cur = db.execute("INSERT INTO chunks (id, article_id, date, source) VALUES (?,?,?,?)", (cid, aid, d, src))
            db.execute("INSERT INTO fts (rowid, body) VALUES (?,?)", (cur.lastrowid, " ".join(tokenize(text))))
        db.execute("COMMIT")

    def search(db, q: str, dated: bool = False):
        words = " OR ".join(f'"{t}"' for t in dict.fromkeys(tokenize(q)))
        if not words:
            return []
        window = " AND c.date BETWEEN 20200301 AND 20200331" if dated else ""
        return db.execute("SELECT c.id, -bm25(fts) FROM fts JOIN chunks c ON c.rowid = fts.rowid "
                          f"WHERE fts MATCH ?{window} ORDER BY bm25(fts) LIMIT 50", (words,)).fetchall()

    file = path / "fts5.sqlite"
    t = time.perf_counter()
    db = sqlite3.connect(file, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(FTS5_DDL)
    for k in range(0, len(rows), 2000):
        add(db, rows[k : k + 2000])
    build = time.perf_counter() - t
    db.close()
    t = time.perf_counter()
    db = sqlite3.connect(file, isolation_level=None)
    search(db, queries[0])
    open_s = time.perf_counter() - t
    plain, dated = timed(queries, lambda q: search(db, q), lambda q: search(db, q, dated=True))
    t = time.perf_counter()
    add(db, new_rows)
    add_s = time.perf_counter() - t
    return {"build_s": build, "open_s": open_s, "plain": plain, "dated": dated, "add100_s": add_s}


def run_bm25s(path: Path, rows, queries, new_rows) -> dict:
    import bm25s
    import numpy as np

    from rag.text import tokenize

    def build(all_rows):
        model = bm25s.BM25()
        model.index([tokenize(r[4]) for r in all_rows], show_progress=False)
        return model

    t = time.perf_counter()
    model = build(rows)
    model.save(str(path / "bm25s"))
    np.save(path / "dates.npy", np.array([r[2] for r in rows], dtype=np.int64))
    build_s = time.perf_counter() - t
    del model
    t = time.perf_counter()
    model = bm25s.BM25.load(str(path / "bm25s"), mmap=True)
    dates = np.load(path / "dates.npy", mmap_mode="r")

    def search(q: str, mask=None):
        toks = [t for t in tokenize(q) if t in model.vocab_dict]
        if not toks:
            return []
        docs, scores = model.retrieve([toks], k=50, weight_mask=mask, show_progress=False, n_threads=1)
        return docs[0]

    search(queries[0])
    open_s = time.perf_counter() - t
    plain, dated = timed(queries, search, lambda q: search(q, ((dates >= 20200301) & (dates <= 20200331)).astype(np.float32)))
    t = time.perf_counter()
    build(rows + new_rows).save(str(path / "bm25s"))  # no incremental update: rebuilt
    add = time.perf_counter() - t
    return {"build_s": build_s, "open_s": open_s, "plain": plain, "dated": dated, "add100_s": add}


def run_tantivy(path: Path, rows, queries, new_rows) -> dict:
    import tantivy

    from rag.text import tokenize

    def schema():
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("article", tokenizer_name="raw")
        sb.add_integer_field("date", indexed=True, fast=True)
        return sb.build()

    def add(index, part):
        writer = index.writer(100_000_000, 1)
        for cid, aid, d, src, text in part:
            writer.add_document(tantivy.Document(body=" ".join(tokenize(text)), id=cid, article=aid, date=d))
        writer.commit()
        writer.wait_merging_threads()

    t = time.perf_counter()
    (path / "tantivy").mkdir()
    index = tantivy.Index(schema(), str(path / "tantivy"))
    add(index, rows)
    build = time.perf_counter() - t
    del index
    t = time.perf_counter()
    index = tantivy.Index.open(str(path / "tantivy"))
    sch = index.schema

    def search(q: str, dated: bool = False):
        toks = list(dict.fromkeys(tokenize(q)))
        if not toks:
            return []
        words = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(sch, "body", w)) for w in toks])
        if dated:
            window = tantivy.Query.range_query(sch, "date", tantivy.FieldType.Integer, 20200301, 20200331)
            words = tantivy.Query.boolean_query([(tantivy.Occur.Must, words),
                                                 (tantivy.Occur.Must, tantivy.Query.const_score_query(window, 0.0))])
        searcher = index.searcher()
        return [(searcher.doc(a)["id"][0], score) for score, a in searcher.search(words, 50).hits]

    search(queries[0])
    open_s = time.perf_counter() - t
    plain, dated = timed(queries, search, lambda q: search(q, dated=True))
    t = time.perf_counter()
    add(index, new_rows)
    index.reload()
    add_s = time.perf_counter() - t
    return {"build_s": build, "open_s": open_s, "plain": plain, "dated": dated, "add100_s": add_s}


def child(engine: str, size: int, path: Path, shared: Path, queries: list[str]) -> None:
    rows, new_rows = chunks(size, shared, 1), chunks(500, shared, 2)
    out = {"fts5": run_fts, "bm25s": run_bm25s, "tantivy": run_tantivy}[engine](path, rows, queries, new_rows)
    out["disk_mb"] = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
    out["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=80)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--engines", default="fts5,bm25s,tantivy")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "SIZE", "PATH"))
    args = ap.parse_args()
    shared = Path(args.shared)
    qs = [json.loads(l)["question"] for l in open(shared / "eval" / "wikinews_dev.jsonl")][: args.queries]
    if args.child:
        return child(args.child[0], int(args.child[1]), Path(args.child[2]), shared, qs)
    print("| engine | chunks | build s | open + first search s | search p50 / p95 ms | with a date window "
          "p50 / p95 ms | add 100 articles s | peak RSS MB | disk MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        for engine in args.engines.split(","):
            tmp = Path(tempfile.mkdtemp(prefix=f"newsrag-lex-{engine}-"))
            try:
                proc = subprocess.run([sys.executable, __file__, "--shared", str(shared), "--queries", str(args.queries),
                                       "--child", engine, str(size), str(tmp)], capture_output=True, text=True)
                if proc.returncode:
                    sys.exit(f"{engine} at {size} failed:\n{proc.stderr[-3000:]}")
                r = json.loads(next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))[7:])
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            ms = lambda v, p: pct(v, p) * 1000  # noqa: E731
            print(f"| {engine} | {size:,} | {r['build_s']:.1f} | {r['open_s']:.2f} "
                  f"| {statistics.median(r['plain']) * 1000:.1f} / {ms(r['plain'], 0.95):.1f} "
                  f"| {statistics.median(r['dated']) * 1000:.1f} / {ms(r['dated'], 0.95):.1f} "
                  f"| {r['add100_s']:.2f} | {r['peak_mb']:.0f} | {r['disk_mb']:.0f} |", flush=True)
    print(f"\n`{' '.join([Path(sys.executable).name, *sys.argv])}`")


if __name__ == "__main__":
    main()
