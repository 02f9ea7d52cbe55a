"""Server mode: the same index behaviour over a real `chroma run` server on a free local port."""

from __future__ import annotations

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

from conftest import CORPUS

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    exe = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if not exe:
        pytest.skip("the `chroma` command (from the chromadb package) is missing")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
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
