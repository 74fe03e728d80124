"""The figures of a plan-period review (“十四五”工作总结): every measure year by year, and what
a review states of them — the total over the years, the change against the base year (the
year before the first, “十三五”末), the average yearly change (年均), the best and worst year,
and streaks (连续N年未发生较大及以上事故).

Each is a `Metric` with an id of its own, so the text, the tables and metrics.json agree:

    accidents.deaths.2023     the year's figure (previous: the year before, when recorded)
    accidents.deaths.total    the years' total (flows only; left out when a year has no data)
    accidents.deaths.vs_base  the last year's figure against the base year's (previous; its
                              `basis` names the base: 较“十三五”末下降30.2%)
    accidents.deaths.annual   年均 change, compound: (last ÷ base)^(1 ÷ years) − 1;
                              for a rate, the mean yearly change in percentage points
    accidents.deaths.best     the year of the best figure (fewest accidents, highest 整改率)
    accidents.deaths.worst    the year of the worst
    accidents.deaths.falls    years in a row, to the last, of a figure lower than the year before
    accidents.deaths.zero     years in a row, to the last, with a figure of 0

A year without data is no figure at all: never a 0. A total is stated only when every year has
data; a comparison only when both its years have data; best and worst among the years that
have data (two at least); a streak stops at a year without data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from emreport.data.periods import Period, PlanPeriod
from emreport.data.store import Store, StoreError, Unit
from emreport.metrics.compute import Figures, Metrics
from emreport.metrics.figures import Metric, as_number, metric_ids
from emreport.metrics.rows import PeriodData
from emreport.metrics.wording import round_half_up

# rates made from two totals: a rate over the years is made from the years' totals
RATE_PARTS = {
    "hazards.rectification_rate": ("hazards.rectified", "hazards.found"),
    "hazards.major_rate": ("hazards.major_rectified", "hazards.major"),
    "training.pass_rate": ("training.passed", "training.exams"),
}
# which way is better, for best/worst years and streaks: fewer accidents, a higher 整改率
LOWER_BETTER = {
    "accidents.count",
    "accidents.deaths",
    "accidents.missing",
    "accidents.serious_injuries",
    "accidents.loss",
    "accidents.major_or_above",
    "accidents.grave",
    "hazards.open",
    "hazards.overdue",
    "hazards.major_overdue",
    "disasters.dead_missing",
    "disasters.loss",
}
HIGHER_BETTER = set(RATE_PARTS)
# figures a total over the years would not mean anything for: states at a year's end,
# distinct counts (the same enterprise in two years is one), a mean of the districts'
NO_TOTAL = {
    "hazards.open",
    "hazards.overdue",
    "hazards.major_overdue",
    "hazards.enterprises",
    "inspections.units",
    "flood_work.rainfall",
}
DERIVED = ("total", "vs_base", "annual", "best", "worst", "falls", "zero")


def _is_stock(m: Metric) -> bool:
    return m.rollup == "latest" or m.id.startswith("preparedness.")


@dataclass(frozen=True)
class Yearly:
    """One measure over the years: its figure each year (None: no data), the base year's."""

    id: str
    label: str
    unit: str
    base: float | None
    years: dict[int, float | None]
    rollup: str
    approx: bool
    others: dict[int, float | None] | None = None  # rule "own": the districts' beside 市本级's

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def last(self) -> float | None:
        return self.years[max(self.years)]

    def total(self) -> float | None:
        """The years' sum, only when every year has data (never a total that misses one)."""
        values = list(self.years.values())
        if any(v is None for v in values):
            return None
        return as_number(sum(values))

    def annual(self, span: int) -> float | None:
        """年均 change over `span` years from the base year to the last: compound for a
        count, (last − base) ÷ span (a fraction, printed as 百分点) for a rate. None when
        either year has no data, or a count's base is 0 (a rise from nothing has no rate)."""
        base, last = self.base, self.last
        if base is None or last is None or span <= 0:
            return None
        if self.is_rate:
            return (last - base) / span
        if base <= 0 or last <= 0:  # from or to nothing: no compound rate
            return None
        return (last / base) ** (1 / span) - 1

    def ranked(self) -> list[int]:
        """The years with data, best first (ties: the later year first); [] without a
        direction or with fewer than two years."""
        have = [y for y, v in self.years.items() if v is not None]
        if len(have) < 2 or not (self.id in LOWER_BETTER or self.id in HIGHER_BETTER):
            return []
        sign = 1 if self.id in LOWER_BETTER else -1
        return sorted(have, key=lambda y: (sign * self.years[y], -y))

    def streak(self, holds) -> int | None:
        """Years in a row, back from the last, for which `holds(value, year)`; a year without
        data ends it. None when the last year has no data."""
        years = sorted(self.years, reverse=True)
        if self.years[years[0]] is None:
            return None
        n = 0
        for y in years:
            v = self.years[y]
            if v is None or not holds(v, y):
                break
            n += 1
        return n

    def others_total(self) -> float | None:
        """The districts' total beside a 市本级's own figure (rule "own"), as `total`."""
        if self.others is None or any(v is None for v in self.others.values()):
            return None
        return as_number(sum(self.others.values()))

    def before(self, year: int) -> float | None:
        return self.base if year == min(self.years) else self.years.get(year - 1)


