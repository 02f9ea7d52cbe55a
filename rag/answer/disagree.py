"""Sources that disagree: different figures for the same thing (deaths, injuries, counts,
amounts) in passages of different articles about the same story.

A figure is a number with what it counts next to it ("39 dead", "killed 41 people", "the death
toll rose to 41", "$2.5 million"). Two figures disagree when they count the same kind of thing,
come from different articles that both cover the question, and differ. The answer then cites
both and says which report is later (news tolls are revised: the later one is usually the one
to trust, but both are shown).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..types import Citation

MARGIN = 0.15  # a rival report must score this close to the best to be compared (extractive and quotes)

WORD_NUMBERS = {w: i for i, w in enumerate(  # also read by verify.py
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "m": 1e6, "bn": 1e9}
_NUMBER = re.compile(
    r"(?<![\w.:/-])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(WORD_NUMBERS) + r")"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|bn|m)\b)?(?![\w:/-]|\.\d)",
    re.I,
)
# what a figure counts, read from the words around it; the first kind that matches wins
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("deaths", re.compile(r"\b(?:dead|deaths?|died|kill\w*|fatalities|lives|death toll|bodies|toll)\b", re.I)),
    ("injured", re.compile(r"\b(?:injur\w*|wounded|hurt|hospitali[sz]ed)\b", re.I)),
    ("missing", re.compile(r"\bmissing\b", re.I)),
    ("arrests", re.compile(r"\b(?:arrested|arrests|detained)\b", re.I)),
    ("cases", re.compile(r"\b(?:cases|infections|infected|tested positive)\b", re.I)),
    ("money", re.compile(r"[$€£]|\b(?:dollars|euros|pounds|yuan|rupees|kroner)\b", re.I)),
    ("percent", re.compile(r"%|\bper ?cent\b", re.I)),
    ("votes", re.compile(r"\bvotes\b", re.I)),
    ("people", re.compile(r"\b(?:people|persons|passengers|residents|protesters|demonstrators|visitors|workers|"
                          r"students|children|survivors|troops|soldiers)\b", re.I)),
]
LABEL = {"deaths": "the number of deaths", "injured": "the number injured", "missing": "the number missing",
         "arrests": "the number of arrests", "cases": "the number of cases", "money": "the amount",
         "percent": "the percentage", "votes": "the vote count", "people": "the number of people"}
_CLAUSE = re.compile(r"[,;:]\s|\s(?:and|but|while|whereas)\s")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)


@dataclass(frozen=True)
class Figure:
    kind: str
    value: float
    raw: str  # as written: "39", "41", "2.5 million"
    start: int  # offsets in the sentence
    end: int


def figures(sentence: str) -> list[Figure]:
    """The counted figures of a sentence (years, dates and clock times are not figures)."""
    out = []
    for m in _NUMBER.finditer(sentence):
        raw_num = m.group("num").lower()
        if _YEAR.match(raw_num) and not m.group("scale"):
            continue
        before = sentence[max(0, m.start() - 40):m.start()]
        if _MONTHS.search(before) or re.match(r"\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", sentence[m.end():], re.I):
            continue  # "January 4", "4 January"
        value = float(WORD_NUMBERS.get(raw_num, None) if raw_num in WORD_NUMBERS else raw_num.replace(",", ""))
        value *= _SCALE.get((m.group("scale") or "").lower(), 1)
        before = _CLAUSE.split(before)[-1]  # what a figure counts is said in its own clause
        after = _CLAUSE.split(sentence[m.end():])[0]
        kind = _kind(" ".join(before.split()[-4:]), " ".join(after.split()[:5]))
        if kind:
            out.append(Figure(kind, value, m.group().strip(), m.start(), m.end()))
    return out


def _kind(before: str, after: str) -> str | None:
    """The kind whose word sits closest to the number (after it on a tie: '12 injured'); the
    generic 'people' only when nothing more specific is near ('39 people were killed': deaths)."""
    best: tuple[int, int, str] | None = None
    for order, (kind, rx) in enumerate(KINDS):
        if kind == "people" and best is not None:
            break
        distances = [m.start() for m in rx.finditer(after)] + [len(before) - m.end() + 1 for m in rx.finditer(before)]
        if distances and (best is None or (min(distances), order) < best[:2]):
            best = (min(distances), order, kind)
    return best[2] if best else None


def same_story(title: str, other: str) -> bool:
    """Two headlines about the same story share at least two content words ("Magnitogorsk",
    "explosion"); one shared word ("COVID-19") is too common a link."""
    from ..bm25 import tokenize

    return len(set(tokenize(title)) & set(tokenize(other))) >= 2


@dataclass(frozen=True)
class Report:
    """One passage sentence that gives a figure: where it is cited from and when it was published."""

    sentence: str
    article_id: str
    published: str | None


def conflicts(first: Report, others: Sequence[Report]) -> list[tuple[str, Figure, Report, Figure]]:
    """(kind, figure in `first`, other report, its different figure) for each kind `first` counts
    that another article's report counts differently (the first such report per kind)."""
    found = []
    mine = {f.kind: f for f in reversed(figures(first.sentence))}
    for kind, fig in mine.items():
        for other in others:
            if other.article_id == first.article_id:
                continue
            theirs = next((f for f in figures(other.sentence) if f.kind == kind), None)
            if theirs and theirs.value != fig.value:
                found.append((kind, fig, other, theirs))
                break
    return found


def note(kind: str, a: tuple[Figure, int, str | None], b: tuple[Figure, int, str | None]) -> str:
    """'Reports differ on the number of deaths: 39 [1] (2019-01-01) against 41 [2] (2019-01-03);
    the later report [2] gives 41.'"""
    (fa, na, da), (fb, nb, db) = a, b
    text = (f"Reports differ on {LABEL[kind]}: {fa.raw} [{na}]" + (f" ({da})" if da else "") +
            f" against {fb.raw} [{nb}]" + (f" ({db})" if db else ""))
    if da and db and da != db:
        later_n, later_fig = (nb, fb) if db > da else (na, fa)
        text += f"; the later report [{later_n}] gives {later_fig.raw}."
    else:
        text += "; neither is later."
    return text


def among(citations: Sequence[Citation]) -> list[str]:
    """Notes for figures the cited quotes of different articles give differently (one per kind)."""
    notes, done = [], set()
    reports = [Report(c.quote, c.article_id, c.published) for c in citations]
    for c, mine in zip(citations, reports):
        for kind, fig, other, theirs in conflicts(mine, reports):
            if kind not in done:
                done.add(kind)
                o = citations[reports.index(other)]
                notes.append(note(kind, (fig, c.n, c.published), (theirs, o.n, o.published)))
    return notes
