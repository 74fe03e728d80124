"""The committed report notebooks: paired with their text form, clean, and thin."""

import json
import re
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ("district_report", "city_report")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_and_its_py_percent_pair_agree(name):
    ipynb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    text = jupytext.read(NOTEBOOKS / f"{name}.py")
    assert [c.source for c in ipynb.cells] == [c.source for c in text.cells], (
        f"{name}.ipynb and {name}.py differ: run `jupytext --sync notebooks/{name}.ipynb`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_or_machine_paths(name):
    raw = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "outputs were committed"
    assert not re.search(r"/(home|root|tmp|work|Users)/", raw), "a machine path was committed"
    assert "papermill" not in json.loads(raw)["metadata"]


@pytest.mark.parametrize("name", NAMES)
def test_one_parameters_cell_with_defaults_for_the_sample(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    assert {"period", "store", "params_dir"} <= set(params)
    assert ("district" if name == "district_report" else "city") in params


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_stay_thin(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert all(len(src.splitlines()) <= 6 for src in code), "logic belongs in lib/, not cells"
    assert "pandas" not in "".join(code)
