"""Breakdowns: one measure split by a category (sector, source, grade, month, level), this
period against a year earlier, as the report's tables and charts show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emreport.data.schema import BY_ID, HAZARD_UNIT
from emreport.data.vocab import HAZARD_SOURCES, RESPONSE_LEVELS, SECTORS
from emreport.metrics.figures import as_number
from emreport.metrics.rows import GRADES, PeriodData, as_dates


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


def _categories(b: Breakdown, d: PeriodData) -> tuple[np.ndarray, list]:
    """Each row's category as a code into the categories in order of first appearance (a
    blank category is -1, left out as a grouping leaves it out). Made once per breakdown and
    period, shared by its measures and let go with it: kept with a city's rows, the codes of
    its million hazards would be held (8 bytes a row) for as long as the rows are."""
    df = d[b.table]
    if b.by == "month":
        cats = as_dates(df[BY_ID[b.table].date]).dt.month
    elif b.by == "accident_grade":
        cats = pd.Series(d.grades(), index=df.index)
    else:
        cats = df[b.by]
    codes, uniques = pd.factorize(cats, sort=False)
    return codes, list(uniques)


def _sums(values: pd.Series, codes: np.ndarray, n: int) -> np.ndarray | pd.Series:
    """The sum of the values in each category. Whole numbers are added by counting (exact
    whatever the order); other figures as a pandas grouping adds them (to the last digit)."""
    v = values.to_numpy()
    if v.dtype.kind in "biu" or (
        v.dtype.kind == "f" and np.isfinite(v).all() and (v % 1 == 0).all()
    ):
        if (codes >= 0).all():  # no blank category: no copies of the million rows kept
            return np.bincount(codes, weights=v, minlength=n)
        keep = codes >= 0
        return np.bincount(codes[keep], weights=v[keep].astype(float), minlength=n)
    return values.groupby(codes, sort=True).sum().reindex(range(n), fill_value=0).to_numpy()


def breakdown(b: Breakdown, cur: PeriodData, prev: PeriodData | None) -> pd.DataFrame:
    """Rows: categories in their official order (all months; other categories seen in either
    period). Columns: each measure this period and, where recorded, a year earlier."""
    columns: dict[str, dict] = {}
    periods = (("", cur), ("(上年同期)", prev)) if prev is not None else (("", cur),)
    categories = {suffix: _categories(b, d) for suffix, d in periods}
    for label, _unit, fn in b.measures:
        for suffix, d in periods:
            df = d[b.table]
            codes, cats = categories[suffix]
            sums = _sums(fn(df, d), codes, len(cats))
            columns[label + suffix] = {k: as_number(v) for k, v in zip(cats, sums, strict=True)}
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
