"""The chat page in a real browser: Debian's headless chromium driven by Playwright, against
`newsrag serve` running as a subprocess over corpus/ plus a dated and a hostile article.

Never a downloaded browser: the tests skip (saying why) when /usr/bin/chromium or the playwright
package is missing; `python3 dev.py test` installs chromium with apt-get when it can.
Every test leaves a screenshot in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# The network is closed: without these chromium floods refused connections (and needs no GPU or sandbox).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
START_TIMEOUT = 180  # seconds for ingest + the server to answer (loading torch on 2 busy cores)
ANSWER_MS = 90_000  # an answer takes a few seconds; leave room for a loaded machine
SEARCHING = "Searching the corpus…"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium, "
                "or run `python3 dev.py test` as root)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is missing (pip install -e '.[test]')")

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402
from scripted_llm import ScriptedLLM, source_number  # noqa: E402

DATED = {
    "id": "lindmark-bridge-2020", "title": "Harbour bridge in Lindmark reopens after repairs",
    "date": "2020-06-15", "source": "Northern Gazette", "url": "https://example.org/lindmark-bridge",
    "text": "The harbour bridge in Lindmark reopened on Monday after eight months of repairs. "
            "Mayor Ingrid Solvang said the repairs cost 14 million kroner. "
            "Engineers replaced the rusted cables and repainted the deck of the bridge.",
}
HOSTILE_MARKUP = ('<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
                  "[click](javascript:window.__xss=3) **bold**")
LINKISH = "Tickets: mail spy@evil.example or see https://evil.example/x and www.evil.example &lt;b&gt;."
HOSTILE = {
    "id": "quorvale-glassworks", "title": f"Quorvale glassworks festival {HOSTILE_MARKUP}",
    "date": "2021-03-10", "source": "Quorvale Courier", "url": "javascript:window.__xss=4",
    # the markup sits inside the sentence that answers, so the quoted span carries it too
    "text": f"The Quorvale glassworks festival {HOSTILE_MARKUP} drew twelve thousand visitors this weekend. "
            f"Glassblower Tomas Ferreira said the festival celebrates three centuries of glassmaking in Quorvale. {LINKISH}",
}


# One story told by four reports over a week (and a far-off one): the coverage chart's planted counts.
FLOOD = [
    {"id": f"brennick-flood-{i}", "title": title, "date": day, "source": outlet, "url": f"https://example.org/flood-{i}",
     "text": text}
    for i, (day, outlet, title, text) in enumerate([
        ("2020-09-01", "Northern Gazette", "Tarrow river floods Brennick",
         "The Tarrow river burst its banks in Brennick on Tuesday after record rainfall, flooding the old town. "
         "Rescue crews evacuated 300 residents from flooded homes in Brennick."),
        ("2020-09-01", "Valley Post", "Hundreds evacuated as the Tarrow floods Brennick",
         "Hundreds of Brennick residents were evacuated on Tuesday when the Tarrow river flooded the town "
         "after record rainfall."),
        ("2020-09-03", "Northern Gazette", "Tarrow flood waters begin to recede in Brennick",
         "Flood waters from the Tarrow river began to recede in Brennick on Thursday, two days after the river "
         "burst its banks."),
        ("2020-09-08", "Valley Post", "Brennick cleans up after the Tarrow river flood",
         "Volunteers in Brennick began cleaning up the old town on Tuesday, a week after the Tarrow river flood."),
    ], 1)
]
PLANTED = {"2020-09-01": 2, "2020-09-03": 1, "2020-09-08": 1}  # flood reports a day


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _newsrag() -> Path:
    exe = Path(sys.executable).with_name("newsrag")
    return exe if exe.exists() else ROOT / ".venv" / "bin" / "newsrag"


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    """A scripted OpenAI-compatible LLM the page offers as a second answerer (RAG_LLM_CHOICES)."""
    with ScriptedLLM() as s:
        yield s


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served index's RAG_HOME (feedback.jsonl is written there)."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def server(home: Path, llm: ScriptedLLM) -> Iterator[str]:
    """`newsrag serve` on a free port over corpus/ + the dated, hostile and flood articles; its URL."""
    tmp = home
    articles = tmp / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in (DATED, HOSTILE, *FLOOD)), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_HOME": str(tmp),
           "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false",
           "RAG_LLM_CHOICES": f"openai:scripted@{llm.url}/v1"}
    index = ["--index", str(tmp / "index")]
    done = subprocess.run([_newsrag(), *index, "ingest", "--quiet", CORPUS, articles], env=env,
                          capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 0, f"ingest failed:\n{done.stdout}\n{done.stderr}"
    assert "7 added" in done.stdout, done.stdout

    port = _free_port()
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([_newsrag(), *index, "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"newsrag serve exited ({proc.returncode}):\n{(tmp / 'serve.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"newsrag serve did not answer in {START_TIMEOUT}s:\n{(tmp / 'serve.log').read_text()}")
                time.sleep(0.25)  # polling a port, not waiting on the page
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page (its own chat history) on the served app; a screenshot of it afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.goto(server)
    pg.get_by_placeholder("Ask about the news…").wait_for()
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def ask(page: Page, question: str) -> Locator:
    """Type `question`, press Enter, wait for the finished answer; the answer bubble."""
    box = page.get_by_placeholder("Ask about the news…")
    box.fill(question)
    box.press("Enter")
    user = page.locator('[data-testid="user"]').filter(has_text=question)
    expect(user.last).to_be_visible(timeout=ANSWER_MS)
    turns = page.locator('[data-testid="user"]').count()
    # each bot row holds the answer bubble and (a collapsed) source box, marked `.thought`
    answers = page.locator(".bot-row .message:not(.thought) > [data-testid='bot']")
    expect(answers).to_have_count(turns, timeout=ANSWER_MS)
    answer = answers.nth(turns - 1)
    expect(answer).not_to_contain_text(SEARCHING, timeout=ANSWER_MS)
    expect(answer).to_contain_text(re.compile(r"\[\d+\]|No cited answer|corpus doesn't say|must be a date"),
                                   timeout=ANSWER_MS)
    return answer


def open_box(page: Page, title: str = "Sources") -> Locator:
    """Click the last collapsible box titled `title` open; its content."""
    group = page.locator(".thought-group").filter(has=page.locator(".title", has_text=title)).last
    group.locator(".title").click()
    content = group.locator(".content")
    content.wait_for()
    return content


def test_seed_question_with_sources(page: Page) -> None:
    answer = ask(page, "What did Putin say about weapons supply?")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("stop supplying weapons")
    sources = open_box(page, "Sources")
    expect(sources).to_contain_text("you need to stop supplying weapons")
    expect(sources.get_by_text("Baonghean.vn")).to_be_visible()
    expect(sources.locator("blockquote").first).to_be_visible()
    # the quote is shown in its paragraph, the quoted span highlighted
    mark = sources.locator("blockquote mark").filter(has_text="stop supplying weapons").first
    expect(mark).to_be_visible()
    expect(mark).to_have_css("background-color", re.compile(r"rgba?\((?!0, 0, 0, 0\)).*"))  # visibly highlighted
    # (here the quoted sentence is its whole paragraph; the hostile test sees a span inside a longer one)


def test_date_filter_window_is_shown(page: Page) -> None:
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Since (YYYY-MM-DD)").fill("2020-06-01")
    page.get_by_label("Until (YYYY-MM-DD)").fill("2020-06-30")
    answer = ask(page, "When did the harbour bridge in Lindmark reopen?")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text(re.compile(r"published 2020-06-01 to 2020-06-30"))
    expect(open_box(page, "Sources")).to_contain_text("Northern Gazette")


def test_as_of_date_sets_last_week(page: Page) -> None:
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("As of (YYYY-MM-DD)").fill("2020-06-20")
    answer = ask(page, "What happened to the Lindmark harbour bridge last week?")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("published 2020-06-13 to 2020-06-20; as of 2020-06-20")


def test_follow_up_answers(page: Page) -> None:
    ask(page, "What did Putin say about weapons supply?")
    answer = ask(page, "And what did he say about NATO?")
    text = answer.inner_text()
    cited = re.search(r"\[\d+\]", text) is not None
    abstained = "No cited answer" in text
    assert cited or abstained, text
    if cited:
        assert "NATO" in text, text
    assert SEARCHING not in text
    box = "Sources" if cited else "Related coverage"
    expect(page.locator(".thought-group .title", has_text=box)).to_have_count(2 if cited else 1)


def test_hostile_article_stays_inert(page: Page) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:  # noqa: ANN001
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    answer = ask(page, "How many visitors did the Quorvale glassworks festival draw?")
    expect(answer).to_contain_text("Quorvale")
    box_title = "Sources" if re.search(r"\[\d+\]", answer.inner_text()) else "Related coverage"
    sources = open_box(page, box_title)
    expect(sources).to_contain_text("Quorvale Courier")
    expect(sources).to_contain_text("<script>window.__xss=1</script>")  # shown as text, not run
    quote = sources.locator("blockquote").first
    expect(quote).to_contain_text('<img src=x onerror="window.__xss=2">')
    expect(quote).to_contain_text("[click](javascript:window.__xss=3) **bold**")
    expect(quote).to_contain_text("drew twelve thousand visitors")  # the paragraph around the span
    # the highlighted span carries the markup as text: <mark> is the only element the article adds
    expect(quote.locator("mark")).to_have_count(1)
    expect(quote.locator("mark")).to_contain_text("<script>window.__xss=1</script>")
    assert quote.locator("mark *").count() == 0
    assert len(quote.inner_text().strip()) > len(quote.locator("mark").inner_text().strip())  # the paragraph around it
    chat = page.get_by_role("log", name="chatbot conversation")
    assert chat.locator("script").count() == 0
    assert chat.locator("img[src='x'], img[onerror]").count() == 0
    assert chat.locator("a[href^='javascript:' i]").count() == 0
    assert chat.locator("strong", has_text="bold").count() == 0
    # bare URLs and e-mail addresses in article text are not made links; entities show as written
    assert chat.locator("a[href*='evil.example'], a[href^='mailto:']").count() == 0
    expect(quote).to_contain_text(LINKISH)
    # the hover text and the side panel (passage, whole article) keep it inert too
    link = answer_links(answer).first
    assert "<" not in (link.get_attribute("title") or "") and "Quorvale" in (link.get_attribute("title") or "")
    link.click()
    panel = side_panel(page)
    expect(panel.locator("mark")).to_contain_text("<script>window.__xss=1</script>", timeout=ANSWER_MS)
    page.get_by_role("button", name="Show the whole article").click()
    expect(panel).to_contain_text(LINKISH)
    for where in (chat, panel):
        assert where.locator("script").count() == 0 and where.locator("img[src='x'], img[onerror]").count() == 0
        assert where.locator("a[href^='javascript:' i], a[href*='evil.example'], a[href^='mailto:']").count() == 0
    assert panel.locator("mark *").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []


def test_answerer_selector_streams_a_checked_answer(page: Page, llm: ScriptedLLM) -> None:
    spec = f"openai:scripted@{llm.url}/v1"
    llm.piece_delay = 0.15  # slow enough to see the answer grow
    llm.replies.append(lambda prompt: (
        "The harbour bridge in Lindmark reopened on Monday after eight months of repairs [{n}]. "
        "Mayor Ingrid Solvang said the repairs cost 99 million kroner [{n}]."
    ).format(n=source_number(prompt, "reopened on Monday")))
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Answerer").click()
    page.get_by_role("option", name=spec).click()
    box = page.get_by_placeholder("Ask about the news…")
    box.fill("When did the Lindmark harbour bridge reopen?")
    box.press("Enter")
    growing = page.locator(".bot-row .message:not(.thought) > [data-testid='bot']").last
    expect(growing).to_contain_text("▌", timeout=ANSWER_MS)  # streaming: part of the text, a cursor
    expect(growing).to_contain_text("not supported: '99' is not in [1]", timeout=ANSWER_MS)
    expect(growing).to_contain_text("reopened on Monday after eight months of repairs [1].")
    expect(growing).to_contain_text(f"generated by {spec}; 1 of 2 sentences not supported by their sources")
    expect(growing).not_to_contain_text("▌")
    expect(open_box(page, "Sources")).to_contain_text("Northern Gazette")
    assert llm.requests[-1]["stream"] is True


def test_a_degenerate_generation_is_not_passed_off_as_the_answer(page: Page, llm: ScriptedLLM) -> None:
    """A small model that echoes the prompt's <source> blocks and cites nothing: the page shows the
    extractive answer with a notice saying why, and the LLM's text one click away, inert."""
    spec = f"openai:scripted@{llm.url}/v1"
    llm.piece_delay = 0.0
    llm.replies.append(lambda prompt: prompt[prompt.index("<source "):prompt.index("\n\nQuestion:")])
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Answerer").click()
    page.get_by_role("option", name=spec).click()
    answer = ask(page, "When did the Lindmark harbour bridge reopen?")
    expect(answer).to_contain_text(f"The LLM's answer ({spec}) was not shown")
    expect(answer).to_contain_text("This is the extractive answer")
    expect(answer).to_contain_text("reopened on Monday")
    expect(answer).not_to_contain_text("generated by")  # the shown answer is the extractive one
    expect(answer_links(answer).first).to_be_visible()
    box = open_box(page, "The LLM's answer (not shown as the answer)")
    expect(box).to_contain_text("<source")  # what the model wrote, as text
    assert page.locator("#answers source").count() == 0


