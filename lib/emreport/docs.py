"""docs/data-model.md: the input tables (data.describe) and every metric id (metrics), written
by `emreport docs` and checked by a test to be current with the declarations.
"""

from __future__ import annotations

from pathlib import Path

from emreport import atomic, config
from emreport.data import describe
from emreport.metrics import metric_ids

DOC_PATH = config.DOCS / "data-model.md"


def _metrics_section() -> list[str]:
    """Every metric id: what metrics.json holds and what narrative placeholders may name."""
    lines = [
        "## 报告指标",
        "",
        "报告中的每个数字都是下列指标之一（metrics.json 按指标编号列出本期和上年同期）。"
        "文字材料（params/）中的占位符用指标编号：`{hazards.found}` 写出本期数字（如“3131处”），"
        "`{hazards.found|同比}` 写出同比（如“同比增长21.5%”），`{hazards.found|上年}` 写出上年同期数字。",
        "",
        "| 指标编号 | 名称 | 单位 |",
        "|---|---|---|",
    ]
    for mid, (label, unit) in metric_ids().items():
        lines.append(f"| `{mid}` | {label} | {unit or '—'} |")
    lines.append("")
    return lines


def render() -> str:
    """The whole document as Markdown, deterministic so a test can compare it with the file."""
    lines = describe.tables() + _metrics_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write() -> Path:
    """Write docs/data-model.md; run after any change to the declarations."""
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(DOC_PATH, render())
    return DOC_PATH
