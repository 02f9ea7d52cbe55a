"""Who said what: quotations stored at ingest, listed by speaker and topic, and "What did X say
about Y?" answered from X's own quotations.

Each article's quotations (rag/quotes.py) are kept on its record as compact JSON (offsets,
speaker, confidence); the words themselves are read back from the article text, so a stored
quotation can't drift from what the article says. Only quotations whose speaker is named, or
is "he/she" right after the name in the same paragraph, are ever attributed; a quotation whose
speaker is uncertain is offered as such, never under a name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from typing import TYPE_CHECKING

from ..check.disagree import MARGIN, Report
from ..ingest.quotes import NAMED, PRONOUN, UNCERTAIN, Quote, extract_quotes, speaker_matches
from ..text import sentence_spans, tokenize
from ..types import Answer, Citation, Hit, StoredArticle
from .base import Draft, Steps, once
from .sentences import attributed_to, candidates

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

_QUOTE_MARK = re.compile(r"[\"“”]")
QUOTE_PASSAGES = 6  # the articles of this many top hits are searched for the speaker's quotations
SAME_TOPIC = 0.08  # a second quotation is added when it is this close to the best one
MIN_RELEVANCE = 0.3  # cosine of the question's topic and a quotation below which it isn't about it
UNCLEAR_RELEVANCE = 0.45  # a quotation the article doesn't attribute must be clearly on the topic
MIN_WORDS = 4  # "Yes," Putin replied: true, and no answer to anything
RANKED = 8  # X's quotations embedded per question (those sharing most words with its topic); half as many unclear


def encode(quotes: Sequence[Quote]) -> str:
    """Compact JSON for an article record: [start, end, speaker, confidence, sentence start, end]."""
    return json.dumps([[q.start, q.end, q.speaker, q.confidence, q.sentence_start, q.sentence_end] for q in quotes],
                      ensure_ascii=False, separators=(",", ":"))


def decode(raw: str | None, text: str) -> list[Quote]:
    """The quotations of an article from its record ('' or None: extracted now, for records
    written before quotations were stored)."""
    if not raw:
        return extract_quotes(text)
    return [Quote(text[s:e], s, e, who, conf, ss, se) for s, e, who, conf, ss, se in json.loads(raw)]


@dataclass
class QuoteHit:
    """A quotation with its speaker and where it was published: `quote.text` is verbatim at
    `quote.start:quote.end` of the article; `context` is its sentence(s), attribution included."""

    quote: Quote
    article_id: str
    title: str
    source: str
    url: str
    published: str | None
    context: str
    score: float = 0.0
    before: str = ""  # the sentence before the quotation's (what it replies to, or sets it in)

    @property
    def speaker(self) -> str | None:
        return self.quote.speaker if self.quote.confidence != UNCERTAIN else None

    def __repr__(self) -> str:
        who = self.speaker or "speaker uncertain"
        return f"QuoteHit({who}: “{self.quote.text[:50]}”, {self.source!r}, {self.published})"

    def to_dict(self) -> dict:
        return {**asdict(self.quote), "article_id": self.article_id, "title": self.title, "source": self.source,
                "url": self.url, "published": self.published, "context": self.context, "score": self.score}

    def citation(self, n: int) -> Citation:
        """Citation [n]: the sentence(s) with the quotation and its attribution."""
        q = self.quote
        return Citation(n, self.article_id, self.title, self.source, self.url, self.published, self.context,
                        q.sentence_start, q.sentence_end)


def hits_of(article: StoredArticle, who: str | None = None) -> list[QuoteHit]:
    """The article's quotations (those of `who` only, when given) as QuoteHits; `article.text` is needed."""
    text = article.text or ""
    out = []
    for q in decode(article.quotes, text):
        if who and (q.confidence == UNCERTAIN or not speaker_matches(q, who)):
            continue
        window = text[max(0, q.sentence_start - 600):q.sentence_start]  # short paragraphs: look past them
        before = [window[a:b] for a, b in sentence_spans(window)][-1:]
        out.append(QuoteHit(q, article.id, article.title, article.source, article.url, article.published,
                            text[q.sentence_start:q.sentence_end], before=" ".join(before)))
    return out


def rank(about: str, found: list[QuoteHit], encode_texts: Callable[[list[str]], np.ndarray]) -> list[QuoteHit]:
    """Most relevant to `about` first: the cosine of the topic and the quotation's words, or its
    sentence with the one before it (what it answers), whichever is closer; sets `.score`."""
    if not found or not about.strip():
        return found
    vectors = encode_texts([about] + [h.quote.text for h in found] + [f"{h.before} {h.context}" for h in found])
    sims = vectors[1:] @ vectors[0]
    for h, own, around in zip(found, sims[: len(found)], sims[len(found):]):
        h.score = float(max(own, around))  # the words, or the words with what they answer
    return sorted(found, key=lambda h: h.score, reverse=True)


