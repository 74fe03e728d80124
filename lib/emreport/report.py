"""What the report notebooks call: build a report for a unit and period, show it, publish it.

A notebook cell shows each part of the report as an HTML output tagged for the page; the
analyst's own tables and figures join the Document with `table` and `figure` (and the parts
already shown are updated, since numbers after them move); the last cell publishes a bundle
(metrics.json's body, the appendix tables, the data fingerprint) as one more output. The
runner turns the executed notebook into the five output files, so a notebook run anywhere (a
local kernel, a remote worker) carries everything its outputs need.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from emreport import config
from emreport.compose import Peer, compose, mpl, narrative, outline_of, own
from emreport.compose.document import APPENDIX, Document
from emreport.compose.svg import ChartError
from emreport.data import kinds
from emreport.data.kinds import KindError
from emreport.data.periods import PeriodError
from emreport.data.store import CITY_OWN, Store, StoreError
from emreport.metrics import Metrics, compute_members
from emreport.metrics import kinds as kind_figures
from emreport.output import bundle as bundles
from emreport.output import html as page
from emreport.output import preview

mpl.install()  # an analyst's own matplotlib chart gets a Chinese face (when they import it)


class ReportError(ValueError):
    """A report that cannot be made as asked: the message says why and what to do."""


# the project's own errors, worded for the analyst: one line in a notebook, no traceback (and
# in the batch's summary the message alone, see run/notebook.OWN_ERRORS, which names them)
OWN_ERRORS = (
    narrative.NarrativeError,
    ReportError,
    StoreError,
    PeriodError,
    KindError,
    ChartError,
    own.OwnError,
)


def _one_line(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython's handler for OWN_ERRORS: the message as the cell's error, without the
    traceback. It stays an error output (ename, evalue), so a batch run still fails."""
    shell._showtraceback(etype, value, [str(value)])


def _register_errors() -> None:
    """In a Jupyter kernel (or IPython), show OWN_ERRORS as one line."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc(OWN_ERRORS, _one_line)


_register_errors()


@dataclass
class Report:
    """One composed report with the figures and data it was built from. `shown` holds the
    outputs displayed so far (display id, part name or own block, html), so that a table or
    figure added later updates them: its number shifts those after it."""

    metrics: Metrics
    document: Document
    bundle: dict
    narrative_path: Path
    shown: list[list] = field(default_factory=list, repr=False)
    own_outline: bool = False  # the narrative gives the outline (# 提纲): see `show`
    store: str = ""  # as given to build: `write` makes the files from the same inputs
    params_dir: str = ""
    kind: str = kinds.SUMMARY

    @property
    def title(self) -> str:
        return self.document.title


def build(
    code: str,
    period: str,
    *,
    store: str | Path = "",
    narrative_file: str | Path = "",
    params_dir: str | Path = "",
    report_date: str | date = "",
    city: bool | None = None,
    kind: str = kinds.SUMMARY,
) -> Report:
    """Compute, compose and check one report. `report_date` (2026-01-15) fixes the 成文日期
    when the narrative file gives none (default: today); `city` insists on a city or a
    district; `kind` is the kind of report (summary, review: a plan period such as 十四五,
    highlights; see data/kinds.py)."""
    k = kinds.kind(kind)
    p = k.period(period)
    today = _date(report_date)
    with Store(store or config.STORE) as st:
        unit = st.unit(str(code))
        if unit.level == CITY_OWN:
            raise ReportError(f"{unit.code}是{unit.name}：市本级的数据计入全市报告，不单独成报告")
        if city is not None and unit.is_city != city:
            kind = "市级" if city else "区县"
            raise ReportError(
                f"{unit.code}{unit.name}不是{kind}单位：请换用"
                f"{'city_report' if unit.is_city else 'district_report'}笔记本"
            )
        fingerprint = st.fingerprint(unit, p)
        m, peers = _figures(st, k, unit, p)
    path = (
        Path(narrative_file)
        if narrative_file
        else narrative.path_for(unit.code, k.folder(p), Path(params_dir) if params_dir else None)
    )
    story = narrative.load(path, outline_of(k))
    doc = compose(m, story, peers, today=today)
    bundle = bundles.make(
        doc,
        m,
        fingerprint=fingerprint,
        narrative=path.name if path.exists() else "",
    )
    return Report(
        m,
        doc,
        bundle,
        path,
        own_outline=story.outline is not None,
        store=str(store),
        params_dir=str(params_dir),
        kind=k.name,
    )


def _figures(st: Store, k: kinds.Kind, unit, p) -> tuple:
    """The report's figures by its kind, and (a city's summary) its members'."""
    m = kind_figures.figures(st, k.name, unit.code, p)
    if k.name != kinds.SUMMARY or not unit.is_city:
        return m, []
    return m, [Peer(pm.unit.code, pm.unit.name, pm.unit.level, pm) for pm in compute_members(st, m)]


def _date(value: str | date) -> date | None:
    if isinstance(value, date) or not value:
        return value or None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError(f"成文日期“{value}”无效：应写作2026-01-15的形式") from None


def show(report: Report, *parts: str) -> None:
    """Display parts of the report (by name, or all) as the page will print them.

    The notebooks show the page one part at a time (标题 and 导语, 成效, 问题, 安排, 落款 and
    附表), in that order. When the analyst's narrative gives its own outline, its parts may
    be others and in another order: then the whole body, in the outline's order, is shown
    where 导语 is asked for, and 成效, 问题, 安排 show nothing more. Each part is shown in the
    page's fonts, sizes and indents (`emreport.output.preview`)."""
    from IPython.display import HTML, display

    ends = (page.TITLE, page.SIGNOFF, APPENDIX)
    for name, write in page.parts(report.document):
        asked = narrative.LEAD if report.own_outline and name not in ends else name
        if not parts or asked in parts or any(asked.endswith(p) for p in parts):
            fragment = write()
            if fragment:
                shown = [f"emreport-{uuid.uuid4().hex}", name, fragment]
                display(HTML(preview.wrap(fragment)), metadata=_tag(name), display_id=shown[0])
                report.shown.append(shown)


