#!/usr/bin/env python3
"""Validate a newsrag evaluation question file (dev format, one JSON object a line).

Usage:
    python3 benchmarks/eval/check_questions.py benchmarks/eval/wikinews_split.jsonl
        [--corpus PATH] [--dev PATH]

By default the corpus and the dev set are looked up in ../shared next to the repo
root (repo root = this file's parents[2]):
    <root>/../shared/data/wikinews-en-2019-2021/articles.jsonl
    <root>/../shared/eval/wikinews_dev.jsonl

Errors make the script exit with status 1; warnings are printed but do not fail.
Standard library only.
"""
import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DEFAULT_CORPUS = SHARED / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
DEFAULT_DEV = SHARED / "eval" / "wikinews_dev.jsonl"

TYPES = ["factoid", "quote", "temporal", "multi", "followup", "unanswerable"]
REQUIRED = ["id", "type", "question", "gold_ids", "answer", "answer_aliases",
            "evidence", "date_from", "date_to"]
UNANSWERABLE_ANSWER = "not in corpus"
# aliases that would match almost any answer text
TOO_COMMON = {"the", "a", "an", "of", "in", "on", "and", "or", "to", "is", "it",
              "he", "she", "they", "yes", "no", "one", "two", "three", "man",
              "woman", "people", "said", "year", "years", "day", "days"}
ID_RE = re.compile(r"^[a-z]+-\d{3,}$")


def load_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                rows.append((n, line))
    return rows


