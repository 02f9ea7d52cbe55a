"""Who answers a question, in what order, by intent.

An answerer (rag/answer/base.py) is tried in the order the table gives for the plan's intent;
the first that doesn't decline answers. "llm" is in the table only when an LLM was asked for
(the plan's answerer); if it fails, the next one answers and a note says why (NewsIndex).
A question about a time the corpus doesn't cover, or one for which nothing was found, gets the
answer that says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ask.plan import COMPARISON_INTENT, FACTUAL, QUOTE, TIMELINE

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

ORDER: dict[str, tuple[str, ...]] = {
    FACTUAL: ("llm", "extractive"),
    COMPARISON_INTENT: ("llm", "extractive"),
    QUOTE: ("llm", "quotes", "extractive"),  # X's own quotations before any sentence that mentions X
    TIMELINE: ("timeline",),  # a dated list of the story's articles, whatever answerer was chosen
}


def order(plan: "Plan", found: "Retrieval") -> tuple[str, ...]:
    """The names of the answerers to try for `plan`, first first."""
    if found.outside:
        return ("outside",)
    if not found.hits:
        return ("abstain",)
    return tuple(name for name in ORDER[plan.intent] if name != "llm" or plan.answerer is not None) + ("abstain",)
