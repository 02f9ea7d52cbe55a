"""The default answerer: no LLM. It quotes the sentences that answer the question, each cited.

1. Candidate sentences come from the top passages (a quotation that runs over several
   sentences is kept whole).
2. Each is scored for the *question*, not just the topic: semantic similarity to the question,
   how much of the question's weighted vocabulary it covers, whether it holds the kind of thing
   asked for (a number for "how many", a date for "when", a quotation for "what did X say"),
   whether it adds anything beyond the question's own words, and the rank of its passage.
3. The best one to three sentences are kept (a second article is brought in for comparison
   questions), and each becomes a citation whose quote is verbatim from the article.
4. When even the best sentence scores below the calibrated threshold, it abstains and shows
   the closest passages as related coverage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..bm25 import tokenize
from ..chunking import sentence_spans
from ..types import Answer, Citation, Hit

MAX_SENTENCES = 3
PASSAGES = 6  # how many top hits sentences are drawn from
MARGIN = 0.06  # further sentences must score within this of the best
NOT_IN_CORPUS = "The corpus doesn't say."

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b(?:{_MONTHS}|(?:18|19|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozens?)\b",
    re.I,
)
_QUOTE = re.compile(r"[\"“”]|\b(?:said|says|told|according to|added|described|called|warned)\b", re.I)
_DATELINE = re.compile(rf"^\W*(?:\w+day,?\s+)?(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}\W*$", re.I)
_CAPWORD = re.compile(r"\b[A-Z][\w'’.-]+")

WANTS_NUMBER = re.compile(r"\bhow (?:many|much|old|long|far|large|big)\b|\b(?:death toll|number of|percentage|share of)\b", re.I)
WANTS_DATE = re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bon what date\b", re.I)
WANTS_PERSON = re.compile(r"^\s*(?:who|whom)\b|\bwhich (?:person|journalist|player|leader|candidate|minister|man|woman|company|group|team|country|side)\b", re.I)
WANTS_QUOTE = re.compile(
    r"\bwhat did .+ (?:say|tell|write|conclude|warn)\b|\bhow did .+ (?:describe|react|respond)\b|"
    r"\baccording to\b|\bwhat warning\b|\bview of\b|\bsaid\b|\bcompare\b",
    re.I,
)
COMPARISON = re.compile(r"\bwhich (?:of them|came|happened|one)\b|\bfirst[:,]|\bor\b.+\?$|\bboth\b|\bbetween\b", re.I)


@dataclass
class Sentence:
    hit: Hit
    rank: int  # rank of the hit it came from
    start: int  # offsets into the article text
    end: int
    text: str
    score: float = 0.0


def candidates(hits: Sequence[Hit], passages: int = PASSAGES) -> list[Sentence]:
    """Sentences of the top passages, quotations kept whole, datelines and fragments dropped."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits[:passages]):
        for s, e in _merge_quotes(hit.text, sentence_spans(hit.text)):
            text = hit.text[s:e]
            key = (hit.article_id, hit.start + s)
            if key in seen or len(text.split()) < 4 or _DATELINE.match(text):
                continue
            seen.add(key)
            out.append(Sentence(hit, rank, hit.start + s, hit.start + e, text))
    return out


def _open_quote(text: str) -> bool:
    """An odd number of double quotation marks (outlets mix “curly” and "straight" ones)."""
    return (text.count("“") + text.count("”") + text.count('"')) % 2 == 1


