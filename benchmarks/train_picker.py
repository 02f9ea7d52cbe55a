"""Fit the extractive answerer's sentence ranker on the tuning sets, and say how well it picks out of fold.

    .venv/bin/python benchmarks/train_picker.py --index /tmp/wn

For every answerable question (a follow-up asked as its conversation, as `newsrag eval` asks
it), the candidate sentences of its top passages are scored as the answerer scores them
(`ExtractiveAnswerer.score`, features in `rag.answer.extractive.FEATURES`); a sentence is a
positive when it contains the gold answer or an alias. A linear ranker is fit with a listwise
loss (softmax over a question's candidates, L2-regularised, features standardised), so that the
best-scored sentence of a question is one that holds its answer.

Printed: top-1 / top-3 "holds the answer" rates of the current picker and of the ranker, the
ranker's out of fold (5 folds over questions, never scored on a question it was fit on), and the
weights fit on all of them, in raw feature units, ready for `RANKER` in rag/answer/extractive.py.
Only the tuning sets are used (the dev set and benchmarks/eval/wikinews_tune.jsonl): the test split
benchmarks/eval/wikinews_split.jsonl is never fit or looked at here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval" / "wikinews_dev.jsonl"
TUNE = ROOT / "benchmarks" / "eval" / "wikinews_tune.jsonl"
AS_OF = "2026-11-30"


def contains(text: str, answers: list[str]) -> bool:
    low = " ".join(text.split()).lower()
    return any(a and " ".join(a.split()).lower() in low for a in answers)


def collect(index_dir: Path, questions: Path) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(question id, features, labels, current scores) per answerable question with any candidate."""
    from rag.answer.sentences import candidates
    from rag.ask.plan import make_plan
    from rag.config import Settings
    from rag.index import NewsIndex

    index = NewsIndex(index_dir, Settings.from_env(as_of=AS_OF), create=False)
    out = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if not q["gold_ids"]:
            continue
        history: list[dict[str, str]] = []
        turns = q.get("turns") or [q["question"]]
        for turn in turns[:-1]:
            answer = index.query(turn, history=history, k=10, as_of=AS_OF)
            history += [{"role": "user", "content": turn}, answer.history_message()]
        answer = index.query(turns[-1], history=history, k=10, as_of=AS_OF)
        plan = make_plan(turns[-1], history, k=10)  # what the index planned (context, cited articles)
        sentences = candidates(answer.hits)
        if not sentences:
            continue
        index.answerer.score(plan.question, sentences, plan.context)
        x = np.array([s.features for s in sentences], dtype=np.float64)
        y = np.array([contains(s.text, [q["answer"], *q.get("answer_aliases", [])]) for s in sentences], dtype=bool)
        out.append((q["id"], x, y, np.array([s.score for s in sentences])))
    return out


def fit(data: list, l2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (standardised), and the means and deviations to standardise with."""
    rows = np.vstack([x for _, x, y, _ in data if y.any()])
    mean, std = rows.mean(0), rows.std(0)
    std[std == 0] = 1.0
    groups = [((x - mean) / std, y) for _, x, y, _ in data if y.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for x, y in groups:
            s = x @ w
            s -= s.max()
            p = np.exp(s)
            z_all, z_pos = p.sum(), p[y].sum()
            total -= np.log(z_pos / z_all)
            grad -= (p[y] @ x[y]) / z_pos - (p @ x) / z_all
        return total, grad

    w = minimize(loss, np.zeros(rows.shape[1]), jac=True, method="L-BFGS-B").x
    return w, mean, std


def top_k(scores: np.ndarray, y: np.ndarray, k: int) -> bool:
    return bool(y[np.argsort(-scores, kind="stable")[:k]].any())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True, help="an index of Wikinews + corpus/")
    p.add_argument("--questions", type=Path, nargs="+", default=[DEV, TUNE],
                   help="question sets to fit on (default: the dev set and benchmarks/eval/wikinews_tune.jsonl)")
    p.add_argument("--l2", type=float, default=1.0)
    args = p.parse_args()
    from rag.answer.extractive import FEATURES

    data = [d for path in args.questions for d in collect(args.index, path)]
    reachable = [d for d in data if d[2].any()]
    print(f"{len(data)} answerable questions with candidates; {len(reachable)} have a sentence holding the answer")
    folds = 5
    oof = {}
    for f in range(folds):
        train = [d for i, d in enumerate(data) if i % folds != f]
        w, mean, std = fit(train, args.l2)
        for i, d in enumerate(data):
            if i % folds == f:
                oof[d[0]] = ((d[1] - mean) / std) @ w
    for k in (1, 3):
        now = sum(top_k(s, y, k) for _, _, y, s in data) / len(data)
        learnt = sum(top_k(oof[qid], y, k) for qid, _, y, _ in data) / len(data)
        print(f"top-{k} holds the answer: current picker {now:.3f}, ranker out of fold {learnt:.3f}")
    w, mean, std = fit(data, args.l2)
    raw = w / std
    print("RANKER = {")
    for name, value in zip(FEATURES, raw):
        print(f'    "{name}": {value:.4f},')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
