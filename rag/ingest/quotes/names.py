"""The article's names: tokens, runs of capitalised words, full names, people and organisations."""

from __future__ import annotations

import bisect
import re
import unicodedata

from ...lexicon import OCCUPATIONS
from ...text import seen_lowercase
from .parts import Tok
from .words import (
    ABBREVIATIONS,
    CORE,
    DOCUMENTS,
    FINITE,
    FUNCTION,
    GENERIC_OWNERS,
    HEAD_TITLES,
    HEADS,
    METONYMS,
    OF,
    ORG,
    PARTICLES,
    SKIP_BEFORE_VERB,
    TITLES,
    TOKEN,
    is_verb,
)


def word_tokens(text: str, lo: int, hi: int) -> list[Tok]:
    out: list[Tok] = []
    for m in TOKEN.finditer(text, lo, hi):
        s, e, t = m.start(), m.end(), m.group()
        if t[0].isalpha():
            kind = "w"
            if e < hi and text[e] == "." and (len(t) == 1 or t.lower() in ABBREVIATIONS):
                e += 1
                t += "."
        elif t[0].isdigit():
            kind = "n"
        else:
            kind = "p"
        if out and out[-1].end > s:  # an abbreviation's dot already taken
            continue
        out.append(Tok(s, e, t, kind))
    return out


class ArticleNames:
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
        self.roles: dict[str, set[str]] = {}  # full name -> the title words it was given ("russian", "president")
        toks = word_tokens(text, 0, len(text))
        starts = self.sentence_start_tokens(toks)
        runs = name_runs(toks, 0, len(toks), starts)
        self.run_texts = {text[toks[a].start : toks[b - 1].end] for a, b in runs}
        self.surnames = {  # last words of full names: 'West' opening a sentence is Kanye West, not a direction
            toks[b - 1].text for a, b in runs
            if b - a > 1 and toks[b - 1].capital() and not toks[b - 1].possessive()
            and not org_like(text[toks[a].start : toks[b - 1].end])
        }
        titled_runs: list[tuple[int, int, str]] = []
        for a, b in runs:
            got = self.name_of(toks, a, b, starts)
            if not got:
                continue
            s, e, titled, _ = got
            name = text[s:e]
            v = b
            while v < len(toks) and toks[v].lower_word() and toks[v].low in SKIP_BEFORE_VERB:
                v += 1
            if v < len(toks) and is_verb(toks[v], FINITE if " " in name else CORE) and not org_like(name):
                self.subjects.add(name)  # 'Ma Ngok said the turnout was ...': someone who speaks
            if b + 2 < len(toks) and toks[b].text == "," and toks[b + 1].low in ("the", "a", "an") and any(
                x.low in TITLES for x in toks[b + 2 : b + 6]
            ):
                self.titled.add(name)  # 'Sayyid Ali Hosseini Khamenei, the Supreme Leader of Iran,'
            if titled:
                self.titled.add(name)
            titled_runs.append((a, s, name))
            if " " not in name:
                self.singles.add(name)
            elif not org_like(name) and not seen_lowercase(name.split()[0], only=True):
                self.full_names.append((s, name))
        self.full_set = {n for _, n in self.full_names}
        for a, s, name in titled_runs:  # once every full name is known (a surname expands to one)
            self._note_role(toks, a, s, name)

    def _note_role(self, toks: list[Tok], a: int, name_start: int, name: str) -> None:
        """Remember the title words a name was given: 'Russian President Vladimir Putin', 'former
        President Donald Trump', 'the company's chief executive Tim Cook'."""
        words = [t.low for t in toks[a:] if t.start < name_start and t.kind == "w" and t.low not in FUNCTION]
        k = a - 1
        while k >= 0 and a - k <= 4 and toks[k].kind == "w" and (toks[k].low in TITLES or toks[k].capital()):
            words.insert(0, toks[k].low)
            k -= 1
        parts = name.split()
        if len(parts) > 2 and parts[0].lower() in OCCUPATIONS:  # "Actress Denise Crosby"
            words.append(parts[0].lower())
            name = " ".join(parts[1:])
        if words:
            self.roles.setdefault(self.expand(name, len(self.text)), set()).update(
                re.sub(r"['’]s$", "", w) for w in words)

    def role_person(self, words: list[str]) -> str | None:
        """The one person the article names in the role `words` describe ("russian president",
        "kremlin boss", "prime minister"), or None when nobody or more than one fits."""
        words = [re.sub(r"['’]s$", "", w.lower().strip("\"“”'’")) for w in words if w.strip("\"“”'’")]
        words = [w for w in words if w and w not in ("the", "a", "an", "then", "now", "current")]
        if not words:
            return None
        head, quals = words[-1], [METONYMS.get(w, w) for w in words[:-1] if w + "'s" not in GENERIC_OWNERS]
        fits = []
        for person, roles in self.roles.items():  # the article itself gave the person that title
            ok = head in roles or (head in HEADS and bool(roles & HEAD_TITLES))
            if "former" in roles and "former" not in quals:
                ok = False  # 'former President Trump' is not "the president"
            if ok and all(q in roles for q in quals if q not in HEADS):
                fits.append(person)
        return fits[0] if len(fits) == 1 else None

    def sentence_start_tokens(self, toks: list[Tok]) -> set[int]:
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
        return low in FUNCTION or low in TITLES or low in self.lower_words or seen_lowercase(word)

    def name_of(
        self, toks: list[Tok], a: int, b: int, starts: set[int] | None = None
    ) -> tuple[int, int, bool, bool] | None:
        """(start, end, titled, possessive) of the name in run toks[a:b], titles and what precedes them stripped."""
        a0 = a
        while a < b and toks[a].low in FUNCTION and not (b - a > 1 and toks[a].low in TITLES):
            a += 1
        if starts is not None and a in starts and b - a > 1 and (
            (seen_lowercase(toks[a].text, only=True) and b - a > 2) or toks[a].low.endswith(("-old", "ist"))
        ):
            a += 1  # 'Broadcaster Piers Morgan', 'Fifteen-year-old Robert', 'Immunologist Kristian Andersen'
        if a < b and starts is not None and a in starts and b - a == 1 and self.common(toks[a].text):
            return None
        titled = False
        for k in range(b - 1, a - 1, -1):
            if toks[k].low in TITLES and k < b - 1:
                a, titled = k + 1, True
                break
        if a >= b or (toks[b - 1].low in TITLES and (b - a == 1 or toks[b - 2].low in TITLES
                                                     or toks[b - 1].text not in self.run_texts)):
            return None  # a bare title: "the Secretary General said", "the Supreme Leader" (not "Stephen King")
        if a0 >= 2 and toks[a0 - 1].low in ("of", "from", "for") and toks[a0 - 2].low in TITLES:
            a = self.after_place(toks, a, b)  # 'Senator from Vermont Bernie Sanders'
            if a is None:
                return None
            titled = True
        while b > a and toks[b - 1].low in PARTICLES:
            b -= 1
        if a >= b:
            return None
        end = toks[b - 1].end
        possessive = toks[b - 1].possessive()
        if possessive:
            end -= 2
        return toks[a].start, end, titled, possessive

    def after_place(self, toks: list[Tok], a: int, b: int) -> int | None:
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
        if len(words) > 1 and words[0].lower() not in PARTICLES:
            for k in range(1, len(words) - 1):
                if " ".join(words[k:]) in self.full_set:
                    return " ".join(words[k:])
            return name
        key = fold_words(name)  # 'Erdogan' -> 'Recep Tayyip Erdoğan', 'de Blasio' -> 'Bill de Blasio'
        found = {full for pos, full in self.full_names
                 if pos < before and fold_words(full)[-len(key):] == key and len(full.split()) > len(words)}
        return found.pop() if len(found) == 1 else name

    def person(self, name: str, titled: bool) -> bool:
        """Someone he/she can refer to: not an organisation or place, and the article treats the
        name as a person's (a title, a speaker, or a full name whose surname it uses alone)."""
        if org_like(name):
            return False
        if titled or name in self.titled or name in self.speakers or name in self.subjects:
            return True
        if " " in name:
            return name.split()[-1] in self.singles or name.split()[-1] in self.titled
        full = self.expand(name, len(self.text))
        return full != name and not org_like(full)


