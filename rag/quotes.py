"""Direct quotations and who said them, with exact character offsets (pure: no I/O, no model).

Called at ingest for every article and by "What did X say about Y?" answers, so a wrong speaker
is worse than none: every rule below prefers "uncertain" to a guess.

Quotations
    Double marks, straight or curly (outlets mix them: “...mistakes?" is one quotation). A mark
    opens after a space or the paragraph start and closes before a space or punctuation; curly
    marks say which they are. A quotation may run over several sentences. One left open at the end
    of a paragraph runs to its end (the news convention continues it in the next paragraph with an
    opening mark only). Quotations of fewer than four words ("scare quotes": the Kremlin "boss") and
    titles in Title Case are dropped unless a reporting verb attributes them directly.

Attribution, within the quotation's own sentence(s)
    1. a reporting verb right before the opening mark: `Putin said: "..."`, `Putin said "..."`,
       `According to X, "..."`, `X, who led the petition, said, "..."`;
    2. else right after the closing mark: `"...," Putin said` / `"...," said Putin` / `"..." -
       President Putin told Carlson` / `"...", according to Amnesty International` / `"...," he said`.
       After a quotation that ended its sentence, only a short clause with a plain reporting verb
       counts ('." Putin told Carlson.'), never a new statement ('." Amnesty has called for...');
    3. else the last reporting cue earlier in the sentence, skipping asides ('— which the BBC noted
       as unusual —'); a participle takes its clause's subject ('X criticised it, saying "..."');
    4. else a colon with no reporting verb (`X disagreed with these findings: "..."`) takes the
       subject of the sentence's first verb, only when that subject opens the sentence;
    5. else a quotation alone in its sentence, right after a sentence whose quotation was
       attributed, continues it (confidence "pronoun"; the same across a paragraph break when the
       first paragraph's quotation was left open and the next one opens with a mark).
    A quotation that is mentioned rather than said ('the term "natural born Citizen"', 'the sign
    read "..."') is attributed to no one.

Speakers
    The capitalised name right next to the verb: titles and what precedes them are stripped
    ("Russian President Vladimir Putin" -> "Vladimir Putin"), a surname alone is expanded to the one
    full name the article gave earlier ("Putin" -> "Vladimir Putin", "Erdogan" -> "Recep Tayyip
    Erdoğan"; two candidates: left as is). A common noun ("the ministry said", "a spokesperson
    told"), a possessive, two joined names ("X and Y said"), a name after a preposition ("a
    spokesperson for X said"; but "Marc Ouellet of the Holy See said" is Ouellet) or a bare title
    ("the Russian president said") give "uncertain". Organisations with proper names are speakers.
    "he/she said" resolves to the last person named in the same paragraph, never an earlier one;
    not when two people are named in the stretch it would be resolved over, nor when the last name
    might be a person the article gives no evidence for ("Sayyid Ali Hosseini Khamenei" once):
    a person is someone with a title, a speaker, or a full name whose surname the article also
    uses alone. "they said" resolves only to an organisation that spoke earlier in the paragraph.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .chunking import _punkt, sentence_spans

NAMED, PRONOUN, UNCERTAIN = "named", "pronoun", "uncertain"
MIN_WORDS = 4  # shorter quotations are scare quotes unless a reporting verb attributes them directly
DIRECT_GAP = 3  # words allowed between a reporting verb and the quotation it attributes directly

_FINITE = frozenset(
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
_PARTICIPLE = frozenset(
    """saying adding telling stating noting writing explaining warning asking calling describing
    arguing declaring tweeting claiming insisting stressing emphasizing emphasising urging
    recalling announcing commenting replying responding concluding""".split()
)
# `"...," said Smith` is English; `"...," told Smith` and `"...," called Smith` are not.
_INVERTIBLE = _FINITE - frozenset(
    """say add told tells called calls described describes criticized criticised criticizes criticises urged
    urges promised promises lauded praised praises alleged alleges expressed accused accuses labelled labeled
    dubbed branded hailed slammed denounced condemned thanked apologised apologized talked""".split()
)
_IRREGULAR = frozenset(
    """spoke gave made took went held met began led sent saw came won lost became left put kept paid
    thought felt brought found got ran stood heard knew meant rose fell chose drew flew grew let hit
    sold spent struck threw understood wore withdrew is was are were has had""".split()
)
_SKIP_BEFORE_VERB = frozenset(
    """also has had have later then once further previously reportedly again subsequently earlier
    recently yesterday today tonight would will already still first last""".split()
)
_PRONOUNS = frozenset({"he", "she", "they"})
_PREPOSITIONS = frozenset(
    """of for at from in with by to on about into under over near via against among between during
    after before while when as since than""".split()
)
_CONJUNCTIONS = frozenset({"and", "but", "or", "nor", "as", "while", "when", "after", "before", "because",
                           "if", "then", "so", "which", "who", "that", "whom", "whose", "where"})
_FUNCTION = frozenset(
    """the a an this that these those his her their its our my your but and or so yet however meanwhile
    also then when while after before in on at as if although though since during following despite
    because both some many most other another one two three speaking asked according separately
    earlier later yesterday today instead""".split()
)
_TITLES = frozenset(
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
_PARTICLES = frozenset({"de", "la", "le", "van", "von", "der", "den", "ter", "bin", "ibn", "al", "da", "di",
                        "du", "del", "dos", "das", "do", "y", "st"})
_TIME = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december christmas easter""".split()
)
_ORG = frozenset(
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
_QUANTITIES = frozenset(
    "many some all few several most million thousand hundred thousands millions hundreds dozens two three four five "
    "other fellow".split()
)
_DETERMINERS = frozenset(
    "the a an his her their its our my your this that these those some many such in of with by for from on at".split()
)
# After a quotation that ended its sentence, only these make the next words an attribution.
_CORE = frozenset(
    """said says told tells added adds asked asks replied replies wrote writes explained continued tweeted
    noted stated recalled remarked insisted warned declared commented concluded quipped responded
    announced""".split()
)
_AUXILIARIES = frozenset({"has", "have", "had", "is", "are", "was", "were", "will", "would", "be", "been"})
_PLACE_PREPOSITIONS = frozenset(
    "in at from to near across throughout outside inside into around of via towards toward".split()
)
# Words before a quotation that mention it rather than quote someone ('the term "natural born Citizen"').
_MENTION = frozenset(
    """term terms word words phrase slogan slogans hashtag title titled entitled headline headlined motto
    name named nicknamed codenamed album book film song series show documentary sign banner displays display
    displayed displaying reads read reading shows showed showing""".split()
)
_DOCUMENTS = frozenset("""amendment act constitution bill law report statement order decree resolution ruling
    judgment judgement verdict study survey warning letter memo notice treaty agreement declaration""".split())
_OF = frozenset({"of", "on", "for"})
_WHEN = frozenset({"on", "last", "this", "late", "early", "earlier"})
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col",
                            "capt", "prof", "rev", "sgt", "mt", "ft", "no", "vs"})

