"""（一）主要指标: the main measures year by year, as a table (the base year, each year, the
total, the change against the base year, 年均) and as charts of accidents and deaths and of
hazards found and put right."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emreport.compose import charts
from emreport.compose.context import Context
from emreport.compose.document import Section, Table
from emreport.compose.sections.review import phrases as ph
from emreport.metrics import as_number, wording

KEY = "主要指标"
MAIN = (
    "accidents.count",
    "accidents.deaths",
    "accidents.major_or_above",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.major",
    "inspections.count",
    "inspections.cases",
    "inspections.fines",
    "flood.responses",
    "training.total",
    "preparedness.teams",
    "preparedness.experts",
    "preparedness.supply_items",
)


def compose(ctx: Context) -> Section | None:
    table = yearly_table(ctx, MAIN, "主要指标逐年情况")
    if table is None:
        return None
    section = Section(KEY, "主要指标完成情况", 2)
    section.para(f"{ctx.when}主要指标逐年情况如下。{explained(ctx)}")
    section.add(table)
    section.add(change_table(ctx, MAIN, f"主要指标{ctx.when}累计和变化"))
    if ctx.m.members:
        section.add(members_table(ctx, section))
    charted = (
        (
            "accidents",
            (("accidents.count", "事故起数"), ("accidents.deaths", "死亡人数")),
            "起、人",
        ),
        ("hazards", (("hazards.found", "发现隐患"), ("hazards.rectified", "已整改")), "处"),
    )
    names = {"accidents": "生产安全事故和死亡人数", "hazards": "隐患排查整改情况"}
    for table_id, measures, unit in charted:
        shown = [y for y in years(ctx) if _figure(ctx, measures[0][0], y) is not None]
        if not ctx.m.has(table_id) or not shown:
            continue
        span = f"{shown[0]}—{shown[-1]}年" if len(shown) > 1 else f"{shown[0]}年"
        section.add(
            ctx.figure(
                f"{span}{names[table_id]}",
                lambda measures=measures, unit=unit, shown=shown: _chart(
                    ctx, measures, unit, shown
                ),
            )
        )
    return section


def explained(ctx: Context, annual: bool = True) -> str:
    """How the yearly table reads: the base year, what 累计 and 年均 are, years without data."""
    bits = []
    if ctx.m.base_recorded:
        base = f"{ctx.p.base}年为基期" + (f"（{ctx.p.base_label}）" if ctx.p.name else "")
        bits.append(f"{base}，年均为较基期的年均变化（比率为年均变化的百分点）" if annual else base)
    bits.append("累计为各年之和，比率的累计为各年合计数之比，存量指标不累计")
    text = "；".join(bits) + "。"
    if ctx.m.missing:
        text += f"{'、'.join(f'{y}年' for y in ctx.m.missing)}没有数据，相应累计不计。"
    return text


def years(ctx: Context) -> list[int]:
    """The table's years: the base year (when recorded) and each year of the span."""
    return [ctx.p.base, *ctx.p.years] if ctx.m.base_recorded else list(ctx.p.years)


def _chart(ctx: Context, measures, unit: str, shown: list[int]) -> bytes:
    """Columns per year with data (a year without data is no column, never a 0)."""
    colours = (charts.THIS_YEAR, charts.RECTIFIED)
    series = [
        (name, np.array([_figure(ctx, mid, y) or 0 for y in shown], float), colour)
        for (mid, name), colour in zip(measures, colours, strict=False)
    ]
    return charts.column_chart([f"{y}年" for y in shown], series, unit, zeros=True)


def _figure(ctx: Context, mid: str, year: int) -> float | None:
    y = ctx.m.yearly(mid)
    return y.base if year == ctx.p.base else y.years.get(year)


def cell(value: float | None, rate: bool, approx: bool = False) -> float | str | None:
    """A table's figure: a rate in percent to one decimal, an approximate count with 余."""
    if value is None:
        return None
    if rate:
        return float(wording.round_half_up(value * 100, 1))
    return f"{wording.number(value)}余" if approx else as_number(value)


def _rows(ctx: Context, mids) -> list[tuple[str, object]]:
    """The measures with any figure but 0 in the table's years, with their Yearly."""
    out = []
    for mid in mids:
        if mid in ctx.m.measures:
            figures = [_figure(ctx, mid, v) for v in years(ctx)]
            if any(figures):
                out.append((mid, ctx.m.yearly(mid)))
    return out


def yearly_table(ctx: Context, mids, title: str) -> Table | None:
    """One row per measure with data: unit, the base year, each year, 累计."""
    rows = []
    for mid, y in _rows(ctx, mids):
        total = ph.get(ctx, f"{mid}.total")
        rows.append(
            (
                y.label,
                "%" if y.is_rate else y.unit,
                *(cell(_figure(ctx, mid, v), y.is_rate, y.approx) for v in years(ctx)),
                cell(total.value, y.is_rate, y.approx) if total else None,
            )
        )
    if not rows:
        return None
    columns = ["单位", *(f"{v}年" for v in years(ctx)), "累计"]
    frame = pd.DataFrame(rows, columns=["指标", *columns]).set_index("指标")
    return Table(title, frame)


def change_table(ctx: Context, mids, title: str) -> Table | None:
    """One row per measure with data: 累计, the last year against the base year, 年均."""
    if not ctx.m.base_recorded:
        return None
    rows = []
    for mid, y in _rows(ctx, mids):
        total, vs, annual = (ph.get(ctx, f"{mid}.{s}") for s in ("total", "vs_base", "annual"))
        rows.append(
            (
                y.label,
                "%" if y.is_rate else y.unit,
                cell(total.value, y.is_rate, y.approx) if total else None,
                ph.worded(vs, "yoy").removeprefix(f"较{vs.basis}") if vs else "—",
                ph.worded(annual, "points" if y.is_rate else "annual").removeprefix("年均")
                if annual
                else "—",
            )
        )
    if not rows:
        return None
    columns = ["单位", "累计", f"{ctx.p.last}年较{ctx.p.base_label}", "年均"]
    frame = pd.DataFrame(rows, columns=["指标", *columns]).set_index("指标")
    return Table(title, frame)


MEMBER_COLUMNS = (
    ("accidents.count.total", "事故起数"),
    ("accidents.deaths.total", "死亡人数"),
    ("hazards.found.total", "发现隐患"),
    ("hazards.rectification_rate.total", "整改率"),
    ("inspections.count.total", "执法检查"),
)


MEMBER_STATED = (*(mid for mid, _ in MEMBER_COLUMNS), "accidents.deaths.vs_base")


def members_table(ctx: Context, section: Section) -> Table:
    """A city's members over the years: totals, deaths against the base year, 整改率; each
    member's figures go to metrics.json (members) as the summary's comparison does."""
    members = ctx.m.members
    data, units = {}, {}
    for mid, name in MEMBER_COLUMNS:
        unit = ctx.m.yearly(mid.rsplit(".", 1)[0]).unit
        units[name] = unit
        data[name] = [r[mid].value if mid in r else None for r in [*members, ctx.m]]
    index = pd.Index([r.unit.name for r in members] + ["合计"], name="区县")
    section.stated["members"] = {
        r.unit.code: {
            "name": r.unit.name,
            "level": r.unit.level,
            "metrics": {mid: r[mid].to_json() for mid in MEMBER_STATED if mid in r},
        }
        for r in members
    }
    return Table(f"各地{ctx.when}主要指标", pd.DataFrame(data, index=index), units)
