"""`newsrag chat`: the conversation loop of rag/chat.py over the seed index with StringIO streams,
and once as the installed console script in a pseudo-terminal (readline, prompt, exit code)."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS
from rag.chat import Chat, run
from rag.errors import ConfigError

PUTIN_Q = "What did Putin say about weapons supply?"
FOLLOW_UP = "What did he say about NATO?"
# what the follow-up searches: the first question, the name the first answer gave ("Vladimir Putin said: ..."), itself
SEARCHED = f"{PUTIN_Q} Vladimir Putin {FOLLOW_UP}"
TITLE = "President Putin wants to reach a solution to the Ukraine conflict through negotiations"
SCRIPT = Path(sys.executable).with_name("newsrag")


def chat_over(index, **options) -> tuple[Chat, io.StringIO]:  # noqa: ANN001, ANN003
    out = io.StringIO()
    return Chat(index, out, **options), out


def said(out: io.StringIO, chat: Chat, line: str) -> str:
    """What the chat writes for one typed line."""
    start = len(out.getvalue())
    assert chat.handle(line) is True
    return out.getvalue()[start:]


# --- the conversation ------------------------------------------------------------------------------
def test_a_follow_up_is_asked_with_the_conversation_as_history(seed_index) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index)
    first = said(out, chat, PUTIN_Q)
    assert "stop supplying weapons" in first and "[1]" in first
    assert f"Sources (/sources for quotes and links):\n[1] {TITLE} — Baonghean.vn\n" in first
    assert chat.history == [{"role": "user", "content": PUTIN_Q}, chat.last.history_message()]

    second = said(out, chat, FOLLOW_UP)
    assert chat.last.search_query == SEARCHED  # it leaned on the first question and answer
    assert f"(searched for: {SEARCHED})" in second
    assert len(chat.history) == 4 and chat.history[2] == {"role": "user", "content": FOLLOW_UP}

    alone, _ = chat_over(seed_index)  # the same words in a new conversation have nothing to lean on
    alone.handle(FOLLOW_UP)
    assert alone.last.search_query == FOLLOW_UP


def test_sources_prints_each_source_in_full(seed_index) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index)
    assert said(out, chat, "/sources") == "No answer yet: ask a question first, then /sources shows where it comes from.\n"
    said(out, chat, PUTIN_Q)
    c = chat.last.citations[0]
    assert said(out, chat, "/sources") == f"Sources:\n[1] {c.title} — {c.source}\n    “{c.quote}”\n"


def test_since_filters_the_next_answers_until_cleared(seed_index) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index)
    assert said(out, chat, "/since 2024-01-01") == "Filters: since 2024-01-01\n"
    assert chat.prompt() == "newsrag [since 2024-01-01]> "
    text = said(out, chat, PUTIN_Q)  # the one article is undated: outside every window
    assert chat.last.filters["since"] == "2024-01-01"
    assert chat.last.abstained and not chat.last.citations
    assert text.startswith("No cited answer.") and "(published 2024-01-01 to …)" in text

    assert said(out, chat, "/since") == "Filters: none (searching everything)\n"
    assert chat.prompt() == "newsrag> "
    said(out, chat, PUTIN_Q)
    assert "since" not in chat.last.filters and chat.last.citations


def test_outlet_matches_the_index_spelling_and_refuses_unknown_ones(seed_index) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index)
    assert said(out, chat, "/outlet baonghean.VN") == "Filters: outlet Baonghean.vn\n"
    assert said(out, chat, "/outlet The Daily Nowhere") == (
        "No outlet 'The Daily Nowhere' in this index: type /outlet with one of Baonghean.vn.\n")
    assert chat.sources == ["Baonghean.vn"]
    said(out, chat, PUTIN_Q)
    assert list(chat.last.filters["sources"]) == ["Baonghean.vn"] and chat.last.citations
    assert said(out, chat, "/outlet") == "Filters: none (searching everything)\n"


@pytest.mark.parametrize("line, message", [
    ("/since yesterday", "'yesterday' is not a date: type /since YYYY-MM-DD (e.g. /since 2021-02-01), "
                         "or /since alone to clear it.\n"),
    ("/until 2021-02-30", "'2021-02-30' is not a date: type /until YYYY-MM-DD (e.g. /until 2021-02-01), "
                          "or /until alone to clear it.\n"),
    ("/frobnicate now", "Unknown command /frobnicate: type /help for the commands, or a question without a leading /.\n"),
])
def test_a_bad_date_or_command_is_one_line_saying_what_to_type(seed_index, line: str, message: str) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index, until="2030-01-01")
    assert said(out, chat, line) == message
    assert (chat.since, chat.until) == (None, "2030-01-01")  # nothing changed


def test_clear_forgets_the_conversation_and_the_filters(seed_index) -> None:  # noqa: ANN001
    chat, out = chat_over(seed_index, since="2020-01-01", sources=["Baonghean.vn"])
    said(out, chat, "/since")
    said(out, chat, PUTIN_Q)
    assert chat.history and chat.last is not None
    assert said(out, chat, "/clear") == "Conversation and filters cleared.\n"
    assert chat.history == [] and chat.last is None and chat.filters() == ""
    said(out, chat, FOLLOW_UP)
    assert chat.last.search_query == FOLLOW_UP  # nothing left to lean on
    assert "sources" not in chat.last.filters


def test_bad_starting_options_are_config_errors(seed_index) -> None:  # noqa: ANN001
    with pytest.raises(ConfigError, match="since='last week' is not a date; give it as YYYY-MM-DD"):
        Chat(seed_index, io.StringIO(), since="last week")
    with pytest.raises(ConfigError, match="k must be a whole number"):
        Chat(seed_index, io.StringIO(), k=0)


# --- the loop ---------------------------------------------------------------------------------------
def test_the_loop_reads_lines_until_quit_and_exits_0(seed_index) -> None:  # noqa: ANN001
    out = io.StringIO()
    lines = f"\n{PUTIN_Q}\n   \n/help\n/quit\n{FOLLOW_UP}\n"
    assert run(seed_index, io.StringIO(lines), out) == 0
    text = out.getvalue()
    assert text.count("Sources (/sources") == 1  # the line after /quit was never asked
    assert "/outlet NAME" in text and "newsrag> " not in text  # no prompts when not at a terminal


def test_end_of_input_exits_0(seed_index) -> None:  # noqa: ANN001
    out = io.StringIO()
    assert run(seed_index, io.StringIO("/since 2021-01-01\n"), out) == 0
    assert out.getvalue() == "Filters: since 2021-01-01\n"


def with_llm(seed_index, url: str):  # noqa: ANN001, ANN201
    """The seed index (same store and encoder) answering with the scripted LLM at `url`."""
    from rag.index import NewsIndex

    settings = seed_index.settings.replace(llm=f"openai:scripted@{url}/v1")
    return NewsIndex(seed_index.path, settings, store=seed_index.store, embedder=seed_index.embedder)


def test_an_error_is_printed_and_the_loop_goes_on(seed_index) -> None:  # noqa: ANN001
    from scripted_llm import ScriptedLLM

    with ScriptedLLM() as gone:
        url = gone.url
    out = io.StringIO()
    assert run(with_llm(seed_index, url), io.StringIO(f"{PUTIN_Q}\n/since 2021-01-01\n"), out) == 0
    error, filters = out.getvalue().splitlines()
    assert error.startswith(f"error: Cannot reach the LLM server at {url}/v1")
    assert filters == "Filters: since 2021-01-01"


def test_ctrl_c_during_an_answer_cancels_only_that_answer(seed_index, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    def interrupted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    chat, out = chat_over(seed_index)
    monkeypatch.setattr(seed_index, "query", interrupted)
    assert said(out, chat, PUTIN_Q) == "\n(answer cancelled)\n"
    assert chat.history == [] and chat.last is None


def test_a_generated_answer_streams_then_prints_the_verified_one(seed_index) -> None:  # noqa: ANN001
    from scripted_llm import ScriptedLLM

    with ScriptedLLM() as server:
        server.replies.append("Putin said the fighting would end in a few weeks [1].")
        index = with_llm(seed_index, server.url)
        chat, out = chat_over(index, live=True)
        text = said(out, chat, PUTIN_Q)
    streamed, verified = text.split("\n\nVerified:\n")
    assert streamed == "Putin said the fighting would end in a few weeks [1]."
    assert verified.startswith(chat.last.text) and chat.last.answerer.startswith("openai:scripted@")
    assert f"[1] {TITLE} — Baonghean.vn" in verified


# --- the console script in a pseudo-terminal ------------------------------------------------------------
class Terminal:
    """A process with a pty as its stdin, stdout and stderr; `expect()` reads what it shows."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.fd, slave = os.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                                     start_new_session=True)
        os.close(slave)
        self.raw = b""  # everything the process wrote
        self.at = 0  # how much of it `expect` has returned

    def shown(self) -> str:
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, text: str, timeout: float) -> str:
        """What the process wrote since the last expect, up to and including `text`."""
        deadline = time.monotonic() + timeout
        needle = text.encode("utf-8")
        while needle not in self.raw[self.at:]:
            ready, _, _ = select.select([self.fd], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise AssertionError(f"no {text!r} within {timeout} s; the terminal shows:\n{self.shown()}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # EIO: the process has closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the process ended before {text!r}; the terminal shows:\n{self.shown()}")
            self.raw += chunk
        end = self.raw.index(needle, self.at) + len(needle)
        got, self.at = self.raw[self.at:end], end
        return got.decode("utf-8").replace("\r\n", "\n")

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode("utf-8") + b"\r")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        os.close(self.fd)


