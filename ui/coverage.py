"""How coverage spreads over time: the data behind the page's charts (Gradio BarPlots).

    answer_coverage(index, question, cited_ids)   # articles matching it per day/week, the cited apart
    corpus_overview(index)           # (articles per outlet, articles per week) of the whole corpus

Each returns pandas DataFrames (gradio depends on pandas) or None when there is nothing to draw.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)

MATCHING = 40  # passages searched for the "matching articles" of an answer's chart
SAME_STORY = 0.75  # a passage within this share of the best one's cosine counts as the same story
DAILY_SPAN = 45  # days: a span up to this is counted per day, a longer one per week
TOP_OUTLETS = 15
CITED, OTHER = "cited", "found, not cited"


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def _bucket(day: date, weekly: bool) -> str:
    return (day - timedelta(days=day.weekday())).isoformat() if weekly else day.isoformat()


def answer_coverage(index: Any, question: str, cited: Sequence[str], since: str | None = None,
                    until: str | None = None, sources: Sequence[str] = ()) -> Any:
    """Articles that match `question` (within the page's filters), counted per day (per week,
    Monday first, over a long span), the `cited` ones apart; None when the cited articles were
    not published on more than one day (a timeline always is)."""
    days: dict[str, date] = {}
    for article_id in dict.fromkeys(cited):
        got = index.article(article_id)
        if got is not None and (d := _day(got.published)) is not None:
            days[article_id] = d
    if len(set(days.values())) < 2:
        return None
    try:
        hits = index.search(question, k=MATCHING, since=since or None, until=until or None, sources=tuple(sources))
    except Exception:  # a chart is a nicety: never break the answer for it
        log.exception("searching for the coverage chart failed")
        hits = []
    best = max((h.dense_score or 0.0 for h in hits), default=0.0)
    for h in hits:  # on the same story: nearly as close in meaning as the closest passage
        if (h.dense_score or 0.0) >= SAME_STORY * best and (d := _day(h.published)) is not None:
            days.setdefault(h.article_id, d)
    weekly = (max(days.values()) - min(days.values())).days > DAILY_SPAN
    counts = Counter((_bucket(d, weekly), CITED if a in cited else OTHER) for a, d in days.items())
    return _frame([{"period": p, "articles": n, "kind": kind} for (p, kind), n in sorted(counts.items())],
                  "week of" if weekly else "day")


def corpus_overview(index: Any) -> tuple[Any, Any]:
    """(articles per outlet, the biggest TOP_OUTLETS; articles per week) of the whole corpus."""
    articles = [a for a in index.articles() if not a.duplicate_of]
    outlets = Counter(a.source or "(unknown)" for a in articles).most_common(TOP_OUTLETS)
    weeks = Counter(_bucket(d, True) for a in articles if (d := _day(a.published)))
    per_outlet = _frame([{"outlet": o, "articles": n} for o, n in outlets], None)
    per_week = _frame([{"period": w, "articles": n, "kind": "published"} for w, n in sorted(weeks.items())], "week of")
    return per_outlet, per_week


def _frame(rows: list[dict[str, Any]], period: str | None) -> Any:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if period and not frame.empty:
        frame["period"] = pd.to_datetime(frame["period"])  # a time axis: gaps show, labels don't pile up
        frame.attrs["period"] = period  # what a bucket is, for the axis title
    return frame