_MARK = re.compile(r"[\"“”]")
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?|\d[\w.,]*\w|\d|[^\w\s]")
_SPEAKER_LABEL = re.compile(r"\(\([^()\n]*\)\)")  # Wikinews interviews: ((Name)) before each answer
_CLOSERS = ".,;:!?)]}—–-'’…"
_OPENERS = "([{—–-/:;,"


@dataclass(frozen=True)
class Quote:
    """A direct quotation: `article_text[start:end] == text` (the words without the marks)."""

    text: str
    start: int
    end: int
    speaker: str | None
    confidence: str  # "named", "pronoun" or "uncertain"
    sentence_start: int  # the sentence(s) holding the quotation and its attribution
    sentence_end: int

    def __repr__(self) -> str:
        words = self.text if len(self.text) <= 50 else self.text[:47] + "..."
        return f"Quote({words!r} — {self.speaker or '?'}, {self.confidence}, {self.start}:{self.end})"


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    kind: str  # "w" word, "n" number, "p" punctuation, "q" a whole quotation, "x" an interview label
    quote: int = -1  # index of the quotation a "q" token stands for

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    def word(self) -> bool:
        return self.kind == "w"

    def capital(self) -> bool:
        """Could be part of a name: capitalised (or 'al-Assad'), not a month, day or 'I'."""
        if self.kind != "w" or self.low in _TIME or self.text == "I" or self.text[:2] in ("I'", "I’"):
            return False
        return self.text[0].isupper() or bool(re.match(r"[a-z]{1,3}-[A-Z]", self.text))

    def lower_word(self) -> bool:
        return self.kind == "w" and self.text[0].islower()

    def possessive(self) -> bool:
        return self.text.endswith(("'s", "’s"))


@dataclass
class _Attr:
    """Who a quotation is attributed to, before surname expansion."""

    confidence: str = UNCERTAIN
    name: tuple[int, int] | None = None  # offsets of the name in the text
    pronoun: int = -1  # token index of "he/she/they"
    direct: bool = False  # a reporting verb right next to the quotation
    cue: bool = False  # some attribution cue was found (even if it gave no speaker)
    until: int = -1  # end offset of the attribution clause when it comes after the quotation
    coordinated: bool = False  # the verb has no subject of its own: 'X arrived and said'


@dataclass
class _Raw:
    open: int  # offset of the opening mark (or of the paragraph start for an orphan close)
    close: int  # offset of the closing mark, or the paragraph end when left open
    start: int  # the words
    end: int
    unclosed: bool = False
    continues: bool = False  # closes a quotation the previous paragraph left open, without an opening mark
    attr: _Attr = field(default_factory=_Attr)
    speaker: str | None = None
    confidence: str = UNCERTAIN
    sent_start: int = 0
    sent_end: int = 0
    alone: bool = False  # nothing but the quotation (and punctuation) in its sentence(s)


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation in `text` with its speaker, in order of appearance."""
    if not _MARK.search(text):
        return []  # most of the cost is reading the article's names; skip it when nothing is quoted
    spans = sentence_spans(text)
    article = _Article(text, spans)
    out: list[_Raw] = []
    carried = False  # the previous paragraph ended inside a quotation
    prev_para: list[_Raw] = []
    for para in re.finditer(r"[^\n]+", text):
        raws = _find_quotes(text, para.start(), para.end(), carried)
        if not raws:
            carried = False
            prev_para = []
            continue
        paragraph = _Paragraph(article, para.start(), para.end(), raws)
        paragraph.attribute()
        if prev_para and prev_para[-1].unclosed and _opens_paragraph(text, para.start(), raws[0]):
            _across_paragraphs(prev_para[-1], raws[0])
        paragraph.continue_all()
        carried = raws[-1].unclosed
        prev_para = raws
        out.extend(raws)
    return [
        Quote(text[r.start : r.end], r.start, r.end, r.speaker, r.confidence, r.sent_start, r.sent_end)
        for r in out
        if _keep(text, r)
    ]


def speaker_matches(quote: Quote, name: str) -> bool:
    """Whether `name` ("Putin", "President Putin", "agnes callamard") names the quote's speaker.

    Case and accents are ignored, titles in `name` are dropped; every remaining word of `name` must
    be a word of the speaker's name, or the speaker's (a surname left unexpanded) be the last of them."""
    if not quote.speaker or quote.confidence == UNCERTAIN:
        return False
    said = _fold_words(quote.speaker)
    asked = [w for w in _fold_words(name) if w not in _TITLES and w not in _FUNCTION]
    if not said or not asked:
        return False
    if all(w in said for w in asked):
        return True
    return said[-1] == asked[-1] and all(w in asked for w in said)


def _fold_words(name: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return [w.rstrip(".").removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’.-]+", plain.lower())]


def _keep(text: str, r: _Raw) -> bool:
    """Drop scare quotes and titles ("boss", "Gone with the Wind") unless attributed directly."""
    words = re.findall(r"\w[\w'’-]*", text[r.start : r.end])
    if not any(c.isalpha() for c in text[r.start : r.end]):
        return False
    long_words = [w for w in words if len(w) >= 4]
    title_case = (bool(long_words) and all(w[0].isupper() for w in long_words)
                  and not re.search(r"[.!?,]", text[r.start : r.end]))
    if len(words) >= MIN_WORDS and not title_case:
        return True
    return r.attr.direct and r.confidence != UNCERTAIN


def _opens_paragraph(text: str, para_start: int, raw: _Raw) -> bool:
    return not raw.continues and not text[para_start : raw.open].strip()


def _across_paragraphs(first: _Raw, second: _Raw) -> None:
    """The news convention: a quotation left open at a paragraph's end goes on in the next one,
    which opens with a mark. The part without a speaker takes the other part's (named only)."""
    if first.confidence == UNCERTAIN and second.confidence == NAMED and not first.attr.cue:
        first.speaker, first.confidence = second.speaker, PRONOUN
    elif second.confidence == UNCERTAIN and first.confidence != UNCERTAIN and not second.attr.cue:
        second.speaker, second.confidence = first.speaker, PRONOUN


