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
def server(tmp_path_factory: pytest.TempPathFactory, llm: ScriptedLLM) -> Iterator[str]:
    """`newsrag serve` on a free port over corpus/ + the dated and hostile articles; its URL."""
    tmp = tmp_path_factory.mktemp("browser")
    articles = tmp / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in (DATED, HOSTILE)), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_HOME": str(tmp),
           "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false",
           "RAG_LLM_CHOICES": f"openai:scripted@{llm.url}/v1"}
    index = ["--index", str(tmp / "index")]
    done = subprocess.run([_newsrag(), *index, "ingest", "--quiet", CORPUS, articles], env=env,
                          capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 0, f"ingest failed:\n{done.stdout}\n{done.stderr}"
    assert "3 added" in done.stdout, done.stdout

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
    expect(page.get_by_text(re.compile(r"^4 articles from"))).to_be_visible()  # the header line is refreshed

    answer = ask(page, "When did the Velmora ferry workers end their strike?")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("nine percent pay rise")
    expect(open_box(page, "Sources")).to_contain_text("Velmora ferry workers end their strike")
