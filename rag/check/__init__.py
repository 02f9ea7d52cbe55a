"""The check step: what is applied to an answer after any answerer wrote it, once.

1. A generated answer's sentences are verified against the passages they cite (verify.py); one
   that states nothing becomes an honest abstention.
2. Sources that disagree: the reports the answer states are compared with the rival reports it
   passed over (disagree.py); each difference is said, both reports cited.
3. The answer learns what it was searched with and how: the search text, the filters and the
   window applied, the notes (window widened, LLM fell back), the corpus's coverage, and its own
   as-of (the newest source it cites).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..types import Answer, Note
from .disagree import Report, disagreements
from .verify import verify

if TYPE_CHECKING:
    from ..answer.base import Draft
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

def check(
    draft: "Draft", plan: "Plan", found: "Retrieval", encode: Callable[[list[str]], np.ndarray],
    notes: list[Note] | None = None,
) -> Answer:
    """The finished Answer for `draft` (see the module docstring)."""
    answer = draft.answer
    stated, rivals = draft.stated, draft.rivals
    if draft.generated:
        answer, stated = _verified(answer, encode)
        rivals = stated
    extra = disagreements(stated, rivals, answer.citations, same_story_only=draft.same_story_only,
                          most=draft.most_notes)
    if extra:
        answer.text = " ".join([answer.text, *extra])
    answer.notes = [*(notes or []), *([Note("widened", found.widened)] if found.widened else [])]
    answer.search_query = plan.search
    answer.filters = found.filters.to_dict()
    answer.time_window = found.window
    answer.coverage = found.coverage
    answer.as_of = max((c.published for c in answer.citations if c.published), default=None)
    return answer


def _verified(answer: Answer, encode: Callable[[list[str]], np.ndarray]) -> tuple[Answer, list[Report]]:
    """A generated answer after verification, and its cited reports (to compare for disagreement)."""
    from ..answer.llm import NOT_IN_SOURCES
    from ..answer.sentences import abstain

    t0 = time.perf_counter()
    checked = verify(answer.text, answer.hits, encode)
    timings = {**answer.timings, "verify": time.perf_counter() - t0}
    if not checked.text or checked.states_nothing:
        out = abstain(answer.question, answer.hits)
        out.text = checked.text or NOT_IN_SOURCES
        reports: list[Report] = []
    else:
        out = Answer(answer.question, checked.text, checked.citations, hits=answer.hits)
        reports = [Report(c.quote, c.article_id, c.published, c.title, c) for c in checked.citations]
    out.claims, out.answerer, out.timings = checked.claims, answer.answerer, timings
    return out, reports
