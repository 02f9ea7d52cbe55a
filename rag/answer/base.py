"""What every answerer shares: the interface, and the draft it hands to the check step.

An answerer is given the plan and what retrieval found, and either declines (returns None) or
returns a Draft: the Answer as written, plus what the check step needs to look for sources that
disagree (the reports the answer states and the rival reports it passed over) and whether the
text was generated (then every sentence is verified against the passages it cites). Answerers
are generators so that one that writes as it goes (an LLM) can stream: they yield text, and
return the Draft.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..check.disagree import Report
from ..types import Answer

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

Steps = Generator[str, None, "Draft | None"]


@dataclass
class Draft:
    """An answer before the check step: the Answer, and what to check it with."""

    answer: Answer
    stated: list[Report] = field(default_factory=list)  # reports the answer gives figures from
    rivals: list[Report] = field(default_factory=list)  # close reports of other articles it passed over
    same_story_only: bool = False  # compare a rival only when its headline says it is the same story
    most_notes: int | None = None  # at most this many "reports differ" notes
    generated: bool = False  # an LLM wrote it: verify every sentence against what it cites


class Answerer(Protocol):
    """Answers a planned question from what was found, or declines (returns None)."""

    name: str

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps: ...


def once(draft: Draft | None) -> Steps:
    """The steps of an answerer that writes its answer at once: its text, then the draft."""
    if draft is not None:
        yield draft.answer.text
    return draft
