"""Validate every input file and build the store, all or nothing.

Each file is parsed once into typed parts kept in a cache in the store's companion folder (see
companions.py; keyed by the file's content and the data model); a file whose size and
modification time have not changed since the last ingest is not opened at all. Checks across
files (duplicate ids, unknown district codes) run in DuckDB over the cached parts. The new store
is written in the companion folder and swapped in with one rename, so a failed or interrupted
ingest leaves the last good store in place. A store path that exists and is not an emreport
store is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from emreport import atomic
from emreport.data import companions, schema, sources
from emreport.data.companions import Companions
from emreport.data.problems import InputError, Problem
from emreport.data.schema import REGISTRY, TABLES, Table
from emreport.data.store import MARK
from emreport.data.validate import arrow_schema, typed_table


@dataclass
class IngestResult:
    """What an ingest did, for the summary line."""

    store: Path
    files: int = 0
    reused: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # hidden sheets read, other files skipped


@dataclass
class _Part:
    table: str
    path: Path


def _load_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}}
    return manifest if manifest.get("schema") == schema.fingerprint() else {"files": {}}


def ingest(data_dir: Path, store: Path, today: date | None = None) -> IngestResult:
    """Validate every file in data_dir and replace the store; raises InputError on any problem
    with the data, StoreError (before writing anything) when the store path is not usable."""
    today = today or date.today()
    data_dir, store = Path(data_dir), Path(store)
    if not data_dir.is_dir():
        raise InputError([Problem(str(data_dir), "数据文件夹不存在", code="no-folder")])
    companions.check(store, data_dir)
    c = companions.claim(store)
    with companions.locked(c):
        companions.check(store, data_dir)  # another ingest may have changed it meanwhile
        companions.clean_leftovers(c, store)
        result = _ingest(data_dir, Path(os.path.realpath(store)), c, today)
    result.store = store
    return result


def _ingest(data_dir: Path, store: Path, c: Companions, today: date) -> IngestResult:
    cache, manifest_path = c.cache, c.manifest
    old = _load_manifest(manifest_path)
    found, problems = sources.discover(data_dir)
    if not found and not problems:
        problems.append(Problem(str(data_dir), "文件夹中没有xlsx或csv数据文件", code="no-files"))
    result = IngestResult(store=store, files=len(found))
    files: dict[str, dict] = {}
    parts: list[_Part] = []
    for src in found:
        entry, file_parts, file_problems = _load(src, old["files"].get(src.name), cache, today)
        if entry.get("reused"):
            result.reused += 1
        problems += file_problems
        files[src.name] = {k: v for k, v in entry.items() if k != "reused"}
        parts += file_parts
    if problems:
        raise InputError(problems)
    problems = _cross_checks(parts)
    if problems:
        raise InputError(problems)
    result.rows = _build(parts, store, c.temp_store(), files, today)
    atomic.write_text(
        manifest_path,
        json.dumps({"schema": schema.fingerprint(), "files": files}, ensure_ascii=False, indent=1),
    )
    keep = {f"{e['key']}.json" for e in files.values()}
    companions.collect_garbage(c, keep | {p["file"] for e in files.values() for p in e["parts"]})
    result.notes = sources.notes(data_dir, files)
    return result


def _load(
    src: sources.Source, previous: dict | None, cache: Path, today: date
) -> tuple[dict, list[_Part], list[Problem]]:
    """The typed parts of one file: from the cache when unchanged, parsed otherwise."""
    stat = src.path.stat()
    if previous and previous["size"] == stat.st_size and previous["mtime_ns"] == stat.st_mtime_ns:
        parts = [_Part(p["table"], cache / p["file"]) for p in previous["parts"]]
        if all(p.path.exists() for p in parts):
            return {**previous, "reused": True}, parts, []
    data = src.path.read_bytes()
    key = hashlib.sha256(src.name.encode() + b"\0" + data).hexdigest()[:32]
    entry = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "key": key}
    index = cache / f"{key}.json"
    if index.exists():
        listed = json.loads(index.read_text(encoding="utf-8"))
        parts = [_Part(p["table"], cache / p["file"]) for p in listed]
        if all(p.path.exists() for p in parts):
            return {**entry, "parts": listed}, parts, []
    raws, problems = sources.read(src, data)
    del data
    listed, parts = [], []
    for i, raw in enumerate(raws):
        typed, sheet_problems = typed_table(raw, today)
        problems += sheet_problems
        if typed is None or problems:
            continue
        name = f"{key}-{i}.parquet"
        with atomic.replacing(cache / name) as tmp:
            pq.write_table(typed, tmp)
        listed.append(
            {
                "table": raw.table.id,
                "file": name,
                "sheet": raw.sheet,
                "rows": len(typed),
                **({"hidden": True} if raw.hidden else {}),
            }
        )
        parts.append(_Part(raw.table.id, cache / name))
    if problems:
        return entry, [], problems
    atomic.write_text(index, json.dumps(listed, ensure_ascii=False))
    return {**entry, "parts": listed}, parts, []


def _relation(con: duckdb.DuckDBPyConnection, table: Table, parts: list[_Part]) -> str:
    """A SQL expression reading every cached part of a table (or an empty typed table)."""
    files = [str(p.path) for p in parts if p.table == table.id]
    if files:
        return f"read_parquet({files!r})"
    empty = pa.Table.from_batches([], schema=arrow_schema(table))
    con.register(f"empty_{table.id}", empty)
    return f"empty_{table.id}"


def _cross_checks(parts: list[_Part]) -> list[Problem]:
    """Checks that need every file at once: the registry, duplicate keys, unknown districts."""
    con = duckdb.connect()
    try:
        rel = {t.id: _relation(con, t, parts) for t in TABLES}
        problems = _registry_checks(con, rel[REGISTRY.id])
        if problems:
            return problems
        for table in TABLES:
            problems += _duplicates(con, table, rel[table.id])
            if table is not REGISTRY:
                problems += _unknown_districts(con, table, rel[table.id], rel[REGISTRY.id])
        return problems
    finally:
        con.close()


def _registry_checks(con: duckdb.DuckDBPyConnection, registry: str) -> list[Problem]:
    rows = con.execute(
        f"SELECT code, name, level, parent, _file, _sheet, _row FROM {registry}"
    ).fetchall()
    if not rows:
        return [
            Problem(
                REGISTRY.name,
                "缺少区划名录：数据中须有一张“区划名录”表，列出市、各区县和市本级",
                code="no-registry",
            )
        ]
    levels = {r[0]: r[2] for r in rows}
    problems = []
    for _code, _name, level, parent, file, sheet, row in rows:
        if level == "市" and parent:
            message = "不应填写：级别为“市”的单位没有上级"
        elif level != "市" and not parent:
            message = "为空：区、县、开发区和市本级须填写所属市的代码"
        elif level != "市" and levels.get(parent) != "市":
            message = "不是名录中级别为“市”的单位"
        else:
            continue
        value = parent if parent else None
        problems.append(Problem(file, message, sheet, row, "上级代码", value, "registry"))
    return problems


def _where(file: str, sheet: str | None, row: int) -> str:
    return f"{file}{f' 工作表“{sheet}”' if sheet else ''} 第{row}行"


def _duplicates(con: duckdb.DuckDBPyConnection, table: Table, rel: str) -> list[Problem]:
    keys = ", ".join(table.key)
    sql = (
        f"SELECT {keys}, _file, _sheet, _row, "
        f"first_value(_file) OVER w, first_value(_sheet) OVER w, first_value(_row) OVER w, "
        f"row_number() OVER w AS n FROM {rel} "
        f"WINDOW w AS (PARTITION BY {keys} ORDER BY _file, _sheet, _row) "
        f"QUALIFY n > 1 ORDER BY _file, _sheet, _row"
    )
    problems = []
    k = len(table.key)
    for r in con.execute(sql).fetchall():
        values, (file, sheet, row, f0, s0, r0, _n) = r[:k], r[k:]
        first = _where(f0, s0, r0)
        if k == 1:
            column = table.column(table.key[0])
            problems.append(
                Problem(
                    file, f"重复：与{first}相同", sheet, row, column.name, values[0], "duplicate"
                )
            )
        else:
            names = "、".join(table.column(c).name for c in table.key)
            shown = "、".join(str(v) for v in values)
            problems.append(
                Problem(
                    file,
                    f"重复填报：{names}“{shown}”已出现在{first}",
                    sheet,
                    row,
                    None,
                    None,
                    "duplicate",
                )
            )
    return problems


def _unknown_districts(
    con: duckdb.DuckDBPyConnection, table: Table, rel: str, registry: str
) -> list[Problem]:
    sql = (
        f"SELECT t.district, t._file, t._sheet, t._row, r.level FROM {rel} t "
        f"LEFT JOIN {registry} r ON r.code = t.district "
        f"WHERE r.code IS NULL OR r.level = '市' ORDER BY t._file, t._sheet, t._row"
    )
    problems = []
    for code, file, sheet, row, level in con.execute(sql).fetchall():
        message = (
            "是市级代码：市局本级的数据请填市本级的代码"
            if level == "市"
            else "不在区划名录中：请核对代码，或先在“区划名录”中登记"
        )
        problems.append(Problem(file, message, sheet, row, "区划代码", code, "district"))
    return problems


def _build(parts: list[_Part], store: Path, tmp: Path, files: dict, today: date) -> dict[str, int]:
    """Write the new store in the companion folder, then swap it in with one rename."""
    atomic.discard(tmp)  # left by this process id before
    rows: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp))
        try:
            for table in TABLES:
                columns = ", ".join(arrow_schema(table, provenance=False).names)
                # rows of the same unit and date keep the order of the files (a sort that
                # left ties to chance would reorder, say, a report's list of campaigns)
                order = (
                    "code" if table is REGISTRY else f"district, {table.date}, _file, _sheet, _row"
                )
                con.execute(
                    f"CREATE TABLE {table.id} AS SELECT {columns} FROM "
                    f"{_relation(con, table, parts)} ORDER BY {order}"
                )
                rows[table.id] = con.execute(f"SELECT count(*) FROM {table.id}").fetchall()[0][0]
            meta = {
                MARK[0]: MARK[1],
                "schema": schema.fingerprint(),
                "ingested_at": datetime.now().isoformat(timespec="seconds"),
                "validated_on": today.isoformat(),
                "files": json.dumps(files, ensure_ascii=False, sort_keys=True),
            }
            con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            con.execute("CHECKPOINT")
        finally:
            con.close()
        atomic.commit(tmp, store)
    finally:
        atomic.discard(tmp)  # and its .wal
    return rows
