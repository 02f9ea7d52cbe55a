"""Passages with their context: each retrieved chunk is handed to the answerer (and an LLM's
prompt) with the whole sentences around it in its article, at most `pad` characters a side;
windows of one article that meet are merged into one passage, at the rank of the first.

Chunks stay the size the encoder reads well (rag/ingest/chunking.py); what a reader needs next to
the sentence that matched (the name, the place, the number one sentence on) comes from here.

    widen(hits, {article_id: text}, pad=200)   # the same hits, each a wider span of its article
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..config import DEFAULT_CONTEXT_PAD
from ..types import Hit

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+|\n+")  # where a sentence ends and the next begins


def _start(text: str, lo: int, start: int) -> int:
    """The earliest sentence start in [lo, start] (`start` when none is)."""
    if lo <= 0:
        return 0
    m = _BOUNDARY.search(text, lo, start)
    return m.end() if m else start


def _end(text: str, end: int, hi: int) -> int:
    """The end of the last whole sentence in [end, hi] (`end` when none is)."""
    if hi >= len(text):
        return len(text)
    last = end
    for m in _BOUNDARY.finditer(text, end, hi):
        last = m.start()
    return last


def widen(hits: Sequence[Hit], texts: Mapping[str, str], pad: int = DEFAULT_CONTEXT_PAD) -> list[Hit]:
    """`hits`, each extended to whole sentences up to `pad` characters on each side within its
    article's text (`texts[article_id]`), overlapping or touching windows of one article merged;
    a hit whose offsets don't hold its text in the article is kept as it is."""
    if pad <= 0:
        return list(hits)
    out: list[Hit] = []
    for h in hits:
        text = texts.get(h.article_id)
        if not text or text[h.start:h.end] != h.text:
            out.append(h)
            continue
        lo = _start(text, h.start - pad, h.start)
        hi = _end(text, h.end, h.end + pad)
        for i, o in enumerate(out):
            if o.article_id == h.article_id and lo <= o.end and hi >= o.start:
                lo, hi = min(lo, o.start), max(hi, o.end)
                out[i] = replace(o, text=text[lo:hi], start=lo, end=hi)
                break
        else:
            out.append(replace(h, text=text[lo:hi], start=lo, end=hi))
    return out