@pytest.mark.skipif(not SCRIPT.exists() or sys.platform == "win32", reason="needs the installed script and a pty")
def test_newsrag_chat_in_a_terminal(tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.index import NewsIndex

    report = NewsIndex(tmp_path / "index", Settings(home=tmp_path)).ingest([CORPUS], progress=False)
    assert report.ok and report.added == 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOME=str(tmp_path), HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8", TERM="dumb")
    term = Terminal([str(SCRIPT), "chat"], env, tmp_path)
    try:
        intro = term.expect("newsrag> ", timeout=180)  # a cold start: the encoder loads
        assert f"Questions about the news in {tmp_path / 'index'}." in intro
        term.type(PUTIN_Q)
        first = term.expect("newsrag> ", timeout=120)
        assert "stop supplying weapons" in first and "[1]" in first
        assert f"[1] {TITLE} — Baonghean.vn" in first

        term.type(FOLLOW_UP)
        second = term.expect("newsrag> ", timeout=120)
        assert f"(searched for: {SEARCHED})" in second

        term.type("/sources")
        sources = term.expect("newsrag> ", timeout=60)
        assert f"Sources:\n[1] {TITLE} — Baonghean.vn\n    “" in sources

        term.type("/quit")
        assert term.proc.wait(timeout=60) == 0
    finally:
        term.close()
    assert "Traceback" not in term.shown()
    history = (tmp_path / "chat_history").read_text(encoding="utf-8").splitlines()
    assert history == [PUTIN_Q, FOLLOW_UP, "/sources", "/quit"]  # readline kept the lines for next time
