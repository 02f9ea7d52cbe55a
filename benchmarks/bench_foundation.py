"""Foundation benchmark: ingest cost vs the raw encoder, warm query latency, cold start of
`newsrag ask`, and peak memory of `newsrag serve`, all on the Wikinews corpus in one run.

    .venv/bin/python benchmarks/bench_foundation.py [--shared ../shared]

Prints its figures as Markdown; paste them into benchmarks/RESULTS.md with the date.
Ratios are compared within this one run (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parents[1]
NEWSRAG = [sys.executable, "-m", "rag.cli"]


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    shared = Path(args.shared)
    articles = shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
    questions = [json.loads(l) for l in open(shared / "eval" / "wikinews_dev.jsonl")]

    from rag.config import Settings
    from rag.evaluate import ask
    from rag.index import NewsIndex

    tmp = Path(tempfile.mkdtemp(prefix="newsrag-bench-"))
    idx = NewsIndex(tmp / "index", Settings(home=tmp))
    idx.embedder.model  # load the model outside the timed ingest, as the raw encode below does
    idx.embedder.cache_onnx()  # and the one-time ONNX copy for questions (once per model and machine)

    t = time.perf_counter()
    report = idx.ingest([articles, ROOT / "corpus"], progress=False)
    ingest_s = time.perf_counter() - t
    assert report.ok, report.summary()

    texts = [f"{m['title']}\n{t}" for _, m, t in idx.store.iter_chunks()]
    t = time.perf_counter()
    idx.embedder.encode(texts)
    encode_s = time.perf_counter() - t

    t = time.perf_counter()
    again = idx.ingest([articles, ROOT / "corpus"], progress=False)
    reingest_s = time.perf_counter() - t

    ask(idx, questions[0])  # warm up
    retrieve, answer, total = [], [], []
    for q in questions:
        t = time.perf_counter()
        a = ask(idx, q)
        total.append(time.perf_counter() - t)
        retrieve.append(a.timings["retrieve"])
        answer.append(a.timings["answer"])

    env = {**os.environ, "RAG_HOME": str(tmp)}
    cold = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([*NEWSRAG, "--index", str(tmp / "index"), "ask", "What did Putin say about weapons supply?"],
                       check=True, capture_output=True, env=env, cwd=ROOT)
        cold.append(time.perf_counter() - t)

    port = free_port()
    proc = subprocess.Popen([*NEWSRAG, "--index", str(tmp / "index"), "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from gradio_client import Client

        deadline = time.time() + 120
        while True:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(1)
        for q in questions[:10]:
            client.predict(q["question"], [], "", "", [], 8, "", "extractive", api_name="/ask")
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak_kb = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    chunks = len(texts)
    print("| figure | value |\n|---|---|")
    print(f"| articles / chunks | {report.added} / {chunks} |")
    print(f"| ingest, full pipeline | {ingest_s:.1f} s ({chunks / ingest_s:.1f} chunks/s) |")
    print(f"| raw `encode` of the same chunk texts | {encode_s:.1f} s ({chunks / encode_s:.1f} chunks/s) |")
    print(f"| pipeline throughput / raw encoder throughput | {encode_s / ingest_s:.2f} |")
    print(f"| re-ingest unchanged corpus | {reingest_s:.2f} s ({ingest_s / reingest_s:.0f}x faster; {again.unchanged} unchanged) |")
    print(f"| warm query, retrieval p50 / p95 | {statistics.median(retrieve) * 1000:.0f} / {pct(retrieve, 0.95) * 1000:.0f} ms |")
    print(f"| warm query, extractive answer p50 / p95 | {statistics.median(answer) * 1000:.0f} / {pct(answer, 0.95) * 1000:.0f} ms |")
    print(f"| warm query, total per question p50 / p95 | {statistics.median(total) * 1000:.0f} / {pct(total, 0.95) * 1000:.0f} ms |")
    print(f"| cold `newsrag ask` (process start to answer), median of 3 | {statistics.median(cold):.1f} s |")
    print(f"| `newsrag serve` peak RSS after 10 questions | {peak_kb / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
