"""The figures stage: every metric of a unit and period, computed from the store's slice, with
the year before and the breakdown tables. What notebooks and the other stages import:

    from emreport.metrics import compute
    m = compute(store, "990102", "2025-H1")
    m["hazards.rectification_rate"].text()
"""

from emreport.metrics.breakdowns import BREAKDOWNS, Breakdown, breakdown
from emreport.metrics.compute import Metrics, compute, compute_members
from emreport.metrics.figures import EVENT_METRICS, Metric, as_number, metric_ids
from emreport.metrics.rows import GRADES, PeriodData, accident_grade

__all__ = [
    "BREAKDOWNS",
    "EVENT_METRICS",
    "GRADES",
    "Breakdown",
    "Metric",
    "Metrics",
    "PeriodData",
    "accident_grade",
    "as_number",
    "breakdown",
    "compute",
    "compute_members",
    "metric_ids",
]
