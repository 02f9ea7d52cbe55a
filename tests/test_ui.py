"""The Gradio page: `respond` with a fake index (fast), the built Blocks, and one turn on the real stack."""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parents[1]

from rag.config import Settings
from rag.errors import EmptyIndexError
from rag.loaders import SUPPORTED_SUFFIXES
from rag.types import Answer, Citation
from ui.app import _safe_name, add_articles, build_app, chat, respond

CORPUS = ROOT / "corpus"
STATS = {"articles": 2, "chunks": 5, "sources": {"Baonghean.vn": 1, "Reuters": 1},
         "first_date": "2024-02-08", "last_date": "2024-02-09", "model": "fake", "path": "/x"}


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
              as_of=None):  # noqa: ANN001
        kw = {"since": since, "until": until, "sources": sources, "k": k, "as_of": as_of}
        self.calls.append((question, history, kw))
        if self.error:
            raise self.error
        return self.answer

    def stats(self) -> dict:
        return STATS


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
    assert "> you need to stop supplying weapons" in src
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
    assert [len(h) for _, h in steps] == [4, 4, 5]
    assert steps[0][1][-1]["content"].startswith("Searching")
    assert all(box == "" for box, _ in steps)
    assert idx.calls[0][1] == earlier  # the history before this turn, unchanged
    assert len(earlier) == 2


def test_build_app_without_launching() -> None:
    import gradio as gr

    app = build_app(FakeIndex(ANSWER, top_k=6))
    assert isinstance(app, gr.Blocks)
    names = {fn.api_name for fn in app.fns.values()}
    assert "ask" in names
    blocks = list(app.blocks.values())
    slider = next(b for b in blocks if isinstance(b, gr.Slider))
    assert (slider.label, slider.minimum, slider.maximum, slider.value) == ("Number of sources", 1, 20, 6)
    as_of = next(b for b in blocks if isinstance(b, gr.Textbox) and b.label == "As of (YYYY-MM-DD)")
    ask = next(fn for fn in app.fns.values() if fn.api_name == "ask")
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
    assert "tool.exe: unsupported file type '.exe' (supported: .csv, .htm, .html, .json, .jsonl, .md, .txt)" in out
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
    assert idx.stats()["articles"] == 1


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
    return next(fn.fn for fn in app.fns.values() if fn.api_name == "ask")


def test_real_stack_turn(real_index) -> None:  # noqa: ANN001
    app = build_app(real_index)
    *_, (box, history) = _handler(app)("What did Putin say about weapons supply?", [], "", "", [], 8, "")
    answer, sources = history[-2], history[-1]
    assert box == "" and history[0] == {"role": "user", "content": "What did Putin say about weapons supply?"}
    assert "stop supplying weapons" in answer["content"] and "[1]" in answer["content"]
    assert sources["metadata"]["title"] == "Sources" and "Baonghean.vn" in sources["content"]


def test_real_stack_as_of(real_index) -> None:  # noqa: ANN001
    """'last week' counts from the page's as-of date (nothing then: the answer says so and widens)."""
    msgs = respond(real_index, "What did Putin say about weapons last week?", [], as_of="2024-02-14", k=2)
    assert msgs[0]["content"].startswith("Nothing was published between 2024-02-07 and 2024-02-14")
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
        box, history = client.predict("Who signed in Istanbul?", [], "", "", [], 8, "", api_name="/ask")
        assert box == "" and len(history) == 3
        assert history[-1]["metadata"]["title"] == "Sources" and "Arakhamia" in _content(history[-2])
        # the history comes back with its source box; a follow-up still works
        _, history = client.predict("What did he say about weapons?", history, "", "", [], 8, "", api_name="/ask")
        assert len(history) == 6 and "[1]" in _content(history[-2])
    finally:
        app.close()
