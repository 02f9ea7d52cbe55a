"""The two answers that say the corpus can't answer: the time asked about is outside what it
covers, or nothing at all was found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Draft, Steps, once
from .extractive import ExtractiveAnswerer
from .sentences import abstain, candidates

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval


class OutsideCoverage:
    """The question names a time the corpus has nothing from: say so, with the closest coverage
    from other dates, rather than answer from another time."""

    name = "outside"

    def __init__(self, scorer: ExtractiveAnswerer) -> None:
        self.scorer = scorer

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        sentences = candidates(found.hits)
        self.scorer.score(plan.question, sentences)
        answer = abstain(plan.question, found.hits, sentences)
        first, last = found.coverage or ("?", "?")
        side = f"nothing after {last}" if found.outside == "after" else f"nothing before {first}"
        when = plan.window.text if plan.window else "then"
        answer.text = (f"The corpus has {side} (it covers {first} to {last}), so it can't say what "
                       f"happened {when}. The closest coverage from other dates is listed below.")
        return once(Draft(answer))


class Abstainer:
    """Nothing was found to answer from."""

    name = "abstain"

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        return once(Draft(abstain(plan.question, found.hits)))
