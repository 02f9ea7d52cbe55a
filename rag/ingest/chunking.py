"""Article -> sentence-aligned chunks with exact character offsets (pure: no I/O, no model).

Sentences come from `rag.text.sentence_spans`. Chunks are runs of whole sentences that fit the embedding model's window (title included,
because the title is embedded with every chunk); consecutive chunks share `overlap` sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..text import sentence_spans
from ..types import Article, Chunk

DEFAULT_CHUNK_TOKENS = 200  # of the packaged MiniLM's 256-piece window, leaving room for the title
DEFAULT_OVERLAP = 1

TokenCounter = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """A cheap word-piece estimate (about 1.3 pieces per word) when no tokenizer is at hand."""
    return int(len(text.split()) * 1.3) + 1


def chunk_article(
    article: Article,
    max_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
    count_tokens: TokenCounter = estimate_tokens,
) -> list[Chunk]:
    """Split `article.text` into chunks of whole sentences; `text[start:end] == chunk.text`."""
    text = article.text
    budget = max(16, max_tokens - count_tokens(article.title))
    pieces: list[tuple[int, int, int]] = []  # (start, end, tokens) of sentences, long ones split
    for s, e in sentence_spans(text):
        pieces.extend(_fit(text, s, e, budget, count_tokens))

    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, used = i, 0
        while j < len(pieces) and (j == i or used + pieces[j][2] <= budget):
            used += pieces[j][2]
            j += 1
        start, end = pieces[i][0], pieces[j - 1][1]
        chunks.append(Chunk(article.id, len(chunks), start, end, text[start:end]))
        if j >= len(pieces):
            break
        i = max(i + 1, j - overlap)
    return chunks


def _fit(text: str, start: int, end: int, budget: int, count: TokenCounter) -> list[tuple[int, int, int]]:
    """One sentence as (start, end, tokens), cut at word boundaries if it alone exceeds the budget.
    Words are counted one by one: their cost varies a lot (a Hindi word can be ten pieces)."""
    n = count(text[start:end])
    if n <= budget:
        return [(start, end, n)]
    out: list[tuple[int, int, int]] = []
    s = e = used = 0
    for word in re.finditer(r"\S+", text[start:end]):
        cost = count(word.group())
        if used and used + cost > budget:
            out.append((start + s, start + e, used))
            used = 0
        if not used:
            s = word.start()
        e, used = word.end(), used + cost
    if used:
        out.append((start + s, start + e, used))
    return out
