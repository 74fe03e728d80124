"""What a report was made from, so an unchanged report is not made again.

A report's key hashes everything its outputs depend on: the notebook (the unit's own, when it
has one: notebook.Job.notebook_in), the project's code and templates (and the versions of the
libraries that shape the output), the parameters, the narrative file, and the data the report
reads — the rows of its own unit (a city: every unit under it) in the half-years it covers
(`_reach`: a summary's period and the year before, a review's years and base year, a
highlights brief's every earlier year and, for a district's ranks, its city's districts).
Changing one district's summary data changes the keys of that district's reports and of the
city report (and the highlights of the city's districts), and of nothing else.

The key is written to the report folder (`.emreport-run.json`) after its files are in place;
a folder whose key matches and whose files are all there is up to date.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from emreport.data import kinds

if TYPE_CHECKING:
    from emreport.data.periods import Period, PlanPeriod
    from emreport.data.store import Store, Unit

LIBRARIES = ("pandas", "jinja2", "papermill", "playwright", "openpyxl", "typst")


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def code_key() -> str:
    """The project's code and templates, the versions of the libraries that shape a report,
    and the PDF engine chosen (EMREPORT_PDF, read at every call)."""
    from emreport.output.pdf import engine

    return _sha(_code_key(), f"pdf={engine()}")


@cache
def _code_key() -> str:
    root = Path(__file__).parents[1]  # the whole package
    parts: list[bytes | str] = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            parts += [str(path.relative_to(root)), path.read_bytes()]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} missing")
    return _sha(*parts)


def file_key(path: Path) -> str:
    """A file's content, or its absence."""
    try:
        return _sha(path.read_bytes())
    except FileNotFoundError:
        return "absent"


def notebook_key(path: Path) -> str:
    """What a notebook runs: each cell's type, source and tags, and the kernel it asks for.
    Outputs, execution counts and timings are not part of it, so a notebook saved in
    JupyterLab after a run (with its outputs) keeps its key and its reports stay current. A
    file that is not a notebook is keyed by its bytes (the plan reports it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "absent"
    try:
        nb = json.loads(data)
        cells = [
            [c.get("cell_type"), c.get("source"), c.get("metadata", {}).get("tags", [])]
            for c in nb["cells"]
        ]
        kernel = nb.get("metadata", {}).get("kernelspec", {})
    except (ValueError, KeyError, TypeError, AttributeError):
        return _sha(data)
    return _sha(json.dumps([cells, kernel], ensure_ascii=False, sort_keys=True))


def _half(expr: str) -> str:
    return f"(year({expr}) || '-H' || (CASE WHEN month({expr}) <= 6 THEN 1 ELSE 2 END))"


@dataclass(frozen=True)
class Reads:
    """One report's data: its unit, kind (data/kinds.py) and period (a Period or PlanPeriod)."""

    unit: Unit
    kind: str
    period: Period | PlanPeriod

    @property
    def folder(self) -> str:
        return kinds.kind(self.kind).folder(self.period)


def _reach(r: Reads, reg) -> tuple[list[str], set[str] | None, str]:
    """The units whose rows a report reads, the half-years it reads (None: every one up to
    the last) and its last half-year. A summary reads its period and the year before; a review
    the years of its span and the base year (PlanPeriod.halves, previous_year); a highlights
    brief every earlier year in the store (firsts and records) and, for its ranks, every
    district of the city (a district's brief: its city's)."""
    p = r.period
    last = max(p.halves)
    if r.kind != kinds.HIGHLIGHTS:
        return list(r.unit.members), set(p.halves) | set(p.previous_year().halves), last
    if r.unit.is_city:
        return list(r.unit.members), None, last
    parent = reg.loc[reg["code"] == r.unit.code, "parent"]
    city = str(parent.iloc[0]) if len(parent) and parent.iloc[0] else ""
    peers = list(reg.loc[reg["parent"] == city, "code"]) if city else []
    return sorted({r.unit.code, *peers}), None, last


def data_keys(store: Store, reads: list[Reads]) -> dict[tuple[str, str], str]:
    """Per (unit code, period folder): a hash of the rows the report reads (`_reach`). One
    grouped scan per table computes a count and a sum of row hashes for every district and
    half-year."""
    from emreport.data.schema import TABLES

    con = store.con
    cells: dict[tuple[str, str], list] = defaultdict(list)  # (table, district) -> rows
    tables = [t for t in TABLES if t.kind != "registry"]
    stock_tables = {t.id for t in tables if t.kind == "stock"}
    columns: dict[str, list[str]] = defaultdict(list)
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns[table].append(column)
    # one query for every table: DuckDB plans each statement for a few milliseconds
    selects = []
    for t in tables:
        row_hash = "hash(" + ", ".join(f'"{c}"' for c in columns[t.id]) + ")"
        half = '"half"' if t.kind == "total" else _half(f'"{t.date}"')
        selects.append(
            f"SELECT '{t.id}' AS t, district, {half} AS h, count(*) AS n, "
            f"sum({row_hash})::VARCHAR AS s FROM {t.id} GROUP BY ALL"
        )
    sql = " UNION ALL ".join(selects) + " ORDER BY t, district, h, n, s"
    for table, district, h, n, s in con.execute(sql).fetchall():
        cells[(table, district)].append((h, n, s))
    reg = store.registry()
    reg_rows = {
        r["code"]: json.dumps(r, ensure_ascii=False, default=str, sort_keys=True)
        for r in reg.to_dict("records")
    }
    everywhere = ",".join(sorted(store.halves()))  # decides where 同比 can be stated
    out = {}
    for r in reads:
        members, halves, last = _reach(r, reg)
        parts: list[str] = [r.unit.code, r.kind, r.period.code, everywhere]
        parts.append(reg_rows.get(r.unit.code, ""))
        for member in sorted(members):
            parts.append(reg_rows.get(member, ""))
            for t in TABLES:
                every = halves is None or t.id in stock_tables  # every half up to the last
                for h, n, s in cells.get((t.id, member), ()):
                    if h is not None and (h <= last if every else h in halves):
                        parts.append(f"{t.id}/{member}/{h}/{n}/{s}")
        out[(r.unit.code, r.folder)] = _sha(*parts)
    return out
