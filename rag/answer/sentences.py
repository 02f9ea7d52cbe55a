"""Candidate sentences of the top passages, and the honest "the corpus doesn't say".

Shared by the answerers that quote (extractive, timeline, coverage): a sentence keeps its exact
offsets into the article, and a quotation that runs over several sentences is kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..lexicon import MONTH_NAME
from ..text import sentence_spans, tokenize
from ..types import Answer, Citation, Hit

MIN_WORDS = 6  # shorter sentences ("“Yes,” Putin replied.") rarely answer anything on their own
PASSAGES = 6  # how many top hits sentences are drawn from
NOT_IN_CORPUS = "The corpus doesn't say."

_DATELINE = re.compile(rf"^\W*(?:\w+day,?\s+)?(?:{MONTH_NAME})\s+\d{{1,2}},?\s+\d{{4}}\W*$", re.I)
_ASKS = re.compile(r"\?[\s\"'”’)\]]*$")  # a sentence that asks (an interviewer's question) answers nothing
_PRONOUN_OPENS = re.compile(r"\W*(?:he|she)\b", re.I)
_PRONOUN_SAID = re.compile(r"\b(?:he|she|they)\s+(?:said|says|told|added|wrote|warned)\b|\b(?:said|says|told|added)\s+(?:he|she)\b", re.I)


@dataclass(eq=False)
class Sentence:
    hit: Hit
    rank: int  # rank of the hit it came from
    start: int  # offsets into the article text
    end: int
    text: str
    score: float = 0.0
    sim: float = 0.0
    tokens: set[str] = field(default_factory=set)
    met: set[str] = field(default_factory=set)
    before: str = ""  # the sentence before it in the passage (who "she said" refers to)
    features: list[float] = field(default_factory=list)  # what the ranker scored it by (extractive.py)
    vector: "np.ndarray | None" = field(default=None, repr=False)  # its embedding, once it was embedded


def candidates(hits: Sequence[Hit], passages: int = PASSAGES) -> list[Sentence]:
    """Sentences of the top passages, quotations kept whole, datelines and fragments dropped."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits[:passages]):
        before = ""
        for s, e in _merge_quotes(hit.text, sentence_spans(hit.text)):
            text = hit.text[s:e]
            key = (hit.article_id, hit.start + s)
            if not (key in seen or len(text.split()) < MIN_WORDS or _DATELINE.match(text) or _ASKS.search(text)):
                seen.add(key)
                out.append(Sentence(hit, rank, hit.start + s, hit.start + e, text, before=before))
            before = text
    return out


def attributed_to(s: Sentence, name: str) -> bool:
    """The sentence names the speaker, or says "she said" (or opens with "He") right after a
    sentence that names them."""
    if name in s.text:
        return True
    return bool(_PRONOUN_SAID.search(s.text) or _PRONOUN_OPENS.match(s.text)) and name in s.before


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


def abstain(question: str, hits: Sequence[Hit], sentences: Sequence[Sentence] = (), missing: str = "",
            said: Sentence | None = None) -> Answer:
    """An honest 'not in the corpus', with the closest passages (one per article) as related coverage.
    `missing` says what the coverage found leaves out ("how many"), when it is on the question's story;
    `said` is a sentence of it that says so itself ("The cause was not announced."), quoted first."""
    best: dict[str, Sentence] = {said.hit.article_id: said} if said else {}
    for s in sorted(sentences, key=lambda s: s.score, reverse=True):
        best.setdefault(s.hit.article_id, s)
    related = [cite(n, s) for n, s in enumerate(list(best.values())[:3], 1)]
    if said is not None:
        return Answer(question=question, text=f"The articles found don't say {missing}: “{said.text}” [1]",
                      abstained=True, related=related, hits=list(hits))
    if not related:  # no whole sentence to quote: cite the closest passages as they are
        related = [Citation(n, h.article_id, h.title, h.source, h.url, h.published, h.text, h.start, h.end)
                   for n, h in enumerate(_one_per_article(hits)[:3], 1)]
    if missing and related:
        text = f"The articles found don't say {missing}. What they report is listed below."
    else:
        text = NOT_IN_CORPUS + (
            " The closest coverage is listed below; none of it answers the question." if related else
            " Nothing related was found."
        )
    return Answer(question=question, text=text, abstained=True, related=related, hits=list(hits))


def _one_per_article(hits: Sequence[Hit]) -> list[Hit]:
    seen: set[str] = set()
    return [h for h in hits if not (h.article_id in seen or seen.add(h.article_id))]


def key(term: str) -> str:
    """Match terms on their first six letters too: the stemmer leaves 'survived' and 'survivor' apart."""
    return term[:6]


def cite(n: int, s: Sentence) -> Citation:
    h = s.hit
    return Citation(n, h.article_id, h.title, h.source, h.url, h.published, s.text, s.start, s.end)


def overlaps(s: Sentence, chosen: list[Sentence]) -> bool:
    """Near-duplicates (syndicated or repeated sentences) and overlapping spans are kept once."""
    a = s.tokens or set(tokenize(s.text))
    for c in chosen:
        if c.hit.article_id == s.hit.article_id and c.start < s.end and s.start < c.end:
            return True
        b = c.tokens or set(tokenize(c.text))
        if a and b and len(a & b) / len(a | b) > 0.6:
            return True
    return False
