"""Story timelines: "How did X develop?" as a dated list of the relevant articles' key sentences,
oldest first, each cited.

One entry per retrieved article: its lead sentence (news says what happened first), dated by the
article. An article joins only when its title and lead cover most of what the topic is about, so
a timeline of the Notre-Dame fire doesn't wander into articles that mention it in passing.
Leads repeated across a series are kept once; undated articles can't be placed and are left out
(said in the text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..text import sentence_spans, tokenize
from ..types import Answer, Citation, Hit, StoredArticle
from .base import Draft, Steps, once
from .extractive import ExtractiveAnswerer
from .sentences import MIN_WORDS, abstain

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

MAX_ENTRIES = 12
ARTICLE_COVERAGE = 0.5  # share of the topic's idf-weighted terms an article must hold to join


Lead = Callable[[str], "tuple[int, int, str] | None"]  # article id -> its first sentence (offsets, text)


def build(question: str, topic: str, hits: Sequence[Hit], answerer: ExtractiveAnswerer, lead: Lead) -> Answer:
    """The timeline Answer: text '2019-04-15 — sentence [1]' a line, citations in date order.

    An article's entry is its lead (news puts what happened first), when its title and lead are
    about the topic; otherwise the article only mentions the story in passing and is left out."""
    if not hits or answerer.confidence(topic, hits) < answerer.threshold:
        return abstain(question, hits)
    terms = answerer.terms(topic)
    total = sum(terms.values()) or 1.0
    first: dict[str, Hit] = {}
    for h in hits:
        first.setdefault(h.article_id, h)
    entries: list[Citation] = []
    seen: list[set[str]] = []
    undated = 0
    for aid, h in first.items():
        got = lead(aid)
        if got is None:
            continue
        start, end, sentence = got
        tokens = {t[:6] for t in tokenize(f"{h.title} {sentence}")}
        if sum(w for t, w in terms.items() if t in tokens) / total < ARTICLE_COVERAGE:
            continue
        words = set(tokenize(sentence))
        if any(len(words & other) / len(words | other or {""}) > 0.6 for other in seen):
            continue  # the same lead in a series of articles: once is enough
        seen.append(words)
        if not h.published:
            undated += 1
            continue
        entries.append(Citation(0, aid, h.title, h.source, h.url, h.published, sentence, start, end))
    entries.sort(key=lambda c: (c.published, c.title))
    entries = entries[-MAX_ENTRIES:]  # the latest developments when there are many
    if not entries:
        return abstain(question, hits)
    for n, c in enumerate(entries, 1):
        c.n = n
    text = "\n".join(f"{c.published} — {c.quote} [{c.n}]" for c in entries)
    if undated:
        text += f"\n({undated} undated article{'s' * (undated != 1)} left out: no date to place them by.)"
    return Answer(question=question, text=text, citations=entries, hits=list(hits))


def lead_sentence(text: str) -> tuple[int, int, str] | None:
    """The first sentence of an article that reads as one (a dateline or a fragment is skipped)."""
    for s, e in sentence_spans(text)[:4]:
        if len(text[s:e].split()) >= MIN_WORDS:
            return s, e, text[s:e]
    return None


class TimelineAnswerer:
    """The Answerer for "How did X develop?": the story's articles' leads, oldest first."""

    name = "timeline"

    def __init__(self, scorer: ExtractiveAnswerer, article: Callable[[str], StoredArticle | None]) -> None:
        self.scorer = scorer
        self.article = article

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        return once(Draft(build(plan.question, plan.topic or plan.search, found.hits, self.scorer, self._lead)))

    def _lead(self, article_id: str) -> tuple[int, int, str] | None:
        got = self.article(article_id)
        return lead_sentence(got.text or "") if got else None
