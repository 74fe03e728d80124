"""The kinds of report made from the same figures: the half-year and annual summary (工作总结),
the plan-period review (“十四五”工作总结) and the highlights brief (工作亮点).

A kind says which periods it covers and how they are written, the title it gives a report,
the notebook that makes it, and the folder its files go to: `outputs/<folder>/<code>/`, where
the folder is the period's code (2025, 2025-H1, 2021-2025) for the summary and the review, and
the period's code and `-highlights` for the highlights (2025-highlights), so that a year's
summary and highlights sit side by side. The narrative file is `params/<code>/<folder>.md`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from emreport.data.periods import Period, PeriodError, PlanPeriod

SUMMARY, REVIEW, HIGHLIGHTS = "summary", "review", "highlights"


class KindError(ValueError):
    """A kind of report that is not known; the message names the known ones."""


@dataclass(frozen=True)
class Kind:
    name: str  # summary, review, highlights: the command line's --kind
    words: str  # 工作总结, 工作亮点: the end of a title
    label: str  # what the kind is called in messages
    aliases: tuple[str, ...]
    suffix: str = ""  # of the period's folder: 2025-highlights

    def period(self, text: str) -> Period | PlanPeriod:
        """The period as this kind reads it: a half-year or year, or a plan period."""
        if self.name == REVIEW:
            return PlanPeriod.parse(text)
        return Period.parse(text)

    def folder(self, period: Period | PlanPeriod | str) -> str:
        """The period's folder under outputs/ (and the narrative's file name, without .md)."""
        code = period if isinstance(period, str) else period.code
        return f"{code}{self.suffix}"

    def title(self, unit_name: str, period: Period | PlanPeriod) -> str:
        """江城区应急管理局2025年度工作总结, 临江市应急管理局“十四五”工作总结."""
        return f"{unit_name}应急管理局{period.label}{self.words}"

    def notebook(self, level: str) -> str:
        """The notebook's name without .ipynb: district_report, city_report for a summary
        (their pages differ), one notebook for a district and a city of the other kinds."""
        return f"{level}_report" if self.name == SUMMARY else f"{self.name}_report"


KINDS = {
    k.name: k
    for k in (
        Kind(SUMMARY, "工作总结", "工作总结", ("总结", "工作总结", "年度总结", "半年总结")),
        Kind(REVIEW, "工作总结", "规划期工作总结", ("规划", "规划总结", "五年总结", "回顾")),
        Kind(HIGHLIGHTS, "工作亮点", "工作亮点", ("亮点", "工作亮点"), "-highlights"),
    )
}


def kind(text: str = SUMMARY) -> Kind:
    """A kind by its name or a Chinese alias (summary/总结, review/规划总结, highlights/亮点)."""
    word = unicodedata.normalize("NFKC", str(text)).strip().lower()
    for k in KINDS.values():
        if word == k.name or word in k.aliases:
            return k
    known = "；".join(f"{k.name}（{k.label}）" for k in KINDS.values())
    raise KindError(f"报告种类“{str(text).strip()}”不认识：可用{known}")


def of_folder(folder: str) -> tuple[Kind, Period | PlanPeriod]:
    """The kind and period a folder under outputs/ holds: 2025-highlights → highlights, 2025."""
    for k in KINDS.values():
        if k.suffix and folder.endswith(k.suffix):
            return k, k.period(folder.removesuffix(k.suffix))
    try:
        return KINDS[SUMMARY], Period.parse(folder)
    except PeriodError:
        return KINDS[REVIEW], PlanPeriod.parse(folder)
