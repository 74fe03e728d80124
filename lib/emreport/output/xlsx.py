"""The appendix workbook report.xlsx (附表): every table of the report, one formatted sheet each.

Each sheet has the table title in row 1, the Chinese headers with units in row 2 (frozen and
repeated on every printed page), then one row per index label; a row labelled 合计 is bold and
`note` goes below the table. Numbers stay numbers, rounded as the report prints them (half-up,
two decimals; rates to 0.1%, stored as fractions). All text passes through `safe_text`, so no
cell is ever a formula. The bytes depend only on the tables, the title and the timestamp.
The layout is decided here; `sheetml` writes the parts as text, as openpyxl would write them.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, Side

from emreport import atomic
from emreport.compose.document import Table
from emreport.data.template import (
    AUTHOR,
    FIXED_TIME,
    HEADER_FONT,
    REQUIRED_FILL,
    TITLE_FONT,
    display_width,
    zip_parts,
)
from emreport.metrics.wording import round_half_up
from emreport.output.sheetml import Look, Sheet, Styles, package

TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
TOTAL_LABEL = "合计"
EMPTY_SHEET = "附表"
EMPTY_TEXT = "本报告无附表。"
PERCENT_UNIT = "%"
MONEY_UNITS = frozenset({"元", "万元", "亿元"})
PERCENT_FORMAT, MONEY_FORMAT, GENERAL = "0.0%", "0.00", "General"
SHEET_NAME_LIMIT = 31  # Excel counts UTF-16 code units
CELL_TEXT_LIMIT = 32767
RESERVED_SHEET_NAMES = frozenset({"history"})  # Excel keeps it for change tracking
MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 8, 40, 16
PORTRAIT_WIDTH = 90  # column width units that fit across A4 portrait at a readable size
LINE_HEIGHT, TITLE_LINE_HEIGHT = 15, 21  # points per line at 11pt and 14pt
TOTAL_FONT = Font(bold=True)
NOTE_FONT = Font(size=10)
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
NOTE_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
TITLE_LOOK = Look(TITLE_FONT, alignment=CENTER)
HEADER_LOOK = Look(HEADER_FONT, REQUIRED_FILL, GRID, CENTER)
NOTE_LOOK = Look(NOTE_FONT, alignment=NOTE_ALIGN)
EMPTY_TITLE_LOOK = Look(TITLE_FONT)
DATA_LOOKS = {  # (left-aligned, in the 合计 row)
    (left, total): Look(TOTAL_FONT if total else None, None, GRID, LEFT if left else RIGHT)
    for left in (True, False)
    for total in (True, False)
}
FOOTER = "第 &P 页，共 &N 页"
APPLICATION = "emreport"
FORMULA_STARTS = frozenset("=+-@")  # compared after NFKC, so ＝＋－＠ and ﹦﹢﹣﹫ count too
LEADING_CONTROLS = frozenset("\t\r\n")
SHEET_CHARS = str.maketrans(
    {"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"}
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class CellValue:
    """What one cell stores, its number format, and the text Excel shows (to size columns)."""

    value: object
    number_format: str = GENERAL
    shown: str = ""


# --- text -------------------------------------------------------------------------------------


def xml_clean(text: str) -> str:
    """Drop characters XML cannot hold (openpyxl would raise IllegalCharacterError on them)."""
    return _XML_ILLEGAL.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Whether Excel, a CSV import or a paste could take the text for a formula."""
    if not text:
        return False
    if text[0] in LEADING_CONTROLS:
        return True
    first = text.lstrip()[:1]
    return bool(first) and unicodedata.normalize("NFKC", first) in FORMULA_STARTS


def safe_text(s: str) -> str:
    """Text fit for a cell: legal XML, within Excel's length limit, and never a formula.

    Every line break becomes LF: XML reads a stored CR back as LF anyway, so the file holds
    exactly what a reader of it gets.
    """
    text = xml_clean(str(s)).replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_formula(text):
        text = "'" + text
    return text[:CELL_TEXT_LIMIT]


def header_text(column: object, unit: str) -> str:
    """A column header as the report prints it: 事故起数（起）, or the bare name without unit."""
    return f"{column}（{unit}）" if unit else str(column)


# --- values -----------------------------------------------------------------------------------


