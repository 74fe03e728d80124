"""（二）隐患排查治理: hazards found and put right with 同比, by source and sector, 重大隐患 and
overdue ones, campaigns and covert checks; the city adds 市本级/各地 and the districts' rates.
Three charts (the city one more)."""

from __future__ import annotations

import pandas as pd

from emreport.compose import charts
from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.data.schema import HAZARD_UNIT
from emreport.metrics import wording

KEY = "隐患排查治理"
CAMPAIGN_COLUMNS = {
    "enterprises": "检查企业",
    "found": "发现隐患",
    "rectified": "已整改",
    "orders": "整改指令书",
}
CAMPAIGN_UNITS = {
    "检查企业": "家",
    "发现隐患": HAZARD_UNIT,
    "已整改": HAZARD_UNIT,
    "整改指令书": "份",
}


def compose(ctx: Context) -> Section | None:
    if not any(ctx.m.has(t) for t in ("hazards", "campaigns", "covert_checks")):
        return None
    rate = ctx.m["hazards.rectification_rate"]
    improving = rate.prev is None or (rate.value or 0) >= rate.prev
    section = Section(
        KEY, "深化隐患排查，闭环整改成效明显" if improving else "深化隐患排查，推动隐患闭环整改"
    )
    points = [
        total(ctx, section),
        hazard_sources(ctx),
        major_hazards(ctx),
        campaigns(ctx),
        covert(ctx),
    ]
    campaign_table = campaigns_by_name(ctx)
    if campaign_table is not None:
        section.stated["tables"] = {"campaigns.by_name": campaign_table}
    section.points(points + ctx.extras(KEY))
    if ctx.districts:
        section.para(city_rates(ctx))
    section.add(
        ctx.figure(
            "分来源隐患排查整改情况",
            lambda: charts.hazards_by_source(ctx.m.tables["hazards.by_source"]),
        )
    )
    overdue = int(ctx.v("hazards.overdue"))
    open_ = int(ctx.v("hazards.open"))
    section.add(
        ctx.figure(
            "隐患整改状态",
            lambda: charts.hazard_status(int(ctx.v("hazards.rectified")), open_ - overdue, overdue),
        )
    )
    if ctx.districts:
        found = ctx.m["hazards.found"]
        section.add(
            ctx.figure(
                "各地隐患排查数量",
                lambda: charts.districts_compare(
                    peer_frame(ctx, "hazards.found", "发现隐患"),
                    "发现隐患",
                    HAZARD_UNIT,
                    "发现隐患(上年同期)" if found.prev is not None else None,
                ),
            )
        )
    return section


def total(ctx: Context, section: Section) -> str:
    if not ctx.m.has("hazards"):
        return ""
    found, rate = ctx.m["hazards.found"], ctx.m["hazards.rectification_rate"]
    said = ctx.said("hazards.found")  # the analyst's text of the section tells the total
    head = (
        f"{ctx.scope}已整改隐患"
        if said
        else f"{ctx.scope}共排查发现各类隐患{found.text()}"
        + (f"，{found.yoy()}" if found.yoy() else "")
        + "；已整改"
    )
    text = (
        f"隐患排查整改有序推进。{ctx.when}，{head}{ctx.t('hazards.rectified')}，整改率{rate.text()}"
        # a falling rate is a problem (问题), not told among the achievements
        + (
            f"，{rate.yoy()}"
            if rate.yoy() and not ctx.falling("hazards.rectification_rate")
            else ""
        )
        + "。"
    )
    if ctx.districts and not said:
        words, split = ctx.split("hazards.found", "排查隐患")
        section.stated.setdefault("splits", {}).update(split)
        text += words + "。" if words else ""
    return text


def hazard_sources(ctx: Context) -> str:
    t = ctx.m.tables["hazards.by_source"]
    t = t[t["发现隐患"] > 0]
    if t.empty:
        return ""
    src = "、".join(f"{s}{wording.count(n, HAZARD_UNIT)}" for s, n in t["发现隐患"].items())
    text = f"多渠道排查隐患。从来源看，{src}"
    sectors = ctx.m.tables["hazards.by_sector"]["发现隐患"].sort_values(
        ascending=False, kind="stable"
    )
    top = [f"{s}（{wording.count(n, HAZARD_UNIT)}）" for s, n in sectors.head(3).items() if n > 0]
    if len(top) > 1:
        text += f"；从行业领域看，隐患主要集中在{'、'.join(top[:-1])}和{top[-1]}等领域"
    return text + "。"


