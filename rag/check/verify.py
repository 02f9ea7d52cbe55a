"""Checking a generated answer against the passages it cites, after generation.

    checked = verify(text, hits, encode)   # Checked(text, citations, claims)

1. `[n]` markers are parsed ([1], [1, 2], [Source 1], [1][2]); a number that points at no
   passage is dropped, and the rest are renumbered in order of first use.
2. The text is cut into sentences (markers after a full stop belong to the sentence before).
3. Each sentence that states something is scored against the passages it cites:
   - every number and every name in it must appear in them (or in their title, outlet, date);
   - its content words must be covered by them, or its meaning must be close to one of
     their sentences (embedding similarity), when the wording differs;
   - a negation ("not", "never", "n't") must not be present in the sentence and absent from the
     closest passage sentence, or the other way round.
   A factual sentence with no citation is flagged too.
4. Each citation's quote becomes the passage sentences that carry the claims citing it, with
   exact offsets into the article.

Thresholds were set on the planted set of benchmarks/bench_verify.py (RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..text import STOPWORDS, tokenize
from ..text import sentence_spans
from ..types import Citation, Claim, Hit
from ..lexicon import MONTH_NAME, NUMBER_WORDS, ORDINALS

Encode = Callable[[list[str]], np.ndarray]

LEX_OK = 0.75  # share of a sentence's content words found in its cited passages: supported outright
SIM_OK = 0.70  # else: cosine to the closest cited sentence (or two adjacent ones) that still supports it
LEX_FLOOR = 0.35  # below this share, no similarity is enough (a fluent sentence about something else)

_MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d+(?:\s*(?:,|;|and|&)\s*(?:sources?\s*)?\d+)*)\s*\]", re.I)
_MARKERS = re.compile(r"(?:\s*\[\d+\])+")
_LEADING_MARKERS = re.compile(r"^(?:\[\d+\]\s*)+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORDS = {**NUMBER_WORDS, **ORDINALS}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[\w]")
_HONORIFIC = frozenset("mr mrs ms dr sir prof".split())
_DAY_OF = re.compile(rf"\b(?:(?P<m1>{MONTH_NAME})\s+(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTH_NAME}))\b", re.I)
_NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot)\b|n['’]t\b", re.I)
_NO_FACT = re.compile(
    r"\b(?:(?:do|does|did)(?:n['’]t| not) (?:say|mention|state|answer)|not (?:mentioned|stated|say)|"
    r"no information|cannot (?:answer|tell)|can['’]t (?:answer|tell)|I don['’]t know|unclear from the sources)\b",
    re.I,
)


@dataclass
class Checked:
    """An answer text after verification: markers cleaned and renumbered, claims judged."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)  # marker numbers that pointed at no passage
    by_meaning: int = 0  # claims the word checks left to the embedding check

    @property
    def states_nothing(self) -> bool:
        """The answer makes no claim at all (e.g. "The sources don't say.")."""
        return not any(c.reason != "states no fact" for c in self.claims)


