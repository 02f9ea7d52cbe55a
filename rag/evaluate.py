"""`newsrag eval`: retrieval and answer metrics on a question set (format: shared/eval/README.md).

Follow-up questions are asked as the conversation they are: each turn with the history so far.
"""

from __future__ import annotations

import json
import re

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .types import Answer

KS = (1, 5, 10)


@dataclass
class Result:
    id: str
    type: str
    rank: int | None  # 1-based rank of the first hit from a gold article (None: not in top 10)
    evidence_recall: float | None
    correct: bool
    abstained: bool
    answerable: bool
    citation_precision: float | None
    retrieve_s: float
    answer_s: float
    answer: str = ""
    best_score: float | None = None


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _said(text: str) -> str:
    """An answer's words without its [n] markers, for telling two answers apart."""
    return _norm(re.sub(r"\[\d+\]", " ", text))


REQUIRED = ("id", "type", "question")


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    """The questions of a JSONL file (shared/eval/README.md); a ConfigError naming the line that is wrong."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"There is no question file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the question file {path}: {exc}.") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n} is not JSON ({exc.msg}); each line must be one question object.") from None
        missing = [f for f in REQUIRED if not isinstance(q, dict) or f not in q]
        if missing:
            raise ConfigError(f"{path}:{n} has no {', '.join(missing)}; each question needs {', '.join(REQUIRED)} "
                              "(format: shared/eval/README.md).")
        out.append(q)
    if not out:
        raise ConfigError(f"{path} holds no questions.")
    return out


def feedback_questions(path: str | Path) -> list[dict[str, Any]]:
    """The verdicts in a feedback file as questions (rag/feedback.py); a ConfigError when there are none."""
    from . import feedback

    try:
        out = feedback.questions(feedback.read(path))
    except FileNotFoundError:
        raise ConfigError(f"There is no feedback file at {path}: verdicts are written there when readers "
                          "press 👍 or 👎 on the page.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the feedback file {path}: {exc}.") from None
    if not out:
        raise ConfigError(f"{path} holds no verdicts.")
    return out


def ask(index: Any, q: dict[str, Any], k: int = 10) -> Answer:
    history: list[dict[str, str]] = []
    answer = None
    for turn in q.get("turns") or [q["question"]]:
        answer = index.query(turn, history=history, k=k)
        history += [{"role": "user", "content": turn}, answer.history_message()]
    assert answer is not None
    return answer


def score(q: dict[str, Any], answer: Answer) -> Result:
    gold = set(q.get("gold_ids") or [])
    answerable = bool(gold)
    ranked_ids = [h.article_id for h in answer.hits[:10]]
    rank = next((i + 1 for i, a in enumerate(ranked_ids) if a in gold), None)
    evidence = q.get("evidence") or []
    top5 = " \n ".join(_norm(h.text) for h in answer.hits[:5])
    ev_recall = sum(_norm(e["text"]) in top5 for e in evidence) / len(evidence) if evidence else None
    if "rejected_answer" in q:  # a disliked answer (rag/feedback.py): no longer says what the reader rejected
        correct = _said(answer.text) != _said(q["rejected_answer"])
    elif answerable and "answer" not in q:  # a liked answer: still cites what it cited
        correct = not answer.abstained and any(c.article_id in gold for c in answer.citations)
    elif answerable:
        text = answer.text.lower()
        correct = not answer.abstained and any(
            a.lower() in text for a in [q["answer"], *q.get("answer_aliases", [])] if a
        )
    else:
        correct = answer.abstained
    cp = (sum(c.article_id in gold for c in answer.citations) / len(answer.citations)
          if answerable and answer.citations else None)
    return Result(
        q["id"], q["type"], rank, ev_recall, correct, answer.abstained, answerable, cp,
        answer.timings.get("retrieve", 0.0), answer.timings.get("answer", 0.0), answer.text,
    )


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def summarize(results: Iterable[Result]) -> dict[str, float | int]:
    rs = list(results)
    ans = [r for r in rs if r.answerable]
    una = [r for r in rs if not r.answerable]
    out: dict[str, float | int] = {"n": len(rs)}
    if ans:
        for k in KS:
            out[f"hit@{k}"] = sum(r.rank is not None and r.rank <= k for r in ans) / len(ans)
        out["mrr@10"] = sum(1 / r.rank for r in ans if r.rank) / len(ans)
        ev = [r.evidence_recall for r in ans if r.evidence_recall is not None]
        out["evidence_recall@5"] = sum(ev) / len(ev) if ev else 0.0
        out["false_abstention"] = sum(r.abstained for r in ans) / len(ans)
        cps = [r.citation_precision for r in ans if r.citation_precision is not None]
        out["citation_precision"] = sum(cps) / len(cps) if cps else 0.0
    if una:
        out["abstention"] = sum(r.abstained for r in una) / len(una)
    out["answer_accuracy"] = sum(r.correct for r in rs) / len(rs) if rs else 0.0
    out["retrieve_p50_s"] = _pct([r.retrieve_s for r in rs], 0.5)
    out["retrieve_p95_s"] = _pct([r.retrieve_s for r in rs], 0.95)
    out["answer_p50_s"] = _pct([r.answer_s for r in rs], 0.5)
    out["answer_p95_s"] = _pct([r.answer_s for r in rs], 0.95)
    said = [float(len(r.answer.split())) for r in rs if not r.abstained]  # what an answer (not a refusal) reads as
    if said:
        out["answer_words_p50"] = _pct(said, 0.5)
    return out


@dataclass
class Report:
    overall: dict[str, float | int]
    by_type: dict[str, dict[str, float | int]]
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self, details: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"overall": self.overall, "by_type": self.by_type, "seconds": self.seconds}
        if details:
            d["results"] = [r.__dict__ for r in self.results]
        return d

    def table(self) -> str:
        cols = ["n", "hit@1", "hit@5", "hit@10", "mrr@10", "evidence_recall@5", "answer_accuracy",
                "false_abstention", "abstention", "citation_precision", "answer_words_p50", "retrieve_p50_s", "answer_p50_s"]
        rows = [("overall", self.overall)] + sorted(self.by_type.items())
        head = "| type | " + " | ".join(cols) + " |"
        lines = [head, "|" + "---|" * (len(cols) + 1)]
        for name, m in rows:
            cells = []
            for c in cols:
                v = m.get(c)
                cells.append("" if v is None else (str(v) if isinstance(v, int) else f"{v:.3f}"))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def evaluate(index: Any, path: str | Path, limit: int | None = None, progress: bool = False,
             feedback: bool = False) -> Report:
    """Ask every question of `path` (a question set, or with `feedback` the page's feedback.jsonl:
    rag/feedback.py) and score the answers."""
    from tqdm.auto import tqdm

    questions = (feedback_questions(path) if feedback else load_questions(path))[:limit]
    start = time.perf_counter()
    results = [score(q, ask(index, q)) for q in tqdm(questions, disable=not progress, desc="Evaluating")]
    types = sorted({r.type for r in results})
    return Report(
        overall=summarize(results),
        by_type={t: summarize(r for r in results if r.type == t) for t in types},
        results=results,
        seconds=time.perf_counter() - start,
    )


