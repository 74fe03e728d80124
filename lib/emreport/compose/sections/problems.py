"""二、存在的问题和不足: problems the figures show (accidents up overall, in a sector or a
district; 整改率 down; overdue hazards; fewer inspections), then the analyst's own."""

from __future__ import annotations

from emreport.compose.context import BARS, Context
from emreport.compose.document import Section
from emreport.compose.sections.safety import rising_districts, rising_sectors
from emreport.metrics import wording

KEY = "问题"
TITLE = "存在的问题和不足"


def compose(ctx: Context) -> Section:
    return section(ctx, data_problems(ctx))


def section(ctx: Context, found: list[str]) -> Section:
    """存在的问题和不足 of any kind: the problems the figures show, then the analyst's own."""
    section = Section(KEY, TITLE, 1)
    section.points(found + [ctx.filled(p) for p in ctx.story.problems])
    return section


def data_problems(ctx: Context) -> list[str]:
    """Problems the figures themselves show, each with its figures."""
    return [p for p in (accidents(ctx), hazards(ctx), inspections(ctx)) if p]


def accidents(ctx: Context) -> str:
    c = ctx.m["accidents.count"]
    up = rising_sectors(ctx)
    if c.prev is not None and (c.value or 0) > c.prev:
        text = f"安全生产形势依然严峻。{ctx.when}共发生生产安全事故{c.text()}，{c.yoy()}"
    elif up:
        text = "部分行业领域事故有所反弹。"
    else:
        text = ""
    if up:
        by_sector = ctx.m.tables["accidents.by_sector"]
        sectors = "；".join(
            f"{s}领域发生事故{wording.count(by_sector.at[s, '事故起数'], '起')}"
            f"，同比增加{wording.count(d, '起')}"
            for s, d in up
        )
        text += ("；" if text.endswith(("%", "起")) else "") + sectors
    if ctx.districts:
        rising = rising_districts(ctx)
        if rising and text:
            text += f"；{'、'.join(rising)}事故起数同比上升"
    return text + "。" if text else ""


def hazards(ctx: Context) -> str:
    rate = ctx.m["hazards.rectification_rate"]
    bits = []
    if ctx.falling("hazards.rectification_rate"):
        bits.append(f"隐患整改率为{rate.text()}，{rate.yoy()}")
    if ctx.below_bar("hazards.major_rate"):
        bar = wording.percent(BARS["hazards.major_rate"])
        bits.append(f"重大隐患整改率仅为{ctx.t('hazards.major_rate')}，低于{bar}")
    if ctx.v("hazards.major_overdue"):
        bits.append(f"{ctx.p.as_of}仍有重大隐患{ctx.t('hazards.major_overdue')}逾期未整改")
    elif ctx.v("hazards.overdue"):
        bits.append(f"{ctx.p.as_of}仍有{ctx.t('hazards.overdue')}隐患逾期未整改")
    return "隐患闭环整改有待加强。" + "，".join(bits) + "。" if bits else ""


def inspections(ctx: Context) -> str:
    ins = ctx.m["inspections.count"]
    if ins.pct is not None and ins.pct <= -0.1:
        return f"监管执法力度有待加大。执法检查{ins.text()}，{ins.yoy()}。"
    return ""
