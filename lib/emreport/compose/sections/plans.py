"""三、下一步工作安排 (half-year: 下半年工作思路; annual: next year's 主要安排): the analyst's
plan items, or plans that follow from the figures."""

from __future__ import annotations

from emreport.compose import narrative
from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.compose.sections.safety import rising_sectors

KEY = "安排"


def title(ctx: Context) -> str:
    return "下半年工作思路" if ctx.p.half else f"{ctx.p.year + 1}年主要安排"


def compose(ctx: Context) -> Section:
    nxt = "下半年" if ctx.p.half else f"{ctx.p.year + 1}年"
    return section(
        ctx,
        title(ctx),
        f"{nxt}，{ctx.m.unit.name}应急管理局将坚持人民至上、生命至上，统筹发展和安全，"
        "重点抓好以下工作：",
        default_plans,
    )


def section(ctx: Context, heading: str, opening: str, defaults) -> Section:
    """The plan part of any kind: the analyst's lead (else `opening`), then the analyst's
    items (### headings), else the items `defaults(ctx)` draws from the figures."""
    section = Section(KEY, heading, 1)
    if ctx.story.plans_lead:
        for p in ctx.story.plans_lead:
            section.para(ctx.filled(p))
    else:
        section.para(opening)
    own = own_plans(ctx)
    for heading, paras in own or defaults(ctx):
        sub = section.sub(heading)
        sub.keep = bool(own)  # an item of the analyst's prints even with a heading alone
        for text in paras:
            sub.para(text)
    return section


def own_plans(ctx: Context) -> list[tuple[str, list[str]]]:
    """The analyst's plan items (### headings and their paragraphs), placeholders filled."""
    where = ctx.story.name
    return [
        (
            narrative.fill(p.title, ctx.m, where=f"{where} 第{p.line}行"),
            [ctx.filled(x) for x in p.paragraphs],
        )
        for p in ctx.story.plans
    ]


def default_plans(ctx: Context) -> list[tuple[str, list[str]]]:
    """Plans that follow from the figures, for a report without the analyst's own."""
    out = []
    up = [s for s, _ in rising_sectors(ctx)]
    if up:
        out.append(
            (
                "聚焦事故多发领域，强化源头管控",
                [
                    f"针对{'、'.join(up)}等事故同比上升的领域，深入分析事故规律，开展专项整治，"
                    "坚决遏制事故多发势头。"
                ],
            )
        )
    if ctx.v("hazards.overdue"):
        major = (
            f"（其中重大隐患{ctx.t('hazards.major_overdue')}）"
            if ctx.v("hazards.major_overdue")
            else ""
        )
        out.append(
            (
                "紧盯隐患闭环整改，推动逾期隐患清零",
                [
                    f"对{ctx.t('hazards.overdue')}逾期未整改隐患{major}逐条挂牌督办，"
                    "明确责任、时限和措施，确保整改到位。"
                ],
            )
        )
    out.append(
        (
            "坚持严格执法，压实企业主体责任",
            [
                "保持执法高压态势，综合运用停产整顿、关闭取缔、联合惩戒等手段，推动企业落实"
                "安全生产主体责任。"
            ],
        )
    )
    if ctx.p.half and (ctx.m.has("flood_responses") or ctx.m.has("flood_work")):
        out.append(
            (
                "全力做好主汛期防汛防台工作",
                ["加强监测预警和会商研判，落实转移避险措施，确保人民群众生命财产安全。"],
            )
        )
    else:
        out.append(
            (
                "提升自然灾害防御能力",
                ["完善应急预案体系，加强队伍、物资和避灾安置场所建设，提升综合应急保障能力。"],
            )
        )
    return out
