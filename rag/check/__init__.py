"""The check step: what is applied to an answer after any answerer wrote it, once.

1. A generated answer's sentences are verified against the passages they cite (verify.py); one
   that states nothing becomes an honest abstention. One that fails its check (`rejection`: more
   than MOST_UNSUPPORTED of its factual sentences unsupported or uncited, no citation at all, or the
   prompt's <source> markup echoed) is not passed off as the answer: the answerer that would have
   answered without the LLM answers instead, a `rejected` note says why, and the LLM's text is
   kept in `Answer.rejected`.
2. Sources that disagree: the reports the answer states are compared with the rival reports it
   passed over (disagree.py); each difference is said, both reports cited.
3. The answer learns what it was searched with and how: the search text, the filters and the
   window applied, the notes (window widened, LLM fell back), the corpus's coverage, and its own
   as-of (the newest source it cites).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..types import Answer, Note
from .disagree import Report, disagreements
from .verify import Checked, verify

if TYPE_CHECKING:
    from ..answer.base import Draft
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

MOST_UNSUPPORTED = 0.5  # a generated answer with more than this share of its factual sentences unsupported is not shown
_PROMPT_MARKUP = re.compile(r"</?\s*source\b", re.I)  # the delimiters the prompt puts around each passage


def check(
    draft: "Draft", plan: "Plan", found: "Retrieval", encode: Callable[[list[str]], np.ndarray],
    notes: list[Note] | None = None, instead: Callable[[], "Draft"] | None = None,
) -> Answer:
    """The finished Answer for `draft` (see the module docstring). `instead` gives the draft that
    replaces a generated one failing its check (without it, that answer is shown, flagged)."""
    answer = draft.answer
    stated, rivals = draft.stated, draft.rivals
    notes = list(notes or [])
    if draft.generated:
        answer, stated, why = _verified(answer, encode)
        rivals = stated
        if why and instead is not None:
            notes.append(Note("rejected", f"The LLM's answer ({answer.answerer}) was not shown: {why}. "
                                          "This is the extractive answer."))
            generated, replacement = answer, instead()
            answer, stated, rivals = replacement.answer, replacement.stated, replacement.rivals
            answer.rejected = draft.answer.text
            answer.timings = {**generated.timings, **answer.timings}
    extra = disagreements(stated, rivals, answer.citations, same_story_only=draft.same_story_only,
                          most=draft.most_notes)
    if extra:
        answer.text = " ".join([answer.text, *extra])
    answer.notes = [*notes, *([Note("widened", found.widened)] if found.widened else [])]
    answer.search_query = plan.search
    answer.filters = found.filters.to_dict()
    answer.time_window = found.window
    answer.coverage = found.coverage
    answer.as_of = max((c.published for c in answer.citations if c.published), default=None)
    return answer


def rejection(checked: Checked, generated: str) -> str:
    """Why a generated answer fails its check, in plain words ('' when it passes): it echoes the
    prompt's <source> markup, cites no source, or more than MOST_UNSUPPORTED of its factual
    sentences are unsupported or uncited. `generated` is its text as the LLM wrote it."""
    factual = [c for c in checked.claims if c.reason != "states no fact"]
    unsupported = sum(not c.supported for c in factual)
    why = ["it repeats the prompt's <source> markup"] if _PROMPT_MARKUP.search(generated) else []
    if factual and not checked.citations:
        why.append("it cites no source" + (f" for any of its {len(factual)} sentences" if len(factual) > 1 else ""))
    elif unsupported > MOST_UNSUPPORTED * len(factual):
        why.append(f"{unsupported} of {len(factual)} sentences were not supported by the sources it cited")
    return "; ".join(why)


def _verified(answer: Answer, encode: Callable[[list[str]], np.ndarray]) -> tuple[Answer, list[Report], str]:
    """A generated answer after verification, its cited reports (to compare for disagreement), and
    why it fails its check ('' when it passes: `rejection`)."""
    from ..answer.llm import NOT_IN_SOURCES
    from ..answer.sentences import abstain

    t0 = time.perf_counter()
    checked = verify(answer.text, answer.hits, encode)
    why = rejection(checked, answer.text)
    timings = {**answer.timings, "verify": time.perf_counter() - t0}
    if not checked.text or checked.states_nothing:
        out = abstain(answer.question, answer.hits)
        out.text = checked.text or NOT_IN_SOURCES
        reports: list[Report] = []
    else:
        out = Answer(answer.question, checked.text, checked.citations, hits=answer.hits)
        reports = [Report(c.quote, c.article_id, c.published, c.title, c) for c in checked.citations]
    out.claims, out.answerer, out.timings = checked.claims, answer.answerer, timings
    return out, reports, why
