"""What every section room writes from: the unit's metrics, the analyst's narrative, a city's
members, the period's words, and the small helpers that turn metrics into clauses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from emreport.compose import charts, narrative
from emreport.compose.document import Figure
from emreport.data.periods import PlanPeriod
from emreport.metrics import Metric, Metrics, as_number

# rates that are an achievement only from a bar up; below it they are a problem (问题)
BARS = {"hazards.major_rate": 0.9}

# each level of unit (schema.UNIT_LEVELS): who leads it and the area word its sentences use
LEVEL_WORDS = {
    "市": ("市委市政府和省应急管理厅", "全市"),
    "区": ("区委区政府和市应急管理局", "全区"),
    "县": ("县委县政府和市应急管理局", "全县"),
    "县级市": ("市委市政府和上级应急管理局", "全市"),
    "开发区": ("区党工委、管委会和市应急管理局", "全区"),
    "市本级": ("", "市本级"),
}
SCOPE = {level: scope for level, (_, scope) in LEVEL_WORDS.items()}


@dataclass
class Peer:
    """One member of a city: its name, level and metrics, for comparisons and rankings."""

    code: str
    name: str
    level: str
    metrics: Metrics


@dataclass
class Context:
    """One report's inputs; `peers` (a city's members) turn on the city's sentences."""

    m: Metrics
    story: narrative.Narrative
    peers: list[Peer] = field(default_factory=list)
    today: date | None = None

    room: str = ""  # the section being written: what the analyst's text of it already says
    cited: set[str] = field(default_factory=set)  # metric ids the phrases have stated

    def __post_init__(self) -> None:
        self.p = self.m.period
        self.scope = SCOPE.get(self.m.unit.level, "全区")
        if isinstance(self.p, PlanPeriod):  # a review: “十四五”时期
            self.when = f"{self.p.label}时期" if self.p.name else self.p.label
        else:
            self.when = f"{self.p.year}年" if not self.p.half else self.p.label

    # --- figures as words -------------------------------------------------------------------

    def t(self, mid: str) -> str:
        return self.m[mid].text()

    def v(self, mid: str) -> float:
        return self.m[mid].value or 0

    def below_bar(self, mid: str) -> bool:
        """A rate under its bar (BARS): stated as a problem, not as an achievement."""
        value = self.m[mid].value
        return mid in BARS and value is not None and value < BARS[mid]

    def falling(self, mid: str) -> bool:
        """A rate lower than a year earlier."""
        m = self.m[mid]
        return m.value is not None and m.prev is not None and m.value < m.prev

    def said(self, mid: str) -> bool:
        """Whether the analyst's own text of the section being written states the figure: by
        its placeholder, or the figure as the report writes it (1.06万处, 3131处; from 10)."""
        paras = self.story.sections.get(self.room, [])
        if not paras:
            return False
        metric = self.m[mid]
        if any(re.search(r"\{\s*" + re.escape(mid) + r"\s*[|}]", p.text) for p in paras):
            return True
        shown = metric.text()
        if not metric.value or metric.value < 10 or metric.is_rate:
            return False
        return any(re.search(r"(?<![\d.])" + re.escape(shown), self.filled(p)) for p in paras)

    def listing(self, items: list[tuple[str, str]], sep: str = "，") -> str:
        """ "检查企业15家，发现隐患75处": items whose figure is zero or missing are left out,
        and those the analyst's text of the section already states."""
        out = []
        for prefix, mid in items:
            metric = self.m[mid]
            if metric.value and not self.said(mid):
                out.append(f"{prefix}{metric.text()}")
        return sep.join(out)

    def yoy_pair(self, *mids: str) -> str:
        from emreport.metrics import wording

        ms = [self.m[x] for x in mids]
        if any(x.prev is None for x in ms):
            return ""
        return wording.yoy_pair([(x.value or 0, x.prev) for x in ms], [x.unit for x in ms])

    def extras(self, key: str) -> list[str]:
        """The analyst's own paragraphs for a section, placeholders filled."""
        return [narrative.filled(self.story, p, self.m) for p in self.story.sections.get(key, [])]

    def filled(self, para: narrative.Paragraph) -> str:
        return narrative.filled(self.story, para, self.m)

    @staticmethod
    def figure(caption: str, draw: Callable[[], bytes]) -> Figure | None:
        """A chart, or nothing when the data holds nothing to draw (all zeros or no rows);
        any other failure to draw is an error of the report."""
        try:
            return Figure(draw(), caption)
        except charts.NoData:
            return None

    # --- a city's members -------------------------------------------------------------------

    @property
    def districts(self) -> list[Peer]:
        return [p for p in self.peers if p.level != "市本级"]

    @property
    def own(self) -> Peer | None:
        return next((p for p in self.peers if p.level == "市本级"), None)

    @property
    def city(self) -> bool:
        return self.m.unit.is_city

    def own_and_others(self, mid: str, own: str, others: str) -> str:
        """A city's figure of rule "own": the 市本级's beside the districts' (各地), e.g.
        市防指组织防汛会商12次，各地94次; either left out when it is zero or not reported."""
        metric = self.m[mid]
        rest = Metric(mid, metric.label, metric.unit, metric.others, None)
        bits = [f"{own}{metric.text()}"] if metric.value else []
        if rest.value:
            bits.append(f"{'各地' if bits else others}{rest.text()}")
        return "，".join(bits)

    def split(self, mid: str, what: str) -> tuple[str, dict]:
        """市本级 against 各地 for one figure: 其中市本级…，各地…, and the split as stated."""
        own = self.own
        if own is None or not self.districts or not own.metrics[mid].value:
            return "", {}  # no 其中 whose one part is the whole
        rest = sum(p.metrics[mid].value or 0 for p in self.districts)
        metric = own.metrics[mid]
        rest_text = Metric(mid, metric.label, metric.unit, as_number(rest), None).text()
        stated = {mid: {"市本级": metric.value, "各地": as_number(rest)}}
        return f"其中市本级{what}{metric.text()}，各地{what}{rest_text}", stated
