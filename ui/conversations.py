"""Conversations kept in the reader's browser (a gr.BrowserState): the last used first, each
{"title", "messages"}, the messages as the chat shows them. Pure functions over that list, so
the page's handlers stay one line each.
"""

from __future__ import annotations

from typing import Any

MAX_CONVERSATIONS = 30  # kept per browser (localStorage holds a few MB)
TITLE_CHARS = 60

Message = dict[str, Any]
Saved = list[dict[str, Any]]


def _valid(saved: Any) -> Saved:
    """The saved list as the browser sent it, reduced to well-formed conversations."""
    if not isinstance(saved, list):
        return []
    return [c for c in saved if isinstance(c, dict) and isinstance(c.get("messages"), list)]


def title(messages: list[Message]) -> str:
    """A conversation's name: its first question, cut at a word."""
    first = next((m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"), "")
    text = " ".join(first.split()) if isinstance(first, str) else ""
    if len(text) > TITLE_CHARS:
        text = text[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return text or "(empty)"


def save(current: int | None, messages: list[Message], saved: Any) -> tuple[int | None, Saved]:
    """Store `messages` as conversation `current` (a new one when None), moved to the top of the
    list: the last one used comes first, and is the one a reload opens. An empty conversation
    isn't stored."""
    saved = _valid(saved)
    if not messages:
        return current, saved
    if current is not None and 0 <= current < len(saved):
        saved.pop(current)
    return 0, ([{"title": title(messages), "messages": list(messages)}] + saved)[:MAX_CONVERSATIONS]


def delete(current: int | None, saved: Any) -> tuple[None, Saved]:
    """Forget conversation `current` (nothing when None)."""
    saved = _valid(saved)
    if current is not None and 0 <= current < len(saved):
        saved.pop(current)
    return None, saved


def titles(saved: Any) -> list[list[str]]:
    """The list the page shows: one row per conversation."""
    return [[c.get("title") or title(c["messages"])] for c in _valid(saved)]


def load(i: int | None, saved: Any) -> tuple[int | None, list[Message]]:
    """Conversation `i`'s messages (and `i`), or a fresh one when there is no such conversation."""
    saved = _valid(saved)
    if i is None or not 0 <= i < len(saved):
        return None, []
    return i, list(saved[i]["messages"])
