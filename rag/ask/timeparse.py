"""Time in the question, understood in code: "in March 2020", "late January 2019", "last week",
"since Monday", "this year", "between May 2019 and March 2020" -> a published-date window,
resolved against an as-of date. Pure: no I/O, no model.

News is published after the events it reports, so a window that ends in the past is extended by
REPORTING_LAG days at its end.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..lexicon import MONTH_WORD, MONTHS, WEEKDAYS

REPORTING_LAG = 7

_MONTHS = MONTHS
_MONTH = f"({MONTH_WORD})"
_YEAR = r"((?:19|20)\d\d)"
_WEEKDAYS = list(WEEKDAYS)
_PART = r"(early|mid|middle of|late|end of|the end of|the start of|start of|beginning of|the beginning of|first week of|first days of|the first week of|the first days of|last week of|the last week of)"


@dataclass(frozen=True)
class TimeWindow:
    since: date
    until: date
    text: str  # the words of the question it was read from
    year_named: bool = True  # False for a month or season without a year ("in early April"): the latest one was assumed

    def iso(self) -> tuple[str, str]:
        return self.since.isoformat(), self.until.isoformat()


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _part(span: tuple[date, date], part: str | None) -> tuple[date, date]:
    start, end = span
    if not part:
        return span
    part = part.replace("the ", "").replace(" of", "").strip()
    if part in {"early", "start", "beginning"}:
        return start, start + timedelta(days=9)
    if part in {"first week", "first days"}:
        return start, start + timedelta(days=6)
    if part in {"mid", "middle"}:
        return start + timedelta(days=9), start + timedelta(days=20)
    if part in {"late", "end", "last week"}:
        return end - timedelta(days=10 if part != "last week" else 6), end
    return span


def latest_before(window: TimeWindow, last: date) -> TimeWindow:
    """A window whose year was assumed, moved back a year at a time until it starts by `last`
    (the corpus's last date): "early April" asked of a 2019-2020 archive means April 2020."""
    while window.since > last and not window.year_named:
        back = lambda d: d.replace(year=d.year - 1, day=min(d.day, 28) if d.month == 2 else d.day)  # noqa: E731
        window = replace(window, since=back(window.since), until=back(window.until))
    return window


def _lagged(since: date, until: date, as_of: date, text: str) -> TimeWindow:
    return TimeWindow(since, max(since, min(as_of, until + timedelta(days=REPORTING_LAG))), text)


def _month_year(m: re.Match, as_of: date, month_group: int, year_group: int) -> tuple[date, date]:
    month = _MONTHS[m.group(month_group).lower()]
    year = int(m.group(year_group)) if m.group(year_group) else (as_of.year if month <= as_of.month else as_of.year - 1)
    return _month_span(year, month)


_BETWEEN = re.compile(rf"\bbetween {_MONTH}?\s*{_YEAR} and {_MONTH}?\s*{_YEAR}\b", re.I)
_MONTH_YEAR = re.compile(rf"\b(?:{_PART}[\s-]+)?{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?\b", re.I)
_YEAR_ONLY = re.compile(rf"\b(?:in|during|of|since|throughout)\s+{_YEAR}\b", re.I)
_SINCE_WEEKDAY = re.compile(rf"\bsince (?:last )?({'|'.join(_WEEKDAYS)})\b", re.I)
_RELATIVE = re.compile(
    r"\b(today|yesterday|this week|last week|past week|this month|last month|past month|this year|last year|past year)\b"
    r"|\b(?:in the |over the )?(?:last|past) (\d+) (day|week|month)s?\b",
    re.I,
)
# a month word in lower case is a month only after one of these ("in march"; not "the march in London")
_MONTH_CUE = re.compile(r"\b(?:in|of|since|until|till|by|before|after|during|from|through|early|mid|late|last|next|this|"
                        r"every|each|end|start|beginning|middle)\W*$", re.I)
_CHRISTMAS = re.compile(rf"\bchristmas\b(?:[^.?!]*?\b{_YEAR})?", re.I)


def parse_time(question: str, as_of: date) -> TimeWindow | None:
    """The published-date window the question names, or None when it names no time."""
    q = question
    if m := _BETWEEN.search(q):
        a = _month_span(int(m.group(2)), _MONTHS[m.group(1).lower()]) if m.group(1) else (date(int(m.group(2)), 1, 1),) * 2
        b = _month_span(int(m.group(4)), _MONTHS[m.group(3).lower()]) if m.group(3) else (date(int(m.group(4)), 12, 31),) * 2
        return _lagged(a[0], b[1], as_of, m.group(0))
    if m := _RELATIVE.search(q):
        return _relative(m, as_of)
    if m := _SINCE_WEEKDAY.search(q):
        back = (as_of.weekday() - _WEEKDAYS.index(m.group(1).lower())) % 7 or 7
        return TimeWindow(as_of - timedelta(days=back), as_of, m.group(0))
    if m := _CHRISTMAS.search(q):
        year = int(m.group(1)) if m.group(1) else (as_of.year if as_of.month == 12 else as_of.year - 1)
        return _lagged(date(year, 12, 20), date(year + 1, 1, 3), as_of, m.group(0))
    for m in _MONTH_YEAR.finditer(q):
        word = m.group(2)
        if word.lower() == "may" and not m.group(3) and not m.group(1):
            continue  # "may" is usually the verb
        if len(word) <= 4 and word[0].islower():
            continue  # "mar", "dec" in lower case are words, not months
        if word[0].islower() and not (m.group(1) or m.group(3) or _MONTH_CUE.search(q[: m.start()])):
            continue  # "the anti-Brexit march in London" is a march, not March
        since, until = _part(_month_year(m, as_of, 2, 3), m.group(1))
        if m.group(0).lower().startswith("since"):
            return TimeWindow(since, as_of, m.group(0))
        before = q[max(0, m.start() - 6) : m.start()].lower()
        if "since" in before:
            return TimeWindow(since, as_of, "since " + m.group(0))
        return replace(_lagged(since, until, as_of, m.group(0)), year_named=bool(m.group(3)))
    if m := _YEAR_ONLY.search(q):
        year = int(m.group(1))
        if m.group(0).lower().startswith("since"):
            return TimeWindow(date(year, 1, 1), as_of, m.group(0))
        return _lagged(date(year, 1, 1), date(year, 12, 31), as_of, m.group(0))
    return None


def _relative(m: re.Match, as_of: date) -> TimeWindow:
    word = (m.group(1) or "").lower()
    if m.group(2):
        n, unit = int(m.group(2)), m.group(3).lower()
        days = n * {"day": 1, "week": 7, "month": 30}[unit]
        return TimeWindow(as_of - timedelta(days=days), as_of, m.group(0))
    if word == "today":
        return TimeWindow(as_of, as_of, word)
    if word == "yesterday":
        return TimeWindow(as_of - timedelta(days=1), as_of, word)
    if word == "this week":
        return TimeWindow(as_of - timedelta(days=as_of.weekday()), as_of, word)
    if word in {"last week", "past week"}:
        return TimeWindow(as_of - timedelta(days=7), as_of, word)
    if word == "this month":
        return TimeWindow(as_of.replace(day=1), as_of, word)
    if word in {"last month", "past month"}:
        start = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
        return TimeWindow(start, as_of, word) if word == "past month" else _lagged(*_month_span(start.year, start.month), as_of, word)
    if word == "this year":
        return TimeWindow(date(as_of.year, 1, 1), as_of, word)
    if word == "past year":
        return TimeWindow(as_of - timedelta(days=365), as_of, word)
    return _lagged(date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31), as_of, word)  # last year
