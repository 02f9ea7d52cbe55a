"""Server mode: the same index behaviour over a real `chroma run` server on a free local port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rag.config import Settings
from rag.errors import ConfigError
from rag.index import NewsIndex

from conftest import CORPUS, ROOT, WIKINEWS

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_server(data: Path):
    exe = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if not exe:
        pytest.skip("the `chroma` command (from the chromadb package) is missing")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("chroma run did not start")
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    yield from _chroma_server(tmp_path_factory.mktemp("chroma-server"))


def test_server_mode_ingests_answers_and_is_shared(chroma_url: str, tmp_path: Path) -> None:
    a = NewsIndex(tmp_path / "a", Settings(home=tmp_path, chroma_url=chroma_url))
    report = a.ingest([CORPUS], progress=False)
    assert report.added == 1 and not (tmp_path / "a" / "chroma").exists()  # nothing stored locally
    answer = a.query("What did Putin say about weapons supply?")
    assert "stop supplying weapons" in answer.text and answer.citations[0].source == "Baonghean.vn"

    b = NewsIndex(tmp_path / "b", Settings(home=tmp_path, chroma_url=chroma_url))  # another user
    assert b.stats().articles == 1
    assert b.ingest([CORPUS], progress=False).unchanged == 1
    assert b.search("Istanbul", k=1)[0].source == "Baonghean.vn"
    assert b.remove(sources=["Baonghean.vn"])
    assert a.stats().articles == 0
    assert b.ingest([CORPUS], progress=False).added == 1  # removed and added again by the same client
    assert (a.stats().articles, a.stats().chunks) == (1, 3)
    assert b.remove(sources=["Baonghean.vn"]) and a.stats().articles == 0


def test_server_mode_records_the_model(chroma_url: str, tmp_path: Path) -> None:
    from rag.errors import ModelMismatchError

    NewsIndex(tmp_path / "x", Settings(home=tmp_path, chroma_url=chroma_url)).ingest([CORPUS], progress=False)
    with pytest.raises(ModelMismatchError, match=chroma_url):
        NewsIndex(tmp_path / "y", Settings(home=tmp_path, chroma_url=chroma_url, model="some/other-model"))


def test_no_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(ConfigError, match="chroma run --path DIR --port PORT"):
        NewsIndex(tmp_path / "i", Settings(home=tmp_path, chroma_url=url))
    with pytest.raises(ConfigError, match="not an http"):
        NewsIndex(tmp_path / "i", Settings(home=tmp_path, chroma_url="127.0.0.1:8000"))


def _ingest(url: str, home: Path, *files: Path) -> str:
    """The team's ingester: `newsrag ingest` in its own process, writing to the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(HF_HUB_OFFLINE="1", RAG_CHROMA_URL=url, RAG_HOME=str(home))
    done = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", "--quiet", *map(str, files)], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not WIKINEWS.exists(), reason="needs ../shared")
def test_a_team_shares_one_server_and_no_client_holds_a_copy(tmp_path: Path) -> None:
    """One `chroma run`, one ingester process, two clients: the clients answer from the server
    with nothing stored or loaded locally (the dense candidates ranked by their words too), and
    see what the ingester adds or removes on their next question, without a restart."""
    records = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    first, later = tmp_path / "first.jsonl", tmp_path / "later.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records[:12]), encoding="utf-8")
    late = records[12]
    later.write_text(json.dumps(late) + "\n", encoding="utf-8")
    rare = max((w for w in late["title"].split() if w.isalpha()), key=len)  # a word of the new article's title

    server = _chroma_server(tmp_path / "server")
    url = next(server)
    try:
        assert "12 added" in _ingest(url, tmp_path / "ingester", first)
        alice = NewsIndex(tmp_path / "alice", Settings(home=tmp_path / "alice-home", chroma_url=url))
        bob = NewsIndex(tmp_path / "bob", Settings(home=tmp_path / "bob-home", chroma_url=url))
        assert alice.stats().articles == bob.stats().articles == 12
        hit = alice.search(records[0]["title"], k=1)[0]
        assert hit.article_id == records[0]["id"] and hit.bm25_score is not None  # its words ranked it too
        assert bob.query(f"What happened in {records[3]['title']}?").citations[0].article_id == records[3]["id"]
        assert not bob.search(rare, k=5) or bob.search(rare, k=1)[0].article_id != late["id"]

        assert "1 added" in _ingest(url, tmp_path / "ingester", later)
        for client in (alice, bob):  # the next question sees it: no restart, no rebuild
            hit = client.search(late["title"], k=1)[0]
            assert hit.article_id == late["id"] and hit.bm25_score is not None
            assert client.stats().articles == 13
        assert alice.remove(ids=[late["id"]]) == [late["id"]]
        assert bob.stats().articles == 12 and all(h.article_id != late["id"] for h in bob.search(late["title"], k=5))
        for who in ("alice", "bob"):  # nothing stored on the clients (alice's removal took the write lock)
            assert {p.name for p in tmp_path.glob(f"{who}*/**/*") if p.is_file()} <= {"write.lock"}
    finally:
        next(server, None)
