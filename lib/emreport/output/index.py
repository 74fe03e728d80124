"""`outputs/<folder>/index.html`: every report of the period and kind (the folder names both:
2025, 2021-2025, 2025-highlights) with its headline figures and links to its files, and every
report whose last run failed, with the reason.

Built from the report folders themselves (their metrics.json and run record), so the page
always tells the truth about what is on disk, whichever batch made which report.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from emreport import atomic
from emreport.data import kinds
from emreport.data.periods import PlanPeriod
from emreport.metrics import Metric
from emreport.output.folder import (
    DOCX,
    FAILED,
    HTML,
    INDEX,
    METRICS,
    NOTEBOOK,
    PDF,
    XLSX,
    read_state,
)

COLUMNS = (
    ("accidents.count", "生产安全事故"),
    ("accidents.deaths", "死亡人数"),
    ("hazards.found", "排查隐患"),
    ("hazards.rectification_rate", "整改率"),
    ("hazards.overdue", "逾期未改"),
    ("inspections.count", "执法检查"),
    ("inspections.fines", "罚款"),
)
# a review's headline: the years' totals, and the last year against the base year (较基期)
REVIEW_COLUMNS = (
    ("accidents.count.total", "累计生产安全事故"),
    ("accidents.count.vs_base", "{last}年生产安全事故"),
    ("accidents.deaths.total", "累计死亡人数"),
    ("accidents.deaths.vs_base", "{last}年死亡人数"),
    ("hazards.found.total", "累计排查隐患"),
    ("hazards.rectification_rate.total", "期间整改率"),
    ("inspections.count.total", "累计执法检查"),
    ("inspections.fines.total", "累计罚款"),
)
HEADLINE_COLUMNS = {kinds.SUMMARY: COLUMNS, kinds.REVIEW: REVIEW_COLUMNS, kinds.HIGHLIGHTS: COLUMNS}
LINKS = (
    (PDF, "PDF"),
    (DOCX, "Word"),
    (HTML, "网页"),
    (XLSX, "附表"),
    (NOTEBOOK, "笔记本"),
    (METRICS, "数据"),
)

STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2em auto;max-width:70em;
color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #bbb;padding:.35em .5em;vertical-align:top}
th{background:#eef2f7;font-weight:600}td.num{text-align:right;white-space:nowrap}
td small{color:#666;display:block}td.files a{white-space:nowrap}tr.city td{background:#f7f7f2}
.failed{color:#a23b3b}a{color:#1f4e79}
"""


def _cell(metric: dict | None, base: str = "") -> str:
    """A figure with its comparison in small type: 同比, or 较“十三五”末 for a review (`base`)."""
    if not metric or metric.get("value") is None:
        return '<td class="num">—</td>'
    m = Metric.from_json("", metric)
    change = m.yoy()
    if base:
        change = change.replace("同比", f"较{base}", 1)
    return (
        f'<td class="num">{escape(m.text())}'
        + (f"<small>{escape(change)}</small>" if change else "")
        + "</td>"
    )


def _figure(metrics: dict, mid: str, period, base: str) -> str:
    """A column's cell; a review's last year against a base year without data: the last
    year's figure alone."""
    if base and mid.endswith(".vs_base") and mid not in metrics:
        last = metrics.get(f"{mid.removesuffix('.vs_base')}.{period.last}")
        return _cell(dict(last, previous=None) if last else None)
    return _cell(metrics.get(mid), base)


def _rows(period_dir: Path) -> tuple[list[dict], list[dict]]:
    done, failed = [], []
    for folder in sorted(p for p in period_dir.iterdir() if p.is_dir()):
        state = read_state(folder)
        metrics_file = folder / METRICS
        try:
            data = json.loads(metrics_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = None
        if state.get("status") == "failed" or (folder / FAILED).exists():
            failed.append({"code": folder.name, "state": state, "data": data, "folder": folder})
        elif data is not None:
            done.append({"code": folder.name, "state": state, "data": data, "folder": folder})
    # the city first, then districts by code
    done.sort(key=lambda r: (r["data"]["unit"].get("level") != "市", r["code"]))
    return done, failed


def render(period_dir: Path) -> str:
    kind, period = kinds.of_folder(period_dir.name)
    columns = HEADLINE_COLUMNS[kind.name]
    base = period.base_label if isinstance(period, PlanPeriod) else ""
    done, failed = _rows(period_dir)
    last = getattr(period, "last", "")
    head = "".join(f"<th>{escape(label.format(last=last))}</th>" for _, label in columns)
    body = []
    for r in done:
        unit, metrics = r["data"]["unit"], r["data"]["metrics"]
        links = " ".join(
            f'<a href="{escape(r["code"])}/{f}">{label}</a>'
            for f, label in LINKS
            if (r["folder"] / f).exists()
        )
        cls = ' class="city"' if unit.get("level") == "市" else ""
        body.append(
            f"<tr{cls}><td>{escape(unit['name'])}<small>{escape(r['code'])}</small></td>"
            + "".join(_figure(metrics, mid, period, base) for mid, _ in columns)
            + f'<td class="files">{links}</td></tr>'
        )
    title = f"{period.label}{kind.words}"
    note = (
        f"累计为各年之和，小字为{period.last}年较{base}"
        + ("" if base == f"{period.base}年" else f"（{period.base}年）")
        + "。"
        if base
        else "每格下方小字为同比。"
    )
    parts = [
        f"<h1>{escape(title)}（{len(done)}份）</h1>",
        f'<p class="meta">{escape(period.months)}；{escape(note)}</p>',
    ]
    if failed:
        items = []
        for r in failed:
            name = r["data"]["unit"]["name"] if r["data"] else ""
            error = r["state"].get("error") or "上次生成失败"
            kept = (
                f'，出错的笔记本：<a href="{escape(r["code"])}/{FAILED}">{FAILED}</a>'
                if (r["folder"] / FAILED).exists()
                else ""
            )
            old = "（文件夹中是上次成功生成的版本）" if (r["folder"] / PDF).exists() else ""
            items.append(
                f'<li class="failed">{escape(name)}{escape(r["code"])}：{escape(error)}'
                f"{kept}{old}</li>"
            )
        parts.append(
            f'<h2 class="failed">生成失败（{len(failed)}份）</h2><ul>{"".join(items)}</ul>'
        )
    if done:
        parts.append(
            f"<table><thead><tr><th>单位</th>{head}<th>文件</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def write(outputs: Path, period_folder: str) -> Path:
    period_dir = outputs / period_folder
    period_dir.mkdir(parents=True, exist_ok=True)
    target = period_dir / INDEX
    atomic.sweep(period_dir)
    atomic.write_text(target, render(period_dir))
    return target
