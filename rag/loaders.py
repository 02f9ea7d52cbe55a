"""Turn paths into Articles (.txt .md .html .htm .json .jsonl .csv); bad input becomes a Failure, never an exception."""

from __future__ import annotations

import codecs
import csv
import email.utils
import hashlib
import io
import json
import logging
import os
import re
from fnmatch import fnmatch
import stat
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from rag.types import Article, Failure

if TYPE_CHECKING:
    from .fetch import FetchPolicy

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".urls"}

# Record fields, lower-cased; the first non-empty one wins.
FIELDS = {
    "id": ("id", "article_id", "guid", "uuid"),
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "article", "full_text", "maintext", "description"),
    "published": (
        "date", "published", "published_at", "publishedat", "pubdate", "publish_date", "datetime", "timestamp"
    ),
    "url": ("url", "link", "href", "canonical_url"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "sitename", "source_name"),
    "author": ("author", "authors", "byline"),
}
_CONTAINERS = ("articles", "items", "data", "records")
MIN_PAGE_WORDS = 8
# "(Reuters) - ", "BAGHDAD (Reuters) — ", "WASHINGTON, Jan 4 (AP) -": the outlet in parentheses opens the text.
_LEAD = re.compile(r"(?:[A-Z][A-Z.' -]*[A-Z](?:,[^()\n]{1,30})?\s+)?\(([^()\n]{2,50})\)\s*[-–—]")
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\b")


def load(
    paths: Iterable[str | os.PathLike], include: Sequence[str] = (), exclude: Sequence[str] = (),
    policy: "FetchPolicy | None" = None,
) -> Iterator[Article | Failure]:
    """Yield one Article per story and one Failure per bad path, file or record, in input order.
    `include` / `exclude` are glob patterns for the files found inside directories; URLs (given
    directly or listed in .urls files) are fetched under `policy` (rag/fetch.py; default: private
    addresses refused)."""
    if isinstance(paths, (str, os.PathLike)):  # load("corpus") would otherwise iterate characters
        paths = [paths]
    for path in paths:
        if is_url(str(path)):
            from .web import load_urls

            yield from load_urls([str(path)], policy)
            continue
        p = Path(path)
        try:
            mode = p.stat().st_mode
        except FileNotFoundError:
            yield Failure(where_of(p), "no such file or directory")
            continue
        except (OSError, ValueError) as e:
            yield Failure(where_of(p), _one_line(f"cannot read: {getattr(e, 'strerror', None) or e}"))
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(p, set(), p, include, exclude, policy)
        elif not stat.S_ISREG(mode):
            yield Failure(where_of(p), "not a regular file or directory")
        elif p.suffix.lower() in SUPPORTED_SUFFIXES:
            yield from _load_file(p, policy)
        else:
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            yield Failure(where_of(p), f"unsupported file type '{p.suffix or '(none)'}' (supported: {supported})")


def make_id(title: str, published: str | None, source: str, url: str = "") -> str:
    """The canonical URL when there is one, else 'sha1:' + 16 hex digits of sha1(title|published|source)."""
    canonical = _canonical_url(url)
    if canonical:
        return canonical
    key = f"{title}|{published or ''}|{source}"
    return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def normalize_date(value: Any) -> str | None:
    """'YYYY-MM-DD' from an ISO date/datetime, RFC 822 date, epoch number or anything dateparser reads; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    s = " ".join(str(value).split())
    if not s or len(s) > 100:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", s):  # YYYYMMDD, or epoch seconds / milliseconds
        if len(s) == 8:
            return _ymd(s[:4], s[4:6], s[6:])
        whole = len(s.partition(".")[0])
        return _from_epoch(float(s)) if 9 <= whole <= 13 else None
    if m := _YMD.match(s):  # the date as written, whatever the time zone
        return _ymd(*m.groups())
    if _RFC822.match(s):
        try:
            return email.utils.parsedate_to_datetime(s).date().isoformat()
        except (TypeError, ValueError):
            pass
    try:
        import dateparser  # slow to import: only for what the fast paths above cannot read
    except ImportError:
        return None
    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["year"],  # "4 January" or "12" alone is no publication date
        "PARSERS": ["custom-formats", "absolute-time"],  # no "yesterday": relative to what?
    }
    try:
        parsed = dateparser.parse(s, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date().isoformat() if parsed else None


def _ymd(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _from_epoch(x: float) -> str | None:
    try:
        return datetime.fromtimestamp(x / 1000 if x > 1e11 else x, tz=timezone.utc).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _canonical_url(url: str) -> str:
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith("utm_"))
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _walk(
    directory: Path, seen: set[Path], root: Path, include: Sequence[str], exclude: Sequence[str],
    policy: "FetchPolicy | None",
) -> Iterator[Article | Failure]:
    try:
        real = directory.resolve()
        if real in seen:  # a symlink loop
            return
        seen.add(real)
        entries = sorted(directory.iterdir())
    except OSError as e:
        yield Failure(where_of(directory), f"cannot read directory: {e.strerror or e}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, seen, root, include, exclude, policy)
        elif entry.suffix.lower() in SUPPORTED_SUFFIXES and entry.is_file():
            if wanted(entry.relative_to(root), include, exclude):
                yield from _load_file(entry, policy)
        else:
            log.debug("skipping %s: not a supported file type", entry)


def wanted(relative: Path, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Glob filters on a path relative to the directory named: 'include' keeps only matches,
    'exclude' drops matches ('2019/*.jsonl', '*draft*'); a pattern matches the path or the name."""
    hit = lambda pats: any(relative.match(p) or fnmatch(str(relative), p) for p in pats)  # noqa: E731
    return (not include or hit(include)) and not hit(exclude)


