"""From a report notebook to the five output files of one report.

`execute` runs the notebook with papermill on its parameters; `outputs` turns the executed
notebook into report.html (nbconvert, with the project's own offline template), report.pdf,
report.xlsx, metrics.json and report.ipynb; `write` puts them in place atomically.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from emreport import config
from emreport.appendix import AppendixTable, appendix_bytes
from emreport.document import BUNDLE_MIME, OUTPUT_KEY

NOTEBOOKS = config.ROOT / "notebooks"
TEMPLATES = Path(__file__).parent / "templates"
OWN_ERRORS = {"NarrativeError", "ReportError", "StoreError", "PeriodError"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class RenderError(Exception):
    """A report that failed: which cell and what went wrong, in one line for the summary."""


@dataclass
class Job:
    """One report to make: the unit code, its kind (district or city) and the period."""

    code: str
    kind: str
    period: str

    @property
    def notebook(self) -> Path:
        return NOTEBOOKS / f"{self.kind}_report.ipynb"

    def parameters(self, store: Path, params_dir: Path) -> dict:
        # the notebooks name their unit parameter after their kind: district or city
        return {self.kind: self.code, "period": self.period,
                "store": str(store), "params_dir": str(params_dir)}

    def out_dir(self, outputs: Path) -> Path:
        return outputs / self.period / self.code


def _ipc_kernel_manager():
    """Kernels on local IPC sockets rather than TCP ports: nothing listens on the network,
    and the kernel has no reason to warn about unencrypted TCP on every start."""
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

    return IpcKernelManager


def execute(job: Job, *, store: Path, params_dir: Path, failed: Path | None = None,
            timeout: int = 600, **engine_kwargs) -> nbformat.NotebookNode:
    """Run the job's notebook on its parameters. A failing cell raises RenderError naming the
    cell and the error; the notebook as far as it ran is kept at `failed` for inspection."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    scratch = None
    if failed is not None:
        failed.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(prefix=".running.", suffix=".ipynb", dir=failed.parent)
        os.close(fd)
    try:
        nb = papermill.execute_notebook(
            str(job.notebook), scratch, parameters=job.parameters(store, params_dir),
            progress_bar=False, request_save_on_cell_execute=False, kernel_name="python3",
            cwd=str(NOTEBOOKS), execution_timeout=timeout,
            kernel_manager_class=_ipc_kernel_manager(), **engine_kwargs)
    except PapermillExecutionError as e:
        if scratch:
            os.replace(scratch, failed)
            scratch = None
        lines = _ANSI.sub("", str(e.evalue)).strip().splitlines()
        where = f"第{e.cell_index + 1}个单元格"
        detail = lines[-1] if lines else ""
        # the project's own errors are already worded for the analyst; others keep their type
        kind = "" if e.ename in OWN_ERRORS else f"{e.ename}："
        raise RenderError(f"{where}出错：{kind}{detail}".rstrip("：")) from None
    finally:
        if scratch and os.path.exists(scratch):
            os.unlink(scratch)
    if failed is not None and failed.exists():
        failed.unlink()
    return nb


def bundle_of(nb: nbformat.NotebookNode) -> dict:
    """The bundle the notebook's last cell published."""
    for cell in reversed(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "display_data" and BUNDLE_MIME in out.get("data", {}):
                data = out["data"][BUNDLE_MIME]
                return json.loads(data) if isinstance(data, str) else data
    raise RenderError("笔记本没有发布报告数据：最后一个单元格应为 report.publish(r)")


@cache
def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def html_of(nb: nbformat.NotebookNode, title: str) -> str:
    """The page: the tagged outputs in order, inside the offline template and stylesheet."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True)
    body, _ = exporter.from_notebook_node(nb, resources={"emreport": {"title": title,
                                                                      "css": _css()}})
    return body


def tables_of(bundle: dict) -> list[AppendixTable]:
    import pandas as pd

    out = []
    for t in bundle["appendix"]:
        frame = pd.DataFrame(t["rows"], columns=t["columns"],
                             index=pd.Index(t["index"], name=t["index_name"]))
        out.append(AppendixTable(t["title"], frame, t["units"], t["note"]))
    return out


def outputs(nb: nbformat.NotebookNode, job: Job, printer) -> dict[str, bytes]:
    """The five files of one report, as bytes, from its executed notebook."""
    bundle = bundle_of(nb)
    title = bundle["title"]
    page = html_of(nb, title)
    nb.metadata[OUTPUT_KEY] = {"code": job.code, "period": job.period, "kind": job.kind,
                               "data_fingerprint": bundle["data_fingerprint"],
                               "narrative": bundle.get("narrative", "")}
    metrics = dict(bundle["metrics"], data_fingerprint=bundle["data_fingerprint"])
    try:
        pdf = printer.print_pdf(page)
    except Exception as e:  # the printer's own errors and the browser's
        raise RenderError(f"打印 PDF 失败：{type(e).__name__}：{e}") from e
    return {
        "report.html": page.encode("utf-8"),
        "report.pdf": pdf,
        "report.xlsx": appendix_bytes(tables_of(bundle), report_title=title),
        "report.ipynb": nbformat.writes(nb).encode("utf-8"),
        "metrics.json": json.dumps(metrics, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def write(out_dir: Path, files: dict[str, bytes]) -> None:
    """Each file is written beside its final name and renamed into place, so a reader never
    sees a half-written file and an interrupted run leaves the previous report whole."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are shared files
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            staged.append((tmp, out_dir / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
