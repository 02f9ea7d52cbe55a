"""Shared fixtures. Every test runs with the user's home, RAG_* variables and hub access isolated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
WIKINEWS = SHARED / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
DEV_SET = SHARED / "eval" / "wikinews_dev.jsonl"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in list(os.environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_HOME", str(tmp_path_factory.mktemp("rag_home")))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory):
    """A real index (packaged model, embedded Chroma) over corpus/."""
    from rag.config import Settings
    from rag.index import NewsIndex

    home = tmp_path_factory.mktemp("seed")
    idx = NewsIndex(home / "index", Settings(home=home))
    report = idx.ingest([CORPUS], progress=False)
    assert report.ok and report.added >= 1
    return idx


@pytest.fixture(scope="session")
def wikinews_index(tmp_path_factory: pytest.TempPathFactory):
    """A real index over the 293 Wikinews articles from ../shared plus corpus/ (about 1.5 min)."""
    if not WIKINEWS.exists():
        pytest.skip(f"{WIKINEWS} is missing (../shared is laid beside the repo in CI)")
    from rag.config import Settings
    from rag.index import NewsIndex

    home = tmp_path_factory.mktemp("wikinews")
    idx = NewsIndex(home / "index", Settings(home=home))
    report = idx.ingest([WIKINEWS, CORPUS], progress=False)
    assert report.ok, report.summary()
    return idx
