"""Articles from the web: article pages and RSS/Atom feeds, fetched under one policy (rag/fetch.py).

A feed's entries are followed to their pages for the full text (the entry's own summary is used
only when the page gives none); at most `policy.max_feed_entries` entries of one feed are taken.
Every failure is one Failure naming the URL and why; the rest goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlparse

from .fetch import Fetcher, FetchError, FetchPolicy
from .html import html_article, plain_html
from .records import record
from ..types import Article, Failure

log = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")


def is_feed(ctype: str, text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return ctype in _FEED_TYPES or "<rss" in head or "<feed" in head or "<rdf:rdf" in head


def load_urls(urls: Iterable[str], policy: FetchPolicy | None = None) -> Iterator[Article | Failure]:
    """One Article per page or feed entry, one Failure per URL that could not be used."""
    with Fetcher(policy) as fetcher:
        for url in urls:
            try:
                page = fetcher.get(url)
            except FetchError as exc:
                yield Failure(url, str(exc))
                continue
            if is_feed(page.content_type, page.text):
                yield from _feed(fetcher, url, page.text)
            elif "html" in page.content_type or "<html" in page.text[:2000].lower():
                yield _page(page.text, url, {"url": page.url, "sitename": _site(page.url)})
            else:
                yield Failure(url, f"neither a web page nor an RSS/Atom feed (content type {page.content_type or 'unknown'})")


def _page(html: str, where: str, defaults: dict[str, Any]) -> Article | Failure:
    got = html_article(html, where, defaults)
    if isinstance(got, Article) and not got.url:
        got = record({"title": got.title, "text": got.text, "source": got.source,
                      "date": got.published, "author": got.author, "url": defaults.get("url", "")}, where)
    return got


def _feed(fetcher: Fetcher, url: str, text: str) -> Iterator[Article | Failure]:
    import feedparser

    parsed = feedparser.parse(text)
    if parsed.bozo and not parsed.entries:
        yield Failure(url, f"unreadable feed: {parsed.get('bozo_exception', 'parse error')}")
        return
    outlet = parsed.feed.get("title", "") or _site(url)
    cap = fetcher.policy.max_feed_entries
    if len(parsed.entries) > cap:
        yield Failure(url, f"the feed lists {len(parsed.entries)} entries; took the first {cap} "
                           "(RAG_FEED_MAX_ENTRIES)", warning=True)
    for i, entry in enumerate(parsed.entries[:cap]):
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
            page = fetcher.get(link)
        except FetchError as exc:
            if summary:
                log.warning("%s: %s; using the feed's summary instead", link, exc)
                yield _from_entry(defaults, summary, where)
            else:
                yield Failure(link, str(exc))
            continue
        got = _page(page.text, where, {**defaults, "url": page.url})
        if isinstance(got, Failure) and summary:
            got = _from_entry(defaults, summary, where)
        if isinstance(got, Article):
            # the feed knows the outlet and date better than a page's guess
            got = record({"title": defaults["title"] or got.title, "text": got.text,
                          "source": outlet, "date": defaults["date"] or got.published,
                          "author": defaults["author"] or got.author, "url": got.url or link}, where)
        yield got


def _entry_text(entry: Any) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return plain_html(content["value"]).get("text", "") or ""
    summary = entry.get("summary", "")
    return (plain_html(summary).get("text", "") or "") if summary else ""


def _from_entry(defaults: dict[str, Any], text: str, where: str) -> Article | Failure:
    fields = {"title": defaults["title"], "text": text, "date": defaults["date"], "author": defaults["author"],
              "source": defaults["sitename"], "url": defaults["url"]}
    return record(fields, where)


def _site(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")