class Review(Figures):
    """Every figure of a review for one unit and plan period, indexable by metric id."""

    def __init__(
        self, unit: Unit, period: PlanPeriod, years: dict[int, Metrics | None], base: Metrics | None
    ):
        self.unit, self.period = unit, period
        self.missing = [y for y, m in years.items() if m is None]
        self.base_recorded = base is not None
        self.measures: dict[str, Yearly] = {}
        self.tables: dict = {}  # no breakdowns: the yearly figures are metrics
        self.members: list[Review] = []  # a city's: each member's review
        have = [m for m in years.values() if m is not None]
        self._has = set().union(*(m._has for m in have)) if have else set()
        self._items: dict[str, Metric] = {}
        template = have[0]
        for mid in metric_ids():
            one = template[mid]
            values = {y: (m[mid].value if m is not None else None) for y, m in years.items()}
            yearly = Yearly(
                mid,
                one.label,
                one.unit,
                base[mid].value if base is not None else None,
                values,
                one.rollup,
                any(m[mid].approx for m in have),
                {y: (m[mid].others if m is not None else None) for y, m in years.items()}
                if one.rollup == "own" and unit.is_city
                else None,
            )
            self.measures[mid] = yearly
            self._add(yearly, years)

    def _add(self, y: Yearly, years: dict[int, Metrics | None]) -> None:
        p = self.period
        items = self._items

        def put(suffix, label, unit, value, prev=None, approx=False, others=None, basis=""):
            mid = f"{y.id}.{suffix}"
            items[mid] = Metric(mid, label, unit, value, prev, approx, y.rollup, others, basis)

        if y.base is not None:
            put(str(p.base), f"{p.base}年{y.label}", y.unit, y.base, None, y.approx)
        for year, value in y.years.items():
            others = y.others.get(year) if y.others else None
            put(str(year), f"{year}年{y.label}", y.unit, value, y.before(year), y.approx, others)
        total = None if (y.is_rate or _is_stock(y) or y.id in NO_TOTAL) else y.total()
        if y.id in RATE_PARTS:
            total = self._rate_over_years(*RATE_PARTS[y.id])
        if total is not None:
            label = f"{p.label}{'期间' if y.is_rate else '累计'}{y.label}"
            put("total", label, y.unit, total, None, y.approx, y.others_total())
        if y.last is not None and y.base is not None:
            label = f"{y.label}较{p.base_label}"
            put("vs_base", label, y.unit, y.last, y.base, y.approx, basis=p.base_label)
        annual = y.annual(p.last - p.base)
        if annual is not None:
            put("annual", f"{y.label}年均变化", "%", annual)
        ranked = y.ranked()
        if ranked:
            low = y.id in LOWER_BETTER
            put("best", f"{y.label}最{'少' if low else '高'}的年份", "年", ranked[0])
            put("worst", f"{y.label}最{'多' if low else '低'}的年份", "年", ranked[-1])
        if y.id in LOWER_BETTER:
            falls = y.streak(lambda v, year: (b := y.before(year)) is not None and v < b)
            zero = y.streak(lambda v, year: v == 0)
            if falls is not None:
                put("falls", f"{y.label}连续下降的年数", "年", falls)
            if zero is not None:
                put("zero", f"连续无{y.label}的年数", "年", zero)

    def _rate_over_years(self, num: str, den: str) -> float | None:
        """A rate over the years from the years' totals (never a mean of the yearly rates)."""
        top, bottom = self.measures[num].total(), self.measures[den].total()
        if top is None or not bottom:
            return None
        return float(round_half_up(top / bottom, 6))

    def yearly(self, mid: str) -> Yearly:
        return self.measures[mid]

    def to_json(self) -> dict:
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "level": self.unit.level},
            "kind": "review",
            "period": self.period.code,
            "base_year": self.period.base,
            "base_year_recorded": self.base_recorded,
            "years_without_data": self.missing,
            "metrics": {k: m.to_json() for k, m in self._items.items()},
        }


