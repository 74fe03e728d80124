"""The blank input workbook 数据模板.xlsx, generated from the declarations in `schema`.

One sheet per table with the declared headers, a comment on every header cell (type, unit,
必填/选填, allowed values) and drop-down lists for enumerations and 是/否 columns. The lists live
on the hidden sheet 选项 because several are longer than Excel's 255-character inline limit.
The file is byte-for-byte the same on every run, so a regenerated template shows no change.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from emreport import atomic
from emreport.data.describe import (
    APPROX_EXAMPLE,
    DATE_FORMS,
    KIND_LABELS,
    KIND_RULES,
    allowed_text,
    column_notes,
    kind_label,
)
from emreport.data.schema import KIND_NAMES, NOTE_SHEETS, TABLES, Column, Table

FILE_NAME = "数据模板.xlsx"
GUIDE_SHEET, OPTIONS_SHEET = NOTE_SHEETS
LAST_ROW = 5000
BOOL_CHOICES = ("是", "否")
AUTHOR = "emreport"
FIXED_TIME = datetime(2025, 1, 1)  # workbook properties and zip entries: no run-dependent bytes
REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
OPTIONAL_FILL = PatternFill("solid", fgColor="E2EFDA")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "code": "@",
    "id": "@",
    "text": "@",
    "half": "@",
}
DEFAULT_WIDTHS = {"text": 28, "date": 12, "datetime": 17, "id": 14, "code": 10, "half": 10}
MAX_WIDTH = 40
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def display_width(text: str) -> int:
    """Width in Excel character units: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(column: Column) -> float:
    """A width that shows the header and typical values without cutting Chinese text."""
    widest = max([display_width(column.header), *(display_width(c) for c in column.choices)])
    return min(max(widest + 4, DEFAULT_WIDTHS.get(column.kind, 10)), MAX_WIDTH)


def choices_of(column: Column) -> tuple[str, ...]:
    """The drop-down values of a column: its enumeration, 是/否 for flags, none otherwise."""
    if column.kind == "enum":
        return column.choices
    if column.kind == "bool":
        return BOOL_CHOICES
    return ()


def option_lists() -> dict[tuple[str, ...], tuple[str, str]]:
    """Each distinct drop-down list -> (its title on 选项, its cell range), in first-use order."""
    titles: dict[tuple[str, ...], str] = {}
    for table in TABLES:
        for column in table.columns:
            values = choices_of(column)
            if values and values not in titles:
                titles[values] = "是/否" if column.kind == "bool" else column.name
    lists = {}
    for i, (values, title) in enumerate(titles.items(), start=1):
        letter = get_column_letter(i)
        lists[values] = (title, f"{OPTIONS_SHEET}!${letter}$2:${letter}${len(values) + 1}")
    return lists


def header_comment(table: Table, column: Column) -> str:
    """The comment on a header cell: what the column holds and how to write it."""
    lines = [f"类型：{KIND_NAMES[column.kind]}"]
    if column.unit:
        lines.append(f"单位：{column.unit}")
    lines.append("必填" if column.required else "选填")
    if allowed_text(column):
        lines.append(f"可选值：{allowed_text(column)}")
    if column.kind in ("date", "datetime"):
        lines.append(f"日期写作{DATE_FORMS}")
    lines += column_notes(column)
    if column.numeric and table.approx_allowed:
        lines.append(f"可写约数，如“{APPROX_EXAMPLE}”")
    return "\n".join(lines)


def _comment(text: str) -> Comment:
    """A comment box sized so its text shows without scrolling."""
    comment = Comment(text, AUTHOR)
    chars_per_line = 40  # display-width units that fit in a 240pt box at the default font
    lines = sum(
        max(1, math.ceil(display_width(line) / chars_per_line)) for line in text.splitlines()
    )
    comment.width = 240
    comment.height = 16 * lines + 12
    return comment


def _validation(title: str, ref: str, cells: str) -> DataValidation:
    """A drop-down list over `cells` that refuses anything not on the list, in Chinese."""
    dv = DataValidation(
        type="list",
        formula1=ref,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="输入值无效",
        error=f"“{title}”只能填写下拉列表中的值，请点击单元格右侧的箭头选择。",
    )
    dv.add(cells)
    return dv


def _table_sheet(
    ws: Worksheet, table: Table, lists: dict[tuple[str, ...], tuple[str, str]]
) -> None:
    """Header row with comments, widths, formats and drop-downs for one table."""
    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = _comment(header_comment(table, column))
        dim = ws.column_dimensions[letter]
        dim.width = column_width(column)
        if column.kind in NUMBER_FORMATS:
            dim.number_format = NUMBER_FORMATS[column.kind]
        values = choices_of(column)
        if values:
            _title, ref = lists[values]
            ws.add_data_validation(_validation(column.name, ref, f"{letter}2:{letter}{LAST_ROW}"))
    ws.freeze_panes = "A2"


