"""（四）防汛防台与自然灾害防御: warnings and rainfall, responses by level, drills, disasters.
The responses chart."""

from __future__ import annotations

from emreport.compose import charts
from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.data.vocab import DISASTER_TYPES, RESPONSE_LEVELS
from emreport.metrics import wording

KEY = "防汛防台与自然灾害防御"


def compose(ctx: Context) -> Section | None:
    if not any(ctx.m.has(t) for t in ("flood_responses", "flood_work", "disasters")):
        return None
    section = Section(KEY, "科学应对汛情，防汛防台和灾害防御有力有序")
    points = []
    if ctx.m.has("flood_work"):
        points.append(monitoring(ctx))
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


def monitoring(ctx: Context) -> str:
    """强化监测预警: rainfall (a city's the districts' mean), warnings, consultations (a
    city's 市防指's own beside 各地's), alerts."""
    consult = [("组织防汛会商", "flood_work.consultations")]
    items = ctx.listing(
        [("发布气象预警", "flood_work.warnings"), *([] if ctx.city else consult)]
        + [("发送预警信息", "flood_work.alerts")]
    )
    if ctx.city:
        own = ctx.own_and_others(
            "flood_work.consultations", "市防指组织防汛会商", "各地组织防汛会商"
        )
        items = "，".join(x for x in (items, own) if x)
    rain = ctx.m["flood_work.rainfall"]
    mean = ctx.city and rain.rollup == "mean"
    said = f"{ctx.scope}{'平均' if mean else '累计'}降雨量{rain.text()}" if rain.value else ""
    text = "；".join(x for x in (said, items) if x)
    return f"强化监测预警。{ctx.when}，{text}。" if text else ""


def levels(counts: list[tuple[str, float]], total: float) -> tuple[str, str]:
    """The level before the noun when one level is the whole (Ⅳ级应急响应3次), else the
    parts after the figure: （其中Ⅲ级1次、Ⅳ级2次）."""
    seen = [(lv, n) for lv, n in counts if n]
    if len(seen) == 1 and seen[0][1] == total:
        return f"{seen[0][0]}级", ""
    listed = "、".join(f"{lv}级{wording.count(n, '次')}" for lv, n in seen)
    return "", f"（其中{listed}）" if listed else ""


def started(who: str, counts: list[tuple[str, float]], total: float) -> str:
    """启动防汛防台Ⅳ级应急响应3次, or with its levels after the figure."""
    level, parts = levels(counts, total)
    return f"{who}防汛防台{level}应急响应{wording.count(total, '次')}{parts}"


def responses(ctx: Context) -> str:
    n = ctx.m["flood.responses"]
    mids = [(lv, f"flood.responses_l{i}") for i, lv in enumerate(RESPONSE_LEVELS, 1)]
    if ctx.city and n.rollup == "own":
        heads = []
        if n.value:
            counts = [(lv, ctx.v(mid)) for lv, mid in mids]
            heads.append(started("市防指启动", counts, n.value))
        if n.others:
            counts = [(lv, ctx.m[mid].others or 0) for lv, mid in mids]
            heads.append(started("各地启动" if heads else "各地共启动", counts, n.others))
        text = "及时启动应急响应。" + ("，".join(heads) or "未启动防汛防台应急响应")
        crews = "全市累计出动"
    else:
        counts = [(lv, ctx.v(mid)) for lv, mid in mids]
        text = "及时启动应急响应。" + started("共启动", counts, n.value or 0)
        crews = "出动"
    work = ctx.listing(
        [
            ("队伍", "flood.teams"),
            ("人员", "flood.personnel"),
            ("车辆", "flood.vehicles"),
            ("水泵", "flood.pumps"),
        ],
        sep="、",
    )
    if work:
        text += f"，{crews}{work}"
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
        + (f"{items}，" if items else "")
        + f"{tail}。"
    )
