"""RGB (English, counterfactual set) as an outside benchmark: its passages are the corpus.

    .venv/bin/python benchmarks/bench_rgb.py [--json]

`../shared/data/rgb/en_fact.json`: 100 news questions, each with `positive` passages (they hold
the answer), `negative` ones (on topic, without it) and `positive_wrong` ones (the positives
with the answer swapped for a false one). Two corpora, one passage an article, each built fresh:

(a) positive + negative passages, outlet "Web": is the answer right?
    - answer: the answer text contains the gold answer (every part of a many-part answer)
    - positive@1, in_top3: a passage holding the answer is the first / among the first 3 retrieved
    - differ: share of answers that say "Reports differ" (there is nothing to differ on: a false alarm)
(b) (a) plus the `positive_wrong` passages as a second outlet, "Web (altered)":
    - differ_both: the answer says the reports differ and cites a passage of each outlet
    - false_only: the answer states the false answer and not the true one
    - answer: the answer text contains the true answer
    - copies: passages the ingest collapsed as syndicated copies (a copy that differs in the
      answer hides the report that disagrees)

RGB is CC BY-NC-SA 4.0 (its PROVENANCE.md): read from ../shared, never copied into the repo.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RGB = ROOT.parent / "shared" / "data" / "rgb" / "en_fact.json"
AS_OF = "2026-11-30"


def parts(answer: object) -> list[list[str]]:
    """RGB's answer forms as a list of parts, each a list of accepted spellings: every part must appear."""
    if isinstance(answer, str):
        return [[answer]]
    if answer and all(isinstance(a, list) for a in answer):  # type: ignore[union-attr]
        return [list(map(str, a)) for a in answer]  # type: ignore[union-attr]
    return [[str(a) for a in answer]]  # type: ignore[union-attr]


def contains(text: str, answer: object) -> bool:
    low = " ".join(text.split()).lower()
    return all(any(" ".join(alt.split()).lower() in low for alt in part) for part in parts(answer))


def corpus(records: list[dict], wrong: bool) -> list[dict]:
    out = []
    for r in records:
        for kind in ("positive", "negative") + (("positive_wrong",) if wrong else ()):
            for i, text in enumerate(r[kind]):
                out.append({"id": f"rgb-{r['id']}-{kind}-{i}", "text": text, "url": "",
                            "source": "Web (altered)" if kind == "positive_wrong" else "Web"})
    return out


def run(records: list[dict], wrong: bool) -> dict:
    from rag.config import Settings
    from rag.index import NewsIndex

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "rgb.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in corpus(records, wrong)), encoding="utf-8")
        index = NewsIndex(Path(tmp) / "index", Settings(home=Path(tmp), as_of=AS_OF))
        t0 = time.perf_counter()
        report = index.ingest([src], progress=False)
        ingest_s = time.perf_counter() - t0
        counts = {"answer": 0, "positive@1": 0, "in_top3": 0, "differ": 0, "differ_both": 0, "false_only": 0}
        latencies = []
        for r in records:
            t0 = time.perf_counter()
            answer = index.query(r["query"])
            latencies.append(time.perf_counter() - t0)
            positive = {f"rgb-{r['id']}-positive-{i}" for i in range(len(r["positive"]))}
            top = [h.article_id for h in answer.hits]
            counts["answer"] += contains(answer.text, r["answer"])
            counts["positive@1"] += bool(top[:1]) and top[0] in positive
            counts["in_top3"] += any(contains(h.text, r["answer"]) for h in answer.hits[:3])
            differ = "Reports differ" in answer.text
            counts["differ"] += differ
            outlets = {c.source for c in answer.citations}
            counts["differ_both"] += differ and {"Web", "Web (altered)"} <= outlets
            counts["false_only"] += contains(answer.text, r["fakeanswer"]) and not contains(answer.text, r["answer"])
    n = len(records)
    latencies.sort()
    out = {k: round(v / n, 3) for k, v in counts.items()}
    out.update(n=n, articles=report.added, copies=report.copies, ingest_s=round(ingest_s, 1),
               query_p50_s=round(latencies[n // 2], 3))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int)
    args = p.parse_args()
    records = [json.loads(line) for line in RGB.read_text(encoding="utf-8").splitlines() if line.strip()][:args.limit]
    a, b = run(records, wrong=False), run(records, wrong=True)
    if args.json:
        print(json.dumps({"a": a, "b": b}))
        return 0
    print("(a) positive + negative passages:", json.dumps(a))
    print("(b) with the altered positives as a second outlet:", json.dumps(b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