def _options_sheet(ws: Worksheet, lists: dict[tuple[str, ...], tuple[str, str]]) -> None:
    """The hidden sheet holding one drop-down list per column."""
    for i, (values, (title, _ref)) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=i, value=title).font = HEADER_FONT
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=i, value=value)
        ws.column_dimensions[get_column_letter(i)].width = (
            max(display_width(v) for v in (title, *values)) + 2
        )
    ws.sheet_state = "hidden"


def guide_lines() -> list[str]:
    """The filling-in instructions on 说明, one paragraph per row."""
    return [
        "1. 每张数据表一个工作表，工作表名即表名；第1行为表头，请勿修改表头和工作表名，从第2行起填写数据。",
        f"2. {KIND_LABELS['event']}：{KIND_RULES['event']}",
        f"3. {KIND_LABELS['total']}：{KIND_RULES['total']}",
        f"4. {KIND_LABELS['stock']}：{KIND_RULES['stock']}",
        f"5. {KIND_LABELS['registry']}：{KIND_RULES['registry']}区划名录必须填写。",
        f"6. 日期写作{DATE_FORMS}；日期时间可写作 2024-07-01 14:30。",
        f"7. 半年合计表和时点存量表的数字可写约数，如“{APPROX_EXAMPLE}”。其他数字请填准确值，不能为负数。",
        "8. 表头深色的列必填，浅色的列选填；选填的数字列空白按0计，是/否列空白视为否。",
        "9. 鼠标停在表头上可查看该列的类型、单位、是否必填和允许值；带下拉箭头的列请从列表中选择。",
        "10. 没有数据的表保留表头即可；同一张表的数据可以分放在多个文件中，编号等唯一键不能重复。",
        "11. 也可以用csv文件提交：一个csv文件只放一张表，文件名须以表名开头，如 隐患排查_2024.csv；"
        "第1行为表头，编码为UTF-8或GBK。csv文件可用gzip压缩后提交（如 隐患排查_2024.csv.gz）。",
        "12. 公式请先“选择性粘贴为数值”；旧版.xls文件请另存为.xlsx。",
    ]


def _guide_sheet(ws: Worksheet) -> None:
    """The first sheet: how to fill in the workbook, then the list of tables."""
    ws.cell(row=1, column=1, value="数据模板填写说明").font = TITLE_FONT
    row = 3
    for line in guide_lines():
        ws.cell(row=row, column=1, value=line)
        row += 1
    row += 1
    for col, head in enumerate(("工作表", "类别", "说明"), start=1):
        cell = ws.cell(row=row, column=col, value=head)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL
    for table in TABLES:
        row += 1
        ws.cell(row=row, column=1, value=table.name)
        ws.cell(row=row, column=2, value=kind_label(table))
        ws.cell(row=row, column=3, value=table.description)
    for letter, width in (("A", 18), ("B", 16), ("C", 100)):
        ws.column_dimensions[letter].width = width


def template_workbook() -> Workbook:
    """The template as an openpyxl workbook: 说明, one sheet per table, hidden 选项."""
    wb = Workbook()
    wb.properties.creator = AUTHOR
    wb.properties.created = FIXED_TIME
    guide = wb.active
    guide.title = GUIDE_SHEET
    _guide_sheet(guide)
    lists = option_lists()
    for table in TABLES:
        _table_sheet(wb.create_sheet(table.name), table, lists)
    _options_sheet(wb.create_sheet(OPTIONS_SHEET), lists)
    return wb


def zip_parts(parts: Iterable[tuple[str, bytes]], stamp: datetime = FIXED_TIME) -> bytes:
    """An xlsx (a zip) of the given parts with fixed entry times: same parts, same bytes."""
    when = max(stamp, datetime(1980, 1, 1)).timetuple()[:6]  # the zip format starts in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts:
            entry = zipfile.ZipInfo(name, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def repack_xlsx(data: bytes, stamp: datetime = FIXED_TIME) -> bytes:
    """Rewrite an xlsx with fixed entry times and modified date: same content, same bytes."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def parts(src: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", body)
            yield info.filename, body

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return zip_parts(parts(src), stamp)


def write_template(folder: Path) -> Path:
    """Write folder/数据模板.xlsx (creating the folder) and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    template_workbook().save(buffer)
    path = folder / FILE_NAME
    atomic.write_bytes(path, repack_xlsx(buffer.getvalue()))
    return path
