"""The brief's 附表: one small table of the figures its highlights state, in page order: this
period, the year before and the change for each measure, then what makes it a highlight (a
record's previous best, a streak, a rank) with its figure alone."""

from __future__ import annotations

import pandas as pd

from emreport.compose.context import Context
from emreport.compose.document import APPENDIX, Section, Table
from emreport.compose.outline import Entry
from emreport.metrics.highlights import BY_KEY

COLUMNS = ["本期", "上年同期", "同比"]


def shown(ctx: Context) -> list[str]:
    """The keys of the candidates the page shows (with their paragraph), in page order."""
    from emreport.compose import tree  # the page's outline, as compose() places it

    out: list[str] = []

    def walk(entries: list[Entry]) -> None:
        for e in entries:
            if e.key in BY_KEY and ctx.m.candidate(e.key).applies and not e.own_only:
                out.append(e.key)
            walk(e.children)

    walk(tree(ctx))
    return out


def compose(ctx: Context) -> Section | None:
    rows, seen = [], set()
    for key in shown(ctx):
        for mid in ctx.m.candidate(key).states:
            if mid in seen:
                continue
            seen.add(mid)
            m = ctx.m[mid]
            if m.prev is None:
                rows.append((m.label, m.text(), "—", "—"))
            else:
                change = m.yoy().removeprefix("同比") if m.prev is not None else ""
                rows.append((m.label, m.text(), m.prev_text() or "—", change or "—"))
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["指标", *COLUMNS]).set_index("指标")
    section = Section(APPENDIX, APPENDIX, 1, numbered=False)
    records = any(mid.endswith(".record") for mid in seen)
    section.add(Table("主要亮点指标", frame, note=_note(ctx, records)))
    return section


def _note(ctx: Context, records: bool) -> str:
    years = "、".join(f"{y}年" for y in ctx.m.years)
    same = "同期" if ctx.p.half else ""
    note = f"有数据的{same}年份：{years}。"
    if records:
        note += f"“此前最少”“此前最高”为此前各年{same}中最好的数字。"
    return note
