"""The highlights brief's figures (工作亮点): every figure of the period's summary, what the
earlier years and the city's districts add to them, and the candidate highlights scored, so
that the best lead.

Highlight figures, each a `Metric` (see metrics.history for how years are recorded):

    highlights.<measure>.record           the previous best, when the period's figure beats
                                          every earlier year's (at least two of them)
    highlights.<measure>.record_year      the year of that previous best
    highlights.<measure>.since            the first year with a figure (with a record)
    highlights.<measure>.years            the years with a figure, when one between has none
                                          (with a record or a first: 有数据的五个年度中)
    highlights.<measure>.zero_streak      years in a row, to the period, with a figure of 0
    highlights.<measure>.first_zero       0 for the first time: the first year compared
                                          (measures: metrics.history.MEASURES)
    highlights.accidents.both_down_streak years in a row of fewer accidents and fewer deaths
    highlights.members.districts          a city's districts (市本级 aside)
    highlights.members.zero_deaths        of them, those without a death
    highlights.members.largest_fall       the district whose accidents fell most (its count)
    highlights.rank.<measure>             a district's place among the city's districts: the
                                          fall of accidents.count, hazards.rectification_rate
    highlights.rank.districts             how many districts the city has

The candidates and their scores are in metrics.candidates (documented in docs/kinds.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from emreport.data.periods import Period, PlanPeriod
from emreport.data.schema import BY_ID
from emreport.data.store import CITY_OWN, Store, Unit
from emreport.metrics import history, wording
from emreport.metrics.candidates import (
    BY_KEY,
    CANDIDATES,
    FIRST,
    RANKED,
    RECORD,
    RULES,
    Candidate,
    Scored,
    streak_points,
)
from emreport.metrics.compute import Figures, Metrics, _checked
from emreport.metrics.figures import Metric, metric_ids
from emreport.metrics.history import Series
from emreport.metrics.rows import PeriodData

__all__ = ["BY_KEY", "CANDIDATES", "Candidate", "Highlights", "Scored", "compute_highlights"]


@dataclass(frozen=True)
class Member:
    """A district of the city, by its accidents and (for a district's rank) 整改率."""

    code: str
    name: str
    level: str
    figures: dict[str, Metric]


class Highlights(Figures):
    """Every figure of a highlights brief for one unit and period, indexable by metric id, and
    its candidates scored (`candidates`: applicable ones by score, then the others)."""

    def __init__(
        self,
        summary: Metrics,
        series: dict[str, Series],
        members: list[Member],
        years: list[int],
    ):
        self.unit: Unit = summary.unit
        self.period: Period = summary.period
        self.prev_recorded = summary.prev_recorded
        self.tables: dict = {}  # the brief states no breakdown
        self.years = years
        self.series = series
        self.members = members
        self._has = summary._has
        self._items: dict[str, Metric] = dict(summary.items())
        self._derive()
        scored = [RULES[c.key](self) for c in CANDIDATES]
        order = {c.key: i for i, c in enumerate(CANDIDATES)}
        self.candidates: list[Scored] = sorted(
            scored, key=lambda s: (not s.applies, -s.score, order[s.key])
        )

    # --- the mapping -----------------------------------------------------------------------

    def candidate(self, key: str) -> Scored:
        return next(s for s in self.candidates if s.key == key)

    def value(self, mid: str) -> float | None:
        m = self._items.get(mid)
        return None if m is None else m.value

    @property
    def districts(self) -> list[Member]:
        return [m for m in self.members if m.level != CITY_OWN]

    @property
    def zero_death_districts(self) -> list[str]:
        """A city's districts without a death in the period, by name, in the city's order."""
        if not self.unit.is_city:
            return []
        return [m.name for m in self.districts if m.figures["accidents.deaths"].value == 0]

    def to_json(self) -> dict:
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "level": self.unit.level},
            "kind": "highlights",
            "period": self.period.code,
            "previous_period": self.period.previous_year().code,
            "years_recorded": self.years,
            "metrics": {k: m.to_json() for k, m in self._items.items()},
            "candidates": [s.to_json() for s in self.candidates],
            "zero_death_districts": self.zero_death_districts,
        }

    # --- the highlight figures -------------------------------------------------------------

    def _put(self, mid: str, label: str, unit: str, value, prev=None) -> None:
        self._items[mid] = Metric(mid, label, unit, value, prev)

    def _derive(self) -> None:
        for mid, s in self.series.items():
            base = self._items[mid]
            word = "少" if s.lower else "高" if base.is_rate else "多"
            rec = s.record()
            if rec is not None:
                self._put(
                    f"highlights.{mid}.record", f"此前最{word}的{base.label}", base.unit, rec[0]
                )
                self._put(
                    f"highlights.{mid}.record_year", f"{base.label}此前最{word}的年份", "年", rec[1]
                )
            if s.lower and s.current == 0:
                self._put(
                    f"highlights.{mid}.zero_streak",
                    f"连续无{base.label}的年数",
                    "年",
                    s.zero_streak(),
                )
                if s.first_zero():
                    since = min(s.earlier())
                    self._put(
                        f"highlights.{mid}.first_zero",
                        f"首次无{base.label}（自该年以来）",
                        "年",
                        since,
                    )
            have = [y for y, v in s.values.items() if v is not None]
            if f"highlights.{mid}.record" in self._items:
                self._put(f"highlights.{mid}.since", f"有{base.label}数据的最早年份", "年", have[0])
            if f"highlights.{mid}.record" in self._items or s.first_zero():
                if have != list(range(have[0], have[-1] + 1)):
                    self._put(
                        f"highlights.{mid}.years", f"有{base.label}数据的年数", "年", len(have)
                    )
        count, deaths = self.series["accidents.count"], self.series["accidents.deaths"]

        def both_down(y: int) -> bool:
            a, b = count.values.get(y - 1), deaths.values.get(y - 1)
            return a is not None and b is not None and count.values[y] < a and deaths.values[y] < b

        n = count.streak(lambda y: deaths.values.get(y) is not None and both_down(y))
        if n:
            self._put(
                "highlights.accidents.both_down_streak", "事故起数和死亡人数连续双降的年数", "年", n
            )
        if self.unit.is_city:
            self._city_members()
        else:
            self._ranks()

    def _city_members(self) -> None:
        districts = self.districts
        if not districts:
            return
        self._put("highlights.members.districts", "区县", "个", len(districts))
        self._put(
            "highlights.members.zero_deaths", "零死亡的区县", "个", len(self.zero_death_districts)
        )
        falls = [
            (wording.pct_change(c.value, c.prev), i, m)
            for i, m in enumerate(districts)
            if (c := m.figures["accidents.count"]).prev and c.value < c.prev
        ]
        if falls:
            _, _, m = min(falls)
            c = m.figures["accidents.count"]
            self._put(
                "highlights.members.largest_fall", f"{m.name}生产安全事故", c.unit, c.value, c.prev
            )

    def _ranks(self) -> None:
        districts = self.districts
        if not districts or self.unit.code not in {m.code for m in districts}:
            return
        self._put("highlights.rank.districts", "全市区县", "个", len(districts))
        c = self._items["accidents.count"]
        falls = {
            m.code: wording.pct_change(f.value, f.prev)
            for m in districts
            if (f := m.figures["accidents.count"]).prev
        }
        if c.prev and c.value < c.prev:
            place = history.rank(falls, self.unit.code, lower=True)
            self._put("highlights.rank.accidents.count", "事故起数降幅在全市的位次", "位", place)
        rates = {m.code: m.figures["hazards.rectification_rate"].value for m in districts}
        place = history.rank(rates, self.unit.code, lower=False)
        if place is not None:
            self._put(
                "highlights.rank.hazards.rectification_rate", "隐患整改率在全市的位次", "位", place
            )

    # --- scoring ---------------------------------------------------------------------------

    def scored(self, key: str, applies: bool, states=(), parts=None) -> Scored:
        c = BY_KEY[key]
        heading = c.title(self.unit.is_city)
        if not applies:
            return Scored(key, heading, 0.0, False)
        parts = {"weight": float(c.weight), **{k: v for k, v in (parts or {}).items() if v}}
        score = float(wording.round_half_up(sum(parts.values()), 1))
        return Scored(key, heading, score, True, tuple(dict.fromkeys(states)), parts)

    def since_ids(self, mid: str) -> list[str]:
        """What a record names as its years: the first year with a figure (2020年以来), or
        how many years have one when a year between has none."""
        gap = f"highlights.{mid}.years"
        return [gap] if gap in self._items else [f"highlights.{mid}.since"]

    def record(self, mid: str, states: list[str], parts: dict) -> None:
        if f"highlights.{mid}.record" in self._items:
            parts["record"] = RECORD
            states += [
                f"highlights.{mid}.record",
                f"highlights.{mid}.record_year",
                *self.since_ids(mid),
            ]

    def zero(self, mid: str, states: list[str], parts: dict) -> None:
        """A figure of 0 held: its streak, or the first time."""
        n = self.value(f"highlights.{mid}.zero_streak")
        if n and n >= 2:
            parts["streak"] = streak_points(n)
            states.append(f"highlights.{mid}.zero_streak")
        if f"highlights.{mid}.first_zero" in self._items:
            parts["first"] = FIRST
            states.append(f"highlights.{mid}.first_zero")
            if f"highlights.{mid}.years" in self._items:
                states.append(f"highlights.{mid}.years")
        prev = self._items[mid].prev
        if prev:
            states.append(mid)  # 上年同期N起: its year-earlier figure


