"""Articles from the web: article pages and RSS/Atom feeds, fetched politely and defensively.

Every fetch has a timeout, a size cap and a user agent; redirects are followed. A feed's entries
are followed to their pages for the full text (the entry's own summary is used only when the page
gives none). Every failure is one Failure naming the URL and why; the rest goes on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlparse

from .loaders import _record, html_article
from .types import Article, Failure

log = logging.getLogger(__name__)

USER_AGENT = "newsrag/0.1 (news question answering; +https://pypi.org/project/newsrag/)"
TIMEOUT = float(os.environ.get("RAG_FETCH_TIMEOUT", "20"))  # seconds per request
MAX_BYTES = 10 * 1024 * 1024  # per response
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")


class FetchError(Exception):
    pass


def fetch(client: Any, url: str) -> tuple[str, str, str]:
    """(final URL, content type, text) of `url`, or FetchError with a one-line reason."""
    import httpx

    try:
        with client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            declared = int(resp.headers.get("content-length") or 0)
            if declared > MAX_BYTES:
                raise FetchError(f"too large ({declared} bytes; the limit is {MAX_BYTES})")
            body = bytearray()
            for part in resp.iter_bytes():
                body += part
                if len(body) > MAX_BYTES:
                    raise FetchError(f"too large (over {MAX_BYTES} bytes)")
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            text = bytes(body).decode(resp.encoding or "utf-8", errors="replace")
            return str(resp.url), ctype, text
    except httpx.TimeoutException:
        raise FetchError(f"no answer within {client.timeout.read or TIMEOUT:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None


def is_feed(ctype: str, text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return ctype in _FEED_TYPES or "<rss" in head or "<feed" in head or "<rdf:rdf" in head


def load_urls(urls: Iterable[str], timeout: float | None = None) -> Iterator[Article | Failure]:
    """One Article per page or feed entry, one Failure per URL that could not be used."""
    import httpx

    with httpx.Client(
        follow_redirects=True, timeout=timeout or TIMEOUT, headers={"User-Agent": USER_AGENT}, max_redirects=5
    ) as client:
        for url in urls:
            try:
                final, ctype, text = fetch(client, url)
            except FetchError as exc:
                yield Failure(url, str(exc))
                continue
            if is_feed(ctype, text):
                yield from _feed(client, url, text)
            elif "html" in ctype or "<html" in text[:2000].lower():
                yield _page(text, url, {"url": final, "sitename": _site(final)})
            else:
                yield Failure(url, f"neither a web page nor an RSS/Atom feed (content type {ctype or 'unknown'})")


def _page(html: str, where: str, defaults: dict[str, Any]) -> Article | Failure:
    got = html_article(html, where, defaults)
    if isinstance(got, Article) and not got.url:
        got = _record({"title": got.title, "text": got.text, "source": got.source,
                       "date": got.published, "author": got.author, "url": defaults.get("url", "")}, where)
    return got


def _feed(client: Any, url: str, text: str) -> Iterator[Article | Failure]:
    import feedparser

    parsed = feedparser.parse(text)
    if parsed.bozo and not parsed.entries:
        yield Failure(url, f"unreadable feed: {parsed.get('bozo_exception', 'parse error')}")
        return
    outlet = parsed.feed.get("title", "") or _site(url)
    for i, entry in enumerate(parsed.entries):
        link = entry.get("link", "")
        where = link or f"{url}#{i}"
        defaults = {
            "title": entry.get("title", ""),
            "date": entry.get("published") or entry.get("updated") or "",
            "author": entry.get("author", ""),
            "sitename": outlet,
            "url": link,
        }
        summary = _entry_text(entry)
        if not link:
            yield _from_entry(defaults, summary, where)
            continue
        try:
            final, _, html = fetch(client, link)
        except FetchError as exc:
            if summary:
                log.warning("%s: %s; using the feed's summary instead", link, exc)
                yield _from_entry(defaults, summary, where)
            else:
                yield Failure(link, str(exc))
            continue
        got = _page(html, where, {**defaults, "url": final})
        if isinstance(got, Failure) and summary:
            got = _from_entry(defaults, summary, where)
        if isinstance(got, Article):
            # the feed knows the outlet and date better than a page's guess
            got = _record({"title": defaults["title"] or got.title, "text": got.text,
                           "source": outlet, "date": defaults["date"] or got.published,
                           "author": defaults["author"] or got.author, "url": got.url or link}, where)
        yield got


def _entry_text(entry: Any) -> str:
    from .loaders import _plain_html

    for content in entry.get("content") or []:
        if content.get("value"):
            return _plain_html(content["value"]).get("text", "") or ""
    summary = entry.get("summary", "")
    return (_plain_html(summary).get("text", "") or "") if summary else ""


def _from_entry(defaults: dict[str, Any], text: str, where: str) -> Article | Failure:
    record = {"title": defaults["title"], "text": text, "date": defaults["date"], "author": defaults["author"],
              "source": defaults["sitename"], "url": defaults["url"]}
    return _record(record, where)


def _site(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")
