"""rag.ask.plan: what a question asks, decided before anything is searched (pure, no model)."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer import order
from rag.ask.plan import COMPARISON_INTENT, FACTUAL, QUOTE, TIMELINE, TIMELINE_K, make_plan, quote_topic, speaker, wants, outlets_named
from rag.ask.retrieve import Retrieval
from rag.types import Filters, Hit

TODAY = date(2024, 2, 14)


@pytest.mark.parametrize(("question", "intent"), [
    ("What did Putin say about weapons supply?", QUOTE),
    ("How did Polish President Andrzej Duda describe the fire?", QUOTE),
    ("According to Amnesty International, how many were arrested?", QUOTE),
    ("How did the Hong Kong protests develop?", TIMELINE),
    ("Give me a timeline of the Notre-Dame fire", TIMELINE),
    ("Which came first: the election or the strike?", COMPARISON_INTENT),
    ("Who signed in Istanbul?", FACTUAL),
    ("How many people died in Magnitogorsk?", FACTUAL),
])
def test_intent(question: str, intent: str) -> None:
    assert make_plan(question, today=TODAY).intent == intent


def test_what_a_question_wants() -> None:
    assert wants("How many people died?") == {"number"}
    assert wants("When did the bridge reopen?") == {"date"}
    assert wants("Who won the election?") == {"person"}
    assert wants("What did Putin say about NATO?") == {"quote"}
    assert wants("What is the capital?") == frozenset()


def test_a_quote_question_names_its_speaker_and_topic() -> None:
    plan = make_plan("What did Vladimir Putin say about weapons supply?", today=TODAY)
    assert (plan.speaker, plan.topic) == ("Putin", "weapons supply")
    assert speaker("Who signed in Istanbul?") is None
    assert quote_topic("What did Putin say about NATO?") == "NATO"
    # a clause that sets the scene is not the topic: what follows the speaker's verb is
    assert quote_topic("Asked about the talks in Geneva, what did Jo Jorgensen say US policy should resemble?") \
        == "US policy should resemble"
    assert "Geneva" in quote_topic("In Geneva on Monday what did Putin say about NATO?")  # no lead-in clause


def test_a_timeline_searches_its_topic_with_more_passages() -> None:
    plan = make_plan("How did the Hong Kong protests develop?", k=8, today=TODAY)
    assert (plan.topic, plan.search, plan.k) == ("the Hong Kong protests", "the Hong Kong protests", TIMELINE_K)


def test_a_followup_searches_with_the_earlier_turn_and_a_standalone_question_alone() -> None:
    history = [{"role": "user", "content": "Who was driving the truck in Randolph?"},
               {"role": "assistant", "content": "Volodymyr Zhukovskyy [1]"}]
    follow = make_plan("How old is he?", history, today=TODAY)
    assert follow.followup and follow.context == "Who was driving the truck in Randolph? Volodymyr Zhukovskyy"
    assert follow.search == "Who was driving the truck in Randolph? Volodymyr Zhukovskyy How old is he?"
    alone = make_plan("What did Putin say about weapons supply?", history, today=TODAY)
    assert not alone.followup and alone.context == "" and alone.search == alone.question


def test_the_window_comes_from_the_question_or_its_context_unless_filters_are_explicit() -> None:
    plan = make_plan("What happened in Poland in January 2019?", today=TODAY)
    assert plan.window is not None and plan.window.iso() == ("2019-01-01", "2019-02-07")
    history = [{"role": "user", "content": "What happened in Poland in January 2019?"}]
    assert make_plan("And who was hurt there?", history, today=TODAY).window == plan.window
    explicit = make_plan("What happened in Poland in January 2019?", filters=Filters("2020-01-01", None), today=TODAY)
    assert explicit.window is None and explicit.filters.since == "2020-01-01"
    assert make_plan("What happened last week?", today=TODAY).window.iso() == ("2024-02-07", "2024-02-14")


def test_a_condensed_followup_searches_the_standalone_question() -> None:
    plan = make_plan("And about NATO?", [{"role": "user", "content": "What did Putin say?"}], today=TODAY)
    condensed = plan.condensed("What did Putin say about NATO?")
    assert (condensed.search, condensed.context) == ("What did Putin say about NATO?", "")


HIT = Hit("a1", "t", "s", "", None, "text", 1.0, 0, 4)


@pytest.mark.parametrize(("question", "found", "llm", "expected"), [
    ("Who signed?", Retrieval([HIT]), False, ("extractive", "abstain")),
    ("Who signed?", Retrieval([HIT]), True, ("llm", "extractive", "abstain")),
    ("What did Putin say about NATO?", Retrieval([HIT]), False, ("quotes", "extractive", "abstain")),
    ("What did Putin say about NATO?", Retrieval([HIT]), True, ("llm", "quotes", "extractive", "abstain")),
    ("How did the strike develop?", Retrieval([HIT]), True, ("timeline", "abstain")),
    ("Who signed?", Retrieval([]), True, ("abstain",)),
    ("Who signed?", Retrieval([HIT], outside="after"), True, ("outside",)),
])
def test_the_answerers_tried_and_their_order(question: str, found: Retrieval, llm: bool, expected: tuple) -> None:
    from rag.answer.llm import LLMSpec

    spec = LLMSpec("openai", "m", "http://127.0.0.1:1/v1") if llm else None
    assert order(make_plan(question, answerer=spec, today=TODAY), found) == expected


def test_the_outlets_a_question_names() -> None:
    outlets = ["Wikinews (en.wikinews.org)", "The Guardian", "BBC", "Baonghean.vn", "(unknown)"]
    assert outlets_named("What did the Guardian report about the fire?", outlets) == ("The Guardian",)
    assert outlets_named("What did Wikinews say?", outlets) == ("Wikinews (en.wikinews.org)",)
    assert outlets_named("What did Baonghean.vn and the BBC say?", outlets) == ("BBC", "Baonghean.vn")
    assert outlets_named("Was the guardian angel found?", outlets) == ()  # a name keeps its case
    assert outlets_named("What was reported in BBCs?", outlets) == ()  # a whole word only