def where_of(path: Path | str) -> str:
    """A path as text that can be stored and shown: a name that isn't valid UTF-8 keeps its odd
    bytes as \\xNN escapes (the index stores text; a raw undecodable name would be refused)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _load_file(path: Path, policy: "FetchPolicy | None" = None) -> Iterator[Article | Failure]:
    where = where_of(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        yield Failure(where, f"cannot read file: {e.strerror or e}")
        return
    suffix = path.suffix.lower()
    text, problem = _decode(raw)
    if problem:
        yield Failure(where, problem)
        return
    loader = {".txt": _load_text, ".md": _load_text, ".html": _load_html, ".htm": _load_html,
              ".json": _load_json, ".jsonl": _load_jsonl, ".csv": _load_csv}.get(suffix)
    try:
        yield from loader(text, where, path) if loader else _load_url_list(text, where, policy)
    except Exception as e:  # a bug or a parser surprise must not end the whole run
        log.exception("unexpected error while loading %s", where)
        yield Failure(where, _one_line(f"unexpected error: {type(e).__name__}: {e}"))


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, "") or ("", why the bytes are not usable text)."""
    if not raw:
        return "", "empty file"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "", "UTF-16 text; save it as UTF-8"
    if b"\0" in raw[:8192]:
        return "", "binary file, not text"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return "", f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); save it as UTF-8"
    text = text.removeprefix("\ufeff")
    return (text, "") if text.strip() else ("", "empty file (only whitespace)")


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


