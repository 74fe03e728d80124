"""A report's notebook is keyed by what it runs, not by what a save in JupyterLab adds."""

from __future__ import annotations

import shutil

import nbformat

from emreport.run import cache
from emreport.run.notebook import NOTEBOOKS


def test_outputs_saved_in_the_notebook_keep_its_key_and_a_changed_cell_changes_it(tmp_path):
    path = tmp_path / "district_report.ipynb"
    shutil.copy(NOTEBOOKS / "district_report.ipynb", path)
    before = cache.notebook_key(path)

    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="江城区\n")]
    code.execution_count = 7
    code.metadata["execution"] = {"iopub.execute_input": "2026-12-01T10:00:00"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nbformat.write(nb, path)
    assert cache.notebook_key(path) == before

    code.source += "\nx = 1"
    nbformat.write(nb, path)
    assert cache.notebook_key(path) != before


def test_a_file_that_is_not_a_notebook_is_keyed_by_its_bytes(tmp_path):
    path = tmp_path / "district_report.ipynb"
    path.write_text("not json", encoding="utf-8")
    assert cache.notebook_key(path) == cache.file_key(path)
    assert cache.notebook_key(tmp_path / "absent.ipynb") == "absent"
