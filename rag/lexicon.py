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

# What people are called by what they do: a question asks for one ("which journalist"), an article
# names one before a name ("Actress Denise Crosby") and then calls the person by it ("the actress said").
OCCUPATIONS = frozenset("""actor actress singer author writer journalist reporter athlete coach driver pilot
    scientist researcher doctor founder owner captain footballer musician artist lawyer officer commander
    engineer astronaut student teacher priest bishop archbishop cardinal presenter host prosecutor activist
    economist analyst historian photographer filmmaker director producer rapper comedian model chef designer
    player manager nurse surgeon professor explorer climber sailor soldier veteran farmer""".split())

# What a person does in words: "what did X <verb>?" asks for a quotation (rag/ask/plan.py, slots.py).
SAY_VERBS = ("say|tell|write|conclude|warn|describe|react|respond|compare|give|call|ask|urge|promise|claim|argue|"
             "suggest|predict|insist|admit|deny|vow|demand|propose|recommend|tweet|post")

# words that make a capitalised name an organisation's or a place's, never a person's ("London Fire
# Brigade", "Kamloops Police"): read by the quotation attributor and the "who" slot
ORG_WORDS = frozenset(
    """international organization organisation ministry department committee council party service
    police university institute agency association union commission office court group company
    corporation inc ltd llc times news post press network foundation bank fund government army forces
    force navy guard board authority centre center society church club league federation assembly
    parliament congress senate house airlines airways games fc team campaign watch reuters bbc cnn
    street city county island islands republic states kingdom province region river mountain lake bay
    sea ocean airport station hospital school college park hall square road avenue museum embassy
    kremlin commonwealth coalition alliance network movement front brigade unit nations world
    administration cabinet channel radio television tv magazine journal herald telegraph guardian
    observer tribune""".split()
)