@pytest.mark.parametrize("width, height", [(390, 844), (360, 640)])
def test_phone_sized_layout(browser: Browser, server: str, width: int, height: int) -> None:
    """On a phone: nothing wider than the screen, the question box and the Ask button reachable,
    the answer and its sources readable without sideways scrolling."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        pg.goto(server)
        pg.get_by_placeholder("Ask about the news…").wait_for()
        ask(pg, "What did Putin say about weapons supply?")
        sources = open_box(pg, "Sources")
        expect(sources.locator("blockquote mark").first).to_be_visible()
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px at {width}px wide"
        for part in (pg.get_by_placeholder("Ask about the news…"), pg.get_by_role("button", name="Ask", exact=True),
                     pg.locator(".bot-row .message:not(.thought) > [data-testid='bot']").last,
                     sources.locator("blockquote").first):
            part.scroll_into_view_if_needed()
            box = part.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (part, box)
        wide = pg.evaluate("""() => [...document.querySelectorAll('.bot-row *')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
            .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        assert wide == [], f"content wider than its box: {wide}"
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"phone-{width}x{height}.png"), full_page=True)
        context.close()


def answer_links(answer: Locator) -> Locator:
    """The clickable [n] markers of an answer bubble."""
    return answer.locator('a[href^="#newsrag-source/"]')


