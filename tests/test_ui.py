"""The Gradio page: `respond` with a fake index (fast), the built Blocks, and one turn on the real stack."""

from __future__ import annotations

import os
from dataclasses import replace
import re
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parents[1]

from rag.config import Settings
from rag.errors import EmptyIndexError
from rag.ingest.files import SUPPORTED_SUFFIXES
from rag.types import Answer, Citation
from rag.render import answer_markdown, sources_markdown, view
from rag.types import IndexStats, StoredArticle
from rag.answer.quoted import QuoteHit
from rag.ingest.quotes import Quote
from ui.app import _article_text, _safe_name, add_articles, build_app, chat, default_examples, header, respond


def _sources_text(citations, index=None) -> str:  # noqa: ANN001
    """The source box for these citations, as the page writes it."""
    answer = Answer(question="q", text="x", citations=list(citations))
    return sources_markdown(view(answer, article_text=_article_text(index) if index is not None else None))

CORPUS = ROOT / "corpus"
STATS = IndexStats(articles=2, chunks=5, sources={"Baonghean.vn": 1, "Reuters": 1},
                   first_date="2024-02-08", last_date="2024-02-09", model="fake", path="/x")


def _cite(n: int, quote: str, **kw: object) -> Citation:
    base = dict(article_id=f"a{n}", title=f"Title {n}", source="Baonghean.vn", url=f"https://example.com/{n}",
                published="2024-02-09", quote=quote, start=0, end=len(quote))
    base.update(kw)
    return Citation(n, **base)  # type: ignore[arg-type]


class FakeIndex:
    """Returns one prepared Answer (or raises), and remembers how it was called."""

    def __init__(self, answer: Answer | None = None, error: Exception | None = None, home: Path | None = None,
                 top_k: int = 8) -> None:
        self.answer, self.error, self.calls = answer, error, []
        self.settings = Settings(home=home or ROOT / "no-such-home", top_k=top_k)

    def query(self, question, history=None, *, k=None, since=None, until=None, sources=(),  # noqa: ANN001
              as_of=None, llm=None, stream=False, fallback=False):  # noqa: ANN001
        kw = {"since": since, "until": until, "sources": sources, "k": k, "as_of": as_of}
        if llm is not None:
            kw["llm"] = llm
        self.calls.append((question, history, kw))
        if self.error:
            raise self.error
        return self.answer

    def stats(self) -> IndexStats:
        return STATS

    def articles(self) -> list[StoredArticle]:
        return []

    def article(self, article_id: str) -> dict | None:
        self.fetched = [*getattr(self, "fetched", []), article_id]
        text = ARTICLES.get(article_id)
        return None if text is None else StoredArticle(article_id, "t", text=text)


# the article texts behind the citations below: each quote sits in a paragraph, offsets 0..len(quote)
ARTICLES = {
    "a1": "you need to stop supplying weapons, Putin said on Thursday.\nA second paragraph, not shown.",
    "a2": "<script>alert(1)</script> *bold* [x](javascript:alert(1)) and more <b>text</b>\n\nOther.",
}


ANSWER = Answer(
    question="What did Putin say?",
    text="Stop supplying weapons. [1] <script>alert(1)</script> [2]",
    citations=[
        _cite(1, "you need to stop supplying weapons"),
        _cite(2, "<script>alert(1)</script> *bold* [x](javascript:alert(1))", title="Other <b>story</b>",
              source="Reuters", url="javascript:alert(1)"),
    ],
    filters={"since": "2024-01-01", "sources": ("Baonghean.vn",)},
)
ABSTAINED = Answer(
    question="Who won the 1998 World Cup?",
    text="The corpus doesn't say. The closest coverage is listed below; none of it answers the question.",
    abstained=True,
    related=[_cite(1, "The fighting will end in a few weeks")],
)


def test_respond_answer_and_sources() -> None:
    idx = FakeIndex(ANSWER)
    msgs = respond(idx, "What did Putin say?", [], since="2024-01-01", sources=["Baonghean.vn"])
    assert len(msgs) == 2
    text, box = msgs[0]["content"], msgs[1]
    assert "[1]" in text and "[2]" in text and "Stop supplying weapons" in text
    assert "2024-01-01" in text and "Baonghean.vn" in text  # the filters applied are shown
    assert box["metadata"]["title"] == "Sources"
    src = box["content"]
    assert "> <mark>you need to stop supplying weapons</mark>" in src
    assert "Title 1 — Baonghean.vn, 2024-02-09" in src and "https://example.com/1" in src
    for m in msgs:  # article text is inert: no raw HTML, no javascript: link, no emphasis
        assert "<script>" not in m["content"] and "<b>" not in m["content"]
        assert not re.search(r"(?<!\\)\]\(<?javascript:", m["content"])  # an unescaped link to it
    assert "\\*bold\\*" in src
    assert idx.calls == [("What did Putin say?", [], {"since": "2024-01-01", "until": None,
                                                      "sources": ("Baonghean.vn",), "k": None, "as_of": None})]


