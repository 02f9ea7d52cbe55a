"""Sources that disagree: planted pairs built from real Wikinews articles.

For every dev question whose evidence sentence gives a counted figure ("A total of 39 are
confirmed dead"), a second article is planted: another outlet, three days later, the same
sentence with the figure revised (39 -> 43) and a sentence of its own. Asked the question, the
answer must say the reports differ, cite both articles, and name the later one's figure.

Also counts, over the unchanged dev set, answers that claim a disagreement at all (each one is
printed to be read: a real disagreement between two reports, or a false alarm).

    .venv/bin/python benchmarks/bench_disagree.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import shared_data  # noqa: E402
from rag.check.disagree import figures  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

PLANTED_SOURCE = "Planted Wire"


@dataclass
class Pair:
    question: str
    gold_id: str
    planted: dict  # the planted article record
    old: str  # the figure as the real article gives it
    new: str  # as the planted one does


def planted_pairs(shared: Path) -> list[Pair]:
    articles = shared_data.articles(shared)
    pairs = []
    for q in shared_data.dev_questions(shared):
        if q["type"] in ("unanswerable", "followup") or not q.get("evidence"):
            continue
        ev = q["evidence"][0]
        a = articles[ev["id"]]
        key = " ".join(ev["text"].split())[:50]
        sentence = next((a["text"][s:e] for s, e in sentence_spans(a["text"]) if key in " ".join(a["text"][s:e].split())),
                        None)
        figs = figures(sentence or "")
        if not sentence or not figs or not a.get("date"):
            continue
        fig = figs[0]
        value = int(fig.value)
        new = str(value + max(2, round(value * 0.1)))
        revised = sentence[:fig.start] + new + sentence[fig.end:]
        when = date.fromisoformat(a["date"][:10]) + timedelta(days=3)
        planted = {
            "id": f"planted-{q['id']}", "title": f"{a['title']}: figures revised", "source": PLANTED_SOURCE,
            "date": when.isoformat(), "url": f"https://planted.example/{q['id']}",
            "text": f"{revised}\nThe revised figure was given by officials on {when:%A}, {when:%B} {when.day}.",
        }
        pairs.append(Pair(q["question"], a["id"], planted, fig.raw, new))
    return pairs


def check(answer, pair: Pair) -> str:  # noqa: ANN001
    """'' when the answer reports the disagreement as it should, else what is wrong."""
    cited: dict[str, list[int]] = {}
    for c in answer.citations:
        cited.setdefault(c.article_id, []).append(c.n)
    if "Reports differ" not in answer.text:
        return "no disagreement said"
    if pair.gold_id not in cited or pair.planted["id"] not in cited:
        return f"does not cite both (cites {sorted(cited)})"
    if not any(f"the later report [{n}] gives {pair.new}" in answer.text for n in cited[pair.planted["id"]]):
        return "does not name the later report's figure"
    return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    from rag.config import Settings
    from rag.index import NewsIndex

    pairs = planted_pairs(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        planted = home / "planted.jsonl"
        planted.write_text("".join(json.dumps(p.planted) + "\n" for p in pairs), encoding="utf-8")
        idx = NewsIndex(home / "index", Settings(home=home))
        clean = idx.ingest([args.shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl"], progress=False)
        questions = shared_data.dev_questions(args.shared)
        alarms = []
        for q in questions:  # before planting: any disagreement said is read by hand
            if q["type"] == "followup":
                continue
            a = idx.query(q["question"], as_of=q.get("date_to") or None)
            if "Reports differ" in a.text:
                alarms.append((q["id"], a.text))
        idx.ingest([planted], progress=False)
        failures = []
        for p in pairs:
            why = check(idx.query(p.question), p)
            if why:
                failures.append((p.question, why))
    print(f"planted pairs: {len(pairs)}; disagreement reported correctly: {len(pairs) - len(failures)} "
          f"({(len(pairs) - len(failures)) / max(len(pairs), 1):.2f})")
    for question, why in failures:
        print(f"  missed: {question[:90]} -> {why}")
    print(f"dev questions (no planting, {clean.added} articles) whose answer claims a disagreement: {len(alarms)}")
    for qid, text in alarms:
        print(f"  {qid}: {text[:300]}")


if __name__ == "__main__":
    main()
