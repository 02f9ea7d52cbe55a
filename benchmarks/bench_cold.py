"""A cold `newsrag ask`: wall time and peak RSS of a fresh process answering one question.

    .venv/bin/python benchmarks/bench_cold.py --index /tmp/wn [--runs 5] [--question "..."]

The index is any built index (e.g. `newsrag --index /tmp/wn ingest ../shared/data/wikinews-en-2019-2021/articles.jsonl corpus/`).
Runs `newsrag --index INDEX ask QUESTION` `--runs` times with RAG_ENCODER=torch (the model on
torch, as before the ONNX copy) and then with the default RAG_ENCODER=auto (the ONNX copy that
ingest leaves; made first if missing), each a fresh process, and reports the median wall time and
the largest peak RSS (`/usr/bin/time`), and whether both give the same answer text.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWSRAG = Path(sys.executable).with_name("newsrag")


def run(index: str, question: str, encoder: str) -> tuple[float, float, str]:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_ENCODER": encoder}
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", timing.name, str(NEWSRAG), "--index", index, "ask",
                              question], env=env, capture_output=True, text=True, check=True)
        wall, kb = timing.read().split()[-2:]
    return float(wall), int(kb) / 1024, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--question", default="What did Putin say about weapons supply?")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from rag.index import NewsIndex

    NewsIndex(args.index, create=False).embedder.cache_onnx()  # what an ingest leaves behind
    answers = {}
    print("| RAG_ENCODER | cold `newsrag ask` wall s (median of %d) | runs s | peak RSS MB |" % args.runs)
    print("|---|---|---|---|")
    for encoder in ("torch", "auto"):
        runs = [run(args.index, args.question, encoder) for _ in range(args.runs)]
        answers[encoder] = {r[2] for r in runs}
        walls = [r[0] for r in runs]
        print(f"| {encoder} | {statistics.median(walls):.2f} | {' '.join(f'{w:.2f}' for w in walls)} "
              f"| {max(r[1] for r in runs):.0f} |")
    same = len(answers["torch"]) == 1 and answers["torch"] == answers["auto"]
    print(f"\nsame answer text from both: {same}")
    print(f"\n`{' '.join([Path(sys.executable).name, *sys.argv])}`")


if __name__ == "__main__":
    main()
