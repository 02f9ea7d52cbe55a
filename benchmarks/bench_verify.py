"""Verification benchmark: does rag/answer/verify.py flag what the passages don't say, and pass
what they do? A scripted LLM "replays" answers built from the dev questions' verbatim evidence:

    supported     the evidence sentence cited to its passage; one clause of it; "According to
                  <outlet>, ..." in front of it
    unsupported   a number changed; a name swapped for one from another story; the right sentence
                  cited to a wrong passage; no citation; only an out-of-range [9]; a sentence from
                  a story that is not among the sources, cited to the right passage
                  a negation ("was" -> "was not"): wording barely changes, meaning flips
    also supported: "reworded", the evidence sentence with words an LLM would swap (said ->
                  stated, killed -> left dead, ...); "question + answer", the dev question
                  with its gold answer ("What cargo was the tanker carrying ...: crude palm oil [2].")
                  whose wording is the asker's, not the article's: both lean on the meaning check

Each question gets four numbered sources (its gold passage and three passages from other
questions' stories, shuffled with a fixed seed), as the prompt would. Uses the real packaged
MiniLM for the meaning check, and times verification per answer (all of a question's sentences
in one text). No index and no LLM needed:

    .venv/bin/python benchmarks/bench_verify.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import shared_data  # noqa: E402
from rag.check.verify import names, verify  # noqa: E402
from rag.ingest.chunking import chunk_article  # noqa: E402
from rag.text import sentence_spans  # noqa: E402
from rag.types import Article, Hit  # noqa: E402

SEED = 7
SOURCES = 4
SUPPORTED = ("verbatim", "clause", "attributed", "reworded")
# Reported apart: the question's wording often names things the cited passage doesn't hold (the
# article's title or another paragraph does), so a flag there is often right; not a clean label.
APART = ("question + answer",)
UNSUPPORTED = ("number", "name", "wrong source", "no citation", "out of range", "foreign fact", "negation")
# Word swaps an LLM makes when it rewords a sentence: they leave the lexical check short, so
# "reworded" sentences are judged by meaning (the embedding path).
REWORD = {
    "said": "stated", "says": "states", "told": "informed", "killed": "left dead", "people": "persons",
    "announced": "declared", "reported": "stated", "began": "started", "started": "began", "ended": "finished",
    "won": "claimed victory in", "died": "passed away", "arrested": "detained", "police": "officers",
    "government": "authorities", "president": "head of state", "city": "town", "large": "big",
    "also": "additionally", "however": "but", "about": "around", "after": "following", "before": "prior to",
    "more than": "over", "because": "as", "help": "assist", "show": "indicate", "shows": "indicates",
    "found": "discovered", "children": "kids", "buy": "purchase", "bought": "purchased", "said that": "stated that",
}
_REWORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, REWORD), key=len, reverse=True)) + r")\b")


@dataclass
class Item:
    question: str
    kind: str
    text: str
    hits: list[Hit]
    supported: bool


def _passages(article: dict) -> list[Hit]:
    a = Article(article["id"], article["title"], article["text"], article.get("source", ""), article.get("url", ""),
                article.get("date"))
    return [Hit(a.id, a.title, a.source, a.url, a.published, c.text, 1.0, c.start, c.end) for c in chunk_article(a)]


def _sentence(hit: Hit, evidence: str) -> str | None:
    """The whole passage sentence holding the evidence span (or its start)."""
    key = " ".join(evidence.split())[:60]
    for s, e in sentence_spans(hit.text):
        if key in " ".join(hit.text[s:e].split()):
            return hit.text[s:e].strip()
    return None


def _clause(sentence: str, evidence: str) -> str | None:
    """The comma/semicolon-delimited piece of `sentence` holding the start of the evidence, as a sentence."""
    pieces = [p.strip() for p in re.split(r"[,;]\s+", sentence.rstrip(".!?\"”"))]
    key = evidence.split()[0] if evidence.split() else ""
    for p in pieces:
        if key and key in p and len(p.split()) >= 5 and p != sentence.rstrip("."):
            return p[0].upper() + p[1:] + "."
    return None


_AUX = re.compile(r"\b(was|were|is|are|has|had|will|would|could|did)\b")
_NUM = re.compile(r"\b\d[\d,]*\b")


def planted_set(shared: Path) -> list[Item]:
    articles = shared_data.articles(shared)
    questions = [q for q in shared_data.dev_questions(shared) if q["type"] != "unanswerable" and q.get("evidence")]
    rng = random.Random(SEED)
    passages = {aid: _passages(articles[aid]) for q in questions for aid in {e["id"] for e in q["evidence"]}}
    items: list[Item] = []
    for qi, q in enumerate(questions):
        ev = q["evidence"][0]
        gold = next((h for h in passages[ev["id"]] if " ".join(ev["text"].split())[:60] in " ".join(h.text.split())), None)
        sentence = _sentence(gold, ev["text"]) if gold else None
        if not sentence:
            continue
        others = [o for o in questions if o["evidence"][0]["id"] != ev["id"]]
        picked = rng.sample(others, SOURCES - 1)
        distractors = [rng.choice(passages[o["evidence"][0]["id"]]) for o in picked]
        hits = [gold, *distractors]
        rng.shuffle(hits)
        g, d = hits.index(gold) + 1, hits.index(distractors[0]) + 1
        source_text = " ".join(h.text for h in hits)

        def add(kind: str, text: str | None, supported: bool) -> None:
            if text:
                items.append(Item(q["id"], kind, text, hits, supported))

        add("verbatim", f"{sentence} [{g}]", True)
        clause = _clause(sentence, ev["text"])
        add("clause", clause and f"{clause[:-1]} [{g}].", True)
        opener = sentence.split()[0]
        body = sentence[0].lower() + sentence[1:] if opener.lower() in ("the", "a", "an", "in", "on", "at") else sentence
        add("attributed", f"According to {gold.source or 'the report'}, {body} [{g}]", True)

        reworded, swaps = _REWORD.subn(lambda m: REWORD[m.group()], sentence)
        add("reworded", swaps >= 1 and f"{reworded} [{g}]", True)
        if q["type"] in ("factoid", "quote", "temporal") and not q.get("turns"):
            add("question + answer", f"{q['question'].rstrip('?')}: {q['answer']} [{g}].", True)
        m = _NUM.search(sentence)
        if m:
            n = int(m.group().replace(",", ""))
            add("number", f"{sentence[:m.start()]}{n + 1 + n // 10}{sentence[m.end():]} [{g}]", False)
        foreign_story = articles[others[(qi * 7 + 3) % len(others)]["evidence"][0]["id"]]
        swap = sorted(n for n in names(sentence) if n in sentence and len(n) > 3)
        strangers = sorted(n for n in names(foreign_story["text"][:2000]) if n.lower() not in source_text.lower()
                           and len(n) > 3)
        if swap and strangers:
            add("name", f"{sentence.replace(swap[0], strangers[0])} [{g}]", False)
        add("wrong source", f"{sentence} [{d}]", False)
        add("no citation", sentence, False)
        add("out of range", f"{sentence} [9]", False)
        other_ev = others[(qi * 7) % len(others)]["evidence"][0]
        foreign = next((_sentence(h, other_ev["text"]) for h in passages[other_ev["id"]]
                        if _sentence(h, other_ev["text"])), None)
        if foreign and foreign not in source_text:
            add("foreign fact", f"{foreign} [{g}]", False)
        neg = _AUX.search(sentence)
        if neg:
            add("negation", f"{sentence[:neg.end()]} not{sentence[neg.end():]} [{g}]", False)
    return items


def run(items: list[Item], encode) -> dict:  # noqa: ANN001
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_meaning = 0  # sentences the lexical checks left to the embedding
    for item in items:
        checked = verify(item.text, item.hits, encode)
        claims = [c for c in checked.claims if c.reason != "states no fact"]
        by_kind[item.kind].append(any(not c.supported for c in claims) or not claims)
        by_meaning += checked.by_meaning
    planted = [f for k in UNSUPPORTED for f in by_kind[k]]
    supported = [f for k in SUPPORTED for f in by_kind[k]]
    return {
        "by_kind": {k: (sum(v), len(v)) for k, v in by_kind.items()},
        "planted_flagged": sum(planted) / len(planted),
        "supported_flagged": sum(supported) / len(supported),
        "n_planted": len(planted), "n_supported": len(supported),
        "by_meaning": by_meaning,
    }


def latency(items: list[Item], encode) -> list[float]:  # noqa: ANN001
    """Seconds to verify one answer holding all of a question's planted sentences."""
    per_q: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        per_q[item.question].append(item)
    times = []
    for group in per_q.values():
        text = " ".join(i.text for i in group)
        t = time.perf_counter()
        verify(text, group[0].hits, encode)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    from rag.embedding import Embedder

    from rag.config import PACKAGED_MODEL

    embedder = Embedder(PACKAGED_MODEL)
    embedder.encode(["warm up"])
    items = planted_set(args.shared)
    result = run(items, embedder.encode)
    times = sorted(latency(items, embedder.encode))
    print("| sentence kind | flagged | of |\n|---|---|---|")
    for kind in (*SUPPORTED, *UNSUPPORTED, *APART):
        hit, n = result["by_kind"].get(kind, (0, 0))
        label = " (supported)" if kind in SUPPORTED else " (apart: noisy label)" if kind in APART else ""
        print(f"| {kind}{label} | {hit} | {n} |")
    print(f"\nplanted unsupported flagged: {result['planted_flagged']:.3f} of {result['n_planted']} (target >= 0.95)")
    print(f"supported flagged:           {result['supported_flagged']:.3f} of {result['n_supported']} (target <= 0.05)")
    print(f"sentences judged by meaning (embedding), not by words alone: {result['by_meaning']} of {len(items)}")
    print(f"verification per answer ({len(times)} answers, {statistics.mean(len(i.text) for i in items):.0f} chars "
          f"a sentence): p50 {1000 * times[len(times) // 2]:.1f} ms, p95 {1000 * times[int(0.95 * (len(times) - 1))]:.1f} ms "
          "(target <= 50 ms)")


if __name__ == "__main__":
    main()
