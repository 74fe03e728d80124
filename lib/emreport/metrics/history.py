"""The same period of earlier years, for the highlights brief (metrics.highlights): which years
the store records, a few measures in each of them, and what a highlight says of them — a
streak back from the period, a record against every earlier year recorded, a first, a rank
among the city's districts.

A year is recorded when the store covers its same period (the first half, or the whole year);
a year without data is no figure, never a 0: it ends a streak, and a record or a first is
judged among the years that have a figure. A record or a first needs at least `MIN_EARLIER`
earlier years with a figure, else it is only a change on last year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emreport.data.periods import Period
from emreport.data.store import Store
from emreport.metrics.compute import BY_MEMBER
from emreport.metrics.figures import EVENT_METRICS, declared_metrics, rollup_rule
from emreport.metrics.rows import PeriodData

MIN_EARLIER = 2  # earlier years with a figure a record or a first is judged against

# the measures followed year by year, and which way is better
LOWER = (
    "accidents.count",
    "accidents.deaths",
    "accidents.major_or_above",
    "disasters.dead_missing",
)
HIGHER = (
    "hazards.rectification_rate",
    "hazards.major_rate",
    "inspections.count",
    "inspections.cases",
    "training.total",
)
MEASURES = LOWER + HIGHER
TABLES = tuple(sorted({m.split(".")[0] for m in MEASURES}))  # the tables they are made from


def _functions() -> dict[str, Callable[[PeriodData], float | None]]:
    out: dict[str, Callable] = {mid: fn for mid, _, _, fn in EVENT_METRICS}
    for mid, _, _, fn, _ in declared_metrics():
        table = mid.split(".")[0]
        # a total table without rows for a period means "not reported", not 0 (as in compute)
        out[mid] = lambda d, fn=fn, table=table: fn(d) if len(d[table]) else None
    return out


FUNCTIONS = _functions()
# every measure followed is one whose city figure is made from all the rows, not member by
# member, so one function of the rows gives a district's and a city's figure alike
assert not [m for m in MEASURES if rollup_rule(m) in BY_MEMBER]


def figure(mid: str, data: PeriodData) -> float | None:
    """One measure of the rows of a period, as `Metrics` makes it."""
    return FUNCTIONS[mid](data)


def years_recorded(store: Store, period: Period) -> list[int]:
    """The years up to the period's whose same period the store covers, oldest first."""
    years = {int(h[:4]) for h in store.halves() if h[:4].isdigit()}
    return sorted(y for y in years if y <= period.year and store.covers(Period(y, period.half)))


@dataclass(frozen=True)
class Series:
    """One measure in the same period of each year recorded (None: no figure that year, such
    as a total table not reported); the period's own year last."""

    id: str
    values: dict[int, float | None]

    @property
    def lower(self) -> bool:
        return self.id in LOWER

    @property
    def year(self) -> int:
        return max(self.values)

    @property
    def current(self) -> float | None:
        return self.values[self.year]

    def streak(self, holds: Callable[[int], bool]) -> int:
        """Years in a row, back from the period's, for which `holds(year)`; a year the store
        does not record ends it."""
        n, year = 0, self.year
        while year in self.values and self.values[year] is not None and holds(year):
            n += 1
            year -= 1
        return n

    def zero_streak(self) -> int:
        """Years in a row, back from the period's, with a figure of 0."""
        return self.streak(lambda y: self.values[y] == 0)

    def earlier(self) -> dict[int, float]:
        return {y: v for y, v in self.values.items() if y != self.year and v is not None}

    def record(self) -> tuple[float, int] | None:
        """The previous best and its year (the latest, on a tie) when the period's figure is
        better than every earlier year's, among at least MIN_EARLIER of them; else None."""
        before, now = self.earlier(), self.current
        if now is None or len(before) < MIN_EARLIER:
            return None
        sign = 1 if self.lower else -1
        best = min(before.items(), key=lambda yv: (sign * yv[1], -yv[0]))
        return (best[1], best[0]) if sign * now < sign * best[1] else None

    def first_zero(self) -> bool:
        """The period's figure is 0 for the first time: every earlier year recorded (at least
        MIN_EARLIER) had one above 0."""
        before = self.earlier()
        return (
            self.current == 0 and len(before) >= MIN_EARLIER and all(v > 0 for v in before.values())
        )


def rank(values: dict[str, float | None], mine: str, lower: bool) -> int | None:
    """The place of `mine` among `values` (1 is the best; equal figures share a place);
    None when it has no figure."""
    have = {k: v for k, v in values.items() if v is not None}
    if mine not in have:
        return None
    sign = 1 if lower else -1
    return 1 + sum(1 for v in have.values() if sign * v < sign * have[mine])
