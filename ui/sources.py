"""The page's source view: a cited passage in its paragraph, then the whole article, the span marked.

Every `[n]` of an answer (and every source's number in the source box) is a link to
`#newsrag-source/<article id>/<start>/<end>`; the page's script (ui/page.js) turns a click on one
into a call of `passage_markdown` / `article_markdown`, shown in the side panel. The link carries
only what the index can check: an article id and character offsets into its text.
Article text is data: everything in it is escaped, and only our own `<mark>` survives.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote, unquote

from rag.render import SourceView, escape_markdown, in_paragraph, marked, safe_url

log = logging.getLogger(__name__)

PREFIX = "#newsrag-source/"
TITLE_CHARS = 160  # of a hover text
_LINKED = re.compile(r"\[\[(\d+)\]\]\(<" + re.escape(PREFIX) + r"([^>\s]*)>(?: \"[^\"]*\")?\)")  # [n], its key
_KEY = re.compile(r"([^/\s]+)/(\d+)/(\d+)")


def href(article_id: str, start: int, end: int) -> str:
    """The link a citation of `article_id[start:end]` opens."""
    return f"{PREFIX}{quote(article_id, safe='')}/{int(start)}/{int(end)}"


def hover(s: SourceView) -> str:
    """What shows on hover over `[n]`: headline, outlet and date, the start of the quote; plain text
    fit for a Markdown link title (one line; no quotes, backslashes, angle or square brackets)."""
    meta = ", ".join(p for p in (s.outlet, s.published or "") if p)
    text = f"{s.title}" + (f" — {meta}" if meta else "") + f": “{s.quote}”"
    for bad, good in (('"', "'"), ("\\", "/"), ("&", "&amp;"), ("<", "‹"), (">", "›"), ("[", "("), ("]", ")")):
        text = text.replace(bad, good)  # a title attribute, never markup (the renderer escapes it too)
    text = " ".join(text.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def linked(s: SourceView) -> str:
    """`[n]` as a Markdown link to its passage (a plain `[n]` when the source has no offsets)."""
    if not s.article_id:
        return f"[{s.n}]"
    return f'[[{s.n}]](<{href(s.article_id, s.start, s.end)}> "{hover(s)}")'


def unlinked(markdown: str) -> str:
    """`markdown` with our `[n]` links back to plain `[n]` (what a conversation's history holds)."""
    return _LINKED.sub(r"[\1]", markdown)


def citations_in(markdown: str) -> list[dict[str, Any]]:
    """The citations an answer's Markdown links to, in order, each once: {n, article_id, start, end}."""
    out: dict[int, dict[str, Any]] = {}
    for m in _LINKED.finditer(markdown):
        key = parse(m.group(2))
        if key and int(m.group(1)) not in out:
            out[int(m.group(1))] = {"n": int(m.group(1)), "article_id": key[0], "start": key[1], "end": key[2]}
    return list(out.values())


def parse(key: str) -> tuple[str, int, int] | None:
    """(article id, start, end) from a link's key (with or without PREFIX); None when malformed."""
    key = (key or "").strip()
    key = key[len(PREFIX):] if key.startswith(PREFIX) else key
    m = _KEY.fullmatch(key)
    if not m:
        return None
    start, end = int(m.group(2)), int(m.group(3))
    return (unquote(m.group(1)), start, end) if 0 <= start <= end else None


def _article(index: Any, key: str) -> tuple[Any, int, int] | str:
    """The stored article a key points into and the span, or why there is nothing to show."""
    got = parse(key)
    if got is None:
        return "That source link is not one this page made."
    article_id, start, end = got
    try:
        article = index.article(article_id)
    except Exception:  # the page must keep working
        log.exception("fetching article %r failed", article_id)
        return "The article could not be read; the details are in the server log."
    if article is None or not article.text:
        return "That article is no longer in the index (it was removed or re-ingested)."
    if end > len(article.text):
        return "That article has changed since this answer was given: ask again for fresh sources."
    return article, start, end


def _head(article: Any) -> str:
    meta = ", ".join(escape_markdown(p) for p in (article.source, article.published or "") if p)
    url = safe_url(article.url or "")
    lines = [f"### {escape_markdown(article.title or article.id)}"]
    if meta:
        lines.append(meta)
    if url:
        lines.append(f"[{escape_markdown(url)}](<{url}>)")
    return "  \n".join(lines)


def passage_markdown(index: Any, key: str) -> str:
    """The cited passage in its paragraph, the quoted span marked, under headline, outlet, date, link."""
    got = _article(index, key)
    if isinstance(got, str):
        return f"*{got}*"
    article, start, end = got
    span = article.text[start:end]
    return f"{_head(article)}\n\n> {marked(*(in_paragraph(article.text, start, end, span) or ('', span, '')))}"


def article_markdown(index: Any, key: str) -> str:
    """The whole article, one paragraph a line as written, the cited span marked."""
    got = _article(index, key)
    if isinstance(got, str):
        return f"*{got}*"
    article, start, end = got
    text = article.text
    parts = []
    at = 0
    for para in text.split("\n"):
        lo, hi = at, at + len(para)
        at = hi + 1
        if not para.strip():
            continue
        if hi <= start or lo >= end:  # outside the span
            parts.append(escape_markdown(para))
            continue
        a, b = max(start, lo) - lo, min(end, hi) - lo
        parts.append(marked(para[:a], para[a:b], para[b:]))
    return _head(article) + "\n\n" + "\n\n".join(parts)
