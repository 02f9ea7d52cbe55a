"""rag.types: Answer's str/repr/Markdown/dict, escaping of untrusted article text, IngestReport."""

from __future__ import annotations

import json
import re

import pytest

from rag.types import Answer, Article, Chunk, Citation, Failure, Hit, IngestReport, date_int

QUOTE = "you need to stop supplying weapons. The fighting will end in a few weeks"


def cite(n: int, quote: str = QUOTE, **kw) -> Citation:  # noqa: ANN003
    base = dict(article_id=f"a{n}", title=f"Story {n}", source="Baonghean.vn", url=f"https://example.com/{n}",
                published="2024-02-09", quote=quote, start=10, end=10 + len(quote))
    base.update(kw)
    return Citation(n, **base)  # type: ignore[arg-type]


def hit(n: int) -> Hit:
    return Hit(f"a{n}", f"Story {n}", "Reuters", "", "2024-02-09", "chunk text", 0.5, 0, 10, f"a{n}#0", 0.7, 3.2)


def answer(**kw) -> Answer:  # noqa: ANN003
    base = dict(question="What did Putin say about weapons supply?", text=f"{QUOTE} [1]", citations=[cite(1)])
    base.update(kw)
    return Answer(**base)  # type: ignore[arg-type]


# --- str / repr -----------------------------------------------------------------------------
def test_str_is_the_text() -> None:
    a = answer()
    assert str(a) == f"{QUOTE} [1]"
    assert f"{a}" == a.text


def test_repr_is_one_short_line() -> None:
    a = answer()
    r = repr(a)
    assert "\n" not in r and len(r) < 120
    assert r.startswith("<Answer 1 citation") and r.endswith(">")
    assert "you need to stop supplying" in r and r.count("...") == 1  # long text is shortened


def test_repr_of_a_short_answer_is_not_shortened() -> None:
    assert re.fullmatch(r"<Answer 1 citations?: 'Yes\. \[1\]'>", repr(answer(text="Yes. [1]")))


def test_repr_says_abstained() -> None:
    a = Answer(question="Capital of Australia?", text="The corpus doesn't say.", abstained=True)
    assert repr(a) == "<Answer abstained: \"The corpus doesn't say.\">"


def test_hit_and_citation_reprs_are_short() -> None:
    assert repr(hit(1)) == "Hit(0.500, 'Story 1', 'Reuters', 2024-02-09)"
    r = repr(cite(1))
    assert r.startswith("Citation([1] 'Story 1', 'Baonghean.vn', 2024-02-09,") and "\n" not in r


def test_article_repr_does_not_dump_the_text() -> None:
    a = Article("id1", "A title", "x" * 10_000, source="S", published="2020-01-01")
    assert repr(a) == "Article('id1', 'A title', source='S', published='2020-01-01')"


# --- Markdown -------------------------------------------------------------------------------
def test_markdown_has_text_and_numbered_sources() -> None:
    a = answer(citations=[cite(1), cite(2, quote="Second quote.", source="Reuters", url="")],
               text=f"{QUOTE} [1] Second quote. [2]")
    md = a._repr_markdown_()
    assert md.startswith(QUOTE)
    assert "**Sources**" in md and "Related coverage" not in md
    assert "**[1]** Story 1 — Baonghean.vn, 2024-02-09  \n[https\\://example.com/1](<https://example.com/1>)\n\n> " + QUOTE in md
    assert "**[2]** Story 2 — Reuters, 2024-02-09\n\n> Second quote." in md  # no url: no link
    assert md.index("**[1]** Story 1") < md.index("**[2]** Story 2")


def test_markdown_of_an_abstention_shows_related_coverage() -> None:
    a = Answer(question="q", text="The corpus doesn't say.", abstained=True, related=[cite(1)])
    md = a._repr_markdown_()
    assert "**Related coverage**" in md and "**Sources**" not in md and QUOTE in md


def test_markdown_shows_the_time_window() -> None:
    md = answer(time_window=("2020-03-01", "2020-03-31"))._repr_markdown_()
    assert "*published 2020-03-01 to 2020-03-31*" in md


def test_markdown_without_sources_is_just_the_text() -> None:
    a = Answer(question="q", text="Nothing related was found.", abstained=True)
    assert a._repr_markdown_() == "**No cited answer.** Nothing related was found."


EVIL = "<script>alert(1)</script> *bold* [x](javascript:alert(1)) `code` # heading | pipe"


def _unescaped(md: str, pattern: str) -> list[str]:
    return re.findall(r"(?<!\\)" + pattern, md)


@pytest.mark.parametrize("where", ["title", "quote", "source", "text"])
def test_markdown_escapes_untrusted_text(where: str) -> None:
    if where == "text":
        a = answer(text=EVIL)
    else:
        a = answer(citations=[cite(1, **{where: EVIL})])
    md = a._repr_markdown_()
    assert not _unescaped(md, r"<script"), md
    assert not _unescaped(md, r"\]\(javascript:"), md
    assert not _unescaped(md, r"\[x\]"), md
    assert not _unescaped(md, r"\*bold"), md
    assert not _unescaped(md, r"`code"), md
    assert "alert(1)" in md  # the text itself is still shown


