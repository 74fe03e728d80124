"""The highlights brief's figures (工作亮点): every figure of the period's summary, what the
earlier years and the city's districts add to them, and the candidate highlights scored, so
that the best lead.

Highlight figures, each a `Metric` (see metrics.history for how years are recorded):

    highlights.since                      the first year recorded (the same period of it)
    highlights.years                      how many years are recorded, the period's included
    highlights.<measure>.record           the previous best, when the period's figure beats
                                          every earlier year's (at least two of them)
    highlights.<measure>.record_year      the year of that previous best
    highlights.<measure>.zero_streak      years in a row, to the period, with a figure of 0
    highlights.<measure>.first_zero       0 for the first time: the first year compared
    highlights.accidents.both_down_streak years in a row of fewer accidents and fewer deaths
    highlights.members.districts          a city's districts (市本级 aside)
    highlights.members.zero_deaths        of them, those without a death
    highlights.members.largest_fall       the district whose accidents fell most (its count)
    highlights.rank.<measure>             a district's place among the city's districts: the
                                          fall of accidents.count, hazards.rectification_rate
    highlights.rank.districts             how many districts the city has

The score of a candidate is its weight plus the evidence, in points (docs/kinds.md):

    score = weight + change + record + first + streak + rank + share

- weight: how much the documents make of the kind of highlight (CANDIDATES: 40 for 双降 …
  10 for work grown);
- change: the size of the improvement: a count's fall (accidents) or rise (work done, stocks)
  in percent as the text writes it, a rate's rise 10 points per percentage point; at most 50;
  nothing from a base of 0 (no percentage from nothing);
- record: 30 when the figure beats every earlier year recorded (at least two); first: 30 when
  it is 0 for the first time (a year without a 较大 accident after years with one);
- streak: 10 a year for a streak of two years or more (连续N年), at most 50;
- rank: 30, 20, 10 for a district first, second, third among the city's districts (in the top
  half of them); share: for a city, 50 × the share of its districts without a death.

A candidate applies only when the data bear it out (both counts down; no 较大 accident; a
rate up; work up by 5% at least ...); those that do not are kept with `applies` false, scored 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from emreport.data.periods import Period, PlanPeriod
from emreport.data.schema import BY_ID
from emreport.data.store import CITY_OWN, Store, Unit
from emreport.metrics import history, wording
from emreport.metrics.compute import Metrics, _checked
from emreport.metrics.figures import Metric, PeriodData, metric_ids
from emreport.metrics.history import Series

CAP = 50  # the most a change or a streak adds
RECORD = FIRST = 30
STREAK = 10  # a year, from two years in a row
RANK = {1: 30, 2: 20, 3: 10}
SHARE = 50
GROWTH_MIN = 5.0  # work grown: a rise of 5% at least
GROWTH_STATED = 2  # of the work grown, the figures a paragraph states


@dataclass(frozen=True)
class Candidate:
    """One kind of highlight: its name in a narrative file (## 事故双降), its heading (a
    district's where it differs), and its weight in the score."""

    key: str
    heading: str
    weight: int
    district_heading: str = ""

    def title(self, city: bool) -> str:
        return self.heading if city or not self.district_heading else self.district_heading


CANDIDATES = (
    Candidate("事故双降", "“稳”字当头，事故起数和死亡人数实现双下降", 40),
    Candidate("无较大事故", "守牢底线，未发生较大及以上生产安全事故", 30),
    Candidate(
        "零死亡",
        "压实责任，多地实现生产安全事故零死亡",
        30,
        "压实责任，实现生产安全事故零死亡",
    ),
    Candidate("隐患整改", "“实”字打底，隐患排查整改取得新突破", 20),
    Candidate("重大隐患", "盯紧重大隐患，重大事故隐患动态清零", 20),
    Candidate("执法检查", "“严”字立威，监管执法力度持续加大", 10),
    Candidate("宣传培训", "“广”字发力，安全宣传培训覆盖面持续扩大", 10),
    Candidate("应急保障", "“强”字筑基，应急保障能力稳步提升", 10),
    Candidate("防汛防台", "“早”字先行，防汛防台实现人员零死亡", 20),
    Candidate("排名", "争先进位，主要指标位居全市前列", 20),
)
BY_KEY = {c.key: c for c in CANDIDATES}

# work grown: the measures each candidate compares, the first also judged for a record
GROWTH = {
    "执法检查": ("inspections.count", "inspections.cases", "inspections.fines"),
    "宣传培训": ("training.total", "training.exams", "publicity.events", "publicity.materials"),
    "应急保障": (
        "preparedness.teams",
        "preparedness.team_members",
        "preparedness.experts",
        "preparedness.supply_items",
        "preparedness.shelters",
    ),
}
FLOOD = ("flood.personnel", "flood.relocated", "flood.incidents", "disasters.evacuated")
RANKED = ("accidents.count", "hazards.rectification_rate")


@dataclass(frozen=True)
class Scored:
    """One candidate for this unit and period: its score and the terms that make it, whether
    the data bear it out, and the metric ids its paragraph states."""

    key: str
    heading: str
    score: float
    applies: bool
    states: tuple[str, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "heading": self.heading,
            "score": self.score,
            "applies": self.applies,
            "states": list(self.states),
            "parts": dict(self.parts),
        }


@dataclass(frozen=True)
class Member:
    """A district of the city, by its accidents and (for a district's rank) 整改率."""

    code: str
    name: str
    level: str
    figures: dict[str, Metric]


def points(m: Metric | None, lower: bool) -> float:
    """The size of an improvement in points: a count's fall (`lower`) or rise in percent as
    the text writes it (one decimal), a rate's rise 10 a percentage point; 0 to CAP, and 0
    without a base or from a base of 0."""
    if m is None or m.value is None or m.prev is None:
        return 0.0
    if m.is_rate:
        gain = float(wording.round_half_up((m.value - m.prev) * 100, 1)) * 10
    elif m.prev == 0:
        return 0.0
    else:
        gain = float(wording.round_half_up((m.value - m.prev) / m.prev * 100, 1))
        gain = -gain if lower else gain
    return max(0.0, min(float(CAP), gain))


def streak_points(n: float | None) -> float:
    return float(min(CAP, STREAK * n)) if n and n >= 2 else 0.0


class Highlights(Mapping[str, Metric]):
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

    def __getitem__(self, key: str) -> Metric:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def has(self, table_id: str) -> bool:
        return table_id in self._has

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

    @property
    def contiguous(self) -> bool:
        """Every year from the first recorded to the period's is recorded."""
        return self.years == list(range(self.years[0], self.years[-1] + 1))

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
        self._put("highlights.since", "有数据的最早年份", "年", self.years[0])
        self._put("highlights.years", "有数据的年数", "年", len(self.years))
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

    def since_ids(self) -> list[str]:
        """What a record or a first names as its years: the first year (2020年以来), or how
        many years there are when one is missing between."""
        return ["highlights.since"] if self.contiguous else ["highlights.years"]

    def record(self, mid: str, states: list[str], parts: dict) -> None:
        if f"highlights.{mid}.record" in self._items:
            parts["record"] = RECORD
            states += [
                f"highlights.{mid}.record",
                f"highlights.{mid}.record_year",
                *self.since_ids(),
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
            if not self.contiguous:
                states.append("highlights.years")
        prev = self._items[mid].prev
        if prev:
            states.append(mid)  # 上年同期N起: its year-earlier figure


def _both_down(h: Highlights) -> Scored:
    c, d = h["accidents.count"], h["accidents.deaths"]
    if not (c.prev and d.prev and c.value < c.prev and d.value < d.prev):
        return h.scored("事故双降", False)
    states = ["accidents.count", "accidents.deaths"]
    parts = {"change": float(wording.round_half_up((points(c, True) + points(d, True)) / 2, 1))}
    h.record("accidents.count", states, parts)
    n = h.value("highlights.accidents.both_down_streak")
    if n and n >= 2:
        parts["streak"] = streak_points(n)
        states.append("highlights.accidents.both_down_streak")
    if "highlights.members.largest_fall" in h:
        states.append("highlights.members.largest_fall")
    return h.scored("事故双降", True, states, parts)


def _no_major(h: Highlights) -> Scored:
    mid = "accidents.major_or_above"
    if h[mid].value != 0:
        return h.scored("无较大事故", False)
    states: list[str] = []
    parts: dict = {}
    h.zero(mid, states, parts)
    return h.scored("无较大事故", True, states, parts)


def _zero_deaths(h: Highlights) -> Scored:
    mid = "accidents.deaths"
    states: list[str] = []
    parts: dict = {}
    whole = h[mid].value == 0
    if whole:
        h.zero(mid, states, parts)
    if h.unit.is_city:
        n, k = h.value("highlights.members.districts"), h.value("highlights.members.zero_deaths")
        if n and k and (k >= 2 or whole):
            parts["share"] = float(wording.round_half_up(SHARE * k / n, 1))
            states += ["highlights.members.districts", "highlights.members.zero_deaths"]
        elif not whole:
            return h.scored("零死亡", False)
    elif not whole:
        return h.scored("零死亡", False)
    return h.scored("零死亡", True, states, parts)


def _rectification(h: Highlights) -> Scored:
    mid = "hazards.rectification_rate"
    r = h[mid]
    states = ["hazards.found", "hazards.rectified", mid]
    parts = {"change": points(r, False)}
    h.record(mid, states, parts)
    if r.value is None or not (parts["change"] or parts.get("record")):
        return h.scored("隐患整改", False)
    return h.scored("隐患整改", True, states, parts)


def _major(h: Highlights) -> Scored:
    if not h.value("hazards.major") or h.value("hazards.major_overdue") != 0:
        return h.scored("重大隐患", False)
    rate = h["hazards.major_rate"]
    parts = {"all": RECORD if rate.value == 1 else 0, "change": points(rate, False)}
    states = ["hazards.major", "hazards.major_rectified", "hazards.major_rate"]
    return h.scored("重大隐患", True, states, parts)


def _growth(key: str):
    mids = GROWTH[key]

    def rule(h: Highlights) -> Scored:
        best = max(points(h[m], False) for m in mids)
        if best < GROWTH_MIN:
            return h.scored(key, False)
        # what rose most, not what fell: the two largest rises, in the catalogue's order
        rose = sorted(
            (m for m in mids if points(h[m], False) > 0), key=lambda m: -points(h[m], False)
        )
        states = [m for m in mids if m in rose[:GROWTH_STATED]]
        parts = {"change": best}
        if mids[0] in h.series:
            h.record(mids[0], states, parts)
        return h.scored(key, True, states, parts)

    return rule


def _flood(h: Highlights) -> Scored:
    mid = "disasters.dead_missing"
    done = [m for m in FLOOD if h.value(m)]
    if h.value(mid) != 0 or not done:
        return h.scored("防汛防台", False)
    states = (
        [] if h.unit.is_city or not h.value("flood.responses") else ["flood.responses"]
    ) + done
    parts: dict = {}
    h.zero(mid, states, parts)
    return h.scored("防汛防台", True, states, parts)


def _rank(h: Highlights) -> Scored:
    n = h.value("highlights.rank.districts")
    if h.unit.is_city or not n or n < 3:
        return h.scored("排名", False)
    top = min(3, int(n) // 2)
    states, places = [], []
    for mid in RANKED:
        place = h.value(f"highlights.rank.{mid}")
        if place is not None and place <= top:
            states += [mid, f"highlights.rank.{mid}"]
            places.append(int(place))
    if not places:
        return h.scored("排名", False)
    return h.scored("排名", True, states, {"rank": RANK[min(places)]})


RULES = {
    "事故双降": _both_down,
    "无较大事故": _no_major,
    "零死亡": _zero_deaths,
    "隐患整改": _rectification,
    "重大隐患": _major,
    **{key: _growth(key) for key in GROWTH},
    "防汛防台": _flood,
    "排名": _rank,
}


# --- reading -------------------------------------------------------------------------------


def compute_highlights(store: Store, code: str, period: Period | str) -> Highlights:
    """The brief's figures for a district or a city and a half-year or year. The years
    recorded are read as one slice and cut year by year; a district's place among the city's
    districts is read from the city's accidents and hazards of the period and the year before."""
    period, recorded = _checked(store, period)
    unit = store.unit(code)
    years = history.years_recorded(store, period)
    frames = store.slice(unit, PlanPeriod(min(years[0], period.year - 1), period.year))
    cur, prev = PeriodData(frames, period), PeriodData(frames, period.previous_year())
    summary = Metrics(unit, cur, prev, recorded, tables=False)
    series = _series(frames, years, period, summary)
    if unit.is_city:
        members = _members(store, unit, cur, prev, recorded)
    else:
        members = _siblings(store, unit, period, recorded)
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
    store: Store, city: Unit, cur: PeriodData, prev: PeriodData, recorded: bool
) -> list[Member]:
    """The figures of each member of a city, split from the city's rows."""
    codes = city.members
    tables = ("accidents", "hazards")
    now = PeriodData({t: cur[t] for t in tables}, cur.period, cut=False).members(codes)
    before = PeriodData({t: prev[t] for t in tables}, prev.period, cut=False).members(codes)
    out = []
    for code, c, p in zip(codes, now, before, strict=True):
        u = store.unit(code)
        figures = {}
        for mid in MEMBER_FIGURES:
            label, unit_ = metric_ids()[mid]
            earlier = history.figure(mid, p) if recorded else None
            figures[mid] = Metric(mid, label, unit_, history.figure(mid, c), earlier)
        out.append(Member(code, u.name, u.level, figures))
    return out


def _siblings(store: Store, unit: Unit, period: Period, recorded: bool) -> list[Member]:
    """A district's city's members (itself among them), for its place among them."""
    reg = store.registry()
    parent = reg.loc[reg["code"] == unit.code, "parent"]
    if parent.empty or not isinstance(parent.iloc[0], str) or not parent.iloc[0]:
        return []
    city = store.unit(parent.iloc[0])
    span = PlanPeriod(period.year - 1, period.year)
    frames = {t: store.read(BY_ID[t], city, span) for t in ("accidents", "hazards")}
    cur, prev = PeriodData(frames, period), PeriodData(frames, period.previous_year())
    return _members(store, city, cur, prev, recorded)


def highlight_ids() -> list[str]:
    """Every id a highlights brief may state, for checking a narrative's placeholders before
    any work: the summary's and the highlight figures'."""
    out = [*metric_ids(), "highlights.since", "highlights.years"]
    for mid in history.MEASURES:
        out += [f"highlights.{mid}.record", f"highlights.{mid}.record_year"]
    for mid in history.LOWER:
        out += [f"highlights.{mid}.zero_streak", f"highlights.{mid}.first_zero"]
    out.append("highlights.accidents.both_down_streak")
    out += [f"highlights.members.{x}" for x in ("districts", "zero_deaths", "largest_fall")]
    out += [f"highlights.rank.{x}" for x in (*RANKED, "districts")]
    return out
