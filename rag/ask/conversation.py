"""Follow-up questions without an LLM: decide whether a turn leans on the conversation, and if
so search with the earlier user turns too.

History is a list of {"role", "content"} messages, the shape Gradio uses. Assistant turns (with
their source boxes and [n] markers) are not searched: they are our own quotes, and the user's
words say what the conversation is about. But an assistant turn may say which articles it cited
(`"article_ids": [...]`, as `Answer.history_message()` writes it): a follow-up then leans on
those articles too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..text import tokenize

Message = dict[str, Any]

_LEANS = re.compile(
    r"\b(?:he|she|it|they|him|her|his|hers|its|their|them|this|that|these|those|there|then|the same)\b"
    r"|^\s*(?:and|but|so|also|what about|how about)\b",
    re.I,
)
_MARKER = re.compile(r"\s*\[\d+\]")
CONTEXT_TURNS = 2


def message_text(message: Message) -> str:
    """The plain text of a message; Gradio may give content as a list of parts."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(message_text({"content": p}) for p in content)
    return str(content)


def user_turns(history: Sequence[Message] | None) -> list[str]:
    """The user's earlier questions, oldest first, without our [n] markers."""
    turns = []
    for m in history or ():
        if m.get("role") == "user" and not (m.get("metadata") or {}).get("title"):
            text = _MARKER.sub("", message_text(m)).strip()
            if text:
                turns.append(text)
    return turns


_NAME = re.compile(r"(?<!^)\b[A-Z0-9][\w'’-]*")  # a name or number after the first word


def is_followup(question: str) -> bool:
    """True when the question leans on earlier turns: a pronoun or 'and ...', or a short question
    that names nothing ("How many people died?")."""
    if _LEANS.search(question):
        return True
    return len(tokenize(question)) < 5 and not _NAME.search(question.strip())


def context_for(question: str, history: Sequence[Message] | None) -> str:
    """The earlier user turns a follow-up needs ('' for a standalone question)."""
    turns = user_turns(history)
    if not turns or not is_followup(question):
        return ""
    return " ".join(turns[-CONTEXT_TURNS:])


def cited_articles(history: Sequence[Message] | None) -> tuple[str, ...]:
    """The articles the last answer in `history` cited, when its message says ('article_ids')."""
    for m in reversed(list(history or ())):
        if m.get("role") != "assistant" or (m.get("metadata") or {}).get("title"):
            continue
        ids = m.get("article_ids")
        if isinstance(ids, (list, tuple)):
            return tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and i))[:10]
        return ()
    return ()


def said_before(history: Sequence[Message] | None) -> str:
    """What the last answer in `history` said, without its [n] markers ('' when there is none): a
    follow-up asks for something new, so its answer doesn't quote the same sentences again."""
    for m in reversed(list(history or ())):
        if m.get("role") == "assistant" and not (m.get("metadata") or {}).get("title"):
            return " ".join(_MARKER.sub(" ", message_text(m)).split())
    return ""


def search_query(question: str, history: Sequence[Message] | None) -> str:
    """What to search for: the question, preceded by the context it leans on."""
    context = context_for(question, history)
    return f"{context} {question}".strip()