def renumber(text: str, n_sources: int) -> tuple[str, list[int], list[int]]:
    """(text with markers as [a][b] in new numbers, old number of each new one, dropped numbers)."""
    order: list[int] = []
    dropped: list[int] = []

    def fix(m: re.Match[str]) -> str:
        out = []
        for raw in re.findall(r"\d+", m.group(1)):
            old = int(raw)
            if not 1 <= old <= n_sources:
                dropped.append(old)
                continue
            if old not in order:
                order.append(old)
            new = order.index(old) + 1
            if f"[{new}]" not in out:
                out.append(f"[{new}]")
        return "".join(out)

    fixed = _MARKER.sub(fix, text)
    fixed = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", fixed))  # where a marker was dropped
    return fixed.strip(), order, dropped


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of an answer; markers that open a sentence are given to the one before."""
    spans = sentence_spans(text)
    out: list[tuple[int, int]] = []
    for s, e in spans:
        lead = _LEADING_MARKERS.match(text[s:e])
        if lead and out:
            out[-1] = (out[-1][0], s + len(lead.group().rstrip()))
            s += len(lead.group())
        if text[s:e].strip():
            out.append((s, e))
    return out


def numbers(text: str) -> set[str]:
    """The numbers in `text`, normalised ('1,000' -> '1000', 'three' -> '3', '04' -> '4')."""
    found = set()
    for m in _NUMBER.finditer(text):
        raw = m.group().replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        found.add(f"{value:g}" if value != int(value) else str(int(value)))
    found.update(str(_WORDS[m.group().lower()]) for m in _NUMBER_WORD.finditer(text))
    return found


def names(sentence: str) -> set[str]:
    """Capitalised words that aren't opening the sentence or a quotation, and aren't function words."""
    found = set()
    for m in _NAME.finditer(sentence):
        before = sentence[:m.start()].rstrip()
        after_title = re.search(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|[A-Z])\.$", before)  # "Mr. Biden", "U.S. Army"
        if not before or (before[-1] in "\"“‘':([—-.!?" and not after_title):
            continue
        word = m.group().rstrip(".").replace("’", "'")
        word = re.sub(r"'s$", "", word)
        if word.lower() not in STOPWORDS and word.lower() not in _HONORIFIC and len(word) > 1:
            found.add(word)
    return found


def _label(hit: Hit) -> str:
    """What a passage's label says besides its text: title, outlet, and the date's year, month
    and weekday (its day of the month counts only next to that month: `_dated_days`)."""
    parts = [hit.title, hit.source]
    d = _date(hit)
    if d:
        parts.append(d.strftime("%Y %B %A"))
    return " ".join(parts)


def _date(hit: Hit) -> date | None:
    try:
        return date.fromisoformat((hit.published or "")[:10])
    except ValueError:
        return None


def _dated_days(claim: str, passages: Sequence["_Passage"]) -> set[str]:
    """Days of the month the claim gives with the month of a cited passage's own date ("on 4 January")."""
    days = set()
    dates = [d for d in (_date(p.hit) for p in passages) if d]
    for m in _DAY_OF.finditer(claim):
        month, day = (m.group("m1") or m.group("m2")).lower(), int(m.group("d1") or m.group("d2"))
        if any(d.strftime("%B").lower() == month and d.day == day for d in dates):
            days.add(str(day))
    return days


@dataclass
class _Passage:
    hit: Hit
    text: str  # passage text and label, for number/name checks
    tokens: set[str]
    spans: list[tuple[int, int]]  # sentence spans within hit.text


def _passage(hit: Hit) -> _Passage:
    full = f"{hit.text}\n{_label(hit)}"
    return _Passage(hit, full, {w for w in tokenize(full) if not w.isdigit()}, sentence_spans(hit.text))


def _missing(claim: str, passages: Sequence[_Passage]) -> str:
    """Why the passages can't carry `claim`'s numbers and names ('' when they can)."""
    text = " ".join(p.text for p in passages)
    lower = text.lower().replace("’", "'")
    have = numbers(text) | _dated_days(claim, passages)
    for n in sorted(numbers(claim) - have):
        return f"'{n}' is not in the passage"
    for name in sorted(names(claim)):
        if name.lower() not in lower:
            return f"'{name}' is not in the passage"
    return ""


def verify(text: str, hits: Sequence[Hit], encode: Encode | None = None) -> Checked:
    """Clean and renumber the markers of `text` (cited against `hits`, [1] = hits[0]), judge each
    sentence, and build the citations. Without `encode` only the lexical checks run."""
    fixed, order, dropped = renumber(text, len(hits))
    passages = {new: _passage(hits[old - 1]) for new, old in enumerate(order, 1)}
    checked = Checked(fixed, dropped=dropped)
    pending: list[tuple[Claim, str, list[_Passage]]] = []  # need the embedding check
    evidence: dict[int, list[tuple[int, int]]] = {n: [] for n in passages}
    for s, e in sentences(fixed):
        sentence = fixed[s:e]
        cites = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        body = " ".join(_MARKERS.sub("", sentence).split())
        claim = Claim(sentence, s, e, cites)
        checked.claims.append(claim)
        words = {w for w in tokenize(body) if not w.isdigit()}  # numbers are checked on their own
        if _NO_FACT.search(body) or body.endswith(":") or (len(words) < 2 and not numbers(body) and not _named(body)):
            claim.reason = "states no fact"
            continue
        if not cites:
            claim.supported, claim.score, claim.reason = False, 0.0, "no citation"
            continue
        cited = [passages[n] for n in cites]
        claim_numbers = numbers(body)
        closest = []
        for n, p in zip(cites, cited):
            best = _best_sentence(words, claim_numbers, p)
            if best:
                evidence[n].append(best)
                closest.append(p.hit.text[best[0] - p.hit.start: best[1] - p.hit.start])
        lex = len(words & set().union(*(p.tokens for p in cited))) / max(len(words), 1)
        claim.score = round(lex, 3)
        why = _missing(body, cited)
        if why:
            claim.supported, claim.reason = False, why.replace("the passage", _refs(cites))
        elif lex < LEX_FLOOR:
            claim.supported, claim.reason = False, f"{_refs(cites)} says little of it"
        elif closest and all(bool(_NEGATION.search(body)) != bool(_NEGATION.search(c)) for c in closest):
            claim.supported, claim.reason = False, f"{_refs(cites)} says the opposite (a negation differs)"
        elif lex < LEX_OK:
            pending.append((claim, body, cited))
    if pending:
        _judge_by_meaning(pending, encode)
        checked.by_meaning = len(pending)
    checked.citations = [_citation(n, p.hit, evidence[n], checked.claims) for n, p in passages.items()]
    return checked