def is_missing(v: object) -> bool:
    """None, NaN, NaT and pd.NA all mean "no value": an empty cell, never 'nan'."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, numbers.Integral) or not isinstance(v, numbers.Real | Decimal):
        return False
    return not math.isfinite(float(v))


def _plain_number(d: Decimal) -> int | float:
    """A rounded decimal as Excel should store it: whole numbers as int, others as float."""
    return int(d) if d == d.to_integral_value() else float(d)


def number_value(v: float, unit: str) -> CellValue:
    """A number rounded as the report prints it, with the format its unit calls for."""
    if unit == PERCENT_UNIT:
        value = _plain_number(round_half_up(v, 3))  # 0.1% of a fraction is its third decimal
        return CellValue(value, PERCENT_FORMAT, f"{value * 100:.1f}%")
    value = _plain_number(round_half_up(v, 2))
    if unit in MONEY_UNITS:
        return CellValue(value, MONEY_FORMAT, f"{value:.2f}")
    return CellValue(value, GENERAL, str(value))


def date_value(v: date) -> CellValue:
    """A date or date-time as an Excel date (timezones dropped: Excel has none)."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        if v.time() != datetime.min.time():
            return CellValue(v, "yyyy-mm-dd hh:mm", v.strftime("%Y-%m-%d %H:%M"))
    return CellValue(v, "yyyy-mm-dd", v.strftime("%Y-%m-%d"))


def cell_value(v: object, unit: str = "") -> CellValue:
    """Any frame value as a cell: numbers numeric, text made safe, missing values empty."""
    if is_missing(v):
        return CellValue(None)
    if isinstance(v, bool | np.bool_):
        text = "是" if v else "否"
        return CellValue(text, GENERAL, text)
    if isinstance(v, numbers.Integral):
        return number_value(int(v), unit)
    if isinstance(v, numbers.Real | Decimal):
        return number_value(float(v), unit)
    if isinstance(v, date):
        return date_value(v)
    text = safe_text(v if isinstance(v, str) else str(v))
    return CellValue(text or None, GENERAL, text)


# --- sheet names ------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    """Length as Excel counts it for the 31-character sheet-name limit."""
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """The longest prefix within `limit` UTF-16 units, without a quote at either end."""
    text = text[:limit]
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text.strip().strip("'").strip()


def sheet_base(title: str) -> str:
    """A readable, valid sheet name from a title: forbidden characters made full-width."""
    name = " ".join(xml_clean(str(title)).translate(SHEET_CHARS).split())
    return _clip(name, SHEET_NAME_LIMIT) or EMPTY_SHEET


def sheet_names(titles: Iterable[str]) -> list[str]:
    """One valid sheet name per title, unique ignoring case, duplicates suffixed （2）, （3）…"""
    taken = set(RESERVED_SHEET_NAMES)
    names = []
    for title in titles:
        base = name = sheet_base(title)
        n = 1
        while name.casefold() in taken:
            n += 1
            suffix = f"（{n}）"
            name = _clip(base, SHEET_NAME_LIMIT - _utf16_len(suffix)) + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


# --- layout -----------------------------------------------------------------------------------


def text_lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column `width` units wide."""
    room = max(width - 2, 1)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in text.split("\n"))


def column_width(header: str, cells: Sequence[CellValue]) -> float:
    """Fits the widest value; a long header may wrap to two lines rather than widen."""
    widest = max((display_width(line) for c in cells for line in c.shown.split("\n")), default=0)
    head = display_width(header)
    head = head if head <= HEADER_WRAP else max(HEADER_WRAP, math.ceil(head / 2))
    return min(max(widest, head) + 3, MAX_WIDTH) if widest or head else MIN_WIDTH


def _columns(table: Table) -> list[tuple[str, list[CellValue]]]:
    """The sheet's columns, first the index: (header text, cells top to bottom)."""
    frame = table.frame
    out = [(safe_text(frame.index.name or ""), [cell_value(v) for v in frame.index])]
    for column, series in frame.items():
        unit = table.units.get(column, "") or ""
        cells = [cell_value(v, unit) for v in series.tolist()]
        out.append((safe_text(header_text(column, unit)), cells))
    return out


def _cell(styles: Styles, item: CellValue, look: Look) -> tuple[object, int]:
    """A value and its cell format; text stays text (no formula, no error code like #N/A)."""
    if isinstance(item.value, date):
        styles.date_seen(item.value)
    return item.value, styles.xf(look, item.number_format)


def _data_row(styles: Styles, cells: list[CellValue]) -> list[tuple[object, int]]:
    """One data row: label left, numbers right, text wrapped; the 合计 row bold."""
    total = isinstance(cells[0].value, str) and cells[0].value.strip() == TOTAL_LABEL
    return [
        _cell(styles, item, DATA_LOOKS[col == 0 or isinstance(item.value, str), total])
        for col, item in enumerate(cells)
    ]


