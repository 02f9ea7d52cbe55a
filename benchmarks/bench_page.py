"""Page benchmark: the real chat page under 20 concurrent sessions.

    .venv/bin/python benchmarks/bench_page.py [--shared ../shared] [--sessions 20] [--keep]

Ingests corpus/ and the Wikinews articles with `newsrag ingest` into a temporary index, starts
`python -m rag.cli --index <tmp>/index serve --port <free>` as a subprocess, then runs `--sessions`
threads, each its own `gradio_client.Client` (its own Gradio session). Each session asks two
different questions from the dev set (follow-up questions excluded) as one conversation, passing
the history the page returned back with the second question. Checks: every question answered,
each session's history holds only its own questions (no leaks between sessions). Reports p50/p95
of the end-to-end latency per question and of its parts: waiting in the queue (the page answers
one question at a time: concurrency_id="ask") and being answered (first PROCESSING status to result;
statuses are polled every 20 ms), and the page load in Debian's chromium on the idle server:
first contentful paint and "usable" (the question box takes input), median of 5 fresh loads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.02
START_TIMEOUT = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _content(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


def ask(client: Any, question: str, history: list) -> tuple[list, dict[str, float]]:
    """One question through the page's /ask endpoint; the returned history and its timings."""
    from gradio_client.utils import Status

    t0 = time.perf_counter()
    job = client.submit(question, history, "", "", [], 8, "", "extractive", api_name="/chat")
    t_proc = None
    while not job.done():
        if t_proc is None and job.status().code in (Status.PROCESSING, Status.ITERATING):
            t_proc = time.perf_counter()
        time.sleep(POLL)
    _, new_history = job.result()
    t1 = time.perf_counter()
    t_proc = t_proc or t1
    return new_history, {"total": t1 - t0, "queue": t_proc - t0, "answer": t1 - t_proc}


def session(url: str, questions: list[str], out: dict[str, Any]) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, download_files=False)
        history: list = []
        out["timings"], out["problems"] = [], []
        for i, q in enumerate(questions, 1):
            history, timing = ask(client, q, history)
            out["timings"].append(timing)
            users = [_content(m) for m in history if m.get("role") == "user"]
            if users != questions[:i]:
                out["problems"].append(f"leak or lost turn: user turns {users!r}, expected {questions[:i]!r}")
            last = [_content(m) for m in history if m.get("role") == "assistant" and not m.get("metadata")]
            answer = last[-1] if last else ""
            if not answer.strip() or "Searching the corpus" in answer or "Something went wrong" in answer:
                out["problems"].append(f"not answered: {q!r} -> {answer[:80]!r}")
    except Exception as e:  # reported, not raised: the other sessions go on
        out.setdefault("problems", []).append(f"{type(e).__name__}: {e}")