def major_hazards(ctx: Context) -> str:
    major = ctx.m["hazards.major"]
    overdue = ctx.m["hazards.overdue"]
    text = ""
    if major.value:
        done = ctx.listing(
            [("挂牌督办", "hazards.major_supervised"), ("已整改销号", "hazards.major_rectified")]
        )
        # a rate under its bar is told among the problems (问题), not here
        rate = (
            ""
            if ctx.below_bar("hazards.major_rate")
            else f"，重大隐患整改率{ctx.t('hazards.major_rate')}"
        )
        text = (
            f"紧盯重大事故隐患治理。排查重大事故隐患{major.text()}"
            + (f"，{done}" if done else "")
            + rate
            + "。"
        )
    if overdue.value:
        major_overdue = ctx.v("hazards.major_overdue")
        tail = (
            f"，其中重大隐患{ctx.t('hazards.major_overdue')}"
            if major_overdue and major_overdue < overdue.value
            else ""
        )
        what = "重大隐患" if major_overdue == overdue.value else "隐患"
        text = text or "加强隐患整改督办。"
        text += f"{ctx.p.as_of}，尚有{overdue.text()}{what}逾期未整改{tail}，已逐条督促整改。"
    elif text:
        text += f"{ctx.p.as_of}，无逾期未整改隐患。"
    return text


def campaigns_by_name(ctx: Context) -> pd.DataFrame | None:
    """Each campaign's figures (专项名称 → 检查企业, 发现隐患, …), or None without campaigns."""
    if not ctx.m.has("campaigns"):
        return None
    sums = ctx.m.cur["campaigns"].groupby("campaign", sort=False)[list(CAMPAIGN_COLUMNS)].sum()
    return sums.rename(columns=CAMPAIGN_COLUMNS).rename_axis("专项名称")


def campaigns(ctx: Context) -> str:
    table = campaigns_by_name(ctx)
    if table is None:
        return ""
    each = []
    for name, r in table.iterrows():
        bits = [f"检查企业{wording.count(r['检查企业'], '家')}"]
        if r["发现隐患"]:
            bits.append(f"发现隐患{wording.count(r['发现隐患'], HAZARD_UNIT)}")
        if r["发现隐患"]:  # nothing found is not 已全部整改
            bits.append(
                "已全部整改"
                if r["已整改"] == r["发现隐患"]
                else f"已整改{wording.count(r['已整改'], HAZARD_UNIT)}"
            )
        if r["整改指令书"]:
            bits.append(f"开具整改指令书{wording.count(r['整改指令书'], '份')}")
        each.append((name, "，".join(bits)))
    total = ctx.listing(
        [
            ("检查企业", "campaigns.enterprises"),
            ("发现隐患", "campaigns.found"),
            ("已整改", "campaigns.rectified"),
            ("开具整改指令书", "campaigns.orders"),
        ]
    )
    if len(each) == 1:  # one campaign: its figures once, not a total restated for its part
        return f"扎实开展专项整治。{ctx.when}开展{each[0][0]}，{each[0][1]}。"
    return (
        f"扎实开展专项整治。{ctx.when}共开展专项整治{ctx.t('campaigns.count')}，{total}。"
        f"其中，{'；'.join(name + bits for name, bits in each)}。"
    )


def covert(ctx: Context) -> str:
    if not ctx.m.has("covert_checks"):
        return ""
    text = ctx.listing(
        [
            ("开展重大安全隐患暗访曝光", "covert_checks.rounds"),
            ("暗访企业", "covert_checks.enterprises"),
            ("开具隐患交办单", "covert_checks.notices"),
            ("曝光隐患", "covert_checks.exposed"),
        ]
    )
    a, r = ctx.m["covert_checks.assigned"], ctx.m["covert_checks.assigned_rectified"]
    if a.value:
        done = "已全部整改" if r.value == a.value else f"已整改{r.text()}"
        text += ("；" if text else "") + f"省市交办隐患{a.text()}，{done}"
    return f"严格暗访督办。{text}。" if text else ""


def city_rates(ctx: Context) -> str:
    rated = [
        (p.name, p.metrics["hazards.rectification_rate"])
        for p in ctx.districts
        if p.metrics["hazards.rectification_rate"].value is not None
    ]
    if len(rated) < 2:
        return ""
    rated.sort(key=lambda x: x[1].value, reverse=True)
    hi, lo = rated[0], rated[-1]
    return (
        f"从各地看，隐患整改率最高的是{hi[0]}（{hi[1].text()}），最低的是{lo[0]}"
        f"（{lo[1].text()}）。"
    )


def peer_frame(ctx: Context, mid: str, name: str) -> pd.DataFrame:
    """One figure for each member of the city, this period and a year earlier."""
    rows = {p.name: (p.metrics[mid].value, p.metrics[mid].prev) for p in ctx.peers}
    return pd.DataFrame.from_dict(rows, orient="index", columns=[name, f"{name}(上年同期)"])
