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
from dataclasses import dataclass, field

import numpy as np

from ..bm25 import tokenize
from ..chunking import sentence_spans
from .disagree import MARGIN, Report, conflicts, figures, note, same_story
from ..types import Answer, Citation, Hit

MAX_SENTENCES = 3
ENCODE_LIMIT = 16  # sentences embedded per answer (the best by their lexical score); 12 scores the same on dev
MIN_WORDS = 6  # shorter sentences ("“Yes,” Putin replied.") rarely answer anything on their own
CONFIDENCE_PASSAGES = 3  # the passages whose coverage of the question decides abstention
PASSAGES = 6  # how many top hits sentences are drawn from
NOT_IN_CORPUS = "The corpus doesn't say."
DISAGREE_MARGIN = MARGIN  # another article's sentence this close to the best one may contradict it
DISAGREE_COVERAGE = 0.6  # ... when its article covers the question this well, relative to the answer's

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b(?:{_MONTHS}|(?:18|19|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozens?)\b",
    re.I,
)
_QUOTATION = re.compile(r"[\"“”]")
_QUOTE = re.compile(r"[\"“”]|\b(?:said|says|told|according to|added|described|called|warned)\b", re.I)
_DATELINE = re.compile(rf"^\W*(?:\w+day,?\s+)?(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}\W*$", re.I)
_CAPWORD = re.compile(r"\b[A-Z][\w'’.-]+")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*")  # capitalised, not opening a sentence
_TIMEWORD = re.compile(rf"(?:{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|christmas)", re.I)

WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|old|long|far|fast|large|big)\b|\b(?:death toll|number of|percentage|share of)\b"
    r"|\bwhat (?:times|scores?|age)\b",
    re.I,
)
WANTS_DATE = re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bon what date\b", re.I)
WANTS_PERSON = re.compile(r"^\s*(?:who|whom)\b|\bwhich (?:person|journalist|player|leader|candidate|minister|man|woman|company|group|team|country|side)\b", re.I)
WANTS_QUOTE = re.compile(
    r"\bwhat did .+ (?:say|tell|write|conclude|warn)\b|\bhow did .+ (?:describe|react|respond)\b|"
    r"\baccording to\b|\bwhat warning\b|\bview of\b|\bcompare\b",
    re.I,
)
COMPARISON = re.compile(r"\bwhich (?:of (?:them|the \w+)|came|happened|one)\b|\bfirst[:,]|\bor\b.+\?$|\bboth\b|\bbetween\b", re.I)


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


