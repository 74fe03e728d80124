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
