"""Compare the report.xlsx files of two runs as openpyxl reads them back.

`python scripts/compare_xlsx.py OLD/outputs NEW/outputs` loads every pair of report.xlsx with
openpyxl and compares sheet names and order, every cell's value, type and number format, fonts,
fills, borders, alignment, column widths, row heights, merged cells, frozen panes, print
settings and the document properties. Exit 1 and the differences named when any differs.
`--parts` also compares the stored parts byte for byte (all but docProps/app.xml).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.xml.functions import tostring

PROPERTIES = ("title", "creator", "created", "modified", "lastModifiedBy", "subject")
NOT_COMPARED_PARTS = {"docProps/app.xml"}  # names the program that wrote the file


def _style(obj) -> object:
    """An object openpyxl read, every attribute of it, as the XML it would write."""
    if obj is None:
        return None
    tree = obj.to_tree()
    return None if tree is None else tostring(tree).decode()


def cell_facts(c) -> tuple:
    return (
        c.value,
        type(c.value).__name__,
        c.data_type,
        c.number_format,
        _style(c.font),
        _style(c.fill),
        _style(c.border),
        _style(c.alignment),
        _style(c.protection),
        c.style_id > 0 if hasattr(c, "style_id") else None,
    )


def sheet_facts(ws) -> dict:
    ps, po = ws.page_setup, ws.print_options
    return {
        "dimensions": ws.dimensions,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "views": _style(ws.views),
        "widths": {k: (d.width, d.customWidth) for k, d in sorted(ws.column_dimensions.items())},
        "heights": {k: (d.height, d.customHeight) for k, d in sorted(ws.row_dimensions.items())},
        "page_setup": _style(ps),
        "print_options": _style(po),
        "margins": _style(ws.page_margins),
        "fit": _style(ws.sheet_properties),
        "print_titles": (ws.print_title_rows, ws.print_title_cols, ws.print_area),
        "footer": _style(ws.HeaderFooter),
        "cells": {
            c.coordinate: cell_facts(c)
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row)
            for c in row
        },
    }


def book_facts(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {
        "sheets": wb.sheetnames,
        "active": wb.active.title,
        "properties": {k: getattr(wb.properties, k) for k in PROPERTIES},
        "defined_names": sorted(map(repr, wb.defined_names.values())),
        "epoch": wb.epoch,
        **{f"sheet {ws.title}": sheet_facts(ws) for ws in wb.worksheets},
    }


def _diff(a: dict, b: dict, where: str) -> list[str]:
    out = []
    for k in sorted(set(a) | set(b), key=str):
        va, vb = a.get(k, "<missing>"), b.get(k, "<missing>")
        if isinstance(va, dict) and isinstance(vb, dict):
            out += _diff(va, vb, f"{where} {k}")
        elif va != vb:
            out.append(f"{where} {k}: {va!r} != {vb!r}")
    return out


def part_differences(old: Path, new: Path) -> list[str]:
    with zipfile.ZipFile(old) as za, zipfile.ZipFile(new) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        out = [] if names_a == names_b else [f"parts {names_a} != {names_b}"]
        for n in sorted((set(names_a) & set(names_b)) - NOT_COMPARED_PARTS):
            if za.read(n) != zb.read(n):
                out.append(f"part {n} differs")
    return out


def compare(old: Path, new: Path, parts: bool = False) -> tuple[int, list[str]]:
    """How many workbooks were compared, and every difference, one line each."""
    a = {p.relative_to(old) for p in old.glob("*/*/report.xlsx")}
    b = {p.relative_to(new) for p in new.glob("*/*/report.xlsx")}
    out = [f"{r}: only in {old}" for r in sorted(a - b)]
    out += [f"{r}: only in {new}" for r in sorted(b - a)]
    for r in sorted(a & b):
        out += _diff(book_facts(old / r), book_facts(new / r), str(r))
        if parts:
            out += [f"{r} {d}" for d in part_differences(old / r, new / r)]
    return len(a & b), out


def main(argv: list[str]) -> int:
    parts = "--parts" in argv
    args = [a for a in argv if a != "--parts"]
    if len(args) != 2:
        print("用法：python scripts/compare_xlsx.py 旧输出目录 新输出目录 [--parts]")
        return 2
    n, differences = compare(Path(args[0]), Path(args[1]), parts)
    for line in differences:
        print(line)
    if not n:
        print(f"两个目录中没有可比较的 report.xlsx（应在 {args[0]}/<期间>/<代码>/report.xlsx）")
        return 1
    verdict = f"有{len(differences)}处不同" if differences else "全部相同"
    print(f"比较了{n}个report.xlsx，{verdict}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
