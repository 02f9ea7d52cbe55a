"""Attribution within one paragraph: which reporting cue a quotation has, and so its speaker."""

from __future__ import annotations

import re

from .names import ArticleNames, word_tokens
from .parts import NAMED, PRONOUN, ROLE, UNCERTAIN, Attr, Raw, Tok
from .subjects import Subjects
from .words import (
    AUXILIARIES,
    CONJUNCTIONS,
    CORE,
    DETERMINERS,
    DIRECT_GAP,
    FINITE,
    FUNCTION,
    INVERTIBLE,
    MENTION,
    MESSAGE_NOUNS,
    MESSAGE_VERBS,
    PREPOSITIONS,
    REPORTING_PARTICIPLES,
    SPEAKER_LABEL,
    TIME,
    adverb,
    finite,
    is_verb,
    participle,
    verbish,
)


class Paragraph(Subjects):
    """Attribution within one paragraph; quotations are single "q" tokens in `self.t`."""

    def __init__(self, article: ArticleNames, lo: int, hi: int, raws: list[Raw]) -> None:
        self.a = article
        self.text = article.text
        self.lo, self.hi = lo, hi
        self.raws = raws
        toks: list[Tok] = []
        pos = lo
        for qi, r in enumerate(raws):
            q_end = min(r.close + 1, hi)
            toks.extend(self._plain(pos, r.open))
            toks.append(Tok(r.open, q_end, "QUOTE", "q", qi))
            pos = q_end
        toks.extend(self._plain(pos, hi))
        self.t = toks
        self.starts = article.sentence_start_tokens(toks)
        self.qtok = {tok.quote: i for i, tok in enumerate(toks) if tok.kind == "q"}

    def _plain(self, lo: int, hi: int) -> list[Tok]:
        """Tokens of text outside quotations; an interview label is one opaque token."""
        out: list[Tok] = []
        pos = lo
        for m in SPEAKER_LABEL.finditer(self.text, lo, hi):
            out.extend(word_tokens(self.text, pos, m.start()))
            out.append(Tok(m.start(), m.end(), m.group(), "x"))
            pos = m.end()
        out.extend(word_tokens(self.text, pos, hi))
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
            if i > 0 and self.t[i - 1].low in MENTION:  # 'the term "natural born Citizen"': named, not said
                r.attr = Attr()
                self.resolve(qi, r)
                continue
            first = self.before(i, a)
            if first is not None and first.direct and first.confidence != UNCERTAIN:
                r.attr = first  # 'X said: "..."' even when a new sentence follows the quotation
            else:
                r.attr = self.after(i) or first or self.colon(i, a) or Attr()
            if r.attr.until > r.sent_end:
                r.sent_end = self.a.sentence_of(r.attr.until - 1)[1]
            self.resolve(qi, r)

    def continue_all(self) -> None:
        for qi, r in enumerate(self.raws):
            self.continuation(qi, r)

    def resolve(self, qi: int, r: Raw) -> None:
        at = r.attr
        if at.confidence == NAMED and at.name:
            s, e = at.name
            r.speaker = self.a.expand(self.text[s:e], s + 1)
            r.confidence = NAMED
            self.a.speakers.add(r.speaker)
            self.a.speakers.add(self.text[s:e])
        elif at.confidence == ROLE and at.resolved:
            r.speaker, r.confidence = at.resolved, ROLE
            self.a.speakers.add(r.speaker)
        elif at.confidence == PRONOUN:
            found = self.antecedent(at.pronoun)
            if found:
                r.speaker, r.confidence = found, PRONOUN

    def continuation(self, qi: int, r: Raw) -> None:
        """A quotation alone in its sentence right after an attributed one continues it."""
        if r.confidence != UNCERTAIN or r.attr.cue or not r.alone or qi == 0:
            return
        prev = self.raws[qi - 1]
        if prev.confidence == UNCERTAIN or self.text[prev.sent_end : r.sent_start].strip():
            return
        r.speaker, r.confidence = prev.speaker, PRONOUN
        r.sent_start = prev.sent_start

    # -- attribution cues --

    def after(self, i: int) -> Attr | None:
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
        if t[j].lower_word() and t[j].low in INVERTIBLE:
            if ended and not dash and t[j].low not in CORE:
                return None
            got = self.np_after(j + 1)
            return self.finish(got, j + 1, ended, direct=True)
        # `Putin said`, `the Russian president said`, `Smith, a lawyer, said`: the verb within a few words
        v = j
        while v < len(t) and v - j < 12 and t[v].kind != "q" and t[v].text not in ".;!?:" and not is_verb(t[v], FINITE):
            v += 1
        if v >= len(t) or not is_verb(t[v], FINITE):
            return None
        if t[j].low in CONJUNCTIONS or t[j].low in PREPOSITIONS:
            return None
        got = self.subject(v, j)
        if got is None:
            return None
        if got.name and not self.clause_start(j, got):
            return None
        got.cue, got.direct = True, True
        got.until = t[v].end
        if ended and not dash and (t[v].low not in CORE or t[v - 1].low in AUXILIARIES or not self.short_tail(v + 1)):
            return None  # '." Amnesty International has called for an inquiry.' is a new sentence
        return got

    def finish(self, got: Attr, k: int, ended: bool, direct: bool) -> Attr | None:
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
        return j == end or t[j].text == "," or (t[j].lower_word() and t[j].low in PREPOSITIONS)

    def clause_start(self, j: int, got: Attr) -> bool:
        """Only descriptors between the clause start and the name ("former minister X said")."""
        t = self.t
        k = j
        while k < len(t) and (got.name is None or t[k].start < got.name[0]):
            if t[k].kind == "q" or t[k].low in CONJUNCTIONS or t[k].low in PREPOSITIONS:
                return False
            k += 1
        return True

    def before(self, i: int, a: int) -> Attr | None:
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
            elif low in FINITE:
                if c > a and t[c - 1].low in DETERMINERS:
                    continue  # a noun: 'in remarks published by CNN', 'his claims'
                got = self.subject(c, a)
                end = c + 1
                if got is None and low in INVERTIBLE:  # `"A," said Smith, "B"`
                    got = self.np_after(c + 1, i)
                    end = self.np_end(c + 1, i)
                elif got is None:
                    got = Attr()
                elif got.coordinated:
                    got = self.main_subject(a, c) or got
            elif low in MESSAGE_VERBS and any(x.low in MESSAGE_NOUNS for x in t[c + 1 : min(c + 4, i)]):
                got = self.subject(c, a) or Attr()  # 'X sent a message to the US leadership that "..."'
                end = next(x for x in range(c + 1, i) if t[x].low in MESSAGE_NOUNS) + 1
                if any(x.kind == "q" for x in t[end:i]) or not any(x.low == "that" for x in t[end:i]):
                    continue  # the message is not the quotation: 'sent a letter. "..."'
                end = i
            elif participle(low):
                end = c + 1
                k = c - 1
                while k >= a and adverb(t[k]):
                    k -= 1
                if k >= a and (t[k].text == "," or t[k].low in ("by", "while", "when")):
                    got = self.main_subject(a, c) or Attr()  # 'Biden criticized the move, arguing'
                else:  # 'with Steve Scalise of Louisiana calling', not 'the media falsely describing him'
                    got = self.subject(c, a) or Attr()
                    if got.confidence == UNCERTAIN and low in REPORTING_PARTICIPLES:
                        got = self.main_subject(a, c) or Attr()  # 'The governor tweeted her reasoning saying'
                    elif got.confidence == UNCERTAIN:
                        got = Attr()
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

    def colon(self, i: int, a: int) -> Attr | None:
        """`X disagreed with these findings: "..."`: the subject opening the sentence."""
        if i == 0 or self.t[i - 1].text != ":":
            return None
        got = self.main_subject(a, i - 1)
        if got:
            got.cue = True
        return got

    def main_subject(self, a: int, limit: int) -> Attr | None:
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
            if not tok.lower_word() or not finite(low):
                continue
            got = self.subject(v, start)
            if got is None or got.confidence in (UNCERTAIN, ROLE):
                return got  # a role phrase found by subject() already reached back to its determiner
            first = got.name[0] if got.name else t[got.pronoun].start
            k = start
            while k < len(t) and t[k].start < first:
                k += 1
            while k > start and (t[k - 1].capital() or t[k - 1].low in FUNCTION | TIME or (
                t[k - 1].lower_word() and not verbish(t[k - 1].low) and t[k - 1].low not in PREPOSITIONS | CONJUNCTIONS
            )):
                k -= 1  # titles and descriptors of the name, 'This Wednesday', 'Study co-author and geochemist'
            return got if k == start else Attr()
        return None
