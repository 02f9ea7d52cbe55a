"""The word lists more than one step needs, kept once: months, weekdays, number words.

Pure data and the regular expressions built from it; no I/O.
"""

from __future__ import annotations

import calendar

MONTH_NAMES = tuple(m.lower() for m in calendar.month_name if m)  # january ... december
MONTH_ABBREVIATIONS = tuple(m.lower() for m in calendar.month_abbr if m) + ("sept",)  # jan ... dec, sept
MONTHS = {name: i for i, name in enumerate(MONTH_NAMES, 1)}  # "january" -> 1, "jan" -> 1, "sept" -> 9
MONTHS.update({abbr: i for i, abbr in enumerate(MONTH_ABBREVIATIONS[:12], 1)})
MONTHS["sept"] = 9
WEEKDAYS = tuple(d.lower() for d in calendar.day_name)  # monday ... sunday

MONTH_NAME = "|".join(MONTH_NAMES)  # for regular expressions: full names only
MONTH_WORD = "|".join(MONTH_NAMES + MONTH_ABBREVIATIONS)  # full names and abbreviations
WEEKDAY = "|".join(WEEKDAYS)

# Number words as news writes counts: "twelve people", "thirty-nine", "a dozen".
UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
ORDINALS = {"first": 1, "second": 2, "third": 3}
NUMBER_WORDS = {**UNITS, **TENS, "hundred": 100, "dozen": 12}  # every word that is a number by itself