def continues(first: QuoteHit, other: QuoteHit) -> bool:
    """`other` is the rest of the utterance `first` is part of ("“A,” said X. “B”"): the same
    speaker's, in the same article, in the same or the touching sentences, and on the topic too."""
    a, b = sorted((first, other), key=lambda h: h.quote.start)
    return (a.article_id == b.article_id and a.quote.speaker == b.quote.speaker and a.quote.end <= b.quote.start
            and b.quote.sentence_start <= a.quote.sentence_end + 2 and other.score >= MIN_RELEVANCE)


class QuoteAnswerer:
    """For "What did X say (about Y)?": X's quotations in the top articles that are about Y,
    quoted verbatim under X's name and cited. When X has none on Y but a story naming X has a
    quotation on Y whose speaker it leaves unclear, that is given as such, never under X's name.
    Declines when the question names no speaker or the top articles hold nothing to quote on it
    (the extractive answerer then answers)."""

    name = "quotes"

    def __init__(self, article: Callable[[str], StoredArticle | None], encode_texts: Callable[[list[str]], np.ndarray]) -> None:
        self.article = article
        self.encode_texts = encode_texts

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        return once(self.draft(plan.question, plan.speaker, plan.topic or plan.question, found.hits))

    def draft(self, question: str, who: str | None, about: str, hits: Sequence[Hit]) -> Draft | None:
        if not who:
            return None
        found: list[QuoteHit] = []
        seen: set[str] = set()
        for h in hits[:QUOTE_PASSAGES]:
            if h.article_id in seen:
                continue
            seen.add(h.article_id)
            got = self.article(h.article_id)
            if got:
                names_them = who.lower() in (got.text or "").lower()
                found += [q for q in hits_of(got) if len(q.quote.text.split()) >= MIN_WORDS
                          and (speaker_matches(q.quote, who) if q.speaker else names_them)]
                # (an unattributed quotation only from a story that names X)
        if not found:
            return None
        words = set(tokenize(about))  # embedding is the cost: only the quotations sharing most words with Y

        def shortlist(group: list[QuoteHit], n: int) -> list[QuoteHit]:
            return sorted(group, key=lambda h: -len(words & set(tokenize(f"{h.before} {h.context}"))))[:n]

        theirs = shortlist([h for h in found if h.speaker], RANKED)
        unclear = shortlist([h for h in found if h.speaker is None], RANKED // 2)
        rank(about, theirs + unclear, self.encode_texts)
        theirs.sort(key=lambda h: -h.score)
        unclear.sort(key=lambda h: -h.score)
        if unclear and unclear[0].score >= UNCLEAR_RELEVANCE and (not theirs or theirs[0].score < MIN_RELEVANCE):
            if any(_QUOTE_MARK.search(c.text) and attributed_to(c, who) for c in candidates(hits[:QUOTE_PASSAGES])):
                return None  # a sentence reports X's words ('X called it "lousy"'): the extractive answerer quotes it
            h = unclear[0]
            return Draft(Answer(question=question, text=f"The closest quotation on this is one the article does not "
                                f"clearly attribute, so it may not be {who}'s: “{h.quote.text}” [1]",
                                citations=[h.citation(1)], hits=list(hits)))
        if not theirs or theirs[0].score < MIN_RELEVANCE:
            return None
        best = theirs[0]
        other = next((h for h in theirs if h is not best and continues(best, h)), None)
        chosen = [best] + [h for h in theirs[1:2] if h.score >= best.score - SAME_TOPIC and h is not other
                           and h.quote.sentence_start != best.quote.sentence_start]
        citations = [h.citation(n) for n, h in enumerate(chosen, 1)]
        said = [f"“{h.quote.text}”" for h in chosen]
        got = self.article(best.article_id) if other is not None else None
        if other is not None and got is not None and got.text:  # "“A,” said X. “B”": one utterance, quoted whole
            a, b = sorted((best, other), key=lambda h: h.quote.start)
            said[0] = f"“{a.quote.text}” … “{b.quote.text}”"
            start, end = a.quote.sentence_start, max(a.quote.sentence_end, b.quote.sentence_end)
            c = citations[0]
            citations[0] = Citation(1, c.article_id, c.title, c.source, c.url, c.published, got.text[start:end], start, end)
        text = " ".join(f"{h.quote.speaker} said: {words} [{n}]" for n, (h, words) in enumerate(zip(chosen, said), 1))
        # another outlet's report of X on Y that gives a figure differently: the check step cites it and says so
        rivals = [h for h in theirs if h.score >= theirs[0].score - MARGIN]
        report = lambda h: Report(h.context, h.article_id, h.published, h.title, h.citation(0))  # noqa: E731
        answer = Answer(question=question, text=text, citations=citations, hits=list(hits))
        return Draft(answer, [report(h) for h in chosen], [report(h) for h in rivals], most_notes=1)


__all__ = ["QuoteAnswerer", "QuoteHit", "decode", "encode", "hits_of", "rank", "NAMED", "PRONOUN", "UNCERTAIN"]