def side_panel(page: Page) -> Locator:
    return page.locator("#newsrag-source")


def test_click_a_citation_opens_the_passage_then_the_whole_article(page: Page) -> None:
    answer = ask(page, "How much did the repairs of the Lindmark harbour bridge cost?")
    expect(answer).to_contain_text("14 million kroner")
    links = answer_links(answer)
    expect(links.first).to_have_text("[1]")
    titles = [x.get_attribute("title") or "" for x in links.all()]
    assert all(t.startswith("Harbour bridge in Lindmark reopens after repairs — Northern Gazette, 2020-06-15: “")
               for t in titles), titles
    links.nth(next(i for i, t in enumerate(titles) if "14 million" in t)).click()  # the hover shows the quote
    panel = side_panel(page)
    expect(panel).to_contain_text("Harbour bridge in Lindmark reopens after repairs", timeout=ANSWER_MS)
    expect(panel).to_contain_text("Northern Gazette, 2020-06-15")
    expect(panel.locator("a[href='https://example.org/lindmark-bridge']")).to_be_visible()
    mark = panel.locator("blockquote mark")
    expect(mark).to_contain_text("14 million kroner")
    expect(mark).to_be_in_viewport()
    page.get_by_role("button", name="Show the whole article").click()
    expect(panel).to_contain_text("Engineers replaced the rusted cables")  # the rest of the article
    expect(panel.locator("mark")).to_have_count(1)
    expect(panel.locator("mark")).to_contain_text("14 million kroner")
    # the source box's numbers open the same view
    sources = open_box(page, "Sources")
    expect(sources.locator('a[href^="#newsrag-source/"]')).to_have_count(sources.locator("blockquote").count())


