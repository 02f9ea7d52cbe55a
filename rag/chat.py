"""`newsrag chat`: a conversation with the index in the terminal.

    chat = Chat(index, sys.stdout, since="2021-01-01")
    chat.handle("Who signed in Istanbul?")       # prints the answer; True until /quit
    chat.handle("What did he say about NATO?")   # a follow-up: the turns so far are its history
    run(index, sys.stdin, sys.stdout)            # the loop `newsrag chat` runs; its exit code

Every question goes to `NewsIndex.query` with the conversation so far as `history` ({"role",
"content"} messages, `Answer.history_message()` for our turns). Lines that start with "/" are
commands (HELP lists them). At a terminal, the standard library's readline gives line editing and
a history kept in RAG_HOME/chat_history.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .ask.conversation import Message
from .errors import ConfigError, RagError
from .render import AnswerView, plain, view

if TYPE_CHECKING:
    from .index import NewsIndex
    from .types import Answer

log = logging.getLogger(__name__)

HISTORY_FILE = "chat_history"  # under Settings.home
HISTORY_LENGTH = 1000  # lines readline keeps
HELP = """\
Type a question; a follow-up ("What did he say about NATO?") leans on the questions before it.
  /sources        the last answer's sources in full: quotes and links
  /since DATE     only articles published on or after DATE (YYYY-MM-DD); /since alone clears it
  /until DATE     only articles published on or before DATE; /until alone clears it
  /outlet NAME    only this outlet (repeat to add more); /outlet alone clears them
  /clear          forget the conversation and the filters
  /help           this list
  /quit           leave (or Ctrl-D; Ctrl-C stops an answer, or leaves at an empty prompt)"""

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str) -> str | None:
    """`value` if it is a real YYYY-MM-DD date, else None."""
    if not _ISO_DAY.fullmatch(value):
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return None
    return value


class Chat:
    """One conversation: its turns, its filters and its last answer. `handle()` takes one line
    the user typed and writes what it gets to `out`."""

    def __init__(
        self, index: NewsIndex, out: TextIO, *, k: int | None = None, since: str | None = None,
        until: str | None = None, sources: Sequence[str] = (), as_of: str | None = None,
        live: bool | None = None,
    ) -> None:
        """`k`, `as_of` and the starting filters are those of `NewsIndex.query`. `live` prints a
        generated answer as it is written (default: when an LLM answers and `out` is a terminal)."""
        for name, value in (("since", since), ("until", until), ("as_of", as_of)):
            if value and not _day(value):
                raise ConfigError(f"{name}={value!r} is not a date; give it as YYYY-MM-DD.")
        if k is not None:
            from .index import check_k

            check_k(k)
        self.index, self.out, self.k, self.as_of = index, out, k, as_of
        self.since, self.until, self.sources = since, until, list(sources)
        self.history: list[Message] = []
        self.last: Answer | None = None
        self.live = bool(index.settings.llm) and out.isatty() if live is None else live

    def filters(self) -> str:
        """The active filters in words ('' when there are none)."""
        parts = [f"since {self.since}" if self.since else "", f"until {self.until}" if self.until else "",
                 ("outlets " if len(self.sources) > 1 else "outlet ") + ", ".join(self.sources) if self.sources else ""]
        return "; ".join(p for p in parts if p)

    def prompt(self) -> str:
        """What the input line starts with: the active filters, then '> '."""
        return f"newsrag [{self.filters()}]> " if self.filters() else "newsrag> "

    def handle(self, line: str) -> bool:
        """Answer a question or run a /command; False once the user asked to quit."""
        line = line.strip()
        if line.startswith("/"):
            return self.command(line)
        if line:
            self.ask(line)
        return True

    def ask(self, question: str) -> None:
        """Answer `question` in the conversation so far and remember both turns. A RagError is
        one line saying what went wrong; Ctrl-C drops the answer and the question."""
        try:
            answers = self.index.query(question, self.history, k=self.k, since=self.since, until=self.until,
                                       sources=self.sources, as_of=self.as_of, stream=True)
            if self.live:  # show the generation as it comes; the verified text follows it
                for delta in answers:
                    self._write(delta)
                self._write("\n\nVerified:\n")
            answer = answers.answer
        except RagError as exc:
            self._say(f"error: {exc}")
            return
        except KeyboardInterrupt:
            self._say("\n(answer cancelled)")
            return
        self.history += [{"role": "user", "content": question}, answer.history_message()]
        self.last = answer
        v = view(answer, as_of=self.as_of)
        text = plain(replace(v, sources=[]))
        heads = [line for line in self._sources_text(v).splitlines()[1:] if not line.startswith(" ")]
        if heads:  # one line a source; /sources adds each one's link and quote
            text += f"\n\n{v.sources_title} (/sources for quotes and links):\n" + "\n".join(heads)
        self._say(text + "\n")

    def command(self, line: str) -> bool:
        """Run one /command; False for /quit."""
        name, _, arg = line.partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("/quit", "/exit"):
            return False
        if name == "/help":
            self._say(HELP)
        elif name == "/sources":
            self._show_sources()
        elif name in ("/since", "/until"):
            self._set_day(name[1:], arg)
        elif name == "/outlet":
            self._add_outlet(arg)
        elif name == "/clear":
            self.history, self.last = [], None
            self.since = self.until = None
            self.sources = []
            self._say("Conversation and filters cleared.")
        else:
            self._say(f"Unknown command {name}: type /help for the commands, or a question without a leading /.")
        return True

    def _show_sources(self) -> None:
        if self.last is None:
            self._say("No answer yet: ask a question first, then /sources shows where it comes from.")
            return
        v = view(self.last, as_of=self.as_of)
        self._say(self._sources_text(v) if v.sources else "The last answer has no sources.")

    @staticmethod
    def _sources_text(v: AnswerView) -> str:
        """The sources part of `plain(v)`: a title line, then each source with its link and quote."""
        return plain(AnswerView(sources_title=v.sources_title, sources=v.sources)).lstrip("\n") if v.sources else ""

    def _set_day(self, name: str, arg: str) -> None:
        if arg and not _day(arg):
            self._say(f"{arg!r} is not a date: type /{name} YYYY-MM-DD (e.g. /{name} 2021-02-01), "
                      f"or /{name} alone to clear it.")
            return
        setattr(self, name, arg or None)
        self._say_filters()

    def _add_outlet(self, name: str) -> None:
        if not name:
            self.sources = []
            self._say_filters()
            return
        known = list(self.index.stats().sources)
        match = next((s for s in known if s == name), None) or next((s for s in known if s.lower() == name.lower()), None)
        if match is None:
            self._say(f"No outlet {name!r} in this index: type /outlet with one of " + (", ".join(known) or "(none)") + ".")
            return
        if match not in self.sources:
            self.sources.append(match)
        self._say_filters()

    def _say_filters(self) -> None:
        self._say(f"Filters: {self.filters() or 'none (searching everything)'}")

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _say(self, text: str) -> None:
        self._write(text + "\n")


def run(index: NewsIndex, stdin: TextIO, stdout: TextIO, **options: Any) -> int:
    """The chat loop over `index`: read lines from `stdin` until /quit or end of input, answers to
    `stdout`; `options` are Chat's. Returns the exit code (0). When `stdin` is the terminal,
    lines are read with readline's editing and history (RAG_HOME/chat_history)."""
    chat = Chat(index, stdout, **options)
    interactive = stdin is sys.stdin and stdin.isatty()
    save_history = _line_editing(index.settings.home / HISTORY_FILE) if interactive else None
    if interactive:
        chat._say(f"Questions about the news in {index.path}. /help lists the commands; /quit or Ctrl-D leaves.")
    try:
        while True:
            try:
                line = input(chat.prompt()) if interactive else stdin.readline() or None
            except EOFError:
                line = None
            except KeyboardInterrupt:  # Ctrl-C: drops a half-typed line, leaves at an empty one
                stdout.write("\n")
                if _typed():
                    continue
                return 0
            if line is None:
                if interactive:
                    stdout.write("\n")
                return 0
            if not chat.handle(line):
                return 0
    finally:
        if save_history is not None:
            save_history()


def _line_editing(path: Path) -> Callable[[], None]:
    """Turn on readline's line editing for input(), with the history kept at `path`; returns the
    function that saves it. Without readline (Windows) lines are read as they come."""
    try:
        import readline
    except ImportError:
        return lambda: None
    readline.clear_history()
    try:
        readline.read_history_file(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not read the chat history %s (%s); starting without it", path, exc)
    readline.set_history_length(HISTORY_LENGTH)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError as exc:
            log.warning("could not save the chat history to %s (%s)", path, exc)

    return save


def _typed() -> bool:
    """Whether the input line held text when Ctrl-C was pressed (readline still has it)."""
    try:
        import readline
    except ImportError:
        return False
    return bool(readline.get_line_buffer().strip())
