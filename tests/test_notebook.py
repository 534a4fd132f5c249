"""The quick-start notebook runs from top to bottom and shows the numbered inventory."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests.helpers.testdata import ROOT


def test_quickstart_notebook_runs():
    notebook = nbformat.read(ROOT / "notebooks" / "01_quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    texts = "".join(o.get("text", "") for o in outputs)
    assert "Main gate: 东南门 (node/5671590330)" in texts
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "畅乐园" in html and "原幼儿园停车场" in html
    assert any("image/png" in o.get("data", {}) for o in outputs), "the map was not drawn"
    assert not [o for o in outputs if o.get("output_type") == "error"]
