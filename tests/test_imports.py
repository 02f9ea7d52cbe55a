"""`import rag` and `newsrag --help` stay light and offline: no torch, sentence-transformers,
chromadb or gradio, and no network connection (each check runs in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import ROOT

HEAVY = ["torch", "sentence_transformers", "transformers", "chromadb", "gradio", "llama_index"]

# Runs first in the child: any attempt to open a network connection raises and is recorded.
NO_NETWORK = """
import socket, sys
attempts = []
def _refuse(self, address, *a, **k):
    attempts.append(repr(address))
    raise OSError("network access attempted: %r" % (address,))
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
_create = socket.create_connection
def _create_connection(address, *a, **k):
    attempts.append(repr(address))
    raise OSError("network access attempted: %r" % (address,))
socket.create_connection = _create_connection
"""

REPORT = """
import json
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("@@" + json.dumps({"heavy": heavy, "attempts": attempts}))
""" % (HEAVY,)


def run(code: str) -> tuple[dict, subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "RAG_"))}
    env["RAG_HOME"] = os.environ["RAG_HOME"]
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", NO_NETWORK + code + REPORT], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    seconds = time.perf_counter() - start
    assert r.returncode == 0, r.stderr
    line = next(line for line in r.stdout.splitlines() if line.startswith("@@"))
    return json.loads(line[2:]), r, seconds


def test_the_network_guard_works() -> None:
    """The guard itself: a connection attempt is caught and recorded (else the tests below prove nothing)."""
    code = """
try:
    socket.create_connection(("127.0.0.1", 9))
except OSError:
    pass
try:
    socket.socket().connect(("127.0.0.1", 9))
except OSError:
    pass
import torch
"""
    found, _, _ = run(code)
    assert len(found["attempts"]) == 2 and "torch" in found["heavy"]


def test_import_rag_is_light_and_offline() -> None:
    code = """
import rag
from rag import query, NewsIndex, Settings, Answer, Citation, Hit, RagError, EmptyIndexError
assert callable(query) and NewsIndex.__name__ == "NewsIndex"
"""
    found, r, seconds = run(code)
    assert found == {"heavy": [], "attempts": []}, found
    assert r.stderr == ""
    assert seconds < 10


def test_public_names() -> None:
    import rag

    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    assert {"query", "NewsIndex", "Settings", "Answer", "Citation", "Hit", "RagError"} <= set(rag.__all__)


def test_newsrag_help_is_light_offline_and_fast() -> None:
    code = """
from rag.cli import main
try:
    main(["--help"])
except SystemExit as e:
    assert e.code == 0, e.code
"""
    found, r, seconds = run(code)
    assert found == {"heavy": [], "attempts": []}, found
    assert "usage: newsrag" in r.stdout
    assert seconds < 10


def test_console_script_help_is_fast() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "newsrag")
    cmd = [script, "--help"] if os.path.exists(script) else [sys.executable, "-m", "rag.cli", "--help"]
    timings = []
    for _ in range(3):  # the best of three, so one slow moment of a busy machine doesn't count
        start = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        timings.append(time.perf_counter() - start)
        assert r.returncode == 0 and "usage: newsrag" in r.stdout
    assert min(timings) < 2.0, timings


def test_ui_app_import_is_light() -> None:
    found, _, _ = run("import ui.app\n")
    assert found == {"heavy": [], "attempts": []}, found
