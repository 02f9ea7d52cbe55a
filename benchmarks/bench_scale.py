"""Scale: what opening, searching, answering and adding cost as an index grows.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000,1000000] [--queries 40]
        [--json] [--no-serve] [--server] [--shared ../shared] [--keep]

Per size, in fresh processes:

1. build: `Store.write` of synthetic articles (benchmarks/synthetic.py: real-looking text, five
   chunks an article) with random unit vectors (dim 384) in place of embeddings, 2,000 chunks a
   write, into a new embedded index;
3. open: a new process times `NewsIndex(path)` and its first `query()` (`open_first_answer_s`:
   the model, or its cached ONNX copy, loads in that time too), then warm `search` (k=10) and
   `query` over the dev-set questions (p50/p95), and its peak RSS;
2. add100: a new process ingests 100 new synthetic articles through `NewsIndex.ingest` (real
   embedding, copy detection, the article table, the lexical index), timed after the model has
   loaded: at every size it should cost the same. It leaves the model's ONNX copy in the home,
   as a user's first ingest does;
4. serve: `newsrag --index PATH serve` as a subprocess, asked the questions through
   `gradio_client`; its peak RSS (VmHWM) is `serve_rss_mb`;
5. model: a new process that only loads the encoder and embeds one question: its peak RSS is
   `model_rss_mb`, so `query_process_rss_mb - model_rss_mb` is what the index costs a process;
6. with --server: `chroma run --path PATH/chroma` on a free port, warmed by one query from another
   client, and step 3 again as a client of it (RAG_CHROMA_URL; nothing of the index is local):
   the `server_*` keys.

Prints a Markdown table, or with --json one JSON object per size (keys: chunks,
open_first_answer_s, search_p50_ms, search_p95_ms, query_p50_ms, query_p95_ms, serve_rss_mb,
add100_s, disk_mb, build_s, model_rss_mb, query_process_rss_mb, and with --server server_*).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
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
sys.path.insert(0, str(ROOT / "benchmarks"))

DIM = 384
PER_WRITE = 400  # articles a Store.write: 2,000 chunks


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build(size: int, path: Path, shared: Path) -> dict:
    import numpy as np

    from synthetic import CHUNKS_PER_ARTICLE, articles

    from rag.config import PACKAGED_MODEL
    from rag.store import Store
    from rag.types import Article, Chunk

    rng = np.random.default_rng(0)
    store = Store(path, PACKAGED_MODEL)
    n = (size + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE
    t0 = time.perf_counter()
    batch: list[Article] = []
    chunks: list[Chunk] = []

    def flush() -> None:
        vectors = rng.standard_normal((len(chunks), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.write(batch, chunks, vectors)
        batch.clear()
        chunks.clear()

    for record, spans in articles(n, shared, seed=1):
        a = Article(**record, origin="synthetic")
        batch.append(a)
        chunks += [Chunk(a.id, k, s, e, text) for k, (s, e, text) in enumerate(spans)]
        if len(batch) == PER_WRITE:
            flush()
            print(f"  built {store.chunk_count():,} chunks in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    if batch:
        flush()
    return {"chunks": store.chunk_count(), "build_s": time.perf_counter() - t0,
            "disk_mb": sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20}


def model(home: Path) -> dict:
    from rag.config import Settings
    from rag.embedding import Embedder

    s = Settings(home=home)
    Embedder(s.model, cache_dir=s.home / "cache" / "encoders").encode_query("What did Putin say about weapons supply?")
    return {"model_rss_mb": peak_mb()}


def measure(path: Path, home: Path, questions: list[str], url: str = "") -> dict:
    from rag.config import Settings
    from rag.index import NewsIndex

    t = time.perf_counter()
    idx = NewsIndex(path, Settings(home=home, chroma_url=url), create=not url)
    idx.query(questions[0])
    first = time.perf_counter() - t
    search, query = [], []
    for q in questions:
        t = time.perf_counter()
        idx.search(q, k=10)
        search.append(time.perf_counter() - t)
    for q in questions:
        t = time.perf_counter()
        idx.query(q)
        query.append(time.perf_counter() - t)
    return {"open_first_answer_s": first, "search_p50_ms": statistics.median(search) * 1000,
            "search_p95_ms": pct(search, 0.95) * 1000, "query_p50_ms": statistics.median(query) * 1000,
            "query_p95_ms": pct(query, 0.95) * 1000, "query_process_rss_mb": peak_mb()}


def add100(path: Path, home: Path, shared: Path) -> dict:
    from synthetic import articles

    from rag.config import Settings
    from rag.index import NewsIndex

    feed = home / "new.jsonl"
    feed.parent.mkdir(parents=True, exist_ok=True)
    with open(feed, "w", encoding="utf-8") as f:
        for record, _ in articles(100, shared, seed=2):
            f.write(json.dumps(record) + "\n")
    idx = NewsIndex(path, Settings(home=home))
    idx.embedder.cache_onnx()  # loads the model and leaves the ONNX copy questions use: neither is measured
    t = time.perf_counter()
    report = idx.ingest([feed], progress=False)
    assert report.added == 100, report
    return {"add100_s": time.perf_counter() - t}


def serve(path: Path, home: Path, questions: list[str]) -> dict:
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAG_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "--index", str(path), "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 600
        while True:
            try:
                client = Client(url, verbose=False, download_files=False)
                break
            except Exception:
                if proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"serve did not start:\n{proc.stderr.read().decode()[-2000:]}")
                time.sleep(1)
        for q in questions:
            client.predict(q, [], "", "", [], 8, "", "extractive", api_name="/ask")
        status = Path(f"/proc/{proc.pid}/status").read_text()
        hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        return {"serve_rss_mb": hwm / 1024}
    finally:
        proc.terminate()
        proc.wait(30)


_CHROMA: list[subprocess.Popen] = []


def chroma_server(data: Path) -> str:
    """`chroma run` on `data`, on a free port; its URL once it answers."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _CHROMA.append(subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(data),
                                     "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                return url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("chroma run did not start")