def _tag(name: str) -> dict:
    """The page takes the outputs tagged with a part; an own block's preview is the analyst's
    view only (the block itself is in its part)."""
    if name.startswith(("表:", "图:")):
        return {bundles.OUTPUT_KEY: {"own": name}}
    return {bundles.OUTPUT_KEY: {"part": name}}


def table(
    report: Report,
    frame,
    *,
    title: str,
    after: str,
    units: str | dict | None = None,
    note: str = "",
) -> None:
    """Add the analyst's own table at the end of the section `after` names (an outline key such
    as 隐患排查治理, 问题, 安排, or a heading): numbered 表N in page order, printed in the
    report's style, written to report.xlsx and to metrics.json (own_tables). `units` is one
    unit for every numeric column (units="处") or one per column; for "%" give fractions
    (0.985 prints 98.5%). Adding a table of the same title again replaces it."""
    try:
        block = own.table(frame, title, units, note)
        own.place(report.document, block, after)
    except own.OwnError as e:
        raise ReportError(str(e)) from None
    _added(report, block.own)


def figure(report: Report, fig, *, caption: str, after: str) -> None:
    """Add the analyst's own figure at the end of the section `after` names, numbered 图N in
    page order: a matplotlib Figure (or Axes), or an SVG (bytes, text, a .svg file's Path, or
    anything with _repr_svg_). A matplotlib figure is embedded as SVG with its text as
    outlines, and closed. Adding a figure of the same caption again replaces it."""
    try:
        block = own.figure(_svg(fig, caption), caption)
        own.place(report.document, block, after)
    except own.OwnError as e:
        raise ReportError(str(e)) from None
    _added(report, block.own)


def _svg(fig, caption: str) -> bytes:
    if isinstance(fig, bytes):
        return fig
    if isinstance(fig, str):
        return fig.encode("utf-8")
    if isinstance(fig, Path):
        try:
            return fig.read_bytes()
        except OSError as e:
            raise own.OwnError(f"图“{caption}”的文件{fig}无法读取：{e.strerror}") from None
    if callable(getattr(fig, "_repr_svg_", None)):
        data = fig._repr_svg_()
        return data.encode("utf-8") if isinstance(data, str) else data
    if mpl.is_figure(fig):
        return mpl.svg_of(fig, caption)
    raise own.OwnError(
        f"图“{caption}”：report.figure 需要 matplotlib 的图（fig）或 SVG，收到的是{type(fig).__name__}"
    )


def _added(report: Report, key: str) -> None:
    """After an own block joined the Document: a fresh bundle, every shown part brought up to
    date (numbers after it have moved), and a preview of the block in the analyst's cell."""
    from IPython.display import HTML, display, update_display

    doc = report.document
    report.bundle = bundles.make(
        doc,
        report.metrics,
        fingerprint=report.bundle["data_fingerprint"],
        narrative=report.bundle["narrative"],
    )
    fragments = dict(page.parts(doc))
    previews = page.own_blocks(doc)
    for shown in report.shown:
        did, name, before = shown
        write = fragments.get(name) or previews.get(name)
        fragment = write() if write else ""
        if fragment != before:
            shown[2] = fragment
            update_display(HTML(preview.wrap(fragment)), display_id=did, metadata=_tag(name))
    did = f"emreport-{uuid.uuid4().hex}"
    fragment = previews[key]()
    display(HTML(preview.wrap(fragment)), metadata=_tag(key), display_id=did)
    report.shown.append([did, key, fragment])


def publish(report: Report) -> None:
    """Hand the runner what the page does not carry: metrics, appendix tables, fingerprint."""
    from IPython.display import display

    text = (
        f"{report.title}：{len(report.metrics)}项指标，附表{len(report.document.appendix)}张，"
        f"数据指纹 {report.bundle['data_fingerprint']}"
    )
    display(
        {bundles.MIME: report.bundle, "text/plain": text},
        raw=True,
        metadata={bundles.OUTPUT_KEY: {"bundle": True}},
    )


def write(report: Report, *, outputs: str | Path = "") -> Path:
    """Make this report's files (report.html, report.pdf, report.xlsx, report.ipynb,
    metrics.json) in outputs/<period>/<code>/: `emreport run` for this unit and period, so they
    come from the saved notebook in a fresh kernel, with the same checks as a batch. Its lines
    are printed in the cell; a failed run raises ReportError with its summary."""
    import subprocess
    import sys

    code, period = report.metrics.unit.code, report.metrics.period.code
    cmd = [sys.executable, "-m", "emreport.cli", "run", "--period", period, "--district", code]
    cmd += ["--kind", report.kind, "--jobs", "1"]
    for option, value in (("--store", report.store), ("--params", report.params_dir)):
        if value:
            cmd += [option, value]
    if outputs:
        cmd += ["--outputs", str(outputs)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = done.stdout.splitlines()
    print("\n".join(lines))
    if done.returncode:
        raise ReportError(
            f"未能生成{report.title}的文件：" + (lines[-1] if lines else "见上面的说明")
        )
    return Path(outputs or config.OUTPUTS) / kinds.kind(report.kind).folder(period) / code
