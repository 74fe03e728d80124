"""A review's 存在的问题和不足: what the years show that is not yet good enough — the years
accidents rose again, deaths not below the base year, a 整改率 below the base year's — then
the analyst's own."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.compose.sections import problems
from emreport.compose.sections.review import phrases as ph


def compose(ctx: Context) -> Section:
    return problems.section(ctx, data_problems(ctx))


def data_problems(ctx: Context) -> list[str]:
    out = []
    rises = ph.rises(ctx, "accidents.count")
    if rises:
        years = "、".join(f"{y}年" for y in rises)
        out.append(
            f"安全生产形势仍有反复。{years}事故起数较上年有所上升，"
            f"事故起数{ph.sequence(ctx, 'accidents.count')}，稳中向好的基础还不牢固。"
        )
    deaths = ph.get(ctx, "accidents.deaths.vs_base")
    if deaths is not None and deaths.prev is not None and deaths.value >= deaths.prev:
        out.append(
            f"事故死亡人数下降不明显。{ctx.p.last}年死亡{ph.cite(ctx, deaths)}，"
            f"{ph.vs_base(ctx, 'accidents.deaths')}。"
        )
    rate = ph.get(ctx, "hazards.rectification_rate.vs_base")
    if rate is not None and rate.prev is not None and rate.value < rate.prev:
        out.append(
            f"隐患闭环整改有待加强。{ctx.p.last}年隐患整改率为{ph.cite(ctx, rate)}，"
            f"{ph.vs_base(ctx, 'hazards.rectification_rate')}。"
        )
    return out
