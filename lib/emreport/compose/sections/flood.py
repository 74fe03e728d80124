"""（四）防汛防台与自然灾害防御: warnings and rainfall, responses by level, drills, disasters.
The responses chart."""

from __future__ import annotations

from emreport.compose import charts
from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.data.schema import DISASTER_TYPES, RESPONSE_LEVELS

KEY = "防汛防台与自然灾害防御"


def compose(ctx: Context) -> Section | None:
    if not any(ctx.m.has(t) for t in ("flood_responses", "flood_work", "disasters")):
        return None
    section = Section(KEY, "科学应对汛情，防汛防台和灾害防御有力有序")
    points = []
    if ctx.m.has("flood_work"):
        items = ctx.listing(
            [
                ("发布气象预警", "flood_work.warnings"),
                ("组织防汛会商", "flood_work.consultations"),
                ("发送预警信息", "flood_work.alerts"),
            ]
        )
        rain = (
            f"{ctx.scope}累计降雨量{ctx.t('flood_work.rainfall')}；"
            if ctx.v("flood_work.rainfall")
            else ""
        )
        points.append(f"强化监测预警。{ctx.when}，{rain}{items}。" if items or rain else "")
    if ctx.m.has("flood_responses"):
        points.append(responses(ctx))
    if ctx.m.has("flood_work"):
        drills = ctx.listing(
            [
                ("开展防汛演练", "flood_work.drills"),
                ("参演单位", "flood_work.drill_units"),
                ("参演人员", "flood_work.drill_persons"),
            ]
        )
        points.append(f"提升实战能力。{drills}。" if drills else "")
    if ctx.m.has("disasters"):
        points.append(disasters(ctx))
    section.points(points + ctx.extras(KEY))
    if ctx.m.has("flood_responses"):
        prev = f"{ctx.p.year - 1}年" if ctx.m["flood.responses"].prev is not None else None
        section.add(
            ctx.figure(
                "分级别防汛防台应急响应次数",
                lambda: charts.responses_by_level(
                    ctx.m.tables["flood.by_level"], f"{ctx.p.year}年", prev
                ),
            )
        )
    return section


def responses(ctx: Context) -> str:
    n = ctx.m["flood.responses"]
    levels = "、".join(
        f"{lv}级{ctx.t(f'flood.responses_l{i}')}"
        for i, lv in enumerate(RESPONSE_LEVELS, 1)
        if ctx.v(f"flood.responses_l{i}")
    )
    work = ctx.listing(
        [
            ("出动队伍", "flood.teams"),
            ("人员", "flood.personnel"),
            ("车辆", "flood.vehicles"),
            ("水泵", "flood.pumps"),
        ],
        sep="、",
    )
    text = f"及时启动应急响应。共启动防汛防台应急响应{n.text()}（其中{levels}）"
    if work:
        text += f"，{work}"
    rest = ctx.listing([("转移人员", "flood.relocated"), ("处置险情", "flood.incidents")])
    return text + (f"，{rest}" if rest else "") + "。"


def disasters(ctx: Context) -> str:
    kinds = [k for k in DISASTER_TYPES if k in set(ctx.m.cur["disasters"]["disaster"])]
    items = ctx.listing(
        [
            ("受灾人口", "disasters.affected"),
            ("紧急转移安置", "disasters.evacuated"),
            ("农作物受灾面积", "disasters.crop_area"),
            ("倒塌房屋", "disasters.collapsed"),
            ("损坏房屋", "disasters.damaged"),
            ("直接经济损失", "disasters.loss"),
        ]
    )
    dead = ctx.m["disasters.dead_missing"]
    tail = f"因灾死亡失踪{dead.text()}" if dead.value else "未发生因灾死亡失踪"
    return (
        f"全力做好灾害应对。{ctx.when}，{ctx.scope}受{'、'.join(kinds)}等自然灾害影响，"
        f"{items}，{tail}。"
    )