def test_reload_keeps_the_conversation_and_a_new_one_can_be_started(page: Page) -> None:
    ask(page, "When did the harbour bridge in Lindmark reopen?")
    saved = saved_after(page, None)
    ask(page, "How much did the repairs cost?")
    saved_after(page, saved)
    page.reload()
    users = page.locator('[data-testid="user"]')
    expect(users).to_have_count(2, timeout=ANSWER_MS)
    expect(users.first).to_contain_text("When did the harbour bridge in Lindmark reopen?")
    listing = page.locator("#conversations")
    expect(listing).to_contain_text("When did the harbour bridge in Lindmark reopen?")
    page.get_by_role("button", name="New conversation").click()
    expect(users).to_have_count(0)
    ask(page, "How many visitors did the Quorvale glassworks festival draw?")
    expect(listing.get_by_text("How many visitors did the Quorvale glassworks festival draw?")).to_be_visible()
    listing.get_by_text("When did the harbour bridge in Lindmark reopen?").click()  # back to the first one
    expect(users).to_have_count(2)
    expect(users.last).to_contain_text("How much did the repairs cost?")
    saved_after(page, None)
    page.reload()
    expect(page.locator("#conversations tr, #conversations button").filter(has_text=re.compile("Lindmark|Quorvale"))).to_have_count(2)


