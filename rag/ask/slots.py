"""What kind of thing a question asks for (its slot), and whether a sentence holds one.

    slot_of("How many people died in Magnitogorsk?")       -> "number"
    slot_of("Which US state had the highest rate?")         -> "place"
    slot_of("Super Bowl 2021 location")                     -> "place"   (a keyword query)
    holds("place", "The highest rate was in Alaska.", q)     -> True

A sentence holds the slot when it has something of that kind that the question itself doesn't
already name: a sentence that restates the question ("the study found a link between ...") is
not the one that says where, how many or who. Everything here is wording, read by regular
expressions and word lists (rag/lexicon.py); no model.
"""

from __future__ import annotations

import re

from ..lexicon import MONTH_NAME, NUMBER_WORDS, ORG_WORDS, SAY_VERBS, SCALES, WEEKDAY
from ..text import seen_lowercase, tokenize

NUMBER, DATE, PERSON, PLACE, ORG, NAME, REASON, QUOTE = (
    "number", "date", "person", "place", "org", "name", "reason", "quote")

_PERSON_NOUNS = frozenset("""person people man woman men women boy girl player leader minister politician official
    president chancellor governor mayor senator ceo executive chairman director judge actor actress singer author
    writer journalist reporter athlete coach driver pilot suspect victim winner candidate spokesperson spokesman
    spokeswoman scientist researcher doctor founder owner king queen pope captain footballer musician artist lawyer
    officer commander general head boss manager survivor engineer astronaut student teacher priest bishop cardinal
    nominee successor predecessor presenter host prosecutor activist relative son daughter wife husband
    mother father brother sister child""".split())
_PLACE_NOUNS = frozenset("""country countries state states city cities town village region province county district
    island islands capital nation location venue place airport port site area continent river mountain stadium
    neighbourhood neighborhood territory municipality prefecture sea lake ocean border hometown base camp facility
    building hotel prison street square park valley coast beach station avenue road lane drive boulevard highway
    motorway bridge tower hall church cathedral mosque temple museum centre center mall market underground
    line lines gulf bay peninsula desert forest reserve""".split())
_ORG_NOUNS = frozenset("""company companies organisation organization party group team agency airline charity club
    university network newspaper firm bank court union ministry department body institution brand carrier
    manufacturer broadcaster outlet publication school hospital militia government regulator authority retailer
    league federation association committee council band label studio channel side franchise""".split())
_NAME_NOUNS = frozenset("""hurricane typhoon storm cyclone ship vessel boat tanker film movie book song album show
    series aircraft plane satellite spacecraft rocket virus variant drug vaccine law bill act treaty operation
    game novel painting prize award title species disease star planet asteroid comet""".split())
_NUMBER_NOUNS = frozenset("""times time score scores age amount price cost rate population size distance height speed
    magnitude temperature total figure toll sum salary budget value margin majority tally count length weight fine
    ransom reward percentage share number""".split())
_DATE_NOUNS = frozenset("year date day month decade century".split())
_NOUN_SLOTS = [(_PERSON_NOUNS, "person"), (_PLACE_NOUNS, "place"), (_ORG_NOUNS, "org"), (_NAME_NOUNS, "name"),
               (_NUMBER_NOUNS, "number"), (_DATE_NOUNS, "date")]
# words that end the noun phrase after which/what: the verb or preposition that follows it
_PHRASE_END = frozenset("""is are was were be been did do does had has have will would can could should may might
    in of at on to for by from with that who which whose after before during as than when where while did
    about over under into per""".split())

_QUOTE_Q = re.compile(rf"\bwhat did .+ (?:{SAY_VERBS})\b|\bhow did .+ (?:describe|react|respond)\b|"
                      r"\bwhat (?:word|words|term|phrase) did .+ use\b|"
                      r"\bwhat warning\b|\bview of\b|\breaction to\b", re.I)
_REASON_Q = re.compile(r"^\W*why\b|\bwhat (?:caused|causes|started|sparked|led to|prompted|triggered)\b|\bfor what reason\b|"
                       r"\bhow come\b|\bdie[ds]? (?:of|from)\b|\bcause of\b", re.I)
_DATE_Q = re.compile(r"^\W*when\b(?! \w+ (?:announced|said))|\bwhen (?:did|was|were|is|will|does|had|has)\b|\bon what (?:date|day)\b|"
                     r"\bsince when\b|\bhow long ago\b", re.I)
_NUMBER_Q = re.compile(r"\bhow (?:many|much|old|long|far|fast|large|big|high|tall|deep|heavy|often)\b|"
                       r"\b(?:death toll|number of|percentage of|proportion of|share of)\b", re.I)
