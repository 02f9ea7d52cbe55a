"""Plan: everything decided about a question before anything is searched. Pure: no I/O, no model.

    plan = make_plan("And what did he say about NATO?", history, today=date(2024, 2, 10))
    plan.intent, plan.speaker, plan.search, plan.window   # 'quote', 'NATO'..., what to search, the dates

Every way of telling what a question asks lives here, so it can be read (and tested) in one
place:
- the intent: `timeline` ("How did X develop?"), `quote` ("What did X say about Y?"),
  `comparison` ("Which of them came first?"), else `factual`; and whether it is a follow-up;
- what kind of thing it wants (`wants`): a number, a date, a person, a quotation;
- the conversation context a follow-up leans on, and so the text to search;
- the published-date window a time in the question names ("in March 2020"), resolved against
  `today` (explicit since/until filters win over it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ..lexicon import SAY_VERBS
from ..types import Filters
from .conversation import Message, cited_articles, context_for, is_followup, said_before, user_turns
from .slots import slot_of
from .timeparse import TimeWindow, parse_time

if TYPE_CHECKING:
    from ..answer.llm import LLMSpec

FACTUAL, QUOTE, TIMELINE, COMPARISON_INTENT = "factual", "quote", "timeline", "comparison"
TIMELINE_K = 40  # passages searched for a timeline (several articles, a few passages each)

WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|old|long|far|fast|large|big)\b|\b(?:death toll|number of|percentage|share of)\b"
    r"|\bwhat (?:times|scores?|age)\b",
    re.I,
)
WANTS_DATE = re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bon what date\b", re.I)
WANTS_PERSON = re.compile(r"^\s*(?:who|whom)\b|\bwhich (?:person|journalist|player|leader|candidate|minister|man|woman|company|group|team|country|side)\b", re.I)
WANTS_QUOTE = re.compile(
    rf"\bwhat did .+ (?:{SAY_VERBS})\b|\bhow did .+ (?:describe|react|respond)\b|"
    r"\bwhat (?:word|words|term|phrase|name) did .+ (?:use|choose|give)\b|"
    r"\baccording to\b|\bwhat warning\b|\bview of\b|\bcompare\b",
    re.I,
)
COMPARISON = re.compile(r"\bwhich (?:of (?:them|the \w+)|came|happened|one)\b|\bfirst[:,]|\bor\b.+\?$|\bboth\b|\bbetween\b", re.I)
_SPEAKER = re.compile(
    rf"\b(?:word|words|term|phrase) did\s+(?P<d>.+?)\s+use\b|\b(?:did|does|do)\s+(?P<a>.+?)\s+(?:{SAY_VERBS})\b"
    r"|\b[Aa]ccording to\s+(?P<b>[^,?]+)|(?P<c>(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)['’]s\s+(?:view|warning|reaction)",
)
_TIMELINE = re.compile(
    r"^\s*(?:how\s+(?:did|has|have|had)\s+(?P<a>.+?)\s+(?:develop|unfold|evolve|progress|change|play out)\w*"
    r"|(?:give me\s+|show me\s+|what is\s+|what's\s+)?(?:a\s+|the\s+)?(?:timeline|chronology)\s+(?:of|for)\s+(?P<b>.+?)"
    r"|what happened (?:with|to|in) (?P<c>.+?) over time)\s*\??\s*$",
    re.I,
)


_AND_ASK = re.compile(r"(?:,|;)?\s+and\s+(?=(?:what|which|who|whom|whose|when|where|why|how|on what|in what|at what|"
                      r"for what|to what|by what|by how|name)\b)|;\s+", re.I)


def outlets_named(question: str, outlets: Sequence[str]) -> tuple[str, ...]:
    """The outlets of `outlets` that `question` names, as a whole word or phrase, case kept for
    short names ("BBC", "the Guardian", not "guardian angel"; "Wikinews")."""
    found = []
    for name in outlets:
        core = re.sub(r"^the\s+|\s*\(.*\)$", "", name.strip(), flags=re.I)  # "Wikinews (en.wikinews.org)": Wikinews
        if len(core) >= 3 and re.search(rf"(?<![\w-]){re.escape(core)}(?![\w-])", question):
            found.append(name)
    return tuple(found)


def parts_of(question: str) -> tuple[str, ...]:
    """The asks of a question that joins two or more ("How many died, and where did it happen?"
    -> both halves); one part for a question that asks one thing."""
    found = [p.strip(" ,;") for p in _AND_ASK.split(question)]
    found = [p for p in found if len(p.split()) >= 3]
    return tuple(found) if len(found) > 1 else (question,)


def wants(question: str) -> frozenset[str]:
    """The kinds of thing the question asks for: number, date, person, quote."""
    found = {"number": WANTS_NUMBER, "date": WANTS_DATE, "person": WANTS_PERSON, "quote": WANTS_QUOTE}
    return frozenset(kind for kind, rx in found.items() if rx.search(question))


def speaker(question: str) -> str | None:
    """The surname of whoever a 'what did X say' question asks about ('Callamard'), if any."""
    m = _SPEAKER.search(question)
    if not m:
        return None
    names = re.findall(r"\b[A-Z][\w'’.-]+", m.group("a") or m.group("b") or m.group("c") or m.group("d") or "")
    return names[-1].rstrip(".") if names else None


_LEAD_IN = re.compile(r"^.*?,\s*\W*(?:what|how)\W*$", re.I | re.S)  # a clause that sets the scene, then the ask


def quote_topic(question: str) -> str:
    """What a "What did X say about Y?" question is about: the question without its who-said frame
    ("What did Putin say about weapons supply?" -> "weapons supply")."""
    m = _SPEAKER.search(question)
    after = question[m.end():] if m else ""
    if len(re.findall(r"\w+", after)) >= 2 and _LEAD_IN.match(question[:m.start()] if m else ""):
        rest = after  # "Asked about the fighting, what did X say US policy should resemble?": what follows "say"
    else:
        rest = (question[:m.start()] + " " + question[m.end():]) if m else question
    rest = re.sub(r"^\W*(?:what|how|which|why|when|where|who)\b|\b(?:about|of|on|to)\b(?=\W*$)", " ", rest.strip(), flags=re.I)
    rest = re.sub(r"^\W*(?:about|on|regarding)\b", " ", rest.strip(), flags=re.I)
    return " ".join(rest.strip(" ,?.").split()) or question


def timeline_topic(question: str) -> str | None:
    """'How did the Notre-Dame fire develop?' -> 'the Notre-Dame fire'; None for other questions."""
    m = _TIMELINE.match(question)
    if not m:
        return None
    topic = (m.group("a") or m.group("b") or m.group("c") or m.group("d") or "").strip()
    return topic or None


@dataclass(frozen=True)
class Plan:
    """What one question asks and how it will be searched and answered."""

    question: str
    search: str  # the text retrieval searches (a follow-up's context first; a timeline's topic)
    context: str = ""  # the earlier user turns a follow-up leans on ('' for a standalone question)
    followup: bool = False
    parts: tuple[str, ...] = ()  # the asks of a question that joins several ("..., and where ...?"), else ()
    context_articles: tuple[str, ...] = ()  # a follow-up's: the articles the last answer cited
    said: str = ""  # a follow-up's: what the last answer said (its sentences are not quoted again)
    speaker_articles: tuple[str, ...] = ()  # a quote question's: the articles quoting its speaker (set by NewsIndex)
    outlets: tuple[str, ...] = ()  # the index's outlets the question names ("What did the BBC report ..."): searched
    # too, a soft signal (set by NewsIndex; an explicit outlet filter wins)
    intent: str = FACTUAL  # factual | quote | timeline | comparison
    wants: frozenset[str] = field(default_factory=frozenset)  # number, date, person, quote
    slot: str | None = None  # the one kind of thing asked for (rag/ask/slots.py): number, date, person, place, ...
    speaker: str | None = None  # whose words a quote question asks for
    topic: str | None = None  # the story a timeline follows, or what a quote question is about
    window: TimeWindow | None = None  # the dates the question names (None with explicit since/until)
    filters: Filters = field(default_factory=Filters)  # explicit filters: since, until, outlets, articles
    k: int = 8  # passages handed to the answerer
    answerer: "LLMSpec | None" = None  # None: the extractive answerer
    today: date = field(default_factory=date.today)  # what "last week" counts back from

    def condensed(self, standalone: str) -> "Plan":
        """The plan after an LLM rewrote the follow-up as a standalone question: search that."""
        return replace(self, search=self.topic if self.intent == TIMELINE else standalone, context="")


def make_plan(
    question: str,
    history: Sequence[Message] | None = None,
    *,
    filters: Filters = Filters(),
    k: int = 8,
    answerer: "LLMSpec | None" = None,
    today: date | None = None,
) -> Plan:
    """The plan for `question` in the conversation `history` ({"role", "content"} messages)."""
    today = today or date.today()
    context = context_for(question, history)
    story = timeline_topic(question)
    who = speaker(question)
    intent = TIMELINE if story else QUOTE if who else COMPARISON_INTENT if COMPARISON.search(question) else FACTUAL
    followup = bool(user_turns(history)) and is_followup(question)
    window = None
    if not (filters.since or filters.until):
        window = parse_time(question, today) or (parse_time(context, today) if context else None)
    return Plan(
        question=question,
        search=story or f"{context} {question}".strip(),
        context=context,
        followup=followup,
        parts=parts if len(parts := parts_of(question)) > 1 else (),
        context_articles=cited_articles(history) if followup else (),
        said=said_before(history) if followup else "",
        intent=intent,
        wants=wants(question),
        slot=slot_of(question),
        speaker=who,
        topic=story or (quote_topic(question) if who else None),
        window=window,
        filters=filters,
        k=TIMELINE_K if story else k,
        answerer=answerer,
        today=today,
    )
