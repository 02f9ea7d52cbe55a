"""The Gradio page: `respond` with a fake index (fast), the built Blocks, and one turn on the real stack."""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parents[1]

from rag.errors import EmptyIndexError
from rag.types import Answer, Citation
from ui.app import build_app, chat, respond

CORPUS = ROOT / "corpus"
STATS = {"articles": 2, "chunks": 5, "sources": {"Baonghean.vn": 1, "Reuters": 1},
         "first_date": "2024-02-08", "last_date": "2024-02-09", "model": "fake", "path": "/x"}


def _cite(n: int, quote: str, **kw: object) -> Citation:
    base = dict(article_id=f"a{n}", title=f"Title {n}", source="Baonghean.vn", url=f"https://example.com/{n}",
                published="2024-02-09", quote=quote, start=0, end=len(quote))
    base.update(kw)
    return Citation(n, **base)  # type: ignore[arg-type]


class FakeIndex:
    """Returns one prepared Answer (or raises), and remembers how it was called."""

    def __init__(self, answer: Answer | None = None, error: Exception | None = None) -> None:
        self.answer, self.error, self.calls = answer, error, []

    def query(self, question, history=None, **kw):  # noqa: ANN001, ANN003
        self.calls.append((question, history, kw))
        if self.error:
            raise self.error
        return self.answer

    def stats(self) -> dict:
        return STATS


ANSWER = Answer(
    question="What did Putin say?",
    text="Stop supplying weapons. [1] <script>alert(1)</script> [2]",
    citations=[
        _cite(1, "you need to stop supplying weapons"),
        _cite(2, "<script>alert(1)</script> *bold* [x](javascript:alert(1))", title="Other <b>story</b>",
              source="Reuters", url="javascript:alert(1)"),
    ],
    filters={"since": "2024-01-01", "sources": ("Baonghean.vn",)},
)
ABSTAINED = Answer(
    question="Who won the 1998 World Cup?",
    text="The corpus doesn't say. The closest coverage is listed below; none of it answers the question.",
    abstained=True,
    related=[_cite(1, "The fighting will end in a few weeks")],
)


def test_respond_answer_and_sources() -> None:
    idx = FakeIndex(ANSWER)
    msgs = respond(idx, "What did Putin say?", [], since="2024-01-01", sources=["Baonghean.vn"])
    assert len(msgs) == 2
    text, box = msgs[0]["content"], msgs[1]
    assert "[1]" in text and "[2]" in text and "Stop supplying weapons" in text
    assert "2024-01-01" in text and "Baonghean.vn" in text  # the filters applied are shown
    assert box["metadata"]["title"] == "Sources"
    src = box["content"]
    assert "> you need to stop supplying weapons" in src
    assert "Title 1 — Baonghean.vn, 2024-02-09" in src and "https://example.com/1" in src
    for m in msgs:  # article text is inert: no raw HTML, no javascript: link, no emphasis
        assert "<script>" not in m["content"] and "<b>" not in m["content"]
        assert not re.search(r"(?<!\\)\]\(<?javascript:", m["content"])  # an unescaped link to it
    assert "\\*bold\\*" in src
    assert idx.calls == [("What did Putin say?", [], {"since": "2024-01-01", "until": None,
                                                      "sources": ("Baonghean.vn",)})]


def test_respond_abstained() -> None:
    msgs = respond(FakeIndex(ABSTAINED), "Who won the 1998 World Cup?", [])
    assert msgs[0]["content"].startswith("**No cited answer.**")
    assert "The corpus doesn't say." in msgs[0]["content"]
    assert msgs[1]["metadata"]["title"] == "Related coverage"
    assert "The fighting will end in a few weeks" in msgs[1]["content"]


def test_respond_errors_are_chat_messages() -> None:
    msgs = respond(FakeIndex(error=EmptyIndexError("/x")), "Anything?", [])
    assert len(msgs) == 1 and msgs[0]["role"] == "assistant"
    assert "The index at /x is empty" in msgs[0]["content"] and "Traceback" not in msgs[0]["content"]

    msgs = respond(FakeIndex(error=KeyError("boom")), "Anything?", [])
    assert "Something went wrong (KeyError)" in msgs[0]["content"]

    idx = FakeIndex(ANSWER)
    msgs = respond(idx, "Anything?", [], since="last week")
    assert "Since must be a date like 2020-03-01" in msgs[0]["content"] and not idx.calls


def test_chat_streams_and_keeps_history_per_call() -> None:
    idx = FakeIndex(ANSWER)
    earlier = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    steps = list(chat(idx, "What did Putin say?", earlier))
    assert [len(h) for _, h in steps] == [4, 4, 5]
    assert steps[0][1][-1]["content"].startswith("Searching")
    assert all(box == "" for box, _ in steps)
    assert idx.calls[0][1] == earlier  # the history before this turn, unchanged
    assert len(earlier) == 2


def test_build_app_without_launching() -> None:
    import gradio as gr

    app = build_app(FakeIndex(ANSWER))
    assert isinstance(app, gr.Blocks)
    names = {fn.api_name for fn in app.fns.values()}
    assert "ask" in names


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from rag.config import Settings
    from rag.index import NewsIndex

    tmp = tmp_path_factory.mktemp("ui_index")
    idx = NewsIndex(tmp / "index", Settings(home=tmp))
    report = idx.ingest([CORPUS], progress=False)
    assert report.ok and report.added >= 1, report.summary()
    return idx


def _handler(app):  # noqa: ANN001, ANN202
    return next(fn.fn for fn in app.fns.values() if fn.api_name == "ask")


def test_real_stack_turn(real_index) -> None:  # noqa: ANN001
    app = build_app(real_index)
    *_, (box, history) = _handler(app)("What did Putin say about weapons supply?", [], "", "", [])
    answer, sources = history[-2], history[-1]
    assert box == "" and history[0] == {"role": "user", "content": "What did Putin say about weapons supply?"}
    assert "stop supplying weapons" in answer["content"] and "[1]" in answer["content"]
    assert sources["metadata"]["title"] == "Sources" and "Baonghean.vn" in sources["content"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _content(message: dict) -> str:
    """A served message's text: Gradio sends content back as a list of parts."""
    content = message["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:gradio.queueing")
def test_served_page_answers_a_client(real_index) -> None:  # noqa: ANN001
    from gradio_client import Client

    from ui.app import serve

    app = serve(real_index, port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(app.local_url, verbose=False, download_files=False)
        box, history = client.predict("Who signed in Istanbul?", [], "", "", [], api_name="/ask")
        assert box == "" and len(history) == 3
        assert history[-1]["metadata"]["title"] == "Sources" and "Arakhamia" in _content(history[-2])
        # the history comes back with its source box; a follow-up still works
        _, history = client.predict("What did he say about weapons?", history, "", "", [], api_name="/ask")
        assert len(history) == 6 and "[1]" in _content(history[-2])
    finally:
        app.close()
