"""The rows of one period (`PeriodData`): each table cut from a slice that also holds the year
before, a city's split by member, and what many figures reuse made from them once (masks,
accident grades per 国务院令第493号)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from emreport.data.periods import Period
from emreport.data.schema import BY_ID

GRADES = ("特别重大", "重大", "较大", "一般")


def accident_grade(deaths: object, injuries: object, loss_wan: object) -> np.ndarray:
    """Grade per 国务院令第493号 第三条: any one criterion suffices, 以上 includes the number."""
    d, i, loss = (np.asarray(x, dtype=float) for x in (deaths, injuries, loss_wan))
    return np.select(
        [
            (d >= 30) | (i >= 100) | (loss >= 10000),
            (d >= 10) | (i >= 50) | (loss >= 5000),
            (d >= 3) | (i >= 10) | (loss >= 1000),
        ],
        ["特别重大", "重大", "较大"],
        default="一般",
    )


class PeriodData:
    """The rows of one period, each table cut from a slice that also holds the year before."""

    def __init__(self, frames: dict[str, pd.DataFrame], period: Period, cut: bool = True):
        self.period = period
        self.frames = (
            {tid: _cut(BY_ID[tid], df, period) for tid, df in frames.items()} if cut else frames
        )
        self._masks: dict[object, object] = {}  # reused by many metrics; dies with the rows

    def memo(self, key: object, make: Callable[[], object]) -> object:
        """A value made from these rows once (a mask, a category per row), kept with them."""
        if key not in self._masks:
            self._masks[key] = make()
        return self._masks[key]

    def __getitem__(self, table_id: str) -> pd.DataFrame:
        return self.frames[table_id]

    def members(self, codes: Sequence[str], *, held: bool = False) -> Iterator[PeriodData]:
        """The rows of each district in `codes`, in that order, split from these rows (a
        city's). Cutting is by row and by district (a stock's latest figure is per district),
        so a member's share of the city's cut rows is what cutting its own would give.

        A caller that keeps every member's rows at once says `held`: then each table's rows
        are put in the members' order once (a member's rows keep theirs), and a member's rows
        are one stretch of them, a view. Otherwise each member's rows are copied out as it is
        reached, so that beside the city's rows only one member's are held, not a copy of all."""
        none = np.array([], dtype=np.intp)
        rows = {
            tid: df.groupby("district", sort=False, observed=True).indices
            for tid, df in self.frames.items()
        }
        if not held:
            for code in codes:
                yield PeriodData(
                    {tid: df.iloc[rows[tid].get(code, none)] for tid, df in self.frames.items()},
                    self.period,
                    cut=False,
                )
            return
        grouped = {}
        for tid, df in self.frames.items():
            parts = [rows[tid].get(code, none) for code in codes]
            ends = np.cumsum([0] + [len(p) for p in parts])
            grouped[tid] = df.iloc[np.concatenate(parts) if parts else none], ends
        del rows
        for i in range(len(codes)):
            yield PeriodData(
                {tid: df.iloc[ends[i] : ends[i + 1]] for tid, (df, ends) in grouped.items()},
                self.period,
                cut=False,
            )

    def rectified_by_end(self) -> pd.Series:
        """Hazards of the period rectified on or before its last day."""

        def make() -> pd.Series:
            h = self["hazards"]
            return h["rectified_on"].notna() & (h["rectified_on"] <= pd.Timestamp(self.period.end))

        return self.memo("rectified", make)  # type: ignore[return-value]

    def overdue(self) -> pd.Series:
        """Hazards still open at the period's end whose deadline had passed."""

        def make() -> pd.Series:
            h = self["hazards"]
            end = pd.Timestamp(self.period.end)
            return ~self.rectified_by_end() & h["deadline"].notna() & (h["deadline"] < end)

        return self.memo("overdue", make)  # type: ignore[return-value]

    def major(self) -> pd.Series:
        """Hazards graded 重大."""
        return self.memo("major", lambda: self["hazards"]["grade"] == "重大")  # type: ignore[return-value]

    def grades(self) -> np.ndarray:
        """Each accident's grade (accident_grade)."""
        return self.memo("grades", lambda: _grade(self["accidents"]))  # type: ignore[return-value]

    def approx_columns(self, table_id: str) -> frozenset[str]:
        """The columns any row of a total or stock table marks as approximate (3300余)."""

        def make() -> frozenset[str]:
            marks = {text for text in self[table_id]["approx"].tolist() if isinstance(text, str)}
            return frozenset(c for text in marks for c in text.split(","))

        return self.memo(("approx", table_id), make)  # type: ignore[return-value]


def as_dates(col: pd.Series) -> pd.Series:
    """A date column as datetimes: as read from the store they already are."""
    return col if pd.api.types.is_datetime64_any_dtype(col) else pd.to_datetime(col)


def _cut(table, df: pd.DataFrame, period: Period) -> pd.DataFrame:
    if table.kind == "event":
        col = as_dates(df[table.date])
        keep = (col >= pd.Timestamp(period.start_ts)) & (
            col < pd.Timestamp(period.end_exclusive_ts)
        )
        return df if keep.all() else df[keep]  # rows read for this period alone: no copy
    if table.kind == "total":
        halves = set(period.halves)
        return _rows_of(df, [h in halves for h in df["half"].tolist()])
    floor = pd.Timestamp(period.start - timedelta(days=1))
    as_of = as_dates(df["as_of"])
    df = df[(as_of >= floor) & (as_of <= pd.Timestamp(period.end))]
    return df.sort_values("as_of").groupby("district", sort=False).tail(1)


def _rows_of(df: pd.DataFrame, keep: list[bool]) -> pd.DataFrame:
    """The rows kept, of a few: one stretch of them is taken as a view, not a copy."""
    rows = [i for i, k in enumerate(keep) if k]
    if rows and rows[-1] - rows[0] + 1 == len(rows):
        return df.iloc[rows[0] : rows[-1] + 1]
    return df.iloc[rows]


def _grade(df: pd.DataFrame) -> np.ndarray:
    return accident_grade(df["deaths"], df["serious_injuries"], df["loss"])