def saved_after(page: Page, before: str | None) -> str:
    """The browser's saved conversations once they differ from `before` (they are written just
    after an answer is shown)."""
    page.wait_for_function("(b) => { const v = localStorage.getItem('newsrag-conversations'); return v && v !== b; }",
                           arg=before, timeout=ANSWER_MS)
    return page.evaluate("localStorage.getItem('newsrag-conversations')")


def test_retry_undo_and_edit(page: Page) -> None:
    ask(page, "When did the harbour bridge in Lindmark reopen?")
    page.get_by_role("button", name="Retry").click()
    answer = ask_done(page, 1)
    expect(answer).to_contain_text("reopened on Monday")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator('[data-testid="user"]')).to_have_count(0)
    expect(page.get_by_placeholder("Ask about the news…")).to_have_value("When did the harbour bridge in Lindmark reopen?")
    ask(page, "How many visitors did the Quorvale glassworks festival draw?")
    page.locator('[data-testid="user"]').last.hover()
    page.get_by_role("button", name="Edit").last.click()
    editor = page.locator("#answers textarea").last
    editor.fill("How much did the Lindmark bridge repairs cost?")
    page.locator("#answers").get_by_role("button", name="Submit").click()
    answer = ask_done(page, 1)
    expect(page.locator('[data-testid="user"]').last).to_contain_text("How much did the Lindmark bridge repairs cost?")
    expect(answer).to_contain_text("14 million kroner")


def ask_done(page: Page, turns: int) -> Locator:
    """The answer bubble of turn `turns`, once finished (after a retry or an edit)."""
    answers = page.locator(".bot-row .message:not(.thought) > [data-testid='bot']")
    expect(answers).to_have_count(turns, timeout=ANSWER_MS)
    answer = answers.nth(turns - 1)
    expect(answer).not_to_contain_text(SEARCHING, timeout=ANSWER_MS)
    expect(answer).to_contain_text(re.compile(r"\[\d+\]|No cited answer"), timeout=ANSWER_MS)
    return answer


def test_thumbs_down_with_a_comment_is_written_to_feedback(page: Page, home: Path) -> None:
    path = home / "feedback.jsonl"
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    question = "When did the harbour bridge in Lindmark reopen?"
    ask(page, question)
    page.get_by_role("button", name="Dislike").last.click()
    expect(page.locator("#feedback-note")).to_contain_text("noted as wrong")
    page.get_by_label("What was wrong with it? (optional)").fill("It should name the day of the month.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#feedback-note")).to_contain_text("your comment is saved")
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()[len(before):]]
    assert len(lines) == 2 and lines[0]["id"] == lines[1]["id"], lines  # the verdict, then it with the comment
    got = lines[1]
    assert got["verdict"] == "down" and got["question"] == question and got["comment"] == "It should name the day of the month."
    assert "reopened on Monday" in got["answer"] and "[1]" in got["answer"] and "newsrag-source" not in got["answer"]
    assert got["citations"][0]["article_id"] == "lindmark-bridge-2020"
    assert "reopened on Monday" in got["citations"][0]["quote"]


