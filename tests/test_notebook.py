"""The tour notebook runs from top to bottom, so it never goes stale."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "tour.ipynb"


def test_notebook_tour_runs(monkeypatch):
    for module in ("nbclient", "nbformat", "ipykernel", "pandas", "matplotlib"):
        pytest.importorskip(module)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, if any cell fails

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", "")) for output in outputs
    )
    assert "常州国家高新区" in text  # the park's figures were queried
    assert "park–enterprise network" in text  # the networkx measures were printed
    html = "\n".join(str(output.get("data", {}).get("text/html", "")) for output in outputs)
    assert "<iframe" in html and "vis.Network" in html  # the pyvis drawing is inline
