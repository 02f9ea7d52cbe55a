"""The Gradio page: a chat over one NewsIndex, every answer followed by a collapsible source box.

    from rag.index import NewsIndex
    from ui.app import serve
    serve(NewsIndex("data/news"))          # http://127.0.0.1:7860

Gradio is imported inside the functions that need it, so `import ui.app` stays cheap and offline.
Conversation state lives in each browser session's Chatbot value: nothing here is global.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.loaders import SUPPORTED_SUFFIXES
from rag.types import Answer, Citation, escape_markdown, safe_url

log = logging.getLogger(__name__)

Message = dict[str, Any]
SEARCHING = "Searching the corpus…"
MAX_K = 20  # the "number of sources" slider's upper end
MAX_UPLOAD_MB = 20  # per uploaded file; Gradio enforces it too (launch(max_file_size=...))
UPLOAD_DIR = "uploads"  # under index.settings.home
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
BAONGHEAN_EXAMPLES = ["What did Putin say about weapons supply?", "Who signed in Istanbul?"]
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\](?![(:\[])")  # an escaped [n] that can't start a link


def _text(s: str) -> str:
    """Untrusted article text as inert Markdown (no HTML, links, emphasis or strikethrough)."""
    return escape_markdown(s).replace("~", "\\~")


def _answer_text(answer: Answer, as_of: str | None = None) -> str:
    """The answer, escaped, with its [n] markers left readable, then a note of what was applied."""
    body = _ESCAPED_MARKER.sub(r"[\1]", _text(answer.text))
    if answer.abstained:
        body = f"**No cited answer.** {body}"
    notes = []
    if answer.search_query and answer.search_query != answer.question:
        notes.append(f"searched for: {_text(answer.search_query)}")
    window = answer.time_window or (answer.filters.get("since"), answer.filters.get("until"))
    if any(window):
        notes.append(f"published {window[0] or '…'} to {window[1] or '…'}")
        if as_of and answer.time_window:  # the window came from the question, counted from as_of
            notes.append(f"as of {as_of}")
    if answer.filters.get("sources"):
        notes.append("outlets: " + ", ".join(_text(s) for s in answer.filters["sources"]))
    if answer.as_of:
        notes.append(f"newest source {answer.as_of}")
    if answer.coverage:
        notes.append(f"corpus covers {answer.coverage[0]} to {answer.coverage[1]}")
    return body + (f"\n\n*{'; '.join(notes)}*" if notes else "")


def _link(url: str) -> str:
    """A Markdown link for http(s) URLs only ('' otherwise: no javascript: or data: links)."""
    if not safe_url(url):
        return ""
    return f"[{_text(url)}](<{url}>)"


PARAGRAPH_MAX = 700  # longer paragraphs are cut to a window around the quoted span
WINDOW = 300  # characters kept on each side of the span in that window


def _escape_piece(s: str) -> str:
    """`_text(s)` that keeps one space where `s` began or ended with whitespace (escaping collapses it)."""
    body = _text(s)
    if not body:
        return " " if s and s.isspace() else ""
    return (" " if s[:1].isspace() else "") + body + (" " if s[-1:].isspace() else "")


def _paragraph(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, span, after): the paragraph of `text` around `text[start:end]` (bounded by newlines),
    cut to WINDOW characters each side of the span, at a word, with '…' when it is long."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    before, span, after = text[lo:start], text[start:end], text[end:hi]
    if hi - lo > PARAGRAPH_MAX:
        if len(before) > WINDOW:
            cut = before[-WINDOW:]
            before = "…" + (cut.split(" ", 1)[1] if " " in cut[:40] else cut)
        if len(after) > WINDOW:
            cut = after[:WINDOW]
            after = (cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut) + "…"
    return before, span, after


def _quote_in_context(c: Citation, text: str | None) -> str:
    """The citation's paragraph, escaped, with the quoted span in <mark> (the quote alone when the
    article text is unavailable or its offsets don't hold the quote)."""
    start, end = c.start, c.end
    if text and text[start:end] != c.quote:  # offsets stale or normalised: look for the quote itself
        found = text.find(c.quote) if c.quote else -1
        start, end = (found, found + len(c.quote)) if found >= 0 else (-1, -1)
    if not text or start < 0 or end <= start:
        return _text(c.quote)
    before, span, after = _paragraph(text, start, end)
    # <mark> is a standard tag Gradio's sanitizer keeps; everything inside and around it is escaped text
    return (_escape_piece(before) + "<mark>" + _text(span) + "</mark>" + _escape_piece(after)).strip()


