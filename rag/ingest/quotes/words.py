"""The word lists the quotation extractor reads sentences with, and the verb tests built on them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...lexicon import MONTH_NAMES, ORG_WORDS, WEEKDAYS

if TYPE_CHECKING:
    from .parts import Tok

MIN_WORDS = 4  # shorter quotations are scare quotes unless a reporting verb attributes them directly
DIRECT_GAP = 3  # words allowed between a reporting verb and the quotation it attributes directly

FINITE = frozenset(
    """said says say told tells added adds stated states asked asks replied replies explained explains
    wrote writes warned warns noted notes insisted insists claimed claims announced announces continued
    continues declared declares commented comments tweeted tweets recalled recalls argued argues
    responded responds remarked remarks admitted admits acknowledged acknowledges confirmed confirms
    stressed stresses emphasized emphasised emphasizes emphasises urged urges concluded concludes
    elaborated observed observes quipped joked conceded concedes vowed vows promised promises
    predicted predicts revealed reveals testified reiterated reiterates countered cautioned pleaded
    shouted exclaimed spoke speaks posted posts described describes called calls criticized
    criticised criticizes criticises suggested suggests mentioned mentions agreed agrees add lauded
    praised praises alleged alleges expressed accused accuses labelled labeled dubbed branded hailed
    slammed denounced condemned thanked apologised apologized talked""".split()
)
PARTICIPLE = frozenset(
    """saying adding telling stating noting writing explaining warning asking calling describing
    arguing declaring tweeting claiming insisting stressing emphasizing emphasising urging
    recalling announcing commenting replying responding concluding""".split()
)
# `"...," said Smith` is English; `"...," told Smith` and `"...," called Smith` are not.
INVERTIBLE = FINITE - frozenset(
    """say add told tells called calls described describes criticized criticised criticizes criticises urged
    urges promised promises lauded praised praises alleged alleges expressed accused accuses labelled labeled
    dubbed branded hailed slammed denounced condemned thanked apologised apologized talked""".split()
)
IRREGULAR = frozenset(
    """spoke gave made took went held met began led sent saw came won lost became left put kept paid
    thought felt brought found got ran stood heard knew meant rose fell chose drew flew grew let hit
    sold spent struck threw understood wore withdrew is was are were has had""".split()
)
SKIP_BEFORE_VERB = frozenset(
    """also has had have later then once further previously reportedly again subsequently earlier
    recently yesterday today tonight would will already still first last""".split()
)
PRONOUNS = frozenset({"he", "she", "they"})
PREPOSITIONS = frozenset(
    """of for at from in with by to on about into under over near via against among between during
    after before while when as since than""".split()
)
CONJUNCTIONS = frozenset({"and", "but", "or", "nor", "as", "while", "when", "after", "before", "because",
                           "if", "then", "so", "which", "who", "that", "whom", "whose", "where"})
FUNCTION = frozenset(
    """the a an this that these those his her their its our my your but and or so yet however meanwhile
    also then when while after before in on at as if although though since during following despite
    because both some many most other another one two three speaking asked according separately
    earlier later yesterday today instead""".split()
)
TITLES = frozenset(
    """president vice prime minister secretary chancellor premier governor mayor senator sen rep
    representative congressman congresswoman mr mrs ms miss dr doctor prof professor sir dame lord lady
    king queen prince princess pope archbishop bishop cardinal reverend rev father rabbi imam sheikh
    general gen lt lieutenant colonel col captain capt admiral commander sergeant sgt officer detective
    inspector superintendent chief judge justice attorney ambassador commissioner director chairman
    chairwoman chair ceo spokesman spokeswoman spokesperson leader speaker deputy coach manager head
    executive founder candidate nominee former acting state councillor councilor legislator
    lawmaker mp mep assemblywoman assemblyman assemblymember councilwoman councilman alderman
    congressperson democrat republican sheriff commandant constable warden dean pastor priest cleric
    ayatollah emir sultan secretary-general director-general attorney-general governor-general
    chancellor-elect president-elect treasurer consul envoy marshal""".split()
)
PARTICLES = frozenset({"de", "la", "le", "van", "von", "der", "den", "ter", "bin", "ibn", "al", "da", "di",
                        "du", "del", "dos", "das", "do", "y", "st"})
TIME = frozenset([*WEEKDAYS, *MONTH_NAMES, "christmas", "easter"])
ORG = ORG_WORDS
QUANTITIES = frozenset(
    "many some all few several most million thousand hundred thousands millions hundreds dozens two three four five "
    "other fellow".split()
)
DETERMINERS = frozenset(
    "the a an his her their its our my your this that these those some many such in of with by for from on at".split()
)
# After a quotation that ended its sentence, only these make the next words an attribution.
CORE = frozenset(
    """said says told tells added adds asked asks replied replies wrote writes explained continued tweeted
    noted stated recalled remarked insisted warned declared commented concluded quipped responded
    announced""".split()
)
AUXILIARIES = frozenset({"has", "have", "had", "is", "are", "was", "were", "will", "would", "be", "been"})
PLACE_PREPOSITIONS = frozenset(
    "in at from to near across throughout outside inside into around of via towards toward".split()
)
# Words before a quotation that mention it rather than quote someone ('the term "natural born Citizen"').
MENTION = frozenset(
    """term terms word words phrase slogan slogans hashtag title titled entitled headline headlined motto
    name named nicknamed codenamed album book film song series show documentary sign banner displays display
    displayed displaying reads read reading shows showed showing""".split()
)
DOCUMENTS = frozenset("""amendment act constitution bill law report statement order decree resolution ruling
    judgment judgement verdict study survey warning letter memo notice treaty agreement declaration""".split())
OF = frozenset({"of", "on", "for"})
WHEN = frozenset({"on", "last", "this", "late", "early", "earlier"})
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col",
                            "capt", "prof", "rev", "sgt", "mt", "ft", "no", "vs"})

MARK = re.compile(r"[\"“”]")
TOKEN = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?|\d[\w.,]*\w|\d|[^\w\s]")
SPEAKER_LABEL = re.compile(r"\(\([^()\n]*\)\)")  # Wikinews interviews: ((Name)) before each answer
CLOSERS = ".,;:!?)]}—–-'’…"
OPENERS = "([{—–-/:;,"


def participle(low: str) -> bool:
    """'saying', 'adding', 'remarking', 'describing': the -ing form of a reporting verb."""
    if low in PARTICIPLE:
        return True
    if not low.endswith("ing") or len(low) < 6:
        return False
    stem = low[:-3]
    return any(stem + ending in FINITE for ending in ("ed", "s", "es"))  # describ-ed, say-s, writ-es


def finite(low: str) -> bool:
    """A finite verb, or as likely as not one ('criticised', 'took')."""
    return low in FINITE or low in IRREGULAR or (low.endswith("ed") and len(low) > 4)


def verbish(low: str) -> bool:
    return finite(low) or participle(low)


def adverb(tok: Tok) -> bool:
    """'also', 'further', 'publicly': words between a subject (or a comma) and its verb."""
    return tok.lower_word() and (tok.low in SKIP_BEFORE_VERB or tok.low == "further" or tok.low.endswith("ly"))


def is_verb(tok: Tok, verbs: frozenset[str]) -> bool:
    return tok.lower_word() and tok.low in verbs


# A role named instead of a person ("the Russian president said", "the Kremlin boss"): the head
# words that stand for whoever leads, the titles such a head can be, and places that stand for
# their leadership (metonyms) with the qualifier a title of theirs carries.
HEADS = frozenset({"leader", "boss", "chief", "head"})
HEAD_TITLES = frozenset({"president", "premier", "chancellor", "king", "queen", "emir", "sultan", "ceo",
                         "executive", "chairman", "chairwoman", "leader", "head", "chief"})
METONYMS = {"kremlin": "russian", "élysée": "french", "elysee": "french", "downing": "british",
            "pentagon": "defense", "vatican": "pope"}
MESSAGE_VERBS = frozenset({"sent", "issued", "delivered", "conveyed", "gave", "posted", "published"})
MESSAGE_NOUNS = frozenset({"message", "warning", "statement", "signal", "letter", "note", "ultimatum", "reminder"})
GENERIC_OWNERS = frozenset({"company's", "country's", "party's", "state's", "government's", "club's", "team's",
                            "firm's", "group's", "city's", "nation's", "network's", "agency's", "organisation's",
                            "organization's", "university's", "company’s", "country’s", "party’s"})
# participles that report speech outright: after an object, their subject is the sentence's
REPORTING_PARTICIPLES = frozenset({"saying", "adding", "writing", "stating", "noting", "explaining", "tweeting"})