def _load_text(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.txt / .md: the first line is the title (Markdown '#'s dropped), the rest is the text."""
    markdown = path.suffix.lower() == ".md"
    first, _, body = _clean(text).partition("\n")
    first = first.lstrip("#").strip() if markdown else first.strip()
    if markdown and re.fullmatch(r"[=-]{3,}\s*", body.partition("\n")[0]):  # setext heading underline
        body = body.partition("\n")[2]
    body = _clean(body)
    if not body:
        yield Failure(where, "no text after the title line")
        return
    lead = _LEAD.match(body)
    fields = {"title": first, "text": body, "source": lead.group(1).strip() if lead else ""}
    yield record(fields, where)


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _load_url_list(text: str, where: str, policy: "FetchPolicy | None") -> Iterator[Article | Failure]:
    """.urls: one article URL or RSS/Atom feed URL a line; blank lines and '#' comments skipped."""
    from .web import load_urls

    urls = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            urls.append(line)
        else:
            yield Failure(f"{where}:{n}", f"not an http(s) URL: {line[:80]!r}")
    yield from load_urls(urls, policy)


def _load_json(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.json: an array of records, one record, or an object holding the array under articles/items/data/records."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and e.colno == 1:  # JSON Lines saved as .json
            yield from _load_jsonl(text, where, path)
        else:
            yield Failure(where, f"invalid JSON: {e}")
        return
    if isinstance(data, dict) and not _pick(_lower(data), "text"):
        low = _lower(data)
        data = next((low[k] for k in _CONTAINERS if isinstance(low.get(k), list)), data)
    if isinstance(data, dict):
        yield record(data, where)
    elif not isinstance(data, list):
        yield Failure(where, f"JSON holds {_kind(data)}, expected an object or an array of objects")
    elif not data:
        yield Failure(where, "no records (empty JSON array)")
    else:
        for i, item in enumerate(data):
            yield _asrecord(item, f"{where}:#{i}")


def _load_jsonl(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.jsonl: one JSON object per line; blank lines are skipped."""
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            yield Failure(f"{where}:{n}", f"invalid JSON: {e}")
            continue
        yield _asrecord(item, f"{where}:{n}")


def _load_csv(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.csv with a header row; `where` names the line each row starts on (the header is line 1)."""
    csv.field_size_limit(2**31 - 1)  # the default 128 KB is too small for long articles
    # csv.reader rather than DictReader: DictReader skips blank lines silently, which would shift line numbers.
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        header = [h.strip().lower() for h in next(reader)]
        if not any(h in FIELDS["text"] for h in header):
            looked, found = ", ".join(FIELDS["text"]), ", ".join(header)[:200]
            yield Failure(where, f"CSV has no text column (looked for {looked}; found {found})")
            return
        line, rows = reader.line_num, 0
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if len(row) > len(header):
                yield Failure(f"{where}:{start}", f"row has {len(row)} fields but the header has {len(header)}")
            else:
                yield record(dict(zip(header, row)), f"{where}:{start}")
        if not rows:
            yield Failure(where, "CSV has a header but no rows")
    except csv.Error as e:
        yield Failure(f"{where}:{line + 1}", _one_line(f"invalid CSV: {e}"))


def _load_html(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.html / .htm: see `html_article`; the file name is the title of last resort."""
    yield html_article(text, where, {"title": where_of(path.stem)})


def html_article(html: str, where: str, defaults: dict[str, Any] | None = None) -> Article | Failure:
    """An article from a web page: text and metadata by trafilatura, plain lxml filling gaps,
    `defaults` (e.g. a feed entry's title and date) last; paragraphs joined by a blank line."""
    doc, plain, defaults = _trafilatura_extract(html), plain_html(html), defaults or {}
    get = lambda key: doc.get(key) or plain.get(key) or defaults.get(key) or ""  # noqa: E731
    paragraphs = [p.strip() for p in (doc.get("text") or plain.get("text") or "").split("\n") if p.strip()]
    title = get("title")
    if paragraphs and _one_line(paragraphs[0]) == _one_line(title):  # the page's <h1>
        paragraphs = paragraphs[1:]
    if sum(len(p.split()) for p in paragraphs) < MIN_PAGE_WORDS:  # a menu or a cookie notice is no article
        return Failure(where, "no extractable text in the HTML page")
    fields = {"title": title, "text": "\n\n".join(paragraphs), "date": get("date"),
              "author": get("author"), "source": get("sitename"), "url": get("url")}
    return record(fields, where)


@lru_cache(maxsize=1)
def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as e:  # e.g. lxml >= 5.2 without the separate lxml_html_clean package
        log.warning("trafilatura unavailable (%s); using the simple built-in HTML extractor", _one_line(str(e)))
        return None
    return trafilatura


def _trafilatura_extract(html: str) -> dict[str, Any]:
    trafilatura = _trafilatura()
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
    title = _one_line(root.findtext(".//title") or "")
    for el in list(root.iter(*_SKIP_TAGS)):
        el.drop_tree()
    scope = (root.xpath("//article|//main") or [root])[0]
    h1 = next((t for el in scope.iter("h1") if (t := _one_line(el.text_content()))), "")
    for el in scope.iter(*_BLOCK_TAGS):  # a line break around every block, then one paragraph per line
        el.text, el.tail = "\n" + (el.text or ""), "\n" + (el.tail or "")
    paragraphs = [p for line in scope.text_content().split("\n") if (p := _one_line(line))]
    first = lambda *names: next((meta[n] for n in names if meta.get(n)), "")  # noqa: E731
    return {
        "title": meta.get("og:title") or h1 or title,  # <title> often ends in " | Site name"
        "text": "\n".join(paragraphs),
        "date": first("article:published_time", "date", "pubdate", "dc.date"),
        "author": first("author", "article:author"),
        "sitename": first("og:site_name"),
        "url": next(links, "") or first("og:url"),
    }


def _lower(record: dict) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in record.items()}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {list: "an array", str: "a string", int: "a number", float: "a number", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _str(value: Any, sep: str) -> str:
    """A field value as text: a dict gives its name, a list its items joined by `sep`."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) if value == value else ""  # NaN, as pandas writes missing values
    if isinstance(value, dict):
        return _str(value.get("name") or value.get("title"), sep)
    if isinstance(value, list):
        return sep.join(s for item in value if (s := _str(item, sep).strip()))
    return ""


def _pick(low: dict[str, Any], kind: str, sep: str = ", ") -> str:
    for name in FIELDS[kind]:
        value = _str(low.get(name), sep).strip()
        if value:
            return value
    return ""


def _asrecord(item: Any, where: str) -> Article | Failure:
    if isinstance(item, dict):
        return record(item, where)
    return Failure(where, f"record is {_kind(item)}, not an object")


def record(fields: dict, where: str) -> Article | Failure:
    """An Article from a record's fields (see FIELDS), or a Failure when it has no text."""
    low = _lower(fields)
    text = _clean(_pick(low, "text", sep="\n\n"))
    if not text:
        looked, found = ", ".join(FIELDS["text"]), ", ".join(list(low)[:10]) or "none"
        return Failure(where, f"record has no text (looked for fields {looked}; found {found})")
    title = _one_line(_pick(low, "title")) or _first_sentence(text)
    raw_date = _pick(low, "published")
    published = normalize_date(raw_date)
    notes = (f"its date {raw_date[:40]!r} is not a date newsrag can read; stored undated",) if raw_date and not published else ()
    source, url = _one_line(_pick(low, "source")), _pick(low, "url")
    return Article(
        id=_pick(low, "id") or make_id(title, published, source, url),
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        author=_one_line(_pick(low, "author")),
        origin=where,
        notes=notes,
    )


def _first_sentence(text: str, limit: int = 120) -> str:
    line = text.split("\n", 1)[0].strip()
    m = re.match(r"(.{20,}?[.!?])(?:\s|$)", line)
    s = m.group(1) if m else line
    return s if len(s) <= limit else s[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"