def warm_server(url: str) -> None:
    """One nearest-neighbour query from another client, so the server has its index loaded."""
    import numpy as np
    from urllib.parse import urlparse

    import chromadb

    port = urlparse(url).port
    chunks = chromadb.HttpClient(host="127.0.0.1", port=port).get_collection("chunks", embedding_function=None)
    chunks.query(query_embeddings=[np.ones(DIM, dtype=np.float32) / DIM**0.5], n_results=1)


def stop_chroma() -> None:
    for proc in _CHROMA:
        proc.terminate()
        proc.wait(30)


def child(argv: list[str]) -> None:
    mode, path, shared = argv[0], Path(argv[1]), Path(argv[2])
    if mode == "build":
        out = build(int(argv[3]), path, shared)
    elif mode == "measure":
        out = measure(path, Path(argv[3]), json.loads(Path(argv[4]).read_text()))
    elif mode == "add100":
        out = add100(path, Path(argv[3]), shared)
    elif mode == "model":
        out = model(Path(argv[3]))
    elif mode == "client":
        url = chroma_server(path / "chroma")
        warm_server(url)  # a team's server is up and has served others: its own cold start isn't the client's
        try:
            out = {f"server_{k}": v for k, v in measure(path / "client", Path(argv[3]), json.loads(Path(argv[4]).read_text()),
                                                        url).items()}
        finally:
            stop_chroma()
    else:
        out = serve(path, Path(argv[3]), json.loads(Path(argv[4]).read_text()))
    print("RESULT " + json.dumps(out))


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"child {args[0]} failed (its stderr is above)")
    return json.loads(next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))[7:])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--json", action="store_true", help="one JSON object per size instead of a table")
    ap.add_argument("--no-serve", action="store_true", help="skip the `newsrag serve` RSS measurement")
    ap.add_argument("--server", action="store_true", help="also measure a client of a `chroma run` server")
    ap.add_argument("--keep", action="store_true", help="keep the temp indexes")
    args = ap.parse_args()
    shared = str(Path(args.shared).resolve())
    qs = [json.loads(l)["question"] for l in open(Path(shared) / "eval" / "wikinews_dev.jsonl")
          if not json.loads(l).get("history")]
    qs = (qs * (args.queries // len(qs) + 1))[: args.queries]
    tmp = Path(tempfile.mkdtemp(prefix="newsrag-scale-"))
    qfile = tmp / "questions.json"
    qfile.write_text(json.dumps(qs))
    rows = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            index, home = tmp / f"index-{size}", tmp / f"home-{size}"
            row = {"chunks": size}
            row.update(run_child("build", str(index), shared, str(size)))
            row.update(run_child("add100", str(index), shared, str(home)))  # first: it caches the ONNX copy
            row.update(run_child("measure", str(index), shared, str(home), str(qfile)))
            if not args.no_serve:
                row.update(run_child("serve", str(index), shared, str(home), str(qfile)))
            row.update(run_child("model", str(index), shared, str(home)))
            if args.server:
                row.update(run_child("client", str(index), shared, str(home), str(qfile)))
            print(json.dumps(row) if args.json else f"# {json.dumps(row)}", flush=True)
            rows.append(row)
            if not args.keep:
                shutil.rmtree(index, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        return
    print(f"\n{len(qs)} warm questions per size; synthetic articles (benchmarks/synthetic.py), random unit "
          "vectors; every figure from its own fresh process.\n")
    print("| chunks | build s | disk MB | open + first answer s | search p50 / p95 ms | query p50 / p95 ms "
          "| query process peak RSS MB | serve peak RSS MB | add 100 articles s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['chunks']:,} | {r['build_s']:.0f} | {r['disk_mb']:.0f} | {r['open_first_answer_s']:.2f} "
              f"| {r['search_p50_ms']:.0f} / {r['search_p95_ms']:.0f} | {r['query_p50_ms']:.0f} / {r['query_p95_ms']:.0f} "
              f"| {r['query_process_rss_mb']:.0f} | {r.get('serve_rss_mb', float('nan')):.0f} | {r['add100_s']:.1f} |")
    print(f"\n`{' '.join([Path(sys.executable).name, *sys.argv])}`")


if __name__ == "__main__":
    main()
