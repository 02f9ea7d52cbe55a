"""rag.ingest.files: every format, every failure, directory walking, dates, ids, and the shared Wikinews data."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

from rag.ingest import files as loaders
from rag.ingest import html
from rag.ingest.files import SUPPORTED_SUFFIXES, load
from rag.ingest.records import make_id, normalize_date
from rag.types import Article, Failure

SEED = ROOT / "corpus" / "baonghean-putin-negotiations.txt"
WIKINEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "wikinews-en-2019-2021"

TEXT_FIELDS = "text, body, content, article, full_text, maintext, description"
STORY = "Heavy rain flooded the town of Springfield on Friday. Hundreds of residents left their homes."


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def one(path: Path) -> Article | Failure:
    results = list(load([path]))
    assert len(results) == 1, results
    return results[0]


def article(path: Path) -> Article:
    result = one(path)
    assert isinstance(result, Article), result
    return result


def failure(path: Path) -> Failure:
    result = one(path)
    assert isinstance(result, Failure), result
    return result


# --- .txt / .md -------------------------------------------------------------------------------------------------


def test_seed_corpus_file() -> None:
    a = article(SEED)
    assert a.title == "President Putin wants to reach a solution to the Ukraine conflict through negotiations"
    assert a.source == "Baonghean.vn"
    assert a.text.startswith("(Baonghean.vn) - In an interview")
    assert a.published is None and a.url == ""
    assert a.origin == str(SEED)
    assert a.id == make_id(a.title, None, "Baonghean.vn")


def test_txt_title_text_and_normalisation(tmp_path: Path) -> None:
    content = "\ufeff\r\n  Flood hits town  \r\n\r\n" + STORY + "\r\nSecond line.\rThird.\r\n\r\n"
    path = write(tmp_path / "flood.txt", content)
    a = article(path)
    assert a.title == "Flood hits town"
    assert a.text == STORY + "\nSecond line.\nThird."
    assert a.source == "" and a.published is None and a.url == "" and a.author == ""
    assert a.id == "sha1:" + hashlib.sha1(b"Flood hits town||").hexdigest()[:16]
    assert a.origin == str(path)


def test_txt_keeps_inner_whitespace_verbatim(tmp_path: Path) -> None:
    body = "First  paragraph,   spaced.\n\n\n  Indented second paragraph.\t"
    a = article(write(tmp_path / "a.txt", "Title\n" + body))
    assert a.text == body.strip()


@pytest.mark.parametrize(
    ("lead", "source"),
    [
        ("(Reuters) — ", "Reuters"),
        ("BAGHDAD (Reuters) - ", "Reuters"),
        ("WASHINGTON, Jan 4 (AP) - ", "AP"),
        ("(Baonghean.vn) - ", "Baonghean.vn"),
        ("", ""),
        ("The council (which met on Friday) said ", ""),
    ],
)
def test_txt_lead_gives_source(tmp_path: Path, lead: str, source: str) -> None:
    a = article(write(tmp_path / "a.txt", f"Title\n{lead}{STORY}"))
    assert a.source == source
    assert a.text == f"{lead}{STORY}".strip()


def test_md_heading_title(tmp_path: Path) -> None:
    a = article(write(tmp_path / "a.md", "\n\n## Flood hits town\n\n" + STORY))
    assert (a.title, a.text) == ("Flood hits town", STORY)
    b = article(write(tmp_path / "b.md", "Flood hits town\n===============\n\n" + STORY))
    assert (b.title, b.text) == ("Flood hits town", STORY)


def test_txt_with_title_only_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Just a title\n\n  \n")
    assert failure(path) == Failure(str(path), "no text after the title line")


# --- .html ------------------------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Flood hits town | Daily Bugle</title>
<meta property="og:site_name" content="Daily Bugle">
<meta property="article:published_time" content="2019-01-04T10:00:00Z">
<meta name="author" content="Jane Roe">
<link rel="canonical" href="https://bugle.example/news/flood/?utm_source=rss#top">
<script>var tracking = "do not index me";</script></head>
<body><nav>Home | World | Sport</nav>
<article><h1>Flood hits town</h1>
<p>Heavy rain flooded the town of Springfield on Friday, forcing hundreds of residents to leave their homes.</p>
<p>Emergency services said no one was hurt, but several roads remain closed and the clean-up will take weeks.</p>
<p>The mayor asked residents to stay away from the riverside until the water level drops again.</p>
</article><footer>Copyright 2024 Daily Bugle</footer></body></html>"""


