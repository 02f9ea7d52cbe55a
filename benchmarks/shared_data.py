"""The Wikinews articles and dev questions in ../shared, read the same way by every planted-set benchmark."""

from __future__ import annotations

import json
from pathlib import Path


def articles(shared: Path) -> dict[str, dict]:
    """id -> article record of ../shared/data/wikinews-en-2019-2021/articles.jsonl."""
    with (shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl").open(encoding="utf-8") as f:
        return {a["id"]: a for a in map(json.loads, f)}


def dev_questions(shared: Path) -> list[dict]:
    """The questions of ../shared/eval/wikinews_dev.jsonl, in order."""
    lines = (shared / "eval" / "wikinews_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
