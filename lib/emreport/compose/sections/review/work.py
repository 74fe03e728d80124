"""The review's work sections (安全生产形势, 隐患排查治理, 监管执法, 防汛防台与自然灾害防御,
宣传培训, 应急保障能力): what the years come to for each, from the metrics of
metrics.review — totals, the change against the base year and 年均, the best year, streaks,
the growth of stocks — then the analyst's own text for the section. A section whose tables
have no data in any year is left out."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.compose.sections.review import phrases as ph

TABLES = {
    "安全生产形势": "accidents",
    "隐患排查治理": "hazards",
    "监管执法": "inspections",
    "防汛防台与自然灾害防御": "flood_responses",
    "宣传培训": "training",
    "应急保障能力": "preparedness",
}


def compose(ctx: Context) -> Section | None:
    key = ctx.room
    if not ctx.m.has(TABLES[key]):
        return None
    section = Section(key, key, 2)
    for text in WRITERS[key](ctx):
        section.point(text)
    for text in ctx.extras(key):
        section.point(text)
    return section


def _join(bits: list[str]) -> str:
    bits = [b for b in bits if b]
    return "，".join(bits) + "。" if bits else ""


def quiet_years(ctx: Context) -> int:
    """Years in a row, to the last, without a 较大 or worse accident."""
    return ph.streak(ctx, "accidents.major_or_above", "zero")


def safety(ctx: Context) -> list[str]:
    out = []
    count, deaths = ph.total(ctx, "accidents.count"), ph.total(ctx, "accidents.deaths")
    first = []
    if count and deaths:
        first.append(f"{ph.years_word(ctx)}共发生生产安全事故{count}、死亡{deaths}")
    first.append(f"事故起数{ph.sequence(ctx, 'accidents.count')}")
    out.append(_join(first))
    change = [ph.change(ctx, "accidents.count"), ph.change(ctx, "accidents.deaths")]
    out.append(
        _join(
            [
                f"{ctx.p.last}年事故起数{change[0]}" if change[0] else "",
                f"死亡人数{change[1]}" if change[1] else "",
            ]
        )
    )
    second = []
    best = ph.best(ctx, "accidents.count", "事故起数", "最少")
    if best:
        second.append(best)
    falls = ph.streak(ctx, "accidents.count", "falls")
    if falls >= 2:
        second.append(f"事故起数连续{ph.streak_words(ctx, 'accidents.count', 'falls')}下降")
    rises = ph.rises(ctx, "accidents.count")
    if rises:
        second.append(f"{'、'.join(f'{y}年' for y in rises)}事故起数有所反弹")
    out.append(_join(second))
    grave = ph.nonzero(ctx, "accidents.major_or_above") if quiet_years(ctx) < 2 else ""
    quiet = ph.streak(ctx, "accidents.major_or_above", "zero")
    if quiet >= 2:
        out.append(
            f"连续{ph.streak_words(ctx, 'accidents.major_or_above', 'zero')}未发生较大及以上生产安全事故。"
        )
    elif grave:
        years = [f"{y}年" for y, v in ctx.m.yearly("accidents.major_or_above").years.items() if v]
        out.append(
            f"{ph.years_word(ctx)}共发生较大及以上生产安全事故{grave}（{'、'.join(years)}）。"
        )
    return [t for t in out if t]


def hazards(ctx: Context) -> list[str]:
    found, fixed = ph.total(ctx, "hazards.found"), ph.total(ctx, "hazards.rectified")
    rate = ph.total(ctx, "hazards.rectification_rate")
    first = []
    if found and fixed:
        first.append(f"{ph.years_word(ctx)}累计排查发现隐患{found}、整改{fixed}")
    if rate:
        first.append(f"整改率{rate}")
    last = ph.get(ctx, f"hazards.rectification_rate.{ctx.p.last}")
    if last:
        first.append(
            f"{ctx.p.last}年整改率为{ph.cite(ctx, last)}"
            + (
                f"，{ph.vs_base(ctx, 'hazards.rectification_rate')}"
                if ph.vs_base(ctx, "hazards.rectification_rate")
                else ""
            )
        )
    out = [_join(first)]
    major, major_fixed = ph.total(ctx, "hazards.major"), ph.total(ctx, "hazards.major_rectified")
    if major and ph.get(ctx, "hazards.major.total").value:
        out.append(
            _join([f"累计排查重大事故隐患{major}", f"整改{major_fixed}" if major_fixed else ""])
        )
    assigned = ph.nonzero(ctx, "covert_checks.assigned")
    if assigned:
        done = ph.nonzero(ctx, "covert_checks.assigned_rectified")
        out.append(_join([f"累计接收省市交办隐患{assigned}", f"整改{done}" if done else ""]))
    best = ph.best(ctx, "hazards.rectification_rate", "隐患整改率", "最高")
    if best:
        out.append(best + "。")
    return [t for t in out if t]


def inspections(ctx: Context) -> list[str]:
    bits = [
        f"累计开展执法检查{ph.total(ctx, 'inspections.count')}"
        if ph.total(ctx, "inspections.count")
        else "",
        f"立案{ph.total(ctx, 'inspections.cases')}" if ph.total(ctx, "inspections.cases") else "",
        f"罚款{ph.total(ctx, 'inspections.fines')}" if ph.total(ctx, "inspections.fines") else "",
    ]
    out = [_join([f"{ph.years_word(ctx)}{bits[0]}" if bits[0] else "", *bits[1:]])]
    grow = ph.from_to(ctx, "inspections.count")
    if grow:
        out.append(_join([f"执法检查{grow}", ph.annual(ctx, "inspections.count")]))
    return [t for t in out if t]


def flood(ctx: Context) -> list[str]:
    bits = []
    responses = ph.nonzero(ctx, "flood.responses")
    if responses:
        bits.append(f"{ph.years_word(ctx)}累计启动防汛防台应急响应{responses}")
    relocated = ph.nonzero(ctx, "flood.relocated")
    if relocated:
        bits.append(f"转移人员{relocated}")
    out = [_join(bits)]
    dead = ph.get(ctx, "disasters.dead_missing.total")
    if dead is not None and dead.value == 0 and ctx.m.has("disasters"):
        out.append(f"{ph.years_word(ctx)}未发生因灾死亡失踪。")
    return [t for t in out if t]


def training(ctx: Context) -> list[str]:
    bits = []
    trained = ph.total(ctx, "training.total")
    if trained:
        bits.append(f"{ph.years_word(ctx)}累计开展安全培训{trained}")
    exams = ph.total(ctx, "training.exams")
    if exams:
        bits.append(f"完成考试{exams}")
    grow = ph.from_to(ctx, "training.total")
    if grow:
        bits.append(f"年度培训人次{grow}")
    return [t for t in [_join(bits)] if t]


STOCKS = (
    ("preparedness.teams", "救援队伍"),
    ("preparedness.team_members", "救援队员"),
    ("preparedness.experts", "应急专家"),
    ("preparedness.supply_items", "应急物资"),
    ("preparedness.shelters", "避灾安置场所"),
)


def preparedness(ctx: Context) -> list[str]:
    bits = []
    for mid, name in STOCKS:
        grow = ph.from_to(ctx, mid, base=not bits)  # 由“十三五”末的… once, then 由…
        if grow:
            bits.append(f"{name}{grow}")
    if not bits:
        return []
    return [f"应急保障能力持续增强，{'，'.join(bits)}。"]


WRITERS = {
    "安全生产形势": safety,
    "隐患排查治理": hazards,
    "监管执法": inspections,
    "防汛防台与自然灾害防御": flood,
    "宣传培训": training,
    "应急保障能力": preparedness,
}
