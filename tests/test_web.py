"""rag.ingest.web: feeds and article pages fetched from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.ingest import web
from rag.ingest.fetch import DEFAULT_MAX_BYTES, FetchPolicy
from rag.ingest.files import load
from rag.types import Article, Failure


def page(title: str, body: str, extra_head: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f"<html><head><title>{title} | Test Times</title>{extra_head}</head><body>"
            f"<nav>Home | World | Sport</nav><article><h1>{title}</h1>{paras}</article>"
            f"<footer>© Test Times</footer></body></html>")


ARTICLE = page(
    "Dam opens on the Mekong",
    "A hydroelectric dam opened on the Mekong river in Laos on Monday after six years of construction.\n"
    "Officials said the dam would supply power to 300,000 homes, while fishermen fear for their catch.",
    '<meta property="article:published_time" content="2020-03-02T08:00:00Z">'
    '<meta property="og:site_name" content="Test Times">',
)
LOCAL = FetchPolicy(allow_private=True)  # the test server is on 127.0.0.1, which the default policy refuses
EMPTY = "<html><head><title>Nothing here</title></head><body><nav>menu</nav></body></html>"


def rss(base: str) -> str:
    when = format_datetime(datetime(2020, 3, 3, 9, 0, tzinfo=timezone.utc))
    items = [
        ("Dam opens on the Mekong", f"{base}/article.html", ""),
        ("Missing story", f"{base}/missing.html", ""),
        ("Empty page, good summary", f"{base}/empty.html",
         "<p>The summary says a bridge in Oslo closed on Tuesday for urgent repairs to its cables.</p>"),
        ("Empty page, no summary", f"{base}/empty.html?b", ""),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{l}</link><pubDate>{when}</pubDate><description><![CDATA[{d}]]></description></item>"
        for t, l, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire Feed</title><link>{base}</link>{body}</channel></rss>'


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        base = f"http://127.0.0.1:{self.server.server_port}"
        path = self.path.split("?")[0]
        routes = {
            "/article.html": (200, "text/html; charset=utf-8", ARTICLE),
            "/empty.html": (200, "text/html", EMPTY),
            "/feed.xml": (200, "application/rss+xml", rss(base)),
            "/data.bin": (200, "application/octet-stream", "\x00\x01"),
        }
        if path == "/old-link":
            self.send_response(301)
            self.send_header("Location", "/article.html")
            self.end_headers()
            return
        if path == "/slow.html":
            time.sleep(3)
        if path == "/big.html":
            self._send(200, "text/html", "<html><body><p>" + "x" * (DEFAULT_MAX_BYTES + 10) + "</p></body></html>")
            return
        status, ctype, body = routes.get(path, (200, "text/html", ARTICLE) if path == "/slow.html" else (404, "text/html", "not found"))
        self._send(status, ctype, body)

    def _send(self, status: int, ctype: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_an_article_page(server: str) -> None:
    [a] = list(web.load_urls([f"{server}/article.html"], LOCAL))
    assert isinstance(a, Article), a
    assert a.title == "Dam opens on the Mekong"
    assert a.text.startswith("A hydroelectric dam opened on the Mekong")
    assert "Home | World" not in a.text and "©" not in a.text  # navigation and footer dropped
    assert a.published == "2020-03-02" and a.source == "Test Times"
    assert a.url == f"{server}/article.html" and a.id == a.url
    assert any(ua.startswith("newsrag/") for ua in Handler.seen_agents)


def test_a_redirect_is_followed_and_the_final_url_kept(server: str) -> None:
    [a] = list(web.load_urls([f"{server}/old-link"], LOCAL))
    assert isinstance(a, Article) and a.url == f"{server}/article.html"


def test_a_feed_follows_each_entry_and_reports_each_failure(server: str) -> None:
    got = list(load([f"{server}/feed.xml"], policy=LOCAL))
    articles = [g for g in got if isinstance(g, Article)]
    failures = {f.where: f.reason for f in got if isinstance(f, Failure)}
    assert [a.title for a in articles] == ["Dam opens on the Mekong", "Empty page, good summary"]
    dam, bridge = articles
    assert dam.source == "Wire Feed" and dam.published == "2020-03-03"  # the feed's outlet and date
    assert dam.text.startswith("A hydroelectric dam opened")  # the page's full text, not the summary
    assert bridge.text.startswith("The summary says a bridge in Oslo closed")  # page empty: summary used
    assert failures == {
        f"{server}/missing.html": "HTTP 404 Not Found",
        f"{server}/empty.html?b": "no extractable text in the HTML page",
    }


def test_slow_big_and_non_html_responses_fail_with_reasons(server: str) -> None:
    got = list(web.load_urls([f"{server}/slow.html", f"{server}/big.html", f"{server}/data.bin",
                              "http://127.0.0.1:9/closed"], FetchPolicy(timeout=1, allow_private=True)))
    reasons = [g.reason for g in got]
    assert all(isinstance(g, Failure) for g in got)
    assert reasons[0] == "no complete answer within 1 s (RAG_FETCH_TIMEOUT)"
    assert reasons[1].startswith("too large (")
    assert reasons[2] == "neither a web page nor an RSS/Atom feed (content type application/octet-stream)"
    assert reasons[3].startswith("ConnectError")


def test_a_url_list_file(server: str, tmp_path: Path) -> None:
    f = tmp_path / "sources.urls"
    f.write_text(f"# my sources\n{server}/article.html\n\nnot a url\n{server}/missing.html\n")
    got = list(load([f], policy=LOCAL))
    assert [type(g).__name__ for g in got] == ["Failure", "Article", "Failure"]
    assert got[0].where == f"{f}:4" and "not an http(s) URL" in got[0].reason
    assert got[2].reason == "HTTP 404 Not Found"


def test_ingest_a_feed_end_to_end(server: str, tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.index import NewsIndex

    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path, fetch_allow_private=True))
    report = idx.ingest([f"{server}/feed.xml"], progress=False)
    assert (report.added, len(report.failed)) == (2, 2)
    answer = idx.query("How many homes will the Mekong dam supply with power?")
    assert "300,000" in answer.text and answer.citations[0].source == "Wire Feed"
    again = idx.ingest([f"{server}/feed.xml"], progress=False)
    assert (again.added, again.unchanged) == (0, 2)


def test_pasting_urls_on_the_page_ingests_them(server: str, tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.index import NewsIndex
    from ui.app import add_urls

    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path, fetch_allow_private=True))
    report = add_urls(idx, f"{server}/article.html\n\n{server}/missing.html\n")
    assert report.startswith("**1 added, 0 updated, 0 unchanged, 1 failed**")
    assert f"{server}/missing.html: HTTP 404 Not Found" in report.replace("\\", "")
    assert add_urls(idx, "ftp://x\n").startswith("**Nothing was added.** Not http(s) URLs")
    assert idx.stats().articles == 1
