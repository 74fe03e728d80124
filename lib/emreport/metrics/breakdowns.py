"""Breakdowns: one measure split by a category (sector, source, grade, month, level), this
period against a year earlier, as the report's tables and charts show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from emreport.data.schema import BY_ID, HAZARD_UNIT
from emreport.data.vocab import HAZARD_SOURCES, RESPONSE_LEVELS, SECTORS
from emreport.metrics.figures import GRADES, PeriodData, accident_grade, as_number


@dataclass(frozen=True)
class Breakdown:
    """A table of one measure split by a category, this period against a year earlier."""

    id: str
    title: str
    table: str
    by: str  # a column, or "month" / "accident_grade" (derived)
    order: tuple
    measures: tuple[tuple[str, str, Callable[[pd.DataFrame, PeriodData], pd.Series]], ...]


def _rows(df: pd.DataFrame, d: PeriodData) -> pd.Series:
    return pd.Series(1, index=df.index)


def _col(column: str) -> Callable[[pd.DataFrame, PeriodData], pd.Series]:
    return lambda df, d: df[column].astype(float)


def _rectified_rows(df: pd.DataFrame, d: PeriodData) -> pd.Series:
    return d.rectified_by_end().astype(int)


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(
        "accidents.by_sector",
        "分行业领域事故情况",
        "accidents",
        "sector",
        SECTORS,
        (("事故起数", "起", _rows), ("死亡人数", "人", _col("deaths"))),
    ),
    Breakdown(
        "accidents.by_grade",
        "分等级事故情况",
        "accidents",
        "accident_grade",
        GRADES,
        (("事故起数", "起", _rows), ("死亡人数", "人", _col("deaths"))),
    ),
    Breakdown(
        "accidents.by_month",
        "分月事故情况",
        "accidents",
        "month",
        (),
        (("事故起数", "起", _rows), ("死亡人数", "人", _col("deaths"))),
    ),
    Breakdown(
        "hazards.by_source",
        "分来源隐患排查整改情况",
        "hazards",
        "source",
        HAZARD_SOURCES,
        (("发现隐患", HAZARD_UNIT, _rows), ("已整改", HAZARD_UNIT, _rectified_rows)),
    ),
    Breakdown(
        "hazards.by_grade",
        "分等级隐患排查整改情况",
        "hazards",
        "grade",
        ("一般", "重大"),
        (("发现隐患", HAZARD_UNIT, _rows), ("已整改", HAZARD_UNIT, _rectified_rows)),
    ),
    Breakdown(
        "hazards.by_sector",
        "分行业领域隐患排查整改情况",
        "hazards",
        "sector",
        SECTORS,
        (("发现隐患", HAZARD_UNIT, _rows), ("已整改", HAZARD_UNIT, _rectified_rows)),
    ),
    Breakdown(
        "hazards.by_month",
        "分月隐患排查情况",
        "hazards",
        "month",
        (),
        (("发现隐患", HAZARD_UNIT, _rows), ("已整改", HAZARD_UNIT, _rectified_rows)),
    ),
    Breakdown(
        "inspections.by_sector",
        "分行业领域执法情况",
        "inspections",
        "sector",
        SECTORS,
        (
            ("执法检查", "家次", _rows),
            ("立案", "起", _col("case_filed")),
            ("罚款金额", "万元", _col("fine")),
        ),
    ),
    Breakdown(
        "flood.by_level",
        "分级别防汛防台应急响应",
        "flood_responses",
        "level",
        RESPONSE_LEVELS,
        (("应急响应", "次", _rows),),
    ),
)


def _categories(b: Breakdown, df: pd.DataFrame, d: PeriodData) -> pd.Series:
    if b.by == "month":
        return pd.to_datetime(df[BY_ID[b.table].date]).dt.month
    if b.by == "accident_grade":
        return pd.Series(
            accident_grade(df["deaths"], df["serious_injuries"], df["loss"]), index=df.index
        )
    return df[b.by]


def breakdown(b: Breakdown, cur: PeriodData, prev: PeriodData | None) -> pd.DataFrame:
    """Rows: categories in their official order (all months; other categories seen in either
    period). Columns: each measure this period and, where recorded, a year earlier."""
    columns: dict[str, dict] = {}
    periods = (("", cur), ("(上年同期)", prev)) if prev is not None else (("", cur),)
    for label, _unit, fn in b.measures:
        for suffix, d in periods:
            df = d[b.table]
            cats = _categories(b, df, d)
            sums = fn(df, d).groupby(cats, sort=False).sum()
            columns[label + suffix] = {k: as_number(v) for k, v in sums.items()}
    if b.by == "month":
        index = list(cur.period.month_numbers)
    else:
        seen = set().union(*(c.keys() for c in columns.values()))
        index = [c for c in b.order if c in seen]
    frame = pd.DataFrame(
        {name: [vals.get(k, 0) for k in index] for name, vals in columns.items()}, index=index
    )
    names = {"month": "月份", "accident_grade": "事故等级"}
    frame.index.name = names.get(b.by) or BY_ID[b.table].column(b.by).name
    return frame
