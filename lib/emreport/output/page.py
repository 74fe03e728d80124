"""From an executed report notebook to the files of one report.

`files_but_pdf` turns the notebook into report.html (the project's own offline template),
report.docx (from the Document the bundle carries), report.xlsx, metrics.json and report.ipynb;
the worker prints report.pdf, and `folder.write` puts them in place.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from emreport.output import bundle as bundles
from emreport.output import folder, preview
from emreport.output.bundle import OUTPUT_KEY

if TYPE_CHECKING:  # nbformat takes a second to import: only workers need it
    import nbformat


TEMPLATES = Path(__file__).parent / "templates"


class RenderError(Exception):
    """A report that failed: which cell and what went wrong, in one line for the summary, and
    the notebook as far as it ran."""

    def __init__(
        self, message: str, notebook: nbformat.NotebookNode | None = None, cell: int | None = None
    ):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell


def bundle_of(nb: nbformat.NotebookNode) -> dict:
    """The bundle the notebook's last cell published."""
    try:
        return bundles.of(nb)
    except bundles.BundleError as e:
        raise RenderError(str(e)) from None


@cache
def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


@cache
def _template():
    """The page's template (templates/report/index.html.j2), compiled once per process. It is
    rendered with Jinja alone, as nbconvert's HTML exporter would render it (the same
    environment: no autoescape, no block trimming), without that exporter's copy of the whole
    notebook, its preprocessors and its half-second import: the template reads only the
    tagged outputs' HTML."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "report")))  # noqa: S701
    env.filters["page_fragment"] = preview.unwrap  # the notebook's container off each part
    return env.get_template("index.html.j2")


def html_of(nb: nbformat.NotebookNode, title: str) -> str:
    """The page: the tagged outputs in order, inside the offline template and stylesheet."""
    page = _template().render(nb=nb, resources={"emreport": {"title": title, "css": _css()}})
    return page.lstrip("\r\n")


def unshown(nb: nbformat.NotebookNode) -> list[str]:
    """The cells whose output the page leaves out (the page keeps only the outputs tagged for
    it: report.show's parts; report.table/figure previews and the bundle are accounted for),
    as 第N个单元格（its first line）, numbered as the executed notebook's cells, like errors.
    Streams to stderr (warnings) are not the analyst's content and are not named."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        dropped = False
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "stream":
                dropped = dropped or (o.get("name") == "stdout" and bool(o.get("text", "").strip()))
            elif kind in ("display_data", "execute_result"):
                dropped = dropped or not (o.get("metadata") or {}).get(OUTPUT_KEY)
        if dropped:
            first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
            first = first if len(first) <= 24 else first[:23] + "…"
            out.append(f"第{i + 1}个单元格（{first}）" if first else f"第{i + 1}个单元格")
    return out


def unshown_words(cells: list[str]) -> str:
    """The run summary's line for cells whose output the page leaves out."""
    return f"{'、'.join(cells)}的输出没有进入报告（请用 report.table / report.figure 加入，或删去）"


def files_but_pdf(nb: nbformat.NotebookNode, job) -> dict[str, bytes]:
    """All files but the PDF from the executed notebook; report.html is the page to print.
    The Document leaves the bundle before the notebook is saved."""
    import nbformat

    from emreport.output.docx import docx_bytes
    from emreport.output.xlsx import appendix_bytes

    document = bundles.take_document(nb)
    if document is None:
        raise RenderError("笔记本没有附带报告文档：最后一个单元格应为 report.publish(r)")
    bundle = bundle_of(nb)
    title = bundle["title"]
    page = html_of(nb, title)
    nb.metadata[OUTPUT_KEY] = {
        "code": job.code,
        "period": job.period,
        "level": job.level,
        "kind": job.kind,
        "data_fingerprint": bundle["data_fingerprint"],
        "narrative": bundle.get("narrative", ""),
    }
    metrics = dict(bundle["metrics"], data_fingerprint=bundle["data_fingerprint"])
    return {
        folder.HTML: page.encode("utf-8"),
        folder.DOCX: docx_bytes(document),
        folder.XLSX: appendix_bytes(bundles.tables(bundle), report_title=title),
        folder.NOTEBOOK: nbformat.writes(nb).encode("utf-8"),
        folder.METRICS: json.dumps(metrics, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def pdf_failure(e: Exception) -> RenderError:
    return RenderError(f"打印 PDF 失败：{type(e).__name__}：{e}")
