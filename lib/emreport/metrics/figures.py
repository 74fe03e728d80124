"""The figures: one `Metric` (this period and a year earlier, worded as the documents do) and
every metric's declaration — event tables aggregated here from the rows of a period
(`metrics.rows.PeriodData`), period-total and stock tables derived from their declarations in
`schema`, so a column added there is a metric here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emreport.data.schema import BY_ID, HAZARD_UNIT, TABLES
from emreport.data.vocab import RESPONSE_LEVELS
from emreport.metrics import wording
from emreport.metrics.rows import GRADES, PeriodData


@dataclass(frozen=True)
class Metric:
    """One figure: this period, the same period a year earlier, and how to write them."""

    id: str
    label: str
    unit: str
    value: float | None
    prev: float | None
    approx: bool = False
    rollup: str = "sum"  # how a city's figure is made from its members' (schema.ROLLUPS)
    others: float | None = None  # rule "own": the districts' (各地) figure beside 市本级's
    basis: str = ""  # what `prev` is, when not the year before: “十三五”末 (较“十三五”末下降…)

    @classmethod
    def from_json(cls, mid: str, d: dict) -> Metric:
        """A metric as metrics.json states it, to word it again (index page, e-mail)."""
        return cls(
            mid,
            d["label"],
            d["unit"],
            d["value"],
            d.get("previous"),
            bool(d.get("approximate")),
            d.get("rollup", "sum"),
            d.get("others"),
            str(d.get("basis") or ""),
        )

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def change(self) -> float | None:
        if self.value is None or self.prev is None:
            return None
        return self.value - self.prev

    @property
    def pct(self) -> float | None:
        """Fractional change year on year; None for a zero base (write 增加N起 instead)."""
        if self.value is None or self.prev is None or self.is_rate:
            return None
        return wording.pct_change(self.value, self.prev)

    def text(self) -> str:
        """The figure as a report writes it: 21358人, 2.74万处, 250.16万元, 98.5%."""
        if self.value is None:
            return ""
        if self.is_rate:
            return wording.percent(self.value)
        if self.unit == "万元":
            return wording.money(self.value, approx=self.approx)
        return wording.count(self.value, self.unit, approx=self.approx)

    def prev_text(self) -> str:
        """The year-earlier figure as the report writes it; "" where last year was not recorded."""
        if self.prev is None:
            return ""
        return Metric(self.id, self.label, self.unit, self.prev, None).text()

    def yoy(self) -> str:
        """同比增长/下降/持平, 同比增加N起 on a zero base, 百分点 for rates; against another
        basis than the year before, 较“十三五”末下降…"""
        if self.is_rate:
            change = wording.rate_change(self.value, self.prev)
            text = f"同比{change}" if change else ""
        elif self.value is None:
            return ""
        else:
            text = wording.yoy(self.value, self.prev, self.unit)
        return text.replace("同比", f"较{self.basis}", 1) if self.basis and text else text

    def stated(self) -> list[Metric]:
        """The figure as a list of headline figures states it. A city figure made by the
        "own" rule is the 市本级's own work, with the districts' beside it (各地): two lines,
        as the report words them, never one that reads the 市本级's figure as the city's."""
        if self.rollup != "own" or self.others is None:
            return [self]
        return [
            Metric(self.id, f"市本级{self.label}", self.unit, self.value, self.prev, self.approx),
            Metric(self.id, f"各地{self.label}", self.unit, self.others, None, self.approx),
        ]

    def to_json(self) -> dict:
        out = {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "previous": self.prev,
            "approximate": self.approx,
            "rollup": self.rollup,
        }
        if self.rollup == "own":
            out["others"] = self.others
        if self.basis:
            out["basis"] = self.basis
        return out


# --- event metrics: (id, label, unit, function of PeriodData) -----------------------------


def _count(table: str) -> Callable[[PeriodData], float]:
    return lambda d: len(d[table])


def _sum(table: str, column: str) -> Callable[[PeriodData], float]:
    return lambda d: as_number(column_sum(d[table][column]))


def column_sum(col: pd.Series) -> object:
    """A column's sum as pandas adds it (blanks as 0, floats summed by numpy as pandas does),
    without pandas' checks on each of the many small columns a city's members have."""
    if col.dtype not in _PLAIN:
        return col.sum()
    values = col.to_numpy()
    if values.dtype.kind == "f":
        values = np.where(np.isnan(values), 0.0, values)
    return values.sum(dtype=values.dtype if values.dtype.kind == "f" else np.int64)


_PLAIN = (np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.bool_))


def _where(table: str, mask: Callable[[pd.DataFrame], pd.Series]) -> Callable:
    return lambda d: int(mask(d[table]).sum())


def as_number(x: object) -> float:
    """A figure for JSON and tables: whole numbers as int, float noise rounded away."""
    x = float(x)
    return int(x) if x.is_integer() else round(x, 6)


def _rate(num: Callable, den: Callable) -> Callable[[PeriodData], float | None]:
    def f(d: PeriodData) -> float | None:
        n, m = num(d), den(d)
        return n / m if m else None

    return f


_found = _count("hazards")
_rectified = lambda d: int(d.rectified_by_end().sum())  # noqa: E731
_major_found = lambda d: int(d.major().sum())  # noqa: E731
_major_rectified = lambda d: int((d.major() & d.rectified_by_end()).sum())  # noqa: E731

EVENT_METRICS: tuple[tuple[str, str, str, Callable], ...] = (
    ("accidents.count", "生产安全事故", "起", _count("accidents")),
    ("accidents.deaths", "死亡人数", "人", _sum("accidents", "deaths")),
    ("accidents.missing", "失踪人数", "人", _sum("accidents", "missing")),
    ("accidents.serious_injuries", "重伤人数", "人", _sum("accidents", "serious_injuries")),
    ("accidents.loss", "直接经济损失", "万元", _sum("accidents", "loss")),
    (
        "accidents.major_or_above",
        "较大及以上事故",
        "起",
        lambda d: int(np.isin(d.grades(), GRADES[:3]).sum()),
    ),
    (
        "accidents.grave",
        "重特大事故",
        "起",
        lambda d: int(np.isin(d.grades(), GRADES[:2]).sum()),
    ),
    ("hazards.found", "发现隐患", HAZARD_UNIT, _found),
    ("hazards.rectified", "已整改隐患", HAZARD_UNIT, _rectified),
    ("hazards.rectification_rate", "隐患整改率", "%", _rate(_rectified, _found)),
    ("hazards.open", "未整改隐患", HAZARD_UNIT, lambda d: _found(d) - _rectified(d)),
    ("hazards.overdue", "逾期未整改隐患", HAZARD_UNIT, lambda d: int(d.overdue().sum())),
    ("hazards.major", "重大隐患", HAZARD_UNIT, _major_found),
    ("hazards.major_rectified", "重大隐患已整改销号", HAZARD_UNIT, _major_rectified),
    ("hazards.major_rate", "重大隐患整改率", "%", _rate(_major_rectified, _major_found)),
    (
        "hazards.major_supervised",
        "重大隐患挂牌督办",
        HAZARD_UNIT,
        lambda d: int((d.major() & d["hazards"]["supervised"].astype(bool)).sum()),
    ),
    (
        "hazards.major_overdue",
        "重大隐患逾期未整改",
        HAZARD_UNIT,
        lambda d: int((d.major() & d.overdue()).sum()),
    ),
    ("hazards.enterprises", "涉及企业", "家", lambda d: int(d["hazards"]["enterprise"].nunique())),
    ("inspections.count", "执法检查", "家次", _count("inspections")),
    ("inspections.inspectors", "出动执法人员", "人次", _sum("inspections", "inspectors")),
    (
        "inspections.units",
        "检查单位",
        "家",
        lambda d: int(d["inspections"]["enterprise"].nunique()),
    ),
    ("inspections.problems", "发现问题隐患", "处", _sum("inspections", "problems")),
    ("inspections.cases", "立案", "起", _where("inspections", lambda i: i["case_filed"])),
    ("inspections.fines", "罚款金额", "万元", _sum("inspections", "fine")),
    (
        "inspections.fines_accident",
        "事故罚款",
        "万元",
        lambda d: as_number(
            d["inspections"].loc[lambda i: i["penalty_type"] == "事故处罚", "fine"].sum()
        ),
    ),
    (
        "inspections.fines_other",
        "非事故罚款",
        "万元",
        lambda d: as_number(
            d["inspections"].loc[lambda i: i["penalty_type"] != "事故处罚", "fine"].sum()
        ),
    ),
    (
        "inspections.suspended",
        "停产停业整顿",
        "家",
        _where("inspections", lambda i: i["suspended"]),
    ),
    ("inspections.closed", "关闭取缔", "家", _where("inspections", lambda i: i["closed"])),
    ("inspections.police", "移送公安", "起", _where("inspections", lambda i: i["police"])),
    ("inspections.police_persons", "移送公安人数", "人", _sum("inspections", "police_persons")),
    (
        "inspections.reviews",
        "行政复议和诉讼",
        "起",
        _where("inspections", lambda i: i["review"].eq(True) | i["litigation"].eq(True)),
    ),
    (
        # blank 行政复议/行政诉讼 cells are 未填报: nothing is said of them (schema)
        "inspections.reviews_unreported",
        "复议诉讼未填报的立案",
        "起",
        _where(
            "inspections",
            lambda i: i["case_filed"] & (i["review"].isna() | i["litigation"].isna()),
        ),
    ),
    ("flood.responses", "防汛防台应急响应", "次", _count("flood_responses")),
    *(
        (
            f"flood.responses_l{n}",
            f"{lv}级应急响应",
            "次",
            _where("flood_responses", lambda f, lv=lv: f["level"] == lv),
        )
        for n, lv in enumerate(RESPONSE_LEVELS, 1)
    ),
    ("flood.teams", "出动队伍", "支", _sum("flood_responses", "teams")),
    ("flood.personnel", "出动人员", "人次", _sum("flood_responses", "personnel")),
    ("flood.vehicles", "出动车辆", "辆次", _sum("flood_responses", "vehicles")),
    ("flood.pumps", "出动水泵", "台次", _sum("flood_responses", "pumps")),
    ("flood.relocated", "转移人员", "人", _sum("flood_responses", "relocated")),
    ("flood.incidents", "处置险情", "处", _sum("flood_responses", "incidents")),
)


def declared_metrics() -> Iterator[tuple[str, str, str, Callable, Callable]]:
    """Metrics of period-total and stock tables: the sum of each numeric column."""
    for table in TABLES:
        if table.kind not in ("total", "stock"):
            continue
        if table.id == "campaigns":
            yield (
                "campaigns.count",
                "专项整治行动",
                "项",
                lambda d: int(d["campaigns"]["campaign"].nunique()),
                lambda d: False,
            )
        for col in table.columns:
            if col.numeric:
                yield (
                    f"{table.id}.{col.id}",
                    col.name,
                    col.unit,
                    _sum(table.id, col.id),
                    _approx(table.id, col.id),
                )
    yield (
        "training.pass_rate",
        "考试合格率",
        "%",
        _rate(_sum("training", "passed"), _sum("training", "exams")),
        lambda d: False,
    )


def _approx(table: str, column: str) -> Callable[[PeriodData], bool]:
    return lambda d: column in d.approx_columns(table)


# event metrics that count a table's records: a city counts them by that table's rule
RECORD_COUNTS = {
    "flood.responses": "flood_responses",
    **{f"flood.responses_l{n}": "flood_responses" for n in range(1, len(RESPONSE_LEVELS) + 1)},
}


def rollup_rule(mid: str) -> str:
    """How a city's figure of a metric is made from its members' (schema.ROLLUPS): declared
    in the schema, by a column or by the table whose records a metric counts."""
    if mid in RECORD_COUNTS:
        return BY_ID[RECORD_COUNTS[mid]].rollup
    table, _, column = mid.partition(".")
    t = BY_ID.get(table)
    if t is not None and t.kind in ("total", "stock") and column in {c.id for c in t.columns}:
        return t.rule(column)
    return "latest" if t is not None and t.kind == "stock" else "sum"


def metric_ids() -> dict[str, tuple[str, str]]:
    """Every metric id with its label and unit, without computing anything: placeholders and
    the data-model documentation are checked against this list."""
    out = {mid: (label, unit) for mid, label, unit, _ in EVENT_METRICS}
    out.update({mid: (label, unit) for mid, label, unit, _, _ in declared_metrics()})
    return out