def test_respond_abstained() -> None:
    msgs = respond(FakeIndex(ABSTAINED), "Who won the 1998 World Cup?", [])
    assert msgs[0]["content"].startswith("**No cited answer.**")
    assert "The corpus doesn't say." in msgs[0]["content"]
    assert msgs[1]["metadata"]["title"] == "Related coverage"
    assert "The fighting will end in a few weeks" in msgs[1]["content"]


def test_respond_errors_are_chat_messages() -> None:
    msgs = respond(FakeIndex(error=EmptyIndexError("/x")), "Anything?", [])
    assert len(msgs) == 1 and msgs[0]["role"] == "assistant"
    assert "The index at /x is empty" in msgs[0]["content"] and "Traceback" not in msgs[0]["content"]

    msgs = respond(FakeIndex(error=KeyError("boom")), "Anything?", [])
    assert "Something went wrong (KeyError)" in msgs[0]["content"]

    idx = FakeIndex(ANSWER)
    msgs = respond(idx, "Anything?", [], since="last week")
    assert "Since must be a date like 2020-03-01" in msgs[0]["content"] and not idx.calls


def test_respond_passes_k_and_as_of() -> None:
    idx = FakeIndex(ANSWER)
    respond(idx, "What did Putin say?", [], k=5.0, as_of=" 2020-07-01 ")  # the slider sends floats
    assert idx.calls[-1][2] == {"since": None, "until": None, "sources": (), "k": 5, "as_of": "2020-07-01"}
    list(chat(idx, "What did Putin say?", [], "", "", [], 3, ""))
    assert idx.calls[-1][2]["k"] == 3 and idx.calls[-1][2]["as_of"] is None  # empty: today

    idx = FakeIndex(ANSWER)
    assert "As of must be a date like 2020-03-01" in respond(idx, "Q?", [], as_of="yesterday")[0]["content"]
    assert "Number of sources must be from 1 to 20" in respond(idx, "Q?", [], k=50)[0]["content"]
    assert not idx.calls


def test_respond_shows_the_time_window_and_as_of() -> None:
    windowed = Answer(question="What happened last week?", text="The bridge reopened. [1]",
                      citations=[_cite(1, "The bridge reopened.")], time_window=("2020-06-13", "2020-06-20"),
                      filters={"since": "2020-06-13", "until": "2020-06-20"})
    text = respond(FakeIndex(windowed), "What happened last week?", [], as_of="2020-06-20")[0]["content"]
    assert "*published 2020-06-13 to 2020-06-20; as of 2020-06-20*" in text
    text = respond(FakeIndex(windowed), "What happened last week?", [])[0]["content"]
    assert "published 2020-06-13 to 2020-06-20" in text and "as of" not in text


def test_chat_streams_and_keeps_history_per_call() -> None:
    idx = FakeIndex(ANSWER)
    earlier = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    steps = list(chat(idx, "What did Putin say?", earlier))
    assert [len(h) for _, h in steps] == [4, 5]
    assert steps[0][1][-1]["content"].startswith("Searching")
    assert all(box == "" for box, _ in steps)
    assert idx.calls[0][1] == earlier  # the history before this turn, unchanged
    assert len(earlier) == 2


def test_build_app_without_launching() -> None:
    import gradio as gr

    app = build_app(FakeIndex(ANSWER, top_k=6))
    assert isinstance(app, gr.Blocks)
    names = {fn.api_name for fn in app.fns.values()}
    assert {"ask", "chat"} <= names
    blocks = list(app.blocks.values())
    slider = next(b for b in blocks if isinstance(b, gr.Slider))
    assert (slider.label, slider.minimum, slider.maximum, slider.value) == ("Number of sources", 1, 20, 6)
    as_of = next(b for b in blocks if isinstance(b, gr.Textbox) and b.label == "As of (YYYY-MM-DD)")
    ask = next(fn for fn in app.fns.values() if fn.api_name == "chat")
    assert slider in ask.inputs and as_of in ask.inputs
    upload = next(b for b in blocks if isinstance(b, gr.File))
    assert upload.file_count == "multiple" and set(upload.file_types) == SUPPORTED_SUFFIXES


