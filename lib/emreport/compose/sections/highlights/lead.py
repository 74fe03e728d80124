"""The brief's 导语: one paragraph in the documents' cadence, the analyst's or the standard one
(the trend it names follows the accidents: 持续稳定向好 only when both accidents and deaths fell),
ending 主要亮点如下： — unless the analyst's own ends with a colon already."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section

ENDING = "主要亮点如下："


def trend(ctx: Context) -> str:
    """安全生产形势持续稳定向好 (both down), 总体稳定 (one down), else the work's 积极成效."""
    if ctx.m.candidate("事故双降").applies:
        return "安全生产形势持续稳定向好"
    c, d = ctx.m["accidents.count"], ctx.m["accidents.deaths"]
    if any(m.prev is not None and m.value < m.prev for m in (c, d)):
        return "安全生产形势总体稳定"
    return "各项工作取得积极成效"


def compose(ctx: Context) -> Section:
    section = Section("导语", "", 1, numbered=False)
    if ctx.story.lead:
        opening = "".join(ctx.filled(p) for p in ctx.story.lead)
        ending = "" if opening.endswith(("：", ":")) else ENDING
        section.para(opening + ending)
        return section
    section.para(
        f"{ctx.when}，{ctx.m.unit.name}应急管理局坚持人民至上、生命至上，统筹发展和安全，"
        f"{trend(ctx)}，{ENDING}"
    )
    return section
