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
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from rag import feedback
from rag.ask.conversation import message_text
from rag.errors import RagError
from rag.ingest.files import SUPPORTED_SUFFIXES
from rag.render import REJECTED_TITLE, answer_markdown, escape_markdown, rejected_markdown, sources_markdown, view
from rag.types import Answer, AnswerStream, IndexStats

from . import conversations, coverage
from .sources import article_markdown, citations_in, linked, passage_markdown, unlinked

log = logging.getLogger(__name__)

Message = dict[str, Any]
SEARCHING = "Searching the corpus…"
STREAM_EVERY = 0.15  # seconds between re-renders of a streaming answer
MAX_K = 20  # the "number of sources" slider's upper end
MAX_UPLOAD_MB = 20  # per uploaded file; Gradio enforces it too (launch(max_file_size=...))
UPLOAD_DIR = "uploads"  # under index.settings.home
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
BAONGHEAN_EXAMPLES = ["What did Putin say about weapons supply?", "Who signed in Istanbul?"]
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\](?![(:\[])")  # an escaped [n] that can't start a link


def _text(s: str) -> str:
    """Text from outside (a file name, a reason, a URL) as inert Markdown."""
    return escape_markdown(s)


def _article_text(index: Any) -> Any:
    """`article_id -> its text` for the source boxes (None when the article can't be read)."""
    def text(article_id: str) -> str | None:
        try:
            got = index.article(article_id)
        except Exception:  # the quote alone is still a good source box
            log.exception("fetching article %r failed", article_id)
            return None
        return getattr(got, "text", None)

    return text


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
    sources: Sequence[str] | None = None, k: float | int | None = None, as_of: str = "", llm: str | None = None,
) -> list[Message]:
    """The assistant messages answering `message`: the answer text, then a collapsible source box.
    `k` passages are given to the answerer (None: the index's setting); `as_of` ('' = today) is
    the day a time in the question ("last week") counts from; `llm` the answerer (None: the
    index's setting). Errors come back as one readable message, never a stack trace."""
    *_, last = _turn(index, message, history, since, until, sources, k, as_of, llm)
    return last


def _turn(
    index: Any, message: str, history: Sequence[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None, k: float | int | None = None, as_of: str = "", llm: str | None = None,
) -> Iterator[list[Message]]:
    """The assistant's messages as the answer grows (a generated one streams), the finished ones last."""
    if not (message or "").strip():
        yield [_say("Ask a question about the news in the corpus.")]
        return
    try:
        window = {"since": _check_date("Since", since), "until": _check_date("Until", until)}
        day = _check_date("As of", as_of)
        answers = index.query(message.strip(), _for_query(history), **window, sources=tuple(sources or ()),
                              k=_check_k(k), as_of=day, llm=llm, stream=True, fallback=True)
        if isinstance(answers, AnswerStream):
            text, shown = "", time.monotonic()
            for delta in answers:
                text += delta
                if time.monotonic() - shown > STREAM_EVERY:  # don't re-render the page for every token
                    shown = time.monotonic()
                    yield [_say(_text(text) + " ▌")]
            answer = answers.answer
        else:
            answer = answers
    except RagError as e:  # its message says what to do
        yield [_say(str(e))]
        return
    except Exception as e:  # last resort: the page must keep working
        log.exception("answering %r failed", message)
        yield [_say(f"Something went wrong ({type(e).__name__}); the details are in the server log. "
                    "Try again, or rephrase the question.")]
        return
    yield _render(index, answer, day)


def _render(index: Any, answer: Answer, day: str | None) -> list[Message]:
    """A finished answer: its text and notes, then the collapsible source box (rag/render.py)."""
    v = view(answer, article_text=_article_text(index), as_of=day)
    out = [_say(answer_markdown(v, cite=linked))]
    if v.sources:
        out.append(_say(sources_markdown(v, cite=linked), title=v.sources_title, status="done"))
    if v.rejected:  # the LLM's text that failed its check: one click away, never the answer
        out.append(_say(rejected_markdown(v), title=REJECTED_TITLE, status="done"))
    return out


def _for_query(history: Sequence[Message] | None) -> list[Message]:
    """The page's history as the index reads it: plain `[n]` markers, and each answer's cited
    articles (`article_ids`), so a follow-up leans on them as it does in a notebook."""
    out = []
    for m in history or ():
        raw = message_text(m)
        text = unlinked(raw)
        meta = m.get("metadata") if isinstance(m.get("metadata"), dict) else {}
        if m.get("role") == "assistant" and not meta.get("title"):
            ids = list(dict.fromkeys(c["article_id"] for c in citations_in(raw)))
            out.append({"role": "assistant", "content": text, **({"article_ids": ids} if ids else {})})
        else:
            out.append({**m, "content": text})
    return out


def clean_history(history: Any) -> list[Message]:
    """The chat history a client sent, reduced to text: user and assistant turns whose content is
    a string, and our own source boxes' titles. Nothing else survives: a value that names a file
    (a "file" part with a path) would otherwise be copied by Gradio into its cache and served to
    whoever asked, so no part of the client's history is ever handed back as anything but text."""
    out: list[Message] = []
    for m in history if isinstance(history, (list, tuple)) else ():
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        text = message_text(m)
        meta = m.get("metadata") if isinstance(m.get("metadata"), dict) else {}
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""
        if text.strip():
            out.append({"role": m["role"], "content": text, **({"metadata": {"title": title, "status": "done"}} if title else {})})
    return out


def chat(
    index: Any, message: str, history: list[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None, k: float | int | None = None, as_of: str = "", llm: str | None = None,
) -> Iterator[tuple[str, list[Message]]]:
    """The page's handler: yields (textbox value, chatbot value) as the turn progresses. The
    client's `history` is reduced to text first (`clean_history`)."""
    history = clean_history(history)
    message = message if isinstance(message, str) else ""
    if not (message or "").strip():
        yield "", history
        return
    turn = history + [{"role": "user", "content": message}]
    yield "", turn + [_say(SEARCHING)]
    for new in _turn(index, message, history, since, until, sources, k, as_of, llm):
        yield "", turn + new  # the finished answer and its source box in one step: the turn ends with it


def last_question(history: Any) -> tuple[list[Message], str]:
    """(the history before the last question, that question): what retry and undo work on."""
    history = clean_history(history)
    i = max((j for j, m in enumerate(history) if m["role"] == "user"), default=None)
    if i is None:
        return history, ""
    return history[:i], history[i]["content"]


def edited(history: Any, at: int | Sequence[int], value: Any) -> tuple[list[Message], str]:
    """(the history before message `at`, the edited question): what an edit asks again."""
    at = at[0] if isinstance(at, (list, tuple)) else at
    text = message_text({"content": value}) if not isinstance(value, str) else value
    return clean_history(list(history or [])[: max(int(at), 0)]), text


_DETAILS = re.compile(r"^\*[^*].*[^*]\*$|^\*[^*]\*$", re.S)  # a notice or details line: *...*
_UNESCAPE = re.compile(r"\\(.)")


def answer_text(markdown: str) -> str:
    """An answer message's own words (no notices, no details line, no markup) with plain [n] markers."""
    paras = [p for p in unlinked(markdown).split("\n\n") if p.strip() and not _DETAILS.match(p.strip())]
    text = " ".join(paras).replace("**No cited answer.** ", "")
    return _UNESCAPE.sub(r"\1", text).strip()


def verdict(index: Any, history: Any, at: int | Sequence[int], liked: Any) -> feedback.Verdict | None:
    """A reader's 👍/👎 on message `at` (the answer, or its source box) as a Verdict: the question,
    the conversation's earlier questions, the answer's words and what it cited (titles, quotes)."""
    history = clean_history(history)
    at = at[0] if isinstance(at, (list, tuple)) else at
    i = min(int(at), len(history) - 1)
    while i >= 0 and (history[i]["role"] != "assistant" or history[i].get("metadata")):
        i -= 1  # a thumb on the source box rates the answer above it
    if i < 0:
        return None
    turns = [m["content"] for m in history[:i] if m["role"] == "user"]
    if not turns:
        return None
    cited = []
    for c in citations_in(history[i]["content"]):
        got = index.article(c["article_id"])
        text = (got.text or "") if got is not None else ""
        cited.append({**c, "title": getattr(got, "title", ""), "quote": text[c["start"]:c["end"]]})
    up = liked is True or (isinstance(liked, str) and liked.lower() in ("like", "up"))
    return feedback.Verdict(question=turns[-1], turns=turns, answer=answer_text(history[i]["content"]),
                            citations=cited, verdict="up" if up else "down")


def api_answer(index: Any, question: str, history: Sequence[Message] | None = None, since: str = "",
               until: str = "", outlets: Sequence[str] | None = None, k: int | None = None,
               answerer: str | None = None) -> dict[str, Any]:
    """The `ask` endpoint's answer as data: text, citations (with offsets), notes, what was applied."""
    window = {"since": _check_date("since", since or ""), "until": _check_date("until", until or "")}
    if answerer and answerer not in index.settings.answerers:  # only what the server offers
        raise RagError(f"answerer must be one of {', '.join(index.settings.answerers)}, not {answerer!r}.")
    answer = index.query((question or "").strip(), _for_query(clean_history(history)), **window,
                         sources=tuple(outlets or ()), k=_check_k(k), llm=answerer or None, fallback=True)
    d = answer.to_dict()
    keep = ("question", "text", "abstained", "citations", "related", "search_query", "filters", "time_window",
            "as_of", "coverage", "answerer", "notice")
    return {**{key: d[key] for key in keep}, "notes": [n["text"] for n in d["notes"]]}


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
                 max_bytes: int = MAX_UPLOAD_MB * 2**20, progress: bool = False) -> str:
    """Copy uploaded files into `<home>/uploads/` under safe basenames, ingest them, and say what
    happened (Markdown): added/updated/unchanged/failed, with a reason for every failure.
    `progress` shows the ingest's progress bar (the page mirrors it: gr.Progress(track_tqdm))."""
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
            report = index.ingest(accepted, progress=progress)
        except RagError as e:
            return f"**Nothing was added.** {_text(str(e))}"
        except Exception as e:  # the page must keep working
            log.exception("ingesting uploads %s failed", accepted)
            return f"**Nothing was added:** something went wrong ({type(e).__name__}); the details are in the server log."
        added, updated, unchanged = report.added, report.updated, report.unchanged
        local = lambda where: where.replace(str(dest_dir.resolve()) + os.sep, "").replace(str(dest_dir) + os.sep, "")  # noqa: E731
        failed += [(local(f.where), f.reason) for f in report.failed]  # names relative to the upload dir, not server paths
        notes = [(local(w.where), w.reason) for w in report.warnings]
    else:
        notes = []
    lines = [f"**{added} added, {updated} updated, {unchanged} unchanged, {len(failed)} failed**"]
    lines += [f"- {_text(where)}: {_text(reason)}" for where, reason in failed]
    lines += [f"- note: {_text(where)}: {_text(reason)}" for where, reason in notes]
    return "\n".join(lines)


def add_urls(index: Any, text: str, progress: bool = False) -> str:
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
        return add_articles(index, [listing], progress=progress)


EXAMPLE_TITLE_CHARS = 70  # a headline longer than this is not offered as an example (never cut mid-phrase)


def newest_titles(index: Any, n: int = 2, limit: int = EXAMPLE_TITLE_CHARS) -> list[str]:
    """The titles (at most `limit` characters, fit to sit in a question) of the `n` most recently
    published articles in `index` (dated ones only)."""
    try:
        dated = [(a.published or "", _about(a.title or "")) for a in index.articles() if not a.duplicate_of]
    except Exception:  # examples are a nicety: never break the page for them
        log.exception("listing articles for examples failed")
        return []
    titles: list[str] = []
    for _, t in sorted(((d, t) for d, t in dated if d and t and len(t) <= limit), reverse=True):
        if t not in titles:
            titles.append(t)
        if len(titles) == n:
            break
    return titles


def quoted_speakers(index: Any, n: int = 1, pool: int = 60) -> list[str]:
    """The `n` people quoted most often in the newest quotations (full names, attributed ones only)."""
    try:
        hits = index.quotes(k=pool)
    except Exception:  # examples are a nicety: never break the page for them
        log.exception("listing quotations for examples failed")
        return []
    counts: dict[str, int] = {}
    for h in hits:
        who = " ".join((h.speaker or "").split())
        if len(who.split()) >= 2:  # a full name reads as a question; "Smith" alone may not
            counts[who] = counts.get(who, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])[:n]


_TRAILING = re.compile(r"[\s.!?:;,…]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _about(title: str) -> str:
    """A title fit to sit in a question: one line, no trailing punctuation."""
    return _TRAILING.sub("", " ".join(_CONTROL.sub(" ", title).split()))


def default_examples(stats: IndexStats, index: Any = None) -> list[str]:
    """Example questions that suit what the index holds (at most 3, none cut short): the Baonghean
    pair when that outlet is there; otherwise what the most quoted person said, the latest on the
    newest headline short enough to read as a question, and the month of the newest article."""
    if "Baonghean.vn" in stats.sources:
        return list(BAONGHEAN_EXAMPLES)
    out: list[str] = []
    if index is not None:
        out += [f"What did {who} say?" for who in quoted_speakers(index)]
        out += [f"What is the latest on {t}?" for t in newest_titles(index, 3 - len(out) - bool(stats.last_date))]
    last = stats.last_date
    if last:
        try:
            out.append(f"What happened in {date.fromisoformat(last[:10]).strftime('%B %Y')}?")
        except ValueError:
            pass
    return out[:3]


def header(stats: IndexStats) -> str:
    """One line saying what the corpus holds and when it was last updated."""
    if not stats.articles:
        return "The index is empty: add articles below (*Add articles*), or with `newsrag ingest PATH...`."
    n, outlets = stats.articles, len(stats.sources)
    line = f"{n} article{'s' * (n != 1)} from {outlets} outlet{'s' * (outlets != 1)}"
    if stats.first_date:
        line += f", {stats.first_date} to {stats.last_date}"
    if stats.last_ingested:
        line += f" · updated {stats.last_ingested[:10]}"
    return f"{line} · model `{stats.model}`"


PAGE_JS = Path(__file__).with_name("page.js")
CSS = """
.newsrag-hidden { display: none !important; }
#newsrag-source mark, .message mark { background: #ffe58a; color: inherit; }
"""
STORAGE_KEY = "newsrag-conversations"


def _secret(home: Path) -> str:
    """The key the browser's saved conversations are encrypted with, kept in RAG_HOME so that they
    survive a restart of the server (a new random one per start would orphan them)."""
    path = Path(home) / "ui_secret"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    import secrets

    key = secrets.token_urlsafe(24)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the home exists: the index lives there
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key)
    except FileExistsError:  # another page started at the same moment: use its key
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        log.warning("cannot keep %s: saved conversations last until the server restarts", path)
    return key


def _plot(frame: Any, x: str, color: str | None, title: str) -> Any:
    import gradio as gr

    if frame is None or frame.empty:
        return gr.BarPlot(visible=False)
    return gr.BarPlot(value=frame, x=x, y="articles", color=color, x_title=frame.attrs.get("period", x),
                      y_title="articles", title=title, visible=True)


def build_app(index: Any, examples: list[str] | None = None) -> Any:
    """The page as a gr.Blocks over `index` (not launched)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no phoning home
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import gradio as gr

    stats = index.stats()
    outlets = [s for s in stats.sources if s != "(unknown)"]
    examples = default_examples(stats, index) if examples is None else examples
    home = Path(index.settings.home)

    with gr.Blocks(title="newsrag") as app:
        saved = gr.BrowserState([], storage_key=STORAGE_KEY, secret=_secret(home))
        current = gr.State(None)  # which saved conversation the chat is (None: not saved yet)
        rated = gr.State(None)  # the verdict a comment is added to
        title = gr.Markdown("# newsrag\n" + header(stats))
        with gr.Row():
            with gr.Column(scale=1, min_width=180):
                new_chat = gr.Button("New conversation", size="sm")
                listing = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[], type="index",
                                     layout="table", label="Conversations", elem_id="conversations")
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(label="Answers", height=520, latex_delimiters=[], allow_tags=False,
                                     feedback_options=("Like", "Dislike"), editable="user",
                                     buttons=["copy"], elem_id="answers")
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask about the news…", show_label=False, scale=8, autofocus=True)
                    ask = gr.Button("Ask", variant="primary", scale=1)
                with gr.Row():
                    clear = gr.ClearButton([box, chatbot], value="Clear", size="sm")
                    copy = gr.Button("Copy answer (Markdown)", size="sm", elem_id="copy-answer")
                with gr.Row(visible=False) as comment_row:
                    comment = gr.Textbox(label="What was wrong with it? (optional)", scale=6)
                    send = gr.Button("Send", size="sm", scale=1)
                thanks = gr.Markdown(elem_id="feedback-note")
                chart = gr.BarPlot(visible=False, label="Coverage over time", elem_id="coverage")
        with gr.Sidebar(open=False, position="right", width="min(420px, 90vw)", label="Source") as side:
            passage = gr.Markdown(elem_id="newsrag-source")
            whole = gr.Button("Show the whole article", size="sm", elem_id="whole-article")
        source_key = gr.Textbox(value="", elem_classes=["newsrag-hidden"], show_label=False, container=False)
        opener = gr.Button("open source", elem_id="newsrag-open-source", elem_classes=["newsrag-hidden"])
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
            answerers = index.settings.answerers
            answerer = gr.Dropdown(answerers, value=index.settings.llm or "extractive", label="Answerer",
                                   interactive=len(answerers) > 1, elem_id="answerer",
                                   info="extractive quotes the sources; an LLM writes an answer that is then "
                                        "checked sentence by sentence (offered: RAG_LLM, RAG_LLM_CHOICES)")
        with gr.Accordion("Corpus overview", open=False) as overview:
            per_week = gr.BarPlot(visible=False, elem_id="per-week")
            per_outlet = gr.BarPlot(visible=False, elem_id="per-outlet")
        with gr.Accordion("Add articles", open=False):
            uploads = gr.File(label=f"Articles ({', '.join(sorted(SUPPORTED_SUFFIXES))}; up to {MAX_UPLOAD_MB} MB each)",
                              file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), type="filepath")
            pasted = gr.Textbox(label="…or paste article and RSS/Atom feed URLs, one a line", lines=3,
                                placeholder="https://example.org/news/feed.xml")
            add = gr.Button("Add to the index")
            added = gr.Markdown()
        if examples:
            gr.Examples([[q] for q in examples], inputs=[box], label="Examples")

        def handle_upload(files: list[str] | None, urls: str,
                          progress: Any = gr.Progress(track_tqdm=True)) -> tuple[str, str, Any, None, str]:
            reports = []
            if files or not (urls or "").strip():
                reports.append(add_articles(index, files, progress=True))
            if (urls or "").strip():
                reports.append(add_urls(index, urls, progress=True))
            now = index.stats()
            choices = [s for s in now.sources if s != "(unknown)"]
            return "\n\n".join(reports), "# newsrag\n" + header(now), gr.Dropdown(choices=choices), None, ""

        add.click(handle_upload, inputs=[uploads, pasted], outputs=[added, title, picked, uploads, pasted],
                  concurrency_id="write", api_visibility="private")  # one upload at a time; questions go on meanwhile

        def offered(answerer_: str | None) -> str:
            """Only what the server offers, never a typed-in URL."""
            return answerer_ if answerer_ in index.settings.answerers else (index.settings.llm or "extractive")

        def handle(message: str, history: list[Message], since_: str, until_: str, sources: list[str],
                   k_: float, as_of_: str, answerer_: str | None) -> Iterator[tuple[str, list[Message]]]:
            yield from chat(index, message, history, since_, until_, sources, k_, as_of_, offered(answerer_))

        def again(history: list[Message], since_: str, until_: str, sources: list[str], k_: float, as_of_: str,
                  answerer_: str | None) -> Iterator[tuple[str, list[Message]]]:
            before, question = last_question(history)
            yield from chat(index, question, before, since_, until_, sources, k_, as_of_, offered(answerer_))

        def edit(history: list[Message], since_: str, until_: str, sources: list[str], k_: float, as_of_: str,
                 answerer_: str | None, data: gr.EditData) -> Iterator[tuple[str, list[Message]]]:
            before, question = edited(history, data.index, data.value)
            yield from chat(index, question, before, since_, until_, sources, k_, as_of_, offered(answerer_))

        def undo(history: list[Message]) -> tuple[str, list[Message]]:
            before, question = last_question(history)
            return question, before

        def chart_for(history: list[Message], since_: str, until_: str, sources: list[str]) -> Any:
            history = clean_history(history)
            answers = [m for m in history if m["role"] == "assistant" and not m.get("metadata")]
            questions = [m["content"] for m in history if m["role"] == "user"]
            if not answers or not questions:
                return gr.BarPlot(visible=False)
            cited = [c["article_id"] for c in citations_in(answers[-1]["content"])]
            frame = coverage.answer_coverage(index, questions[-1], cited, since_, until_, sources)
            return _plot(frame, "period", "kind", "Matching articles over time (cited ones apart)")

        def store(current_: int | None, history: list[Message], saved_: Any) -> tuple[Any, Any]:
            return conversations.save(current_, clean_history(history), saved_)

        # One shared queue for the question triggers: one question at a time against the shared index.
        filters = [since, until, picked, k, as_of, answerer]
        io = {"outputs": [box, chatbot], "concurrency_id": "ask", "api_visibility": "private"}
        after = [  # kept first, then charted: a reload right after an answer still finds it
            {"fn": store, "inputs": [current, chatbot, saved], "outputs": [current, saved], "queue": False,
             "api_visibility": "private"},
            {"fn": chart_for, "inputs": [chatbot, since, until, picked], "outputs": [chart], "api_visibility": "private"},
        ]
        edit.__annotations__["data"] = gr.EditData
        for event in (
            box.submit(handle, inputs=[box, chatbot, *filters], **{**io, "api_name": "chat", "api_visibility": "undocumented"}),
            ask.click(handle, inputs=[box, chatbot, *filters], **io),
            chatbot.retry(again, inputs=[chatbot, *filters], **io),
            chatbot.edit(edit, inputs=[chatbot, *filters], **io),
            chatbot.undo(undo, inputs=[chatbot], outputs=[box, chatbot], queue=False, api_visibility="private"),
        ):
            for step in after:
                event = event.then(**step)
        for cleared in (clear.click, chatbot.clear):  # our Clear button, and the chat's own bin
            cleared(conversations.delete, inputs=[current, saved], outputs=[current, saved], queue=False,
                    api_visibility="private").then(lambda: gr.BarPlot(visible=False), outputs=[chart],
                                                   api_visibility="private")

        def started(saved_: Any) -> tuple[Any, list[Message], Any]:
            i, messages = conversations.load(0, saved_)  # the last one used, as it was left
            return i, clean_history(messages), gr.Dataset(samples=conversations.titles(saved_))

        app.load(started, inputs=[saved], outputs=[current, chatbot, listing], api_visibility="private")
        saved.change(lambda s: gr.Dataset(samples=conversations.titles(s)), inputs=[saved], outputs=[listing],
                     queue=False, api_visibility="private")
        new_chat.click(lambda: (None, [], gr.BarPlot(visible=False)), outputs=[current, chatbot, chart], queue=False,
                       api_visibility="private")

        def pick(i: int, saved_: Any) -> tuple[Any, list[Message]]:
            got, messages = conversations.load(i, saved_)
            return got, clean_history(messages)

        listing.click(pick, inputs=[listing, saved], outputs=[current, chatbot], queue=False, api_visibility="private")

        def rate(history: list[Message], data: gr.LikeData) -> tuple[Any, Any, str, str]:
            got = verdict(index, history, data.index, data.liked)
            if got is None:
                return None, gr.Row(visible=False), "", ""
            feedback.write(home / feedback.FILE, got)
            note = "Thanks: noted as helpful." if got.verdict == "up" else "Thanks: noted as wrong. Say what was wrong, if you like."
            return asdict(got), gr.Row(visible=got.verdict == "down"), "", note

        rate.__annotations__["data"] = gr.LikeData  # Gradio finds event data by its (resolved) annotation
        chatbot.like(rate, inputs=[chatbot], outputs=[rated, comment_row, comment, thanks], api_visibility="private")

        def remark(rated_: dict[str, Any] | None, text: str) -> tuple[Any, Any, str, str]:
            if not rated_ or not (text or "").strip():
                return rated_, gr.Row(visible=bool(rated_)), text, "Type a comment first." if rated_ else ""
            feedback.write(home / feedback.FILE, feedback.Verdict(**{**rated_, "comment": text.strip()[:2000]}))
            return None, gr.Row(visible=False), "", "Thanks: your comment is saved with the verdict."

        send.click(remark, inputs=[rated, comment], outputs=[rated, comment_row, comment, thanks],
                   api_visibility="private")
        copy.click(None, inputs=[chatbot], js="(h) => { window.newsragCopy(h); }",
                   api_visibility="private")

        def show_source(key: str) -> tuple[str, Any, str]:
            return passage_markdown(index, key), gr.Sidebar(open=True), key

        opener.click(show_source, inputs=[source_key], outputs=[passage, side, source_key],
                     js="(k) => window.__newsragSource || ''", queue=False, api_visibility="private")
        whole.click(lambda key: article_markdown(index, key), inputs=[source_key], outputs=[passage], queue=False,
                    api_visibility="private")

        def show_overview() -> tuple[Any, Any]:
            outlets_, weeks = coverage.corpus_overview(index)
            return (_plot(weeks, "period", None, "Articles published per week"),
                    _plot(outlets_, "outlet", None, "Articles per outlet"))

        overview.expand(show_overview, outputs=[per_week, per_outlet], api_visibility="private")

        def ask_api(question: str, history: list[dict[str, Any]] | None = None, since: str = "", until: str = "",
                    outlets: list[str] | None = None, k: int | None = None, answerer: str = "") -> dict[str, Any]:
            """Answer a question from the corpus, every claim cited [n], or say the corpus doesn't.

            question: what to ask. history: earlier turns, [{"role": "user"|"assistant", "content": "..."}].
            since, until: published-date window (YYYY-MM-DD, '' for none). outlets: only these outlets.
            k: passages given to the answerer (1-20; default: the server's). answerer: one the server
            offers ('' for its default). Returns {"text", "abstained", "citations": [{"n", "article_id",
            "title", "source", "url", "published", "quote", "start", "end", "supported"}], "related",
            "notes", "time_window", "filters", "answerer", ...}."""
            try:
                return api_answer(index, question, history, since, until, outlets, k, answerer or None)
            except RagError as e:
                raise gr.Error(str(e)) from None

        gr.api(ask_api, api_name="ask", concurrency_id="ask")
    return app


def serve(index: Any, host: str | None = None, port: int | None = None,
          auth: tuple[str, str] | None = None, **launch: Any) -> Any:
    """Build the page and serve it (blocks until stopped unless `prevent_thread_lock=True`).
    With `auth=(user, password)` every page, file and API route asks for that login first."""
    app = build_app(index)
    launch.setdefault("prevent_thread_lock", False)
    launch.setdefault("max_file_size", f"{MAX_UPLOAD_MB}mb")  # refused before the handler sees it
    launch.setdefault("footer_links", ["api", "gradio", "settings"])  # "Use via API": the documented ask endpoint
    launch.setdefault("js", PAGE_JS.read_text(encoding="utf-8"))
    launch.setdefault("css", CSS)
    if auth is not None:
        from .auth import LoginGuard

        launch["auth"] = LoginGuard(*auth).login  # slow after a failure, a name locked after repeated ones
        launch.setdefault("auth_message", "This newsrag page needs a login (RAG_UI_AUTH on the server).")
    log.info("serving %s on http://%s:%s%s", index, host or index.settings.host, port or index.settings.port,
             " (login required)" if auth else "")
    app.launch(server_name=host or index.settings.host, server_port=port or index.settings.port,
               share=False, **launch)
    return app
