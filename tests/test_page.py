"""The page's parts without a browser: source links (ui/sources.py), saved conversations
(ui/conversations.py), coverage charts (ui/coverage.py), feedback (rag/feedback.py and
`newsrag eval --feedback`), retry/undo/edit, and the documented `ask` endpoint's data.
The browser tests (test_browser.py) drive the same parts through Debian's chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag import feedback
from rag.config import Settings
from rag.evaluate import score
from rag.render import view
from rag.types import Answer, Citation, Hit, StoredArticle
from ui import conversations
from ui.app import answer_text, api_answer, edited, last_question, respond, verdict
from ui.coverage import CITED, OTHER, answer_coverage, corpus_overview
from ui.sources import article_markdown, citations_in, href, hover, linked, parse, passage_markdown, unlinked

TEXT = ("Floodwater reached the old town on Tuesday.\n"
        "Mayor Ana Reis said 300 homes were flooded, and <b>relief</b> [x](javascript:alert(1)) began.\n"
        "The river fell on Thursday.")
QUOTE = "Mayor Ana Reis said 300 homes were flooded"


class Index:
    """Articles by id, a fixed search result, one prepared answer; remembers queries."""

    def __init__(self, home: Path, articles: dict[str, StoredArticle] | None = None, hits: list[Hit] | None = None,
                 answer: Answer | None = None) -> None:
        self.settings = Settings(home=home)
        self.by_id = articles or {}
        self.hits = hits or []
        self.answer = answer
        self.queries: list[tuple] = []

    def article(self, article_id: str) -> StoredArticle | None:
        return self.by_id.get(article_id)

    def articles(self) -> list[StoredArticle]:
        return list(self.by_id.values())

    def search(self, question: str, k: int = 8, **filters: object) -> list[Hit]:
        return self.hits[:k]

    def query(self, question, history=None, **kw):  # noqa: ANN001, ANN201
        self.queries.append((question, history, kw))
        return self.answer


def _article(i: str, published: str | None, source: str = "Wire", text: str = TEXT) -> StoredArticle:
    return StoredArticle(i, f"Flood {i}", source=source, url=f"https://example.org/{i}", published=published, text=text)


def _citation(n: int, article_id: str = "a1", quote: str = QUOTE, published: str | None = "2020-09-01") -> Citation:
    start = TEXT.index(quote)
    return Citation(n, article_id, f"Flood {article_id}", "Wire", f"https://example.org/{article_id}", published,
                    quote, start, start + len(quote))


def _hit(article_id: str, published: str | None, dense: float) -> Hit:
    return Hit(article_id, "t", "Wire", "", published, "text", 0.01, 0, 4, dense_score=dense)


# -- source links ----------------------------------------------------------------------------
def test_a_source_link_round_trips_any_article_id() -> None:
    for article_id in ("a1", "wikinews-e55f7744", "dir/file name.txt#1", "ü?&=/%"):
        assert parse(href(article_id, 5, 9)) == (article_id, 5, 9)
    assert parse("#newsrag-source/a1/9/5") is None  # end before start
    assert parse("#newsrag-source/a1/x/5") is None and parse("javascript:alert(1)") is None


def test_answer_markers_become_links_with_a_hover_and_back() -> None:
    answer = Answer("q", "Three hundred homes were flooded. [1]", citations=[_citation(1)])
    text = respond(Index(Path("/nonexistent"), answer=answer), "q", [])[0]["content"]
    assert f"[[1]](<{href('a1', TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE))}> " in text
    assert citations_in(text) == [{"n": 1, "article_id": "a1", "start": TEXT.index(QUOTE),
                                   "end": TEXT.index(QUOTE) + len(QUOTE)}]
    assert unlinked(text).startswith("Three hundred homes were flooded. [1]")
    assert "[[1]]" not in unlinked(text)


def test_hover_text_is_never_markup() -> None:
    src = view(Answer("q", "x [1]", citations=[_citation(1)])).sources[0]
    src.quote = 'and <b>relief</b> [x](javascript:alert(1)) "q" \\'
    title = hover(src)
    for bad in ("<", ">", "[", "]", '"', "\\"):
        assert bad not in title
    assert "relief" in title and len(title) <= 160
    assert linked(src).count('"') == 2  # the title's own quotes only


def test_passage_and_whole_article_mark_the_span_and_stay_inert(tmp_path: Path) -> None:
    idx = Index(tmp_path, {"a1": _article("a1", "2020-09-01")})
    start = TEXT.index(QUOTE)
    key = href("a1", start, start + len(QUOTE))
    passage = passage_markdown(idx, key)
    assert "### Flood a1" in passage and "Wire, 2020-09-01" in passage and "https://example.org/a1" in passage
    assert f"<mark>{QUOTE}</mark>, and" in passage
    assert "Floodwater" not in passage  # the span's own paragraph only
    assert not re.search(r"(?<!\\)<b>", passage) and "\\<b\\>" in passage
    assert not re.search(r"(?<!\\)\]\(javascript", passage)
    whole = article_markdown(idx, key)
    assert whole.count("<mark>") == 1 and "Floodwater reached" in whole and "river fell on Thursday" in whole
    assert not re.search(r"(?<!\\)<b>", whole)


def test_a_stale_or_forged_link_says_why(tmp_path: Path) -> None:
    idx = Index(tmp_path, {"a1": _article("a1", "2020-09-01")})
    assert "not one this page made" in passage_markdown(idx, "#newsrag-source/../../etc")
    assert "no longer in the index" in passage_markdown(idx, href("gone", 0, 3))
    assert "has changed since" in article_markdown(idx, href("a1", 0, len(TEXT) + 10))


# -- conversations -----------------------------------------------------------------------------
def test_conversations_are_saved_last_used_first() -> None:
    one = [{"role": "user", "content": "Who won?"}, {"role": "assistant", "content": "A [1]"}]
    two = [{"role": "user", "content": "What happened in Poland in January 2019 according to the reports?"}]
    current, saved = conversations.save(None, one, [])
    assert current == 0 and saved[0]["title"] == "Who won?"
    current, saved = conversations.save(None, two, saved)
    assert current == 0 and [c["title"] for c in saved] == [
        "What happened in Poland in January 2019 according to the…", "Who won?"]
    current, saved = conversations.save(1, one + [{"role": "user", "content": "And then?"}], saved)
    assert current == 0 and len(saved) == 2 and len(saved[0]["messages"]) == 3  # the last used comes first
    assert conversations.load(1, saved) == (1, two)
    assert conversations.load(7, saved) == (None, [])
    assert conversations.titles(saved)[0] == ["Who won?"]
    assert conversations.delete(0, saved) == (None, [saved[1]])
    assert conversations.save(None, [], "not a list") == (None, [])  # nothing to keep, junk dropped


def test_at_most_so_many_conversations_are_kept() -> None:
    saved: list = []
    for i in range(conversations.MAX_CONVERSATIONS + 5):
        _, saved = conversations.save(None, [{"role": "user", "content": f"q{i}"}], saved)
    assert len(saved) == conversations.MAX_CONVERSATIONS and saved[0]["title"] == f"q{conversations.MAX_CONVERSATIONS + 4}"


# -- retry, undo, edit -------------------------------------------------------------------------
HISTORY = [{"role": "user", "content": "Who signed?"}, {"role": "assistant", "content": "X [1]"},
           {"role": "assistant", "content": "src", "metadata": {"title": "Sources", "status": "done"}},
           {"role": "user", "content": "And when?"}, {"role": "assistant", "content": "Monday [1]"}]


def test_retry_and_undo_take_back_the_last_question() -> None:
    before, question = last_question(HISTORY)
    assert question == "And when?" and before == HISTORY[:3]
    assert last_question([]) == ([], "")


def test_edit_asks_the_edited_question_with_the_history_before_it() -> None:
    before, question = edited(HISTORY, 3, "And where?")
    assert (before, question) == (HISTORY[:3], "And where?")
    assert edited(HISTORY, [0, 0], [{"type": "text", "text": "Who met?"}]) == ([], "Who met?")


# -- coverage ----------------------------------------------------------------------------------
def test_coverage_counts_matching_articles_per_day_with_the_cited_apart(tmp_path: Path) -> None:
    arts = {a: _article(a, d) for a, d in (("a1", "2020-09-01"), ("a2", "2020-09-03"), ("a3", "2020-09-01"),
                                            ("a4", "2020-09-08"), ("far", "2020-02-01"), ("undated", None))}
    hits = [_hit("a1", "2020-09-01", 0.70), _hit("a3", "2020-09-01", 0.66), _hit("a4", "2020-09-08", 0.60),
            _hit("undated", None, 0.69), _hit("far", "2020-02-01", 0.30)]  # 'far' is another story
    frame = answer_coverage(Index(tmp_path, arts, hits), "What happened in the flood?", ["a1", "a2"])
    rows = {(r.period.date().isoformat(), r.kind): r.articles for r in frame.itertuples()}
    assert rows == {("2020-09-01", CITED): 1, ("2020-09-01", OTHER): 1, ("2020-09-03", CITED): 1,
                    ("2020-09-08", OTHER): 1}
    assert frame.attrs["period"] == "day"


def test_no_chart_when_the_sources_were_published_on_one_day(tmp_path: Path) -> None:
    arts = {"a1": _article("a1", "2020-09-01"), "a2": _article("a2", "2020-09-01"), "u": _article("u", None)}
    assert answer_coverage(Index(tmp_path, arts), "q", ["a1", "a2", "u"]) is None


def test_a_long_span_is_counted_per_week(tmp_path: Path) -> None:
    arts = {"a1": _article("a1", "2020-01-01"), "a2": _article("a2", "2020-06-03")}
    frame = answer_coverage(Index(tmp_path, arts), "q", ["a1", "a2"])
    assert frame.attrs["period"] == "week of"
    assert sorted(r.period.date().isoformat() for r in frame.itertuples()) == ["2019-12-30", "2020-06-01"]  # Mondays


def test_corpus_overview_counts_outlets_and_weeks(tmp_path: Path) -> None:
    arts = {"a1": _article("a1", "2020-09-01", "Wire"), "a2": _article("a2", "2020-09-03", "Wire"),
            "a3": _article("a3", "2020-09-08", "Gazette"), "a4": _article("a4", None, "")}
    per_outlet, per_week = corpus_overview(Index(tmp_path, arts))
    assert dict(zip(per_outlet.outlet, per_outlet.articles)) == {"Wire": 2, "Gazette": 1, "(unknown)": 1}
    assert {r.period.date().isoformat(): r.articles for r in per_week.itertuples()} == {"2020-08-31": 2, "2020-09-07": 1}


# -- feedback ----------------------------------------------------------------------------------
def _answered(tmp_path: Path) -> tuple[Index, list[dict]]:
    idx = Index(tmp_path, {"a1": _article("a1", "2020-09-01")},
                answer=Answer("Were homes flooded?", "Yes: 300 homes. [1]", citations=[_citation(1)]))
    history = [{"role": "user", "content": "What happened in the flood?"}, {"role": "assistant", "content": "Water. [1]"},
               {"role": "user", "content": "Were homes flooded?"}]
    return idx, history + respond(idx, "Were homes flooded?", history[:2])


def test_a_thumb_on_the_answer_or_its_sources_rates_the_answer(tmp_path: Path) -> None:
    idx, history = _answered(tmp_path)
    for at in (len(history) - 2, len(history) - 1):  # the answer, its source box
        v = verdict(idx, history, at, False)
        assert v is not None and v.verdict == "down"
        assert v.question == "Were homes flooded?" and v.turns == ["What happened in the flood?", "Were homes flooded?"]
        assert v.answer == "Yes: 300 homes. [1]"
        assert v.citations == [{"n": 1, "article_id": "a1", "start": TEXT.index(QUOTE),
                                "end": TEXT.index(QUOTE) + len(QUOTE), "title": "Flood a1", "quote": QUOTE}]
    assert verdict(idx, history, 0, True) is None  # a user message has no answer to rate


def test_answer_text_drops_notices_details_and_markup() -> None:
    md = "*The LLM failed, so this is the extractive answer.*\n\n300 \\*homes\\* [[1]](<#newsrag-source/a1/0/4> \"t\")\n\n*published 2020-09-01 to …*"
    assert answer_text(md) == "300 *homes* [1]"
    assert answer_text("**No cited answer.** The corpus doesn't say.") == "The corpus doesn't say."


def test_feedback_file_keeps_the_last_line_of_each_verdict_and_skips_junk(tmp_path: Path) -> None:
    path = tmp_path / "home" / feedback.FILE
    v = feedback.Verdict(question="Q?", answer="A [1]", verdict="down", citations=[{"article_id": "a1", "quote": "A"}])
    feedback.write(path, v)
    with path.open("a") as f:
        f.write("not json\n{\"question\": 1}\n")
    feedback.write(path, feedback.Verdict(**{**v.__dict__, "comment": "wrong person"}))
    feedback.write(path, feedback.Verdict(question="Q2?", answer="B", verdict="up", citations=[
        {"article_id": "a2", "quote": "B said"}, {"article_id": "a2", "quote": "B too"}]))
    got = feedback.read(path)
    assert [(g.question, g.comment) for g in got] == [("Q?", "wrong person"), ("Q2?", "")]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError):
        feedback.Verdict(question="Q", answer="A", verdict="meh")


def test_feedback_becomes_a_question_set_scored_against_the_verdict() -> None:
    up = feedback.Verdict(question="Who signed?", answer="X [1]", verdict="up", turns=["Talks?", "Who signed?"],
                          citations=[{"article_id": "a1", "quote": "X signed"}])
    down = feedback.Verdict(question="When?", answer="On Monday. [1]", verdict="down", comment="it was Tuesday")
    liked, disliked = feedback.questions([up, down])
    assert liked["type"] == "liked" and liked["gold_ids"] == ["a1"] and liked["turns"] == ["Talks?", "Who signed?"]
    assert disliked["type"] == "disliked" and disliked["rejected_answer"] == "On Monday. [1]"
    same = Answer("When?", "On Monday. [2]", citations=[_citation(2, "a9")])
    other = Answer("When?", "On Tuesday. [1]", citations=[_citation(1, "a1")])
    assert score(disliked, same).correct is False and score(disliked, other).correct is True
    assert score(liked, other).correct is True and score(liked, same).correct is False
    assert score(liked, Answer("Who signed?", "The corpus doesn't say.", abstained=True)).correct is False


def test_eval_feedback_command_reads_the_page_file(tmp_path: Path) -> None:
    from rag.evaluate import feedback_questions
    from rag.errors import ConfigError

    with pytest.raises(ConfigError, match="no feedback file"):
        feedback_questions(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("junk\n")
    with pytest.raises(ConfigError, match="holds no verdicts"):
        feedback_questions(tmp_path / "empty.jsonl")


# -- the ask endpoint --------------------------------------------------------------------------
def test_api_answer_is_structured_data(tmp_path: Path) -> None:
    answer = Answer("Were homes flooded?", "Yes: 300 homes. [1]", citations=[_citation(1)], time_window=("2020-09-01", "2020-09-30"))
    idx = Index(tmp_path, answer=answer)
    history = [{"role": "user", "content": "Flood?"},
               {"role": "assistant", "content": f"Water. [[1]](<{href('a7', 0, 5)}> \"t\")"}]
    got = api_answer(idx, " Were homes flooded? ", history, since="2020-09-01", outlets=["Wire"], k=3)
    json.dumps(got)  # plain data all the way down
    assert got["text"] == "Yes: 300 homes. [1]" and got["abstained"] is False
    assert got["citations"][0]["quote"] == QUOTE and got["citations"][0]["start"] == TEXT.index(QUOTE)
    assert got["time_window"] == ["2020-09-01", "2020-09-30"]
    question, sent, kw = idx.queries[0]
    assert question == "Were homes flooded?" and kw["since"] == "2020-09-01" and kw["sources"] == ("Wire",) and kw["k"] == 3
    assert sent[1] == {"role": "assistant", "content": "Water. [1]", "article_ids": ["a7"]}  # a follow-up leans on it


def test_api_answer_refuses_what_the_server_does_not_offer(tmp_path: Path) -> None:
    from rag.errors import RagError

    idx = Index(tmp_path, answer=Answer("q", "x"))
    with pytest.raises(RagError, match="answerer must be one of extractive"):
        api_answer(idx, "q", answerer="openai:gpt@http://169.254.169.254/v1")
    with pytest.raises(RagError, match="since must be a date"):
        api_answer(idx, "q", since="last week")
    assert idx.queries == []