def _merge_quotes(text: str, spans: list[tuple[int, int]], most: int = 4) -> list[tuple[int, int]]:
    """Join a sentence that opens a quotation with the following ones until it closes (same line)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        j = i
        while _open_quote(text[s:e]) and j + 1 < len(spans) and j - i < most and "\n" not in text[e : spans[j + 1][0]]:
            j += 1
            e = spans[j][1]
        if _open_quote(text[s:e]):  # never closes: keep the sentence alone
            j, e = i, spans[i][1]
        out.append((s, e))
        i = j + 1
    return out


class ExtractiveAnswerer:
    """Scores candidate sentences and quotes the best. `encode` embeds texts (L2-normalised);
    `idf` weighs a token by its rarity in the corpus."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], idf: Callable[[str], float], threshold: float) -> None:
        self.encode = encode
        self.idf = idf
        self.threshold = threshold

    def score(self, question: str, sentences: list[Sentence], context: str = "") -> None:
        """Set `.score` on each sentence. `context` (earlier turns) weighs in at half strength."""
        if not sentences:
            return
        vectors = self.encode([question] + [s.text for s in sentences])
        sims = vectors[1:] @ vectors[0]
        q_terms = _weights(question, self.idf)
        for t, w in _weights(context, self.idf).items():
            q_terms.setdefault(t, 0.5 * w)
        total = sum(q_terms.values()) or 1.0
        wants_number = bool(WANTS_NUMBER.search(question))
        wants_date = bool(WANTS_DATE.search(question))
        wants_person = bool(WANTS_PERSON.search(question))
        wants_quote = bool(WANTS_QUOTE.search(question))
        q_caps = {w.lower() for w in _CAPWORD.findall(question + " " + context)}
        for s, sim in zip(sentences, sims):
            tokens = set(tokenize(s.text))
            coverage = sum(w for t, w in q_terms.items() if t in tokens) / total
            novelty = len(tokens - set(q_terms)) / (len(tokens) or 1)
            bonus = 0.0
            if wants_number:
                bonus += 0.08 if _NUMBER.search(s.text) else -0.08
            if wants_date:
                bonus += 0.06 if _DATE.search(s.text) else -0.04
            if wants_person:
                new_names = {w.lower() for w in _CAPWORD.findall(s.text[1:])} - q_caps
                bonus += 0.05 if new_names else -0.05
            if wants_quote:
                bonus += 0.08 if _QUOTE.search(s.text) else -0.04
            if novelty < 0.25:
                bonus -= 0.1
            s.score = 0.55 * float(sim) + 0.45 * coverage + bonus - 0.015 * s.rank

    def select(self, question: str, sentences: list[Sentence]) -> list[Sentence]:
        ranked = sorted(sentences, key=lambda s: s.score, reverse=True)
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        compare = bool(COMPARISON.search(question))
        if compare:
            other = next((s for s in ranked if s.hit.article_id != best.hit.article_id and s.score >= best.score - 0.25), None)
            if other:
                chosen.append(other)
        for s in ranked[1:]:
            if len(chosen) >= MAX_SENTENCES:
                break
            if s in chosen or s.score < best.score - MARGIN or _overlaps(s, chosen):
                continue
            chosen.append(s)
        return chosen

    def answer(self, question: str, hits: Sequence[Hit], context: str = "") -> Answer:
        sentences = candidates(hits)
        self.score(question, sentences, context)
        chosen = self.select(question, sentences)
        if not chosen or chosen[0].score < self.threshold:
            return abstain(question, hits, sentences)
        citations = [_cite(n, s) for n, s in enumerate(chosen, 1)]
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        return Answer(question=question, text=text, citations=citations, hits=list(hits))


def abstain(question: str, hits: Sequence[Hit], sentences: Sequence[Sentence] = ()) -> Answer:
    """An honest 'not in the corpus', with the closest passages (one per article) as related coverage."""
    best: dict[str, Sentence] = {}
    for s in sorted(sentences, key=lambda s: s.score, reverse=True):
        best.setdefault(s.hit.article_id, s)
    related = [_cite(n, s) for n, s in enumerate(list(best.values())[:3], 1)]
    text = NOT_IN_CORPUS + (
        " The closest coverage is listed below; none of it answers the question." if related else
        " Nothing related was found."
    )
    return Answer(question=question, text=text, abstained=True, related=related, hits=list(hits))


def _cite(n: int, s: Sentence) -> Citation:
    h = s.hit
    return Citation(n, h.article_id, h.title, h.source, h.url, h.published, s.text, s.start, s.end)


def _weights(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    return {t: idf(t) for t in tokenize(text)}


def _overlaps(s: Sentence, chosen: list[Sentence]) -> bool:
    """Near-duplicates (syndicated or repeated sentences) and overlapping spans are kept once."""
    a = set(tokenize(s.text))
    for c in chosen:
        if c.hit.article_id == s.hit.article_id and c.start < s.end and s.start < c.end:
            return True
        b = set(tokenize(c.text))
        if a and b and len(a & b) / len(a | b) > 0.6:
            return True
    return False