def missing_years(store: Store, period: PlanPeriod) -> list[int]:
    """The years of the period (the base year included) the store has no data for."""
    return [y for y in (period.base, *period.years) if not store.covers(Period(y, None))]


def compute_review(store: Store, code: str, period: PlanPeriod | str) -> Review:
    """The review's figures for a district or city over a plan period (十四五, 2021-2025).
    The span is read once and cut year by year; the base year is read beside it."""
    period = PlanPeriod.parse(period) if isinstance(period, str) else period
    unit = store.unit(code)
    missing = set(missing_years(store, period))
    if all(y in missing for y in period.years):
        have = "、".join(sorted(store.halves())) or "无"
        raise StoreError(f"{period.label}（{period.code}）各年都没有数据（已有数据的半年：{have}）")
    frames = store.slice(unit, period)
    data: dict[int, PeriodData | None] = {
        p.year: None if p.year in missing else PeriodData(frames, p) for p in period.periods
    }
    if period.base not in missing:
        b = Period(period.base, None)
        data[period.base] = PeriodData(store.slice(unit, b), b)
    review = _review(unit, period, data)
    if unit.is_city:  # each member's review, from the city's rows split once a year
        split = {
            y: (None if d is None else list(d.members(unit.members, held=True)))
            for y, d in data.items()
        }
        for i, code in enumerate(unit.members):
            mine = {y: (None if d is None else d[i]) for y, d in split.items()}
            review.members.append(_review(store.unit(code), period, mine))
    return review


def _review(unit: Unit, period: PlanPeriod, data: dict[int, PeriodData | None]) -> Review:
    """A review from each year's rows (the base year's under its own year, if recorded)."""

    def figures(d: PeriodData | None) -> Metrics | None:
        if d is None:
            return None
        return Metrics(unit, d, d, prev_recorded=False, tables=False).release()

    years = {y: figures(data.get(y)) for y in period.years}
    return Review(unit, period, years, figures(data.get(period.base)))


def annual_text(m: Metric, rate: bool = False) -> str:
    """年均下降5.2%, 年均增长3.0%, 年均提高0.4个百分点 (a rate's, whose figure is a fraction of
    points); "" when not stated."""
    if m.value is None or not math.isfinite(m.value):
        return ""
    from emreport.metrics import wording

    if rate:
        return "年均" + wording.rate_change(m.value, 0.0)
    shown = round_half_up(abs(m.value) * 100, 1)
    if shown == 0:
        return "年均基本持平"
    return f"年均{'增长' if m.value > 0 else '下降'}{wording.number(float(shown), 1)}%"


def review_ids(period: PlanPeriod) -> list[str]:
    """Every id a review over the period may state, for checking a narrative's placeholders
    before any work: each measure's years (the base year's too) and what is derived from them."""
    out = []
    for mid in metric_ids():
        out += [f"{mid}.{y}" for y in (period.base, *period.years)]
        out += [f"{mid}.{d}" for d in DERIVED]
    return out
