"""The default answerer: no LLM. It quotes the sentences that answer the question, each cited.

1. Candidate sentences come from the top passages (rag/answer/sentences.py).
2. Each is scored for the *question*, not just the topic, by a linear ranker (RANKER) over
   features that each stand for a class of questions: similarity of the sentence and of its
   passage to the question, how much of the question's weighted vocabulary it covers, whether it
   holds the kind of thing asked for (rag/ask/slots.py: a number of what is counted for "how
   many", a date for "when", a person for "who", a quotation for "what did X say") or only
   restates the question, and the rank of its passage.
3. The best sentence is kept, and up to two more that cover what it leaves open when they score
   close to it (a second article is brought in for comparison questions; a question that asks
   several things gets the best sentence for each); each becomes a citation whose quote is
   verbatim from the article.
4. When the top passages don't cover what the question is about (below the calibrated
   threshold), it abstains and shows the closest passages as related coverage; when none of the
   best sentences of the articles on the story holds the kind of thing asked for, it says what
   the articles don't say ("who", "how many or how much"); and when one of the best of them says
   itself that it isn't known ("The cause was not announced"), it quotes that.
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
from ..ask.slots import holds, slot_of, unknown
from ..check.disagree import Report, figures
from ..lexicon import MONTH_NAME, MONTH_WORD, NUMBER_WORDS, SCALES, WEEKDAY
from ..text import full_names, tokenize
from ..types import Answer, Hit
from .base import Draft, Steps, once
from .sentences import PASSAGES, Sentence, abstain, attributed_to, candidates, cite, key, overlaps

if TYPE_CHECKING:
    from ..ask.plan import Plan
    from ..ask.retrieve import Retrieval

MAX_SENTENCES = 3
ENCODE_LIMIT = 16  # sentences embedded per answer (the best by their lexical score); 10 or 12 lose split questions
CONFIDENCE_PASSAGES = 3  # the passages whose coverage of the question decides abstention
SLOT_SENTENCES = 3  # the best sentences one of which must hold what is asked for, or the answer abstains
UNKNOWN_SENTENCES = 6  # ... and none of the best of these may say that it isn't known ("the cause was not announced")
STORY = 0.8  # ... among the articles on the question's story: covering this share of what the best one covers
# The kinds of thing whose absence the wording reads reliably (an organisation or a reason often
# goes unmarked), and how the abstention says what is missing.
MISSING = {"number": "how many or how much", "date": "when", "person": "who", "place": "where",
           "name": "what it is called"}
UNSAID = {**MISSING, "org": "which organisation", "reason": "why"}  # what a report can say is not known
LEAD_CHARS = 250  # a sentence starting this near the top of its article is its lead
# What the sentence ranker weighs, and its weights: a linear listwise ranker fit on the tuning sets'
# candidate sentences (dev + tune; a positive holds the gold answer), by benchmarks/train_picker.py, which
# prints these and how well they pick out of fold. Every feature stands for a class of questions.
RANKER = {
    "sim": 4.5400,  # cosine of sentence and question (0 when not embedded)
    "passage_sim": 4.1813,  # cosine of its passage and the search text
    "coverage": 3.4876,  # share of the question's idf-weighted terms it holds
    "novelty": -0.6569,  # share of its words the question doesn't have
    "rank": -1.9788,  # its passage's rank, over PASSAGES
    "holds_slot": 0.8397,  # it holds the kind of thing asked for (rag/ask/slots.py)
    "lacks_slot": -0.6846,  # the question asks for a kind of thing and it holds none
    "quotation": 1.8280,  # a quotation, for a question about what someone said
    "attributed": 0.8185,  # ... attributed to the person asked about
    "embedded": 1.1074,  # it was among the sentences embedded (the best by the lexical score)
    "log_words": -0.7203,  # log(1 + its words): long sentences are padded answers
    "lead": -0.4093,  # it opens its article
}
FEATURES = tuple(RANKER)
_WEIGHTS = np.array(list(RANKER.values()))
# Margins are in the ranker's units, log-odds: a sentence 2 below the best is e^-2 = 0.14 times
# as likely to be the one that answers.
DISAGREE_MARGIN = 2.0  # another article's sentence this close to the best one may contradict it
COMPARE_MARGIN = 2.0  # a comparison brings in another article's best sentence this close
FURTHER_MARGIN = 2.0  # a further sentence joins the best only when it scores this close
DISAGREE_COVERAGE = 0.6  # ... when its article covers the question this well, relative to the answer's

_DATE = re.compile(rf"\b(?:{MONTH_NAME}|(?:18|19|20)\d\d|{WEEKDAY})\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:" + "|".join([*NUMBER_WORDS, *SCALES, "dozens"]) + r")\b", re.I)
_QUOTATION = re.compile(r"[\"“”]")
_QUOTE = re.compile(r"[\"“”]|\b(?:said|says|told|according to|added|described|called|warned)\b", re.I)
_CAPWORD = re.compile(r"\b[A-Z][\w'’.-]+")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*")  # capitalised, not opening a sentence
_DAY = re.compile(rf"\b(?:{MONTH_WORD})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_WORD})\b", re.I)
_EACH = re.compile(r"\b(?:each|both|respectively)\b", re.I)
_TIMEWORD = re.compile(rf"(?:{MONTH_NAME}|{WEEKDAY}|christmas)", re.I)


@dataclass
class Weights:
    """The lexical score that picks which sentences are embedded, and how further sentences are
    picked (the ranker, RANKER, decides the best); tuned on the dev set (benchmarks/RESULTS.md)."""

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
        """Set `.score` (the ranker's log-odds that the sentence alone answers), `.features`,
        `.sim`, `.tokens` and `.met`.

        A lexical score is computed for every sentence first; only the `encode_limit` best by it
        are embedded (embedding is most of an answer's cost), the rest have similarity 0."""
        if not sentences:
            return
        q_terms = self.terms(question, context)
        total = sum(q_terms.values()) or 1.0
        need = Need.of(question, context)
        titles: dict[str, set[str]] = {}
        who = speaker(question) if need.quote else None
        w = self.w
        lexical: dict[int, tuple[float, float]] = {}  # coverage and novelty, which the ranker weighs too
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
            lexical[id(s)] = (coverage, novelty)
        shortlist = sorted(sentences, key=lambda s: s.score, reverse=True)[: self.encode_limit]
        new = [s for s in shortlist if s.vector is None]  # a sentence scored before keeps its vector
        vectors = self.encode([question] + [s.text for s in new])
        for s, vector in zip(new, vectors[1:]):
            s.vector = vector
        listed = {id(s) for s in shortlist}
        for s in sentences:
            s.sim = float(s.vector @ vectors[0]) if id(s) in listed else 0.0
        slot = slot_of(question)
        for s in sentences:
            s.features = self._features(s, *lexical[id(s)], slot, question, need.quote, who)
            s.score = float(np.dot(_WEIGHTS, s.features))

    @staticmethod
    def _features(s: Sentence, coverage: float, novelty: float, slot: str | None, question: str,
                  quote_asked: bool, who: str | None) -> list[float]:
        """What the ranker weighs (FEATURES, in that order) for one scored sentence."""
        lacks = slot is not None and not holds(slot, s.text, question)
        return [s.sim, s.hit.dense_score or 0.0, coverage, novelty, s.rank / PASSAGES,
                float(slot is not None and not lacks), float(lacks),
                float(quote_asked and bool(_QUOTATION.search(s.text))),
                float(bool(who) and attributed_to(s, who)), float(s.sim != 0.0),
                float(np.log1p(len(s.text.split()))), float(s.start < LEAD_CHARS)]

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
            pool = [s for s in sentences if s not in chosen and not overlaps(s, chosen)
                    and s.score >= best.score - FURTHER_MARGIN]
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
            other = [s for s in sentences if s.hit.article_id != best.hit.article_id and s.score >= best.score - COMPARE_MARGIN]
            if other:
                chosen.append(max(other, key=lambda s: s.score))
        return chosen

    def each_part(self, question: str, parts: Sequence[str], sentences: list[Sentence], context: str) -> list[Sentence]:
        """For a question that asks several things: the best sentence for each ask, in the order
        asked (the whole question is the context each is scored in); scores end as the whole
        question's, for the check step."""
        chosen: list[Sentence] = []
        for part in parts:
            self.score(part, sentences, f"{context} {question}".strip())
            pool = [s for s in sentences if not overlaps(s, chosen)]
            if pool:
                chosen.append(max(pool, key=lambda s: s.score))
        self.score(question, sentences, context)
        return chosen

    @staticmethod
    def sharpen(question: str, chosen: list[Sentence], best: list[Sentence]) -> list[Sentence]:
        """For "when": if no chosen sentence gives a day ("a 2017 game"), the best of `best` that
        does ("released on July 21, 2017") is added, in place of the last when the answer is full."""
        if any(_DAY.search(s.text) for s in chosen):
            return chosen
        sharper = next((s for s in best if _DAY.search(s.text) and holds("date", s.text, question)
                        and not overlaps(s, chosen)), None)
        if sharper is None:
            return chosen
        return [*chosen[: MAX_SENTENCES - 1], sharper]

    @staticmethod
    def for_each(question: str, sentences: list[Sentence], slot: str | None) -> list[Sentence]:
        """For a question that asks the same of each of several people or things it names ("Eliud
        Kipchoge and Brigid Kosgei ... What times did they each run?"): the best sentence about each
        (naming its last word) that holds the kind of thing asked for; [] when it isn't such a
        question or fewer than two of them are found."""
        if not _EACH.search(question):
            return []
        chosen: list[Sentence] = []
        for words in full_names(question):
            last = words[-1]
            pool = [s for s in sentences if re.search(rf"\b{re.escape(last)}\b", s.text) and not overlaps(s, chosen)]
            if pool:
                chosen.append(max(pool, key=lambda s: (holds(slot, s.text, question), s.score)))
        return chosen if len(chosen) >= 2 else []

    def covers(self, question: str, sentences: Sequence[Sentence], context: str = "") -> dict[str, float]:
        """How much of the question each candidate's passage covers (idf-weighted share of its
        terms in the title and passage), by article id (the best passage of each)."""
        terms = self.terms(question, context)
        total = sum(terms.values()) or 1.0
        out: dict[str, float] = {}
        for h in {id(s.hit): s.hit for s in sentences}.values():
            tokens = {key(t) for t in tokenize(f"{h.title} {h.text}")}
            share = sum(w for t, w in terms.items() if t in tokens) / total
            out[h.article_id] = max(share, out.get(h.article_id, 0.0))
        return out

    def confidence(self, question: str, hits: Sequence[Hit], context: str = "", when: str = "") -> float:
        """How well the top passages cover what the question is about: the idf-weighted share of
        its terms (and its context's) found in the best of the top articles, less half the share
        of the names it mentions (capitalised words, not months or days) that none of them mention.
        The words of `when`, the time the search's dates saw to, count as found."""
        top: dict[str, set[str]] = {}
        runs: list[str] = []  # each top passage's tokens in order, for the names of several words
        given = set(tokenize(when))
        for h in hits[:CONFIDENCE_PASSAGES]:
            tokens = tokenize(f"{h.title} {h.text}")
            top.setdefault(h.article_id, set(given)).update(tokens)
            runs.append(f" {' '.join(tokens)} ")
        if not top:
            return 0.0
        text = f"{question} {context}"
        terms = {t: self.idf(t) for t in tokenize(text)}
        total = sum(terms.values()) or 1.0
        coverage = max(sum(w for t, w in terms.items() if t in tokens) / total for tokens in top.values())
        names = {t for m in _NAME.findall(question) if not _TIMEWORD.fullmatch(m) for t in tokenize(m)}
        seen = set().union(*top.values())
        # a name of several words ("Rugby World Cup") counts as found only where its words run together
        phrases = [f" {' '.join(tokenize(' '.join(p)))} " for p in full_names(question)]
        lost = sum(not any(p in run for run in runs) for p in phrases)
        missing = (len(names - seen) + lost) / (len(names) + len(phrases)) if names else 0.0
        return coverage - 0.5 * missing

    name = "extractive"

    def answer(self, plan: "Plan", found: "Retrieval") -> Steps:
        """The Answerer interface: quote what answers the planned question from what was found."""
        return once(self.draft(plan.question, found.hits, plan.context, plan.parts, plan.said,
                               plan.window.text if plan.window else ""))

    def draft(self, question: str, hits: Sequence[Hit], context: str = "", parts: Sequence[str] = (),
              said: str = "", when: str = "") -> Draft:
        """The answer to `question` from `hits`. `when` is the time it names ("in February 2025"):
        the search's dates see to it, so a passage that doesn't repeat it still covers the question."""
        slot = slot_of(question)
        sentences = [s for s in candidates(hits) if not (said and self.repeats(s, said, slot, question))]
        self.score(question, sentences, context)
        if max(self.confidence(ask, hits, context, when) for ask in (question, *parts)) < self.threshold:
            return Draft(abstain(question, hits, sentences))
        story = self.covers(question, sentences, context)
        top = max(story.values())
        ranked = sorted((s for s in sentences if story[s.hit.article_id] >= STORY * top), key=lambda s: s.score, reverse=True)
        best = ranked[:SLOT_SENTENCES]
        if slot in MISSING and not parts and not any(holds(slot, s.text, question) for s in best):
            return Draft(abstain(question, hits, sentences, missing=MISSING[slot]))
        unsaid = None if parts else next((s for s in ranked[:UNKNOWN_SENTENCES] if unknown(slot, s.text)), None)
        if unsaid is not None:  # the reports themselves say it isn't known
            return Draft(abstain(question, hits, sentences, missing=UNSAID[slot], said=unsaid))
        if parts:
            chosen = self.each_part(question, parts, sentences, context)
        else:
            chosen = self.for_each(question, sentences, slot) or self.select(question, sentences, context)
        if not chosen:
            return Draft(abstain(question, hits, sentences))
        if slot == "date":
            chosen = self.sharpen(question, chosen, ranked[:UNKNOWN_SENTENCES])
        citations = [cite(n, s) for n, s in enumerate(chosen, 1)]
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        stated, rivals = self.compared(chosen, sentences, story, Need.of(question, context).number)
        answer = Answer(question=question, text=text, citations=citations, hits=list(hits))
        return Draft(answer, stated, rivals, same_story_only=True)

    @staticmethod
    def repeats(s: Sentence, said: str, slot: str | None, question: str) -> bool:
        """The last answer quoted `s`, and it doesn't hold the kind of thing the follow-up asks for
        (one sentence often gives the name, the age and the place: "How old was she?" may be
        answered by the sentence that said who)."""
        return " ".join(s.text.split()) in said and not (slot and holds(slot, s.text, question))

    @staticmethod
    def compared(
        chosen: list[Sentence], sentences: list[Sentence], covers: dict[str, float], number: bool,
    ) -> tuple[list[Report], list[Report]]:
        """What the check step compares for sources that disagree: the answer's sentences (and,
        when the question asks for a number, the other sentences with figures that score nearly
        as well), against the sentences that score nearly as well and whose article covers the
        question (`covers`, by article) about as well as the answer's."""
        best = max(s.score for s in chosen)
        coverage = lambda s: covers[s.hit.article_id]  # noqa: E731
        floor = DISAGREE_COVERAGE * max(coverage(s) for s in chosen)
        close = sorted((s for s in sentences if s.score >= best - DISAGREE_MARGIN and coverage(s) >= floor),
                       key=lambda s: s.score, reverse=True)
        pool = list(chosen)
        if number:
            pool += [s for s in close if s not in pool and figures(s.text)]
        report = lambda s: Report(s.text, s.hit.article_id, s.hit.published, s.hit.title, cite(0, s))  # noqa: E731
        return [report(s) for s in pool], [report(s) for s in close]