def table_sheet(table: Table, name: str, styles: Styles) -> Sheet:
    """One sheet for one table: title, header, rows, note, widths, panes, printing.

    Row 1 is the title, bold and large, centred across the table; row 2 the headers, bold,
    filled, bordered and wrapped, as tall as the tallest; a data row with wrapped text is as
    tall as it needs; the note goes below the table, merged across it."""
    columns = _columns(table)
    ncols = len(columns)
    headers = [h for h, _ in columns]
    widths = [column_width(h, cells) for h, cells in columns]
    total_width = sum(widths)
    title = safe_text(table.title)
    sheet = Sheet(
        name,
        [[_cell(styles, CellValue(title or None), TITLE_LOOK)]],
        ncols,
        widths,
        {TITLE_ROW: TITLE_LINE_HEIGHT * text_lines(title, total_width / 1.3)},
        [(TITLE_ROW, 1, TITLE_ROW, ncols)] if ncols > 1 else [],
        frozen=f"{'B' if ncols > 1 else 'A'}{FIRST_ROW}",
        landscape=total_width > PORTRAIT_WIDTH,
        footer=FOOTER,
        print_titles=f"${TITLE_ROW}:${HEADER_ROW}",
    )
    sheet.rows.append([_cell(styles, CellValue(h or None), HEADER_LOOK) for h in headers])
    lines = max(text_lines(t, w) for t, w in zip(headers, widths, strict=True))
    sheet.heights[HEADER_ROW] = LINE_HEIGHT * lines + 4
    for cells in zip(*(cells for _, cells in columns), strict=True):
        sheet.rows.append(_data_row(styles, list(cells)))
        lines = max(text_lines(c.shown, w) for c, w in zip(cells, widths, strict=True))
        if lines > 1:
            sheet.heights[len(sheet.rows)] = LINE_HEIGHT * lines + 4
    if table.note:
        note = safe_text(table.note)
        sheet.rows.append([_cell(styles, CellValue(note), NOTE_LOOK)])
        row = len(sheet.rows)
        if ncols > 1:
            sheet.merged.append((row, 1, row, ncols))
        sheet.heights[row] = LINE_HEIGHT * text_lines(note, total_width) + 4
    if len(sheet.rows) < FIRST_ROW:  # a table without rows: the frozen pane still starts there
        sheet.rows.append([])
    return sheet


def _empty_sheet(report_title: str, styles: Styles) -> Sheet:
    """The single sheet of a report without tables, so the file still opens and says why."""
    title = CellValue(safe_text(report_title) or None)
    return Sheet(
        EMPTY_SHEET,
        [[_cell(styles, title, EMPTY_TITLE_LOOK)], [(EMPTY_TEXT, 0)]],
        1,
    )


# --- workbook ---------------------------------------------------------------------------------


def _naive_utc(stamp: datetime) -> datetime:
    """Workbook properties hold UTC without a zone."""
    if stamp.tzinfo is None:
        return stamp
    return stamp.astimezone(UTC).replace(tzinfo=None)


def appendix_bytes(
    tables: Sequence[Table], *, report_title: str, timestamp: datetime | None = None
) -> bytes:
    """report.xlsx as bytes, one sheet per table in the given order; identical for identical
    tables, title and timestamp."""
    stamp = _naive_utc(timestamp or FIXED_TIME)
    styles = Styles()
    if tables:
        names = sheet_names(t.title for t in tables)
        sheets = [table_sheet(t, n, styles) for t, n in zip(tables, names, strict=True)]
    else:
        sheets = [_empty_sheet(report_title, styles)]
    parts = package(
        sheets,
        styles,
        title=xml_clean(report_title),
        creator=AUTHOR,
        application=APPLICATION,
        stamp=stamp,
    )
    return zip_parts(parts, stamp)


def write_appendix(
    tables: Sequence[Table],
    target: str | os.PathLike[str] | IO[bytes],
    *,
    report_title: str,
    timestamp: datetime | None = None,
) -> None:
    """Write report.xlsx to a path or into an open binary file (such as BytesIO)."""
    data = appendix_bytes(tables, report_title=report_title, timestamp=timestamp)
    if isinstance(target, str | os.PathLike):
        atomic.write_bytes(Path(target), data)
    else:
        target.write(data)
