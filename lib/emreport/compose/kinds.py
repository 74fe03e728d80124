"""The outline of each kind of report (data.kinds): the summary's rooms (outline.ROOMS), the
review's and the highlights'. A narrative file is read against its kind's outline, and the
page is composed from its rooms."""

from __future__ import annotations

from emreport.compose.outline import ACHIEVEMENTS, APPENDIX, OUTLINES, SUMMARY, Outline, Room
from emreport.data import kinds
from emreport.metrics.highlights import CANDIDATES

REVIEW = Outline(
    kinds.REVIEW,
    (
        Room("导语", "review.lead", heading="导语"),
        Room("主要指标", "review.figures", ACHIEVEMENTS, "主要指标"),
        Room("安全生产形势", "review.work", ACHIEVEMENTS, "安全生产形势"),
        Room("隐患排查治理", "review.work", ACHIEVEMENTS, "隐患排查治理"),
        Room("监管执法", "review.work", ACHIEVEMENTS, "监管执法"),
        Room("防汛防台与自然灾害防御", "review.work", ACHIEVEMENTS, "防汛防台与自然灾害防御"),
        Room("宣传培训", "review.work", ACHIEVEMENTS, "宣传培训"),
        Room("应急保障能力", "review.work", ACHIEVEMENTS, "应急保障能力"),
        Room("问题", "review.problems", heading="存在的问题和不足"),
        Room("安排", "review.plans", heading="工作思路"),
        Room(APPENDIX, "review.appendix"),
    ),
)

HIGHLIGHTS = Outline(
    kinds.HIGHLIGHTS,
    (
        Room("导语", "highlights.lead", heading="导语"),
        *(Room(c.key, "highlights.item", heading=c.key) for c in CANDIDATES),
        Room(APPENDIX, "highlights.appendix"),
    ),
)

OUTLINES.update({REVIEW.kind: REVIEW, HIGHLIGHTS.kind: HIGHLIGHTS})


def outline_of(kind: str | kinds.Kind = kinds.SUMMARY) -> Outline:
    """The outline of a kind of report, by name or Kind."""
    return OUTLINES[kind if isinstance(kind, str) else kind.name]


__all__ = ["HIGHLIGHTS", "OUTLINES", "REVIEW", "SUMMARY", "outline_of"]
