"""`newsrag` as users run it, with RAG_HOME in a tmp dir: in this process through `main([...])`
(fast: the model loads once), and a few times as the installed console script in a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from conftest import CORPUS, DEV_SET, ROOT

COMMANDS = ["ingest", "ask", "search", "chat", "quotes", "remove", "info", "eval", "serve"]
PUTIN_Q = "What did Putin say about weapons supply?"
SUMMARY = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) failed \((\d+) chunks written in \d+\.\ds\)")

SCRIPT = Path(sys.executable).with_name("newsrag")


def newsrag(*args: str | Path, home: Path, cwd: Path | None = None, timeout: float = 300,
            subprocess_: bool = False) -> subprocess.CompletedProcess:
    """Run `newsrag ARGS` with RAG_HOME=home in `cwd` (default home): in process, or as the real
    console script with `subprocess_`. Either way: the exit code and what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOME=str(home), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONIOENCODING="utf-8")
    argv = [str(a) for a in args]
    if subprocess_:
        exe = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "rag.cli"]
        return subprocess.run([*exe, *argv], capture_output=True, text=True, encoding="utf-8", env=env,
                              cwd=cwd or home, timeout=timeout)
    from rag.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    with mock.patch.dict(os.environ, env, clear=True), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        os.chdir(cwd or home)
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            os.chdir(here)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def write_articles(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "baonghean-putin-negotiations.txt", d)
    (d / "bridge.json").write_text(json.dumps({
        "id": "bridge-1", "title": "Old bridge reopens", "date": "2021-02-03", "source": "Gazette",
        "url": "https://gazette.example/bridge",
        "text": "The old bridge over the river reopened on Wednesday after two years of repairs. "
                "The mayor said the repairs cost four million euros.",
    }), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RAG_HOME whose default index was built by `newsrag ingest`."""
    home = tmp_path_factory.mktemp("cli_home")
    src = write_articles(home / "articles")
    r = newsrag("ingest", "--quiet", "articles", home=home)
    assert r.returncode == 0, r.stderr
    assert SUMMARY.fullmatch(r.stdout.strip()), r.stdout
    assert SUMMARY.fullmatch(r.stdout.strip()).groups()[:4] == ("2", "0", "0", "0")
    assert (home / "index").is_dir() and src.is_dir()
    return home


# --- help ----------------------------------------------------------------------------------------
def test_help_lists_every_command(tmp_path: Path) -> None:
    r = newsrag("--help", home=tmp_path, subprocess_=True)  # the installed console script
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("usage: newsrag ")
    listed = re.findall(r"^    (\w+)\s{2,}\S", r.stdout, re.M)
    assert listed == COMMANDS
    for opt in ("--index DIR", "--home DIR", "-v, --verbose"):
        assert opt in r.stdout


def test_parser_has_exactly_the_documented_commands() -> None:
    from rag.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(sub.choices) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    r = newsrag(command, "--help", home=tmp_path, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith(f"usage: newsrag {command} ")


def test_no_command_is_a_usage_error(tmp_path: Path) -> None:
    r = newsrag(home=tmp_path, timeout=30)
    assert r.returncode == 2 and r.stdout == ""
    assert "usage: newsrag" in r.stderr and "COMMAND" in r.stderr


def test_every_command_is_in_the_readme() -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    text = readme.read_text(encoding="utf-8")
    missing = [c for c in COMMANDS if f"newsrag {c}" not in text]
    assert not missing, f"README.md does not mention: {missing}"


# --- ingest ----------------------------------------------------------------------------------------
def test_ingest_of_bad_input_exits_1_and_names_each_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "good.txt").write_text("Flood in Springfield\nHeavy rain flooded the town on Friday.", encoding="utf-8")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (bad / "latin1.txt").write_bytes("Café\nLe café était fermé.".encode("latin-1"))
    (bad / "feed.jsonl").write_text('{"title": "ok", "text": "A fine record about the harbour."}\n{"title": \n{"id": "x"}\n',
                                    encoding="utf-8")
    r = newsrag("ingest", "--quiet", "bad", home=tmp_path)
    assert r.returncode == 1, r.stderr
    first, *failed = r.stdout.rstrip("\n").split("\n")
    assert SUMMARY.fullmatch(first).groups()[:4] == ("2", "0", "0", "5"), first
    assert failed[0] == "  failed: bad/binary.txt: binary file, not text"
    assert failed[1] == "  failed: bad/empty.txt: empty file"
    assert failed[2].startswith("  failed: bad/feed.jsonl:2: invalid JSON: ")
    assert failed[3].startswith("  failed: bad/feed.jsonl:3: record has no text ")
    assert failed[4] == ("  failed: bad/latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3); save it as UTF-8")
    assert len(failed) == 5

    again = newsrag("ingest", "--quiet", "--json", "bad", home=tmp_path)
    assert again.returncode == 1
    report = json.loads(again.stdout)
    assert (report["added"], report["updated"], report["unchanged"], report["chunks"]) == (0, 0, 2, 0)
    assert len(report["failed"]) == 5 and report["failed"][1] == "bad/empty.txt: empty file"


def test_ingest_of_a_missing_path(tmp_path: Path) -> None:
    r = newsrag("ingest", "--quiet", "nowhere", home=tmp_path, timeout=120)
    assert r.returncode == 1
    assert r.stdout.rstrip("\n").split("\n")[1] == "  failed: nowhere: no such file or directory"


# --- ask / search / info on the index built by `ingest` -----------------------------------------
@pytest.fixture(scope="module")
def putin_json(home: Path) -> dict:
    r = newsrag("ask", PUTIN_Q, "--json", home=home)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_ask_json(putin_json: dict) -> None:
    answer = putin_json
    assert {"question", "text", "citations", "abstained", "hits", "search_query", "filters", "timings"} <= set(answer)
    assert answer["question"] == PUTIN_Q and answer["abstained"] is False
    assert "stop supplying weapons" in answer["text"]
    c = answer["citations"][0]
    assert c["n"] == 1 and c["source"] == "Baonghean.vn"
    article_text = (CORPUS / "baonghean-putin-negotiations.txt").read_text(encoding="utf-8").split("\n", 1)[1].strip()
    for c in answer["citations"]:
        assert article_text[c["start"] : c["end"]] == c["quote"]


def test_ask_prints_the_answer_and_its_sources(home: Path, putin_json: dict) -> None:
    r = newsrag("ask", PUTIN_Q, home=home, subprocess_=True)  # a cold process, as a user runs it
    assert r.returncode == 0, r.stderr
    expected = putin_json["text"] + "\n\n(corpus covers 2021-02-03 to 2021-02-03)\n\nSources:\n"
    for c in putin_json["citations"]:
        meta = ", ".join(p for p in (c["source"], c["published"] or "") if p)
        expected += f"[{c['n']}] {c['title']} — {meta}\n" + (f"    {c['url']}\n" if c["url"] else "")
        expected += f"    “{c['quote']}”\n"
    assert r.stdout == expected.rstrip("\n") + "\n"  # what the page shows, as plain text


def test_ask_with_a_source_filter(home: Path) -> None:
    r = newsrag("ask", "How much did the bridge repairs cost?", "--source", "Gazette", "--json", home=home)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["filters"] == {"sources": ["Gazette"]}
    assert {h["source"] for h in answer["hits"]} == {"Gazette"}
    assert all(c["source"] == "Gazette" for c in answer["citations"] + answer["related"])


def test_search_prints_ranked_passages(home: Path) -> None:
    as_json = json.loads(newsrag("search", "bridge repairs", "-k", "3", "--json", home=home).stdout)
    assert 1 <= len(as_json) <= 3 and as_json[0]["article_id"] == "bridge-1"
    r = newsrag("search", "bridge repairs", "-k", "3", home=home)
    assert r.returncode == 0
    expected = "".join(
        f"{i}. {h['score']:.4f} {h['title']} — {h['source']}, {h['published'] or 'undated'}\n"
        for i, h in enumerate(as_json, 1)
    )
    assert r.stdout == expected.rstrip("\n") + "\n"  # what the page shows, as plain text
    assert r.stdout.startswith("1. ") and "Old bridge reopens — Gazette, 2021-02-03" in r.stdout.split("\n")[0]


def test_info_json_and_text(home: Path) -> None:
    r = newsrag("info", "--json", home=home)
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert set(stats) == {"articles", "chunks", "copies", "sources", "first_date", "last_date", "last_ingested", "model",
                          "path", "answerer", "answerer_status", "inferred"}
    assert stats["inferred"] == {}  # every record gave its outlet and date (the seed has no date to infer)
    assert (stats["answerer"], stats["answerer_status"]) == ("extractive", "ready (no LLM needed)")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stats["last_ingested"])
    assert stats["articles"] == 2 and stats["chunks"] >= 2
    assert stats["sources"] == {"Baonghean.vn": 1, "Gazette": 1}
    assert stats["first_date"] == stats["last_date"] == "2021-02-03"
    assert stats["model"] == "packaged:all-MiniLM-L6-v2"
    assert stats["path"] == str(home / "index")

    text = newsrag("info", home=home)
    assert text.stdout == (
        f"index:    {home / 'index'}\n"
        "model:    packaged:all-MiniLM-L6-v2\n"
        f"articles: 2  chunks: {stats['chunks']}\n"
        "dates:    2021-02-03 .. 2021-02-03\n"
        f"updated:  {stats['last_ingested']}\n"
        "outlets:  Baonghean.vn (1), Gazette (1)\n"
        "answerer: extractive: ready (no LLM needed)\n"
    )


def test_info_counts_the_outlets_and_dates_read_off_urls(home: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"url": "https://www.usatoday.com/story/news/2025/08/28/bridge-reopens/1/",
                                 "text": "The old bridge over the river reopened on Thursday after repairs."}) + "\n",
                     encoding="utf-8")
    assert newsrag("--index", tmp_path / "idx", "ingest", "--quiet", pages, home=home).returncode == 0
    r = newsrag("--index", tmp_path / "idx", "info", home=home)
    assert "outlets:  USA Today (1)\n" in r.stdout and "dates:    2025-08-28 .. 2025-08-28\n" in r.stdout
    assert "inferred: 1 dates read off URLs or datelines, 1 outlets read off URLs\n" in r.stdout


def test_reingest_reports_unchanged(home: Path) -> None:
    r = newsrag("ingest", "--quiet", "articles", home=home)
    assert r.returncode == 0
    assert SUMMARY.fullmatch(r.stdout.strip()).groups() == ("0", "0", "2", "0", "0")


def test_index_option_picks_another_directory(home: Path, tmp_path: Path) -> None:
    r = newsrag("--index", home / "index", "info", "--json", home=tmp_path)
    assert json.loads(r.stdout)["articles"] == 2


def test_a_bad_date_is_a_usage_error(home: Path) -> None:
    r = newsrag("search", "bridge", "--since", "last year", home=home)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: ") and "YYYY-MM-DD" in r.stderr


# --- errors ----------------------------------------------------------------------------------------
def test_asking_where_there_is_no_index_or_an_empty_one_exits_2_and_says_to_ingest(tmp_path: Path) -> None:
    r = newsrag("ask", "Anything?", home=tmp_path, timeout=120)
    assert (r.returncode, r.stdout) == (2, ""), r.stderr
    assert r.stderr.startswith(f"error: There is no index at {tmp_path / 'index'}.") and "newsrag ingest" in r.stderr
    assert not (tmp_path / "index").exists()  # asking never creates one
    (tmp_path / "nothing").mkdir()
    assert newsrag("ingest", tmp_path / "nothing", home=tmp_path, timeout=120).returncode == 0
    for command in ("ask", "search"):
        r = newsrag(command, "Anything?", home=tmp_path, timeout=120)
        assert r.returncode == 2, r.stderr
        assert r.stdout == ""
        assert r.stderr.startswith(f"error: The index at {tmp_path / 'index'} is empty.")
        assert "newsrag ingest" in r.stderr
        assert "Traceback" not in r.stderr


def test_info_on_an_empty_index_and_on_a_mistyped_path(tmp_path: Path) -> None:
    r = newsrag("--index", tmp_path / "typo", "info", home=tmp_path, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith(f"error: There is no index at {tmp_path / 'typo'}.")
    assert not (tmp_path / "typo").exists()
    (tmp_path / "nothing").mkdir()
    newsrag("ingest", tmp_path / "nothing", home=tmp_path, timeout=120)
    r = newsrag("info", "--json", home=tmp_path, timeout=120)
    assert r.returncode == 0
    stats = json.loads(r.stdout)
    assert (stats["articles"], stats["chunks"], stats["first_date"]) == (0, 0, None)


# --- eval on the Wikinews index ---------------------------------------------------------------------
@pytest.mark.slow
def test_eval_json(wikinews_index, tmp_path: Path) -> None:  # noqa: ANN001
    r = newsrag("--index", wikinews_index.path, "eval", DEV_SET, "--limit", "5", "--json", home=tmp_path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report) >= {"overall", "by_type", "seconds"}
    overall = report["overall"]
    assert overall["n"] == 5
    for key in ("hit@1", "hit@5", "hit@10", "mrr@10", "answer_accuracy", "citation_precision"):
        assert 0.0 <= overall[key] <= 1.0, key
    assert overall["hit@1"] <= overall["hit@5"] <= overall["hit@10"]
    assert set(report["by_type"]) == {"factoid"}  # the first five questions are factoids
    assert report["by_type"]["factoid"]["hit@5"] == overall["hit@5"]

    # the same five questions asked in this process give the same hit@5
    questions = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()[:5]]
    found = 0
    for q in questions:
        hits = wikinews_index.query(q["question"], k=10).hits
        found += any(h.article_id in q["gold_ids"] for h in hits[:5])
    assert overall["hit@5"] == found / 5
    assert overall["hit@5"] >= 0.6  # retrieval finds most of these plain factoids


def test_search_with_an_article_filter_returns_only_that_article(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"id": "one", "title": "Ferry sinks off Zanzibar", "text": "A ferry sank off Zanzibar on Monday. Rescuers found 20 survivors.", "date": "2020-01-02"}\n'
        '{"id": "two", "title": "Ferry festival opens", "text": "A ferry festival opened in Oslo on Monday. Visitors rode old ferries.", "date": "2020-01-03"}\n'
    )
    assert newsrag("ingest", "--quiet", tmp_path / "a.jsonl", home=tmp_path).returncode == 0
    r = newsrag("search", "ferry", "--article", "two", "--json", home=tmp_path)
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert hits and {h["article_id"] for h in hits} == {"two"}


# --- generated answers (--llm) against a scripted OpenAI-compatible server on 127.0.0.1 ---------------
def test_ask_with_llm_prints_verdicts(home: Path) -> None:
    from scripted_llm import ScriptedLLM

    with ScriptedLLM() as server:
        server.replies.append(  # 2 of 4 sentences unsupported: not more than half, so shown
            "The mayor said the repairs cost four million euros [1]. The old bridge reopened on Wednesday [1]. "
            "The bridge cost 9 million euros [1]. It was built by Romans."
        )
        url = server.url
        r = newsrag("--llm", f"openai:scripted@{url}/v1", "ask", "What did the bridge repairs cost?",
                    "--source", "Gazette", home=home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(  # each sentence its sources don't carry is marked where it stands, as on the page
        "The mayor said the repairs cost four million euros [1]. The old bridge reopened on Wednesday [1]. "
        "The bridge cost 9 million euros [1]. [not supported: '9' is not in [1]] "
        "It was built by Romans. [not supported: no citation]\n"
        f"\n(generated by openai:scripted@{url}/v1; 2 of 4 sentences not supported by their sources; "
        "outlets: Gazette; newest source 2021-02-03; corpus covers 2021-02-03 to 2021-02-03)\n"
        "\nSources:\n[1] Old bridge reopens — Gazette, 2021-02-03\n"
    ), r.stdout
    assert "not shown" not in r.stdout


def test_ask_with_llm_does_not_pass_off_a_failed_answer(home: Path) -> None:
    from scripted_llm import ScriptedLLM

    reply = '<source n="1">The bridge cost 9 million euros. It was built by Romans.</source>'
    with ScriptedLLM() as server:
        server.replies += [reply, reply]
        spec = f"openai:scripted@{server.url}/v1"
        args = ("ask", "What did the bridge repairs cost?", "--source", "Gazette")
        r = newsrag("--llm", spec, *args, home=home)
        j = newsrag("--llm", spec, *args, "--json", home=home)
    assert r.returncode == 0 and j.returncode == 0, r.stderr + j.stderr
    notice = (f"The LLM's answer ({spec}) was not shown: it repeats the prompt's <source> markup; it cites no "
              "source for any of its 2 sentences. This is the extractive answer.")
    assert r.stdout.startswith(f"({notice})\n\nThe mayor said the repairs cost four million euros. [1] "), r.stdout
    assert "generated by" not in r.stdout
    assert r.stdout.endswith(f"\n\nThe LLM's answer (not shown as the answer):\n{reply}\n"), r.stdout
    answer = json.loads(j.stdout)
    assert answer["rejected"] == reply and answer["notice"] == notice and answer["answerer"] == "extractive"


def test_info_says_whether_the_llm_answers(home: Path) -> None:
    from scripted_llm import ScriptedLLM

    with ScriptedLLM() as server:
        server.replies.append("OK")
        up = newsrag("--llm", f"openai:scripted@{server.url}/v1", "info", "--json", home=home)
        url = server.url
    assert up.returncode == 0, up.stderr
    stats = json.loads(up.stdout)
    assert stats["answerer"] == f"openai:scripted@{url}/v1"
    assert re.fullmatch(r"answers \(\d+\.\d s for a one-word reply\)", stats["answerer_status"])

    down = newsrag("--llm", f"openai:scripted@{url}/v1", "info", home=home)  # the server is gone now
    assert down.returncode == 0
    assert f"answerer: openai:scripted@{url}/v1: NOT answering: Cannot reach the LLM server at {url}/v1" in down.stdout


def test_a_bad_llm_setting_is_a_clear_error(home: Path) -> None:
    r = newsrag("--llm", "claude:sonnet", "ask", "anything?", home=home)
    assert r.returncode == 2
    assert r.stderr.startswith("error: RAG_LLM='claude:sonnet': unknown kind 'claude'. Use ollama:MODEL[@URL]")


def test_eval_feedback_scores_the_pages_verdicts(home: Path, putin_json: dict, tmp_path: Path) -> None:
    """Verdicts as the page writes them (rag/feedback.py) become a question set: the liked answer
    still cites its article; the disliked one (an answer nobody gives any more) has changed."""
    from rag import feedback

    path = tmp_path / "feedback.jsonl"
    cited = [{"n": 1, "article_id": c["article_id"], "quote": c["quote"]} for c in putin_json["citations"]]
    feedback.write(path, feedback.Verdict(question=PUTIN_Q, answer=putin_json["text"], verdict="up", citations=cited))
    feedback.write(path, feedback.Verdict(question="How much did the bridge repairs cost?", verdict="down",
                                          answer="The repairs cost nothing. [1]", comment="wrong figure"))
    r = newsrag("eval", "--feedback", path, "--json", "--details", home=home)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report["by_type"]) == {"liked", "disliked"}
    assert report["by_type"]["liked"]["answer_accuracy"] == 1.0 and report["by_type"]["liked"]["hit@1"] == 1.0
    assert report["by_type"]["disliked"]["answer_accuracy"] == 1.0
    # the same verdict file with the disliked answer being today's: not changed, so not correct
    again = tmp_path / "again.jsonl"
    today = json.loads(newsrag("ask", "How much did the bridge repairs cost?", "--json", home=home).stdout)["text"]
    feedback.write(again, feedback.Verdict(question="How much did the bridge repairs cost?", verdict="down", answer=today))
    report = json.loads(newsrag("eval", "--feedback", again, "--json", home=home).stdout)
    assert report["by_type"]["disliked"]["answer_accuracy"] == 0.0
    # without a file it reads RAG_HOME/feedback.jsonl, and says where it looked when there is none
    (tmp_path / "fresh").mkdir()
    r = newsrag("eval", "--feedback", home=tmp_path / "fresh")
    assert r.returncode == 2 and f"no feedback file at {tmp_path / 'fresh' / 'feedback.jsonl'}" in r.stderr
    assert newsrag("eval", home=home).returncode == 2