@pytest.fixture(params=["installed", "plain"])
def html_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run HTML tests with whatever extractor is importable, and with the plain-lxml fallback alone."""
    if request.param == "plain":
        monkeypatch.setattr(html, "trafilatura_module", lambda: None)
    return request.param


def test_html_page(tmp_path: Path, html_backend: str) -> None:
    path = write(tmp_path / "flood.html", PAGE)
    a = article(path)
    assert a.title == "Flood hits town"
    assert a.source == "Daily Bugle"
    assert a.published == "2019-01-04"
    assert a.author == "Jane Roe"
    assert a.id == "https://bugle.example/news/flood"
    assert a.text.startswith("Heavy rain flooded the town of Springfield")
    assert "\n\nEmergency services said" in a.text
    assert a.text.endswith("until the water level drops again.")
    for junk in ("Home | World", "Copyright", "tracking", "Flood hits town"):
        assert junk not in a.text
    assert a.origin == str(path)


def test_html_title_falls_back_to_title_tag_then_file_name(tmp_path: Path, html_backend: str) -> None:
    para = "<p>" + STORY + " The river burst its banks after three days of storms over the valley.</p>"
    page = f"<html><head><title>River bursts banks</title></head><body>{para}</body></html>"
    a = article(write(tmp_path / "a.htm", page))
    assert a.title == "River bursts banks"
    assert a.text.startswith("Heavy rain flooded")
    b = article(write(tmp_path / "untitled-page.html", f"<html><body>{para}</body></html>"))
    assert b.title == "untitled-page"
    assert b.id.startswith("sha1:")


def test_html_without_text_fails(tmp_path: Path, html_backend: str) -> None:
    page = "<html><head><title>Nothing</title><script>x = 1</script></head><body></body></html>"
    path = write(tmp_path / "empty.html", page)
    assert failure(path) == Failure(str(path), "no extractable text in the HTML page")


@pytest.mark.skipif(html.trafilatura_module() is None, reason="trafilatura cannot be imported in this environment")
def test_trafilatura_is_used_when_importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trafilatura, calls = html.trafilatura_module(), []
    real = trafilatura.bare_extraction
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: calls.append(k) or real(*a, **k))
    a = article(write(tmp_path / "flood.html", PAGE))
    assert calls and calls[0]["with_metadata"] is True
    assert "utm_source" not in a.url  # trafilatura's URL clean-up, not the raw canonical link


# --- .json / .jsonl -----------------------------------------------------------------------------------------------


def test_json_array_with_field_aliases(tmp_path: Path) -> None:
    records = [
        {"id": 42, "title": "Flood hits town", "text": STORY, "date": "2019-01-04", "url": "https://x.example/a"},
        {
            "Headline": "  River bursts\nits banks ",
            "Body": STORY,
            "publishedAt": "Fri, 04 Jan 2019 10:00:00 GMT",
            "link": "https://X.example/b/?utm_medium=feed&page=2#comments",
            "source": {"id": "bugle", "name": "Daily Bugle"},
            "authors": ["Jane Roe", "John Doe"],
        },
        {"content": STORY, "timestamp": 1546596000, "outlet": "Bugle"},
    ]
    path = write(tmp_path / "news.json", json.dumps(records))
    a, b, c = load([path])
    assert (a.id, a.title, a.published, a.origin) == ("42", "Flood hits town", "2019-01-04", f"{path}:#0")
    assert a.url == "https://x.example/a"
    assert b.title == "River bursts its banks"
    assert (b.source, b.author, b.published) == ("Daily Bugle", "Jane Roe, John Doe", "2019-01-04")
    assert b.url == "https://X.example/b/?utm_medium=feed&page=2#comments"
    assert b.id == "https://x.example/b?page=2"
    assert b.origin == f"{path}:#1"
    assert c.title == "Heavy rain flooded the town of Springfield on Friday."  # first sentence stands in for the title
    assert (c.source, c.published) == ("Bugle", "2019-01-04")
    assert c.id == make_id(c.title, "2019-01-04", "Bugle")


@pytest.mark.parametrize("key", ["articles", "items", "data", "records", "Articles"])
def test_json_container_object(tmp_path: Path, key: str) -> None:
    feed = {"status": "ok", key: [{"title": "A", "text": STORY}, {"title": "B", "text": STORY}]}
    path = write(tmp_path / "feed.json", json.dumps(feed))
    assert [(a.title, a.origin) for a in load([path])] == [("A", f"{path}:#0"), ("B", f"{path}:#1")]


def test_json_single_record(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({"title": "A", "full_text": STORY, "data": [1, 2]}))
    a = article(path)
    assert (a.title, a.text, a.origin) == ("A", STORY, str(path))


def test_json_failures(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", '[{"title": "A", "text": "x"},')
    f = failure(bad)
    assert f.where == str(bad) and f.reason.startswith("invalid JSON: Expecting value: line 1 column")

    records = [{"title": "A", "text": STORY}, "oops", None, {"title": "no text", "body": "  "}]
    mixed = write(tmp_path / "mixed.json", json.dumps(records))
    results = list(load([mixed]))
    assert isinstance(results[0], Article)
    assert results[1:] == [
        Failure(f"{mixed}:#1", "record is a string, not an object"),
        Failure(f"{mixed}:#2", "record is null, not an object"),
        Failure(
            f"{mixed}:#3",
            f"record has no text (looked for fields {TEXT_FIELDS}; found title, body)",
        ),
    ]
    scalar = write(tmp_path / "scalar.json", "3")
    assert failure(scalar) == Failure(str(scalar), "JSON holds a number, expected an object or an array of objects")
    empty = write(tmp_path / "empty.json", "[]")
    assert failure(empty) == Failure(str(empty), "no records (empty JSON array)")


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        json.dumps({"guid": "g1", "title": "A", "maintext": STORY}),
        "",
        "{not json",
        "   ",
        "[1, 2]",
        json.dumps({"title": "B", "description": STORY, "pubDate": "2020-03-01T08:00:00+01:00"}),
    ]
    path = write(tmp_path / "news.jsonl", "\r\n".join(lines) + "\r\n")
    a, bad, array, b = load([path])
    assert (a.id, a.title, a.origin) == ("g1", "A", f"{path}:1")
    assert bad.where == f"{path}:3" and bad.reason.startswith("invalid JSON: Expecting property name")
    assert array == Failure(f"{path}:5", "record is an array, not an object")
    assert (b.title, b.published, b.origin) == ("B", "2020-03-01", f"{path}:6")


def test_json_lines_saved_as_json_still_load(tmp_path: Path) -> None:
    lines = [json.dumps({"title": "A", "text": STORY}), json.dumps({"title": "B", "text": STORY})]
    path = write(tmp_path / "news.json", "\n".join(lines) + "\n")
    assert [(a.title, a.origin) for a in load([path])] == [("A", f"{path}:1"), ("B", f"{path}:2")]


# --- .csv -----------------------------------------------------------------------------------------------------------


def test_csv_rows_and_line_numbers(tmp_path: Path) -> None:
    content = (
        "URL,Date,Title,Text\r\n"
        'https://x.example/a,2019-01-04,"Flood, then fire","First paragraph.\r\n\r\nSecond paragraph."\r\n'
        "\r\n"
        "https://x.example/b,2019-01-05,No text here,\r\n"
        "https://x.example/c,05/01/2019,Third,Plain text.\r\n"
        "https://x.example/d,2019-01-06,Too many,Text,extra\r\n"
    )
    path = write(tmp_path / "news.csv", content)
    a, no_text, c, extra = load([path])
    assert (a.title, a.published, a.origin) == ("Flood, then fire", "2019-01-04", f"{path}:2")
    assert a.text == "First paragraph.\n\nSecond paragraph."
    assert a.id == "https://x.example/a"
    assert no_text.where == f"{path}:6" and no_text.reason.startswith("record has no text")
    assert (c.title, c.origin) == ("Third", f"{path}:7")
    assert extra == Failure(f"{path}:8", "row has 5 fields but the header has 4")


def test_csv_long_fields(tmp_path: Path) -> None:
    long_text = "word " * 100_000  # 500 KB, beyond csv's default 128 KB field limit
    with (tmp_path / "long.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["title", "body"], ["Long", long_text]])
    a = article(tmp_path / "long.csv")
    assert a.text == long_text.strip()


def test_csv_failures(tmp_path: Path) -> None:
    no_column = write(tmp_path / "a.csv", "title,url\nA,https://x.example\n")
    f = failure(no_column)
    assert f.where == str(no_column)
    assert f.reason == f"CSV has no text column (looked for {TEXT_FIELDS}; found title, url)"
    header_only = write(tmp_path / "b.csv", "title,text\n")
    assert failure(header_only) == Failure(str(header_only), "CSV has a header but no rows")


# --- files that are not usable text ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_unusable_bytes(tmp_path: Path, suffix: str) -> None:
    cases = {
        "empty": (b"", "empty file"),
        "blank": (b" \n\t\r\n", "empty file (only whitespace)"),
        "binary": (b"PK\x03\x04\x00\x00title\ntext", "binary file, not text"),
        "latin1": (b"Title\ncaf\xe9 au lait", "not valid UTF-8 (byte 0xe9 at offset 9); save it as UTF-8"),
        "utf16": ("Title\ntext".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
    }
    for name, (content, reason) in cases.items():
        path = write(tmp_path / f"{name}{suffix}", content)
        assert failure(path) == Failure(str(path), reason)


def test_missing_and_unsupported_paths(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert list(load([missing])) == [Failure(str(missing), "no such file or directory")]
    pdf = write(tmp_path / "report.PDF", b"%PDF-1.4")
    f = failure(pdf)
    assert f.where == str(pdf)
    assert f.reason == "unsupported file type '.PDF' (supported: .csv, .htm, .html, .json, .jsonl, .md, .txt, .urls)"
    assert "'(none)'" in failure(write(tmp_path / "README", "Title\ntext")).reason


def test_bad_files_do_not_stop_the_run(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "Title\n" + STORY)
    binary, empty = write(tmp_path / "bin.txt", b"\x00\x01"), write(tmp_path / "e.md", "")
    results = list(load([tmp_path / "missing.json", binary, good, empty]))
    assert [type(r).__name__ for r in results] == ["Failure", "Failure", "Article", "Failure"]
    assert all("\n" not in r.reason for r in results if isinstance(r, Failure))


def test_unexpected_errors_become_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("parser\nexploded")

    monkeypatch.setattr(loaders, "record", boom)
    path = write(tmp_path / "a.txt", "Title\n" + STORY)
    assert failure(path) == Failure(str(path), "unexpected error: RuntimeError: parser exploded")


# --- directories ---------------------------------------------------------------------------------------------------


def test_directory_recursion_order_and_hidden_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    expected = ["a/m/1.txt", "a/z.md", "b.txt", "c.TXT", "e.txt", "f.json", "k.md", "q.txt", "x.txt", "y/y.txt"]
    for rel in expected[::-1] + [".hidden/x.txt", ".secret.txt", "a/.draft.md", "y/.git/HEAD.txt"]:
        if rel.endswith(".json"):
            write(tmp_path / rel, json.dumps({"title": rel, "text": STORY}))
        else:
            write(tmp_path / rel, f"{rel}\n{STORY}")
    write(tmp_path / "notes.pdf", b"%PDF")
    write(tmp_path / "a/image.png", b"\x89PNG")
    with caplog.at_level(logging.DEBUG, logger="rag.ingest.files"):
        results = list(load([tmp_path]))
    assert all(isinstance(r, Article) for r in results)
    assert [r.title for r in results] == expected
    assert [r.origin for r in results] == [str(tmp_path / p) for p in expected]
    assert any("notes.pdf" in m for m in caplog.messages) and any("image.png" in m for m in caplog.messages)


def test_load_accepts_a_single_path(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Title\n" + STORY)
    assert [a.title for a in load(str(path))] == ["Title"]


# --- dates and ids -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-01-04", "2019-01-04"),
        ("2019-01-04T23:30:00-05:00", "2019-01-04"),
        ("2019-01-04T10:00:00Z", "2019-01-04"),
        ("2019/1/4", "2019-01-04"),
        ("Fri, 04 Jan 2019 10:00:00 GMT", "2019-01-04"),
        ("04 Jan 2019 10:00:00 +0000", "2019-01-04"),
        (1546596000, "2019-01-04"),
        (1546596000.5, "2019-01-04"),
        (1546596000000, "2019-01-04"),
        ("1546596000", "2019-01-04"),
        ("20190104", "2019-01-04"),
        ("January 4, 2019", "2019-01-04"),
        ("Friday, January 4, 2019", "2019-01-04"),
        ("4 janvier 2019", "2019-01-04"),
        ("January 2019", "2019-01-01"),
        ("garbage", None),
        ("2019-02-30", None),
        ("12", None),
        ("4 January", None),
        ("2019", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
        ("x" * 500, None),
    ],
)
def test_normalize_date(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected


def test_dateparser_is_imported_only_when_needed() -> None:
    code = (
        "import sys; from rag.ingest.records import normalize_date as n; "
        "assert n('2019-01-04') == n('Fri, 04 Jan 2019 10:00:00 GMT') == n(1546596000) == '2019-01-04'; "
        "assert 'dateparser' not in sys.modules and 'trafilatura' not in sys.modules; "
        "assert n('4 January 2019') == '2019-01-04' and 'dateparser' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_make_id_hash_is_stable_and_specific() -> None:
    expected = "sha1:" + hashlib.sha1("Flood hits town|2019-01-04|Daily Bugle".encode()).hexdigest()[:16]
    assert make_id("Flood hits town", "2019-01-04", "Daily Bugle") == expected
    assert make_id("Flood hits town", "2019-01-04", "Daily Bugle", url="") == expected
    assert make_id("Flood hits town", None, "Daily Bugle") != expected
    assert make_id("Flood hits town", "2019-01-04", "Other") != expected
    assert re.fullmatch(r"sha1:[0-9a-f]{16}", make_id("ünïcode", None, ""))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/news/a", "https://x.example/news/a"),
        ("https://x.example/news/a/", "https://x.example/news/a"),
        ("https://x.example/news/a#comments", "https://x.example/news/a"),
        ("HTTPS://X.Example/news/A/?utm_source=rss&utm_medium=feed", "https://x.example/news/A"),
        ("https://x.example/a?id=7&utm_campaign=z&p=2", "https://x.example/a?id=7&p=2"),
        ("https://en.wikinews.org//wiki/Some_story", "https://en.wikinews.org/wiki/Some_story"),
        ("  https://x.example/  ", "https://x.example"),
    ],
)
def test_make_id_canonical_url(url: str, expected: str) -> None:
    assert make_id("ignored", "2019-01-04", "ignored", url) == expected


def test_make_id_ignores_non_web_urls() -> None:
    assert make_id("T", None, "S", "not a url").startswith("sha1:")
    assert make_id("T", None, "S", "mailto:desk@x.example") == make_id("T", None, "S")


# --- the shared Wikinews data ---------------------------------------------------------------------------------------

needs_wikinews = pytest.mark.skipif(not WIKINEWS.is_dir(), reason=f"shared data not found at {WIKINEWS}")


@needs_wikinews
def test_wikinews_jsonl() -> None:
    path = WIKINEWS / "articles.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = list(load([path]))
    assert [r for r in results if isinstance(r, Failure)] == []
    assert len(results) == 293
    assert [a.id for a in results] == [r["id"] for r in records]
    assert [a.published for a in results] == [r["date"] for r in records]
    assert all(re.fullmatch(r"20(19|20|21)-\d\d-\d\d", a.published) for a in results)
    first = results[0]
    assert first.published == "2019-01-04"
    assert first.title == "Magnitogorsk apartment building collapses after explosion, dozens dead"
    assert first.source == "Wikinews (en.wikinews.org)"
    assert first.origin == f"{path}:1"
    assert all(a.text and a.text == a.text.strip() and "\r" not in a.text for a in results)


@needs_wikinews
@pytest.mark.parametrize(("name", "rows"), [("wikinews_2019.csv", 171), ("wikinews_2020.csv", 124)])
def test_wikinews_csv(name: str, rows: int) -> None:
    path = WIKINEWS / name
    results = list(load([path]))
    assert [r for r in results if isinstance(r, Failure)] == []
    assert len(results) == rows
    assert results[0].origin == f"{path}:2"
    assert all(a.url.startswith("https://en.wikinews.org/") for a in results)
    assert all(a.id.startswith("https://en.wikinews.org/wiki/") for a in results)  # the canonical URL: no "//wiki"
    assert all(a.published and a.published[:4] in ("2019", "2020", "2021") for a in results)
    assert len({a.id for a in results}) == rows
