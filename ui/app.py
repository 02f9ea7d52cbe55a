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
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from rag.errors import RagError
from rag.types import Answer, Citation, escape_markdown, safe_url

log = logging.getLogger(__name__)

Message = dict[str, Any]
SEARCHING = "Searching the corpus…"
BAONGHEAN_EXAMPLES = ["What did Putin say about weapons supply?", "Who signed in Istanbul?"]
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\](?![(:\[])")  # an escaped [n] that can't start a link


def _text(s: str) -> str:
    """Untrusted article text as inert Markdown (no HTML, links, emphasis or strikethrough)."""
    return escape_markdown(s).replace("~", "\\~")


def _answer_text(answer: Answer) -> str:
    """The answer, escaped, with its [n] markers left readable."""
    body = _ESCAPED_MARKER.sub(r"[\1]", _text(answer.text))
    if answer.abstained:
        body = f"**No cited answer.** {body}"
    notes = []
    if answer.search_query and answer.search_query != answer.question:
        notes.append(f"searched for: {_text(answer.search_query)}")
    window = answer.time_window or (answer.filters.get("since"), answer.filters.get("until"))
    if any(window):
        notes.append(f"published {window[0] or '…'} to {window[1] or '…'}")
    if answer.filters.get("sources"):
        notes.append("outlets: " + ", ".join(_text(s) for s in answer.filters["sources"]))
    return body + (f"\n\n*{'; '.join(notes)}*" if notes else "")


def _link(url: str) -> str:
    """A Markdown link for http(s) URLs only ('' otherwise: no javascript: or data: links)."""
    if not safe_url(url):
        return ""
    return f"[{_text(url)}](<{url}>)"


def _sources_text(citations: Sequence[Citation]) -> str:
    """One entry per citation: '[n] title — outlet, date', its link, and the quote as a blockquote."""
    entries = []
    for c in citations:
        meta = ", ".join(_text(p) for p in (c.source, c.published or "") if p)
        head = f"**[{c.n}]** {_text(c.title)}" + (f" — {meta}" if meta else "")
        if c.supported is False:
            head += " *(not clearly supported by this passage)*"
        link = _link(c.url)
        entries.append(head + (f"  \n{link}" if link else "") + f"\n\n> {_text(c.quote)}")
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


def respond(
    index: Any, message: str, history: Sequence[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None,
) -> list[Message]:
    """The assistant messages answering `message`: the answer text, then a collapsible source box.
    Errors come back as one readable message, never a stack trace."""
    if not (message or "").strip():
        return [_say("Ask a question about the news in the corpus.")]
    try:
        window = {"since": _check_date("Since", since), "until": _check_date("Until", until)}
        answer = index.query(message.strip(), list(history or []), **window, sources=tuple(sources or ()))
    except RagError as e:  # its message says what to do
        return [_say(str(e))]
    except Exception as e:  # last resort: the page must keep working
        log.exception("answering %r failed", message)
        return [_say(f"Something went wrong ({type(e).__name__}); the details are in the server log. "
                     "Try again, or rephrase the question.")]
    out = [_say(_answer_text(answer))]
    cited = answer.citations or answer.related
    if cited:
        title = "Related coverage" if answer.abstained else "Sources"
        out.append(_say(_sources_text(cited), title=title, status="done"))
    return out


def chat(
    index: Any, message: str, history: list[Message] | None, since: str = "", until: str = "",
    sources: Sequence[str] | None = None,
) -> Iterator[tuple[str, list[Message]]]:
    """The page's handler: yields (textbox value, chatbot value) as the turn progresses."""
    history = list(history or [])
    if not (message or "").strip():
        yield "", history
        return
    turn = history + [{"role": "user", "content": message}]
    yield "", turn + [_say(SEARCHING)]
    new = respond(index, message, history, since, until, sources)
    for i in range(1, len(new) + 1):
        yield "", turn + new[:i]


def default_examples(stats: dict[str, Any]) -> list[str]:
    """Example questions that suit what the index holds."""
    if "Baonghean.vn" in stats.get("sources", {}):
        return list(BAONGHEAN_EXAMPLES)
    last = stats.get("last_date")
    if last:
        return [f"What happened in {date.fromisoformat(last[:10]).strftime('%B %Y')}?"]
    return []


def header(stats: dict[str, Any]) -> str:
    """One line saying what the corpus holds."""
    if not stats.get("articles"):
        return "The index is empty: add articles with `newsrag ingest PATH...`, then restart `newsrag serve`."
    n, outlets = stats["articles"], len(stats.get("sources", {}))
    line = f"{n} article{'s' * (n != 1)} from {outlets} outlet{'s' * (outlets != 1)}"
    if stats.get("first_date"):
        line += f", {stats['first_date']} to {stats['last_date']}"
    return f"{line} · model `{stats.get('model', '')}`"


def build_app(index: Any, examples: list[str] | None = None) -> Any:
    """The page as a gr.Blocks over `index` (not launched)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no phoning home
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import gradio as gr

    stats = index.stats()
    outlets = [s for s in stats.get("sources", {}) if s != "(unknown)"]
    examples = default_examples(stats) if examples is None else examples

    with gr.Blocks(title="newsrag") as app:
        gr.Markdown("# newsrag\n" + header(stats))
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
        if examples:
            gr.Examples([[q] for q in examples], inputs=[box], label="Examples")

        def handle(message: str, history: list[Message], since_: str, until_: str,
                   sources: list[str]) -> Iterator[tuple[str, list[Message]]]:
            yield from chat(index, message, history, since_, until_, sources)

        # One shared queue for both triggers: one question at a time against the shared index.
        io = {"inputs": [box, chatbot, since, until, picked], "outputs": [box, chatbot], "concurrency_id": "ask"}
        box.submit(handle, **io, api_name="ask", api_visibility="undocumented")
        ask.click(handle, **io, api_visibility="private")
    return app


def serve(index: Any, host: str | None = None, port: int | None = None, **launch: Any) -> Any:
    """Build the page and serve it (blocks until stopped unless `prevent_thread_lock=True`)."""
    app = build_app(index)
    launch.setdefault("prevent_thread_lock", False)
    launch.setdefault("footer_links", ["gradio", "settings"])  # Gradio 6 has no show_api=: hide the API link
    log.info("serving %s on http://%s:%s", index, host or index.settings.host, port or index.settings.port)
    app.launch(server_name=host or index.settings.host, server_port=port or index.settings.port,
               share=False, **launch)
    return app