_PERSON_Q = re.compile(r"^\W*(?:who|whom)\b|\bwho (?:was|were|is|are|did|has|had|will)\b|\bwhose\b", re.I)
_PLACE_Q = re.compile(r"^\W*where\b|\bwhere (?:did|was|were|is|are|will|does|do|had|has)\b", re.I)
_NAME_Q = re.compile(r"\bwhat (?:was|is|were|are) (?:it|they|the [\w-]+(?: [\w-]+)?) (?:called|named|known as)\b|"
                     r"\b(?:what|which) name\b|\bname of\b|\bwhat (?:was|is) the (?:title|name)\b|\bcalled what\b", re.I)
_WH_PHRASE = re.compile(r"\b(?:which|what|whose)\s+((?:[\w'’-]+(?:\s+|$)){1,9})", re.I)
_ACCORDING = re.compile(r"^\W*according to [^,]+,\s*", re.I)
_QUESTION_START = re.compile(r"^\W*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|did|does|do|"
                             r"has|have|had|can|could|will|would|in|on|at|around|according|once|before|after)\b", re.I)


def _phrase_slot(phrase: str) -> str | None:
    """The slot the head of a noun phrase names ('African Union member state' -> place): the last
    word that names a kind, before the phrase's verb or preposition."""
    found = None
    words = phrase.split()
    if len(words) > 1 and words[0].lower() in ("is", "was", "are", "were") and words[1].lower() in ("the", "a", "an"):
        words = words[2:]  # "what was the price of ...": the noun after the copula
    for word in words:
        low = re.sub(r"['’]s$", "", word.lower())
        if low in _PHRASE_END or (found and _VERB.fullmatch(word)):
            break  # "which city hosted the Olympic games": the head is city, not games
        for nouns, slot in _NOUN_SLOTS:
            if low in nouns or (low.endswith("s") and low[:-1] in nouns):
                found = slot
                break
    return found


# a lower-case past tense after the head noun ends its phrase (a few irregular ones by name)
_VERB = re.compile(r"[a-z]{3,}ed|won|beat|took|made|became|led|saw|hit|struck|left|came|sold|bought|held|ran|built|"
                   r"began|broke|chose|fought|found|lost|met|paid|said|told|wrote|gave|sent|shot|stole")
_NAME_OF = re.compile(r"\bname\s+(?:of\s+)?((?:[\w'’-]+(?:\s+|$)){1,6})", re.I)
_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+([\w'’-]+(?:\s+[\w'’-]+){0,3})", re.I)  # up to 4 words, not past punctuation
_TOLL = re.compile(r"\b(?:death|casualty) toll\b|\bnumber of (?:deaths|dead|fatalities|victims)\b", re.I)
_GENERIC_COUNTS = frozenset("people persons times others more of the a an in".split())
_MONEY_WORDS = frozenset("money cash fine fines ransom reward salary price cost bail damages compensation funding "
                         "aid budget debt".split())
_MONEY = re.compile(r"[$£€¥₹]|\b(?:dollars?|pounds?|euros?|yuan|yen|rupees?|roubles?|rubles?|francs?|pesos?)\b", re.I)


def counted(question: str) -> set[str]:
    """The words of what a "how many/much" question counts ("how many proteins unique to ..." ->
    {"proteins", "unique"}; "how much hush money" -> {"hush", "money"}); empty for people, times."""
    m = _HOW_MANY.search(question)
    words: set[str] = {"died"} if _TOLL.search(question) else set()  # a toll counts deaths
    for word in (m.group(1).split() if m else ()):
        low = word.lower()
        if low in _PHRASE_END:
            break
        words.add(low)
    return words - _GENERIC_COUNTS


def slot_of(question: str) -> str | None:
    """The kind of thing `question` asks for, or None when it asks for a description or a thing."""
    rest = _ACCORDING.sub("", question) or question  # "According to X, in what car ...": the rest asks
    if (m := _NAME_OF.search(rest)) and _phrase_slot(m.group(1)) == PERSON:
        return PERSON  # "the name of the driver" asks who
    if _QUOTE_Q.search(rest) or (rest == question and re.match(r"^\W*according to\b", question, re.I)):
        return "quote"
    for rx, slot in ((_REASON_Q, "reason"), (_NAME_Q, "name"), (_NUMBER_Q, "number"), (_PERSON_Q, "person"),
                     (_PLACE_Q, "place"), (_DATE_Q, "date")):
        if rx.search(rest):
            return slot
    for m in _WH_PHRASE.finditer(rest):
        slot = _phrase_slot(m.group(1))
        if slot:
            return slot
    if not _QUESTION_START.match(rest):  # a keyword query ("Super Bowl 2021 location"): its last kind noun
        found = [slot for word in re.findall(r"[\w'’-]+", rest) for nouns, slot in _NOUN_SLOTS if word.lower() in nouns]
        if re.search(r"\b(?:where|location|venue)\b", rest, re.I):
            return "place"
        if re.search(r"\b(?:winner|champion|who)\b", rest, re.I):
            return "name"
        return found[-1] if found else None
    return None


