"""附表: the headline figures, the city's district comparison, every breakdown with data, the
campaigns, and the 重大事故隐患 one by one (a city lists those still open)."""

from __future__ import annotations

import pandas as pd

from emreport.compose.context import Context
from emreport.compose.document import APPENDIX, Section, Table
from emreport.compose.sections.hazards import CAMPAIGN_UNITS, campaigns_by_name
from emreport.data.schema import HAZARD_UNIT
from emreport.metrics import as_number, wording

SUMMARY = (
    "accidents.count",
    "accidents.deaths",
    "accidents.serious_injuries",
    "accidents.loss",
    "accidents.major_or_above",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.major",
    "hazards.major_rectified",
    "hazards.overdue",
    "inspections.count",
    "inspections.cases",
    "inspections.fines",
    "inspections.suspended",
    "flood.responses",
    "flood.relocated",
    "training.total",
    "preparedness.teams",
)
PEER_COLUMNS = (
    ("accidents.count", "事故起数"),
    ("accidents.deaths", "死亡人数"),
    ("hazards.found", "发现隐患"),
    ("hazards.rectified", "已整改"),
    ("hazards.rectification_rate", "整改率"),
    ("inspections.count", "执法检查"),
    ("inspections.cases", "立案"),
    ("inspections.fines", "罚款金额"),
)
ROLLUP_LABELS = {"own": "（市本级）", "mean": "（各地平均）", "max": "（各地最大）"}
BREAKDOWN_TITLES = {
    "accidents.by_sector": "分行业领域生产安全事故情况",
    "accidents.by_grade": "分等级生产安全事故情况",
    "accidents.by_month": "分月生产安全事故情况",
    "hazards.by_source": "分来源隐患排查整改情况",
    "hazards.by_grade": "分等级隐患排查整改情况",
    "hazards.by_sector": "分行业领域隐患排查整改情况",
    "hazards.by_month": "分月隐患排查整改情况",
    "inspections.by_sector": "分行业领域执法检查情况",
    "flood.by_level": "分级别防汛防台应急响应情况",
}
MEASURE_UNITS = {
    "事故起数": "起",
    "死亡人数": "人",
    "发现隐患": HAZARD_UNIT,
    "已整改": HAZARD_UNIT,
    "执法检查": "家次",
    "立案": "起",
    "罚款金额": "万元",
    "应急响应": "次",
    "整改率": "%",
}


def compose(ctx: Context) -> Section:
    section = Section(APPENDIX, APPENDIX, 1, numbered=False)
    section.add(summary_table(ctx))
    if ctx.districts:
        section.add(peer_table(ctx))
    if ctx.peers:
        section.stated["members"] = {
            p.code: {
                "name": p.name,
                "level": p.level,
                "metrics": {mid: p.metrics[mid].to_json() for mid, _ in PEER_COLUMNS},
            }
            for p in ctx.peers
        }
    for bid, title in BREAKDOWN_TITLES.items():
        frame = ctx.m.tables[bid]
        if frame.empty or not frame.to_numpy().any():
            continue
        section.add(breakdown_table(bid, title, frame))
    campaigns = campaigns_by_name(ctx)
    if campaigns is not None:
        frame = campaigns.copy()
        frame.loc["合计"] = [as_number(x) for x in frame.sum()]
        section.add(Table("专项整治情况", frame, dict(CAMPAIGN_UNITS)))
    section.add(major_hazard_table(ctx))
    return section


def summary_table(ctx: Context) -> Table:
    rows = []
    for mid in SUMMARY:
        metric = ctx.m[mid]
        if metric.value is None:
            continue

        def shown(
            x: float | None, rate: bool = metric.is_rate, approx: bool = False
        ) -> float | str | None:
            if x is None:
                return None
            if rate:
                return float(wording.round_half_up(x * 100, 1))
            # an approximate figure keeps its 余 here as in the text (200000余 beside 20余万)
            return f"{wording.number(x)}余" if approx else as_number(x)

        # a city's figure that is not its members' sum says whose it is
        label = metric.label + (ROLLUP_LABELS.get(metric.rollup, "") if ctx.city else "")
        rows.append(
            (
                label,
                "%" if metric.is_rate else metric.unit,
                shown(metric.value, approx=metric.approx),
                shown(metric.prev),
                metric.yoy().removeprefix("同比") or "—",
            )
        )
    frame = pd.DataFrame(rows, columns=["指标", "单位", "本期", "上年同期", "同比"]).set_index(
        "指标"
    )
    return Table("主要指标", frame)


def peer_table(ctx: Context) -> Table:
    """The district comparison: each member, then 合计 (the city's own figures)."""
    units, data = {}, {}
    for mid, name in PEER_COLUMNS:
        metric = ctx.m[mid]
        units[name] = "%" if metric.is_rate else metric.unit
        data[name] = [p.metrics[mid].value for p in ctx.peers] + [metric.value]
    index = pd.Index([p.name for p in ctx.peers] + ["合计"], name="区县")
    return Table("各地主要指标对比", pd.DataFrame(data, index=index), units)


def breakdown_table(bid: str, title: str, frame: pd.DataFrame) -> Table:
    """A breakdown as a table: full-width headers, 整改率 for hazards, 合计 row."""
    frame = frame.copy()
    if bid == "flood.by_level":
        frame.index = [f"{lv}级" for lv in frame.index]
        frame.index.name = "响应级别"
    if bid.endswith("by_month"):
        frame.index = [f"{m}月" for m in frame.index]
        frame.index.name = "月份"
    frame.loc["合计"] = [as_number(x) for x in frame.sum(numeric_only=True)]
    if "发现隐患" in frame:
        found = frame["发现隐患"].astype(float)
        frame.insert(
            frame.columns.get_loc("已整改") + 1,
            "整改率",
            [r / f if f else None for r, f in zip(frame["已整改"], found, strict=True)],
        )
    renamed = {
        c: "上年同期" + c.removesuffix("(上年同期)") if c.endswith("(上年同期)") else c
        for c in frame.columns
    }
    frame = frame.rename(columns=renamed)
    units = {new: MEASURE_UNITS.get(old.split("(")[0], "") for old, new in renamed.items()}
    return Table(title, frame, units)


def major_hazard_table(ctx: Context) -> Table | None:
    """重大事故隐患 one by one (a city lists those still open): enterprise, sector, dates,
    status at the period's end."""
    h = ctx.m.cur["hazards"]
    done = ctx.m.cur.rectified_by_end()
    overdue = ctx.m.cur.overdue()
    pick = h["grade"] == "重大"
    if ctx.peers:
        pick &= ~done
    rows = h[pick].sort_values(["found_on", "id"])
    if rows.empty:
        return None
    status = ["已整改" if done[i] else "逾期未整改" if overdue[i] else "整改中" for i in rows.index]
    names = {p.code: p.name for p in ctx.peers}
    frame = pd.DataFrame(
        {
            **({"区县": [names.get(c, c) for c in rows["district"]]} if ctx.peers else {}),
            "企业名称": list(rows["enterprise"]),
            "行业领域": list(rows["sector"]),
            "发现日期": [wording.date_cn(d) for d in rows["found_on"]],
            "整改期限": [wording.date_cn(d) if pd.notna(d) else "—" for d in rows["deadline"]],
            "挂牌督办": ["是" if x else "否" for x in rows["supervised"].astype(bool)],
            "整改状态": status,
        },
        index=pd.Index(range(1, len(rows) + 1), name="序号"),
    )
    title = f"{ctx.p.as_of}未整改的重大事故隐患" if ctx.peers else "重大事故隐患整改情况"
    return Table(title, frame)
