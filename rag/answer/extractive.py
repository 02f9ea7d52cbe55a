"""The default answerer: no LLM. It quotes the sentences that answer the question, each cited.

1. Candidate sentences come from the top passages (rag/answer/sentences.py).
2. Each is scored for the *question*, not just the topic: semantic similarity to the question,
   how much of the question's weighted vocabulary it covers, whether it holds the kind of thing
   asked for (a number for "how many", a date for "when", a quotation for "what did X say"),
   whether it adds anything beyond the question's own words, and the rank of its passage.
3. The best one to three sentences are kept (a second article is brought in for comparison
   questions), and each becomes a citation whose quote is verbatim from the article.
4. When the top passages don't cover what the question is about (below the calibrated
   threshold), it abstains and shows the closest passages as related coverage.
5. It hands the check step the sentences it states and the close sentences of other articles
   it passed over, so sources that disagree are said (rag/check/disagree.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..ask.plan import COMPARISON, speaker, wants
from ..check.disagree import MARGIN, Report, figures
from ..lexicon import MONTH_NAME, NUMBER_WORDS, SCALES, WEEKDAY
from ..text import tokenize
from ..types import Answer, Hit
from .base import Draft, Steps, once
from .sentences import Sentence, abstain, attributed_to, candidates, cite, key, overlaps

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

MAX_SENTENCES = 3
ENCODE_LIMIT = 16  # sentences embedded per answer (the best by their lexical score); 12 scores the same on dev
CONFIDENCE_PASSAGES = 3  # the passages whose coverage of the question decides abstention
DISAGREE_MARGIN = MARGIN  # another article's sentence this close to the best one may contradict it
DISAGREE_COVERAGE = 0.6  # ... when its article covers the question this well, relative to the answer's

_DATE = re.compile(rf"\b(?:{MONTH_NAME}|(?:18|19|20)\d\d|{WEEKDAY})\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:" + "|".join([*NUMBER_WORDS, *SCALES, "dozens"]) + r")\b", re.I)
_QUOTATION = re.compile(r"[\"“”]")
_QUOTE = re.compile(r"[\"“”]|\b(?:said|says|told|according to|added|described|called|warned)\b", re.I)
_CAPWORD = re.compile(r"\b[A-Z][\w'’.-]+")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*")  # capitalised, not opening a sentence
_TIMEWORD = re.compile(rf"(?:{MONTH_NAME}|{WEEKDAY}|christmas)", re.I)


@dataclass
class Weights:
    """How sentences are scored and picked; tuned on the dev set (benchmarks/RESULTS.md)."""

    sim: float = 0.55  # cosine similarity of sentence and question
    coverage: float = 0.45  # share of the question's idf-weighted terms the sentence holds
    answer_type: float = 0.05  # bonus for holding the kind of thing asked for (a number, a date...)
    title_discount: float = 0.3  # weight of question terms the article's title already has (the topic)
    speaker: float = 0.1  # and more when the quotation is attributed to the person asked about
    quotation: float = 0.15  # extra bonus for a quotation when the question asks what someone said
    restate: float = 0.1  # penalty for a sentence that adds nothing beyond the question's words
    rank: float = 0.015  # penalty per rank of the passage the sentence comes from
    residual_sim: float = 0.3  # weight of similarity when picking further sentences
    min_gain: float = 0.03  # a further sentence must cover this share of what is still uncovered


@dataclass
class Need:
    """What a question asks for, read from its wording."""

    number: bool
    date: bool
    person: bool
    quote: bool
    caps: frozenset[str]  # capitalised words of the question and its context (not new names)

    @classmethod
    def of(cls, question: str, context: str = "") -> "Need":
        asked = wants(question)
        return cls("number" in asked, "date" in asked, "person" in asked, "quote" in asked,
                   frozenset(w.lower() for w in _CAPWORD.findall(question + " " + context)))

    def met(self, text: str) -> set[str]:
        """Which of the wanted kinds `text` holds."""
        out = set()
        if self.number and _NUMBER.search(text):
            out.add("number")
        if self.date and _DATE.search(text):
            out.add("date")
        if self.person and {w.lower() for w in _CAPWORD.findall(text[1:])} - self.caps:
            out.add("person")
        if self.quote and _QUOTE.search(text):
            out.add("quote")
        return out

    @property
    def wanted(self) -> set[str]:
        return {k for k in ("number", "date", "person", "quote") if getattr(self, k)}


class ExtractiveAnswerer:
    """Scores candidate sentences and quotes the best. `encode` embeds texts (L2-normalised);
    `idf` weighs a token by its rarity in the corpus (unseen tokens count as the rarest)."""

    def __init__(
        self,
        encode: Callable[[list[str]], np.ndarray],
        idf: Callable[[str], float],
        threshold: float,
        weights: Weights | None = None,
        encode_limit: int = ENCODE_LIMIT,
    ) -> None:
        self.encode = encode
        self.idf = idf
        self.threshold = threshold
        self.w = weights or Weights()
        self.encode_limit = encode_limit

    def terms(self, question: str, context: str = "") -> dict[str, float]:
        """The question's terms and their weights; a follow-up's context counts half."""
        q_terms = {key(t): self.idf(t) for t in tokenize(question)}
        for t in tokenize(context):
            q_terms.setdefault(key(t), 0.5 * self.idf(t))
        return q_terms

    def score(self, question: str, sentences: list[Sentence], context: str = "") -> None:
        """Set `.score` (how well a sentence alone answers), `.sim`, `.tokens` and `.met`.

        The lexical part is scored for every sentence first; only the `encode_limit` best by it
        are embedded (embedding is most of an answer's cost), the rest keep similarity 0."""
        if not sentences:
            return
        q_terms = self.terms(question, context)
        total = sum(q_terms.values()) or 1.0
        need = Need.of(question, context)
        titles: dict[str, set[str]] = {}
        who = speaker(question) if need.quote else None
        w = self.w
        for s in sentences:
            s.tokens = {key(t) for t in tokenize(s.text)}
            s.met = need.met(s.text)
            title = titles.setdefault(s.hit.article_id, {key(t) for t in tokenize(s.hit.title)})
            coverage = sum(
                wt * (w.title_discount if t in title else 1.0) for t, wt in q_terms.items() if t in s.tokens
            ) / total
            novelty = len(s.tokens - set(q_terms)) / (len(s.tokens) or 1)
            type_score = w.answer_type * (len(s.met) - 0.5 * len(need.wanted - s.met))
            if need.quote and _QUOTATION.search(s.text):
                type_score += w.quotation
                if who and attributed_to(s, who):
                    type_score += w.speaker
            s.score = (
                w.coverage * coverage + type_score - (w.restate if novelty < 0.25 else 0.0) - w.rank * s.rank
            )
        shortlist = sorted(sentences, key=lambda s: s.score, reverse=True)[: self.encode_limit]
        vectors = self.encode([question] + [s.text for s in shortlist])
        for s, sim in zip(shortlist, vectors[1:] @ vectors[0]):
            s.sim = float(sim)
            s.score += w.sim * s.sim

    def select(self, question: str, sentences: list[Sentence], context: str = "") -> list[Sentence]:
        """Greedy cover: the best sentence first, then sentences that hold what the chosen ones
        don't yet (question terms left uncovered, the kind of thing asked for), then, for a
        comparison, the best sentence of another article."""
        if not sentences:
            return []
        w = self.w
        q_terms = self.terms(question, context)
        total = sum(q_terms.values()) or 1.0
        wanted = Need.of(question, context).wanted
        best = max(sentences, key=lambda s: s.score)
        chosen = [best]
        title = {key(t) for t in tokenize(best.hit.title)}
        uncovered = {t: wt * (w.title_discount if t in title else 1.0) for t, wt in q_terms.items() if t not in best.tokens}
        unmet = wanted - best.met
        while len(chosen) < MAX_SENTENCES:
            def gain(s: Sentence) -> float:
                cov = sum(wt for t, wt in uncovered.items() if t in s.tokens) / total
                return cov + w.answer_type * len(unmet & s.met) + w.residual_sim * s.sim - w.rank * s.rank
            pool = [s for s in sentences if s not in chosen and not overlaps(s, chosen)]
            if not pool:
                break
            nxt = max(pool, key=gain)
            new_cov = sum(wt for t, wt in uncovered.items() if t in nxt.tokens) / total
            if new_cov < w.min_gain and not (unmet & nxt.met and new_cov > 0):
                break
            chosen.append(nxt)
            uncovered = {t: wt for t, wt in uncovered.items() if t not in nxt.tokens}
            unmet -= nxt.met
        if COMPARISON.search(question) and len({s.hit.article_id for s in chosen}) == 1 and len(chosen) < MAX_SENTENCES + 1:
            other = [s for s in sentences if s.hit.article_id != best.hit.article_id and s.score >= best.score - 0.25]
            if other:
                chosen.append(max(other, key=lambda s: s.score))
        return chosen

    def confidence(self, question: str, hits: Sequence[Hit], context: str = "") -> float:
        """How well the top passages cover what the question is about: the idf-weighted share of
        its terms (and its context's) found in the best of the top articles, less half the share
        of the names it mentions (capitalised words, not months or days) that none of them mention."""
        top: dict[str, set[str]] = {}
        for h in hits[:CONFIDENCE_PASSAGES]:
            top.setdefault(h.article_id, set()).update(tokenize(f"{h.title} {h.text}"))
        if not top:
            return 0.0
        text = f"{question} {context}"
        terms = {t: self.idf(t) for t in tokenize(text)}
        total = sum(terms.values()) or 1.0
        coverage = max(sum(w for t, w in terms.items() if t in tokens) / total for tokens in top.values())
        names = {t for m in _NAME.findall(question) if not _TIMEWORD.fullmatch(m) for t in tokenize(m)}
        seen = set().union(*top.values())
        missing = len(names - seen) / len(names) if names else 0.0
        return coverage - 0.5 * missing

    name = "extractive"

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        """The Answerer interface: quote what answers the planned question from what was found."""
        return once(self.draft(plan.question, found.hits, plan.context))

    def draft(self, question: str, hits: Sequence[Hit], context: str = "") -> Draft:
        sentences = candidates(hits)
        self.score(question, sentences, context)
        if self.confidence(question, hits, context) < self.threshold:
            return Draft(abstain(question, hits, sentences))
        chosen = self.select(question, sentences, context)
        if not chosen:
            return Draft(abstain(question, hits, sentences))
        citations = [cite(n, s) for n, s in enumerate(chosen, 1)]
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        stated, rivals = self.compared(question, chosen, sentences, context)
        answer = Answer(question=question, text=text, citations=citations, hits=list(hits))
        return Draft(answer, stated, rivals, same_story_only=True)

    def compared(
        self, question: str, chosen: list[Sentence], sentences: list[Sentence], context: str = "",
    ) -> tuple[list[Report], list[Report]]:
        """What the check step compares for sources that disagree: the answer's sentences that give
        figures (and, when the question asks for a number, the other sentences that score nearly as
        well), against the sentences of other articles that score nearly as well and whose article
        covers the question about as well as the answer's."""
        best = max(s.score for s in chosen)
        terms = self.terms(question, context)
        total = sum(terms.values()) or 1.0
        covers: dict[str, float] = {}

        def coverage(s: Sentence) -> float:
            if s.hit.article_id not in covers:
                tokens = {key(t) for t in tokenize(f"{s.hit.title} {s.hit.text}")}
                covers[s.hit.article_id] = sum(w for t, w in terms.items() if t in tokens) / total
            return covers[s.hit.article_id]

        floor = DISAGREE_COVERAGE * max(coverage(s) for s in chosen)
        close = sorted((s for s in sentences if s.score >= best - DISAGREE_MARGIN and coverage(s) >= floor
                        and figures(s.text)), key=lambda s: s.score, reverse=True)
        pool = [s for s in chosen if figures(s.text)]
        if Need.of(question, context).number:
            pool += [s for s in close if s not in pool]
        report = lambda s: Report(s.text, s.hit.article_id, s.hit.published, s.hit.title, cite(0, s))  # noqa: E731
        return [report(s) for s in pool], [report(s) for s in close]
