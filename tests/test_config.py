"""rag.config: Settings from RAG_* variables, validation, overrides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rag.config import (
    DEFAULT_ABSTAIN_THRESHOLD,
    DEFAULT_HOST,
    DEFAULT_PER_ARTICLE,
    DEFAULT_PORT,
    DEFAULT_TOP_K,
    PACKAGED_MODEL,
    Settings,
)
from rag.errors import ConfigError, RagError


def test_from_env_reads_every_rag_variable(tmp_path: Path) -> None:
    env = {
        "RAG_HOME": str(tmp_path / "home"),
        "RAG_MODEL": "/models/minilm",
        "RAG_TOP_K": "5",
        "RAG_PER_ARTICLE": "2",
        "RAG_ABSTAIN_THRESHOLD": "0.3",
        "RAG_HOST": "0.0.0.0",
        "RAG_PORT": "8080",
        "RAG_AS_OF": "2020-06-01",
    }
    s = Settings.from_env(env)
    assert s == Settings(
        home=tmp_path / "home", model="/models/minilm", top_k=5, per_article=2, abstain_threshold=0.3,
        host="0.0.0.0", port=8080, as_of="2020-06-01",
    )
    assert isinstance(s.home, Path) and isinstance(s.top_k, int) and isinstance(s.abstain_threshold, float)


def test_from_env_defaults(tmp_path: Path) -> None:
    s = Settings.from_env({"RAG_HOME": str(tmp_path)})
    assert (s.model, s.top_k, s.per_article, s.abstain_threshold, s.host, s.port) == (
        PACKAGED_MODEL, DEFAULT_TOP_K, DEFAULT_PER_ARTICLE, DEFAULT_ABSTAIN_THRESHOLD, DEFAULT_HOST, DEFAULT_PORT
    )
    assert s.home == tmp_path


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "x"))
    monkeypatch.setenv("RAG_TOP_K", "3")
    s = Settings.from_env()
    assert s.home == tmp_path / "x" and s.top_k == 3


def test_without_rag_home_the_per_user_data_dir_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_HOME")
    from platformdirs import user_data_dir

    assert Settings.from_env().home == Path(user_data_dir("newsrag", appauthor=False))


def test_empty_variables_are_ignored() -> None:
    s = Settings.from_env({"RAG_TOP_K": "", "RAG_MODEL": ""})
    assert s.top_k == DEFAULT_TOP_K and s.model == PACKAGED_MODEL


def test_unrelated_variables_are_ignored() -> None:
    s = Settings.from_env({"TOP_K": "99", "RAG_UNKNOWN": "x", "rag_top_k": "99"})
    assert s.top_k == DEFAULT_TOP_K


@pytest.mark.parametrize(
    ("var", "value"),
    [("RAG_TOP_K", "ten"), ("RAG_TOP_K", "1.5"), ("RAG_PER_ARTICLE", "three"), ("RAG_PORT", "80a"),
     ("RAG_ABSTAIN_THRESHOLD", "high")],
)
def test_a_bad_number_names_the_variable(var: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({var: value})
    message = str(info.value)
    assert var in message and repr(value) in message
    assert isinstance(info.value, RagError)


@pytest.mark.parametrize("field", ["top_k", "per_article"])
def test_values_below_one_are_refused(field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        Settings(**{field: 0})
    with pytest.raises(ConfigError, match=field):
        Settings.from_env({f"RAG_{field.upper()}": "-1"})


def test_overrides_win_over_the_environment(tmp_path: Path) -> None:
    env = {"RAG_HOME": str(tmp_path / "env"), "RAG_TOP_K": "5", "RAG_PORT": "9000"}
    s = Settings.from_env(env, home=tmp_path / "arg", top_k=2)
    assert s.home == tmp_path / "arg" and s.top_k == 2 and s.port == 9000


def test_none_overrides_do_not_erase_the_environment(tmp_path: Path) -> None:
    # The CLI passes --home as None when it is not given.
    s = Settings.from_env({"RAG_HOME": str(tmp_path)}, home=None, top_k=None)
    assert s.home == tmp_path and s.top_k == DEFAULT_TOP_K


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings.from_env({"RAG_HOME": "~/news"}).home == tmp_path / "news"
    assert Settings(home="~/other").home == tmp_path / "other"  # type: ignore[arg-type]


def test_settings_are_frozen_and_replace_validates() -> None:
    s = Settings(top_k=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.top_k = 5  # type: ignore[misc]
    assert s.replace(top_k=6).top_k == 6 and s.top_k == 4
    with pytest.raises(ConfigError):
        s.replace(top_k=0)


def test_equal_settings_compare_equal(tmp_path: Path) -> None:
    # rag.default_index() reuses its index while the settings are equal
    assert Settings.from_env({"RAG_HOME": str(tmp_path)}) == Settings(home=tmp_path)
    assert Settings.from_env({"RAG_HOME": str(tmp_path)}) != Settings(home=tmp_path, top_k=3)
