"""Sources that disagree: different figures for the same thing (deaths, injuries, counts,
amounts) in passages of different articles about the same story, and reports that say the
same thing but give a fact differently ("... at Raymond James Stadium in Tampa, Florida" against
"... at Raymond James Stadium in Glendale, Arizona").

A figure is a number with what it counts next to it ("39 dead", "killed 41 people", "the death
toll rose to 41", "$2.5 million"). Two figures disagree when they count the same kind of thing,
come from different articles that both cover the question, and differ. The answer then cites
both and says which report is later (news tolls are revised: the later one is usually the one
to trust, but both are shown).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..lexicon import MONTH_ABBREVIATIONS, UNITS, WEEKDAYS
from ..text import alike, fact_difference
from ..types import Citation

MARGIN = 0.15  # a rival report must score this close to the best to be compared (extractive and quotes)
PARALLEL = 0.6  # share of wording two reports' sentences must share to be the same statement

WORD_NUMBERS = UNITS  # "zero" ... "twenty"
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
_MONTH_STEM = "|".join(MONTH_ABBREVIATIONS[:12])  # jan ... dec: the start of every month's name
_MONTHS = re.compile(rf"\b(?:{_MONTH_STEM})[a-z]*\.?\s*$", re.I)
_MONTH_AFTER = re.compile(rf"\s*(?:{_MONTH_STEM})", re.I)


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
        if _MONTHS.search(before) or _MONTH_AFTER.match(sentence[m.end():]):
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
    from ..text import tokenize

    return len(set(tokenize(title)) & set(tokenize(other))) >= 2


@dataclass(frozen=True)
class Report:
    """One passage sentence that may give a figure: where it comes from, when it was published,
    and how to cite it if the answer doesn't yet."""

    sentence: str
    article_id: str
    published: str | None
    title: str = ""
    citation: Citation | None = field(default=None, compare=False)


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


def value_note(a: tuple[str, int, str | None], b: tuple[str, int, str | None]) -> str:
    """'Reports differ: “Tampa, Florida” [1] (2021-02-08) against “Glendale, Arizona” [2]; ...'"""
    (va, na, da), (vb, nb, db) = a, b
    text = (f"Reports differ: “{va}” [{na}]" + (f" ({da})" if da else "") +
            f" against “{vb}” [{nb}]" + (f" ({db})" if db else ""))
    if da and db and da != db:
        later_n, later = (nb, vb) if db > da else (na, va)
        return text + f"; the later report [{later_n}] gives “{later}”."
    return text + "; neither is later."


def disagreements(
    stated: Sequence[Report], rivals: Sequence[Report], citations: list[Citation], *,
    same_story_only: bool = False, most: int | None = None,
) -> list[str]:
    """Notes for figures that a report the answer states and a rival report of another article
    give differently (one per kind of figure), and for a rival that says the same as a stated
    report but gives a fact differently (one such note); at most `most` in all. Both reports are
    cited (a rival the answer doesn't cite yet is appended to `citations`). With
    `same_story_only`, a rival's figures count only when its headline shares two words with the
    stated report's (the same story, not a sister incident)."""
    notes: list[str] = []
    done: set[str] = set()

    def number(r: Report) -> int:
        c = r.citation
        assert c is not None, "a report is compared only when it can be cited"
        for have in citations:
            if (have.article_id, have.start) == (c.article_id, c.start):
                return have.n
        citations.append(replace(c, n=len(citations) + 1))
        return len(citations)

    def full() -> bool:
        return most is not None and len(notes) >= most

    for mine in stated:
        others = [o for o in rivals if o.article_id != mine.article_id]
        story = [o for o in others if not same_story_only or same_story(mine.title, o.title)]
        for kind, fig, other, theirs in conflicts(mine, story):
            if kind in done or full():
                continue
            done.add(kind)
            notes.append(note(kind, (fig, number(mine), mine.published), (theirs, number(other), other.published)))
        for other in others:
            if "fact" in done or full() or alike(mine.sentence, other.sentence) < PARALLEL:
                continue
            found = fact_difference(mine.sentence, other.sentence)
            if found and not _counted(found, notes) and not any(_RELATIVE.fullmatch(side) for side in found):
                done.add("fact")
                notes.append(value_note((found[0], number(mine), mine.published),
                                        (found[1], number(other), other.published)))
    return notes


# When a report is dated by its publication, "on Friday" in one and "last week" in another,
# published days apart, can be the same day: a relative time is no fact to disagree on.
_RELATIVE = re.compile(rf"(?:(?:on|last|this|next|early|late|earlier|later|the|-)\s*)*"
                       rf"(?:{'|'.join(WEEKDAYS)}|yesterday|today|tonight|week|weekend|month|year|morning|evening|"
                       rf"night|afternoon|-)?(?:\s+(?:morning|evening|night|afternoon))?", re.I)


def _counted(found: tuple[str, str], notes: Sequence[str]) -> bool:
    """The difference is a figure a note already gives ('39' against '41')."""
    return any(f"{found[0]} [" in n and f"{found[1]} [" in n for n in notes)
