"""What readers said about answers: `RAG_HOME/feedback.jsonl`, one verdict a line, and the same
file read back as a question set for `newsrag eval --feedback`.

    write(path, Verdict(question="Who signed?", answer="...", citations=[...], verdict="down"))
    questions(read(path))   # liked answers must keep citing what they cited; disliked ones must change

A verdict can be written again with the same `id` (a comment added after the thumb); the last
line for an id wins. Lines that aren't verdicts are skipped with a warning, never an error: the
file is appended to by every page that serves the index.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE = "feedback.jsonl"  # under Settings.home
VERDICTS = ("up", "down")
_LOCK = threading.Lock()  # one line at a time from this process; O_APPEND keeps processes' lines whole


@dataclass
class Verdict:
    """One reader's verdict on one answer: what was asked (`turns`: the conversation's user turns,
    the question last), what was answered and cited, up or down, and an optional comment."""

    question: str
    answer: str
    verdict: str  # "up" or "down"
    citations: list[dict[str, Any]] = field(default_factory=list)  # {n, article_id, start, end, title, quote}
    turns: list[str] = field(default_factory=list)
    comment: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")
        self.turns = list(self.turns) or [self.question]


def write(path: str | os.PathLike, verdict: Verdict) -> None:
    """Append `verdict` as one JSON line (the directory is made when missing)."""
    line = (json.dumps(asdict(verdict), ensure_ascii=False) + "\n").encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)  # one write of one line: appends from several processes don't interleave
        finally:
            os.close(fd)


def read(path: str | os.PathLike) -> list[Verdict]:
    """The verdicts in `path`, the last line of each id, in the order first given."""
    got: dict[str, Verdict] = {}
    text = Path(path).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            v = Verdict(**{k: d[k] for k in Verdict.__dataclass_fields__ if k in d})
        except (json.JSONDecodeError, TypeError, ValueError, KeyError) as exc:
            log.warning("%s:%d is not a verdict (%s); skipped", path, n, exc)
            continue
        got[v.id] = v
    return list(got.values())


def questions(verdicts: Iterable[Verdict]) -> list[dict[str, Any]]:
    """The verdicts as a question set (shared/eval/README.md's format, two more types): a liked
    answer (`liked`) is answered correctly again when the new answer cites one of the articles it
    cited (`gold_ids`; its quotes are the `evidence`); a disliked one (`disliked`) when the new
    answer no longer says what was rejected (`rejected_answer`)."""
    out = []
    for v in verdicts:
        q: dict[str, Any] = {"id": f"feedback-{v.id}", "type": "liked" if v.verdict == "up" else "disliked",
                             "question": v.question, "comment": v.comment}
        if len(v.turns) > 1:
            q["turns"] = list(v.turns)
        if v.verdict == "up":
            q["gold_ids"] = list(dict.fromkeys(c["article_id"] for c in v.citations if c.get("article_id")))
            q["evidence"] = [{"id": c["article_id"], "text": c["quote"]} for c in v.citations if c.get("quote")]
        else:
            q["gold_ids"] = []
            q["rejected_answer"] = v.answer
        out.append(q)
    return out

