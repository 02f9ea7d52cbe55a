"""Retrieval: the plan's search, with its filters and time window, against the index.

`search()` is one hybrid search: dense (Chroma) and BM25, each filtered the same way, fused by
reciprocal rank, with a cap on chunks per article so one long story can't crowd out the rest.
`retrieve()` runs it for a plan (`within()` applies its time): a time after the corpus is refused
(`outside`), one before it is answered from the later reports that mention it, a window in which
nothing was published is widened (a month each side, then all dates), and a corpus with no dates
says so. Each part of a question that asks several things, the articles a follow-up's last answer
cited and those quoting a quote question's speaker are searched too, fused in.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ..lexicon import MONTH_WORD
from ..text import tokenize
from ..types import Filters, Hit
from .timeparse import latest_before

if TYPE_CHECKING:
    from ..store import Store
    from .plan import Plan
    from .timeparse import TimeWindow

RRF_K = 60
DEFAULT_CANDIDATES = 50


OUTLET_WEIGHT = 2.0  # a named outlet's reports outrank the rest at equal rank, without hiding them
WIDEN_DAYS = 31  # a window that held nothing is widened by this much on each side, then dropped

Search = Callable[[str, int, Filters], "list[Hit]"]


@dataclass
class Retrieval:
    """What was found for a plan, and under which restrictions."""

    hits: list[Hit] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)  # the filters actually applied (a window folded in)
    window: tuple[str, str] | None = None  # the published-date window applied, from the question's time
    widened: str = ""  # the window asked for held nothing: the note that says what was searched instead
    outside: str = ""  # "after" / "before": the time asked about lies beyond the corpus's dates (and,
    # before them, no later report mentions it)
    coverage: tuple[str, str] | None = None  # first and last publication dates the corpus holds
    seconds: float = 0.0


def retrieve(plan: "Plan", search: Search, coverage: tuple[str, str] | None) -> Retrieval:
    """Search for `plan` with `search(text, k, filters)`; see the module docstring. A question that
    asks several things has each part searched too, under the same restrictions."""
    t0 = time.perf_counter()
    found = within(search, plan.search, plan.k, plan.filters, plan.window, coverage)
    hits = found.hits
    for part in plan.parts:  # a question that asks several things: each is searched for too
        hits = fuse(hits, found.among(search, f"{plan.context} {part}".strip(), plan.k), plan.k)
    for among in (plan.context_articles, plan.speaker_articles):  # what the last answer cited; who is quoted where
        if among and not plan.filters.article_ids:
            hits = fuse(hits, search(plan.search, plan.k, replace(found.filters, article_ids=among)), plan.k)
    if plan.outlets and not plan.filters.sources:  # an outlet the question names: its reports first, not only
        hits = fuse(hits, found.among(search, plan.search, plan.k, sources=plan.outlets), plan.k, OUTLET_WEIGHT)
    return Retrieval(hits, found.filters, found.window, found.widened, found.outside, coverage,
                     time.perf_counter() - t0)


@dataclass
class _Within(Retrieval):
    keep: tuple[str, ...] = ()  # before the corpus: only the later reports that mention the time

    def among(self, search: Search, text: str, k: int, sources: tuple[str, ...] = ()) -> list[Hit]:
        """`text` searched under the same restrictions (in the reports kept, when there are some),
        and in `sources` only when given."""
        f = replace(self.filters, article_ids=self.keep) if self.keep else self.filters
        return search(text, k, replace(f, sources=sources) if sources else f)


def within(search: Search, text: str, k: int, f: Filters, window: "TimeWindow | None",
           coverage: tuple[str, str] | None) -> _Within:
    """`text` searched within `window` (None: `f` alone). A window after the corpus's last date is
    searched without dates (`outside="after"`); one before its first date, in the later reports that
    mention it (`keep`: every passage of them; `outside="before"` when none does); one in which
    nothing was published is widened a month each side, then dropped (`widened` says so)."""
    if window and coverage is None:  # nothing is dated: a time can't narrow anything, and no window "held nothing"
        f = Filters(None, None, f.sources, f.article_ids)
        return _Within(search(text, k, f), f, widened=(
            f"No article in the corpus has a publication date, so “{window.text}” could not narrow the search."))
    if window and coverage:
        window = latest_before(window, date.fromisoformat(coverage[1]))
        dates_free = Filters(None, None, f.sources, f.article_ids)
        if window.since.isoformat() > coverage[1]:  # nothing can have been reported yet
            return _Within(search(text, k, dates_free), dates_free, outside="after")
        if window.until.isoformat() < coverage[0]:  # only a later report that looks back on it can say
            hits = search(text, k, dates_free)
            back = tuple(dict.fromkeys(h.article_id for h in hits if mentions(h.text, window)))
            if not back:
                return _Within(hits, dates_free, outside="before")
            kept = _Within([], dates_free, keep=back, widened=(
                f"The corpus starts on {coverage[0]}, after {window.text}; answered from later reports that mention it."))
            kept.hits = kept.among(search, text, k)
            return kept
    hits: list[Hit] = []
    filters, attempt = f, None
    for attempt in windows(window):
        filters = Filters(attempt[0] if attempt else f.since, attempt[1] if attempt else f.until, f.sources, f.article_ids)
        hits = search(text, k, filters)
        if hits or attempt is None:
            break
    widened = ""
    if window and attempt != window.iso():
        widened = (f"Nothing was published between {window.since} and {window.until}; searched " +
                   (f"{attempt[0]} to {attempt[1]} instead." if attempt else "all dates instead."))
    applied = (filters.since, filters.until) if window and (filters.since or filters.until) else None
    return _Within(hits, filters, applied, widened)


def mentions(text: str, window: "TimeWindow") -> bool:
    """`text` names the time of `window`: its month and year together ("March 2015", "March 3,
    2015") when it names a month, else one of its years."""
    named = re.findall(r"\b(?:19|20)\d\d\b", window.text)  # the years asked about, not the reporting lag's
    years = "|".join(named or [str(y) for y in range(window.since.year, window.until.year + 1)])
    month = re.search(MONTH_WORD, window.text, re.I)
    if month:
        return bool(re.search(rf"\b{month.group()}\w*\.?(?:\s+\d{{1,2}},?)?\s+(?:{years})\b", text, re.I))
    return bool(re.search(rf"\b(?:{years})\b", text))


def fuse(first: list[Hit], second: list[Hit], k: int, weight: float = 1.0) -> list[Hit]:
    """Two ranked lists as one, by reciprocal rank (the second weighted), at most `k`."""
    score: dict[str, float] = {}
    by_id: dict[str, Hit] = {}
    for w, ranked in ((1.0, first), (weight, second)):
        for rank, h in enumerate(ranked):
            by_id.setdefault(h.chunk_id, h)
            score[h.chunk_id] = score.get(h.chunk_id, 0.0) + w / (RRF_K + rank + 1)
    return [by_id[c] for c in sorted(score, key=score.__getitem__, reverse=True)[:k]]


def windows(window: "TimeWindow | None") -> list[tuple[str, str] | None]:
    """The window, then a month wider on each side, then no window at all."""
    if window is None:
        return [None]
    wider = (window.since - timedelta(days=WIDEN_DAYS), window.until + timedelta(days=WIDEN_DAYS))
    return [window.iso(), (wider[0].isoformat(), wider[1].isoformat()), None]


def hit_from(cid: str, meta: dict[str, Any], text: str) -> Hit:
    return Hit(
        article_id=meta.get("article_id", ""),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        url=meta.get("url", ""),
        published=meta.get("published") or None,
        text=text,
        score=0.0,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        chunk_id=cid,
    )


def search(
    store: Store,
    vector: np.ndarray,
    query: str,
    k: int,
    filters: Filters = Filters(),
    per_article: int = 3,
    candidates: int = DEFAULT_CANDIDATES,
    dense_weight: float = 1.0,
) -> list[Hit]:
    """The top `k` chunks for `query` (embedded as `vector`), dense + BM25 fused by reciprocal
    rank (the dense side's share weighted by `dense_weight`), at most `per_article` from one article."""
    n = max(candidates, k * 4)
    hits: dict[str, Hit] = {}
    fused: dict[str, float] = {}
    dense = store.dense(vector, n, filters)
    lexical = store.lexical(query, n, filters)
    if lexical is None:  # a Chroma server has no lexical index: the dense candidates ranked by their words
        lexical = by_words(query, dense)
    for rank, (cid, sim, meta, text) in enumerate(dense):
        hit = hits.setdefault(cid, hit_from(cid, meta, text))
        hit.dense_score = sim
        fused[cid] = fused.get(cid, 0.0) + dense_weight / (RRF_K + rank + 1)
    for rank, (cid, score, meta, text) in enumerate(lexical):
        hit = hits.setdefault(cid, hit_from(cid, meta, text))
        hit.bm25_score = score
        fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)

    out: list[Hit] = []
    per: dict[str, int] = {}
    for cid in sorted(fused, key=fused.__getitem__, reverse=True):
        hit = hits[cid]
        if per.get(hit.article_id, 0) >= per_article:
            continue
        per[hit.article_id] = per.get(hit.article_id, 0) + 1
        hit.score = fused[cid]
        out.append(hit)
        if len(out) == k:
            break
    return out


K1, B = 1.2, 0.75  # BM25's usual constants


def by_words(query: str, found: list[tuple[str, float, dict, str]]) -> list[tuple[str, float, dict, str]]:
    """`found` (chunk id, score, metadata, text) ranked by BM25 for `query`'s words, counted
    among those passages alone; the ones without any of the words are left out."""
    words = set(tokenize(query))
    docs = [tokenize(f"{m.get('title', '')}\n{t}") for _, _, m, t in found]
    if not words or not docs:
        return []
    df = {w: sum(w in d for d in docs) for w in words}
    avg = sum(map(len, docs)) / len(docs) or 1.0
    scored = []
    for (cid, _, meta, text), toks in zip(found, docs):
        norm = K1 * (1 - B + B * len(toks) / avg)
        score = sum(math.log1p((len(docs) - df[w] + 0.5) / (df[w] + 0.5)) * c * (K1 + 1) / (c + norm)
                    for w, c in ((w, toks.count(w)) for w in words) if c)
        if score > 0:
            scored.append((cid, score, meta, text))
    return sorted(scored, key=lambda r: -r[1])
