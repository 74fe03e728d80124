"""The highlights brief's candidates (工作亮点): what the figures can call a highlight, and how
each is scored from the figures of metrics.highlights, so that the best lead.

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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emreport.metrics import wording
from emreport.metrics.figures import Metric

if TYPE_CHECKING:
    from emreport.metrics.highlights import Highlights

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
FLOOD_STATED = 3  # the figures of the flood work a paragraph states
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
    # a city's largest fall, unless a record and a streak are said already (three lines)
    if "highlights.members.largest_fall" in h and not ("record" in parts and "streak" in parts):
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
        if mids[0] in h.series and mids[0] in states:
            h.record(mids[0], states, parts)
        return h.scored(key, True, states, parts)

    return rule


def _flood(h: Highlights) -> Scored:
    mid = "disasters.dead_missing"
    done = [m for m in FLOOD if h.value(m)]
    if h.value(mid) != 0 or not done:
        return h.scored("防汛防台", False)
    # a city's responses are the 市本级's own (rule "own"): the work of all is stated instead
    states = [] if h.unit.is_city or not h.value("flood.responses") else ["flood.responses"]
    states = (states + done)[:FLOOD_STATED]
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
