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

from ..bm25 import tokenize
from ..chunking import sentence_spans
from ..quotes import NAMED, PRONOUN, UNCERTAIN, Quote, extract_quotes, speaker_matches
from ..types import Answer, Citation, Hit
from . import disagree
from .extractive import _SPEAKER, speaker

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


Article = tuple[dict, str]  # (record metadata, text)


def hits_of(article_id: str, meta: dict, text: str, who: str | None = None) -> list[QuoteHit]:
    """The article's quotations (those of `who` only, when given) as QuoteHits."""
    out = []
    for q in decode(meta.get("quotes"), text):
        if who and (q.confidence == UNCERTAIN or not speaker_matches(q, who)):
            continue
        window = text[max(0, q.sentence_start - 600):q.sentence_start]  # short paragraphs: look past them
        before = [window[a:b] for a, b in sentence_spans(window)][-1:]
        out.append(QuoteHit(q, article_id, meta.get("title", ""), meta.get("source", ""), meta.get("url", ""),
                            meta.get("published") or None, text[q.sentence_start:q.sentence_end], before=" ".join(before)))
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


def topic(question: str) -> str:
    """What a "What did X say about Y?" question is about: the question without its who-said frame
    ("What did Putin say about weapons supply?" -> "weapons supply")."""
    m = _SPEAKER.search(question)
    rest = (question[:m.start()] + " " + question[m.end():]) if m else question
    rest = re.sub(r"^\W*(?:what|how|which|why|when|where|who)\b|\b(?:about|of|on|to)\b(?=\W*$)", " ", rest.strip(), flags=re.I)
    rest = re.sub(r"^\W*(?:about|on|regarding)\b", " ", rest.strip(), flags=re.I)
    return " ".join(rest.strip(" ,?.").split()) or question


def answer(
    question: str, hits: Sequence[Hit], article: Callable[[str], Article | None],
    encode_texts: Callable[[list[str]], np.ndarray],
) -> Answer | None:
    """For "What did X say (about Y)?": X's quotations in the top articles that are about Y,
    quoted verbatim under X's name and cited. When X has none on Y but a story naming X has a
    quotation on Y whose speaker it leaves unclear, that is given as such, never under X's name. None when the
    question names no speaker or the top articles hold nothing to quote on it (the extractive
    answerer then answers)."""
    who = speaker(question)
    if not who:
        return None
    found: list[QuoteHit] = []
    seen: set[str] = set()
    for h in hits[:QUOTE_PASSAGES]:
        if h.article_id in seen:
            continue
        seen.add(h.article_id)
        got = article(h.article_id)
        if got:
            names_them = who.lower() in got[1].lower()
            found += [q for q in hits_of(h.article_id, got[0], got[1]) if len(q.quote.text.split()) >= MIN_WORDS
                      and (speaker_matches(q.quote, who) if q.speaker else names_them)]
            # (an unattributed quotation only from a story that names X)
    if not found:
        return None
    about = topic(question)
    words = set(tokenize(about))  # embedding is the cost: only the quotations sharing most words with Y

    def shortlist(group: list[QuoteHit], n: int) -> list[QuoteHit]:
        return sorted(group, key=lambda h: -len(words & set(tokenize(f"{h.before} {h.context}"))))[:n]

    theirs = shortlist([h for h in found if h.speaker], RANKED)
    unclear = shortlist([h for h in found if h.speaker is None], RANKED // 2)
    rank(about, theirs + unclear, encode_texts)
    theirs.sort(key=lambda h: -h.score)
    unclear.sort(key=lambda h: -h.score)
    if unclear and unclear[0].score >= UNCLEAR_RELEVANCE and (not theirs or theirs[0].score < MIN_RELEVANCE):
        h = unclear[0]
        return Answer(question=question, text=f"The closest quotation on this is one the article does not clearly "
                      f"attribute, so it may not be {who}'s: “{h.quote.text}” [1]", citations=[h.citation(1)],
                      hits=list(hits))
    if not theirs or theirs[0].score < MIN_RELEVANCE:
        return None
    chosen = [theirs[0]] + [h for h in theirs[1:2] if h.score >= theirs[0].score - SAME_TOPIC
                            and h.quote.sentence_start != theirs[0].quote.sentence_start]
    citations = [h.citation(n) for n, h in enumerate(chosen, 1)]
    text = " ".join(f"{h.quote.speaker} said: “{h.quote.text}” [{n}]" for n, h in enumerate(chosen, 1))
    # another outlet's report of X on Y that gives a figure differently: cite it too, and say so
    rivals = [h for h in theirs if h.score >= theirs[0].score - disagree.MARGIN]
    notes = []
    for n, h in enumerate(chosen, 1):
        mine = disagree.Report(h.context, h.article_id, h.published)
        reports = [disagree.Report(r.context, r.article_id, r.published) for r in rivals]
        for kind, fig, other, theirs_fig in disagree.conflicts(mine, reports)[:1]:
            rival = rivals[reports.index(other)]
            if rival in chosen:
                m = chosen.index(rival) + 1
            else:
                citations.append(rival.citation(len(citations) + 1))
                m = len(citations)
            notes.append(disagree.note(kind, (fig, n, h.published), (theirs_fig, m, rival.published)))
        if notes:
            break
    return Answer(question=question, text=" ".join([text, *notes]), citations=citations, hits=list(hits))


__all__ = ["QuoteHit", "answer", "decode", "encode", "hits_of", "rank", "NAMED", "PRONOUN", "UNCERTAIN"]
