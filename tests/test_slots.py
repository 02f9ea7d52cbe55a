"""What a question asks for (rag/ask/slots.py), how a question that asks several things is split
(rag/ask/plan.py), and the times a question names relative to what the corpus covers
(rag/ask/timeparse.py, rag/ask/retrieve.py). Pure functions: no model, no store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rag.ask.plan import make_plan, parts_of
from rag.ask.retrieve import Retrieval, mentions, retrieve
from rag.ask.slots import counted, holds, slot_of, unknown
from rag.ask.timeparse import latest_before, parse_time
from rag.check.disagree import Report, disagreements
from rag.types import Citation, Filters, Hit

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("question", "slot"), [
    ("How many people died in Magnitogorsk?", "number"),
    ("When will the harbour reopen?", "date"),
    ("Who was arrested for the shooting?", "person"),
    ("What is the name of the driver of the bus?", "person"),  # the name of a person: who
    ("Where in Queens was the chef found dead?", "place"),
    ("Which African Union member state stayed outside the agreement?", "place"),
    ("What word did Labour MP Tom Watson use for the deal?", "quote"),
    ("What did Swami Chakrapani ask the world's leaders to do?", "quote"),
    ("Why did the talks collapse?", "reason"),
    ("What started the fire at the cathedral?", "reason"),
    ("What did the former president die of?", "reason"),
    ("What happened at the summit?", None),
])
def test_the_kind_of_thing_a_question_asks_for(question: str, slot: str | None) -> None:
    assert slot_of(question) == slot


@pytest.mark.parametrize(("slot", "sentence", "says"), [
    ("reason", "As of late yesterday, the fire's cause had not been officially stated.", True),
    ("reason", "Cause of death was not announced.", True),
    ("reason", "The fire started in the roof and spread to the spire.", False),
    ("person", "Police have not named the driver.", True),
    ("person", "The driver, who was not injured, was named as Ivan Petrov.", False),
    ("org", "No organization immediately claimed credit for the attack.", True),
    ("number", "The number of victims is still unclear.", True),
    ("number", "No injuries were reported.", False),  # none is a number, not an unknown
    ("place", "Police have not named the driver.", False),  # not known, but not where
    (None, "The cause was not announced.", False),  # a question that asks for no kind of thing
])
def test_a_sentence_that_says_the_asked_for_thing_is_not_known(slot: str | None, sentence: str, says: bool) -> None:
    assert unknown(slot, sentence) is says


def test_what_a_how_many_question_counts() -> None:
    assert counted("How many protesters were injured when police fired?") == {"protesters"}
    assert counted("How much hush money was she paid?") == {"hush", "money"}
    assert counted("How many people died?") == {"died"}  # people are anyone; dying is what is counted
    assert counted("How many times did she win?") == set()
    assert counted("What was the confirmed death toll?") == {"died"}


def test_a_count_is_not_a_modifier() -> None:
    toll = "What was the confirmed death toll after the explosion?"
    assert not holds("number", "A gas leak brought the ten-storey building down, killing residents.", toll)
    assert holds("number", "A total of 39 are confirmed dead.", toll)
    assert not holds("number", "More than a million people attended the funeral.", "How many people died?")
    assert holds("number", "The three-year-old was rescued.", "How old was the child?")  # an age is asked


def test_a_sentence_holds_the_number_only_of_what_is_counted() -> None:
    q = "How many protesters were injured when police fired tear gas?"
    assert not holds("number", "The night's incidents injured fourteen police officers.", q)
    assert holds("number", "Twenty protesters were injured.", q)
    money = "How much hush money was Stormy Daniels paid?"
    assert not holds("number", "Hush money was paid to two women.", money)  # a number, not an amount
    assert not holds("number", "Trump paid US$750 in taxes.", money)  # an amount, not of hush money
    assert holds("number", "She was paid $130,000 in hush money.", money)
    assert not holds("number", "The study of 2019 was published.", "How many cases were there?")  # a year


def test_a_sentence_holds_a_person_only_when_a_span_reads_as_a_name() -> None:
    q = "Who was arrested for the shooting?"
    assert holds("person", "The suspect, John Smith, was arrested.", q)
    assert holds("person", "Police said Mr Smith was arrested.", q)  # a title before one word
    for sentence in ("Early Saturday morning, police responded to reports of a shooting.",  # a common word opening
                     "The party took place at 619 Waddell Avenue.",  # a place
                     "Police in Allegheny County responded.",  # after a locative, a place noun
                     "Network Rail Ltd said repairs were under way."):  # an organisation
        assert not holds("person", sentence, q), sentence


def test_a_date_slot_takes_relative_and_future_times() -> None:
    q = "When will the harbour reopen?"
    assert holds("date", "She said the harbour would reopen within a month.", q)
    assert holds("date", "It reopens in two weeks.", q)
    assert holds("date", "The harbour reopens on Monday.", q)
    assert not holds("date", "The harbour is closed.", q)


@pytest.mark.parametrize(("question", "parts"), [
    ("Which two officers did the House hold in contempt, and what was the vote count?",
     ("Which two officers did the House hold in contempt", "what was the vote count?")),
    ("How many died in the fire and when did it start?", ("How many died in the fire", "when did it start?")),
    ("Who won and by how much?", ("Who won and by how much?",)),  # too short to be two asks
    ("What did Putin say about weapons supply?", ("What did Putin say about weapons supply?",)),
    ("Which animals died and how many suspects were arrested?",
     ("Which animals died", "how many suspects were arrested?")),
])
def test_a_question_that_asks_several_things_is_split_into_its_asks(question: str, parts: tuple) -> None:
    assert parts_of(question) == parts
    assert make_plan(question, today=TODAY).parts == (parts if len(parts) > 1 else ())


def test_march_the_noun_is_not_march_the_month() -> None:
    assert parse_time("What did Watson say at the anti-Brexit march in London?", TODAY) is None
    assert parse_time("What happened in march 2019?", TODAY).iso() == ("2019-03-01", "2019-04-07")
    assert parse_time("What happened in march?", TODAY).since == date(2026, 3, 1)
    assert parse_time("Who spoke at the march?", TODAY) is None


def test_a_month_without_a_year_is_the_latest_one_the_corpus_covers() -> None:
    window = parse_time("How many cases did the WHO report in early April?", TODAY)
    assert not window.year_named and window.since == date(2026, 4, 1)
    assert latest_before(window, date(2020, 12, 28)).since == date(2020, 4, 1)
    named = parse_time("What happened in April 2026?", TODAY)
    assert latest_before(named, date(2020, 12, 28)) == named  # a year the user named stays


HIT_2015 = Hit("a1", "Yemen war", "Wire", "", "2019-09-15", "In March 2015, Saudi Arabia began airstrikes.", 1.0, 0, 44, "c1")
HIT_OTHER = Hit("a2", "Tesco", "Wire", "", "2020-06-21", "Tesco sold stores in March; in 2015 it sold HomePlus.", 0.9, 0, 50, "c2")


def test_mentions_needs_the_month_and_year_together() -> None:
    window = parse_time("What happened in March 2015?", TODAY)
    assert mentions(HIT_2015.text, window) and not mentions(HIT_OTHER.text, window)
    year = parse_time("How many premature deaths in 2014 did the study count?", TODAY)
    assert mentions("Power plants caused deaths in 2014.", year) and not mentions("In 2015 they fell.", year)


HIT_2015_MORE = Hit("a1", "Yemen war", "Wire", "", "2019-09-15", "The coalition is led by Riyadh.", 0.8, 45, 76, "c3")


def _search(text: str, k: int, filters: Filters) -> list[Hit]:
    """Every passage in the order given, restricted to the articles asked for; the passage of a1
    that doesn't name the time only turns up when a1 is searched alone."""
    if filters.article_ids:
        return [h for h in (HIT_2015, HIT_2015_MORE, HIT_OTHER) if h.article_id in filters.article_ids][:k]
    return [HIT_2015, HIT_OTHER][:k]


