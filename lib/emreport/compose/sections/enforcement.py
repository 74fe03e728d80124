"""（三）监管执法: inspections with 同比, cases and fines, stoppages, licensing; the city adds
市本级/各地 and its three largest fines."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section

KEY = "监管执法"


def compose(ctx: Context) -> Section | None:
    if not ctx.m.has("inspections") and not ctx.m.has("licensing"):
        return None
    section = Section(KEY, "严格监管执法，依法治安持续加强")
    points = []
    if ctx.m.has("inspections"):
        points.append(inspections(ctx, section))
        points.append(penalties(ctx))
    if ctx.m.has("licensing"):
        items = ctx.listing(
            [
                ("受理行政许可", "licensing.accepted"),
                ("发证", "licensing.issued"),
                ("办理备案", "licensing.filings"),
            ]
        )
        if items:
            points.append(f"严格行政审批。{items}。")
    section.points(points + ctx.extras(KEY))
    if ctx.districts:
        section.para(city_fines(ctx))
    return section


def inspections(ctx: Context, section: Section) -> str:
    ins = ctx.m["inspections.count"]
    work = ctx.listing(
        [
            ("出动执法人员", "inspections.inspectors"),
            ("检查单位", "inspections.units"),
            ("发现问题隐患", "inspections.problems"),
        ]
    )
    if ctx.said("inspections.count"):  # the analyst's text of the section tells the total
        return f"加大执法检查力度。{ctx.when}，{ctx.scope}{work}。" if work else ""
    text = (
        f"加大执法检查力度。{ctx.when}，{ctx.scope}共开展执法检查{ins.text()}"
        + (f"，{ins.yoy()}" if ins.yoy() else "")
        + (f"，{work}" if work else "")
        + "。"
    )
    if ctx.districts:
        words, split = ctx.split("inspections.count", "开展执法检查")
        section.stated["splits"] = split
        text += words + "。" if words else ""
    return text


def penalties(ctx: Context) -> str:
    cases, fines = ctx.m["inspections.cases"], ctx.m["inspections.fines"]
    if not cases.value:
        return ""
    text = f"严厉打击违法行为。立案{cases.text()}，罚款{fines.text()}"
    yoy = ctx.yoy_pair("inspections.cases", "inspections.fines")
    if yoy:
        text += f"，立案数和罚款金额{yoy}"
    if ctx.v("inspections.fines_accident") and ctx.v("inspections.fines_other"):
        text += (
            f"（其中事故罚款{ctx.t('inspections.fines_accident')}、非事故罚款"
            f"{ctx.t('inspections.fines_other')}）"
        )
    others = ctx.listing(
        [
            ("责令停产停业整顿", "inspections.suspended"),
            ("关闭取缔", "inspections.closed"),
            ("移送公安", "inspections.police"),
        ]
    )
    if others:
        text += f"；{others}"
        if ctx.v("inspections.police_persons"):
            text += f"、{ctx.t('inspections.police_persons')}"
    reviews = ctx.m["inspections.reviews"]
    if reviews.value:
        text += f"。立案查处的案件中，发生行政复议和诉讼{reviews.text()}"
    elif not ctx.v("inspections.reviews_unreported"):  # 均无 only where every case says 否
        text += f"。立案查处的{cases.text()}案件，均无行政复议、诉讼情况发生"
    return text + "。"


def city_fines(ctx: Context) -> str:
    ranked = sorted(
        (
            (p.name, p.metrics["inspections.fines"])
            for p in ctx.districts
            if p.metrics["inspections.fines"].value
        ),
        key=lambda x: -x[1].value,
    )
    if len(ranked) < 3:
        return ""
    top = "、".join(f"{n}（{m.text()}）" for n, m in ranked[:3])
    return f"从各地看，罚款金额排在前3位的是{top}。"
