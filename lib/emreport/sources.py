"""Reading the files the bureaus export: xlsx workbooks and csv files, untrusted.

Every file is checked before a parser sees it: zip bombs, XML entity declarations and formula
cells in xlsx; empty files, binary files and GBK encoding in csv. Problems come back as
`Problem`s naming the file; nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine
from defusedxml import ElementTree

from emreport import cells
from emreport.problems import Problem
from emreport.schema import NOTE_SHEETS, TABLES, Table
from emreport.validate import RawSheet

READABLE = (".xlsx", ".xlsm", ".csv")
MAX_MEMBER = 1 << 30          # 1 GiB uncompressed for one part of a workbook
MAX_TOTAL = 4 << 30           # 4 GiB uncompressed for the whole workbook
MAX_RATIO = 100               # compression ratio beyond which a large part is a bomb
RATIO_FLOOR = 20 << 20        # parts smaller than this may compress as well as they like
CHUNK = 1 << 20
_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>\s*<f[\s>/]')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Source:
    """One input file, with what it yielded."""

    path: Path
    name: str  # as shown to the analyst (relative to the data folder)


def discover(folder: Path) -> tuple[list[Source], list[Problem]]:
    """The readable files of a data folder; old .xls files are named as problems."""
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name.startswith(("~$", ".")) or "/." in f"/{rel}":
            continue
        suffix = path.suffix.lower()
        if suffix == ".xls":
            problems.append(Problem(rel, "是旧版Excel格式（.xls），无法读取：请在Excel中另存为.xlsx后重试",
                                    code="xls"))
        elif suffix in READABLE:
            sources.append(Source(path, rel))
    return sources, problems


def read(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    """Every table in one file, as raw cells, or the problems that stop it being read."""
    if not data.strip():
        return [], [Problem(source.name, "文件为空：没有表头也没有数据", code="empty")]
    if source.path.suffix.lower() == ".csv":
        return _read_csv(source, data)
    return _read_xlsx(source, data)


# --- csv --------------------------------------------------------------------------------

def table_for_csv(name: str) -> Table | None:
    """The table a csv file holds, told by its name: 隐患排查_2024.csv holds 隐患排查."""
    stem = cells.squash(Path(name).stem)
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
        return None, Problem(source.name, "无法识别文件编码：请在Excel中另存为“CSV UTF-8（逗号分隔）”",
                             code="encoding")


def _read_csv(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    table = table_for_csv(source.name)
    if table is None:
        names = "、".join(t.name for t in TABLES)
        return [], [Problem(source.name, f"无法从文件名判断是哪张表：csv文件名应以表名开头，"
                                         f"如“隐患排查_2024.csv”（表名：{names}）", code="csv-name")]
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
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24,
                                           use_threads=threads),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False),
        )
        return arrow, ragged

    try:
        arrow, ragged = parse(threads=True)
        if any(number is None for number, _ in ragged):
            # row numbers are only known to a single-threaded read: read again to name them
            arrow, ragged = parse(threads=False)
    except (pa.ArrowInvalid, ValueError) as e:
        return [], [Problem(source.name, f"csv格式错误，无法读取：{_short(e)}", code="csv")]
    if ragged:
        return [], [Problem(source.name, f"有{count}列，与表头的{len(header)}列不一致：请检查是否"
                                         "多了或少了逗号（含逗号的内容须加英文双引号）",
                            row=number, code="ragged") for number, count in ragged]
    body = arrow.to_pandas()
    body.columns = range(len(header))
    body.index = pd.RangeIndex(2, len(body) + 2)
    return [RawSheet(source.name, None, table, header, body)], []


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:120]


# --- xlsx -------------------------------------------------------------------------------

def _inspect_zip(source: Source, data: bytes) -> tuple[dict[str, list[str]], Problem | None]:
    """Refuse bombs and entity declarations; return the formula cells of each sheet part."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return {}, Problem(source.name, "文件已损坏或不是xlsx格式，无法打开：请用Excel打开后另存为.xlsx",
                           code="corrupt")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_MEMBER or total > MAX_TOTAL or (
                        info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
                    return {}, Problem(source.name, "解压后体积异常（疑似压缩炸弹），已拒绝读取",
                                       code="bomb")
            formulas: dict[str, list[str]] = {}
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    found, refused = _scan_part(zf, info)
                    if refused:
                        return {}, Problem(source.name, "含有XML实体声明（DOCTYPE/ENTITY），可能是恶意"
                                                        "构造的文件，已拒绝读取", code="xml-entity")
                    if found:
                        formulas[info.filename] = found
            return formulas, None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        return {}, Problem(source.name, f"文件已损坏，无法读取：{_short(e)}", code="corrupt")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[list[str], bool]:
    """Stream one XML part: (formula cell refs, whether it declares a DTD or entities)."""
    refs: list[str] = []
    tail = b""
    head = True
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            window = tail + chunk
            if head and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
                return [], True
            head = False
            if b"<f" in window:
                refs.extend(f"{m[1].decode()}{m[2].decode()}" for m in _FORMULA.finditer(window))
            tail = window[-512:]
    return list(dict.fromkeys(refs)), False


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> the zip part holding it, read from workbook.xml and its relations."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/xl/") \
            else f"xl/{target}"
    return parts


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _read_xlsx(source: Source, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    formulas, problem = _inspect_zip(source, data)
    if problem:
        return [], [problem]
    try:
        parts = _sheet_parts(data)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
    except Exception as e:  # noqa: BLE001 - any parser failure is a broken file to the analyst
        return [], [Problem(source.name, f"文件已损坏，无法读取：{_short(e)}", code="corrupt")]
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
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as e:  # noqa: BLE001
            problems.append(Problem(source.name, f"工作表无法读取：{_short(e)}", sheet=name,
                                    code="corrupt"))
            continue
        if not rows or all(cells.is_blank(v) for v in rows[0]):
            problems.append(Problem(source.name, "工作表为空：第1行应为表头", sheet=name, row=1,
                                    code="empty-sheet"))
            continue
        header = list(rows[0])
        refs = formulas.get(parts.get(name, ""), [])
        for ref in refs:
            letters = ref.rstrip("0123456789")
            row, pos = int(ref[len(letters):]), _column_index(letters)
            column = str(header[pos]).strip() if pos < len(header) else letters
            problems.append(Problem(source.name, f"单元格{ref}是公式，不是数值：请在Excel中复制后"
                                                 "“选择性粘贴为数值”再导入",
                                    sheet=name, row=row, column=column, code="formula"))
        if refs:
            # a formula's cell holds its last result, or nothing when no Excel computed it:
            # checking those values would only add wrong problems (为空) about the same cells
            continue
        body = pd.DataFrame(rows[1:], columns=range(len(header)), dtype=object)
        body.index = pd.RangeIndex(2, len(body) + 2)
        sheets.append(RawSheet(source.name, name, table, header, body))
    return sheets, problems


def _unknown_sheet(source: Source, name: str) -> Problem:
    guess = difflib.get_close_matches(cells.squash(name), [t.name for t in TABLES], n=1,
                                      cutoff=0.5)
    hint = f"是否应为“{guess[0]}”？" if guess else \
        f"工作表名应为表名之一：{'、'.join(t.name for t in TABLES)}"
    return Problem(source.name, f"工作表名无法识别，{hint}", sheet=name, code="sheet-name")