def candidates(hits: Sequence[Hit], passages: int = PASSAGES) -> list[Sentence]:
    """Sentences of the top passages, quotations kept whole, datelines and fragments dropped."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits[:passages]):
        before = ""
        for s, e in _merge_quotes(hit.text, sentence_spans(hit.text)):
            text = hit.text[s:e]
            key = (hit.article_id, hit.start + s)
            if not (key in seen or len(text.split()) < MIN_WORDS or _DATELINE.match(text)):
                seen.add(key)
                out.append(Sentence(hit, rank, hit.start + s, hit.start + e, text, before=before))
            before = text
    return out


_SPEAKER = re.compile(
    r"\b(?:did|does|do)\s+(?P<a>.+?)\s+(?:say|tell|write|conclude|warn|describe|react|respond|compare|give|call)\b"
    r"|\b[Aa]ccording to\s+(?P<b>[^,?]+)|(?P<c>(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)['’]s\s+(?:view|warning|reaction)",
)
_PRONOUN_SAID = re.compile(r"\b(?:he|she|they)\s+(?:said|says|told|added|wrote|warned)\b|\b(?:said|says|told|added)\s+(?:he|she)\b", re.I)


def speaker(question: str) -> str | None:
    """The surname of whoever a 'what did X say' question asks about ('Callamard'), if any."""
    m = _SPEAKER.search(question)
    if not m:
        return None
    names = re.findall(r"\b[A-Z][\w'’.-]+", m.group("a") or m.group("b") or m.group("c") or "")
    return names[-1].rstrip(".") if names else None


def attributed_to(s: Sentence, name: str) -> bool:
    """The sentence names the speaker, or says "she said" right after a sentence that does."""
    if name in s.text:
        return True
    return bool(_PRONOUN_SAID.search(s.text)) and name in s.before


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
        return cls(
            bool(WANTS_NUMBER.search(question)),
            bool(WANTS_DATE.search(question)),
            bool(WANTS_PERSON.search(question)),
            bool(WANTS_QUOTE.search(question)),
            frozenset(w.lower() for w in _CAPWORD.findall(question + " " + context)),
        )

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
        q_terms = {_key(t): self.idf(t) for t in tokenize(question)}
        for t in tokenize(context):
            q_terms.setdefault(_key(t), 0.5 * self.idf(t))
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
            s.tokens = {_key(t) for t in tokenize(s.text)}
            s.met = need.met(s.text)
            title = titles.setdefault(s.hit.article_id, {_key(t) for t in tokenize(s.hit.title)})
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
        title = {_key(t) for t in tokenize(best.hit.title)}
        uncovered = {t: wt * (w.title_discount if t in title else 1.0) for t, wt in q_terms.items() if t not in best.tokens}
        unmet = wanted - best.met
        while len(chosen) < MAX_SENTENCES:
            def gain(s: Sentence) -> float:
                cov = sum(wt for t, wt in uncovered.items() if t in s.tokens) / total
                return cov + w.answer_type * len(unmet & s.met) + w.residual_sim * s.sim - w.rank * s.rank
            pool = [s for s in sentences if s not in chosen and not _overlaps(s, chosen)]
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

    def answer(self, question: str, hits: Sequence[Hit], context: str = "") -> Answer:
        sentences = candidates(hits)
        self.score(question, sentences, context)
        if self.confidence(question, hits, context) < self.threshold:
            return abstain(question, hits, sentences)
        chosen = self.select(question, sentences, context)
        if not chosen:
            return abstain(question, hits, sentences)
        citations = [_cite(n, s) for n, s in enumerate(chosen, 1)]
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        notes = self.disagreements(question, chosen, sentences, citations, context)
        return Answer(question=question, text=" ".join([text, *notes]), citations=citations, hits=list(hits))

    def disagreements(
        self, question: str, chosen: list[Sentence], sentences: list[Sentence], citations: list[Citation],
        context: str = "",
    ) -> list[str]:
        """Notes on figures that two articles covering the question give differently; both
        sentences are cited (appended to `citations` when the answer didn't quote them).

        Compared: the answer's sentences, and, when the question asks for a number, the other
        sentences that score nearly as well, against sentences of other articles that score
        nearly as well, whose article covers the question about as well as the answer's, and whose
        headline shares two words with the compared one's (the same story, not another one)."""
        best = max(s.score for s in chosen)
        terms = self.terms(question, context)
        total = sum(terms.values()) or 1.0
        covers: dict[str, float] = {}

        def coverage(s: Sentence) -> float:
            if s.hit.article_id not in covers:
                tokens = {_key(t) for t in tokenize(f"{s.hit.title} {s.hit.text}")}
                covers[s.hit.article_id] = sum(w for t, w in terms.items() if t in tokens) / total
            return covers[s.hit.article_id]

        floor = DISAGREE_COVERAGE * max(coverage(s) for s in chosen)
        close = sorted((s for s in sentences if s.score >= best - DISAGREE_MARGIN and coverage(s) >= floor
                        and figures(s.text)), key=lambda s: s.score, reverse=True)
        pool = [s for s in chosen if figures(s.text)]
        if Need.of(question, context).number:
            pool += [s for s in close if s not in pool]
        cited = {(s.hit.article_id, s.start): n for n, s in enumerate(chosen, 1)}

        def number(s: Sentence) -> int:
            if (s.hit.article_id, s.start) not in cited:
                citations.append(_cite(len(citations) + 1, s))
                cited[(s.hit.article_id, s.start)] = len(citations)
            return cited[(s.hit.article_id, s.start)]

        notes, done = [], set()
        for s in pool:
            others = [o for o in close if o.hit.article_id != s.hit.article_id and same_story(s.hit.title, o.hit.title)]
            reports = [Report(o.text, o.hit.article_id, o.hit.published) for o in others]
            for kind, mine, other, theirs in conflicts(Report(s.text, s.hit.article_id, s.hit.published), reports):
                if kind in done:
                    continue
                done.add(kind)
                o = others[reports.index(other)]
                notes.append(note(kind, (mine, number(s), s.hit.published), (theirs, number(o), o.hit.published)))
        return notes


def abstain(question: str, hits: Sequence[Hit], sentences: Sequence[Sentence] = ()) -> Answer:
    """An honest 'not in the corpus', with the closest passages (one per article) as related coverage."""
    best: dict[str, Sentence] = {}
    for s in sorted(sentences, key=lambda s: s.score, reverse=True):
        best.setdefault(s.hit.article_id, s)
    related = [_cite(n, s) for n, s in enumerate(list(best.values())[:3], 1)]
    if not related:  # no whole sentence to quote: cite the closest passages as they are
        related = [Citation(n, h.article_id, h.title, h.source, h.url, h.published, h.text, h.start, h.end)
                   for n, h in enumerate(_one_per_article(hits)[:3], 1)]
    text = NOT_IN_CORPUS + (
        " The closest coverage is listed below; none of it answers the question." if related else
        " Nothing related was found."
    )
    return Answer(question=question, text=text, abstained=True, related=related, hits=list(hits))


def _one_per_article(hits: Sequence[Hit]) -> list[Hit]:
    seen: set[str] = set()
    return [h for h in hits if not (h.article_id in seen or seen.add(h.article_id))]


def _key(term: str) -> str:
    """Match terms on their first six letters too: the stemmer leaves 'survived' and 'survivor' apart."""
    return term[:6]


def _cite(n: int, s: Sentence) -> Citation:
    h = s.hit
    return Citation(n, h.article_id, h.title, h.source, h.url, h.published, s.text, s.start, s.end)


def _overlaps(s: Sentence, chosen: list[Sentence]) -> bool:
    """Near-duplicates (syndicated or repeated sentences) and overlapping spans are kept once."""
    a = s.tokens or set(tokenize(s.text))
    for c in chosen:
        if c.hit.article_id == s.hit.article_id and c.start < s.end and s.start < c.end:
            return True
        b = c.tokens or set(tokenize(c.text))
        if a and b and len(a & b) / len(a | b) > 0.6:
            return True
    return False