def _article_texts(index: Any, citations: Sequence[Citation]) -> dict[str, str | None]:
    """Each cited article's full text, fetched once per article (None when unavailable)."""
    texts: dict[str, str | None] = {}
    fetch = getattr(index, "article", None)
    for c in citations:
        if c.article_id in texts:
            continue
        texts[c.article_id] = None
        if fetch is None:
            continue
        try:
            got = fetch(c.article_id)
        except Exception:  # the quote alone is still a good source box
            log.exception("fetching article %r failed", c.article_id)
            continue
        if got and isinstance(got.get("text"), str):
            texts[c.article_id] = got["text"]
    return texts


def _sources_text(citations: Sequence[Citation], index: Any = None) -> str:
    """One entry per citation: '[n] title — outlet, date', its link, and, as a blockquote, the
    paragraph it comes from with the quoted span marked (the quote alone without `index`)."""
    texts = _article_texts(index, citations) if index is not None else {}
    entries = []
    for c in citations:
        meta = ", ".join(_text(p) for p in (c.source, c.published or "") if p)
        head = f"**[{c.n}]** {_text(c.title)}" + (f" — {meta}" if meta else "")
        if c.supported is False:
            head += " *(not clearly supported by this passage)*"
        link = _link(c.url)
        quote = _quote_in_context(c, texts.get(c.article_id))
        entries.append(head + (f"  \n{link}" if link else "") + f"\n\n> {quote}")
    return "\n\n".join(entries)


def _say(content: str, **metadata: str) -> Message:
    """An assistant message (a collapsible box when `metadata` has a title)."""
    return {"role": "assistant", "content": content, **({"metadata": metadata} if metadata else {})}


