"""Report periods (上半年 and 全年) and the half-year codes input tables are entered in.

A report covers `YYYY-H1` (1 January to 30 June) or `YYYY` (the whole year). Period totals are
entered per half year (`YYYY-H1`, `YYYY-H2`); a report period names the halves that make it up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MIN_YEAR = 2000
MAX_YEAR = 2100
EXAMPLE_YEAR = 2025

_SPACES = re.compile(r"\s+")
_FORM = re.compile(r"(\d{4})(?:-?H([12])|年([上下])半年|年度?)?", re.ASCII)
_LEADING_YEAR = re.compile(r"\d{4}", re.ASCII)


class PeriodError(ValueError):
    """A period that cannot be read; the message names the value and how to write it."""


def _squash(text: str) -> str:
    """Fold full-width forms and case and drop spaces, so “２０２５－ｈ１ ” reads as 2025-H1."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).upper()


def _read(text: str) -> tuple[int, int | None] | None:
    """Year and half (1, 2, or None for a whole year) from any accepted spelling, else None."""
    m = _FORM.fullmatch(_squash(text))
    if m is None:
        return None
    if m[2]:
        return int(m[1]), int(m[2])
    if m[3]:
        return int(m[1]), 1 if m[3] == "上" else 2
    return int(m[1]), None


def _example_year(text: str) -> int:
    """The analyst's own year for the hint when usable, so the example reads like their input."""
    m = _LEADING_YEAR.match(_squash(text))
    year = int(m[0]) if m else 0
    return year if MIN_YEAR <= year <= MAX_YEAR else EXAMPLE_YEAR


def _check_year(year: int, what: str, shown: str) -> None:
    """Refuse years no report can be about, which are typos such as 2205."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{what}“{shown}”无效：年份应在{MIN_YEAR}年至{MAX_YEAR}年之间")


@dataclass(frozen=True, order=True)
class Period:
    """A report period: the first half of a year (half=1) or the whole year (half=None)."""

    year: int
    half: int | None

    def __post_init__(self) -> None:
        """Refuse other halves, which would otherwise silently read as the whole year."""
        if self.half not in (1, None):
            raise PeriodError(
                f"期间“{self.year}-H{self.half}”无效：上半年为half=1，全年为half=None"
            )

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a report period as analysts type it: 2025-H1, 2025h1, 2025, full-width forms."""
        shown = str(text).strip()
        read = _read(text)
        if read is None:
            y = _example_year(text)
            raise PeriodError(f"期间“{shown}”无效：应写作“{y}-H1”（上半年）或“{y}”（全年）")
        year, half = read
        _check_year(year, "期间", shown)
        if half == 2:
            raise PeriodError(
                f"期间“{shown}”无效：下半年不是报告期间；全年工作总结请写作“{year}”（全年）"
            )
        return cls(year, half)

    @property
    def code(self) -> str:
        """The canonical spelling, used in file names, parameters and the command line."""
        return f"{self.year}-H1" if self.half else str(self.year)

    def __str__(self) -> str:
        """Print as the code so messages and paths show what the analyst typed."""
        return self.code

    @property
    def _last_month(self) -> int:
        """June for a half-year report, December for a whole year."""
        return 6 if self.half else 12

    @property
    def start_ts(self) -> datetime:
        """Midnight on 1 January, the first instant inside the period."""
        return datetime(self.year, 1, 1)

    @property
    def end_exclusive_ts(self) -> datetime:
        """The first instant after the period, so 23:59:59 on its last day is still inside."""
        return datetime(self.year, 7, 1) if self.half else datetime(self.year + 1, 1, 1)

    @property
    def start(self) -> date:
        """The first day of the period."""
        return self.start_ts.date()

    @property
    def end(self) -> date:
        """The last day of the period, inclusive (30 June or 31 December)."""
        return (self.end_exclusive_ts - timedelta(days=1)).date()

    def contains(self, value: date | datetime) -> bool:
        """Whether a record dated `value` counts in this period (datetimes to the second)."""
        if isinstance(value, datetime):
            return self.start_ts <= value < self.end_exclusive_ts
        return self.start <= value <= self.end

    @property
    def label(self) -> str:
        """The period as titles name it: 2025年上半年 or 2025年度."""
        return f"{self.year}年上半年" if self.half else f"{self.year}年度"

    @property
    def months(self) -> str:
        """The month range as the text writes it: 1-6月 or 1-12月."""
        return f"1-{self._last_month}月"

    @property
    def as_of(self) -> str:
        """The stock date as the text writes it: 截至6月底 or 截至12月底."""
        return f"截至{self._last_month}月底"

    @property
    def month_numbers(self) -> tuple[int, ...]:
        """The months covered, for monthly charts and tables."""
        return tuple(range(1, self._last_month + 1))

    def previous_year(self) -> Period:
        """The same kind of period a year earlier, the base of every 同比."""
        return Period(self.year - 1, self.half)

    @property
    def halves(self) -> tuple[str, ...]:
        """The half-year entry codes whose totals add up to this period."""
        if self.half:
            return (f"{self.year}-H1",)
        return (f"{self.year}-H1", f"{self.year}-H2")


