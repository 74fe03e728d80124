"""（一）安全生产形势: accidents with 同比, by sector, responsibility and accountability; the
city adds how its districts fared. The monthly chart."""

from __future__ import annotations

from emreport.compose import charts
from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.metrics import wording

KEY = "安全生产形势"


def compose(ctx: Context) -> Section:
    c = ctx.m["accidents.count"]
    rising = c.prev is not None and (c.value or 0) > c.prev
    section = Section(
        KEY,
        "聚焦事故防控，安全生产形势依然复杂" if rising else "强化源头治理，安全生产形势总体平稳",
    )
    points = [accident_total(ctx), accident_sectors(ctx)]
    if ctx.m.has("responsibility"):
        meetings = [("召开安委会会议", "responsibility.meetings")]
        items = ctx.listing(
            [
                ("签订安全生产责任书", "responsibility.letters"),
                *([] if ctx.city else meetings),
                ("明确重点部门", "responsibility.key_departments"),
                ("重点岗位", "responsibility.key_posts"),
                ("重点任务", "responsibility.key_tasks"),
            ]
        )
        if ctx.city:  # the 市安委会's own meetings, the districts' beside them
            own = ctx.own_and_others(
                "responsibility.meetings", "市安委会召开会议", "各地召开安委会会议"
            )
            items = "，".join(x for x in (items, own) if x)
        if items:
            points.append(f"压实安全生产责任。{ctx.when}，{ctx.scope}{items}。")
    if ctx.m.has("accountability"):
        items = ctx.listing(
            [
                ("依法追究刑事责任", "accountability.criminal"),
                ("给予党纪政务处分", "accountability.disciplined"),
                ("纳入黑名单管理企业", "accountability.blacklisted"),
            ]
        )
        if items:
            points.append(f"严肃事故责任追究。{items}。")
    section.points(points + ctx.extras(KEY))
    if ctx.districts:
        section.para(city_accidents(ctx))
    prev = f"{ctx.p.year - 1}年" if c.prev is not None else None
    section.add(
        ctx.figure(
            "分月生产安全事故起数",
            lambda: charts.monthly_accidents(
                ctx.m.tables["accidents.by_month"], f"{ctx.p.year}年", prev
            ),
        )
    )
    return section


def grave_clause(ctx: Context) -> str:
    """The strongest true claim on grades: 未发生较大及以上, else 未发生重大及以上 beside the
    较大 ones, else the 重大及以上 ones."""
    if not ctx.v("accidents.major_or_above"):
        return "未发生较大及以上生产安全事故"
    if not ctx.v("accidents.grave"):
        return (
            f"发生较大生产安全事故{ctx.t('accidents.major_or_above')}，未发生重大及以上生产安全事故"
        )
    return f"发生重大及以上生产安全事故{ctx.t('accidents.grave')}"


def accident_total(ctx: Context) -> str:
    c = ctx.m["accidents.count"]
    if not c.value:
        head = "实现生产安全事故“零发生”。"
    elif c.prev is None or c.value == c.prev:
        head = "事故总量保持平稳。" if c.prev is not None else "事故总量总体可控。"
    elif c.value < c.prev:
        head = "事故总量实现下降。"
    else:
        head = "事故总量有所上升。"
    text = f"{ctx.when}，{ctx.scope}共发生生产安全事故{c.text()}、死亡{ctx.t('accidents.deaths')}"
    people = ctx.listing(
        [("重伤", "accidents.serious_injuries"), ("失踪", "accidents.missing")], sep="、"
    )
    loss = ctx.listing([("直接经济损失", "accidents.loss")])
    text += (f"、{people}" if people else "") + (f"，{loss}" if loss else "")
    yoy = ctx.yoy_pair("accidents.count", "accidents.deaths")
    if yoy:
        text += f"，事故起数和死亡人数{yoy}"
    return f"{head}{text}；{grave_clause(ctx)}。"


def accident_sectors(ctx: Context) -> str:
    t = ctx.m.tables["accidents.by_sector"]
    t = t[t["事故起数"] > 0].sort_values("事故起数", ascending=False, kind="stable")
    if t.empty:
        return ""
    parts = [
        f"{sector}{wording.count(r['事故起数'], '起')}、死亡{wording.count(r['死亡人数'], '人')}"
        for sector, r in t.iterrows()
    ]
    text = f"分行业领域看，{'，'.join(parts)}"
    up = rising_sectors(ctx)
    if up:
        text += "；其中" + "，".join(f"{s}领域同比增加{wording.count(d, '起')}" for s, d in up)
    where = "、".join(t.index[:3]) + ("等领域" if len(t) > 3 else "领域")
    head = f"事故主要集中在{where}。" if t["事故起数"].iloc[0] > 1 else f"事故分布在{where}。"
    return f"{head}{text}。"


def rising_sectors(ctx: Context) -> list[tuple[str, float]]:
    """Sectors with more accidents than a year earlier, with the rise."""
    t = ctx.m.tables["accidents.by_sector"]
    if "事故起数(上年同期)" not in t:
        return []
    diff = t["事故起数"] - t["事故起数(上年同期)"]
    return [(s, d) for s, d in diff.items() if d > 0]


def rising_districts(ctx: Context) -> list[str]:
    """A city's districts with more accidents than a year earlier."""
    return [
        p.name
        for p in ctx.districts
        if (p.metrics["accidents.count"].value or 0) > (p.metrics["accidents.count"].prev or 0)
    ]


def city_accidents(ctx: Context) -> str:
    """How many districts fell, held or had no deaths; where accidents rose."""
    ds = ctx.districts
    if not ds or ctx.m["accidents.deaths"].prev is None:
        return ""
    good = [
        p
        for p in ds
        if (p.metrics["accidents.deaths"].value or 0) == 0
        or (p.metrics["accidents.deaths"].value or 0) <= (p.metrics["accidents.deaths"].prev or 0)
    ]
    text = (
        f"从各地看，{len(ds)}个区县（开发区）死亡人数均同比下降、持平或实现“零死亡”"
        if len(good) == len(ds)
        else f"从各地看，{len(ds)}个区县（开发区）中，{len(good)}个死亡人数同比下降、持平或"
        "实现“零死亡”"
    )
    up = rising_districts(ctx)
    if up:
        text += "；" + "、".join(up) + "事故起数同比上升"
    return text + "。"