class FakeIngestIndex(FakeIndex):
    """Records what it was asked to ingest and reports every file as added."""

    def __init__(self, home: Path) -> None:
        super().__init__(home=home)
        self.ingested: list[list[Path]] = []

    def ingest(self, paths, progress=None):  # noqa: ANN001, ANN201
        from rag.types import IngestReport

        assert progress is False
        self.ingested.append(list(paths))
        return IngestReport(added=len(paths))


def test_add_articles_keeps_uploads_inside_the_upload_dir(tmp_path: Path) -> None:
    src = tmp_path / "client" / "a" / "b"
    (tmp_path / "client" / "etc").mkdir(parents=True)
    src.mkdir(parents=True)
    (tmp_path / "client" / "etc" / "passwd.txt").write_text("Lindmark news.\n")
    idx = FakeIngestIndex(tmp_path / "home")
    out = add_articles(idx, [str(src / ".." / ".." / "etc" / "passwd.txt")])
    uploads = (tmp_path / "home" / "uploads").resolve()
    assert idx.ingested == [[uploads / "passwd.txt"]] and (uploads / "passwd.txt").read_text() == "Lindmark news.\n"
    assert out.startswith("**1 added, 0 updated, 0 unchanged, 0 failed**")
    assert not (tmp_path / "home" / "etc").exists()


def test_safe_name_strips_directories_and_dots() -> None:
    assert _safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert _safe_name("..\\..\\windows\\evil.md") == "evil.md"
    assert _safe_name("..") == "upload" and _safe_name(".hidden.txt") == "hidden.txt"
    assert _safe_name("a<b>|c.html") == "a_b_c.html"


def test_add_articles_refuses_bad_files(tmp_path: Path) -> None:
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    (tmp_path / "ok.md").write_text("A short article.\n")
    home = tmp_path / "home"
    (home / "uploads").mkdir(parents=True)
    (home / "uploads" / "link.txt").symlink_to(tmp_path / "outside.txt")  # planted: resolves outside
    (tmp_path / "link.txt").write_text("Text.\n")
    idx = FakeIngestIndex(home)
    out = add_articles(idx, [tmp_path / "tool.exe", tmp_path / "big.txt", tmp_path / "link.txt",
                             tmp_path / "ok.md", tmp_path / "missing.txt"], max_bytes=1024)
    assert out.splitlines()[0] == "**1 added, 0 updated, 0 unchanged, 4 failed**"
    assert f"tool.exe: unsupported file type '.exe' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})" in out
    assert "big.txt: larger than 0.000976562 MB" in out
    assert "link.txt: refused: the name points outside the upload directory" in out
    assert "missing.txt: the upload could not be read" in out
    assert idx.ingested == [[(home / "uploads" / "ok.md").resolve()]]
    assert not (tmp_path / "outside.txt").exists() and not (home / "uploads" / "tool.exe").exists()
    assert add_articles(idx, []) == "Choose one or more files first." and len(idx.ingested) == 1


