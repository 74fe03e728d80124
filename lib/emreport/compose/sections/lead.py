"""导语: the opening paragraph, the analyst's or the standard one, then the headline figures."""

from __future__ import annotations

from emreport.compose.context import LEVEL_WORDS, Context
from emreport.compose.document import Section
from emreport.compose.sections.safety import grave_clause


def leader(level: str) -> str:
    """在…的坚强领导下, by the unit's level (context.LEVEL_WORDS)."""
    who = LEVEL_WORDS.get(level, ("", ""))[0]
    return f"在{who}的坚强领导下" if who else "在上级党委政府的坚强领导下"


def compose(ctx: Context) -> Section:
    return section(ctx, "全力防范化解重大安全风险，各项工作取得积极成效。", headline(ctx))


def section(ctx: Context, achieved: str, figures: str) -> Section:
    """The 导语 of any kind: the analyst's opening, else the standard one ending with
    `achieved`, then the kind's headline `figures`."""
    section = Section("导语", "", 1, numbered=False)
    if ctx.story.lead:
        opening = "".join(ctx.filled(p) for p in ctx.story.lead)
    else:
        opening = (
            f"{ctx.when}，{ctx.m.unit.name}应急管理局{leader(ctx.m.unit.level)}，坚持人民至上、生命至上，"
            f"统筹发展和安全，{achieved}"
        )
    section.para(opening + figures)
    return section


def headline(ctx: Context) -> str:
    """The 导语's figures: accidents and deaths with 同比, hazards, enforcement."""
    bits = [
        f"{ctx.scope}共发生生产安全事故{ctx.t('accidents.count')}、死亡{ctx.t('accidents.deaths')}"
    ]
    yoy = ctx.yoy_pair("accidents.count", "accidents.deaths")
    if yoy:
        bits[0] += f"，{yoy}"
    bits[0] += "，" + grave_clause(ctx)
    if ctx.m.has("hazards"):
        bits.append(
            f"排查发现隐患{ctx.t('hazards.found')}，整改率{ctx.t('hazards.rectification_rate')}"
        )
    if ctx.m.has("inspections"):
        bits.append(
            f"开展执法检查{ctx.t('inspections.count')}，立案{ctx.t('inspections.cases')}"
            f"，罚款{ctx.t('inspections.fines')}"
        )
    return "；".join(bits) + "。"
