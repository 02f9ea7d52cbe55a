"""Who a reporting verb's subject is: a name, a pronoun resolved within the paragraph, or nobody sure."""

from __future__ import annotations

from .names import ArticleNames, generic, name_runs, org_like, same_name
from .parts import NAMED, PRONOUN, ROLE, Attr, Tok
from .words import (
    CONJUNCTIONS,
    FINITE,
    FUNCTION,
    HEADS,
    PLACE_PREPOSITIONS,
    PREPOSITIONS,
    PRONOUNS,
    QUANTITIES,
    SKIP_BEFORE_VERB,
    TIME,
    TITLES,
    WHEN,
)


class Subjects:
    """The half of a paragraph's attribution that reads names next to verbs (see Paragraph)."""

    a: ArticleNames
    text: str
    t: list[Tok]
    starts: set[int]

    def intro(self, a: int) -> bool:
        """The sentence at t[a] opens with an introductory phrase ('In ...', 'Following ...', 'Speaking ...')."""
        tok = self.t[a]
        return tok.kind == "w" and (tok.low in PREPOSITIONS or tok.low in FUNCTION or tok.low.endswith("ing"))

    def subject(self, v: int, floor: int) -> Attr | None:
        """Who did the verb at t[v]: None when nothing precedes it (a quotation, the sentence start)."""
        t = self.t
        k = v - 1
        while k >= floor:
            tok = t[k]
            if tok.lower_word() and (tok.low in SKIP_BEFORE_VERB or (tok.low.endswith("ly") and len(tok.low) > 4)):
                k -= 1
            elif tok.kind == "w" and tok.low in TIME and k - 1 >= floor and t[k - 1].low in WHEN:
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
                return Attr(cue=True)
        if k < floor:
            return None
        tok = t[k]
        if tok.kind == "w" and tok.low in PRONOUNS:
            return Attr(PRONOUN, pronoun=k, cue=True)
        if tok.lower_word() and tok.low == "who" and k - 2 >= floor and t[k - 1].text == ",":
            k -= 2
            tok = t[k]
        if tok.capital():
            return self.named(self.run_start(k, floor), k + 1, floor)
        if tok.kind == "w":
            return self.role(k, floor) or Attr(cue=True, coordinated=tok.low == "and")
        if tok.kind == "q" and len(self.text[tok.start:tok.end].split()) <= 3:
            return self.role(k, floor)  # 'The Kremlin "boss" sent ...': a scare-quoted head word
        return None

    def role(self, k: int, floor: int) -> Attr | None:
        """'the Russian president said', 'the Kremlin "boss" sent', 'the company's chief executive
        said': a role with its qualifiers, back to its determiner, resolved to the one person the
        article names in that role (confidence ROLE), else None."""
        t = self.t
        words: list[str] = []
        j = k
        while j >= floor and k - j < 6:
            tok = t[j]
            if tok.kind == "q" and len(self.text[tok.start:tok.end].split()) <= 3:
                words[:0] = self.text[tok.start:tok.end].strip("\"“”").split()
            elif tok.kind == "w" and tok.low in ("the", "its", "their"):
                break
            elif tok.kind == "w" and (j == k or tok.capital() or tok.low in TITLES or tok.low in HEADS or tok.possessive()):
                words.insert(0, tok.text)  # the head word, then its qualifiers
            else:
                return None  # not a role phrase: 'a spokesperson for X said'
            j -= 1
        if j < floor or t[j].low not in ("the", "its", "their") or not words:
            return None
        person = self.a.role_person(words)
        return Attr(ROLE, resolved=person, cue=True) if person else None

    def run_start(self, k: int, floor: int) -> int:
        """Where the run of name tokens ending at t[k] starts."""
        for ra, rb in name_runs(self.t, floor, k + 1, self.starts):
            if rb == k + 1:
                return ra
        return k

    def named(self, a: int, b: int, floor: int, check: bool = True) -> Attr:
        """The name in t[a:b] as a subject; 'Cardinal Marc Ouellet of the Holy See said' and 'Sally
        Wasef of Australia's Griffith University explained' name the person before 'of'."""
        t = self.t
        got = self.a.name_of(t, a, b, self.starts)
        if not got or got[3] or generic(self.text[got[0] : got[1]]):
            return self.role(b - 1, floor) or Attr(cue=True)  # "the Commission said"; "the Russian President said"
        if check and self.joined(a, floor):
            k = a - 1
            if k >= floor and t[k].capital() and t[k].possessive():
                k = self.run_start(k, floor) - 1
            if k >= floor and t[k].low == "the":
                k -= 1
            if k - 1 >= floor and t[k].lower_word() and t[k].low in ("of", "from", "at") and t[k - 1].capital():
                if t[k - 1].low in TITLES:  # 'Secretary of State Corey Stapleton said'
                    full = self.a.expand(self.text[got[0] : got[1]], got[0] + 1)
                    if got[2] or full != self.text[got[0] : got[1]]:
                        return Attr(NAMED, name=(got[0], got[1]), cue=True)
                    return Attr(cue=True)
                return self.named(self.run_start(k - 1, floor), k, floor)
            return Attr(cue=True)
        return Attr(NAMED, name=(got[0], got[1]), cue=True)

    def joined(self, a: int, floor: int) -> bool:
        """The name starting at t[a] is not a subject on its own: 'X and Y said', 'a spokesperson
        for X said', 'the University of California, Los Angeles said' (but 'In Moscow, Putin said')."""
        t = self.t
        if a - 1 < floor:
            return False
        before = t[a - 1]
        k = a - 1
        while k >= floor and k >= a - 3 and t[k].lower_word() and t[k].low not in PREPOSITIONS | CONJUNCTIONS:
            k -= 1  # 'a source within the central Interior Ministry said'
        if k < a - 1 and k >= floor and t[k].lower_word() and t[k].low in PREPOSITIONS:
            return True
        if before.low in ("and", "&") and t[a].low in TITLES:
            return False  # 'Conservative Party leader and Prime Minister Boris Johnson said'
        if before.low in ("and", "&") and a - 2 >= floor and (t[a - 2].capital() or t[a - 2].text == ","):
            return True  # 'Smith and Jones said' (not '... "Soviet-style" and Ross Spano of Florida calling')
        if before.lower_word() and before.low in PREPOSITIONS:
            return True
        if before.low == "the" and a - 2 >= floor and t[a - 2].lower_word() and t[a - 2].low in PREPOSITIONS:
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
            return t[c - 1].low not in PREPOSITIONS | CONJUNCTIONS | FUNCTION
        s = c - 1
        while s > floor and t[s - 1].text != "," and t[s - 1].kind != "q" and s not in self.starts:
            s -= 1
        words = t[s:c]
        return bool(words) and words[0].low in ("the", "a", "an") and any(
            x.low in TITLES or (x.lower_word() and x.low not in FUNCTION | PREPOSITIONS | CONJUNCTIONS) for x in words
        )  # 'The American Samoan delegate to the U.S. House of Representatives, Aumua Amata, told'

    def appositive(self, chunk: list[Tok]) -> bool:
        """', a retired nurse,' / ', who led the petition,' / ', 45,' / ', Secretary General of X,'."""
        first = chunk[0]
        if first.kind == "n" or first.lower_word():
            return not any(x.low in FINITE for x in chunk[:1])
        return any(x.low in TITLES for x in chunk)

    def np_after(self, k: int, limit: int | None = None) -> Attr:
        """The speaker named after an inverted verb or 'according to': descriptors, then a name
        that ends the noun phrase ('said student protester Joshua Wong on Twitter')."""
        t = self.t
        hi = len(t) if limit is None else limit
        j = k
        while j < hi and j - k < 6:
            tok = t[j]
            if tok.lower_word() and tok.low not in PREPOSITIONS and tok.low not in CONJUNCTIONS and tok.low not in PRONOUNS:
                j += 1
            elif tok.capital() and tok.possessive():
                j += 1
            else:
                break
        if j < hi and t[j].lower_word() and t[j].low in PRONOUNS and j == k:
            return Attr(PRONOUN, pronoun=j, cue=True)
        if j > k and j + 1 < hi and t[j].text == "," and t[j + 1].capital():
            j += 1  # 'said his father, Abdullah Kurdi, following the ceremony'
        if j >= hi or not t[j].capital():
            return Attr(cue=True)
        ra, rb = name_runs(t, j, hi, self.starts)[0]
        if rb + 1 < hi and t[rb].text == "," and t[rb + 1].capital():
            return Attr(cue=True)  # 'said University of California, San Diego's chancellor, Pradeep Khosla'
        got = self.a.name_of(t, ra, rb)
        if got is None and rb + 1 < hi and t[rb].low in ("of", "from") and t[rb + 1].capital():
            ra, rb = name_runs(t, rb + 1, hi, self.starts)[0]  # 'tweeted Mayor of London Sadiq Khan'
            got = self.a.name_of(t, ra, rb)
        nxt = t[rb] if rb < hi else None
        if nxt is not None and nxt.kind == "w" and not (nxt.low in PREPOSITIONS or nxt.low in CONJUNCTIONS):
            return Attr(cue=True)  # 'a Woolworths spokesperson'
        if not got or got[3] or generic(self.text[got[0] : got[1]]):
            return Attr(cue=True)
        return Attr(NAMED, name=(got[0], got[1]), cue=True)

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
        for a, b in name_runs(t, 0, p, self.starts):
            got = self.a.name_of(t, a, b, self.starts)
            if not got or (a > 0 and (t[a - 1].kind == "n" or t[a - 1].low in QUANTITIES)):
                continue  # '85,000 Americans'
            s, e, titled, _ = got
            name = self.a.expand(self.text[s:e], s + 1)
            if they:
                if org_like(name) and name in self.a.speakers:
                    mentions.append((a, name, True))
            elif self.a.person(name, titled) or self.a.person(self.text[s:e], titled):
                mentions.append((a, name, True))
            elif " " in name and not org_like(name) and not (a > 0 and t[a - 1].low in PLACE_PREPOSITIONS):
                mentions.append((a, name, False))  # maybe a person the article never names again ('in Hong Kong': no)
        if not mentions:
            return None
        last_at, last, sure = mentions[-1]
        since = self.a.sentence_of(t[last_at].start)[0]
        others = {n for at, n, _ in mentions if t[at].start >= since and not same_name(n, last)}
        return last if sure and not others else None
