"""Scale: warm query latency, corpus/BM25 load time and peak memory at 1k, 10k and 100k chunks.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--queries 50] [--shared ../shared]

A synthetic corpus (word-like random text from a Zipf-weighted vocabulary, titles, dates
2019-2021, 12 outlets, about 120 words a chunk, 5 chunks an article) is written with
`Store.write` and random unit vectors (dim 384) instead of real embeddings, into a fresh temp
index per size, in a subprocess. A second fresh subprocess per size opens a `NewsIndex` on it,
loads the model, times the first access of the in-memory side (every chunk's metadata and text
plus BM25), then times warm `search` (k=10) and then `query` on the dev-set questions (the real
model embeds each question; `query` also runs the extractive answerer), and reports its peak RSS
(`ru_maxrss`) after the model loaded and at the end. Prints Markdown.
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
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

WORDS_PER_CHUNK = 120
CHUNKS_PER_ARTICLE = 5
DIM = 384
OUTLETS = ["Reuters", "AP", "BBC", "Al Jazeera", "DW", "NPR", "Guardian", "Le Monde", "NHK", "ABC", "CBC", "AFP"]


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def vocabulary(rng: np.random.Generator, n: int = 8000) -> np.ndarray:
    syll = ["ka", "to", "ri", "men", "sa", "lo", "ver", "an", "de", "mi", "nor", "el", "ta", "po", "su",
            "ber", "in", "os", "ga", "li", "ron", "ve", "da", "ur", "chi", "ma", "pe", "sto", "ne", "ul"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syll, size=rng.integers(1, 4))))
    return np.array(sorted(words))


def build(size: int, path: Path, seed: int = 0) -> dict:
    from rag.config import PACKAGED_MODEL
    from rag.store import Store
    from rag.types import Article, Chunk

    rng = np.random.default_rng(seed)
    vocab = vocabulary(rng)
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    weights /= weights.sum()
    store = Store(path, PACKAGED_MODEL)
    n_articles = (size + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE
    t0 = time.perf_counter()
    gen_s = 0.0
    per_write = 400  # articles per Store.write (2000 chunks: one Chroma batch)
    for a0 in range(0, n_articles, per_write):
        g = time.perf_counter()
        articles, chunks = [], []
        for a in range(a0, min(a0 + per_write, n_articles)):
            n_chunks = min(CHUNKS_PER_ARTICLE, size - a * CHUNKS_PER_ARTICLE)
            words = vocab[rng.choice(len(vocab), size=n_chunks * WORDS_PER_CHUNK, p=weights)]
            parts, starts, pos = [], [], 0
            for c in range(n_chunks):
                piece = " ".join(words[c * WORDS_PER_CHUNK : (c + 1) * WORDS_PER_CHUNK]).capitalize() + "."
                parts.append(piece)
                starts.append(pos)
                pos += len(piece) + 2
            text = "\n\n".join(parts)
            day = int(rng.integers(0, 3 * 365))
            published = str(np.datetime64("2019-01-01") + np.timedelta64(day, "D"))
            outlet = OUTLETS[a % len(OUTLETS)]
            title = " ".join(vocab[rng.integers(0, 2000, size=7)]).capitalize()
            aid = f"syn-{a:07d}"
            articles.append(Article(aid, title, text, source=outlet, url=f"https://example.org/{aid}",
                                    published=published, origin="synthetic"))
            chunks += [Chunk(aid, c, s, s + len(p), p) for c, (s, p) in enumerate(zip(starts, parts))]
        vectors = rng.standard_normal((len(chunks), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        gen_s += time.perf_counter() - g
        store.write(articles, chunks, vectors)
    total = time.perf_counter() - t0
    return {"chunks": store.chunk_count(), "articles": store.article_count(), "gen_s": gen_s,
            "write_s": total - gen_s, "disk_mb": sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20}


def measure(path: Path, home: Path, questions: list[str]) -> dict:
    from rag.config import Settings
    from rag.index import NewsIndex

    idx = NewsIndex(path, Settings(home=home))
    idx.embedder.encode_query("warm up the model")
    model_mb = peak_mb()
    t = time.perf_counter()
    n = len(idx.corpus.ids)  # every committed chunk's metadata and text, and BM25 over them
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    idx.search(questions[-1], k=10)
    first_s = time.perf_counter() - t
    search, query = [], []
    for q in questions:
        t = time.perf_counter()
        idx.search(q, k=10)
        search.append(time.perf_counter() - t)
    for q in questions:  # after all searches: each query embeds its question afresh
        t = time.perf_counter()
        idx.query(q)
        query.append(time.perf_counter() - t)
    return {"loaded_chunks": n, "load_s": load_s, "first_search_s": first_s,
            "search_p50": statistics.median(search), "search_p95": pct(search, 0.95),
            "query_p50": statistics.median(query), "query_p95": pct(query, 0.95),
            "model_mb": model_mb, "peak_mb": peak_mb()}


def child(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    if mode == "build":
        out = build(int(argv[2]), path)
    else:
        out = measure(path, Path(argv[2]), json.loads(Path(argv[3]).read_text()))
    out["process_peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(out))


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))[7:])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--keep", action="store_true", help="keep the temp indexes")
    args = ap.parse_args()
    qs = [json.loads(l)["question"] for l in open(Path(args.shared) / "eval" / "wikinews_dev.jsonl")]
    qs = (qs * (args.queries // len(qs) + 1))[: args.queries]
    tmp = Path(tempfile.mkdtemp(prefix="newsrag-scale-"))
    qfile = tmp / "questions.json"
    qfile.write_text(json.dumps(qs))
    rows = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            index = tmp / f"index-{size}"
            b = run_child("build", str(index), str(size))
            m = run_child("query", str(index), str(tmp / f"home-{size}"), str(qfile))
            print(f"# {size}: build {b} query {m}", file=sys.stderr, flush=True)
            rows.append(
                f"| {b['chunks']:,} | {b['articles']:,} | {b['write_s']:.1f} | {b['disk_mb']:.0f} | {m['load_s']:.2f} "
                f"| {m['first_search_s'] * 1000:.0f} | {m['search_p50'] * 1000:.0f} / {m['search_p95'] * 1000:.0f} "
                f"| {m['query_p50'] * 1000:.0f} / {m['query_p95'] * 1000:.0f} | {m['model_mb']:.0f} "
                f"| {m['peak_mb']:.0f} | {m['peak_mb'] - m['model_mb']:.0f} |"
            )
            if not args.keep:
                shutil.rmtree(index, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(qs)} warm queries per size; synthetic text ({WORDS_PER_CHUNK} words a chunk) and random "
          f"unit vectors; each size built and measured in its own fresh processes.\n")
    print("| chunks | articles | write s (Store.write) | index on disk MB | corpus + BM25 load s (first use) "
          "| first search after load ms | search p50 / p95 ms | query p50 / p95 ms | RSS with model loaded MB "
          "| peak RSS MB | peak − model MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n`{' '.join([Path(sys.executable).name, *sys.argv])}`")


if __name__ == "__main__":
    main()
