"""A generated answer that fails its check is not passed off as the answer (issue #16): the rule
(rag/check: `rejection`, MOST_UNSUPPORTED), the replacement in NewsIndex on an in-memory index
with a fake LLM adapter, and how the LLM's kept text is rendered. Milliseconds each; the same
through a real HTTP client and index is in tests/test_llm.py and tests/test_cli.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from fakes import memory_index
from rag.answer import llm as llm_answer
from rag.check import MOST_UNSUPPORTED, rejection
from rag.check.verify import verify
from rag.index import NewsIndex
from rag.render import REJECTED_TITLE, markdown, plain, rejected_markdown, view
from rag.types import Answer, Citation, Hit, Note

STORM = "A storm killed three people in Poland on Thursday, the fire service said. About 1,200 homes lost power."
HITS = [Hit("storm", "Storm hits Poland", "Wikinews", "", "2019-01-04", STORM, 1.0, 0, len(STORM))]
GOOD = "A storm killed three people in Poland [1]."
BAD = "The storm killed 40 people [1]."  # '40' is not in [1]


def why(text: str) -> str:
    return rejection(verify(text, HITS), text)


# -- the rule ---------------------------------------------------------------------------------
def test_a_cited_supported_answer_passes() -> None:
    assert why(f"{GOOD} About 1,200 homes lost power [1].") == ""


def test_half_unsupported_passes_and_more_than_half_fails() -> None:
    assert MOST_UNSUPPORTED == 0.5
    assert why(f"{GOOD} {BAD}") == ""  # 1 of 2: not more than half
    assert why(f"{GOOD} {BAD} Homes in Berlin lost power [1].") == (
        "2 of 3 sentences were not supported by the sources it cited")


def test_sentences_that_state_no_fact_do_not_dilute_the_share() -> None:
    padded = f"{GOOD} {BAD} Homes in Berlin lost power [1]. The sources don't say why. It is not mentioned who."
    assert why(padded) == "2 of 3 sentences were not supported by the sources it cited"


def test_no_citation_at_all_fails() -> None:
    assert why("A storm killed three people in Poland. Homes lost power.") == (
        "it cites no source for any of its 2 sentences")
    assert why("A storm killed three people in Poland [7].") == "it cites no source"  # [7] points at no passage


def test_echoed_prompt_markup_fails_even_when_cited() -> None:
    echoed = f'<source n="1" outlet="Wikinews">\n{GOOD}\n</source>'
    assert why(echoed) == "it repeats the prompt's <source> markup"


def test_a_refusal_is_no_rejection() -> None:
    assert why("The sources don't say.") == ""  # it becomes an abstention instead


# -- NewsIndex: the plan's answerers without the LLM answer instead ----------------------------
ARTICLES = [
    {"id": "talks-1", "title": "Mayor Solvang speaks on reconstruction", "date": "2021-03-10", "source": "Coast Post",
     "text": "Mayor Ingrid Solvang spoke to reporters about the reconstruction of Lindmark. "
             "\"We will rebuild the fish market stone by stone, and it will be stronger than before,\" Solvang said. "
             "She added that the harbour would reopen within a month."},
    {"id": "ferry-1", "title": "Ferry service to Brannholm resumes", "date": "2021-05-20", "source": "Daily Wire",
     "text": "The ferry service between Lindmark and Brannholm resumed on Friday after the earthquake repairs. "
             "The operator said the crossing takes forty minutes."},
]
SPEC = "openai:fake@http://127.0.0.1:9/v1"


class FakeLLM:
    """A llama-index LLM stand-in that streams the next scripted reply a word at a time."""

    def __init__(self) -> None:
        self.replies: list[str] = []

    def stream_chat(self, chat: list[Any]) -> Iterator[SimpleNamespace]:
        for word in self.replies.pop(0).split(" "):
            yield SimpleNamespace(delta=word + " ")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    tmp = tmp_path_factory.mktemp("rejected")
    (tmp / "a.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    idx = memory_index(tmp)
    assert idx.ingest([tmp / "a.jsonl"], progress=False).ok
    return idx


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, index: NewsIndex) -> FakeLLM:
    llm = FakeLLM()
    index._llms.clear()
    monkeypatch.setattr(llm_answer, "make_llm", lambda spec, settings: llm)
    return llm


def test_a_good_answer_is_shown(index: NewsIndex, fake: FakeLLM) -> None:
    fake.replies.append("The operator said the crossing takes forty minutes [1].")
    answer = index.query("How long does the ferry crossing to Brannholm take?", llm=SPEC)
    assert answer.answerer == SPEC and not answer.rejected and not answer.notice and answer.claims


def test_a_failed_answer_gives_way_to_the_extractive_one(index: NewsIndex, fake: FakeLLM) -> None:
    q = "How long does the ferry crossing to Brannholm take?"
    fake.replies.append("The crossing takes two hours. The ferry is run by the navy.")
    stream = index.query(q, llm=SPEC, stream=True)
    assert "".join(stream).strip() == "The crossing takes two hours. The ferry is run by the navy."
    answer = stream.answer
    assert answer.rejected == "The crossing takes two hours. The ferry is run by the navy."
    assert answer.answerer == "extractive" and "forty minutes" in answer.text
    assert answer.text == index.query(q, llm="extractive").text
    assert [n.kind for n in answer.notes] == ["rejected"]
    assert answer.notice == (f"The LLM's answer ({SPEC}) was not shown: it cites no source for any of its 2 "
                             "sentences. This is the extractive answer.")


def test_for_a_quote_question_the_speakers_quotations_answer_instead(index: NewsIndex, fake: FakeLLM) -> None:
    fake.replies.append("<source n=\"1\">Solvang said nothing.</source>")
    answer = index.query("What did Solvang say about the fish market?", llm=SPEC)
    assert answer.rejected and "stone by stone" in answer.text and answer.answerer == "extractive"
    assert "repeats the prompt's <source> markup" in answer.notice


# -- the Answer and its views -----------------------------------------------------------------
def rejected_answer(llm_text: str) -> Answer:
    cite = Citation(1, "storm", "Storm hits Poland", "Wikinews", "", "2019-01-04", STORM[:72], 0, 72)
    return Answer("How many died?", "A storm killed three people in Poland on Thursday, the fire service said. [1]",
                  [cite], rejected=llm_text,
                  notes=[Note("rejected", "The LLM's answer (openai:x) was not shown: 2 of 2 sentences were not "
                                          "supported by the sources it cited. This is the extractive answer."),
                         Note("widened", "Nothing was published then; searched all dates.")])


def test_notice_and_dict_carry_the_rejection() -> None:
    a = rejected_answer("Forty died [1].")
    assert a.notice.startswith("The LLM's answer (openai:x) was not shown") and "widened" not in a.notice
    d = a.to_dict()
    assert d["rejected"] == "Forty died [1]." and d["notice"] == a.notice
    assert Answer("q", "t").to_dict()["rejected"] == ""


def test_plain_prints_the_notice_first_and_the_llm_text_last() -> None:
    out = plain(view(rejected_answer("Forty died [1].\nThe navy helped.")))
    assert out.startswith("(The LLM's answer (openai:x) was not shown: 2 of 2 sentences")
    assert out.endswith(f"\n\n{REJECTED_TITLE}:\nForty died [1].\nThe navy helped.")
    assert out.index("Sources:") < out.index(REJECTED_TITLE)
    assert REJECTED_TITLE not in plain(view(Answer("q", "t")))


def test_rejected_markdown_is_inert() -> None:
    hostile = '<source n="1"> **PWNED** [click](http://evil.example) <img src=x onerror=alert(1)> [1]'
    v = view(rejected_answer(hostile))
    md = rejected_markdown(v)
    assert "<" not in md.replace("\\<", "") and "](" not in md.replace("\\](", "") and "**" not in md
    assert "http\\://evil.example" in md
    assert rejected_markdown(view(Answer("q", "t"))) == ""
    whole = markdown(v)
    assert whole.endswith(f"**{REJECTED_TITLE}**\n\n{md}") and "was not shown" in whole.split("\n\n")[0]
