"""Turn paths into Articles (.txt .md .html .htm .json .jsonl .csv, and .urls lists of pages and
feeds); bad input becomes a Failure, never an exception. Records become Articles in records.py,
pages in html.py, URLs are fetched in web.py."""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
from fnmatch import fnmatch
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..types import Article, Failure
from .html import html_article
from .records import FIELDS, as_record, clean_text, kind_of, lower_keys, one_line, pick, record

if TYPE_CHECKING:
    from .fetch import FetchPolicy

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".urls"}
_CONTAINERS = ("articles", "items", "data", "records")
# "(Reuters) - ", "BAGHDAD (Reuters) — ", "WASHINGTON, Jan 4 (AP) -": the outlet in parentheses opens the text.
_LEAD = re.compile(r"(?:[A-Z][A-Z.' -]*[A-Z](?:,[^()\n]{1,30})?\s+)?\(([^()\n]{2,50})\)\s*[-–—]")


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
            yield Failure(where_of(p), one_line(f"cannot read: {getattr(e, 'strerror', None) or e}"))
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
        yield Failure(where, one_line(f"unexpected error: {type(e).__name__}: {e}"))


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

def _load_text(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.txt / .md: the first line is the title (Markdown '#'s dropped), the rest is the text."""
    markdown = path.suffix.lower() == ".md"
    first, _, body = clean_text(text).partition("\n")
    first = first.lstrip("#").strip() if markdown else first.strip()
    if markdown and re.fullmatch(r"[=-]{3,}\s*", body.partition("\n")[0]):  # setext heading underline
        body = body.partition("\n")[2]
    body = clean_text(body)
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
    if isinstance(data, dict) and not pick(lower_keys(data), "text"):
        low = lower_keys(data)
        data = next((low[k] for k in _CONTAINERS if isinstance(low.get(k), list)), data)
    if isinstance(data, dict):
        yield record(data, where)
    elif not isinstance(data, list):
        yield Failure(where, f"JSON holds {kind_of(data)}, expected an object or an array of objects")
    elif not data:
        yield Failure(where, "no records (empty JSON array)")
    else:
        for i, item in enumerate(data):
            yield as_record(item, f"{where}:#{i}")


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
        yield as_record(item, f"{where}:{n}")


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
        yield Failure(f"{where}:{line + 1}", one_line(f"invalid CSV: {e}"))


def _load_html(text: str, where: str, path: Path) -> Iterator[Article | Failure]:
    """.html / .htm: see `html_article`; the file name is the title of last resort."""
    yield html_article(text, where, {"title": where_of(path.stem)})

