"""Writing the sample's files the way bureau exports look: messy cells, workbooks, hazard files."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from emreport.data.schema import BY_ID, Table


def _messy(rng: np.random.Generator, rows: list[dict], column: str, how: str) -> None:
    """Write a few cells the way bureau exports do: text dates, full-width digits, aliases."""
    for row in rows:
        if rng.random() >= 0.15 or row.get(column) is None:
            continue
        v = row[column]
        if how == "cn-date":
            row[column] = f"{v.year}年{v.month}月{v.day}日"
        elif how == "slash-date":
            row[column] = f"{v.year}/{v.month}/{v.day}"
        elif how == "text-number":
            row[column] = str(v).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
        elif how == "alias" and v == "危险化学品":
            row[column] = "危化品"


def all_messy(rng: np.random.Generator, tables: dict[str, list[dict]]) -> None:
    _messy(rng, tables["accidents"], "发生时间", "cn-date")
    _messy(rng, tables["inspections"], "检查日期", "slash-date")
    _messy(rng, tables["inspections"], "执法人次", "text-number")
    _messy(rng, tables["inspections"], "行业领域", "alias")


def _write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> None:
    wb = Workbook(write_only=True)
    for table_id, rows in sheets.items():
        table: Table = BY_ID[table_id]
        ws = wb.create_sheet(table.name)
        headers = [c.header for c in table.columns]
        names = [c.name for c in table.columns]
        ws.append(headers)
        for row in rows:
            ws.append([_cell(row.get(n)) for n in names])
    wb.save(path)


def _cell(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_workbooks(out: Path, registry: list[dict], tables: dict[str, list[dict]]) -> None:
    """The six workbooks of an input folder, every table but the hazard records."""
    _write_xlsx(out / "区划名录.xlsx", {"districts": registry})
    _write_xlsx(out / "生产安全事故.xlsx", {"accidents": tables["accidents"]})
    _write_xlsx(out / "执法检查.xlsx", {"inspections": tables["inspections"]})
    _write_xlsx(
        out / "防汛防台.xlsx",
        {t: tables[t] for t in ("flood_responses", "flood_work", "disasters")},
    )
    _write_xlsx(
        out / "工作台账.xlsx",
        {
            t: tables[t]
            for t in (
                "campaigns",
                "covert_checks",
                "training",
                "publicity",
                "forest_fire",
                "responsibility",
                "accountability",
                "licensing",
            )
        },
    )
    _write_xlsx(out / "应急保障.xlsx", {"preparedness": tables["preparedness"]})


def write_hazards(out: Path, key: str, frame: pd.DataFrame, fmt: str) -> None:
    for column in ("发现日期", "整改期限", "整改日期"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    if fmt == "csv":
        frame.to_csv(
            out / f"隐患排查_{key}.csv",
            index=False,
            encoding="utf-8-sig",
            quoting=csv.QUOTE_MINIMAL,
        )
        return
    if fmt == "csv.gz":
        text = frame.to_csv(index=False, quoting=csv.QUOTE_MINIMAL)
        # no time or name in the gzip header: the same bytes on every run
        packed = gzip.compress(text.encode("utf-8-sig"), compresslevel=9, mtime=0)
        (out / f"隐患排查_{key}.csv.gz").write_bytes(packed)
        return
    for column in ("发现日期", "整改期限", "整改日期"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    _write_xlsx(out / f"隐患排查_{key}.xlsx", {"hazards": rows})
