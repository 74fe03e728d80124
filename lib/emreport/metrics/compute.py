"""Every figure a report states, for a district or a city and a period, with the year before.

A city's figures are computed from its members' rows together, so a city total is the sum of
its parts and a city rate is computed from city totals, never averaged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from emreport.data.periods import Period
from emreport.data.store import Store, StoreError, Unit
from emreport.metrics.breakdowns import BREAKDOWNS, breakdown
from emreport.metrics.figures import EVENT_METRICS, Metric, PeriodData, declared_metrics


class Metrics(Mapping[str, Metric]):
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
        self._items: dict[str, Metric] = {}
        for mid, label, unit_, fn in EVENT_METRICS:
            earlier = fn(prev) if prev_recorded else None
            self._items[mid] = Metric(mid, label, unit_, fn(cur), earlier)
        for mid, label, unit_, fn, approx in declared_metrics():
            table = mid.split(".")[0]
            # a total or stock table without rows for a period means "not reported", not zero
            value = fn(cur) if len(cur[table]) else None
            earlier = fn(prev) if len(prev[table]) else None
            self._items[mid] = Metric(mid, label, unit_, value, earlier, approx(cur))
        self.tables = (
            {b.id: breakdown(b, cur, prev if prev_recorded else None) for b in BREAKDOWNS}
            if tables
            else {}
        )
        self._has = {tid for tid, df in cur.frames.items() if len(df)}

    def release(self) -> Metrics:
        """Let go of the rows once the figures are made: a city keeps the figures of each of
        its members, not a second copy of their records."""
        self.cur = self.prev = None  # type: ignore[assignment]
        return self

    def __getitem__(self, key: str) -> Metric:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def has(self, table_id: str) -> bool:
        """Whether the period has any rows of a table: sections without data are left out."""
        return table_id in self._has

    def to_json(self) -> dict:
        """Every figure by id, with unit and the year-earlier figure: the metrics.json body."""
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "level": self.unit.level},
            "period": self.period.code,
            "previous_period": self.period.previous_year().code,
            "metrics": {k: m.to_json() for k, m in self._items.items()},
        }


def compute(store: Store, code: str, period: Period | str) -> Metrics:
    """Metrics for a district or city code and a period such as 2025-H1 or 2025."""
    period, recorded = _checked(store, period)
    unit = store.unit(code)
    # each period read on its own: a year of records is held once, not also in a copy cut
    # from a slice of both years
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
    for code, cur, prev in zip(
        codes, city.cur.members(codes), city.prev.members(codes), strict=True
    ):
        yield Metrics(store.unit(code), cur, prev, city.prev_recorded, tables=False).release()


def _checked(store: Store, period: Period | str) -> tuple[Period, bool]:
    """The period, refused when the store has no data for it, and whether the year before
    was recorded (同比 is stated only then)."""
    period = Period.parse(period) if isinstance(period, str) else period
    if not store.covers(period):
        have = "、".join(sorted(store.halves())) or "无"
        raise StoreError(f"{period.label}没有数据（已有数据的半年：{have}）")
    return period, store.covers(period.previous_year())