def test_markdown_never_links_to_a_javascript_url() -> None:
    """An article with a javascript: (or data:) url must not render a clickable script link in
    Jupyter: only plain http(s) urls are linked (rag/render.py, the same view as the page)."""
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        md = answer(citations=[cite(1, url=url)])._repr_markdown_()
        assert not re.search(r"\]\((?:<)?(?:javascript|data):", md), md


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a) [click](javascript:alert(1))",
     "https://example.com/a>)[click](javascript:alert(1))",
     "https://example.com/a\n[click](javascript:alert(1))"],
)
def test_markdown_link_cannot_be_broken_out_of_by_the_url(url: str) -> None:
    """A url is untrusted data too: one holding ')', '>' or a line break must not end the link
    early and turn the rest into a link of its own."""
    md = answer(citations=[cite(1, url=url)])._repr_markdown_()
    assert not _unescaped(md, r"\]\(<?javascript:"), md


def test_markdown_keeps_quotes_on_one_line() -> None:
    md = answer(citations=[cite(1, quote="line one\n# not a heading\n\nline three")])._repr_markdown_()
    assert "> line one \\# not a heading line three" in md


# --- to_dict ---------------------------------------------------------------------------------
def test_to_dict_is_json_serialisable_and_complete() -> None:
    a = answer(hits=[hit(1)], search_query="q searched", filters={"since": "2020-01-01", "sources": ("Reuters",)},
               time_window=("2020-01-01", "2020-01-31"), timings={"retrieve": 0.1, "answer": 0.2})
    d = json.loads(json.dumps(a.to_dict()))
    assert d["question"] == a.question and d["text"] == a.text and d["abstained"] is False
    assert d["citations"] == [{
        "n": 1, "article_id": "a1", "title": "Story 1", "source": "Baonghean.vn", "url": "https://example.com/1",
        "published": "2024-02-09", "quote": QUOTE, "start": 10, "end": 10 + len(QUOTE), "supported": None,
    }]
    assert d["hits"][0]["chunk_id"] == "a1#0" and d["hits"][0]["dense_score"] == 0.7
    assert d["time_window"] == ["2020-01-01", "2020-01-31"]
    assert d["filters"] == {"since": "2020-01-01", "sources": ["Reuters"]}
    assert d["search_query"] == "q searched" and d["timings"] == {"retrieve": 0.1, "answer": 0.2}
    assert d["related"] == []


def test_to_dict_without_time_window() -> None:
    assert answer().to_dict()["time_window"] is None
    json.dumps(Answer(question="q", text="t").to_dict())


def test_citation_label() -> None:
    assert cite(1).label() == "Story 1 — Baonghean.vn, 2024-02-09"
    assert cite(1, published=None).label() == "Story 1 — Baonghean.vn"
    assert cite(1, published=None, source="").label() == "Story 1"


# --- Article / Chunk / date_int ---------------------------------------------------------------
def test_content_hash_follows_what_readers_see_but_not_origin() -> None:
    a = Article("id", "Title", "Text.", source="S", published="2020-01-01", origin="a.txt")
    assert a.content_hash == Article("id", "Title", "Text.", source="S", published="2020-01-01", origin="b.txt").content_hash
    for change in ({"text": "Text!"}, {"title": "Title2"}, {"source": "T"}, {"published": "2020-01-02"},
                   {"url": "https://x"}, {"author": "A"}):
        fields = {"id": "id", "title": "Title", "text": "Text.", "source": "S", "published": "2020-01-01", **change}
        assert Article(**fields).content_hash != a.content_hash, change


def test_content_hash_fields_do_not_run_together() -> None:
    assert Article("i", "ab", "c").content_hash != Article("i", "a", "bc").content_hash


def test_chunk_id() -> None:
    assert Chunk("https://x/a", 3, 0, 5, "hello").id == "https://x/a#3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2019-01-04", 20190104), ("2020-12-28T10:00:00Z", 20201228), (None, None), ("", None), ("2020-03", None),
     ("March 2020", None)],
)
def test_date_int(value, expected) -> None:  # noqa: ANN001
    assert date_int(value) == expected


# --- IngestReport ------------------------------------------------------------------------------
def test_ingest_report_summary_lists_every_failure() -> None:
    r = IngestReport(added=2, updated=1, unchanged=3, chunks=10, seconds=1.54,
                     failed=[Failure("a/empty.txt", "empty file"), Failure("b.jsonl:2", "invalid JSON: x")])
    assert not r.ok
    assert r.summary() == (
        "2 added, 1 updated, 3 unchanged, 2 failed (10 chunks written in 1.5s)\n"
        "  failed: a/empty.txt: empty file\n"
        "  failed: b.jsonl:2: invalid JSON: x"
    )
    assert repr(r) == "<IngestReport added=2 updated=1 unchanged=3 removed=0 chunks=10 failed=2 in 1.5s>"
    r.removed = 4
    assert r.summary().startswith("2 added, 1 updated, 3 unchanged, 4 removed, 2 failed (")
    d = json.loads(json.dumps(r.to_dict()))
    assert d["failed"] == ["a/empty.txt: empty file", "b.jsonl:2: invalid JSON: x"] and d["added"] == 2


def test_ingest_report_ok() -> None:
    r = IngestReport(added=1, chunks=3, seconds=0.25)
    assert r.ok
    assert r.summary() == "1 added, 0 updated, 0 unchanged, 0 failed (3 chunks written in 0.2s)"