def _named(text: str) -> bool:
    """Any capitalised word that isn't a function word, the first one included ("Zelensky was there.")."""
    return any(w.lower() not in STOPWORDS for w in re.findall(r"\b[A-Z]\w+", text))


def _refs(cites: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in cites)


def _best_sentence(words: set[str], nums: set[str], p: _Passage) -> tuple[int, int] | None:
    """The passage sentence (article offsets) sharing most content words with the claim, a shared
    number counting double (it is the claim's most specific part)."""
    best, best_overlap = None, 0
    for s, e in p.spans:
        overlap = len(words & set(tokenize(p.hit.text[s:e]))) + 2 * len(nums & numbers(p.hit.text[s:e]))
        if overlap > best_overlap:
            best, best_overlap = (p.hit.start + s, p.hit.start + e), overlap
    return best


MEANING_CANDIDATES = 2  # passage sentences per cited passage that are embedded (the most overlapping)


def _closest_windows(words: set[str], parts: list[str]) -> list[str]:
    """The passage sentences sharing most words with the claim, and the closest joined with the one
    after it (a claim may merge two): embedding only these keeps verification within milliseconds."""
    ranked = sorted(range(len(parts)), key=lambda i: -len(words & set(tokenize(parts[i]))))[:MEANING_CANDIDATES]
    out = [parts[i] for i in ranked]
    out += [f"{parts[i]} {parts[i + 1]}" for i in ranked[:1] if i + 1 < len(parts)]
    return out


def _judge_by_meaning(pending: list[tuple[Claim, str, list[_Passage]]], encode: Encode | None) -> None:
    """Claims whose wording differs from their passages: supported when one cited sentence (or two
    adjacent ones) means nearly the same. Without an encoder they stay unsupported."""
    if encode is None:
        for claim, _, cited in pending:
            claim.supported, claim.reason = False, f"{_refs(claim.cites)} words it differently; not checked"
        return
    windows: list[list[str]] = []
    for _, body, cited in pending:
        words = set(tokenize(body))
        texts = []
        for p in cited:
            texts += _closest_windows(words, [p.hit.text[s:e] for s, e in p.spans])
        windows.append(texts)
    flat = [body for _, body, _ in pending] + [t for w in windows for t in w]
    vectors = encode(flat)
    claims, rest = vectors[: len(pending)], vectors[len(pending):]
    at = 0
    for (claim, _, _), texts, vector in zip(pending, windows, claims):
        block = rest[at: at + len(texts)]
        at += len(texts)
        sim = float(np.max(block @ vector)) if len(texts) else 0.0
        claim.score = round(max(claim.score, sim), 3)
        if sim < SIM_OK:
            claim.supported, claim.reason = False, f"{_refs(claim.cites)} doesn't say this (similarity {sim:.2f})"


def _citation(n: int, hit: Hit, spans: list[tuple[int, int]], claims: Sequence[Claim]) -> Citation:
    """Citation [n]: the passage sentences that carry its claims (the whole passage if none)."""
    start, end = (min(s for s, _ in spans), max(e for _, e in spans)) if spans else (hit.start, hit.end)
    quote = hit.text[start - hit.start: end - hit.start]
    supported = any(c.supported and c.reason != "states no fact" for c in claims if n in c.cites)
    return Citation(n, hit.article_id, hit.title, hit.source, hit.url, hit.published, quote, start, end, supported)
