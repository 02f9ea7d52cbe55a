"""Articles from web pages: text and metadata by trafilatura, plain lxml filling the gaps."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from ..types import Article, Failure
from .records import one_line, record

log = logging.getLogger(__name__)

MIN_PAGE_WORDS = 8

def html_article(html: str, where: str, defaults: dict[str, Any] | None = None) -> Article | Failure:
    """An article from a web page: text and metadata by trafilatura, plain lxml filling gaps,
    `defaults` (e.g. a feed entry's title and date) last; paragraphs joined by a blank line."""
    doc, plain, defaults = _trafilatura_extract(html), plain_html(html), defaults or {}
    get = lambda key: doc.get(key) or plain.get(key) or defaults.get(key) or ""  # noqa: E731
    paragraphs = [p.strip() for p in (doc.get("text") or plain.get("text") or "").split("\n") if p.strip()]
    title = get("title")
    if paragraphs and one_line(paragraphs[0]) == one_line(title):  # the page's <h1>
        paragraphs = paragraphs[1:]
    if sum(len(p.split()) for p in paragraphs) < MIN_PAGE_WORDS:  # a menu or a cookie notice is no article
        return Failure(where, "no extractable text in the HTML page")
    fields = {"title": title, "text": "\n\n".join(paragraphs), "date": get("date"),
              "author": get("author"), "source": get("sitename"), "url": get("url")}
    return record(fields, where)


@lru_cache(maxsize=1)
def trafilatura_module() -> Any:
    try:
        import trafilatura
    except ImportError as e:  # e.g. lxml >= 5.2 without the separate lxml_html_clean package
        log.warning("trafilatura unavailable (%s); using the simple built-in HTML extractor", one_line(str(e)))
        return None
    return trafilatura


def _trafilatura_extract(html: str) -> dict[str, Any]:
    trafilatura = trafilatura_module()
    if trafilatura is None:
        return {}
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_images=False)
    except Exception as e:  # trafilatura has its own ways to fail on odd markup
        log.debug("trafilatura failed: %s", e)
        return {}
    if doc is None:
        return {}
    return doc if isinstance(doc, dict) else doc.as_dict()


_SKIP_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "head")
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
               "article", "main", "table", "tr", "td", "th", "dd", "dt", "figcaption")


def plain_html(html: str) -> dict[str, Any]:
    """Title, metadata and text blocks with plain lxml: the fallback when trafilatura is missing or finds nothing."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        parser = lxml_html.HTMLParser(encoding="utf-8")
        root = lxml_html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.LxmlError, ValueError) as e:
        log.debug("lxml could not parse the page: %s", e)
        return {}
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        meta.setdefault((m.get("property") or m.get("name") or "").lower(), (m.get("content") or "").strip())
    links = (el.get("href", "") for el in root.iter("link") if "canonical" in (el.get("rel") or "").lower().split())
    title = one_line(root.findtext(".//title") or "")
    for el in list(root.iter(*_SKIP_TAGS)):
        el.drop_tree()
    scope = (root.xpath("//article|//main") or [root])[0]
    h1 = next((t for el in scope.iter("h1") if (t := one_line(el.text_content()))), "")
    for el in scope.iter(*_BLOCK_TAGS):  # a line break around every block, then one paragraph per line
        el.text, el.tail = "\n" + (el.text or ""), "\n" + (el.tail or "")
    paragraphs = [p for line in scope.text_content().split("\n") if (p := one_line(line))]
    first = lambda *names: next((meta[n] for n in names if meta.get(n)), "")  # noqa: E731
    return {
        "title": meta.get("og:title") or h1 or title,  # <title> often ends in " | Site name"
        "text": "\n".join(paragraphs),
        "date": first("article:published_time", "date", "pubdate", "dc.date"),
        "author": first("author", "article:author"),
        "sitename": first("og:site_name"),
        "url": next(links, "") or first("og:url"),
    }

