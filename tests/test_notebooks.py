"""The committed report notebooks: clean in git (whatever an analyst saved), and thin."""

import json
import re
import subprocess
from pathlib import Path

import nbformat
import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("district_report", "city_report", "review_report", "highlights_report")
# the name of the unit parameter: a summary's notebooks name it after their level
UNIT_PARAMETER = {"district_report": "district", "city_report": "city"}


def _git(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout


def _committed(name: str) -> str:
    """The notebook as git stores it (the index: what the next commit takes), not the working
    copy, which keeps whatever outputs the analyst saved."""
    return _git("show", f":notebooks/{name}.ipynb")


def _saved_by_an_analyst(name: str) -> str:
    """The committed notebook after a run and a save: outputs, execution counts, metadata."""
    nb = nbformat.reads(_committed(name), as_version=4)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["papermill"] = {"input_path": "/home/analyst/notebooks/x.ipynb"}
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = i + 1
        cell.metadata["execution"] = {"iopub.status.busy": "2026-01-15T09:00:00"}
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stderr", text="/home/analyst: warning\n"),
            nbformat.v4.new_output("display_data", data={"text/html": "<p>报告</p>"}),
        ]
    return nbformat.writes(nb)


def test_git_strips_notebook_outputs():
    """.gitattributes sends the notebooks through nbstripout, which set-up defines."""
    for name in NAMES:
        attrs = _git("check-attr", "filter", "diff", "--", f"notebooks/{name}.ipynb")
        assert "filter: nbstripout" in attrs and "diff: ipynb" in attrs, attrs
    clean = _git("config", "--get", "filter.nbstripout.clean").strip()
    assert clean, "the nbstripout filter is not set up: run `make setup`"
    for name in NAMES:
        stripped = subprocess.run(
            clean,
            shell=True,
            cwd=ROOT,
            input=_saved_by_an_analyst(name),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert nbformat.reads(stripped, as_version=4) == nbformat.reads(
            _committed(name), as_version=4
        ), f"{name}.ipynb: what git commits after a save differs from the committed notebook"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_or_machine_paths(name):
    raw = _committed(name)
    nb = nbformat.reads(raw, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "outputs were committed"
    assert not re.search(r"/(home|root|tmp|work|Users)/", raw), "a machine path was committed"
    assert "papermill" not in json.loads(raw)["metadata"]
    assert "jupytext" not in json.loads(raw)["metadata"], "the .ipynb is the one source"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_headings_are_instructions_not_the_reports(name):
    """The report's headings come from the report; the notebook's own text only says what to
    do, so the two can never disagree."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    headings = re.findall(r"^#+\s*(.+)$", text, re.M)
    assert len(headings) == 1 and "使用说明" in headings[0]
    assert not re.search(r"[一二三四五六七八九十]、|（[一二三四五六七八九十]）", text)
    assert "运行 → 运行所有单元格" in text  # the menu as the Chinese interface names it


@pytest.mark.parametrize("name", NAMES)
def test_one_parameters_cell_with_defaults_for_the_sample(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    assert {"period", "store", "params_dir"} <= set(params)
    assert UNIT_PARAMETER.get(name, "unit") in params


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_stay_thin(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert all(len(src.splitlines()) <= 6 for src in code), "logic belongs in lib/, not cells"
    assert "pandas" not in "".join(code)
