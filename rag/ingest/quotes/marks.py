"""Quotation marks: pairing them within a paragraph into quotations."""

from __future__ import annotations

from .parts import Raw
from .words import CLOSERS, MARK, OPENERS


def find_quotes(text: str, lo: int, hi: int, carried: bool) -> list[Raw]:
    """Pair the double marks of one paragraph [lo, hi)."""
    out: list[Raw] = []
    open_at: int | None = None
    first = True
    for m in MARK.finditer(text, lo, hi):
        i, ch = m.start(), m.group()
        prev = text[i - 1] if i > lo else ""
        nxt = text[i + 1] if i + 1 < hi else ""
        can_open = ch != "”" and (prev == "" or prev.isspace() or prev in OPENERS) and nxt != "" and not nxt.isspace()
        can_close = ch != "“" and prev != "" and not prev.isspace() and (nxt == "" or nxt.isspace() or nxt in CLOSERS)
        if ch == "“":
            can_open, can_close = True, False
        elif ch == "”":
            can_open, can_close = False, True
        either = can_open == can_close
        if open_at is None:
            if can_open or either:
                open_at = i
            elif first and carried:  # the end of a quotation the previous paragraph left open
                start = lo + len(text[lo:i]) - len(text[lo:i].lstrip())
                add_quote(out, text, start, i, start, i, continues=True)
        elif can_close or either:
            add_quote(out, text, open_at, i, open_at + 1, i)
            open_at = None
        else:  # a second opening mark: the first one was stray
            open_at = i
        first = False
    if open_at is not None:
        add_quote(out, text, open_at, hi, open_at + 1, hi, unclosed=True)
    return out


def add_quote(out: list[Raw], text: str, open_: int, close: int, s: int, e: int, **kw: bool) -> None:
    """The words between the marks, without surrounding spaces or the comma before the closing mark."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    if e > s:
        out.append(Raw(open_, close, s, e, **kw))
