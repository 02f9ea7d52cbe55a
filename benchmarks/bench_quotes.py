"""Quotation benchmark: rag/quotes.py over the 293 Wikinews articles.

Prints how many quotations were found and how they were attributed (named / pronoun /
uncertain), the extraction time per article, and, against the hand-labelled sample in
benchmarks/quote_labels.jsonl, the precision of speaker attribution:

    named, pronoun    share whose speaker is the person the article says spoke (a surname alone
                      counts when it is that person's: "Trump" for Donald Trump)
    uncertain         share that did have a clear speaker in the article (what caution costs)

A label is matched to a quotation by (article_id, start, end); labels whose quotation is no longer
extracted are counted apart. In the file, `true_speaker` is the speaker as read in the article
(null when it doesn't make one clear; `aliases`: another spelling the article uses), and
`predicted_speaker`, `confidence` and `correct` (the prediction names that speaker, or both are
null) record the prediction last reviewed; the numbers printed are recomputed from `true_speaker`
and today's prediction.

The sample: 80 quotations drawn uniformly (spread across articles) and 20 among "pronoun" ones
(whose precision is otherwise measured on a handful), both used while writing the rules, then 42
named or pronoun ones drawn with another seed ("heldout") and labelled without changing a rule
for them. Needs no model and no index:

    .venv/bin/python benchmarks/bench_quotes.py [--shared ../shared]
    .venv/bin/python benchmarks/bench_quotes.py --draw 80 > /tmp/draw.jsonl   # a new sample to label
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.text import sentence_spans  # noqa: E402
from rag.ingest.quotes import NAMED, PRONOUN, ROLE, UNCERTAIN, Quote, extract_quotes, speaker_matches  # noqa: E402

SEED = 13
LABELS = ROOT / "benchmarks" / "quote_labels.jsonl"


def same_person(predicted: str | None, true: str | None) -> bool:
    """The predicted speaker names the labelled one ("Trump" for "Donald Trump" counts)."""
    if not predicted or not true:
        return predicted is None and true is None
    q = Quote("", 0, 0, predicted, NAMED, 0, 0)
    return speaker_matches(q, true)


def draw(articles: list[dict], found: dict[str, list[Quote]], n: int, only: str | None = None,
         exclude: frozenset[tuple[str, int, int]] = frozenset(), seed: int = SEED, name: str | None = None) -> list[dict]:
    """n quotations spread across articles: articles shuffled with a fixed seed, one quotation of
    each (chosen at random) per round until n are drawn; `only` one confidence."""
    rng = random.Random(seed)
    pick = {a["id"]: [q for q in found[a["id"]] if (only is None or q.confidence == only)
                      and (a["id"], q.start, q.end) not in exclude] for a in articles}
    order = [a for a in articles if pick[a["id"]]]
    rng.shuffle(order)
    pools = {a["id"]: rng.sample(pick[a["id"]], len(pick[a["id"]])) for a in order}
    out: list[dict] = []
    while len(out) < n and any(pools.values()):
        for a in order:
            if pools[a["id"]] and len(out) < n:
                q = pools[a["id"]].pop()
                out.append({"sample": name or only or "uniform", "article_id": a["id"], "start": q.start, "end": q.end,
                            "quote": q.text[:80],
                            "predicted_speaker": q.speaker, "confidence": q.confidence,
                            "true_speaker": None, "correct": None,
                            "context": a["text"][_paragraph(a["text"], q)[0] : _paragraph(a["text"], q)[1]]})
    return out


def _paragraph(text: str, q: Quote) -> tuple[int, int]:
    s = text.rfind("\n", 0, q.start) + 1
    e = text.find("\n", q.end)
    return s, len(text) if e < 0 else e


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--draw", type=int, default=0, help="print a fresh sample of N quotations to label, and stop")
    ap.add_argument("--only", choices=(NAMED, PRONOUN, UNCERTAIN), help="with --draw: of this confidence only, "
                    "leaving out those already labelled")
    ap.add_argument("--seed", type=int, default=SEED, help="with --draw")
    ap.add_argument("--sample", help="with --draw: what to call the sample in the labels")
    ap.add_argument("--errors", action="store_true", help="list the labelled quotations attributed wrongly")
    ap.add_argument("--more", type=Path, nargs="*", default=[ROOT / "benchmarks" / "quote_labels_roles.jsonl"],
                    help="more label files (default: the role-attributed sample)")
    args = ap.parse_args()

    path = args.shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    seed = (ROOT / "corpus" / "baonghean-putin-negotiations.txt").read_text(encoding="utf-8")
    articles.append({"id": "baonghean", "title": seed.split("\n", 1)[0], "text": seed.split("\n", 1)[1].strip()})
    sentence_spans("Warm up the sentence splitter. It loads once.")

    found: dict[str, list[Quote]] = {}
    times: list[float] = []
    for a in articles:
        t0 = time.perf_counter()
        found[a["id"]] = extract_quotes(a["text"])
        times.append(time.perf_counter() - t0)
        assert all(a["text"][q.start : q.end] == q.text for q in found[a["id"]])

    if args.draw:
        done = frozenset()
        if args.labels.exists():
            done = frozenset((r["article_id"], r["start"], r["end"]) for r in map(json.loads, args.labels.open()))
        for row in draw(articles, found, args.draw, args.only, done, args.seed, args.sample):
            print(json.dumps(row, ensure_ascii=False))
        return

    quotes = [q for qs in found.values() for q in qs]
    by = Counter(q.confidence for q in quotes)
    print(f"{len(articles)} articles, {len(quotes)} quotations "
          f"({sum(1 for qs in found.values() if qs)} articles with any)")
    for c in (NAMED, PRONOUN, ROLE, UNCERTAIN):
        print(f"  {c:<10} {by[c]:>5}  {by[c] / max(1, len(quotes)):6.1%}")
    print(f"time per article: mean {1000 * statistics.mean(times):.2f} ms, "
          f"max {1000 * max(times):.1f} ms, total {sum(times):.2f} s")

    if not args.labels.exists():
        print(f"no labels at {args.labels}")
        return
    labels = [json.loads(line) for path in [args.labels, *args.more] if path.exists()
              for line in path.open(encoding="utf-8") if line.strip()]
    index = {(a, q.start, q.end): q for a, qs in found.items() for q in qs}
    scored: dict[str, list[bool]] = {NAMED: [], PRONOUN: [], ROLE: [], UNCERTAIN: []}
    by_sample: dict[str, list[bool]] = {}
    missing, changed, errors = 0, 0, []
    for row in labels:
        q = index.get((row["article_id"], row["start"], row["end"]))
        if q is None:
            missing += 1
            continue
        changed += (q.speaker, q.confidence) != (row["predicted_speaker"], row["confidence"])
        if q.confidence == UNCERTAIN:
            scored[UNCERTAIN].append(row["true_speaker"] is not None)
        else:
            ok = any(same_person(q.speaker, name) for name in [row["true_speaker"], *row.get("aliases", [])])
            scored[q.confidence].append(ok)
            by_sample.setdefault(row.get("sample", "uniform"), []).append(ok)
            if not ok:
                errors.append((row, q))
    print(f"\nlabelled sample: {len(labels)} quotations ({missing} no longer extracted, "
          f"{changed} predicted differently than when labelled)")
    for c in (NAMED, PRONOUN, ROLE):
        xs = scored[c]
        print(f"  precision {c:<8} {sum(xs) / max(1, len(xs)):6.3f}  ({sum(xs)}/{len(xs)})")
    both = scored[NAMED] + scored[PRONOUN] + scored[ROLE]
    print(f"  precision named+pronoun+role {sum(both) / max(1, len(both)):6.3f}  ({sum(both)}/{len(both)})")
    for name, xs in by_sample.items():
        print(f"    of which sample {name!r:<10} {sum(xs) / max(1, len(xs)):6.3f}  ({sum(xs)}/{len(xs)})")
    xs = scored[UNCERTAIN]
    print(f"  uncertain with a clear speaker {sum(xs) / max(1, len(xs)):6.3f}  ({sum(xs)}/{len(xs)})")
    if args.errors:
        for row, q in errors:
            print(f"  WRONG {row['article_id']} {q.start}: {q.speaker!r} ({q.confidence}), "
                  f"truly {row['true_speaker']!r}: {q.text[:60]!r}")


if __name__ == "__main__":
    main()
