"""Running one report notebook: `Job` (which unit, period and kind of report, which notebook) and
`execute`, papermill on the job's parameters in a fresh kernel, with every way it can fail
turned into one RenderError that names the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from emreport import config
from emreport.data import kinds
from emreport.output import folder
from emreport.output.page import RenderError

if TYPE_CHECKING:  # nbformat takes a second to import: only workers need it
    import nbformat

NOTEBOOKS = config.NOTEBOOKS
OWN_ERRORS = {
    "NarrativeError",
    "ReportError",
    "StoreError",
    "PeriodError",
    "KindError",
    "ChartError",
    "OwnError",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


OWN_NOTEBOOK = re.compile(r"^(?P<family>[a-z]+)_report\.(?P<code>[^.]+)\.ipynb$")


def own_notebook_name(notebook: str, code: str) -> str:
    """The file name of one unit's own notebook: district_report.990102.ipynb,
    review_report.990100.ipynb (`notebook` is the kind's notebook name, Kind.notebook)."""
    return f"{notebook}.{code}.ipynb"


@dataclass(frozen=True)
class Job:
    """One report to make: the unit code, its level (district or city: which summary notebook
    and which name its unit parameter has), the period's code (2025, 2021-2025) and the kind
    of report (data/kinds.py: summary, review, highlights)."""

    code: str
    level: str
    period: str
    kind: str = kinds.SUMMARY

    @property
    def folder(self) -> str:
        """The report's folder under outputs/ and its narrative's name: 2025, 2021-2025,
        2025-highlights."""
        return kinds.kind(self.kind).folder(self.period)

    @property
    def id(self) -> str:
        return f"{self.folder}/{self.code}"

    @property
    def notebook_name(self) -> str:
        """The notebook of its kind and level, without .ipynb: district_report, review_report."""
        return kinds.kind(self.kind).notebook(self.level)

    @property
    def notebook(self) -> Path:
        return self.notebook_in(NOTEBOOKS)

    def notebook_in(self, folder: Path) -> Path:
        """The unit's own notebook (district_report.990102.ipynb) if the folder has one, else
        the notebook of its kind (district_report.ipynb, review_report.ipynb)."""
        mine = Path(folder) / own_notebook_name(self.notebook_name, self.code)
        return mine if mine.is_file() else Path(folder) / f"{self.notebook_name}.ipynb"

    def parameters(self, store: Path, params_dir: Path) -> dict:
        # a summary's notebooks name their unit parameter after the level (district, city);
        # the other kinds' one notebook serves both and calls it `unit`
        unit = self.level if self.kind == kinds.SUMMARY else "unit"
        return {
            unit: self.code,
            "period": self.period,
            "store": str(store),
            "params_dir": str(params_dir),
        }

    def out_dir(self, outputs: Path) -> Path:
        return folder.report_dir(outputs, self.folder, self.code)


def _engine() -> str:
    """papermill's name for the batch's engine (engine.py), registered on first use."""
    from papermill.engines import papermill_engines

    from emreport.run.engine import ShellEngine

    papermill_engines.register("emreport", ShellEngine)
    return "emreport"


def _running_cell(nb: nbformat.NotebookNode | None) -> int | None:
    """The cell that was running when execution stopped: the last one papermill started."""
    last = None
    for i, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            last = i
    return last


def _exit_words(code: int | None) -> str:
    from emreport.run.kernels import GONE

    if code is None:
        return ""
    if code == GONE:
        return "（内核服务已退出）"
    if code < 0:
        return f"（被信号{-code}终止）"
    return f"（退出码{code}）"


def execute(
    job: Job,
    *,
    store: Path,
    params_dir: Path,
    server,
    timeout: int = 600,
    notebooks: Path | None = None,
) -> nbformat.NotebookNode:
    """Run the job's notebook on its parameters in a fresh kernel of `server` (a running
    kernels.KernelServer). A failing cell, a cell past its timeout or a kernel that dies raises
    RenderError naming the cell, carrying the notebook as far as it ran."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from emreport.run.engine import CellTimeout, KernelDied
    from emreport.run.kernels import KernelServerError

    path = job.notebook_in(notebooks or NOTEBOOKS)
    keep: dict = {}
    engine = _engine()
    try:
        # papermill.execute_notebook's steps, less its last one: writing the notebook out to
        # no file still serialised it whole (a tenth of the worker's time on a report)
        nb = load_notebook_node(str(path))
        nb = parameterize_notebook(
            nb, job.parameters(store, params_dir), kernel_name="python3", engine_name=engine
        )
        nb = remove_error_markers(prepare_notebook_metadata(nb, str(path), None))
        nb = papermill_engines.execute_notebook_with_engine(
            engine,
            nb,
            kernel_name="python3",
            input_path=str(path),
            output_path=None,
            progress_bar=False,
            log_output=False,
            keep=keep,
            server=server,
            kernel_cwd=str(path.parent),
            execution_timeout=timeout,
        )
        raise_for_execution_errors(nb, None)
        return nb  # type: ignore[no-any-return]
    except PapermillExecutionError as e:
        lines = _ANSI.sub("", str(e.evalue)).strip().splitlines()
        detail = lines[-1] if lines else ""
        # the project's own errors are already worded for the analyst; others keep their type
        kind = "" if e.ename in OWN_ERRORS else f"{e.ename}："
        message = f"第{e.cell_index + 1}个单元格出错：{kind}{detail}".rstrip("：")
        raise RenderError(message, notebook=keep.get("nb"), cell=e.cell_index + 1) from None
    except CellTimeout as e:
        raise RenderError(
            f"第{e.cell + 1}个单元格运行超过{timeout}秒仍未结束，已停止",
            notebook=keep.get("nb"),
            cell=e.cell + 1,
        ) from None
    except KernelDied as e:
        where = f"第{e.cell + 1}个单元格" if e.cell is not None else "笔记本"
        raise RenderError(
            f"{where}运行时内核意外退出{_exit_words(e.code)}",
            notebook=keep.get("nb"),
            cell=None if e.cell is None else e.cell + 1,
        ) from None
    except KernelServerError:  # it died between two requests: the next report starts another
        cell = _running_cell(keep.get("nb"))
        raise RenderError(
            "内核服务意外退出，本报告未能运行完",
            notebook=keep.get("nb"),
            cell=None if cell is None else cell + 1,
        ) from None