def test_a_time_before_the_corpus_is_answered_from_later_reports_that_mention_it() -> None:
    search = _search
    coverage = ("2019-01-04", "2020-12-28")
    found = retrieve(make_plan("What happened in March 2015?", today=TODAY), search, coverage)
    # every passage of the report that mentions it, not only the one that names the time
    assert (found.outside, [h.chunk_id for h in found.hits]) == ("", ["c1", "c3"])
    assert found.widened.startswith("The corpus starts on 2019-01-04, after March 2015; answered from later reports")
    nothing = retrieve(make_plan("What happened in March 2012?", today=TODAY), search, coverage)
    assert nothing.outside == "before"  # no later report mentions it: refused, as before
    after = retrieve(make_plan("What happened in March 2030?", today=TODAY), search, coverage)
    assert after.outside == "after"
    assert isinstance(after, Retrieval) and after.filters == Filters()


def test_each_part_of_a_question_before_the_corpus_is_searched_in_the_reports_that_mention_it() -> None:
    asked: list[tuple[str, tuple[str, ...]]] = []

    def search(text: str, k: int, filters: Filters) -> list[Hit]:
        asked.append((text, filters.article_ids))
        return _search(text, k, filters)

    plan = make_plan("How many died in March 2015, and who led the coalition?", today=TODAY)
    found = retrieve(plan, search, ("2019-01-04", "2020-12-28"))
    assert {h.article_id for h in found.hits} == {"a1"}
    assert ("who led the coalition?", ("a1",)) in asked  # the second ask, in the report kept


