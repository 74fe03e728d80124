"""A review's 工作思路 for the next plan period (“十五五”工作思路): the analyst's lead and
items (### headings), or items that follow from what the years show."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.compose.sections import plans
from emreport.compose.sections.review import phrases as ph

KEY = "安排"


def title(ctx: Context) -> str:
    nxt = ctx.p.next_name
    return f"“{nxt}”工作思路" if nxt else "下一步工作思路"


def compose(ctx: Context) -> Section:
    when = f"“{ctx.p.next_name}”时期" if ctx.p.next_name else "今后一个时期"
    return plans.section(
        ctx,
        title(ctx),
        f"{when}，{ctx.m.unit.name}应急管理局将坚持人民至上、生命至上，统筹发展和安全，"
        "推进应急管理体系和能力现代化，重点抓好以下工作：",
        default_plans,
    )


def default_plans(ctx: Context) -> list[tuple[str, list[str]]]:
    out = []
    if ph.rises(ctx, "accidents.count"):
        out.append(
            (
                "巩固安全生产形势稳定向好态势",
                [
                    "深入分析事故反弹的行业领域和时段，推进安全生产治本攻坚，坚决防范遏制重特大事故。"
                ],
            )
        )
    else:
        out.append(
            (
                "推动安全生产治理模式向事前预防转型",
                ["深化安全生产治本攻坚，健全风险分级管控和隐患排查治理双重预防机制。"],
            )
        )
    out.append(
        (
            "健全隐患排查整改闭环机制",
            ["推进重大事故隐患动态清零，完善隐患排查、登记、整改、销号全过程管理。"],
        )
    )
    out.append(
        (
            "提升监管执法效能",
            ["完善分类分级监管，推进精准执法、柔性执法，压实企业安全生产主体责任。"],
        )
    )
    out.append(
        (
            "增强综合应急保障能力",
            ["加强救援队伍、应急专家、物资储备和避灾安置场所建设，提升自然灾害综合防御能力。"],
        )
    )
    return out
