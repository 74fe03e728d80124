"""One column of a sheet typed as its schema column says: numbers, dates, texts and the other
kinds, with a per-row error message and the approximate-figure flags.

Columns are parsed vectorised where the common form allows it (ISO dates, plain numbers) and
value by value, once per distinct value, for everything else, so two million rows stay fast.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from emreport.data import cells
from emreport.data.schema import Column


def _distinct(series: pd.Series, reader) -> tuple[np.ndarray, np.ndarray]:
    """Apply `reader` once per distinct value; returns (values, error messages or None)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.empty(len(uniques) + 1, dtype=object)
    errors = np.empty(len(uniques) + 1, dtype=object)
    values[-1] = None
    errors[-1] = None
    for i, u in enumerate(uniques):
        try:
            values[i] = reader(u)
            errors[i] = None
        except cells.CellError as e:
            values[i] = None
            errors[i] = str(e)
    return values[codes], errors[codes]


def blank_mask(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return (series.isna() | (series.str.strip() == "")).to_numpy(dtype=bool)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    blank_u = np.array([cells.is_blank(u) for u in uniques] + [True], dtype=bool)
    return blank_u[codes]


class _Parsed:
    """A typed column: values (numpy), null mask, per-row error messages, approx flags."""

    def __init__(self, n: int):
        self.values: np.ndarray = np.empty(n, dtype=object)
        self.errors: np.ndarray = np.full(n, None, dtype=object)
        self.approx: np.ndarray = np.zeros(n, dtype=bool)


def _parse_numbers(col: Column, s: pd.Series, approx_ok: bool) -> _Parsed:
    out = _Parsed(len(s))
    with np.errstate(over="ignore", invalid="ignore"):
        fast = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(fast)
    vals = np.where(ok, fast, 0.0)
    slow = ~ok
    if slow.any():

        def read(v: object) -> tuple[float, bool]:
            return cells.number(v, integer=col.kind == "int", unit=col.unit, approx_ok=approx_ok)

        values, errors = _distinct(s[slow], read)
        for i, (v, e) in zip(np.flatnonzero(slow), zip(values, errors, strict=True), strict=True):
            if e is not None:
                out.errors[i] = e
            elif v is not None:
                vals[i], out.approx[i] = v
    read_ok = pd.isna(out.errors)
    neg = read_ok & (vals < 0)
    big = read_ok & ~neg & ~(vals <= col.high)  # also infinity, 1e400 and the like
    frac = (
        read_ok & ~neg & ~big & (vals != np.floor(vals))
        if col.kind == "int"
        else np.zeros(len(s), bool)
    )
    out.errors[neg] = "不能为负数"
    out.errors[big] = f"超出合理范围（{col.range_text}）：请核对数字和单位"
    out.errors[frac] = "应为整数"
    vals[neg | big | frac] = 0.0
    out.values = vals
    return out


_FAST_FORMATS = {
    "date": ("%Y-%m-%d",),
    "datetime": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"),
}


def _parse_dates(col: Column, s: pd.Series, today: date, date1904: bool = False) -> _Parsed:
    out = _Parsed(len(s))
    result = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
    todo = np.ones(len(s), dtype=bool)
    if pd.api.types.is_string_dtype(s) and s.dtype != object:
        for fmt in _FAST_FORMATS[col.kind]:
            if not todo.any():
                break
            parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
            hit = parsed.notna().to_numpy()
            idx = np.flatnonzero(todo)[hit]
            result.iloc[idx] = parsed[hit].to_numpy().astype("datetime64[s]")
            todo[idx] = False
        latest = pd.Timestamp(today.year + 10, 12, 31) if col.future_ok else pd.Timestamp(today)
        fast = ~todo
        bad = (
            fast
            & (
                (result < pd.Timestamp(cells.EARLIEST)) | (result.dt.normalize() > latest)
            ).to_numpy()
        )
        upto = "今后10年内" if col.future_ok else "今天"
        out.errors[bad] = f"超出合理的日期范围（2000年1月1日至{upto}）"
    if todo.any():

        def read(v: object):
            return cells.when(
                v,
                with_time=col.kind == "datetime",
                future_ok=col.future_ok,
                today=today,
                date1904=date1904,
            )

        values, errors = _distinct(s[todo], read)
        idx = np.flatnonzero(todo)
        out.errors[idx] = errors
        good = np.array([v is not None for v in values], dtype=bool)
        if good.any():
            result.iloc[idx[good]] = pd.to_datetime(list(values[good])).astype("datetime64[s]")
    out.values = result.to_numpy()
    return out


def _parse_strings(col: Column, s: pd.Series) -> _Parsed:
    out = _Parsed(len(s))
    clean = cells.text if col.kind == "text" else cells.identifier
    too_long = f"过长：{col.name}最多{col.max_length}字，请核对是否多粘贴了内容"

    def reader(v: object) -> str:
        result = clean(v)
        if len(result) > col.max_length:
            raise cells.CellError(f"{too_long}（现为{len(result)}字）")
        return result

    if pd.api.types.is_string_dtype(s) and s.dtype != object:
        stripped = s.str.strip()
        simple = stripped.str.isascii().fillna(True) & ~stripped.str.contains(
            " ", regex=False
        ).fillna(False)
        if col.kind == "text":
            simple = ~stripped.str.contains("\u3000", regex=False).fillna(False)
        simple &= ~stripped.str.contains(cells.CONTROLS, regex=True).fillna(False)
        simple &= (stripped.str.len() <= col.max_length).fillna(True)
        values = stripped.to_numpy(dtype=object, na_value=None)
        rest = ~simple.to_numpy(dtype=bool)
        if rest.any():
            got, errors = _distinct(pd.Series(values[rest], dtype=object), reader)
            values[rest] = got
            out.errors[rest] = errors
        out.values = values
    else:
        out.values, out.errors = _distinct(s, reader)
    return out


def _parse_distinct(col: Column, s: pd.Series) -> _Parsed:
    readers = {
        "code": cells.code,
        "enum": lambda v: cells.choice(v, col.choices, col.aliases),
        "bool": cells.flag,
        "half": cells.half,
    }
    out = _Parsed(len(s))
    out.values, out.errors = _distinct(s, readers[col.kind])
    return out


def parse_column(
    col: Column, s: pd.Series, *, approx_ok: bool, today: date, date1904: bool = False
) -> _Parsed:
    """Type one column; errors are per row, to be reported together."""
    if col.numeric:
        return _parse_numbers(col, s, approx_ok)
    if col.kind in ("date", "datetime"):
        return _parse_dates(col, s, today, date1904)
    if col.kind in ("id", "text"):
        return _parse_strings(col, s)
    return _parse_distinct(col, s)