def _check_date(name: str, value: str) -> str | None:
    """'' -> None; an ISO date as is; anything else a RagError that says what to type."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        raise RagError(f"{name} must be a date like 2020-03-01, not {value!r}.") from None
    return value


def _check_k(k: float | int | str | None) -> int | None:
    """The slider's value as a passage count (None: the index's default)."""
    if k in (None, ""):
        return None
    try:
        n = int(float(k))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RagError(f"Number of sources must be a whole number from 1 to {MAX_K}, not {k!r}.") from None
    if not 1 <= n <= MAX_K:
        raise RagError(f"Number of sources must be from 1 to {MAX_K}, not {n}.")
    return n


def respond(
    index: Any, message: str, history: Sequence[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None, k: float | int | None = None, as_of: str = "",
) -> list[Message]:
    """The assistant messages answering `message`: the answer text, then a collapsible source box.
    `k` passages are given to the answerer (None: the index's setting); `as_of` ('' = today) is
    the day a time in the question ("last week") counts from. Errors come back as one readable
    message, never a stack trace."""
    if not (message or "").strip():
        return [_say("Ask a question about the news in the corpus.")]
    try:
        window = {"since": _check_date("Since", since), "until": _check_date("Until", until)}
        day = _check_date("As of", as_of)
        answer = index.query(message.strip(), list(history or []), **window, sources=tuple(sources or ()),
                             k=_check_k(k), as_of=day)
    except RagError as e:  # its message says what to do
        return [_say(str(e))]
    except Exception as e:  # last resort: the page must keep working
        log.exception("answering %r failed", message)
        return [_say(f"Something went wrong ({type(e).__name__}); the details are in the server log. "
                     "Try again, or rephrase the question.")]
    out = [_say(_answer_text(answer, day))]
    cited = answer.citations or answer.related
    if cited:
        title = "Related coverage" if answer.abstained else "Sources"
        out.append(_say(_sources_text(cited, index), title=title, status="done"))
    return out


def chat(
    index: Any, message: str, history: list[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None, k: float | int | None = None, as_of: str = "",
) -> Iterator[tuple[str, list[Message]]]:
    """The page's handler: yields (textbox value, chatbot value) as the turn progresses."""
    history = list(history or [])
    if not (message or "").strip():
        yield "", history
        return
    turn = history + [{"role": "user", "content": message}]
    yield "", turn + [_say(SEARCHING)]
    new = respond(index, message, history, since, until, sources, k, as_of)
    for i in range(1, len(new) + 1):
        yield "", turn + new[:i]


def _safe_name(name: str) -> str:
    """A client-chosen file name as a plain basename: no directories, no leading dots, no odd characters."""
    base = re.split(r"[\\/]", name)[-1]  # Windows names too
    base = _UNSAFE_NAME.sub("_", base).strip(" ").lstrip(".")
    stem, suffix = os.path.splitext(base)
    return (stem[:100] or "upload") + suffix[:10]


def _upload_one(src: Path, dest_dir: Path, max_bytes: int) -> Path | str:
    """Copy one upload into `dest_dir`; its new path, or why it was refused."""
    name = _safe_name(src.name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return (f"unsupported file type '{suffix or '(none)'}' "
                f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    try:
        size = src.stat().st_size
    except OSError:
        return "the upload could not be read"
    if size > max_bytes:
        return f"larger than {max_bytes / 2**20:g} MB ({size / 2**20:.1f} MB)"
    dest = (dest_dir / name).resolve()
    if dest.parent != dest_dir.resolve():  # e.g. a symlink planted in the upload directory
        return "refused: the name points outside the upload directory"
    try:
        shutil.copyfile(src, dest)
    except OSError as e:
        return f"could not be saved ({e.strerror or type(e).__name__})"
    return dest


def add_articles(index: Any, files: Sequence[str | os.PathLike | None] | None,
                 max_bytes: int = MAX_UPLOAD_MB * 2**20) -> str:
    """Copy uploaded files into `<home>/uploads/` under safe basenames, ingest them, and say what
    happened (Markdown): added/updated/unchanged/failed, with a reason for every failure."""
    paths = [Path(f) for f in files or () if f]
    if not paths:
        return "Choose one or more files first."
    dest_dir = Path(index.settings.home) / UPLOAD_DIR
    dest_dir.mkdir(parents=True, exist_ok=True)
    accepted: list[Path] = []
    failed: list[tuple[str, str]] = []
    for src in paths:
        got = _upload_one(src, dest_dir, max_bytes)
        if isinstance(got, Path):
            accepted.append(got)
        else:
            failed.append((src.name, got))
    added = updated = unchanged = 0
    if accepted:
        try:
            report = index.ingest(accepted, progress=False)
        except RagError as e:
            return f"**Nothing was added.** {_text(str(e))}"
        except Exception as e:  # the page must keep working
            log.exception("ingesting uploads %s failed", accepted)
            return f"**Nothing was added:** something went wrong ({type(e).__name__}); the details are in the server log."
        added, updated, unchanged = report.added, report.updated, report.unchanged
        for f in report.failed:  # show names relative to the upload dir, not server paths
            where = f.where.replace(str(dest_dir.resolve()) + os.sep, "").replace(str(dest_dir) + os.sep, "")
            failed.append((where, f.reason))
    lines = [f"**{added} added, {updated} updated, {unchanged} unchanged, {len(failed)} failed**"]
    lines += [f"- {_text(where)}: {_text(reason)}" for where, reason in failed]
    return "\n".join(lines)


def add_urls(index: Any, text: str) -> str:
    """Ingest pasted page and RSS/Atom feed URLs (one a line) as a `.urls` upload."""
    urls = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not urls:
        return "Paste one or more URLs first."
    bad = [u for u in urls if not re.match(r"https?://\S+$", u)]
    if bad:
        return "**Nothing was added.** Not http(s) URLs: " + ", ".join(_text(u) for u in bad[:5])
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}.urls"
        listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
        return add_articles(index, [listing])


def newest_titles(index: Any, n: int = 2) -> list[str]:
    """The titles of the `n` most recently published articles in `index` (dated ones only)."""
    store = getattr(index, "store", None)
    if store is None or not hasattr(store, "iter_articles"):
        return []
    try:
        dated = [(meta.get("published") or "", meta.get("title") or "")
                 for _, meta, _ in store.iter_articles()]
    except Exception:  # examples are a nicety: never break the page for them
        log.exception("listing articles for examples failed")
        return []
    dated = sorted(((d, t) for d, t in dated if d and t.strip()), reverse=True)
    titles: list[str] = []
    for _, t in dated:
        if t not in titles:
            titles.append(t)
        if len(titles) == n:
            break
    return titles


_TRAILING = re.compile(r"[\s.!?:;,…]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _about(title: str, limit: int = 120) -> str:
    """A title fit to sit in a question: one line, no trailing punctuation, not too long."""
    t = " ".join(_CONTROL.sub(" ", title).split())
    if len(t) > limit:
        t = t[:limit].rsplit(" ", 1)[0]
    return _TRAILING.sub("", t)


def default_examples(stats: dict[str, Any], index: Any = None) -> list[str]:
    """Example questions that suit what the index holds: the Baonghean pair when that outlet is
    there; otherwise 'What is the latest on <title>?' for the two newest dated articles, and the
    month of the newest article (at most 3)."""
    if "Baonghean.vn" in stats.get("sources", {}):
        return list(BAONGHEAN_EXAMPLES)
    out = [f"What is the latest on {t}?" for t in map(_about, newest_titles(index, 2) if index is not None else [])
           if t]
    last = stats.get("last_date")
    if last:
        try:
            out.append(f"What happened in {date.fromisoformat(last[:10]).strftime('%B %Y')}?")
        except ValueError:
            pass
    return out[:3]


def header(stats: dict[str, Any]) -> str:
    """One line saying what the corpus holds and when it was last updated."""
    if not stats.get("articles"):
        return "The index is empty: add articles below (*Add articles*), or with `newsrag ingest PATH...`."
    n, outlets = stats["articles"], len(stats.get("sources", {}))
    line = f"{n} article{'s' * (n != 1)} from {outlets} outlet{'s' * (outlets != 1)}"
    if stats.get("first_date"):
        line += f", {stats['first_date']} to {stats['last_date']}"
    if stats.get("last_ingested"):
        line += f" · updated {str(stats['last_ingested'])[:10]}"
    return f"{line} · model `{stats.get('model', '')}`"


def build_app(index: Any, examples: list[str] | None = None) -> Any:
    """The page as a gr.Blocks over `index` (not launched)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no phoning home
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import gradio as gr

    stats = index.stats()
    outlets = [s for s in stats.get("sources", {}) if s != "(unknown)"]
    examples = default_examples(stats, index) if examples is None else examples

    with gr.Blocks(title="newsrag") as app:
        title = gr.Markdown("# newsrag\n" + header(stats))
        chatbot = gr.Chatbot(label="Answers", height=520, latex_delimiters=[], allow_tags=False,
                             feedback_options=None, buttons=["copy"])
        with gr.Row():
            box = gr.Textbox(placeholder="Ask about the news…", show_label=False, scale=8, autofocus=True)
            ask = gr.Button("Ask", variant="primary", scale=1)
        gr.ClearButton([box, chatbot], value="Clear")
        with gr.Accordion("Filters", open=False):
            with gr.Row():
                since = gr.Textbox(label="Since (YYYY-MM-DD)", placeholder="2020-01-01")
                until = gr.Textbox(label="Until (YYYY-MM-DD)", placeholder="2020-12-31")
            picked = gr.Dropdown(outlets, value=[], multiselect=True, label="Outlets (all when empty)")
            with gr.Row():
                k = gr.Slider(1, MAX_K, value=min(max(index.settings.top_k, 1), MAX_K), step=1,
                              label="Number of sources", info="passages given to the answerer")
                as_of = gr.Textbox(label="As of (YYYY-MM-DD)", placeholder="today",
                                   info='the day "last week" or "this year" counts from; empty = today')
        with gr.Accordion("Add articles", open=False):
            uploads = gr.File(label=f"Articles ({', '.join(sorted(SUPPORTED_SUFFIXES))}; up to {MAX_UPLOAD_MB} MB each)",
                              file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), type="filepath")
            pasted = gr.Textbox(label="…or paste article and RSS/Atom feed URLs, one a line", lines=3,
                                placeholder="https://example.org/news/feed.xml")
            add = gr.Button("Add to the index")
            added = gr.Markdown()
        if examples:
            gr.Examples([[q] for q in examples], inputs=[box], label="Examples")

        def handle_upload(files: list[str] | None, urls: str) -> tuple[str, str, Any, None, str]:
            reports = []
            if files or not (urls or "").strip():
                reports.append(add_articles(index, files))
            if (urls or "").strip():
                reports.append(add_urls(index, urls))
            now = index.stats()
            choices = [s for s in now.get("sources", {}) if s != "(unknown)"]
            return "\n\n".join(reports), "# newsrag\n" + header(now), gr.Dropdown(choices=choices), None, ""

        add.click(handle_upload, inputs=[uploads, pasted], outputs=[added, title, picked, uploads, pasted],
                  concurrency_id="ask", api_visibility="private")  # never alongside a question

        def handle(message: str, history: list[Message], since_: str, until_: str, sources: list[str],
                   k_: float, as_of_: str) -> Iterator[tuple[str, list[Message]]]:
            yield from chat(index, message, history, since_, until_, sources, k_, as_of_)

        # One shared queue for both triggers: one question at a time against the shared index.
        io = {"inputs": [box, chatbot, since, until, picked, k, as_of], "outputs": [box, chatbot],
              "concurrency_id": "ask"}
        box.submit(handle, **io, api_name="ask", api_visibility="undocumented")
        ask.click(handle, **io, api_visibility="private")
    return app


def serve(index: Any, host: str | None = None, port: int | None = None,
          auth: tuple[str, str] | None = None, **launch: Any) -> Any:
    """Build the page and serve it (blocks until stopped unless `prevent_thread_lock=True`).
    With `auth=(user, password)` every page, file and API route asks for that login first."""
    app = build_app(index)
    launch.setdefault("prevent_thread_lock", False)
    launch.setdefault("max_file_size", f"{MAX_UPLOAD_MB}mb")  # refused before the handler sees it
    launch.setdefault("footer_links", ["gradio", "settings"])  # Gradio 6 has no show_api=: hide the API link
    if auth is not None:
        launch["auth"] = auth
        launch.setdefault("auth_message", "This newsrag page needs a login (RAG_UI_AUTH on the server).")
    log.info("serving %s on http://%s:%s%s", index, host or index.settings.host, port or index.settings.port,
             " (login required)" if auth else "")
    app.launch(server_name=host or index.settings.host, server_port=port or index.settings.port,
               share=False, **launch)
    return app
