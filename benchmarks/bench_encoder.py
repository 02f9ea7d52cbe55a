"""Encoder backends: throughput on the Wikinews chunk texts and dense-only hit@5 on the dev set,
each variant against the default (torch fp32) in the same run.

    .venv/bin/python benchmarks/bench_encoder.py [--shared ../shared] [--variants torch,onnx,...]
                                                 [--limit N] [--cache DIR]

Chunk texts are built as ingest embeds them (loaders + chunking, title + "\\n" + chunk text).
hit@5 is article-level and dense only: chunks and questions embedded with the variant, cosine
top chunks with numpy, the first 5 distinct articles, answerable questions only. The default is
timed first and last (the machine is shared); its speed is the mean of the two. A variant
qualifies at >= 1.8x the default's chunks/s with |delta hit@5| <= 0.01.
Prints Markdown; the ONNX files are built in a temp dir before timing (export time shown).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def chunk_texts(paths: list[Path], embedder) -> tuple[list[str], list[str]]:
    from rag.ingest.chunking import DEFAULT_CHUNK_TOKENS, chunk_article
    from rag.ingest.files import load
    from rag.types import Failure

    budget = min(DEFAULT_CHUNK_TOKENS, embedder.max_tokens - 2)
    articles = {a.id: a for a in load(paths) if not isinstance(a, Failure)}
    texts, ids = [], []
    for a in articles.values():
        for c in chunk_article(a, max_tokens=budget, count_tokens=embedder.count_tokens):
            texts.append(f"{a.title}\n{c.text}")
            ids.append(a.id)
    return texts, ids


def hit_at(chunk_vecs: np.ndarray, chunk_ids: list[str], q_vecs: np.ndarray, golds: list[set[str]], k: int = 5):
    sims = q_vecs @ chunk_vecs.T
    hits = 0
    for row, gold in zip(sims, golds):
        seen: list[str] = []
        for i in np.argsort(-row):
            if chunk_ids[i] not in seen:
                seen.append(chunk_ids[i])
                if len(seen) == k:
                    break
        hits += bool(gold & set(seen))
    return hits / len(golds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--variants", default="torch,onnx,onnx-int8")
    ap.add_argument("--limit", type=int, default=0, help="only the first N chunk texts (a quick try)")
    ap.add_argument("--cache", default="", help="where the ONNX files go (default: a temp dir)")
    args = ap.parse_args()
    shared = Path(args.shared)
    from rag.embedding import Embedder

    cache = Path(args.cache or tempfile.mkdtemp(prefix="newsrag-enc-"))
    base = Embedder()
    texts, ids = chunk_texts([shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl", ROOT / "corpus"], base)
    if args.limit:
        texts, ids = texts[: args.limit], ids[: args.limit]
    qs = [json.loads(line) for line in open(shared / "eval" / "wikinews_dev.jsonl")]
    qs = [q for q in qs if q.get("gold_ids")]
    questions, golds = [q["question"] for q in qs], [set(q["gold_ids"]) for q in qs]

    variants = [v for v in args.variants.split(",") if v]
    embedders = {"torch": base}
    build: dict[str, float] = {}
    for v in variants:
        if v == "torch":
            continue
        e = Embedder(backend=v, cache_dir=cache)
        t = time.perf_counter()
        e.encode(["warm up: load, export or quantize"])
        build[v] = time.perf_counter() - t
        embedders[v] = e
    base.encode(["warm up"])

    def run(name: str) -> tuple[float, np.ndarray]:
        e = embedders[name]
        t = time.perf_counter()
        vecs = e.encode(texts)
        return len(texts) / (time.perf_counter() - t), vecs

    speed: dict[str, float] = {}
    vecs: dict[str, np.ndarray] = {}
    first, vecs["torch"] = run("torch")
    for v in variants:
        if v != "torch":
            speed[v], vecs[v] = run(v)
    last, _ = run("torch")
    speed["torch"] = (first + last) / 2

    rows = []
    qv_base = base.encode(questions)
    hit_base = hit_at(vecs["torch"], ids, qv_base, golds)
    for v in ["torch", *[v for v in variants if v != "torch"]]:
        qv = embedders[v].encode(questions)
        hit = hit_at(vecs[v], ids, qv, golds)
        cos_c = np.sum(vecs[v] * vecs["torch"], axis=1)
        cos_q = np.sum(qv * qv_base, axis=1)
        norms = np.linalg.norm(vecs[v], axis=1)
        ratio = speed[v] / speed["torch"]
        ok = v != "torch" and ratio >= 1.8 and abs(hit - hit_base) <= 0.01
        rows.append(
            f"| {v} | {speed[v]:.1f} | {ratio:.2f}x | {hit:.3f} | {hit - hit_base:+.3f} "
            f"| {cos_c.min():.4f} / {np.median(cos_c):.4f} | {cos_q.min():.4f} / {np.median(cos_q):.4f} "
            f"| {np.abs(norms - 1).max():.1e} | {build.get(v, 0):.1f} | {'yes' if ok else ('-' if v == 'torch' else 'no')} |"
        )

    print(f"{len(texts)} chunk texts, {len(questions)} answerable dev questions; default timed first "
          f"and last: {first:.1f} and {last:.1f} chunks/s. ONNX cache: {cache}\n")
    print("| variant | chunks/s | speed-up | hit@5 (dense) | Δ hit@5 | cos to default, chunks min / median "
          "| cos to default, questions min / median | max abs(norm-1) | load/build s | qualifies |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n`{' '.join([Path(sys.executable).name, *sys.argv])}`")


if __name__ == "__main__":
    main()