def parse_half(text: str) -> str:
    """Normalise an input table's half-year code, which bureaus write in several ways."""
    shown = str(text).strip()
    read = _read(text)
    if read is None or read[1] is None:
        y = _example_year(text)
        raise PeriodError(
            f"统计期“{shown}”无效：应写作“{y}-H1”（上半年）或“{y}-H2”（下半年），"
            f"也可写作“{y}年上半年”或“{y}年下半年”"
        )
    year, half = read
    _check_year(year, "统计期", shown)
    return f"{year}-H{half}"


# --- plan periods: the five-year plans a review covers -------------------------------------

# each five-year plan by its first year: 十四五 is 2021-2025
PLANS = {
    "十一五": 2006,
    "十二五": 2011,
    "十三五": 2016,
    "十四五": 2021,
    "十五五": 2026,
    "十六五": 2031,
}
MIN_SPAN, MAX_SPAN = 2, 10  # years a review may cover
_QUOTES = re.compile(r"[“”\"'‘’「」『』《》]")
_SPAN = re.compile(r"(\d{4})(?:-|—|–|~|至|到)(\d{4})年?", re.ASCII)
_PLAN_NAME = re.compile(r"(十[一二三四五六七八九]五)(?:时期|规划|期间)?")


@dataclass(frozen=True, order=True)
class PlanPeriod:
    """The years a review covers: a five-year plan (十四五: 2021–2025) or any span of years.
    Its figures are made year by year, against the base year (the year before the first),
    which is the last year of the previous plan. It reads like a `Period` where the store and
    the pages need one: `halves`, `start_ts`, `label`, `previous_year()` (the base year)."""

    first: int
    last: int
    half = None  # a review covers whole years

    @classmethod
    def parse(cls, text: str) -> PlanPeriod:
        """2021-2025, 2021—2025年, 十四五, “十四五”, 十四五时期, with full-width forms."""
        shown = str(text).strip()
        squashed = _QUOTES.sub("", unicodedata.normalize("NFKC", _SPACES.sub("", shown)))
        if m := _PLAN_NAME.fullmatch(squashed):
            if m[1] not in PLANS:
                raise PeriodError(f"规划期“{shown}”无效：可用{'、'.join(PLANS)}，或写作2021-2025")
            first = PLANS[m[1]]
            return cls(first, first + 4)
        m = _SPAN.fullmatch(squashed)
        if m is None:
            raise PeriodError(f"规划期“{shown}”无效：应写作“十四五”或“2021-2025”（起止年份）")
        first, last = int(m[1]), int(m[2])
        _check_year(first, "规划期", shown)
        _check_year(last, "规划期", shown)
        if not MIN_SPAN <= last - first + 1 <= MAX_SPAN:
            raise PeriodError(
                f"规划期“{shown}”无效：应覆盖{MIN_SPAN}至{MAX_SPAN}个年度，如2021-2025"
            )
        return cls(first, last)

    @property
    def code(self) -> str:
        return f"{self.first}-{self.last}"

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        """十四五 when the years are a five-year plan's, else ""."""
        return next((n for n, y in PLANS.items() if (y, y + 4) == (self.first, self.last)), "")

    @property
    def next_name(self) -> str:
        """The plan after this one (十五五 after 十四五), else ""."""
        names = list(PLANS)
        return names[names.index(self.name) + 1] if self.name and self.name != names[-1] else ""

    @property
    def label(self) -> str:
        """As titles name it: “十四五” or 2019—2023年."""
        return f"“{self.name}”" if self.name else f"{self.first}—{self.last}年"

    @property
    def months(self) -> str:
        return f"{self.first}—{self.last}年"

    @property
    def year(self) -> int:
        """The last year: where stocks and the latest figures are read."""
        return self.last

    @property
    def base(self) -> int:
        """The year before the first: what 较基期 compares with (“十三五”末)."""
        return self.first - 1

    @property
    def base_label(self) -> str:
        """The base year as the text names it: “十三五”末, or 2018年."""
        names = list(PLANS)
        if self.name and names.index(self.name) > 0:
            return f"“{names[names.index(self.name) - 1]}”末"
        return f"{self.base}年"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))

    @property
    def periods(self) -> tuple[Period, ...]:
        """Each year of the span as a whole-year period."""
        return tuple(Period(y, None) for y in self.years)

    @property
    def start_ts(self) -> datetime:
        return datetime(self.first, 1, 1)

    @property
    def end_exclusive_ts(self) -> datetime:
        return datetime(self.last + 1, 1, 1)

    @property
    def start(self) -> date:
        return self.start_ts.date()

    @property
    def end(self) -> date:
        return date(self.last, 12, 31)

    @property
    def as_of(self) -> str:
        return f"截至{self.last}年底"

    def contains(self, value: date | datetime) -> bool:
        if isinstance(value, datetime):
            return self.start_ts <= value < self.end_exclusive_ts
        return self.start <= value <= self.end

    def previous_year(self) -> Period:
        """The base year, read beside the span (as a year's report reads the year before)."""
        return Period(self.base, None)

    @property
    def halves(self) -> tuple[str, ...]:
        return tuple(h for p in self.periods for h in p.halves)
