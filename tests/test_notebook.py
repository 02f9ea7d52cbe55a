"""examples/quickstart.ipynb runs top to bottom in a real Jupyter kernel, with RAG_HOME in a tmp dir."""

from __future__ import annotations

import os

import nbformat
import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


def _text(output: dict, mime: str) -> str:
    """The text of one output in `mime` (stdout counts as text/plain; stderr is not output)."""
    if output.get("output_type") == "stream":
        return output.get("text", "") if mime == "text/plain" and output.get("name") == "stdout" else ""
    data = output.get("data", {}).get(mime, "")
    return "".join(data) if isinstance(data, list) else data


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    home = tmp_path_factory.mktemp("notebook_home")
    old = os.environ.get("RAG_HOME")
    os.environ["RAG_HOME"] = str(home)  # the kernel inherits it
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        ).execute()
    finally:
        if old is None:
            del os.environ["RAG_HOME"]
        else:
            os.environ["RAG_HOME"] = old
    assert (home / "index").is_dir()  # the default index went to RAG_HOME, not the user's data dir
    return nb


def _cell(nb: nbformat.NotebookNode, needle: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
    return cell


def test_notebook_runs_and_renders_the_answer(executed: nbformat.NotebookNode) -> None:
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source

    ingest = _cell(executed, "idx.ingest(")
    printed = "".join(_text(o, "text/plain") for o in ingest.outputs)
    assert printed.startswith("1 added, 0 updated, 0 unchanged, 0 failed")

    answer = _cell(executed, "answer = query(")
    markdown = [_text(o, "text/markdown") for o in answer.outputs if "text/markdown" in o.get("data", {})]
    assert len(markdown) == 1, answer.outputs
    assert "stop supplying weapons" in markdown[0]
    assert "**Sources**" in markdown[0] and "Baonghean.vn" in markdown[0]
    plain = "".join(_text(o, "text/plain") for o in answer.outputs)
    assert plain.startswith("<Answer ")  # the repr, for plain-text front ends

    citation = "".join(_text(o, "text/plain") for o in _cell(executed, "c = answer.citations[0]").outputs)
    assert citation.startswith("Citation([1] ") and "Baonghean.vn" in citation

    hits = "".join(_text(o, "text/plain") for o in _cell(executed, "idx.search(").outputs)
    assert hits.startswith("[Hit(") and "Baonghean.vn" in hits

    quotes = "".join(_text(o, "text/plain") for o in _cell(executed, "idx.quotes(").outputs)
    # both of the seed's Putin quotations: the one its "Kremlin boss" introduces is credited to him too
    assert quotes.startswith("[QuoteHit(Vladimir Putin: ") and "Baonghean.vn" in quotes
    assert "“He signed it." in quotes and "“You should urge the current Ukrainian leadership" in quotes

    stats = "".join(_text(o, "text/plain") for o in _cell(executed, "idx.stats()").outputs)
    assert "1 article," in stats and "packaged:all-MiniLM-L6-v2" in stats


def test_notebook_writes_nothing_to_stderr(executed: nbformat.NotebookNode) -> None:
    """The quick start is the first thing users run: no warnings in red. (rag/ingest.py imports
    `tqdm.auto` even when the bar is disabled; in Jupyter without ipywidgets that prints
    "TqdmWarning: IProgress not found. Please update jupyter and ipywidgets".)"""
    stderr = [(c.source.split("\n")[0], o.text) for c in executed.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert stderr == []
