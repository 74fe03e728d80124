"""The compressed containers an input file comes in, opened before any parser sees them: a
gzip-compressed csv (`隐患排查_2021.csv.gz`), decompressed in chunks, and an xlsx's zip
package, whose parts are checked for zip bombs, XML entity declarations and (xlsxscan) formula
cells and extent. One set of limits keeps a bomb out of either. Problems come back as
`Problem`s naming the file; nothing here raises on bad input."""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException, ElementTree

from emreport.data import xlsxscan
from emreport.data.problems import Problem

GZIP_MAGIC = b"\x1f\x8b"
MAX_MEMBER = 1 << 30  # 1 GiB uncompressed for one part of a workbook
MAX_TOTAL = 4 << 30  # 4 GiB uncompressed for the whole workbook
MAX_RATIO = 100  # compression ratio beyond which a large part is a bomb
RATIO_FLOOR = 20 << 20  # parts smaller than this may compress as well as they like
CHUNK = 1 << 20
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def short(error: Exception) -> str:
    return str(error).splitlines()[0][:120]


def is_gzip(name: str) -> bool:
    return name.lower().endswith(".csv.gz")


def gunzip(name: str, data: bytes) -> tuple[bytes, Problem | None]:
    """The csv inside a .csv.gz, decompressed in chunks so that a bomb stops at the limit."""
    if not data.startswith(GZIP_MAGIC):
        return b"", Problem(
            name,
            "不是gzip压缩文件：扩展名为.csv.gz，内容却不是gzip格式；"
            "如是未压缩的csv文件，请将文件名改为以.csv结尾",
            code="gzip",
        )
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            while chunk := gz.read(CHUNK):
                out += chunk
                if len(out) > MAX_MEMBER or (
                    len(out) > RATIO_FLOOR and len(out) / len(data) > MAX_RATIO
                ):
                    return b"", Problem(
                        name, "解压后体积异常（疑似压缩炸弹），已拒绝读取", code="bomb"
                    )
    except EOFError:
        return b"", Problem(
            name,
            "压缩文件不完整（可能在下载或复制时中断），无法解压：请重新导出或重新复制该文件",
            code="gzip",
        )
    except (gzip.BadGzipFile, zlib.error, OSError):
        # a wrong checksum, bad compressed data or bytes after the end: the file was damaged
        return b"", Problem(
            name,
            "压缩文件已损坏，无法解压：请重新导出或重新复制该文件",
            code="gzip",
        )
    return bytes(out), None


# --- the xlsx package ---------------------------------------------------------------


@dataclass
class Book:
    """What workbook.xml and one streaming pass over every part told about a workbook."""

    parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip part
    extents: dict[str, xlsxscan.Extent] = field(default_factory=dict)  # zip part -> extent
    hidden: set[str] = field(default_factory=set)
    date1904: bool = False


def corrupt(name: str, detail: str) -> Problem:
    return Problem(name, f"文件已损坏，无法读取：{detail}", code="corrupt")


def inspect_zip(name: str, data: bytes) -> tuple[Book, Problem | None]:
    """Refuse bombs and entity declarations; scan every sheet part for formulas and extent."""
    book = Book()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return book, Problem(
            name,
            "文件已损坏或不是xlsx格式，无法打开：请用Excel打开后另存为.xlsx",
            code="corrupt",
        )
    entity = Problem(
        name,
        "含有XML实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝读取",
        code="xml-entity",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if (
                    info.file_size > MAX_MEMBER
                    or total > MAX_TOTAL
                    or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO)
                ):
                    return book, Problem(
                        name, "解压后体积异常（疑似压缩炸弹），已拒绝读取", code="bomb"
                    )
            for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                if name in zf.NameToInfo and _scan_part(zf, zf.getinfo(name)):
                    return book, entity
            book = _read_book(zf)
            sheet_parts = set(book.parts.values())
            for info in infos:
                if info.filename in sheet_parts:
                    extent = xlsxscan.scan(zf, info)
                    if extent.entity:
                        return book, entity
                    book.extents[info.filename] = extent
                elif info.filename.endswith((".xml", ".rels")) and _scan_part(zf, info):
                    return book, entity
            return book, None
    except DefusedXmlException:
        return book, entity
    except (ElementTree.ParseError, xlsxscan.BrokenSheet) as e:
        return book, corrupt(name, f"XML格式错误（{short(e)}）")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as e:
        return book, corrupt(name, short(e))


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Stream one XML part: whether it declares a DTD or entities (anywhere in it)."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


def _read_book(zf: zipfile.ZipFile) -> Book:
    """Sheet name -> the zip part holding it, hidden sheets and the date system (workbook.xml)."""
    root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
    book = Book()
    for sheet in root.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        name = sheet.get("name")
        book.parts[name] = target.lstrip("/") if target.startswith("/xl/") else f"xl/{target}"
        if sheet.get("state") in ("hidden", "veryHidden"):
            book.hidden.add(name)
    pr = root.find(f"{_NS_MAIN}workbookPr")
    book.date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    return book