_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_NUMBER = re.compile(r"(?<![\w.])(?:\d[\d,.]*\d|\d)(?:\s*(?:%|per ?cent))?|\b(?:"
                     + "|".join([*NUMBER_WORDS, *SCALES, "dozens", "hundreds", "thousands", "millions"]) + r")\b", re.I)
_DATE = re.compile(rf"\b(?:{MONTH_NAME}|{WEEKDAY}|yesterday|today|tonight|tomorrow|(?:last|this|next) (?:week|month|year))\b"
                   rf"|\b(?:within|in|by|after|for|over) (?:a|an|the next|the coming|\d+|{'|'.join(NUMBER_WORDS)})"
                   r"(?: \w+)? (?:hours?|days?|weeks?|months?|years?|decades?)\b"
                   r"|\b(?:1[89]|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)\b", re.I)
_CAP = r"[A-Z][\w'’.-]*[\w]"
_SPAN = re.compile(rf"{_CAP}(?:\s+(?:(?:of|de|da|del|van|von|al|bin|la|le|the|and|&)\s+)?{_CAP})*")
_LOCATIVE = re.compile(r"\b(?:in|at|from|near|to|into|across|outside|off|inside|around|throughout|across)\s+(?:the\s+)?$")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_ORG_WORD = re.compile(r"\b(?:" + "|".join(sorted(_ORG_NOUNS)) + r"|inc|ltd|corp|corporation|foundation|institute|"
                       r"service|office|commission|forces?|army|police|news|times|post|airlines?|airways)\b", re.I)
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|President|Prime Minister|Minister|Senator|Governor|Mayor|King|Queen|"
                    r"Pope|Judge|Chancellor|General|Captain|Sir|Dame|Lord|Lady|Chief|Director|Chairman|Secretary)\.?\s+$")
_REASON = re.compile(r"\b(?:because|due to|as a result|owing to|caused by|after|following|amid|in response to|"
                     r"in protest|since|so that|in order to|led to|resulted in|blamed|citing|over)\b", re.I)
_AND = re.compile(r"\s+(?:and|&)\s+")
# what a person's name never holds: an article or preposition opening it, a compass point closing it,
# a news agency's word
_NOT_A_NAME = re.compile(r"^(?:The|In|At|On|From|For|By|With|To)\s|\s(?:North|South|East|West|Central)$"
                         r"|\b(?:Press|Presse|Agence|Agency|Media|Network)\b")
_CONTEST_Q = re.compile(r"^\W*(?:who|which\s+[\w-]+)\s+(?:won|wins|beat|defeated|acquired|bought|purchased|took over|lost|hosted|claimed|"
                        r"clinched|(?:was|were|is|are)\s+(?:the\s+)?(?:runners?-up|winners?|champions?|finalists?))\b", re.I)
_COUNT_Q = re.compile(r"\bhow many\b|\bnumber of\b|\btoll\b", re.I)
_MODIFIER = re.compile(r"-[a-z]")  # "a ten-storey building", "the three-year-old": a modifier, not a count
_LINKS = frozenset("of de da del van von al bin la le the and &".split())
_SENTENCE_START = re.compile(r"^\W*$")


def _new(found: str, asked: set[str]) -> bool:
    """`found` says something the question doesn't: one of its words is not the question's."""
    return bool(set(tokenize(found)) - asked) if tokenize(found) else False


def _spans(sentence: str) -> list[tuple[str, str]]:
    """(text before, capitalised span) for every run of capitalised words not opening the sentence."""
    out = []
    for m in _SPAN.finditer(sentence):
        before = sentence[: m.start()]
        if _SENTENCE_START.match(before):  # the first word of a sentence is capitalised anyway
            words = m.group().split()
            if len(words) < 2:
                continue
        out.append((before, m.group()))
    return out