# --- reading -------------------------------------------------------------------------------


def compute_highlights(store: Store, code: str, period: Period | str) -> Highlights:
    """The brief's figures for a district or a city and a half-year or year. The years
    recorded are read as one slice and cut year by year; a district's place among the city's
    districts is read from the city's accidents and hazards of the period and the year before."""
    period, recorded = _checked(store, period)
    unit = store.unit(code)
    years = history.years_recorded(store, period)
    frames = store.slice(unit, PlanPeriod(min(years[0], period.year - 1), period.year))
    city, rows = (unit, frames) if unit.is_city else _city_rows(store, unit, period)
    names = {c: (u.name, u.level) for c in (city.members if city else ()) if (u := store.unit(c))}
    return highlights(unit, frames, period, years, recorded, city, rows, names)


def highlights(
    unit: Unit,
    frames: dict,
    period: Period,
    years: list[int],
    recorded: bool,
    city: Unit | None = None,
    city_rows: dict | None = None,
    names: dict[str, tuple[str, str]] | None = None,
) -> Highlights:
    """The brief's figures from the unit's rows over the years recorded (`years`, the period's
    last); `city` and its rows (the period and the year before: accidents and hazards at least)
    with its members' names and levels give the districts' figures (a district's own city)."""
    cur, prev = PeriodData(frames, period), PeriodData(frames, period.previous_year())
    summary = Metrics(unit, cur, prev, recorded, tables=False)
    series = _series(frames, years, period, summary)
    members = []
    if city is not None and city_rows is not None:
        members = _members(city, city_rows, period, recorded, names or {})
    return Highlights(summary.release(), series, members, years)


