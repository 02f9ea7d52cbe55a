"""rag.ask.timeparse: time words in questions -> published-date windows, against a fixed as-of date."""

from __future__ import annotations

from datetime import date

import pytest

from rag.ask.timeparse import REPORTING_LAG, parse_time

AS_OF = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    "question, since, until",
    [
        ("What happened in Poland in January 2019?", "2019-01-01", "2019-02-07"),
        ("injured by the earthquake in mid-July 2019?", "2019-07-10", "2019-07-28"),
        ("Which side did Caloundra beat in late August 2020?", "2020-08-21", "2020-09-07"),
        ("hit the Azores in the first days of October 2019", "2019-10-01", "2019-10-14"),
        ("In the first week of April 2020, how many deaths?", "2020-04-01", "2020-04-14"),
        ("struck over the Christmas period in 2019?", "2019-12-20", "2020-01-10"),
        ("Between May 2019 and March 2020 who acted?", "2019-05-01", "2020-04-07"),
        ("Who won in 2019?", "2019-01-01", "2020-01-07"),
        ("What happened since March 2020?", "2020-03-01", "2026-11-25"),
        ("What happened last week?", "2026-11-18", "2026-11-25"),
        ("What was said since Monday?", "2026-11-23", "2026-11-25"),
        ("What happened this year?", "2026-01-01", "2026-11-25"),
        ("News from the past 3 days?", "2026-11-22", "2026-11-25"),
        ("What happened in March?", "2026-03-01", "2026-04-07"),
        ("What happened in December?", "2025-12-01", "2026-01-07"),
    ],
)
def test_windows(question: str, since: str, until: str) -> None:
    window = parse_time(question, AS_OF)
    assert window is not None
    assert window.iso() == (since, until)
    assert window.text.lower() in question.lower()


@pytest.mark.parametrize(
    "question",
    ["Who signed in Istanbul?", "What may happen to the deal?", "Which country won the 2019 Rugby World Cup final?",
     "What did Putin say about weapons supply?"],
)
def test_no_time_no_window(question: str) -> None:
    assert parse_time(question, AS_OF) is None


def test_lag_never_runs_past_as_of() -> None:
    window = parse_time("What happened in November 2026?", AS_OF)
    assert window is not None and window.until == AS_OF
    assert REPORTING_LAG > 0


def test_a_time_in_a_corpus_without_dates_is_said_to_narrow_nothing(seed_index) -> None:
    """The seed article is undated, so no article has a date: a named time can't narrow the search,
    and the note says that (not "nothing was published between ...")."""
    answer = seed_index.query("What did Putin say about weapons supply in March 2019?")
    [note] = answer.notes  # said beside the answer, not inside it
    assert note.kind == "widened"
    assert note.text == ("No article in the corpus has a publication date, so “March 2019” could not narrow the "
                         "search.")
    assert answer.time_window is None
    assert "stop supplying weapons" in answer.text


def test_time_window_on_answer(wikinews_index) -> None:
    answer = wikinews_index.query("Which typhoon struck the central Philippines over the Christmas period in 2019?")
    assert answer.time_window == ("2019-12-20", "2020-01-10")
    assert all("2019-12-20" <= h.published <= "2020-01-10" for h in answer.hits)
    assert "Phanfone" in answer.text


def test_a_time_the_corpus_does_not_cover_is_said_not_answered(wikinews_index) -> None:
    answer = wikinews_index.query("What did the president say last week?", as_of="2026-11-25")
    assert answer.abstained and answer.citations == [] and answer.related
    assert answer.text.startswith("The corpus has nothing after 2020-12-28 (it covers 2019-01-04 to 2020-12-28)")
    assert answer.coverage == ("2019-01-04", "2020-12-28")
    early = wikinews_index.query("What happened in March 2015?")
    assert early.abstained and early.text.startswith("The corpus has nothing before 2019-01-04")


def test_as_of_is_the_newest_cited_date(wikinews_index) -> None:
    answer = wikinews_index.query("Which typhoon struck the central Philippines over the Christmas period in 2019?")
    assert answer.as_of == max(c.published for c in answer.citations)
    assert "2019-12-20" <= answer.as_of <= "2020-01-10"
    assert answer.to_dict()["coverage"] == ["2019-01-04", "2020-12-28"]