def start_server(tmp: Path, shared: Path) -> tuple[subprocess.Popen, str, str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_HOME": str(tmp),
           "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    index = ["--index", str(tmp / "index")]
    cli = [sys.executable, "-m", "rag.cli"]
    articles = shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
    t = time.perf_counter()
    done = subprocess.run([*cli, *index, "ingest", "--quiet", str(ROOT / "corpus"), str(articles)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT)
    if done.returncode != 0:
        sys.exit(f"ingest failed:\n{done.stdout}\n{done.stderr}")
    ingested = f"{done.stdout.strip().splitlines()[0] if done.stdout.strip() else ''} ({time.perf_counter() - t:.0f} s)"
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([*cli, *index, "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    import httpx

    while True:
        if proc.poll() is not None:
            sys.exit(f"serve exited ({proc.returncode}):\n{(tmp / 'serve.log').read_text()}")
        try:
            if httpx.get(url + "config", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"serve did not answer in {START_TIMEOUT}s")
        time.sleep(0.25)
    return proc, url, ingested


def page_load(url: str, times: int = 5) -> list[tuple[float, float]] | str:
    """(first contentful paint, usable) in ms from navigation start, each load in a fresh browser
    context of Debian's chromium; usable = the question box is on screen and takes input. A reason
    string when chromium or playwright is missing."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    if not chromium.exists():
        return f"{chromium} is missing"
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for _ in range(times):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url)
                box = page.get_by_placeholder("Ask about the news…")
                box.wait_for(state="visible", timeout=60_000)
                page.wait_for_function("() => { const b = document.querySelector('textarea'); return b && !b.disabled; }")
                usable = page.evaluate("performance.now()")
                fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || NaN")
                out.append((float(fcp), float(usable)))
                context.close()
        finally:
            browser.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--keep", action="store_true", help="keep the temporary index and server log")
    args = p.parse_args()

    rows = [json.loads(l) for l in (args.shared / "eval" / "wikinews_dev.jsonl").read_text().splitlines() if l.strip()]
    pool = [r["question"] for r in rows if r.get("type") != "followup" and not r.get("turns")]
    if len(pool) < 2 * args.sessions:
        sys.exit(f"only {len(pool)} standalone questions for {args.sessions} sessions of 2")
    plans = [[pool[2 * i], pool[2 * i + 1]] for i in range(args.sessions)]

    tmp = Path(tempfile.mkdtemp(prefix="bench_page_"))
    proc, url, ingested = start_server(tmp, args.shared)
    try:
        from gradio_client import Client

        warm = Client(url, verbose=False, download_files=False)  # first query loads BM25 and the model
        t = time.perf_counter()
        _, solo = ask(warm, pool[-1], [])
        warm_s = time.perf_counter() - t
        _, solo = ask(warm, pool[-2], [])  # one warm question alone: the answer time without a queue

        loads = page_load(url)  # on the idle server, before the sessions

        results: list[dict[str, Any]] = [{} for _ in plans]
        threads = [threading.Thread(target=session, args=(url, q, r)) for q, r in zip(plans, results)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    timings = [tm for r in results for tm in r.get("timings", [])]
    problems = [f"session {i + 1}: {m}" for i, r in enumerate(results) for m in r.get("problems", [])]
    answered = sum(1 for r in results for _ in r.get("timings", [])) - sum(
        1 for m in problems if "not answered" in m)
    n = 2 * len(plans)
    cmd = "HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_page.py" + (
        f" --sessions {args.sessions}" if args.sessions != 20 else "")
    print(f"### Chat page under load: {args.sessions} concurrent sessions × 2 questions\n")
    print(f"`{cmd}` · {ingested} · {os.cpu_count()} CPUs · first (cold) question {warm_s:.1f} s, "
          f"one warm question alone {solo['total']:.2f} s\n")
    print("| per question | p50 (s) | p95 (s) | max (s) |")
    print("|---|---|---|---|")
    for key, label in (("total", "end to end (queue + answer)"), ("queue", "waiting in the queue"),
                       ("answer", "being answered")):
        vals = [tm[key] for tm in timings]
        print(f"| {label} | {_pct(vals, 50):.2f} | {_pct(vals, 95):.2f} | {max(vals, default=float('nan')):.2f} |")
    print("\n| check | result |\n|---|---|")
    print(f"| questions answered | {answered}/{n} |")
    leaks = [m for m in problems if "leak" in m]
    print(f"| sessions whose history held only their own questions | {args.sessions - len({m.split(':')[0] for m in leaks})}/{args.sessions} |")
    print(f"| wall time for all {n} questions | {wall:.1f} s ({n / wall:.2f} questions/s) |")
    if isinstance(loads, str):
        print(f"| page load | not measured: {loads} |")
    else:
        fcp, usable = [x for x, _ in loads], [y for _, y in loads]
        print(f"| page load, median of {len(loads)} fresh loads | first paint {statistics.median(fcp):.0f} ms, "
              f"usable (question box takes input) {statistics.median(usable):.0f} ms |")
    for m in problems:
        print(f"- {m}")
    return 0 if not problems and answered == n else 1


if __name__ == "__main__":
    sys.exit(main())
