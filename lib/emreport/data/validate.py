"""Turn one raw sheet into a typed table, collecting every problem instead of stopping.

Each column is typed by columns.py; here the sheet's headers are matched to the schema, the
row checks applied, and every problem collected with its file, sheet, row and column.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from emreport.data import cells
from emreport.data.columns import blank_mask, parse_column
from emreport.data.problems import Problem, show
from emreport.data.schema import Check, Column, Table

ARROW_TYPES = {
    "code": pa.string(),
    "id": pa.string(),
    "text": pa.string(),
    "enum": pa.string(),
    "half": pa.string(),
    "int": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s"),
    "bool": pa.bool_(),
}
PROVENANCE = (("_file", pa.string()), ("_sheet", pa.string()), ("_row", pa.int64()))
_UNIT_SUFFIX = re.compile(r"\(.*\)$")
UNKNOWN_SHOWN = 10  # more unknown columns than this are summarised, naming the first few
UNKNOWN_NAMED = 5


def arrow_schema(table: Table, provenance: bool = True) -> pa.Schema:
    """The typed layout of a table in the store (and in the ingest cache, with provenance)."""
    fields = [pa.field(c.id, ARROW_TYPES[c.kind]) for c in table.columns]
    if table.approx_allowed:
        fields.append(pa.field("approx", pa.string()))
    if provenance:
        fields += [pa.field(n, t) for n, t in PROVENANCE]
    return pa.schema(fields)


@dataclass
class RawSheet:
    """Cells of one sheet or csv file as read, before any typing. Row labels are sheet rows."""

    file: str
    sheet: str | None
    table: Table
    header: list[object]
    body: pd.DataFrame  # positional columns 0..n-1, index = spreadsheet row number
    hidden: bool = False  # a hidden sheet of its workbook (imported, and said so)
    date1904: bool = False  # the workbook counts plain-number dates from 1904-01-01


class _Collector:
    def __init__(self, raw: RawSheet):
        self.raw = raw
        self.problems: list[Problem] = []

    def add(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        code: str = "",
    ) -> None:
        self.problems.append(
            Problem(self.raw.file, message, self.raw.sheet, row, column, value, code)
        )


def _header_key(value: object) -> str:
    return _UNIT_SUFFIX.sub("", cells.squash(value))


def map_headers(raw: RawSheet, out: _Collector) -> dict[str, int]:
    """Match the header row to the declared columns: column id -> position."""
    table = raw.table
    by_key = {cells.squash(c.name): c for c in table.columns}
    by_key.update({cells.squash(c.header): c for c in table.columns})
    found: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for pos, head in enumerate(raw.header):
        if cells.is_blank(head):
            column_blank = pos not in raw.body or raw.body[pos].map(cells.is_blank).all()
            if column_blank:
                continue
            out.add(f"第{pos + 1}列有数据但没有列名", row=1, code="header-blank")
            continue
        col = by_key.get(cells.squash(head)) or by_key.get(_header_key(head))
        if col is None:
            unknown.append((pos, str(head).strip()))
        elif col.id in found:
            out.add("列名重复", row=1, column=col.name, code="header-duplicate")
        else:
            found[col.id] = pos
    missing = [c for c in table.columns if c.id not in found]
    names = [c.name for c in missing]
    suggested: set[str] = set()
    allowed = "、".join(c.name for c in table.columns)
    if len(unknown) > UNKNOWN_SHOWN:
        # thousands of stray columns are one problem, not thousands of lines
        shown = "、".join(f"“{show(head)}”" for _pos, head in unknown[:UNKNOWN_NAMED])
        out.add(
            f"列名无法识别：{shown}等共{len(unknown)}个未知列（本表的列：{allowed}）",
            row=1,
            code="header-unknown",
        )
        unknown = []
    for _pos, head in unknown:
        guess = difflib.get_close_matches(_header_key(head), names, n=1, cutoff=0.5)
        if guess:
            suggested.add(guess[0])
            out.add(
                f"列名无法识别，是否应为“{guess[0]}”？", row=1, column=head, code="header-misspelt"
            )
        else:
            out.add(
                f"列名无法识别（本表的列：{allowed}）", row=1, column=head, code="header-unknown"
            )
    for col in missing:
        if col.required and col.name not in suggested:
            out.add(f"缺少必填列“{col.header}”", row=1, code="header-missing")
    return found


def _apply_check(table: Table, check: Check, data, nulls, rows, out: _Collector, raw) -> None:
    left = table.column(check.left)
    if check.kind == "sum":
        parts = [table.column(p) for p in check.parts]
        total = sum(data[p.id] for p in parts)
        bad = np.flatnonzero(np.abs(data[left.id] - total) > 1e-9)
        names = "与".join(p.name for p in parts)
        for i in bad:
            detail = "+".join(f"{data[p.id][i]:g}" for p in parts)
            out.add(
                f"不等于{names}之和（{detail}={total[i]:g}）",
                row=int(rows[i]),
                column=left.header,
                value=raw[left.id].iloc[i],
                code="sum",
            )
        return
    right = table.column(check.right)
    if check.kind == "requires":
        bad = np.flatnonzero((data[left.id] > 0) & ~data[right.id].astype(bool))
        for i in bad:
            out.add(
                f"不应填写：{right.name}为“否”时不能有{left.name}",
                row=int(rows[i]),
                column=left.header,
                value=raw[left.id].iloc[i],
                code="requires",
            )
        return
    both = ~nulls[left.id] & ~nulls[right.id]
    lv, rv = data[left.id], data[right.id]
    if check.kind == "le":
        bad = np.flatnonzero(both & (lv > rv))
        for i in bad:
            out.add(
                f"多于{right.name}（{rv[i]:g}{right.unit}）",
                row=int(rows[i]),
                column=left.header,
                value=raw[left.id].iloc[i],
                code="le",
            )
    else:  # order: right may not come before left
        bad = np.flatnonzero(both & (rv < lv))
        for i in bad:
            shown = pd.Timestamp(lv[i]).strftime(
                "%Y-%m-%d %H:%M" if left.kind == "datetime" else "%Y-%m-%d"
            )
            out.add(
                f"早于{left.name}（{shown}）",
                row=int(rows[i]),
                column=right.header,
                value=raw[right.id].iloc[i],
                code="order",
            )


def typed_table(raw: RawSheet, today: date) -> tuple[pa.Table | None, list[Problem]]:
    """The sheet as a typed Arrow table with provenance, or the problems that prevent it."""
    out = _Collector(raw)
    positions = map_headers(raw, out)
    if out.problems:
        return None, out.problems
    table = raw.table
    body = raw.body
    keep = (
        ~np.logical_and.reduce([blank_mask(body[p]) for p in positions.values()])
        if positions and len(body)
        else np.zeros(len(body), dtype=bool)
    )
    body = body[keep]
    rows = body.index.to_numpy(dtype=np.int64)
    n = len(body)
    data: dict[str, np.ndarray] = {}
    nulls: dict[str, np.ndarray] = {}
    raw_values: dict[str, pd.Series] = {}
    approx_cols: list[tuple[str, np.ndarray]] = []
    for col in table.columns:
        if col.id not in positions:
            s = pd.Series([None] * n, index=body.index, dtype=object)
        else:
            s = body[positions[col.id]]
        raw_values[col.id] = s
        blank = blank_mask(s) if n else np.zeros(0, dtype=bool)
        parsed = parse_column(
            col, s, approx_ok=table.approx_allowed, today=today, date1904=raw.date1904
        )
        errs = parsed.errors.copy()
        errs[blank] = None
        for i in np.flatnonzero(pd.notna(errs)):
            out.add(errs[i], row=int(rows[i]), column=col.header, value=s.iloc[i], code=col.kind)
        if col.required:
            for i in np.flatnonzero(blank):
                out.add("为空：此列必填", row=int(rows[i]), column=col.header, code="required")
        data[col.id], nulls[col.id] = _finish(col, parsed.values, blank)
        if parsed.approx.any():
            approx_cols.append((col.id, parsed.approx & ~blank))
    if out.problems:
        return None, out.problems
    for check in table.checks:
        _apply_check(table, check, data, nulls, rows, out, raw_values)
    if out.problems:
        return None, out.problems
    arrays = [_arrow(col, data[col.id], nulls[col.id]) for col in table.columns]
    if table.approx_allowed:
        arrays.append(pa.array(_approx_labels(approx_cols, n), type=pa.string()))
    arrays += [
        pa.array(np.full(n, raw.file, dtype=object), pa.string()),
        pa.array(np.full(n, raw.sheet, dtype=object), pa.string()),
        pa.array(rows, pa.int64()),
    ]
    return pa.Table.from_arrays(arrays, schema=arrow_schema(table)), []


def _finish(col: Column, values: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill blanks: optional counts and flags read as 0 / 否, other blanks stay null."""
    if col.numeric:
        v = np.asarray(values, dtype=float).copy()
        v[blank] = 0.0
        return v, np.zeros(len(v), dtype=bool)
    if col.kind == "bool" and col.unknown_blank:  # blank stays null: 未填报, not 否
        v = np.array([bool(x) if x is not None else False for x in values], dtype=bool)
        return v, blank.copy()
    if col.kind == "bool":
        v = np.array([bool(x) if x is not None else False for x in values], dtype=bool)
        return v, np.zeros(len(v), dtype=bool)
    if col.kind in ("date", "datetime"):
        v = np.asarray(values, dtype="datetime64[s]")
        return v, np.isnat(v)
    v = np.asarray(values, dtype=object)
    v[blank] = None
    return v, blank.copy()


def _arrow(col: Column, values: np.ndarray, nulls: np.ndarray) -> pa.Array:
    if col.kind == "int":
        return pa.array(values.astype(np.int64), pa.int64())
    if col.kind == "date":
        return pa.array(values, pa.timestamp("s"), mask=nulls).cast(pa.date32())
    if col.kind == "datetime":
        return pa.array(values, pa.timestamp("s"), mask=nulls)
    keep_nulls = col.kind != "bool" or col.unknown_blank
    return pa.array(values, ARROW_TYPES[col.kind], mask=nulls if keep_nulls else None)


def _approx_labels(approx_cols: list[tuple[str, np.ndarray]], n: int) -> list[str | None]:
    labels: list[str | None] = [None] * n
    for cid, mask in approx_cols:
        for i in np.flatnonzero(mask):
            labels[i] = f"{labels[i]},{cid}" if labels[i] else cid
    return labels