# --- quotation marks ---------------------------------------------------------------------------


def _find_quotes(text: str, lo: int, hi: int, carried: bool) -> list[_Raw]:
    """Pair the double marks of one paragraph [lo, hi)."""
    out: list[_Raw] = []
    open_at: int | None = None
    first = True
    for m in _MARK.finditer(text, lo, hi):
        i, ch = m.start(), m.group()
        prev = text[i - 1] if i > lo else ""
        nxt = text[i + 1] if i + 1 < hi else ""
        can_open = ch != "”" and (prev == "" or prev.isspace() or prev in _OPENERS) and nxt != "" and not nxt.isspace()
        can_close = ch != "“" and prev != "" and not prev.isspace() and (nxt == "" or nxt.isspace() or nxt in _CLOSERS)
        if ch == "“":
            can_open, can_close = True, False
        elif ch == "”":
            can_open, can_close = False, True
        either = can_open == can_close
        if open_at is None:
            if can_open or either:
                open_at = i
            elif first and carried:  # the end of a quotation the previous paragraph left open
                start = lo + len(text[lo:i]) - len(text[lo:i].lstrip())
                _add(out, text, start, i, start, i, continues=True)
        elif can_close or either:
            _add(out, text, open_at, i, open_at + 1, i)
            open_at = None
        else:  # a second opening mark: the first one was stray
            open_at = i
        first = False
    if open_at is not None:
        _add(out, text, open_at, hi, open_at + 1, hi, unclosed=True)
    return out