def org_like(name: str) -> bool:
    words = name.replace("-", " ").split()
    return any(w.lower().strip(".,") in ORG for w in words) or any(len(w) > 1 and w.isupper() for w in words)


def name_runs(toks: list[Tok], lo: int, hi: int, starts: set[int]) -> list[tuple[int, int]]:
    """Runs of name tokens in toks[lo:hi] (particles inside: "Ursula von der Leyen"); a sentence
    start always begins a new run ("...in Washington D.C. Smith said")."""
    out: list[tuple[int, int]] = []
    i = lo
    while i < hi:
        if not toks[i].capital():
            i += 1
            continue
        j = i + 1
        while j < hi and j not in starts and (not toks[j - 1].possessive() or toks[j].low in ORG):
            if toks[j].capital():  # "the Alachua Sheriff's Office", not "Australia's Griffith University"
                j += 1
            elif toks[j].lower_word() and j + 1 < hi and toks[j + 1].capital() and (
                toks[j].low in PARTICLES or (toks[j].low in OF and toks[j - 1].low in ORG)
            ):
                j += 2  # 'von der Leyen', 'University of California', 'Commission on Presidential Debates'
            else:
                break
        out.append((i, j))
        i = j
    return out


def generic(name: str) -> bool:
    """A capitalised common noun standing for an unnamed body: "the Commission", "the Office"."""
    low = name.lower()
    return (low in ORG or low in DOCUMENTS) and name[1:].islower() and low not in ("kremlin", "reuters", "pentagon")


def same_name(a: str, b: str) -> bool:
    return a == b or a.split()[-1] == b.split()[-1]


def fold_words(name: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return [w.rstrip(".").removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’.-]+", plain.lower())]
