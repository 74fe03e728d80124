"""From a report notebook to the five output files of one report.

`execute` runs the notebook with papermill on its parameters; `files_but_pdf` turns the
executed notebook into report.html (nbconvert, with the project's own offline template),
report.xlsx, metrics.json and report.ipynb (the worker prints report.pdf from the page);
`write` puts them in place atomically.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from emreport import config
from emreport.output import bundle as bundles
from emreport.output.bundle import OUTPUT_KEY

if TYPE_CHECKING:  # nbformat takes a second to import: only workers need it
    import nbformat


NOTEBOOKS = config.ROOT / "notebooks"
TEMPLATES = Path(__file__).parent / "templates"
OWN_ERRORS = {"NarrativeError", "ReportError", "StoreError", "PeriodError", "ChartError"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class RenderError(Exception):
    """A report that failed: which cell and what went wrong, in one line for the summary, and
    the notebook as far as it ran."""

    def __init__(self, message: str, notebook: nbformat.NotebookNode | None = None,
                 cell: int | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell


@dataclass
class Job:
    """One report to make: the unit code, its kind (district or city) and the period."""

    code: str
    kind: str
    period: str

    @property
    def id(self) -> str:
        return f"{self.period}/{self.code}"

    @property
    def notebook(self) -> Path:
        return self.notebook_in(NOTEBOOKS)

    def notebook_in(self, folder: Path) -> Path:
        return Path(folder) / f"{self.kind}_report.ipynb"

    def parameters(self, store: Path, params_dir: Path) -> dict:
        # the notebooks name their unit parameter after their kind: district or city
        return {self.kind: self.code, "period": self.period,
                "store": str(store), "params_dir": str(params_dir)}

    def out_dir(self, outputs: Path) -> Path:
        return outputs / self.period / self.code


def _engine():
    """papermill's nbclient engine, keeping hold of the notebook as far as it ran: a cell that
    times out or a kernel that dies raises out of papermill, and the summary still has to say
    which cell it was and the failed notebook has to be kept."""
    from papermill.engines import NBClientEngine, papermill_engines

    class KeepingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, keep=None, **kwargs):
            if keep is not None:
                keep["nb"] = nb_man.nb
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("emreport", KeepingEngine)
    return "emreport"


def _running_cell(nb: nbformat.NotebookNode | None) -> int | None:
    """The cell that was running when execution stopped: the last one papermill started."""
    last = None
    for i, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            last = i
    return last


def _exit_words(code: int | None) -> str:
    from emreport.kernels import GONE

    if code is None:
        return ""
    if code == GONE:
        return "（内核服务已退出）"
    if code < 0:
        return f"（被信号{-code}终止）"
    return f"（退出码{code}）"


def execute(job: Job, *, store: Path, params_dir: Path, timeout: int = 600,
            notebooks: Path | None = None, kernel_manager_class=None) -> nbformat.NotebookNode:
    """Run the job's notebook on its parameters in a fresh kernel. A failing cell, a cell past
    its timeout or a kernel that dies raises RenderError naming the cell, carrying the notebook
    as far as it ran."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from emreport.kernels import KernelServerError

    path = job.notebook_in(notebooks or NOTEBOOKS)
    keep: dict = {}
    manager = {}
    if kernel_manager_class is not None:
        manager["kernel_manager_class"] = kernel_manager_class
    try:
        return papermill.execute_notebook(  # type: ignore[no-any-return]
            str(path), None, parameters=job.parameters(store, params_dir), engine_name=_engine(),
            keep=keep, progress_bar=False, request_save_on_cell_execute=False,
            kernel_name="python3", cwd=str(path.parent), execution_timeout=timeout,
            shutdown_kernel="immediate", **manager)
    except PapermillExecutionError as e:
        lines = _ANSI.sub("", str(e.evalue)).strip().splitlines()
        detail = lines[-1] if lines else ""
        # the project's own errors are already worded for the analyst; others keep their type
        kind = "" if e.ename in OWN_ERRORS else f"{e.ename}："
        message = f"第{e.cell_index + 1}个单元格出错：{kind}{detail}".rstrip("：")
        raise RenderError(message, notebook=keep.get("nb"), cell=e.cell_index + 1) from None
    except CellTimeoutError:
        nb = keep.get("nb")
        cell = _running_cell(nb)
        where = f"第{cell + 1}个单元格" if cell is not None else "某个单元格"
        raise RenderError(f"{where}运行超过{timeout}秒仍未结束，已停止",
                          notebook=nb, cell=None if cell is None else cell + 1) from None
    except DeadKernelError:
        nb = keep.get("nb")
        cell = _running_cell(nb)
        where = f"第{cell + 1}个单元格" if cell is not None else "笔记本"
        last_exit = getattr(kernel_manager_class, "last_exit", None)
        code = last_exit() if last_exit is not None else None
        raise RenderError(f"{where}运行时内核意外退出{_exit_words(code)}", notebook=nb,
                          cell=None if cell is None else cell + 1) from None
    except KernelServerError:  # it died between two requests: the next report starts another
        cell = _running_cell(keep.get("nb"))
        raise RenderError("内核服务意外退出，本报告未能运行完", notebook=keep.get("nb"),
                          cell=None if cell is None else cell + 1) from None