def _report(article: str, sentence: str, day: str) -> Report:
    c = Citation(0, article, article, "Wire", "", day, sentence, 0, len(sentence))
    return Report(sentence, article, day, article, c)


def test_relative_times_are_no_fact_to_disagree_on() -> None:
    a = _report("a", "On Friday, officials in Kerala arrested a man over the elephant's death.", "2020-06-07")
    b = _report("b", "Last week, officials in Kerala arrested a man over the elephant's death.", "2020-06-11")
    assert disagreements([a], [b], []) == []
    c = _report("c", "On Friday, officials in Karnataka arrested a man over the elephant's death.", "2020-06-11")
    citations: list[Citation] = []
    [note] = disagreements([a], [c], citations)  # a place is a fact: both reports cited
    assert note == ("Reports differ: “Kerala” [1] (2020-06-07) against “Karnataka” [2] (2020-06-11); "
                    "the later report [2] gives “Karnataka”.")
    assert [x.article_id for x in citations] == ["a", "c"]


def test_a_quote_question_also_searches_the_articles_that_quote_its_speaker() -> None:
    asked: list[tuple[str, ...]] = []

    def search(text: str, k: int, filters: Filters) -> list[Hit]:
        asked.append(filters.article_ids)
        return _search(text, k, filters)

    plan = replace(make_plan("What did Chris Wright say?", today=TODAY), speaker_articles=("a2",))
    found = retrieve(plan, search, ("2019-01-04", "2020-12-28"))
    assert asked == [(), ("a2",)] and "a2" in {h.article_id for h in found.hits}


def test_an_organisation_a_place_or_a_coordination_is_not_who() -> None:
    who = "Name the engineer who was killed at the station."
    for sentence in ("London Ambulance Service and London Fire Brigade were the first responders.",
                     "The travelator links the Northern and Jubilee lines.",
                     "Agence France-Presse reported 32 hospitalised.",
                     "A spokesperson for Stagecoach South said their thoughts were with the families.",
                     "Help came from The Mustard Seed Kamloops."):
        assert not holds("person", sentence, who), sentence
    assert holds("person", "Detective Inspector Darren Gough named him.", who)
    assert holds("person", "Results between Biden and Senator Bernie Sanders were close.", "Who won the race?")


def test_who_won_or_acquired_may_be_a_team_a_country_or_a_company() -> None:
    assert holds("person", "France beat Croatia 4-2 in the final in Moscow.", "Who won the World Cup Final in 2018?")
    assert holds("person", "In 2012 the photo app was bought by Facebook.", "Who acquired Instagram?")
    assert not holds("person", "France beat Croatia 4-2 in the final in Moscow.", "Who scored the winning goal?")


def test_a_wh_phrase_ends_at_its_verb() -> None:
    assert slot_of("Which city hosted the Olympic games in 2012?") == "place"  # not the games' name
    assert slot_of("Which hurricane hit Portugal's Azores islands?") == "name"
    assert slot_of("Which armed group claimed the attack?") == "org"  # an -ed word before the head is no verb
    assert holds("place", "Norway set the record, ahead of the United States and Germany.",
                 "Which country won the most medals at the 2018 Winter Olympics?")
