"""Every figure a report states, for a district or a city and a period, with the year before.

A city's figures are computed from its members' rows together, so a city total is the sum of
its parts and a city rate is computed from city totals, never averaged. A measure whose schema
declares another roll-up rule (`schema.ROLLUPS`) is made for a city by that rule from each
member's own figure: the districts' mean (rainfall), the 市本级's own (its consultations, with
the districts' sum beside it as 各地), the largest member's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from emreport.data.periods import Period
from emreport.data.store import Store, StoreError, Unit
from emreport.metrics.breakdowns import BREAKDOWNS, breakdown
from emreport.metrics.figures import (
    EVENT_METRICS,
    RECORD_COUNTS,
    Metric,
    as_number,
    declared_metrics,
    rollup_rule,
)
from emreport.metrics.rows import PeriodData
from emreport.metrics.wording import round_half_up

BY_MEMBER = ("own", "mean", "max")  # rules made from each member's figure, not from all rows


class Figures(Mapping[str, Metric]):
    """A report's figures by metric id, whatever its kind (a period's Metrics, a review's, a
    highlights brief's): the subclass fills `_items` and `_has` (the tables with rows)."""

    _items: dict[str, Metric]
    _has: set[str]

    def __getitem__(self, key: str) -> Metric:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def has(self, table_id: str) -> bool:
        """Whether the report's data has any rows of a table: sections without are left out."""
        return table_id in self._has


class Metrics(Figures):
    """All figures for one unit and period; indexable by metric id."""

    def __init__(
        self,
        unit: Unit,
        cur: PeriodData,
        prev: PeriodData,
        prev_recorded: bool = True,
        tables: bool = True,
    ):
        """From the rows of the period and of the same period a year earlier; `tables=False`
        leaves the breakdown tables out (a city's members are compared by their figures)."""
        self.unit = unit
        self.period = cur.period
        self.prev_recorded = prev_recorded
        self.cur, self.prev = cur, prev
        # the breakdowns first: their passes over a city's rows are made before its members'
        # rows are split off (a second copy of them, kept for compute_members)
        self.tables = (
            {b.id: breakdown(b, cur, prev if prev_recorded else None) for b in BREAKDOWNS}
            if tables
            else {}
        )
        self._items: dict[str, Metric] = {}
        parts = _Parts(unit, cur, prev if prev_recorded else None)
        for mid, label, unit_, fn in EVENT_METRICS:
            rule = rollup_rule(mid)
            if parts.by_member(rule):
                table = RECORD_COUNTS.get(mid, mid.split(".")[0])
                value, earlier, others = parts.rolled(rule, fn, table, event=True)
            else:
                value, earlier, others = fn(cur), fn(prev) if prev_recorded else None, None
            self._items[mid] = Metric(mid, label, unit_, value, earlier, False, rule, others)
        for mid, label, unit_, fn, approx in declared_metrics():
            table, rule = mid.split(".")[0], rollup_rule(mid)
            if parts.by_member(rule):
                value, earlier, others = parts.rolled(rule, fn, table)
                shown = [d for c, d in parts.cur.items() if rule != "own" or c == unit.own]
                marked = any(approx(d) for d in shown if len(d[table]))
            else:
                # a total or stock table without rows for a period means "not reported", not 0
                value = fn(cur) if len(cur[table]) else None
                earlier = fn(prev) if len(prev[table]) else None
                others, marked = None, approx(cur)
            self._items[mid] = Metric(mid, label, unit_, value, earlier, marked, rule, others)
        self._has = {tid for tid, df in cur.frames.items() if len(df)}
        # a summary's members are computed next (compute_members), from the same split rows
        self._split = parts.split if tables else None

    def release(self) -> Metrics:
        """Let go of the rows once the figures are made: a city keeps the figures of each of
        its members, not a second copy of their records."""
        self.cur = self.prev = None  # type: ignore[assignment]
        self._split = None
        return self

    def to_json(self) -> dict:
        """Every figure by id, with unit and the year-earlier figure: the metrics.json body."""
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "level": self.unit.level},
            "period": self.period.code,
            "previous_period": self.period.previous_year().code,
            "metrics": {k: m.to_json() for k, m in self._items.items()},
        }


