"""Dump every answer to a question set as JSON, to prove a refactoring changed no behaviour.

    .venv/bin/python benchmarks/dump_answers.py --index /tmp/wn --out /tmp/before.json
    ... change the code ...
    .venv/bin/python benchmarks/dump_answers.py --index /tmp/wn --out /tmp/after.json --diff /tmp/before.json

Each question is asked as `newsrag eval` asks it (a follow-up as its whole conversation), as of a
fixed day so relative times resolve the same on any date. Per question the dump keeps what a
user would see: the text, the citations with their offsets, whether it abstained, the window
applied, the search text, the notes and the notice. `--diff` lists every question whose dump
differs, field by field, and exits 1 if any does.

The index is built with `newsrag ingest ../shared/data/wikinews-en-2019-2021/articles.jsonl corpus/`
when `--index` doesn't hold one yet.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
WIKINEWS = SHARED / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
DEV = SHARED / "eval" / "wikinews_dev.jsonl"
AS_OF = "2026-11-30"  # a fixed day: "last week" means the same on every run


def view(answer: Any) -> dict[str, Any]:
    """What a user sees of an answer, as plain JSON."""
    d = answer.to_dict()
    keep = ("text", "abstained", "time_window", "search_query", "filters", "notice", "answerer", "as_of", "coverage")
    out = {k: d.get(k) for k in keep}
    out["notes"] = d.get("notes", [])
    out["citations"] = [{k: c[k] for k in ("n", "article_id", "quote", "start", "end", "published")}
                        for c in d["citations"]]
    out["related"] = [{k: c[k] for k in ("n", "article_id", "quote", "start", "end")} for c in d["related"]]
    out["hits"] = [h["chunk_id"] for h in d["hits"]]
    return out


def dump(index_dir: Path, questions: Path) -> dict[str, Any]:
    from rag.config import Settings
    from rag.index import NewsIndex

    if not (index_dir / "chroma").is_dir():
        subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index_dir), "ingest", "--quiet",
                        str(WIKINEWS), str(ROOT / "corpus")], check=True, cwd=ROOT)
    index = NewsIndex(index_dir, Settings.from_env(as_of=AS_OF))
    out: dict[str, Any] = {}
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        history: list[dict[str, str]] = []
        answer = None
        for turn in q.get("turns") or [q["question"]]:
            answer = index.query(turn, history=history, k=10)
            history += [{"role": "user", "content": turn}, answer.history_message()]
        out[q["id"]] = view(answer)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for qid in sorted(set(before) | set(after)):
        a, b = before.get(qid), after.get(qid)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"{qid}: only in {'after' if a is None else 'before'}")
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                lines.append(f"{qid}.{key}:\n  before: {json.dumps(a.get(key), ensure_ascii=False)[:400]}\n"
                             f"  after:  {json.dumps(b.get(key), ensure_ascii=False)[:400]}")
    return lines


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True, help="index directory (built if missing)")
    p.add_argument("--questions", type=Path, default=DEV)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--diff", type=Path, help="an earlier dump to compare with")
    args = p.parse_args()
    got = dump(args.index, args.questions)
    args.out.write_text(json.dumps(got, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(got)} answers written to {args.out}")
    if args.diff:
        changes = diff(json.loads(args.diff.read_text(encoding="utf-8")), got)
        print("\n".join(changes) if changes else "identical, question by question")
        return 1 if changes else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