def _person(before: str, span: str) -> bool:
    """A capitalised span reads as a person's name: a title before it, or two or more words that
    are not an organisation's or a place's, not dates, and not opened by a common word."""
    first, *rest = span.split()
    if _TITLE.search(before) or (rest and _TITLE.search(f"{first} ")):
        return True  # "President Putin", "Senator Bernie Sanders"
    if _AND.search(span):  # "Biden and Senator Bernie Sanders": each side on its own
        return any(_person(before if i == 0 else "", part) for i, part in enumerate(_AND.split(span)))
    if _NOT_A_NAME.search(span):
        return False  # "The Mustard Seed", "In B.C.", "Stagecoach South", "Agence France-Presse"
    words = [w for w in span.split() if w.lower() not in _LINKS]
    low = {w.lower().strip(".") for w in words}
    if low & ORG_WORDS:
        return False
    return (len(words) >= 2 and not (_ORG_WORD.search(span) or _LOCATIVE.search(before) or low & _PLACE_NOUNS
                                     or _DATE.search(span) or seen_lowercase(words[0], only=True)))


def holds(slot: str | None, sentence: str, question: str) -> bool:
    """Whether `sentence` has something of the kind `slot` that `question` doesn't already name."""
    if slot is None:
        return True
    asked = set(tokenize(question))
    if slot == NUMBER:
        what = counted(question)
        if what & _MONEY_WORDS and not _MONEY.search(sentence):
            return False  # "how much hush money": an amount of money, not any number
        named = set(tokenize(" ".join(what - _MONEY_WORDS)))
        if named and not named & set(tokenize(sentence)):
            return False  # "how many protesters": a sentence that counts police officers doesn't say
        count = bool(_COUNT_Q.search(question))
        return any(_new(m.group(), asked) for m in _NUMBER.finditer(sentence)
                   if not (_YEAR.fullmatch(m.group()) and "$" not in sentence[max(0, m.start() - 2):m.start()])
                   and not (count and _MODIFIER.match(sentence, m.end())))
    if slot == DATE:
        return any(_new(m.group(), asked) for m in _DATE.finditer(sentence))
    if slot == QUOTE:
        return bool(re.search(r"[\"“”]", sentence))
    if slot == REASON:
        return bool(_REASON.search(sentence))
    spans = [(b, s) for b, s in _spans(sentence) if _new(s, asked)]
    if slot == PLACE and _CONTEST_Q.search(question) and spans:
        return True  # "Which country won the most medals?": "Norway set the record ..."
    if slot == PLACE:
        return any(_LOCATIVE.search(b) and not _ORG_WORD.search(s) for b, s in spans)
    if slot == ORG:
        return any(_ORG_WORD.search(s) or _ACRONYM.fullmatch(s) for _, s in spans)
    if slot == PERSON:  # "Who won the World Cup?", "Who acquired Instagram?": a team, a country or a company too
        return any(_person(b, s) for b, s in spans) or bool(_CONTEST_Q.search(question) and spans)
    return bool(spans) or bool(re.search(r"[\"“][^\"”]{2,60}[\"”]", sentence))  # NAME: a name or a quoted title


# A sentence that says the thing asked for is not known: "Cause of death was not announced", "The
# driver has not been named", "No organisation immediately claimed credit for the attack".
_UNKNOWN = re.compile(
    r"\b(?:unknown|unclear|unidentified|undisclosed|unnamed|unconfirmed|unspecified|under investigation)\b"
    r"|\b(?:not|n't|never|yet to)(?:\s+(?:yet|be|been|officially|immediately|publicly|formally|initially|independently|"
    r"fully|made))*\s+(?:announced|released|disclosed|identified|named|known|stated|confirmed|determined|established|"
    r"revealed|public|specified|clear)\b"
    r"|\bno (?:one|group|organi[sz]ation|party|faction|militia|individual)\b(?:\W+\w+){0,3}?\W+(?:claimed|taken|accepted)\b",
    re.I)
# ... and what it must be about to say that of the kind of thing asked for
_UNKNOWN_OF = {
    REASON: r"\b(?:causes?|caused|reasons?|motives?|why|origins?|triggered|started)\b",
    PERSON: r"\b(?:names?|named|identif\w*|identity|unnamed|unidentified|who)\b",
    ORG: r"\b(?:claim\w*|responsibility|credit|behind)\b",
    NUMBER: r"\b(?:numbers?|how many|how much|toll|figures?|count|total|amount|extent)\b",
    DATE: r"\b(?:when|dates?|timing|scheduled)\b",
    PLACE: r"\b(?:where|location|whereabouts)\b",
}


def unknown(slot: str | None, sentence: str) -> bool:
    """`sentence` says that the kind of thing `slot` asks for is not known (not announced, not
    named, unclear, no one claimed it)."""
    about = _UNKNOWN_OF.get(slot or "")
    return bool(about and _UNKNOWN.search(sentence) and re.search(about, sentence, re.I))
