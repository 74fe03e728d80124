"""The figures of each kind of report (data.kinds), in one place: what computes them and the
ids they may state, which a narrative's placeholders are checked against before any work."""

from __future__ import annotations

from emreport.data import kinds
from emreport.data.store import Store
from emreport.metrics.compute import compute
from emreport.metrics.figures import metric_ids
from emreport.metrics.highlights import compute_highlights, highlight_ids
from emreport.metrics.review import compute_review, review_ids


def figures(store: Store, kind: str, code: str, period):
    """The report's figures: a summary's Metrics, a review's, a highlights brief's."""
    if kind == kinds.REVIEW:
        return compute_review(store, code, period)
    if kind == kinds.HIGHLIGHTS:
        return compute_highlights(store, code, period)
    return compute(store, code, period)


def ids(kind: str, period) -> list[str]:
    """Every metric id a report of the kind and period may state."""
    if kind == kinds.REVIEW:
        return review_ids(period)
    if kind == kinds.HIGHLIGHTS:
        return highlight_ids()
    return list(metric_ids())
