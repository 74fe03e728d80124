"""Reading the files the bureaus export: xlsx workbooks and csv files, untrusted.

Every file is checked before a parser sees it: zip bombs, XML entity declarations and formula
cells in xlsx; empty files, binary files and GBK encoding in csv. A gzip-compressed csv
(`隐患排查_2021.csv.gz`) is decompressed first, and an xlsx's zip package inspected, in
`archives.py`, under one set of limits against bombs. Problems come back as `Problem`s naming the file; nothing here raises on
bad input.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine

from emreport.data import archives, cells, xlsxscan
from emreport.data.problems import Problem, printable, show
from emreport.data.schema import NOTE_SHEETS, TABLES, Table
from emreport.data.validate import RawSheet

READABLE = (".xlsx", ".xlsm", ".csv", ".csv.gz")


@dataclass
class Source:
    """One input file, with what it yielded."""

    path: Path
    name: str  # as shown to the analyst (relative to the data folder)


# Spreadsheet formats that are not read, each named as a problem with what to do instead: a
# file the analyst meant to import must not be left out without a word.
NOT_READ = {
    ".xls": "是旧版Excel格式（.xls），无法读取：请在Excel中另存为.xlsx后重试",
    ".xlsb": "是Excel二进制格式（.xlsb），无法读取：请在Excel中另存为.xlsx后重试",
    ".ods": "是OpenDocument表格（.ods），无法读取：请另存为.xlsx后重试",
    ".et": "是WPS表格格式（.et），无法读取：请在WPS中另存为.xlsx后重试",
    ".ett": "是WPS表格模板（.ett），无法读取：请在WPS中另存为.xlsx后重试",
    ".numbers": "是Numbers表格，无法读取：请导出为.xlsx后重试",
    ".tsv": "是制表符分隔的文本（.tsv），无法读取：请在Excel中另存为.xlsx或“CSV UTF-8”后重试",
    ".csv.txt": "的扩展名是.csv.txt，无法读取：请将文件名改为以.csv结尾",
    ".xlsx.txt": "的扩展名是.xlsx.txt，无法读取：请将文件名改为以.xlsx结尾",
    ".xlsx.gz": "是压缩后的xlsx文件（.xlsx.gz），无法读取：xlsx本身已经是压缩格式，请解压为.xlsx后导入",
}


def discover(folder: Path) -> tuple[list[Source], list[Problem]]:
    """The readable files of a data folder; spreadsheets of other formats are named as problems."""
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name.startswith(("~$", ".")) or "/." in f"/{rel}":
            continue
        suffix = path.suffix.lower()
        double = "".join(path.suffixes[-2:]).lower()
        refused = NOT_READ.get(double) or NOT_READ.get(suffix)
        if refused:
            problems.append(Problem(rel, refused, code="format"))
        elif suffix in READABLE or double in READABLE:
            sources.append(Source(path, rel))
    return sources, problems


def skipped(folder: Path) -> list[str]:
    """Files of the data folder that are neither read nor refused, for the ingest report."""
    names = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name.startswith(("~$", ".")) or "/." in f"/{rel}":
            continue
        suffixes = ("".join(path.suffixes[-2:]).lower(), path.suffix.lower())
        if not any(s in NOT_READ or s in READABLE for s in suffixes):
            names.append(rel)
    return names


def notes(folder: Path, files: dict[str, dict]) -> list[str]:
    """What the ingest report says beyond its counts: hidden sheets read, other files skipped.

    `files` is the ingest manifest (file name -> entry with the parts it yielded)."""
    lines = [
        printable(
            f"{name} 工作表“{part['sheet']}”是隐藏的工作表，已一并导入"
            "（如不应导入，请删除该工作表）"
        )
        for name, entry in sorted(files.items())
        for part in entry.get("parts", ())
        if part.get("hidden")
    ]
    other = skipped(folder)
    if other:
        shown = "、".join(other[:10]) + (f"等{len(other)}个文件" if len(other) > 10 else "")
        lines.append(printable(f"不是xlsx或csv数据文件，未读取：{shown}"))
    return lines


def read(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    """Every table in one file, as raw cells, or the problems that stop it being read."""
    if not data.strip():
        return [], [Problem(source.name, "文件为空：没有表头也没有数据", code="empty")]
    if archives.is_gzip(source.name):
        data, problem = archives.gunzip(source.name, data)
        if problem:
            return [], [problem]
        if not data.strip():
            return [], [Problem(source.name, "解压后为空：没有表头也没有数据", code="empty")]
        return _read_csv(source, data)
    if source.path.suffix.lower() == ".csv":
        return _read_csv(source, data)
    return _read_xlsx(source, data)


# --- csv --------------------------------------------------------------------------------


def table_for_csv(name: str) -> Table | None:
    """The table a csv file holds, told by its name: 隐患排查_2024.csv (or .csv.gz) holds 隐患排查."""
    stem = cells.squash(Path(name[:-3] if archives.is_gzip(name) else name).stem)
    matches = [t for t in TABLES if stem.startswith(cells.squash(t.name))]
    return max(matches, key=lambda t: len(t.name)) if matches else None


def _decode(source: Source, data: bytes) -> tuple[bytes | None, Problem | None]:
    """UTF-8 (with or without BOM) as is; GBK/GB18030 converted; anything else refused."""
    if b"\x00" in data[:65536]:
        return None, Problem(source.name, "不是文本格式的csv文件（含有二进制内容）", code="binary")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").encode("utf-8"), None
    except UnicodeDecodeError:
        return None, Problem(
            source.name,
            "无法识别文件编码：请在Excel中另存为“CSV UTF-8（逗号分隔）”",
            code="encoding",
        )


def _read_csv(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    table = table_for_csv(source.name)
    if table is None:
        names = "、".join(t.name for t in TABLES)
        return [], [
            Problem(
                source.name,
                f"无法从文件名判断是哪张表：csv文件名应以表名开头，"
                f"如“隐患排查_2024.csv”（表名：{names}）",
                code="csv-name",
            )
        ]
    utf8, problem = _decode(source, data)
    if problem:
        return [], [problem]
    first = utf8.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    header = next(csv.reader([first], delimiter=delimiter))
    names = [f"c{i}" for i in range(len(header))]

    def parse(threads: bool) -> tuple[pa.Table, list[tuple[int | None, int]]]:
        ragged: list[tuple[int | None, int]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            ragged.append((row.number, row.actual_columns))
            return "skip"

        arrow = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=1 << 24, use_threads=threads
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
        return arrow, ragged

    try:
        arrow, ragged = parse(threads=True)
        if any(number is None for number, _ in ragged):
            # row numbers are only known to a single-threaded read: read again to name them
            arrow, ragged = parse(threads=False)
    except (pa.ArrowInvalid, ValueError) as e:
        return [], [Problem(source.name, f"csv格式错误，无法读取：{archives.short(e)}", code="csv")]
    if ragged:
        return [], [
            Problem(
                source.name,
                f"有{count}列，与表头的{len(header)}列不一致：请检查是否"
                "多了或少了逗号（含逗号的内容须加英文双引号）",
                row=number,
                code="ragged",
            )
            for number, count in ragged
        ]
    body = arrow.to_pandas()
    body.columns = range(len(header))
    body.index = pd.RangeIndex(2, len(body) + 2)
    return [RawSheet(source.name, None, table, header, body)], []


# --- xlsx -------------------------------------------------------------------------------


def _read_xlsx(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    book, problem = archives.inspect_zip(source.name, data)
    if problem:
        return [], [problem]
    try:
        reader = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = reader.sheet_names
    except Exception as e:  # noqa: BLE001 - any parser failure is a broken file to the analyst
        return [], [archives.corrupt(source.name, archives.short(e))]
    sheets: list[RawSheet] = []
    problems: list[Problem] = []
    by_name = {cells.squash(t.name): t for t in TABLES}
    for name in names:
        key = cells.squash(name)
        if key in NOTE_SHEETS:
            continue
        table = by_name.get(key)
        if table is None:
            problems.append(_unknown_sheet(source, name))
            continue
        extent = book.extents.get(book.parts.get(name, ""))
        refused = _refuse_extent(source, name, extent) if extent else None
        if refused:
            problems.append(refused)
            continue
        try:
            rows = reader.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as e:  # noqa: BLE001
            problems.append(
                Problem(
                    source.name, f"工作表无法读取：{archives.short(e)}", sheet=name, code="corrupt"
                )
            )
            continue
        if not rows or all(cells.is_blank(v) for v in rows[0]):
            problems.append(
                Problem(
                    source.name, "工作表为空：第1行应为表头", sheet=name, row=1, code="empty-sheet"
                )
            )
            continue
        header = list(rows[0])
        formulas = extent.formulas if extent else []
        for row, col in formulas:
            ref = f"{xlsxscan.column_letters(col)}{row}"
            column = str(header[col - 1]).strip() if col <= len(header) else None
            problems.append(
                Problem(
                    source.name,
                    f"单元格{ref}是公式，不是数值：请在Excel中复制后“选择性粘贴为数值”再导入",
                    sheet=name,
                    row=row,
                    column=column or None,
                    code="formula",
                )
            )
        if formulas:
            # a formula's cell holds its last result, or nothing when no Excel computed it:
            # checking those values would only add wrong problems (为空) about the same cells
            continue
        body = pd.DataFrame(rows[1:], columns=range(len(header)), dtype=object)
        body.index = pd.RangeIndex(2, len(body) + 2)
        sheets.append(
            RawSheet(
                source.name,
                name,
                table,
                header,
                body,
                hidden=name in book.hidden,
                date1904=book.date1904,
            )
        )
    return sheets, problems


def _refuse_extent(source: Source, sheet: str, extent: xlsxscan.Extent) -> Problem | None:
    """A sheet whose cells reach beyond what can be read safely, refused before it is read."""
    redo = "请用Excel打开后另存为.xlsx再导入"
    if extent.bad_ref:
        return Problem(
            source.name,
            f"单元格位置“{show(extent.bad_ref)}”无效，文件可能已损坏：{redo}",
            sheet=sheet,
            code="extent",
        )
    if extent.dimension and extent.dimension_too_large():
        return Problem(
            source.name,
            f"声明的单元格范围“{show(extent.dimension)}”超出Excel的上限"
            f"（{xlsxscan.MAX_ROWS}行、{xlsxscan.MAX_COLUMNS}列），"
            f"文件可能已损坏或被改动：{redo}",
            sheet=sheet,
            code="extent",
        )
    if extent.too_large():
        rows = max(extent.rows, extent.row_tags)
        return Problem(
            source.name,
            f"单元格范围过大：单元格延伸到第{rows}行、第{extent.columns}列"
            f"（{xlsxscan.column_letters(extent.columns)}列）；一个工作表最多"
            f"{xlsxscan.MAX_ROWS}行、{xlsxscan.MAX_COLUMNS}列，"
            f"从A1到最后一个单元格共不超过{xlsxscan.MAX_CELLS // 10000}万个"
            "单元格：请删除数据以外多余的行和列（包括只设了格式的空单元格）后"
            "另存再导入",
            sheet=sheet,
            code="extent",
        )
    return None


def _unknown_sheet(source: Source, name: str) -> Problem:
    guess = difflib.get_close_matches(cells.squash(name), [t.name for t in TABLES], n=1, cutoff=0.5)
    hint = (
        f"是否应为“{guess[0]}”？"
        if guess
        else f"工作表名应为表名之一：{'、'.join(t.name for t in TABLES)}"
    )
    return Problem(source.name, f"工作表名无法识别，{hint}", sheet=name, code="sheet-name")