class _Parts:
    """A city's rows split by member, made only when a rule needs each member's figure."""

    def __init__(self, unit: Unit, cur: PeriodData, prev: PeriodData | None):
        self.unit, self._cur, self._prev = unit, cur, prev
        self._split: tuple[dict, dict | None] | None = None

    @property
    def split(self) -> tuple[dict, dict | None] | None:
        """The rows of each member, this period and (where recorded) last year, if split."""
        return self._split

    def by_member(self, rule: str) -> bool:
        return self.unit.is_city and rule in BY_MEMBER

    @property
    def cur(self) -> dict[str, PeriodData]:
        return self._members()[0]

    def _members(self) -> tuple[dict, dict | None]:
        if self._split is None:
            codes = self.unit.members
            cur = dict(zip(codes, self._cur.members(codes, held=True), strict=True))
            prev = (
                None
                if self._prev is None
                else dict(zip(codes, self._prev.members(codes, held=True), strict=True))
            )
            self._split = cur, prev
        return self._split

    def rolled(
        self, rule: str, fn, table: str, event: bool = False
    ) -> tuple[float | None, float | None, float | None]:
        """This period's and last year's figure by the rule, and (rule "own") the districts'
        sum beside the 市本级's."""
        cur, prev = self._members()
        value, others = self._one(rule, fn, table, cur, event)
        earlier = None if prev is None else self._one(rule, fn, table, prev, event)[0]
        return value, earlier, others if rule == "own" else None

    def _one(self, rule: str, fn, table: str, parts: dict, event: bool):
        own = self.unit.own
        # a member without rows of a total table did not report it: it takes no part
        figures = {c: fn(d) for c, d in parts.items() if event or len(d[table])}
        districts = [v for c, v in figures.items() if c != own]
        if rule == "own":
            mine = figures.get(own) if own else None
            return mine, as_number(sum(districts)) if districts else None
        if rule == "mean":
            # to one decimal, half up: rainfall is written to 0.1 mm
            mean = sum(districts) / len(districts) if districts else None
            return (None if mean is None else as_number(round_half_up(mean, 1))), None
        return (max(figures.values()) if figures else None), None


def compute(store: Store, code: str, period: Period | str) -> Metrics:
    """Metrics for a district or city code and a period such as 2025-H1 or 2025."""
    period, recorded = _checked(store, period)
    unit = store.unit(code)
    # each period read on its own: a year of records is held once, not also in a copy cut
    # from a slice of both years (read in one query, a district's two periods saved no time
    # to speak of and held both years' records a second time while they were parted)
    before = period.previous_year()
    return Metrics(
        unit,
        PeriodData(store.slice(unit, period), period),
        PeriodData(store.slice(unit, before), before),
        recorded,
    )


def compute_members(store: Store, city: Metrics) -> Iterator[Metrics]:
    """The figures of each member of a city, in the order of its members, from the rows the
    city's own figures were made from: the records are read and cut once, not once more per
    member. Each member keeps its figures, not its rows."""
    codes = city.unit.members
    split, city._split = city._split, None  # taken once: the rows go with each member
    now, before = split if split is not None else (None, None)
    cur = (now[c] for c in codes) if now is not None else city.cur.members(codes)
    prev = (before[c] for c in codes) if before is not None else city.prev.members(codes)
    for code, c, p in zip(codes, cur, prev, strict=True):
        if now is not None:
            now.pop(code)
        if before is not None:
            before.pop(code)
        yield Metrics(store.unit(code), c, p, city.prev_recorded, tables=False).release()


def _checked(store: Store, period: Period | str) -> tuple[Period, bool]:
    """The period, refused when the store has no data for it, and whether the year before
    was recorded (同比 is stated only then)."""
    period = Period.parse(period) if isinstance(period, str) else period
    if not store.covers(period):
        have = "、".join(sorted(store.halves())) or "无"
        raise StoreError(f"{period.label}没有数据（已有数据的半年：{have}）")
    return period, store.covers(period.previous_year())
