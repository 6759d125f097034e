"""The tour notebook runs from top to bottom, and the outputs stored with it are what it prints now.

The notebook is committed executed, so GitHub and docs show its tables and chart. After changing
it, or anything it shows, store fresh outputs with ``python tests/test_notebook.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "tour.ipynb"


def execute(path: Path) -> Any:
    """The notebook at ``path``, run in a fresh kernel (raises CellExecutionError on a failing cell)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()
    return notebook


def _text(kind: str, value: Any) -> str:
    """An output's text; the explorer page drawn inline counts by its presence only (it changes
    with the page's own code, not with what the notebook shows)."""
    text = str(value)
    return (
        "<iframe srcdoc=…the explorer page…>"
        if kind == "text/html" and text.startswith("<div><iframe srcdoc=")
        else text
    )


def outputs(notebook: Any) -> list[list[tuple[str, ...]]]:
    """Per code cell, what its outputs say: stream text, and every text form of results (a
    picture's bytes vary with library versions, so a picture counts by its type only)."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        said: list[tuple[str, ...]] = []
        for output in cell.outputs:
            if output.output_type == "stream":  # one print may arrive in several pieces
                if said and said[-1][:2] == ("stream", output.name):
                    said[-1] = ("stream", output.name, said[-1][2] + output.text)
                else:
                    said.append(("stream", output.name, output.text))
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                texts = (_text(kind, data[kind]) for kind in sorted(data) if kind.startswith("text/"))
                said.append((output.output_type, *sorted(data), *texts))
            else:
                said.append((output.output_type, output.get("ename", ""), output.get("evalue", "")))
        cells.append(said)
    return cells


ENVIRONMENT = {"JUPYTER_PLATFORM_DIRS": "1"}  # charts go inline, as in Jupyter


@pytest.fixture(scope="module")
def executed() -> Any:
    for module in ("nbclient", "nbformat", "ipykernel", "pandas", "matplotlib"):
        pytest.importorskip(module)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        return execute(NOTEBOOK)


def test_notebook_tour_runs(executed):
    produced = [output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in produced if output.output_type == "error"]
    text = "\n".join(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")) for output in produced)
    assert "常州国家高新区" in text  # the park's figures were queried
    assert "park–enterprise network" in text  # the networkx measures were printed
    assert [output for output in produced if "image/png" in output.get("data", {})]  # the chart
    assert "No CJK font" not in text and "missing from" not in text, (
        "the chart's Chinese labels are boxes: install a CJK font (Debian: apt-get install fonts-noto-cjk)"
    )
    html = "\n".join(str(output.get("data", {}).get("text/html", "")) for output in produced)
    assert "<iframe" in html and "vis.Network" in html  # the pyvis drawing is inline


def test_notebook_tour_never_hides_warnings():
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert "filterwarnings" not in source and "simplefilter" not in source


def test_notebook_tour_is_stored_with_fresh_outputs(executed):
    import nbformat

    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert outputs(stored) == outputs(executed), "the stored outputs are stale: run python tests/test_notebook.py"


if __name__ == "__main__":
    import nbformat

    os.environ.update(ENVIRONMENT)
    fresh = execute(NOTEBOOK)
    partial = NOTEBOOK.with_name(NOTEBOOK.name + ".partial")
    nbformat.write(fresh, partial)
    partial.replace(NOTEBOOK)  # atomic: the notebook is never half written
    print(f"wrote {NOTEBOOK.relative_to(ROOT)} with fresh outputs", file=sys.stderr)
