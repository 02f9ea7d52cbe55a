"""One question's way through NewsIndex (plan -> retrieve -> answer -> check), on an in-memory
store with a word-bag embedder (tests/fakes.py): which answerer answers, what it cites, what the
check step adds. Milliseconds each; the real model and store are tested end to end elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakes import memory_index
from rag.index import NewsIndex
from rag.types import AnswerStream, Filters

ARTICLES = [
    {"id": "quake-1", "title": "Earthquake shakes Lindmark harbour", "date": "2021-03-01", "source": "Coast Post",
     "text": "An earthquake shook the harbour town of Lindmark on Monday. Officials said 12 people died in the "
             "collapse of the old fish market. Rescuers worked through the night in freezing rain."},
    {"id": "quake-2", "title": "Lindmark earthquake toll rises", "date": "2021-03-03", "source": "Daily Wire",
     "text": "The toll of the Lindmark earthquake rose on Wednesday. Officials said 15 people died in the "
             "collapse of the old fish market. Mayor Ingrid Solvang said the town would rebuild the market."},
    {"id": "talks-1", "title": "Mayor Solvang speaks on reconstruction", "date": "2021-03-10", "source": "Coast Post",
     "text": "Mayor Ingrid Solvang spoke to reporters about the reconstruction of Lindmark. "
             "\"We will rebuild the fish market stone by stone, and it will be stronger than before,\" Solvang said. "
             "She added that the harbour would reopen within a month."},
    {"id": "port-1", "title": "Harbour master inspects Lindmark piers", "date": "2021-03-20", "source": "Coast Post",
     "text": "Harbour master Olav Berg inspected the damaged piers of Lindmark on Saturday. A notice posted at the "
             "port warned that \"the piers will close whenever the wind exceeds gale force until repairs end\". "
             "Berg walked the length of the quay with two engineers."},
    {"id": "ferry-1", "title": "Ferry service to Brannholm resumes", "date": "2021-05-20", "source": "Daily Wire",
     "text": "The ferry service between Lindmark and Brannholm resumed on Friday after the earthquake repairs. "
             "The operator said the crossing takes forty minutes."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    return _indexed(tmp_path_factory, "flow", ARTICLES)


def _indexed(tmp_path_factory: pytest.TempPathFactory, name: str, articles: list[dict]) -> NewsIndex:
    """A fake-embedder index of `articles`, every one of them ingested."""
    tmp = tmp_path_factory.mktemp(name)
    src = tmp / f"{name}.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    idx = memory_index(tmp)
    report = idx.ingest([src], progress=False)
    assert (report.added, report.failed) == (len(articles), [])
    return idx


def _verbatim(index: NewsIndex, answer) -> None:  # noqa: ANN001
    for c in [*answer.citations, *answer.related]:
        assert index.article(c.article_id).text[c.start:c.end] == c.quote


def test_a_factual_question_is_answered_by_quoting(index: NewsIndex) -> None:
    answer = index.query("How long does the ferry crossing to Brannholm take?", as_of="2021-05-01")
    assert "forty minutes" in answer.text and answer.answerer == "extractive" and not answer.abstained
    assert answer.citations[0].article_id == "ferry-1"
    _verbatim(index, answer)


def test_a_quote_question_is_answered_from_the_speakers_quotations(index: NewsIndex) -> None:
    answer = index.query("What did Solvang say about the fish market?", as_of="2021-05-01")
    assert answer.text.startswith("Ingrid Solvang said: “We will rebuild the fish market stone by stone")
    assert answer.citations[0].article_id == "talks-1"
    _verbatim(index, answer)


def test_a_quotation_the_article_does_not_attribute_is_said_to_be_so(index: NewsIndex) -> None:
    answer = index.query("What did Berg say about the piers closing in gale force wind?", as_of="2021-05-01")
    assert answer.text.startswith("The closest quotation on this is one the article does not clearly attribute, "
                                  "so it may not be Berg's: “the piers will close whenever the wind exceeds gale force")
    assert "Berg said:" not in answer.text


def test_reports_that_disagree_are_both_cited(index: NewsIndex) -> None:
    answer = index.query("How many people died in the Lindmark earthquake?", as_of="2021-05-01")
    assert "Reports differ on the number of deaths" in answer.text
    assert {c.article_id for c in answer.citations} >= {"quake-1", "quake-2"}
    assert "the later report" in answer.text
    _verbatim(index, answer)


def test_a_timeline_lists_the_story_oldest_first(index: NewsIndex) -> None:
    answer = index.timeline("the Lindmark earthquake", as_of="2021-05-01")
    dates = [c.published for c in answer.citations]
    assert dates == sorted(dates) and len(dates) >= 2
    assert all(line.startswith(("2021-03-01", "2021-03-03", "2021-03-10", "2021-03-20", "2021-05-20"))
               for line in answer.text.splitlines())


def test_a_time_outside_the_corpus_is_said_not_answered(index: NewsIndex) -> None:
    answer = index.query("What happened in Lindmark in March 2030?", as_of="2031-01-01")
    assert answer.abstained
    assert answer.text.startswith("The corpus has nothing after 2021-05-20 (it covers 2021-03-01 to 2021-05-20)")


def test_an_empty_window_is_widened_and_noted_beside_the_answer(index: NewsIndex) -> None:
    answer = index.query("How long does the ferry crossing take, as reported in April 2021?", as_of="2021-12-01")
    [note] = answer.notes
    assert note.kind == "widened" and note.text.startswith("Nothing was published between 2021-04-01 and 2021-05-07")
    assert "forty minutes" in answer.text and not answer.text.startswith("Nothing")
    assert answer.time_window == ("2021-03-01", "2021-06-07")  # a month wider on each side


def test_something_the_corpus_lacks_is_an_abstention(index: NewsIndex) -> None:
    answer = index.query("Who won the chess olympiad in Budapest?", as_of="2021-05-01")
    assert answer.abstained and answer.text.startswith("The corpus doesn't say.")


def test_a_followup_leans_on_the_earlier_turn(index: NewsIndex) -> None:
    first = index.query("What did Mayor Solvang say about the fish market?", as_of="2021-05-01")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    answer = index.query("When will the harbour reopen?", history, as_of="2021-05-01")
    assert "within a month" in answer.text


def test_streaming_gives_the_same_answer(index: NewsIndex) -> None:
    stream = index.query("How long does the ferry crossing to Brannholm take?", stream=True, as_of="2021-05-01")
    assert isinstance(stream, AnswerStream)
    text = "".join(stream)
    plain = index.query("How long does the ferry crossing to Brannholm take?", as_of="2021-05-01")
    assert text == stream.answer.text == plain.text
    assert [c.quote for c in stream.answer.citations] == [c.quote for c in plain.citations]


def test_the_read_side_is_typed(index: NewsIndex, tmp_path: Path) -> None:
    stats = index.stats()
    assert (stats.articles, stats.sources) == (5, {"Coast Post": 3, "Daily Wire": 2})
    assert (stats.first_date, stats.last_date) == ("2021-03-01", "2021-05-20")
    assert {a.id for a in index.articles()} == {"quake-1", "quake-2", "talks-1", "port-1", "ferry-1"}
    assert [q.speaker for q in index.quotes(speaker="Solvang")] == ["Ingrid Solvang"]


STORIES = [
    {"id": "bus-1", "title": "Children's bus overturns in Babyninsky", "date": "2021-06-06", "source": "Coast Post",
     "text": "A bus carrying children from Smolensk to Kaluga overturned in Babyninsky on Sunday. The bus driver "
             "told reporters he lost control on the wet road. Eleven children were taken to hospital in Kaluga."},
    {"id": "fair-1", "title": "Brannholm harvest fair draws crowds", "date": "2021-09-12", "source": "Daily Wire",
     "text": "The harvest fair in Brannholm drew 4,000 visitors over the weekend. ((WN)) What was your favourite "
             "part of the harvest fair? The apple parade was the favourite part of the fair for most visitors, "
             "organiser Ada Lind said."},
    {"id": "fire-1", "title": "Fire destroys Brannholm sawmill", "date": "2021-11-03", "source": "Daily Wire",
     "text": "A fire destroyed the old sawmill of Brannholm on Tuesday night. Forty firefighters fought the blaze "
             "until dawn, and nobody was hurt. The cause of the fire was not announced by the fire service. "
             "The sawmill had closed in 2015 and was due to become a museum."},
    {"id": "rally-1", "title": "Brannholm rally against the harbour plan", "date": "2021-10-02", "source": "Coast Post",
     "text": "Hundreds rallied in Brannholm on Saturday against the new harbour plan. Councillor Per Holm called the "
             "harbour plan \"lousy\" and asked for a vote on it. A leaflet handed out at the rally read: \"the harbour "
             "plan will cost more than the town can ever pay back\"."},
]


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    return _indexed(tmp_path_factory, "stories", STORIES)


def test_a_detail_the_story_leaves_out_is_said_to_be_missing(stories: NewsIndex) -> None:
    answer = stories.query("What is the name of the driver of the bus that overturned in Babyninsky?", as_of="2021-12-01")
    assert answer.abstained and answer.text.startswith("The articles found don't say who.")
    assert answer.related and answer.related[0].article_id == "bus-1"  # what the story does say, cited
    told = stories.query("How many children were taken to hospital after the bus overturned in Babyninsky?",
                         as_of="2021-12-01")
    assert not told.abstained and "Eleven children" in told.text


def test_a_report_that_says_it_is_not_known_is_quoted_as_the_abstention(stories: NewsIndex) -> None:
    answer = stories.query("What started the fire at the Brannholm sawmill?", as_of="2021-12-01")
    assert answer.abstained
    assert answer.text == "The articles found don't say why: “The cause of the fire was not announced by the fire service.” [1]"
    assert answer.related[0].article_id == "fire-1" and answer.related[0].quote.startswith("The cause of the fire")
    told = stories.query("How many firefighters fought the fire at the Brannholm sawmill?", as_of="2021-12-01")
    assert not told.abstained and "Forty firefighters" in told.text  # what the report does say is answered


def test_a_followup_does_not_quote_the_last_answer_again(stories: NewsIndex) -> None:
    first = stories.query("How many firefighters fought the fire at the Brannholm sawmill?", as_of="2021-12-01")
    assert "Forty firefighters" in first.text
    history = [{"role": "user", "content": first.question}, first.history_message()]
    nxt = stories.query("What was the sawmill going to become?", history=history, as_of="2021-12-01")
    assert "museum" in nxt.text and "Forty firefighters" not in nxt.text
    again = stories.query("And how many of them were there?", history=history, as_of="2021-12-01")
    assert "Forty firefighters" in again.text  # it holds what is asked, so it may be quoted again


def test_a_question_that_asks_two_things_is_answered_for_each(stories: NewsIndex) -> None:
    answer = stories.query("How many children were taken to hospital after the Babyninsky bus crash, and how many "
                           "visitors did the Brannholm harvest fair draw?", as_of="2021-12-01")
    assert "Eleven children" in answer.text and "4,000 visitors" in answer.text
    assert {c.article_id for c in answer.citations} == {"bus-1", "fair-1"}


def test_an_interviewers_question_is_never_the_answer(stories: NewsIndex) -> None:
    answer = stories.query("What was the favourite part of the Brannholm harvest fair?", as_of="2021-12-01")
    assert "apple parade" in answer.text and "?" not in answer.text


def test_a_sentence_reporting_the_speakers_words_wins_over_an_unattributed_quotation(stories: NewsIndex) -> None:
    answer = stories.query("What word did Councillor Per Holm use for the harbour plan?", as_of="2021-12-01")
    assert '"lousy"' in answer.text and answer.answerer == "extractive"
    assert "may not be" not in answer.text  # not the leaflet's words offered as perhaps his


def test_alike_reports_that_differ_in_a_fact_are_both_kept_and_linked(tmp_path: Path) -> None:
    text = ("The final of the regional football cup will be played at the Harbour Stadium in {city} on Sunday, the "
            "league said in a statement. Tickets go on sale on Monday, and the organisers expect a full house of "
            "fans from both clubs travelling for the match. Both clubs have reached the final for the first time in "
            "a decade, after semi-finals decided on penalties last week. The league's chairman said the venue had been "
            "chosen for its new stands and its rail links, and that the kick-off would be at three in the afternoon. "
            "Police will close the roads around the ground for the day, and extra trains will run in the evening.")
    copy = {"id": "cup-2", "title": "Cup final venue named", "date": "2021-04-02", "source": "Daily Wire",
            "text": text.format(city="Lindmark")}
    rows = [{"id": "cup-1", "title": "Cup final venue named", "date": "2021-04-01", "source": "Coast Post",
             "text": text.format(city="Lindmark")}, copy, {**copy, "id": "cup-3", "text": text.format(city="Brannholm")}]
    src = tmp_path / "cup.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    idx = memory_index(tmp_path)
    idx.ingest([src], progress=False)
    assert idx.article("cup-2").duplicate_of == "cup-1"  # the same words: a syndicated copy, kept once
    third = idx.article("cup-3")
    assert not third.duplicate_of and third.variant_of in ("cup-1", "cup-2") and third.chunks > 0
    answer = idx.query("Where will the regional football cup final be played?", as_of="2021-05-01")
    assert "Reports differ: “Lindmark”" in answer.text and "“Brannholm”" in answer.text
    assert {c.article_id for c in answer.citations} >= {"cup-1", "cup-3"}


def test_a_followup_leans_on_the_articles_the_last_answer_cited(index: NewsIndex) -> None:
    first = index.query("What did Mayor Solvang say about the fish market?", as_of="2021-05-01")
    message = first.history_message()
    assert message["article_ids"] == list(dict.fromkeys(c.article_id for c in first.citations))
    from rag.ask.plan import make_plan

    plan = make_plan("And what about the harbour?", [{"role": "user", "content": first.question}, message])
    assert plan.followup and plan.context_articles == tuple(message["article_ids"])



def test_the_articles_quoting_a_speaker_come_from_the_table(index: NewsIndex) -> None:
    # what a "What did X say?" search also looks in (rag/index.py: Plan.speaker_articles)
    assert index.store.quoting_ids("Solvang") == ["talks-1"]
    assert index.store.quoting_ids("Ingrid Solvang", Filters(since="2021-04-01")) == []
    assert index.store.quoting_ids("Nobody") == []


MORE = [
    {"id": "race-1", "title": "Records fall at the Brannholm marathon", "date": "2021-10-10", "source": "Coast Post",
     "text": "Kenyan runners Eliud Kiprono and Brigid Kemboi made history at the Brannholm marathon on Sunday. Kiprono "
             "crossed the line first in 2:01:09 after a fast start by the leading group. Kemboi won the women's race "
             "in 2:14:04, a course record by four minutes. Organisers said 9,000 runners took part in the race."},
    {"id": "game-1", "title": "Harbour Quest sells well", "date": "2018-03-01", "source": "Daily Wire",
     "text": "Harbour Quest is a 2017 puzzle game made in Lindmark by the studio Fjord Games. Its makers first showed "
             "it at a Lindmark fair. It came out on July 21, 2017, for home computers and phones. The studio sold "
             "40,000 copies of it in a year."},
    {"id": "flood-1", "title": "Floods close the Brannholm coast road", "date": "2021-12-06", "source": "Coast Post",
     "text": "Floods closed the Brannholm coast road on Monday after two days of rain. Two drivers were injured when "
             "their car was swept off the road near the harbour. The council said the road would reopen next week."},
    {"id": "cup-1", "title": "Rowing crews gather in Lindmark", "date": "2021-08-14", "source": "Daily Wire",
     "text": "Crews from the World Rowing League met in Lindmark for the final of the Brannholm Cup regatta. The "
             "Lindmark crew won the final by two lengths, and the mayor handed over the cup."},
    {"id": "ice-1", "title": "Warm water breaks the Lindmark glacier", "date": "2021-07-02", "source": "Coast Post",
     "text": "Scientists studied the Lindmark glacier for three summers. \"Now warm water cuts into the ice from below,\" "
             "said researcher Maren Vik of the Lindmark institute. \"Like scoring a plate of glass, the channel leaves "
             "the glacier weak, and in a few decades it is gone.\" The study was published on Friday."},
]


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    return _indexed(tmp_path_factory, "more", MORE)


def test_a_quotation_split_by_its_attribution_is_quoted_whole(more: NewsIndex) -> None:
    answer = more.query("How did Maren Vik describe the way warm water weakens the Lindmark glacier?", as_of="2022-01-01")
    assert answer.text.startswith("Maren Vik said: “Now warm water cuts into the ice from below” … “Like scoring")
    _verbatim(more, answer)
    assert "scoring a plate of glass" in answer.citations[0].quote


def test_a_name_of_several_words_counts_as_covered_only_where_its_words_run_together() -> None:
    from rag.answer.extractive import ExtractiveAnswerer
    from rag.types import Hit

    text = MORE[3]["text"]  # "World Rowing League", "Brannholm Cup": World and Cup, never "World Cup"
    hit = Hit("cup-1", MORE[3]["title"], "Daily Wire", "", "2021-08-14", text, 1.0, 0, len(text))
    answerer = ExtractiveAnswerer(encode=lambda texts: None, idf=lambda t: 1.0, threshold=0.5)
    named = answerer.confidence("Who won the final of the Brannholm Cup?", [hit])
    scattered = answerer.confidence("Who won the final of the World Cup?", [hit])
    assert named == 1.0 and scattered < named


def test_what_is_asked_of_each_name_is_answered_for_each(more: NewsIndex) -> None:
    answer = more.query("Eliud Kiprono and Brigid Kemboi made history in Brannholm. What times did they each run?",
                        as_of="2022-01-01")
    assert "2:01:09" in answer.text and "2:14:04" in answer.text


def test_when_is_answered_with_the_day_not_only_the_year(more: NewsIndex) -> None:
    answer = more.query("When did the Harbour Quest puzzle game by Fjord Games come out?", as_of="2022-01-01")
    assert "July 21, 2017" in answer.text


def test_a_followup_asking_for_deaths_where_none_are_reported_says_so(more: NewsIndex) -> None:
    first = more.query("What happened on the Brannholm coast road?", as_of="2022-01-01")
    history = [{"role": "user", "content": first.question}, first.history_message()]
    deaths = more.query("How many people died?", history=history, as_of="2022-01-01")
    assert deaths.abstained and deaths.text.startswith("The articles found don't say how many")
    hurt = more.query("How many drivers were injured?", history=history, as_of="2022-01-01")
    assert not hurt.abstained and "Two drivers" in hurt.text


def test_the_outlets_a_question_may_name_follow_every_write(tmp_path: Path) -> None:
    idx = memory_index(tmp_path)
    src = tmp_path / "first.jsonl"
    src.write_text(json.dumps(MORE[0]) + "\n", encoding="utf-8")
    idx.ingest([src], progress=False)
    assert idx.store.outlets() == ("Coast Post",)
    src.write_text(json.dumps(MORE[1]) + "\n", encoding="utf-8")
    idx.ingest([src], progress=False)
    assert set(idx.store.outlets()) == {"Coast Post", "Daily Wire"}  # counted again after the write