def parse_date(s):
    return dt.date.fromisoformat(str(s)[:10])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions")
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--dev", default=str(DEFAULT_DEV))
    args = ap.parse_args(argv)

    errors, warnings = [], []

    def err(qid, msg):
        errors.append(f"ERROR {qid}: {msg}")

    def warn(qid, msg):
        warnings.append(f"warning {qid}: {msg}")

    corpus = {}
    for n, line in load_jsonl(args.corpus):
        a = json.loads(line)
        corpus[a["id"]] = a
    dev_ids = set()
    dev_path = Path(args.dev)
    if dev_path.exists():
        for n, line in load_jsonl(dev_path):
            q = json.loads(line)
            dev_ids.update(q.get("gold_ids") or [])
            dev_ids.update(e["id"] for e in q.get("evidence") or [])
    else:
        warnings.append(f"warning: dev set {dev_path} not found; dev-overlap check skipped")

    seen = set()
    counts = Counter()
    articles_used = set()
    for lineno, line in load_jsonl(args.questions):
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            err(f"line {lineno}", f"invalid JSON: {e}")
            continue
        if not isinstance(q, dict):
            err(f"line {lineno}", "not a JSON object")
            continue
        qid = q.get("id", f"line {lineno}")
        missing = [k for k in REQUIRED if k not in q]
        if missing:
            err(qid, f"missing fields {missing}")
            continue
        if not isinstance(qid, str) or not ID_RE.match(qid):
            err(qid, "id should look like 'split-001'")
        if qid in seen:
            err(qid, "duplicate id")
        seen.add(qid)
        qtype = q["type"]
        if qtype not in TYPES:
            err(qid, f"unknown type {qtype!r}")
            continue
        counts[qtype] += 1
        if not isinstance(q["question"], str) or not q["question"].strip():
            err(qid, "empty question")
        gold = q["gold_ids"]
        ev = q["evidence"]
        aliases = q["answer_aliases"]
        answer = q["answer"]
        if not isinstance(gold, list) or not isinstance(ev, list) or not isinstance(aliases, list):
            err(qid, "gold_ids, evidence and answer_aliases must be lists")
            continue
        if not isinstance(answer, str) or not answer.strip():
            err(qid, "empty answer")
            continue
        if any(not isinstance(a, str) or not a.strip() for a in aliases):
            err(qid, "aliases must be non-empty strings")
            aliases = [a for a in aliases if isinstance(a, str) and a.strip()]
        if len(set(gold)) != len(gold):
            err(qid, "duplicate gold id")

        # turns
        turns = q.get("turns")
        if qtype == "followup" and turns is None:
            err(qid, "followup without turns")
        if turns is not None:
            if qtype not in ("followup", "unanswerable"):
                err(qid, "turns only allowed for followup (or unanswerable follow-ups)")
            if not isinstance(turns, list) or len(turns) < 2:
                err(qid, "turns must be a list of at least 2 user turns")
            elif q["question"] != turns[-1]:
                err(qid, "question must equal turns[-1]")

        # dates
        if qtype == "temporal":
            try:
                d_from, d_to = parse_date(q["date_from"]), parse_date(q["date_to"])
            except (TypeError, ValueError):
                err(qid, "temporal question needs ISO date_from and date_to")
                d_from = d_to = None
            if d_from and d_to:
                if d_from > d_to:
                    err(qid, "date_from > date_to")
                for g in gold:
                    if g in corpus:
                        gd = parse_date(corpus[g]["date"])
                        if not (d_from <= gd <= d_to + dt.timedelta(days=14)):
                            err(qid, f"gold article {g} dated {gd} outside "
                                     f"[{d_from}, {d_to} + 14 days]")
        elif q["date_from"] is not None or q["date_to"] is not None:
            warn(qid, "date_from/date_to set on a non-temporal question")

        # unanswerable
        if qtype == "unanswerable":
            if gold:
                err(qid, "unanswerable question must have empty gold_ids")
            if ev:
                err(qid, "unanswerable question must have empty evidence")
            if answer.strip().lower() != UNANSWERABLE_ANSWER:
                err(qid, f"unanswerable answer must be {UNANSWERABLE_ANSWER!r}")
            continue

        # answerable
        if not gold:
            err(qid, "answerable question without gold_ids")
        if qtype == "multi" and len(gold) < 2:
            err(qid, "multi question needs two or more gold articles")
        for g in gold:
            if g not in corpus:
                err(qid, f"gold id {g} not in corpus")
            if g in dev_ids:
                err(qid, f"gold id {g} is a dev-set article")
            articles_used.add(g)
        if not ev:
            err(qid, "answerable question without evidence")
        ev_ids = set()
        for e in ev:
            if not isinstance(e, dict) or "id" not in e or "text" not in e:
                err(qid, "evidence items need id and text")
                continue
            eid, text = e["id"], e["text"]
            ev_ids.add(eid)
            if eid not in corpus:
                err(qid, f"evidence id {eid} not in corpus")
                continue
            if eid not in gold:
                err(qid, f"evidence id {eid} not among gold_ids")
            if eid in dev_ids:
                err(qid, f"evidence id {eid} is a dev-set article")
            if not isinstance(text, str) or not text.strip():
                err(qid, "empty evidence text")
            elif text not in corpus[eid]["text"]:
                err(qid, f"evidence not a verbatim substring of {eid}: {text[:70]!r}")
        lacking = [g for g in gold if g not in ev_ids]
        if lacking:
            if qtype == "followup":
                warn(qid, f"no evidence from gold article(s) {lacking}")
            else:
                err(qid, f"no evidence from gold article(s) {lacking}")

        # answer / aliases present in a gold article
        gold_text = " ".join(corpus[g]["text"].lower() for g in gold if g in corpus)
        cands = [answer] + list(aliases)
        if not any(c.lower() in gold_text for c in cands):
            warn(qid, "neither answer nor any alias appears verbatim in a gold article "
                      "(normalised answer?)")
        elif answer.lower() not in gold_text:
            pass  # answer is a normalisation, an alias is verbatim: fine
        for a in aliases:
            if a.strip().lower() in TOO_COMMON or (len(a.strip()) < 3 and not a.strip().isdigit()):
                warn(qid, f"alias {a!r} is very short or common")
        if len(answer) > 120:
            warn(qid, "long gold answer")

    for w in warnings:
        print(w)
    for e in errors:
        print(e)
    print("\nper-type counts:")
    for t in TYPES:
        print(f"  {t:13s} {counts[t]}")
    print(f"  {'total':13s} {sum(counts.values())}")
    print(f"distinct gold articles: {len(articles_used)}")
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