def test_add_articles_default_cap_is_20_mb(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.truncate(20 * 2**20 + 1)  # sparse: no 20 MB written
    idx = FakeIngestIndex(tmp_path / "home")
    assert "huge.txt: larger than 20 MB (20.0 MB)" in add_articles(idx, [big]) and not idx.ingested


def test_add_articles_ingests_for_real(tmp_path: Path) -> None:
    from rag.index import NewsIndex

    article = tmp_path / "lindmark.txt"
    article.write_text("Lindmark ferry strike ends\n\nFerry workers in Lindmark ended their strike on Tuesday "
                       "after the port authority agreed to a nine percent pay rise.\n")
    (tmp_path / "broken.json").write_text("{not json")
    idx = NewsIndex(tmp_path / "index", Settings(home=tmp_path))
    out = add_articles(idx, [article, tmp_path / "broken.json"])
    assert out.splitlines()[0] == "**1 added, 0 updated, 0 unchanged, 1 failed**", out
    assert out.splitlines()[1].startswith("- broken.json")  # no server path shown
    assert str(tmp_path) not in out
    assert add_articles(idx, [article]).startswith("**0 added, 0 updated, 1 unchanged, 0 failed**")
    assert idx.stats().articles == 1


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from rag.config import Settings
    from rag.index import NewsIndex

    tmp = tmp_path_factory.mktemp("ui_index")
    idx = NewsIndex(tmp / "index", Settings(home=tmp))
    report = idx.ingest([CORPUS], progress=False)
    assert report.ok and report.added >= 1, report.summary()
    return idx


def _handler(app):  # noqa: ANN001, ANN202
    return next(fn.fn for fn in app.fns.values() if fn.api_name == "chat")


def test_real_stack_turn(real_index) -> None:  # noqa: ANN001
    app = build_app(real_index)
    *_, (box, history) = _handler(app)("What did Putin say about weapons supply?", [], "", "", [], 8, "", "extractive")
    answer, sources = history[-2], history[-1]
    assert box == "" and history[0] == {"role": "user", "content": "What did Putin say about weapons supply?"}
    assert "stop supplying weapons" in answer["content"] and "[1]" in answer["content"]
    assert sources["metadata"]["title"] == "Sources" and "Baonghean.vn" in sources["content"]


def test_real_stack_as_of(real_index) -> None:  # noqa: ANN001
    """A time in the question is read against the page's as-of date; the seed corpus has no dates,
    so the page says the time could not narrow anything, above the answer."""
    msgs = respond(real_index, "What did Putin say about weapons last week?", [], as_of="2024-02-14", k=2)
    assert msgs[0]["content"].startswith("*No article in the corpus has a publication date, so “last week” could not")
    assert "stop supplying weapons" in msgs[0]["content"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _content(message: dict) -> str:
    """A served message's text: Gradio sends content back as a list of parts."""
    content = message["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:gradio.queueing")
def test_served_page_answers_a_client(real_index) -> None:  # noqa: ANN001
    from gradio_client import Client

    from ui.app import serve

    app = serve(real_index, port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(app.local_url, verbose=False, download_files=False)
        box, history = client.predict("Who signed in Istanbul?", [], "", "", [], 8, "", "extractive", api_name="/chat")
        assert box == "" and len(history) == 3
        assert history[-1]["metadata"]["title"] == "Sources" and "Arakhamia" in _content(history[-2])
        # the history comes back with its source box; a follow-up still works
        _, history = client.predict("What did he say about weapons?", history, "", "", [], 8, "", "extractive", api_name="/chat")
        assert len(history) == 6 and "[1]" in _content(history[-2])
    finally:
        app.close()


def test_sources_show_the_paragraph_with_the_span_marked() -> None:
    idx = FakeIndex(ANSWER)
    src = respond(idx, "What did Putin say?", [])[1]["content"]
    assert "> <mark>you need to stop supplying weapons</mark>, Putin said on Thursday." in src
    assert "second paragraph" not in src and "Other." not in src  # only the span's own paragraph
    assert "Title 1 — Baonghean.vn, 2024-02-09" in src and "https://example.com/1" in src  # the title line stays
    # hostile text around and inside the span stays escaped: the only tags are our <mark> pairs
    assert re.findall(r"(?<![\\(])<[^>]*>", src) == ["<mark>", "</mark>"] * 2  # (<url>) is a link target
    assert "<mark>\\<script\\>alert(1)\\</script\\> \\*bold\\* \\[x\\](javascript:alert(1))</mark>" in src
    assert " and more \\<b\\>text\\</b\\>" in src
    assert idx.fetched == ["a1", "a2"]  # once per cited article


def test_sources_fetch_each_article_once_and_fall_back_to_the_quote() -> None:
    idx = FakeIndex(ANSWER)
    cites = [_cite(1, "you need to stop supplying weapons"), _cite(2, "Putin said", article_id="a1", start=36, end=46),
             _cite(3, "moved quote", article_id="a9"), _cite(4, "not there", article_id="a1", start=0, end=9)]
    src = _sources_text(cites, idx)
    assert idx.fetched == ["a1", "a9"]
    assert "> you need to stop supplying weapons, <mark>Putin said</mark> on Thursday." in src
    assert "> moved quote" in src and "> not there" in src  # no article text / quote not in it: the quote alone
    assert _sources_text(cites[:1]).endswith("> you need to stop supplying weapons")  # no index: the quote


def test_sources_long_paragraph_is_cut_around_the_span() -> None:
    from rag.render import PARAGRAPH_MAX, WINDOW

    words = " ".join(f"w{i}" for i in range(600))
    text = f"{words} THE QUOTED SPAN. {words}"
    start = text.index("THE QUOTED")
    idx = FakeIndex(ANSWER)
    ARTICLES["long"] = text
    try:
        src = _sources_text([_cite(1, "THE QUOTED SPAN.", article_id="long", start=start, end=start + 16)], idx)
    finally:
        del ARTICLES["long"]
    quote = src.split("\n\n> ", 1)[1]
    assert len(text) > PARAGRAPH_MAX and quote.startswith("…w") and quote.endswith("…")
    assert "<mark>THE QUOTED SPAN.</mark>" in quote and len(quote) < 2 * WINDOW + 60


def test_header_says_when_the_index_was_updated() -> None:
    line = header(replace(STATS, last_ingested="2024-03-01T10:20:30+00:00"))
    assert line.startswith("2 articles from 2 outlets, 2024-02-08 to 2024-02-09 · updated 2024-03-01 · model")
    assert "updated" not in header(STATS)


def test_default_examples_follow_the_corpus() -> None:
    assert default_examples(STATS) == ["What did Putin say about weapons supply?", "Who signed in Istanbul?"]
    idx = FakeIndex()
    listed = [StoredArticle("1", "Old story", published="2019-01-02"),
              StoredArticle("2", "Flooding closes\nthe A1 motorway.", published="2021-05-03"),
              StoredArticle("3", "Undated story"), StoredArticle("4", "Talks resume in Geneva!", published="2021-05-04")]
    idx.articles = lambda: listed  # type: ignore[method-assign]
    stats = IndexStats(articles=4, sources={"Wikinews": 4}, last_date="2021-05-04")
    assert default_examples(stats, idx) == ["What is the latest on Talks resume in Geneva?",
                                            "What is the latest on Flooding closes the A1 motorway?",
                                            "What happened in May 2021?"]
    listed.append(StoredArticle("5", "Chilean authorities report first COVID-19 case as the country's health "
                                     "ministry confirms", published="2021-06-01"))
    assert "Chilean" not in " ".join(default_examples(stats, idx))  # a long headline is left out, never cut
    quotes = [QuoteHit(Quote("Hello", 0, 5, who, "named", 0, 5), "2", "t", "Wire", "", "2021-05-03", "ctx")
              for who in ("Ingrid Solvang", "Per Holm", "Ingrid Solvang", "Solvang")]
    idx.quotes = lambda k=20: quotes  # type: ignore[attr-defined]
    assert default_examples(stats, idx) == ["What did Ingrid Solvang say?",
                                            "What is the latest on Talks resume in Geneva?",
                                            "What happened in May 2021?"]
    assert default_examples(IndexStats(articles=1, sources={"X": 1}), FakeIndex()) == []  # no articles, no dates
    import gradio as gr

    app = build_app(_with_stats(idx, stats))
    ds = next(b for b in app.blocks.values() if isinstance(b, gr.Dataset) and b.label == "Examples")
    assert [row[0] for row in ds.samples] == default_examples(stats, idx)


def _with_stats(idx: FakeIndex, stats: IndexStats) -> FakeIndex:
    idx.stats = lambda: stats  # type: ignore[method-assign]
    return idx


# -- newsrag serve: who may listen where -------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """`newsrag serve` runs up to the launch; the launch is recorded instead."""
    import rag.cli
    import ui.app

    calls: list[dict] = []
    monkeypatch.setattr(ui.app, "serve", lambda index, **kw: calls.append({"index": index, **kw}))
    monkeypatch.setattr(rag.cli, "_index", lambda args, create=False: "the-index")
    for var in ("RAG_UI_AUTH", "RAG_HOST", "RAG_PORT"):
        monkeypatch.delenv(var, raising=False)
    return calls


def test_serve_on_localhost_needs_no_login(served: list[dict]) -> None:
    from rag.cli import main

    assert main(["serve", "--port", "7999"]) == 0
    assert served == [{"index": "the-index", "host": "127.0.0.1", "port": 7999, "auth": None}]


def test_serve_refuses_a_public_host_without_a_login(served: list[dict], capsys: pytest.CaptureFixture) -> None:
    from rag.cli import main

    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--host 0.0.0.0" in err and "RAG_UI_AUTH=user:password" in err and "--no-auth" in err
    assert served == []


def test_serve_public_host_with_login_or_no_auth(served: list[dict], monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    from rag.cli import main

    monkeypatch.setenv("RAG_UI_AUTH", "reader:se:cret")
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert served[-1]["auth"] == ("reader", "se:cret") and served[-1]["host"] == "0.0.0.0"
    assert main(["serve"]) == 0 and served[-1]["auth"] == ("reader", "se:cret")  # set: used on localhost too
    monkeypatch.delenv("RAG_UI_AUTH")
    with caplog.at_level("WARNING"):
        assert main(["serve", "--host", "0.0.0.0", "--no-auth"]) == 0
    assert served[-1]["auth"] is None and "without a login (--no-auth)" in caplog.text


def test_serve_malformed_login_is_an_error(served: list[dict], monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture) -> None:
    from rag.cli import main

    for bad in ("readerpassword", ":secret", "reader:"):
        monkeypatch.setenv("RAG_UI_AUTH", bad)
        assert main(["serve"]) == 2
        assert "RAG_UI_AUTH must be user:password" in capsys.readouterr().err
    assert served == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_served_page_with_login_refuses_strangers() -> None:
    """A real launch with auth: the config and the API answer 401 until the login is posted."""
    import httpx

    from ui.app import serve

    app = serve(FakeIndex(ANSWER), host="127.0.0.1", port=_free_port(), auth=("reader", "s3cret"),
                prevent_thread_lock=True, quiet=True)
    try:
        url = app.local_url.rstrip("/")
        with httpx.Client(base_url=url, timeout=30) as anon:
            for path in ("/config", "/gradio_api/info", "/gradio_api/openapi.json"):
                assert anon.get(path).status_code == 401, path
            assert anon.post("/gradio_api/call/ask", json={"data": ["Q?", [], "", "", [], 8, ""]}).status_code == 401
            assert anon.post("/login", data={"username": "reader", "password": "wrong"}).status_code == 400
            assert anon.get("/config").status_code == 401
        with httpx.Client(base_url=url, timeout=30) as user:
            got = user.post("/login", data={"username": "reader", "password": "s3cret"})
            assert got.status_code == 200 and got.json() == {"success": True}
            config = user.get("/config")
            assert config.status_code == 200 and "components" in config.json()
            assert user.get("/gradio_api/info").status_code == 200
    finally:
        app.close()


def test_the_answer_note_shows_as_of_and_coverage() -> None:
    a = Answer(question="q", text="x [1]", as_of="2020-01-02", coverage=("2019-01-04", "2020-12-28"))
    assert answer_markdown(view(a)).endswith("*newest source 2020-01-02; corpus covers 2019-01-04 to 2020-12-28*")


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:gradio.queueing")
def test_the_documented_ask_endpoint_returns_structured_citations(real_index) -> None:  # noqa: ANN001
    """`ask` is listed under "Use via API" with named parameters, asks for the page's login, and
    returns the answer as data whose citations point at the article's exact text."""
    from gradio_client import Client

    from ui.app import serve

    login = ("reader", "s3cret")
    app = serve(real_index, port=_free_port(), auth=login, prevent_thread_lock=True, quiet=True)
    try:
        with pytest.raises(Exception):  # no login, no API
            Client(app.local_url, verbose=False)
        client = Client(app.local_url, auth=login, verbose=False, download_files=False)
        api = client.view_api(return_format="dict", print_info=False)
        assert "/ask" in api["named_endpoints"] and "/chat" not in api["named_endpoints"]
        params = [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]]
        assert params == ["question", "history", "since", "until", "outlets", "k", "answerer"]
        got = client.predict("Who signed in Istanbul?", api_name="/ask")
        assert not got["abstained"] and "Arakhamia" in got["text"] and "[1]" in got["text"]
        for c in got["citations"]:
            assert real_index.article(c["article_id"]).text[c["start"]:c["end"]] == c["quote"]
            assert c["source"] == "Baonghean.vn" and f"[{c['n']}]" in got["text"]
        history = [{"role": "user", "content": "Who signed in Istanbul?"}, {"role": "assistant", "content": got["text"]}]
        more = client.predict("What did he say about weapons?", history=history, k=4, api_name="/ask")
        assert more["search_query"] != "What did he say about weapons?"  # a follow-up: searched with its context
        bad = pytest.raises(Exception, match="since must be a date")
        with bad:
            client.predict("Anything?", since="last week", api_name="/ask")
    finally:
        app.close()
