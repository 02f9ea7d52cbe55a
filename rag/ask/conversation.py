"""Follow-up questions without an LLM: decide whether a turn leans on the conversation, and if
so search with the earlier user turns too.

History is a list of {"role", "content"} messages, the shape Gradio uses. Of the assistant turns
(our own quotes, with source boxes and [n] markers) only the names the last answer's first
statement gave are searched ("Which voice actress ...?" answered "Lauren Landa said ...", then
"Which show did she ...?": she is Lauren Landa); the user's words say what the conversation is
about. An assistant turn may also say which articles it cited (`"article_ids": [...]`, as
`Answer.history_message()` writes it): a follow-up then leans on those articles too. A follow-up
is a question with a pronoun, one that refers back ("in response", "as well", "the other"), or a
short one that names nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..text import full_names, tokenize

Message = dict[str, Any]

_LEANS = re.compile(
    r"\b(?:he|she|it|they|him|her|his|hers|its|their|them|this|that|these|those|there|then|the same)\b"
    r"|\b(?:in (?:response|reply|return)|afterwards|as well|too|also|instead|either|the other|meanwhile)\b"
    r"|^\s*(?:and|but|so|also|what about|how about)\b",
    re.I,
)
_MARKER = re.compile(r"\s*\[\d+\]")
_FIRST = re.compile(r"\s*\[1\]")
CONTEXT_TURNS = 2
NAMES = 4  # names of the last answer a follow-up's context carries


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
    """The earlier user turns a follow-up needs ('' for a standalone question), and the names the
    last answer gave ("Which voice actress ...?" answered "Lauren Landa ...": "she" is Lauren Landa)."""
    turns = user_turns(history)
    if not turns or not is_followup(question):
        return ""
    asked = " ".join(turns[-CONTEXT_TURNS:])
    named = [n for n in (" ".join(words) for words in full_names(first_said(history))) if n not in asked]
    return " ".join([asked, *named[:NAMES]])


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


def _last_answer(history: Sequence[Message] | None) -> str:
    """The text of the last assistant message that is an answer (not a source box), or ''."""
    for m in reversed(list(history or ())):
        if m.get("role") == "assistant" and not (m.get("metadata") or {}).get("title"):
            return message_text(m)
    return ""


def first_said(history: Sequence[Message] | None) -> str:
    """The last answer's first cited statement (what it answered with; the rest is support)."""
    return _FIRST.split(_last_answer(history), maxsplit=1)[0]


def said_before(history: Sequence[Message] | None) -> str:
    """What the last answer in `history` said, without its [n] markers ('' when there is none): a
    follow-up asks for something new, so its answer doesn't quote the same sentences again."""
    return " ".join(_MARKER.sub(" ", _last_answer(history)).split())


def search_query(question: str, history: Sequence[Message] | None) -> str:
    """What to search for: the question, preceded by the context it leans on."""
    context = context_for(question, history)
    return f"{context} {question}".strip()
