"""What the report notebooks call: build a report for a unit and period, show it, publish it.

A notebook cell shows each part of the report as an HTML output tagged for the page; the last
cell publishes a bundle (metrics.json's body, the appendix tables, the data fingerprint) as one
more output. The runner turns the executed notebook into the five output files, so a notebook
run anywhere (a local kernel, a remote worker) carries everything its outputs need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from emreport import config
from emreport.compose import Peer, compose, narrative
from emreport.compose.document import Document
from emreport.data.periods import Period
from emreport.data.store import CITY_OWN, Store
from emreport.metrics import Metrics, compute, compute_members
from emreport.output import bundle as bundles
from emreport.output import html as page
from emreport.output import pdf


class ReportError(ValueError):
    """A report that cannot be made as asked: the message says why and what to do."""


@dataclass
class Report:
    """One composed report with the figures and data it was built from."""

    metrics: Metrics
    document: Document
    bundle: dict
    narrative_path: Path

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
) -> Report:
    """Compute, compose and check one report. `report_date` (2026-01-15) fixes the 成文日期
    when the narrative file gives none (default: today); `city` insists on the report kind."""
    p = Period.parse(period)
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
        m = compute(st, unit.code, p)
        peers = []
        if unit.is_city:
            peers = [
                Peer(pm.unit.code, pm.unit.name, pm.unit.level, pm) for pm in compute_members(st, m)
            ]
    path = (
        Path(narrative_file)
        if narrative_file
        else narrative.path_for(unit.code, p.code, Path(params_dir) if params_dir else None)
    )
    doc = compose(m, narrative.load(path), peers, today=today)
    bundle = bundles.make(
        doc,
        m,
        fingerprint=fingerprint,
        narrative=path.name if path.exists() else "",
        typst=pdf.engine() == "typst",
    )
    return Report(m, doc, bundle, path)


def _date(value: str | date) -> date | None:
    if isinstance(value, date) or not value:
        return value or None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError(f"成文日期“{value}”无效：应写作2026-01-15的形式") from None


def show(report: Report, *parts: str) -> None:
    """Display parts of the report (by name, or all) as the page will print them."""
    from IPython.display import HTML, display

    for name, write in page.parts(report.document):
        if not parts or name in parts or any(name.endswith(p) for p in parts):
            fragment = write()
            if fragment:
                display(HTML(fragment), metadata={bundles.OUTPUT_KEY: {"part": name}})


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