def test_coverage_chart_counts_the_planted_story(page: Page) -> None:
    answer = ask(page, "How did the Tarrow river flood in Brennick develop?")
    expect(answer).to_contain_text("Brennick")
    chart = page.locator("#coverage")
    bars = chart.locator("[aria-roledescription='bar']")
    expect(bars.first).to_be_visible(timeout=ANSWER_MS)
    counts: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for label in (bars.nth(i).get_attribute("aria-label") or "" for i in range(bars.count())):
        day = re.search(r"(\w{3} \d{1,2}, \d{4})", label)
        n = re.search(r"articles: (\d+)", label)
        kind = re.search(r"kind: ([^;]+)", label)
        assert day and n and kind, label
        iso = time.strftime("%Y-%m-%d", time.strptime(day.group(1), "%b %d, %Y"))
        counts[iso] = counts.get(iso, 0) + int(n.group(1))
        kinds[kind.group(1).strip()] = kinds.get(kind.group(1).strip(), 0) + int(n.group(1))
    assert counts == PLANTED, counts
    cited = {a.get_attribute("href").split("/")[1] for a in answer_links(answer).all()}
    assert kinds.get("cited", 0) == len(cited), (kinds, cited)


def test_corpus_overview_is_one_click_away(page: Page) -> None:
    page.get_by_text("Corpus overview", exact=True).click()
    outlets = page.locator("#per-outlet [aria-roledescription='bar']")
    expect(outlets.first).to_be_visible(timeout=ANSWER_MS)
    labels = [outlets.nth(i).get_attribute("aria-label") or "" for i in range(outlets.count())]
    assert any("Northern Gazette" in x and "articles: 3" in x for x in labels), labels
    expect(page.locator("#per-week [aria-roledescription='bar']").first).to_be_visible()


def test_copy_an_answer_as_markdown_with_its_sources(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    try:
        pg.goto(server)
        ask(pg, "How much did the repairs of the Lindmark harbour bridge cost?")
        pg.get_by_role("button", name="Copy answer (Markdown)").click()
        copied = pg.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("**Q:** How much did the repairs of the Lindmark harbour bridge cost?"), copied
        assert "14 million kroner" in copied and "[1]" in copied and "newsrag-source" not in copied
        assert "**Sources**" in copied and "Northern Gazette" in copied and "https://example.org/lindmark-bridge" in copied
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "copy-answer.png"), full_page=True)
        context.close()


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_source_panel_screenshots(browser: Browser, server: str, width: int, height: int) -> None:
    """The cited passage opened from [1], at desktop and phone sizes (screenshots for review)."""
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500,
                                  has_touch=width < 500)
    pg = context.new_page()
    try:
        pg.goto(server)
        answer = ask(pg, "What did Putin say about weapons supply?")
        answer_links(answer).first.click()
        expect(side_panel(pg).locator("mark")).to_contain_text("stop supplying weapons", timeout=ANSWER_MS)
        expect(side_panel(pg).locator("mark")).to_be_in_viewport()  # the panel slid open, on screen
        for part in (side_panel(pg).locator("h3"), side_panel(pg).locator("blockquote")):
            expect(part).to_be_in_viewport(ratio=1)  # wholly on screen once it has slid open: not cut off
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"source-panel-{width}x{height}.png"), full_page=True)
        context.close()


def test_upload_an_article_then_ask_about_it(page: Page, tmp_path: Path) -> None:
    """Runs last: it adds an article to the shared server's index."""
    article = tmp_path / "velmora-ferry-strike.txt"
    article.write_text("Velmora ferry workers end their strike\n\n"
                       "Ferry workers in Velmora ended their three-week strike on Tuesday after the port "
                       "authority agreed to a nine percent pay rise, union leader Marta Osei said.\n", encoding="utf-8")
    page.get_by_text("Add articles", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(article))
    expect(page.get_by_text("velmora-ferry-strike.txt").first).to_be_visible()  # uploaded, listed
    page.get_by_role("button", name="Add to the index").click()
    expect(page.get_by_text("1 added, 0 updated, 0 unchanged, 0 failed")).to_be_visible(timeout=ANSWER_MS)
    expect(page.get_by_text(re.compile(r"^8 articles from"))).to_be_visible()  # the header line is refreshed

    answer = ask(page, "When did the Velmora ferry workers end their strike?")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("nine percent pay rise")
    expect(open_box(page, "Sources")).to_contain_text("Velmora ferry workers end their strike")
