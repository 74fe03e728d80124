"""How the sample's years differ: the trend of each year and the stocks' growth into 2024.

The sample city's figures move the way a bureau's do over a plan period: accidents and deaths
falling with a setback (2022 above 2021), 较大 accidents in a few districts' earlier years, a
development zone and a county without a death for some years, more hazards found as checking
spreads and then steady, a rectification rate that improves, more persons trained, and stocks
(teams, experts, supplies) that grow. 2024 and 2025 are the generator's plain draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

CORE = (2024, 2025)  # drawn from the seed's own stream; every earlier year from its own


@dataclass(frozen=True)
class Trend:
    """One year of the sample against the generator's plain draw (2024 and 2025)."""

    accidents: float  # multiplies a district's expected number of accidents
    hazards: float = 1.0  # multiplies the number of hazard records
    late_from: float = 0.955  # a hazard whose draw is above this is rectified after its deadline
    open_from: float = 0.985  # … and above this, not rectified at all
    inspections: float = 1.0  # multiplies the expected number of inspections
    training: float = 1.0  # multiplies the classes, persons trained and examined
    major: Mapping[str, int] = field(default_factory=dict)  # district -> deaths, first accident
    no_deaths: frozenset[str] = frozenset()  # districts whose accidents that year kill no one


TRENDS: dict[int, Trend] = {
    2020: Trend(
        1.75,
        hazards=0.6,
        late_from=0.9,
        open_from=0.95,
        inspections=0.8,
        training=0.6,
        major={"990102": 4},
    ),
    2021: Trend(
        1.7,
        hazards=0.8,
        late_from=0.915,
        open_from=0.96,
        inspections=0.95,
        training=0.7,
        no_deaths=frozenset({"990171"}),
    ),
    2022: Trend(
        1.65,
        hazards=0.9,
        late_from=0.93,
        open_from=0.97,
        inspections=0.9,
        training=0.8,
        major={"990122": 3},
        no_deaths=frozenset({"990171", "990121"}),
    ),
    2023: Trend(
        1.6,
        hazards=0.97,
        late_from=0.945,
        open_from=0.978,
        inspections=1.05,
        training=0.9,
        no_deaths=frozenset({"990171", "990121"}),
    ),
    2024: Trend(1.25, major={"990103": 3}),  # one 较大 accident, so 同比 has something to say
    2025: Trend(0.85),
}

_SLOW = ("物资种类",)  # stocks that grow little: kinds of supplies, not their quantity


def stock_history(rng: np.random.Generator, first: dict, first_year: int) -> list[dict]:
    """A unit's stocks at each half-year's end from first_year to 2023, walked back from `first`
    (its row of 30 June 2024): every stock grew each year by 4–12 % (kinds of supplies by 1–4 %)
    in uneven steps, so none is ever lower later. The same draws whatever first_year is."""
    ends = [date(y, m, d) for y in range(min(TRENDS), CORE[0]) for m, d in ((6, 30), (12, 31))]
    values: dict[str, list[int]] = {}
    for key, last in first.items():
        if key in ("区划代码", "统计日期"):
            continue
        low, high = (0.01, 0.04) if key in _SLOW else (0.04, 0.12)
        per_half = math.log1p(rng.uniform(low, high)) / 2
        steps = rng.uniform(0.3, 1.7, len(ends)) * per_half
        # ends[k] lies len(ends) - k half-years before 30 June 2024
        behind = np.cumsum(steps[::-1])[::-1]
        values[key] = [max(1, round(last * math.exp(-b))) for b in behind]
    return [
        {"区划代码": first["区划代码"], "统计日期": end, **{k: v[i] for k, v in values.items()}}
        for i, end in enumerate(ends)
        if end.year >= first_year
    ]
