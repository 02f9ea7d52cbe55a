"""From a record's fields to an Article: which field is which, dates, ids. Pure: no I/O."""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..types import Article, Failure

log = logging.getLogger(__name__)

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
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\b")


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


def clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(s: str) -> str:
    return " ".join(str(s).split())


def lower_keys(record: dict) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in record.items()}


def kind_of(value: Any) -> str:
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


def pick(low: dict[str, Any], kind: str, sep: str = ", ") -> str:
    for name in FIELDS[kind]:
        value = _str(low.get(name), sep).strip()
        if value:
            return value
    return ""


def as_record(item: Any, where: str) -> Article | Failure:
    if isinstance(item, dict):
        return record(item, where)
    return Failure(where, f"record is {kind_of(item)}, not an object")


def record(fields: dict, where: str) -> Article | Failure:
    """An Article from a record's fields (see FIELDS), or a Failure when it has no text."""
    low = lower_keys(fields)
    text = clean_text(pick(low, "text", sep="\n\n"))
    if not text:
        looked, found = ", ".join(FIELDS["text"]), ", ".join(list(low)[:10]) or "none"
        return Failure(where, f"record has no text (looked for fields {looked}; found {found})")
    title = one_line(pick(low, "title")) or first_sentence(text)
    raw_date = pick(low, "published")
    published = normalize_date(raw_date)
    notes = (f"its date {raw_date[:40]!r} is not a date newsrag can read; stored undated",) if raw_date and not published else ()
    source, url = one_line(pick(low, "source")), pick(low, "url")
    return Article(
        id=pick(low, "id") or make_id(title, published, source, url),
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        author=one_line(pick(low, "author")),
        origin=where,
        notes=notes,
    )


def first_sentence(text: str, limit: int = 120) -> str:
    line = text.split("\n", 1)[0].strip()
    m = re.match(r"(.{20,}?[.!?])(?:\s|$)", line)
    s = m.group(1) if m else line
    return s if len(s) <= limit else s[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"