def _add(out: list[_Raw], text: str, open_: int, close: int, s: int, e: int, **kw: bool) -> None:
    """The words between the marks, without surrounding spaces or the comma before the closing mark."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    if e > s:
        out.append(_Raw(open_, close, s, e, **kw))


# --- the article: tokens, names, people ----------------------------------------------------------


@lru_cache(maxsize=1)
def _ortho():
    return _punkt()._params.ortho_context


def _seen_lowercase(word: str, only: bool = False) -> bool:
    """Punkt's training corpus saw this word in lower case (a common word, not a name); `only`:
    and never capitalised inside a sentence ("fellow", unlike "Mark" or "Bill")."""
    from nltk.tokenize.punkt import _ORTHO_LC, _ORTHO_MID_UC

    flags = _ortho().get(word.lower(), 0)
    return bool(flags & _ORTHO_LC) and not (only and flags & _ORTHO_MID_UC)


def _tokenize(text: str, lo: int, hi: int) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text, lo, hi):
        s, e, t = m.start(), m.end(), m.group()
        if t[0].isalpha():
            kind = "w"
            if e < hi and text[e] == "." and (len(t) == 1 or t.lower() in _ABBREVIATIONS):
                e += 1
                t += "."
        elif t[0].isdigit():
            kind = "n"
        else:
            kind = "p"
        if out and out[-1].end > s:  # an abbreviation's dot already taken
            continue
        out.append(_Tok(s, e, t, kind))
    return out


class _Article:
    """Article-wide facts: sentence starts, full names (for surname expansion), common words."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.lower_words = set(re.findall(r"\b[a-z][a-z'’-]*\b", text))
        self.full_names: list[tuple[int, str]] = []  # (offset, "Vladimir Putin"), people-like, 2+ words
        self.titled: set[str] = set()  # names seen after a title ("President Putin" -> "Putin")
        self.singles: set[str] = set()  # names seen alone ("Putin")
        self.speakers: set[str] = set()  # named speakers so far
        self.subjects: set[str] = set()  # names right before a reporting verb anywhere in the article
        self.run_texts: set[str] = set()
        toks = _tokenize(text, 0, len(text))
        starts = self.sentence_start_tokens(toks)
        runs = _runs(toks, 0, len(toks), starts)
        self.run_texts = {text[toks[a].start : toks[b - 1].end] for a, b in runs}
        self.surnames = {  # last words of full names: 'West' opening a sentence is Kanye West, not a direction
            toks[b - 1].text for a, b in runs
            if b - a > 1 and toks[b - 1].capital() and not toks[b - 1].possessive()
            and not _org_like(text[toks[a].start : toks[b - 1].end])
        }
        for a, b in runs:
            got = self.name_of(toks, a, b, starts)
            if not got:
                continue
            s, e, titled, _ = got
            name = text[s:e]
            v = b
            while v < len(toks) and toks[v].lower_word() and toks[v].low in _SKIP_BEFORE_VERB:
                v += 1
            if v < len(toks) and _verb(toks[v], _FINITE if " " in name else _CORE) and not _org_like(name):
                self.subjects.add(name)  # 'Ma Ngok said the turnout was ...': someone who speaks
            if b + 2 < len(toks) and toks[b].text == "," and toks[b + 1].low in ("the", "a", "an") and any(
                x.low in _TITLES for x in toks[b + 2 : b + 6]
            ):
                self.titled.add(name)  # 'Sayyid Ali Hosseini Khamenei, the Supreme Leader of Iran,'
            if titled:
                self.titled.add(name)
            if " " not in name:
                self.singles.add(name)
            elif not _org_like(name) and not _seen_lowercase(name.split()[0], only=True):
                self.full_names.append((s, name))
        self.full_set = {n for _, n in self.full_names}

    def sentence_start_tokens(self, toks: list[_Tok]) -> set[int]:
        """Indices of the first word token of each sentence."""
        out: set[int] = set()
        j = 0
        for s in self.starts:
            while j < len(toks) and toks[j].start < s:
                j += 1
            k = j
            while k < len(toks) and toks[k].kind in "pq" and k - j < 3:
                k += 1
            if k < len(toks):
                out.add(k)
        return out

    def sentence_of(self, pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(self.starts, pos) - 1)
        return self.spans[i] if self.spans else (0, len(self.text))

    def common(self, word: str) -> bool:
        """A capitalised word that is an ordinary word opening a sentence ("Officials", "However")."""
        low = word.lower()
        if word in self.surnames:  # 'West backed away...' after 'rapper Kanye West'
            return False
        return low in _FUNCTION or low in _TITLES or low in self.lower_words or _seen_lowercase(word)

    def name_of(
        self, toks: list[_Tok], a: int, b: int, starts: set[int] | None = None
    ) -> tuple[int, int, bool, bool] | None:
        """(start, end, titled, possessive) of the name in run toks[a:b], titles and what precedes them stripped."""
        a0 = a
        while a < b and toks[a].low in _FUNCTION and not (b - a > 1 and toks[a].low in _TITLES):
            a += 1
        if starts is not None and a in starts and b - a > 1 and (
            (_seen_lowercase(toks[a].text, only=True) and b - a > 2) or toks[a].low.endswith(("-old", "ist"))
        ):
            a += 1  # 'Broadcaster Piers Morgan', 'Fifteen-year-old Robert', 'Immunologist Kristian Andersen'
        if a < b and starts is not None and a in starts and b - a == 1 and self.common(toks[a].text):
            return None
        titled = False
        for k in range(b - 1, a - 1, -1):
            if toks[k].low in _TITLES and k < b - 1:
                a, titled = k + 1, True
                break
        if a >= b or (toks[b - 1].low in _TITLES and (b - a == 1 or toks[b - 2].low in _TITLES
                                                     or toks[b - 1].text not in self.run_texts)):
            return None  # a bare title: "the Secretary General said", "the Supreme Leader" (not "Stephen King")
        if a0 >= 2 and toks[a0 - 1].low in ("of", "from", "for") and toks[a0 - 2].low in _TITLES:
            a = self.after_place(toks, a, b)  # 'Senator from Vermont Bernie Sanders'
            if a is None:
                return None
            titled = True
        while b > a and toks[b - 1].low in _PARTICLES:
            b -= 1
        if a >= b:
            return None
        end = toks[b - 1].end
        possessive = toks[b - 1].possessive()
        if possessive:
            end -= 2
        return toks[a].start, end, titled, possessive

    def after_place(self, toks: list[_Tok], a: int, b: int) -> int | None:
        """Where the name starts in 'Chief Executive of | Hong Kong Carrie Lam': after a prefix the
        article also uses on its own ("Hong Kong"), or before a full name it uses on its own."""
        for k in range(a + 1, b - 1):
            prefix = self.text[toks[a].start : toks[k - 1].end]
            rest = self.text[toks[k].start : toks[b - 1].end]
            if prefix in self.run_texts or rest in self.run_texts:
                return k
        return None

    def expand(self, name: str, before: int) -> str:
        """A surname alone -> the one full name the article gave before `before` ending with it;
        a name run into what precedes it ("Hong Kong Carrie Lam") -> the full name it ends with."""
        words = name.split()
        if len(words) > 1 and words[0].lower() not in _PARTICLES:
            for k in range(1, len(words) - 1):
                if " ".join(words[k:]) in self.full_set:
                    return " ".join(words[k:])
            return name
        key = _fold_words(name)  # 'Erdogan' -> 'Recep Tayyip Erdoğan', 'de Blasio' -> 'Bill de Blasio'
        found = {full for pos, full in self.full_names
                 if pos < before and _fold_words(full)[-len(key):] == key and len(full.split()) > len(words)}
        return found.pop() if len(found) == 1 else name

    def person(self, name: str, titled: bool) -> bool:
        """Someone he/she can refer to: not an organisation or place, and the article treats the
        name as a person's (a title, a speaker, or a full name whose surname it uses alone)."""
        if _org_like(name):
            return False
        if titled or name in self.titled or name in self.speakers or name in self.subjects:
            return True
        if " " in name:
            return name.split()[-1] in self.singles or name.split()[-1] in self.titled
        full = self.expand(name, len(self.text))
        return full != name and not _org_like(full)


def _org_like(name: str) -> bool:
    words = name.replace("-", " ").split()
    return any(w.lower().strip(".,") in _ORG for w in words) or any(len(w) > 1 and w.isupper() for w in words)


def _runs(toks: list[_Tok], lo: int, hi: int, starts: set[int]) -> list[tuple[int, int]]:
    """Runs of name tokens in toks[lo:hi] (particles inside: "Ursula von der Leyen"); a sentence
    start always begins a new run ("...in Washington D.C. Smith said")."""
    out: list[tuple[int, int]] = []
    i = lo
    while i < hi:
        if not toks[i].capital():
            i += 1
            continue
        j = i + 1
        while j < hi and j not in starts and (not toks[j - 1].possessive() or toks[j].low in _ORG):
            if toks[j].capital():  # "the Alachua Sheriff's Office", not "Australia's Griffith University"
                j += 1
            elif toks[j].lower_word() and j + 1 < hi and toks[j + 1].capital() and (
                toks[j].low in _PARTICLES or (toks[j].low in _OF and toks[j - 1].low in _ORG)
            ):
                j += 2  # 'von der Leyen', 'University of California', 'Commission on Presidential Debates'
            else:
                break
        out.append((i, j))
        i = j
    return out


# --- one paragraph -------------------------------------------------------------------------------


class _Paragraph:
    """Attribution within one paragraph; quotations are single "q" tokens in `self.t`."""

    def __init__(self, article: _Article, lo: int, hi: int, raws: list[_Raw]) -> None:
        self.a = article
        self.text = article.text
        self.lo, self.hi = lo, hi
        self.raws = raws
        toks: list[_Tok] = []
        pos = lo
        for qi, r in enumerate(raws):
            q_end = min(r.close + 1, hi)
            toks.extend(self._plain(pos, r.open))
            toks.append(_Tok(r.open, q_end, "QUOTE", "q", qi))
            pos = q_end
        toks.extend(self._plain(pos, hi))
        self.t = toks
        self.starts = article.sentence_start_tokens(toks)
        self.qtok = {tok.quote: i for i, tok in enumerate(toks) if tok.kind == "q"}

    def _plain(self, lo: int, hi: int) -> list[_Tok]:
        """Tokens of text outside quotations; an interview label is one opaque token."""
        out: list[_Tok] = []
        pos = lo
        for m in _SPEAKER_LABEL.finditer(self.text, lo, hi):
            out.extend(_tokenize(self.text, pos, m.start()))
            out.append(_Tok(m.start(), m.end(), m.group(), "x"))
            pos = m.end()
        out.extend(_tokenize(self.text, pos, hi))
        return out

    # -- the sentence frame of a quotation --

    def frame(self, qi: int) -> tuple[int, int]:
        """Token range [a, b) of the sentence(s) a quotation sits in."""
        r = self.raws[qi]
        s0, _ = self.a.sentence_of(r.open)
        _, e1 = self.a.sentence_of(max(r.open, r.close - 1))
        i = self.qtok[qi]
        a = i
        lo = max(s0, self.lo)
        while a > 0 and (self.t[a - 1].start >= lo or (self.t[a - 1].kind == "q" and self.t[a - 1].end > lo)):
            a -= 1  # a quotation that began in an earlier sentence belongs to this one
            lo = min(lo, max(self.a.sentence_of(self.t[a].start)[0], self.lo))
        b = i + 1
        while b < len(self.t) and self.t[b].end <= min(e1, self.hi):
            b += 1
        return a, b

    def attribute(self) -> None:
        for qi, r in enumerate(self.raws):
            a, b = self.frame(qi)
            i = self.qtok[qi]
            r.sent_start = self.a.sentence_of(r.open)[0]
            r.sent_end = self.a.sentence_of(max(r.open, r.close - 1))[1]
            r.alone = all(tok.kind == "p" for tok in self.t[a:i] + self.t[i + 1 : b])
            if i > 0 and self.t[i - 1].low in _MENTION:  # 'the term "natural born Citizen"': named, not said
                r.attr = _Attr()
                self.resolve(qi, r)
                continue
            first = self.before(i, a)
            if first is not None and first.direct and first.confidence != UNCERTAIN:
                r.attr = first  # 'X said: "..."' even when a new sentence follows the quotation
            else:
                r.attr = self.after(i) or first or self.colon(i, a) or _Attr()
            if r.attr.until > r.sent_end:
                r.sent_end = self.a.sentence_of(r.attr.until - 1)[1]
            self.resolve(qi, r)

    def continue_all(self) -> None:
        for qi, r in enumerate(self.raws):
            self.continuation(qi, r)

    def resolve(self, qi: int, r: _Raw) -> None:
        at = r.attr
        if at.confidence == NAMED and at.name:
            s, e = at.name
            r.speaker = self.a.expand(self.text[s:e], s + 1)
            r.confidence = NAMED
            self.a.speakers.add(r.speaker)
            self.a.speakers.add(self.text[s:e])
        elif at.confidence == PRONOUN:
            found = self.antecedent(at.pronoun)
            if found:
                r.speaker, r.confidence = found, PRONOUN

    def continuation(self, qi: int, r: _Raw) -> None:
        """A quotation alone in its sentence right after an attributed one continues it."""
        if r.confidence != UNCERTAIN or r.attr.cue or not r.alone or qi == 0:
            return
        prev = self.raws[qi - 1]
        if prev.confidence == UNCERTAIN or self.text[prev.sent_end : r.sent_start].strip():
            return
        r.speaker, r.confidence = prev.speaker, PRONOUN
        r.sent_start = prev.sent_start

    # -- attribution cues --

    def after(self, i: int) -> _Attr | None:
        """`"...," Putin said` / `said Putin` / `- President Putin told Carlson` / `according to X`."""
        t = self.t
        r = self.raws[t[i].quote]
        if r.unclosed:
            return None
        ended = bool(re.search(r"[.!?…]\W*$", self.text[r.start : r.close]))
        j = i + 1
        dash = False
        while j < len(t) and t[j].kind == "p" and t[j].text in ",;.-–—!?…":
            ended = ended or t[j].text in ".!?…"
            dash = dash or t[j].text in "-–—"
            j += 1
        if j >= len(t) or t[j].kind != "w":
            return None
        if t[j].low == "according" and j + 1 < len(t) and t[j + 1].low == "to":
            got = self.np_after(j + 2)
            return self.finish(got, j + 2, ended, direct=True)
        if t[j].lower_word() and t[j].low in _INVERTIBLE:
            if ended and not dash and t[j].low not in _CORE:
                return None
            got = self.np_after(j + 1)
            return self.finish(got, j + 1, ended, direct=True)
        # `Putin said`, `the Russian president said`, `Smith, a lawyer, said`: the verb within a few words
        v = j
        while v < len(t) and v - j < 12 and t[v].kind != "q" and t[v].text not in ".;!?:" and not _verb(t[v], _FINITE):
            v += 1
        if v >= len(t) or not _verb(t[v], _FINITE):
            return None
        if t[j].low in _CONJUNCTIONS or t[j].low in _PREPOSITIONS:
            return None
        got = self.subject(v, j)
        if got is None:
            return None
        if got.name and not self.clause_start(j, got):
            return None
        got.cue, got.direct = True, True
        got.until = t[v].end
        if ended and not dash and (t[v].low not in _CORE or t[v - 1].low in _AUXILIARIES or not self.short_tail(v + 1)):
            return None  # '." Amnesty International has called for an inquiry.' is a new sentence
        return got

    def finish(self, got: _Attr, k: int, ended: bool, direct: bool) -> _Attr | None:
        got.cue, got.direct = True, direct
        # where the noun phrase ends
        j = k
        while j < len(self.t) and self.t[j].kind == "w":
            j += 1
        got.until = self.t[j - 1].end if j > k else self.t[k - 1].end
        if ended and not self.short_tail(j):
            return None
        return got

    def short_tail(self, j: int) -> bool:
        """After a quotation that ended its sentence, an attribution must end soon too
        ('." Putin told Carlson.'), not start a new statement ('." Putin said the talks failed.')."""
        t = self.t
        end = j
        while end < len(t) and not (t[end].kind == "p" and t[end].text in ".!?;"):
            if t[end].kind == "q":
                return False
            end += 1
        if end - j > 8:
            return False
        if j < end and (t[j].low in ("the", "reporters", "journalists") or t[j].capital()):  # told (the) BBC
            j += 1
            while j < end and t[j].capital():
                j += 1
        return j == end or t[j].text == "," or (t[j].lower_word() and t[j].low in _PREPOSITIONS)

    def clause_start(self, j: int, got: _Attr) -> bool:
        """Only descriptors between the clause start and the name ("former minister X said")."""
        t = self.t
        k = j
        while k < len(t) and (got.name is None or t[k].start < got.name[0]):
            if t[k].kind == "q" or t[k].low in _CONJUNCTIONS or t[k].low in _PREPOSITIONS:
                return False
            k += 1
        return True

    def before(self, i: int, a: int) -> _Attr | None:
        """The last reporting cue of the sentence before the opening mark."""
        t = self.t
        aside = self.asides(a, i)
        for c in range(i - 1, a - 1, -1):
            tok = t[c]
            if not (tok.lower_word() or tok.low == "according") or c in aside:
                continue  # 'United States' is no verb; '— which the BBC noted as unusual —' is an aside
            low = tok.low
            if low == "according" and c + 1 < i and t[c + 1].low == "to":
                got = self.np_after(c + 2, i)
                end = self.np_end(c + 2, i)
            elif low in _FINITE:
                if c > a and t[c - 1].low in _DETERMINERS:
                    continue  # a noun: 'in remarks published by CNN', 'his claims'
                got = self.subject(c, a)
                end = c + 1
                if got is None and low in _INVERTIBLE:  # `"A," said Smith, "B"`
                    got = self.np_after(c + 1, i)
                    end = self.np_end(c + 1, i)
                elif got is None:
                    got = _Attr()
                elif got.coordinated:
                    got = self.main_subject(a, c) or got
            elif _participle(low):
                end = c + 1
                k = c - 1
                while k >= a and _adverb(t[k]):
                    k -= 1
                if k >= a and (t[k].text == "," or t[k].low in ("by", "while", "when")):
                    got = self.main_subject(a, c) or _Attr()  # 'Biden criticized the move, arguing'
                else:  # 'with Steve Scalise of Louisiana calling', not 'the media falsely describing him'
                    got = self.subject(c, a) or _Attr()
                    if got.confidence == UNCERTAIN:
                        got = _Attr()
            else:
                continue
            gap = [x for x in t[end:i] if x.word() and x.low != "that"]
            got.cue = True
            got.direct = len(gap) <= DIRECT_GAP and not any(x.kind == "q" for x in t[end:i])
            return got
        return None

    def asides(self, a: int, i: int) -> set[int]:
        """Token indices inside '— ... —' and '( ... )' between t[a] and t[i]."""
        out: set[int] = set()
        dash: int | None = None
        paren: int | None = None
        for k in range(a, i):
            x = self.t[k].text
            if x in "—–" or (x == "-" and self.text[self.t[k].start - 1 : self.t[k].start] == " "):
                if dash is None:
                    dash = k
                else:
                    out.update(range(dash, k + 1))
                    dash = None
            elif x == "(":
                paren = k
            elif x == ")" and paren is not None:
                out.update(range(paren, k + 1))
                paren = None
        return out

    def colon(self, i: int, a: int) -> _Attr | None:
        """`X disagreed with these findings: "..."`: the subject opening the sentence."""
        if i == 0 or self.t[i - 1].text != ":":
            return None
        got = self.main_subject(a, i - 1)
        if got:
            got.cue = True
        return got

    def main_subject(self, a: int, limit: int) -> _Attr | None:
        """The subject of the sentence's first verb, when it opens the sentence (after an
        introductory phrase at most): 'Following the announcement, Trump issued a statement, saying'."""
        t = self.t
        start = a
        if self.intro(a):  # 'In a video message posted to Twitter, Warren ...'
            for k in range(a, limit):
                if t[k].kind == "q":
                    break
                if t[k].text == ",":
                    start = k + 1
                    break
        for v in range(start, limit):
            tok = t[v]
            low = tok.low
            if not tok.lower_word() or not _finite(low):
                continue
            got = self.subject(v, start)
            if got is None or got.confidence == UNCERTAIN:
                return got
            first = got.name[0] if got.name else t[got.pronoun].start
            k = start
            while k < len(t) and t[k].start < first:
                k += 1
            while k > start and (t[k - 1].capital() or t[k - 1].low in _FUNCTION | _TIME or (
                t[k - 1].lower_word() and not _verbish(t[k - 1].low) and t[k - 1].low not in _PREPOSITIONS | _CONJUNCTIONS
            )):
                k -= 1  # titles and descriptors of the name, 'This Wednesday', 'Study co-author and geochemist'
            return got if k == start else _Attr()
        return None

    def intro(self, a: int) -> bool:
        """The sentence at t[a] opens with an introductory phrase ('In ...', 'Following ...', 'Speaking ...')."""
        tok = self.t[a]
        return tok.kind == "w" and (tok.low in _PREPOSITIONS or tok.low in _FUNCTION or tok.low.endswith("ing"))

    def subject(self, v: int, floor: int) -> _Attr | None:
        """Who did the verb at t[v]: None when nothing precedes it (a quotation, the sentence start)."""
        t = self.t
        k = v - 1
        while k >= floor:
            tok = t[k]
            if tok.lower_word() and (tok.low in _SKIP_BEFORE_VERB or (tok.low.endswith("ly") and len(tok.low) > 4)):
                k -= 1
            elif tok.kind == "w" and tok.low in _TIME and k - 1 >= floor and t[k - 1].low in _WHEN:
                k -= 2  # 'Pelosi on Tuesday said'
            else:
                break
        if k < floor:
            return None
        if t[k].text == ")":
            while k >= floor and t[k].text != "(":
                k -= 1
            k -= 1
        if k >= floor and t[k].text == ",":
            c = k - 1
            while c >= floor and t[c].text != "," and t[c].kind != "q" and k - c < 16:
                c -= 1
            if c < floor or t[c].text != ",":
                return None
            chunk = t[c + 1 : k]
            if chunk and all(x.capital() for x in chunk) and c - 1 >= floor and self.describes(c, floor):
                return self.named(c + 1, k, floor, check=False)  # 'the current bishop, Allan Casicas, said'
            elif chunk and self.appositive(chunk):
                k = c - 1
            else:
                return _Attr(cue=True)
        if k < floor:
            return None
        tok = t[k]
        if tok.kind == "w" and tok.low in _PRONOUNS:
            return _Attr(PRONOUN, pronoun=k, cue=True)
        if tok.lower_word() and tok.low == "who" and k - 2 >= floor and t[k - 1].text == ",":
            k -= 2
            tok = t[k]
        if tok.capital():
            return self.named(self.run_start(k, floor), k + 1, floor)
        if tok.kind == "w":
            return _Attr(cue=True, coordinated=tok.low == "and")
        return None

    def run_start(self, k: int, floor: int) -> int:
        """Where the run of name tokens ending at t[k] starts."""
        for ra, rb in _runs(self.t, floor, k + 1, self.starts):
            if rb == k + 1:
                return ra
        return k

    def named(self, a: int, b: int, floor: int, check: bool = True) -> _Attr:
        """The name in t[a:b] as a subject; 'Cardinal Marc Ouellet of the Holy See said' and 'Sally
        Wasef of Australia's Griffith University explained' name the person before 'of'."""
        t = self.t
        got = self.a.name_of(t, a, b, self.starts)
        if not got or got[3] or _generic(self.text[got[0] : got[1]]):
            return _Attr(cue=True)  # "the Commission said"
        if check and self.joined(a, floor):
            k = a - 1
            if k >= floor and t[k].capital() and t[k].possessive():
                k = self.run_start(k, floor) - 1
            if k >= floor and t[k].low == "the":
                k -= 1
            if k - 1 >= floor and t[k].lower_word() and t[k].low in ("of", "from", "at") and t[k - 1].capital():
                if t[k - 1].low in _TITLES:  # 'Secretary of State Corey Stapleton said'
                    full = self.a.expand(self.text[got[0] : got[1]], got[0] + 1)
                    if got[2] or full != self.text[got[0] : got[1]]:
                        return _Attr(NAMED, name=(got[0], got[1]), cue=True)
                    return _Attr(cue=True)
                return self.named(self.run_start(k - 1, floor), k, floor)
            return _Attr(cue=True)
        return _Attr(NAMED, name=(got[0], got[1]), cue=True)

    def joined(self, a: int, floor: int) -> bool:
        """The name starting at t[a] is not a subject on its own: 'X and Y said', 'a spokesperson
        for X said', 'the University of California, Los Angeles said' (but 'In Moscow, Putin said')."""
        t = self.t
        if a - 1 < floor:
            return False
        before = t[a - 1]
        k = a - 1
        while k >= floor and k >= a - 3 and t[k].lower_word() and t[k].low not in _PREPOSITIONS | _CONJUNCTIONS:
            k -= 1  # 'a source within the central Interior Ministry said'
        if k < a - 1 and k >= floor and t[k].lower_word() and t[k].low in _PREPOSITIONS:
            return True
        if before.low in ("and", "&") and t[a].low in _TITLES:
            return False  # 'Conservative Party leader and Prime Minister Boris Johnson said'
        if before.low in ("and", "&") and a - 2 >= floor and (t[a - 2].capital() or t[a - 2].text == ","):
            return True  # 'Smith and Jones said' (not '... "Soviet-style" and Ross Spano of Florida calling')
        if before.lower_word() and before.low in _PREPOSITIONS:
            return True
        if before.low == "the" and a - 2 >= floor and t[a - 2].lower_word() and t[a - 2].low in _PREPOSITIONS:
            return True  # 'Cardinal Marc Ouellet of the Holy See said'
        if before.capital() and before.possessive():  # "Australia's Griffith University": what owns it?
            rs = a - 1
            while rs - 1 >= floor and t[rs - 1].capital() and not t[rs - 1].possessive():
                rs -= 1
            return self.joined(rs, floor)
        if before.text != "," or a - 2 < floor or not t[a - 2].capital() or self.describes(a - 1, floor):
            return False  # 'A member of the Tunisian Parliament, Samir Dilou said'
        s = a - 1  # 'In Moscow, Putin said': the comma closes an introductory phrase, not a list of places
        while s > floor and s not in self.starts:
            s -= 1
        return not (self.intro(s) and not any(x.text == "," for x in t[s : a - 1]))

    def describes(self, c: int, floor: int) -> bool:
        """The words before the comma at t[c] describe a person ('the current bishop', 'The mayor of
        Paris', 'A member of the Tunisian Parliament') rather than name one or a place."""
        t = self.t
        if t[c - 1].lower_word():
            return t[c - 1].low not in _PREPOSITIONS | _CONJUNCTIONS | _FUNCTION
        s = c - 1
        while s > floor and t[s - 1].text != "," and t[s - 1].kind != "q" and s not in self.starts:
            s -= 1
        words = t[s:c]
        return bool(words) and words[0].low in ("the", "a", "an") and any(
            x.low in _TITLES or (x.lower_word() and x.low not in _FUNCTION | _PREPOSITIONS | _CONJUNCTIONS) for x in words
        )  # 'The American Samoan delegate to the U.S. House of Representatives, Aumua Amata, told'

    def appositive(self, chunk: list[_Tok]) -> bool:
        """', a retired nurse,' / ', who led the petition,' / ', 45,' / ', Secretary General of X,'."""
        first = chunk[0]
        if first.kind == "n" or first.lower_word():
            return not any(x.low in _FINITE for x in chunk[:1])
        return any(x.low in _TITLES for x in chunk)

    def np_after(self, k: int, limit: int | None = None) -> _Attr:
        """The speaker named after an inverted verb or 'according to': descriptors, then a name
        that ends the noun phrase ('said student protester Joshua Wong on Twitter')."""
        t = self.t
        hi = len(t) if limit is None else limit
        j = k
        while j < hi and j - k < 6:
            tok = t[j]
            if tok.lower_word() and tok.low not in _PREPOSITIONS and tok.low not in _CONJUNCTIONS and tok.low not in _PRONOUNS:
                j += 1
            elif tok.capital() and tok.possessive():
                j += 1
            else:
                break
        if j < hi and t[j].lower_word() and t[j].low in _PRONOUNS and j == k:
            return _Attr(PRONOUN, pronoun=j, cue=True)
        if j > k and j + 1 < hi and t[j].text == "," and t[j + 1].capital():
            j += 1  # 'said his father, Abdullah Kurdi, following the ceremony'
        if j >= hi or not t[j].capital():
            return _Attr(cue=True)
        ra, rb = _runs(t, j, hi, self.starts)[0]
        if rb + 1 < hi and t[rb].text == "," and t[rb + 1].capital():
            return _Attr(cue=True)  # 'said University of California, San Diego's chancellor, Pradeep Khosla'
        got = self.a.name_of(t, ra, rb)
        if got is None and rb + 1 < hi and t[rb].low in ("of", "from") and t[rb + 1].capital():
            ra, rb = _runs(t, rb + 1, hi, self.starts)[0]  # 'tweeted Mayor of London Sadiq Khan'
            got = self.a.name_of(t, ra, rb)
        nxt = t[rb] if rb < hi else None
        if nxt is not None and nxt.kind == "w" and not (nxt.low in _PREPOSITIONS or nxt.low in _CONJUNCTIONS):
            return _Attr(cue=True)  # 'a Woolworths spokesperson'
        if not got or got[3] or _generic(self.text[got[0] : got[1]]):
            return _Attr(cue=True)
        return _Attr(NAMED, name=(got[0], got[1]), cue=True)

    def np_end(self, k: int, limit: int) -> int:
        j = k
        while j < limit and self.t[j].kind == "w":
            j += 1
        return j

    # -- he / she / they --

    def antecedent(self, p: int) -> str | None:
        """The last person named in the paragraph before the pronoun at t[p] (outside quotations);
        None when two people are named in the stretch from that mention's sentence to the pronoun."""
        t = self.t
        they = t[p].low == "they"
        since = self.a.sentence_of(t[p].start)[0]
        for k in range(p):  # 'He said Zelensky is "...", he added': the first "he" of the sentence
            if t[k].start >= since and t[k].kind == "w" and t[k].low == t[p].low:
                p = k
                break
        mentions: list[tuple[int, str, bool]] = []  # (token index, full name, surely a person)
        for a, b in _runs(t, 0, p, self.starts):
            got = self.a.name_of(t, a, b, self.starts)
            if not got or (a > 0 and (t[a - 1].kind == "n" or t[a - 1].low in _QUANTITIES)):
                continue  # '85,000 Americans'
            s, e, titled, _ = got
            name = self.a.expand(self.text[s:e], s + 1)
            if they:
                if _org_like(name) and name in self.a.speakers:
                    mentions.append((a, name, True))
            elif self.a.person(name, titled) or self.a.person(self.text[s:e], titled):
                mentions.append((a, name, True))
            elif " " in name and not _org_like(name) and not (a > 0 and t[a - 1].low in _PLACE_PREPOSITIONS):
                mentions.append((a, name, False))  # maybe a person the article never names again ('in Hong Kong': no)
        if not mentions:
            return None
        last_at, last, sure = mentions[-1]
        since = self.a.sentence_of(t[last_at].start)[0]
        others = {n for at, n, _ in mentions if t[at].start >= since and not _same(n, last)}
        return last if sure and not others else None


def _generic(name: str) -> bool:
    """A capitalised common noun standing for an unnamed body: "the Commission", "the Office"."""
    low = name.lower()
    return (low in _ORG or low in _DOCUMENTS) and name[1:].islower() and low not in ("kremlin", "reuters", "pentagon")


def _participle(low: str) -> bool:
    """'saying', 'adding', 'remarking', 'describing': the -ing form of a reporting verb."""
    if low in _PARTICIPLE:
        return True
    if not low.endswith("ing") or len(low) < 6:
        return False
    stem = low[:-3]
    return any(stem + ending in _FINITE for ending in ("ed", "s", "es"))  # describ-ed, say-s, writ-es


def _finite(low: str) -> bool:
    """A finite verb, or as likely as not one ('criticised', 'took')."""
    return low in _FINITE or low in _IRREGULAR or (low.endswith("ed") and len(low) > 4)


def _verbish(low: str) -> bool:
    return _finite(low) or _participle(low)


def _adverb(tok: _Tok) -> bool:
    """'also', 'further', 'publicly': words between a subject (or a comma) and its verb."""
    return tok.lower_word() and (tok.low in _SKIP_BEFORE_VERB or tok.low == "further" or tok.low.endswith("ly"))


def _verb(tok: _Tok, verbs: frozenset[str]) -> bool:
    return tok.lower_word() and tok.low in verbs


def _same(a: str, b: str) -> bool:
    return a == b or a.split()[-1] == b.split()[-1]