def bundle_of(nb: nbformat.NotebookNode) -> dict:
    """The bundle the notebook's last cell published."""
    try:
        return bundles.of(nb)
    except bundles.BundleError as e:
        raise RenderError(str(e)) from None


@cache
def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


_exporters = threading.local()


def _page_exporter():
    """nbconvert's HTML exporter without its accessibility pass. That pass parses the finished
    page with BeautifulSoup and writes it out again, to give images without alt text a stock
    one and JupyterLab's cell markup tab stops: the report template writes no cell markup and
    every chart has its alt text, so all it did was cost a quarter of the worker's time."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)],
                        exclude_input=True)


def html_of(nb: nbformat.NotebookNode, title: str) -> str:
    """The page: the tagged outputs in order, inside the offline template and stylesheet.
    Each thread keeps its exporter: making one loads and compiles the templates."""
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        exporter = _exporters.html = _page_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"emreport": {"title": title,
                                                                      "css": _css()}})
    return body


def files_but_pdf(nb: nbformat.NotebookNode, job: Job) -> dict[str, bytes]:
    """Four of the five files from the executed notebook; report.html is the page to print."""
    import nbformat

    from emreport.appendix import appendix_bytes

    bundle = bundle_of(nb)
    title = bundle["title"]
    page = html_of(nb, title)
    nb.metadata[OUTPUT_KEY] = {"code": job.code, "period": job.period, "kind": job.kind,
                               "data_fingerprint": bundle["data_fingerprint"],
                               "narrative": bundle.get("narrative", "")}
    metrics = dict(bundle["metrics"], data_fingerprint=bundle["data_fingerprint"])
    return {
        "report.html": page.encode("utf-8"),
        "report.xlsx": appendix_bytes(bundles.tables(bundle), report_title=title),
        "report.ipynb": nbformat.writes(nb).encode("utf-8"),
        "metrics.json": json.dumps(metrics, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def pdf_failure(e: Exception) -> RenderError:
    return RenderError(f"打印 PDF 失败：{type(e).__name__}：{e}")


def write(out_dir: Path, files: dict[str, bytes], state: dict | None = None) -> None:
    """Each file is written beside its final name and renamed into place, so a reader never
    sees a half-written file and an interrupted run leaves the previous report whole. Every
    file is staged before any is renamed: should one not fit on the disk, nothing of the
    previous report is replaced and no temporary file is left (atomic.py). The folder's
    record of what it was made from is removed first and written last: only a folder whose
    files all arrived vouches for its inputs."""
    from emreport import atomic, cache

    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.sweep(out_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            staged.append((atomic.stage(out_dir / name, data), out_dir / name))
        if state is not None:
            cache.forget(out_dir)
        for tmp, final in staged:
            atomic.commit(tmp, final)
        if state is not None:
            cache.record(out_dir, state)
    finally:
        for tmp, _ in staged:
            atomic.discard(tmp)