def _series(frames: dict, years: list[int], period: Period, summary: Metrics) -> dict[str, Series]:
    few = {t: frames[t] for t in history.TABLES}
    values: dict[str, dict[int, float | None]] = {mid: {} for mid in history.MEASURES}
    for year in years[:-1]:
        data = PeriodData(few, Period(year, period.half))
        for mid in history.MEASURES:
            values[mid][year] = history.figure(mid, data)
    for mid in history.MEASURES:
        values[mid][period.year] = summary[mid].value
    return {mid: Series(mid, v) for mid, v in values.items()}


MEMBER_FIGURES = ("accidents.count", "accidents.deaths", "hazards.rectification_rate")


def _members(
    city: Unit, rows: dict, period: Period, recorded: bool, names: dict[str, tuple[str, str]]
) -> list[Member]:
    """The figures of each member of a city, split from the city's rows."""
    codes = city.members
    few = {t: rows[t] for t in ("accidents", "hazards")}
    now = PeriodData(few, period).members(codes)
    before = PeriodData(few, period.previous_year()).members(codes)
    out = []
    for code, c, p in zip(codes, now, before, strict=True):
        figures = {}
        for mid in MEMBER_FIGURES:
            label, unit_ = metric_ids()[mid]
            earlier = history.figure(mid, p) if recorded else None
            figures[mid] = Metric(mid, label, unit_, history.figure(mid, c), earlier)
        name, level = names.get(code, (code, ""))
        out.append(Member(code, name, level, figures))
    return out


def _city_rows(store: Store, unit: Unit, period: Period) -> tuple[Unit | None, dict | None]:
    """A district's city and the city's accidents and hazards of the period and the year
    before, for the district's place among the city's districts."""
    reg = store.registry()
    parent = reg.loc[reg["code"] == unit.code, "parent"]
    if parent.empty or not isinstance(parent.iloc[0], str) or not parent.iloc[0]:
        return None, None
    city = store.unit(parent.iloc[0])
    span = PlanPeriod(period.year - 1, period.year)
    return city, {t: store.read(BY_ID[t], city, span) for t in ("accidents", "hazards")}


def highlight_ids() -> list[str]:
    """Every id a highlights brief may state, for checking a narrative's placeholders before
    any work: the summary's and the highlight figures'."""
    out = [*metric_ids()]
    for mid in history.MEASURES:
        out += [f"highlights.{mid}.{x}" for x in ("record", "record_year", "since", "years")]
    for mid in history.LOWER:
        out += [f"highlights.{mid}.zero_streak", f"highlights.{mid}.first_zero"]
    out.append("highlights.accidents.both_down_streak")
    out += [f"highlights.members.{x}" for x in ("districts", "zero_deaths", "largest_fall")]
    out += [f"highlights.rank.{x}" for x in (*RANKED, "districts")]
    return out
