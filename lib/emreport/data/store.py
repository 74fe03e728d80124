"""The embedded store: one DuckDB file, replaced whole by each successful ingest.

Reading is by unit (a district, or a city with its districts and 市本级) and period; every
table comes back already cut to the period and the same period a year earlier.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from emreport import config
from emreport.data.cells import squash
from emreport.data.periods import Period
from emreport.data.schema import TABLES, Table

CITY = "市"
CITY_OWN = "市本级"
# the row an ingest writes into the store's meta table, which marks the file as an emreport store
MARK = ("made_by", "emreport")
# keys every store's meta table has had, so a store built before MARK is still recognised
_META_KEYS = {"schema", "ingested_at", "validated_on", "files"}
_DUCKDB_MAGIC = (8, b"DUCK")  # offset and bytes of DuckDB's file header
_DUCKDB_HEADERS = 3 * 4096  # the file header and two database headers, before the blocks
_KINDS = (
    (stat.S_ISDIR, "是文件夹"),
    (stat.S_ISCHR, "是字符设备"),
    (stat.S_ISBLK, "是块设备"),
    (stat.S_ISFIFO, "是命名管道（FIFO）"),
    (stat.S_ISSOCK, "是套接字"),
)
READ_HINT = (
    "请检查 --store 或环境变量 EMREPORT_STORE 所指的路径；如尚未导入数据，请先运行 emreport ingest"
)


class StoreError(Exception):
    """The store cannot answer: not built yet, or asked about something it does not hold."""


@dataclass(frozen=True)
class Unit:
    """What a report is about: one district, or a city and everything under it."""

    code: str
    name: str
    level: str
    members: tuple[str, ...]
    own: str = ""  # a city's 市本级 member (its headquarters' own work), "" without one

    @property
    def is_city(self) -> bool:
        return self.level == CITY


def _not_a_file(path: Path) -> str | None:
    """What the path is when it is not a regular file (following links), else None."""
    mode = os.stat(path).st_mode
    for test, words in _KINDS:
        if test(mode):
            return f"{path}{words}，不是数据库文件"
    return None if stat.S_ISREG(mode) else f"{path}不是普通文件，不是数据库文件"


def _open(
    path: Path, config: dict | None = None
) -> tuple[duckdb.DuckDBPyConnection | None, str | None]:
    """A read-only connection to an existing emreport store, or why the path is not one."""
    try:
        words = _not_a_file(path)
        if words:
            return None, words
        with open(path, "rb") as fh:
            head = fh.read(16)
    except PermissionError:
        return None, f"{path}无法读取：没有读取权限"
    except OSError as e:
        return None, f"{path}无法读取（{e.strerror}）"
    if not head:
        return None, f"{path}是空文件，不是emreport数据库"
    offset, magic = _DUCKDB_MAGIC
    if head[offset : offset + len(magic)] != magic:
        return None, f"{path}不是emreport数据库（不是DuckDB数据库文件，可能是数据文件或其他文件）"
    broken = f"{path}无法作为数据库打开（文件已损坏或不完整）"
    try:
        con = duckdb.connect(str(path), read_only=True, config=config or {})
    except duckdb.Error:
        return None, broken
    try:
        _, _, block, blocks, *_ = con.execute("PRAGMA database_size").fetchone()
        if os.path.getsize(path) < _DUCKDB_HEADERS + block * blocks:  # cut short
            con.close()
            return None, broken
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.CatalogException:  # no meta table
        meta = {}
    except (duckdb.Error, OSError):
        con.close()
        return None, broken
    if meta.get(MARK[0]) != MARK[1] and not _META_KEYS <= meta.keys():
        con.close()
        return None, f"{path}是DuckDB数据库，但不是emreport导入建立的"
    return con, None


def not_a_store(path: Path) -> str | None:
    """Why an existing path is not an emreport store, in words; None when it is one."""
    con, words = _open(Path(path))
    if con is not None:
        con.close()
    return words


# what a store file holds that every report reads whole (its half-years, its period-total and
# stock tables), kept per file as long as the file is the same one: an ingest swaps in a new
# file (another inode, size or time), and the next Store of that path reads it afresh
_WHOLE: dict[str, tuple[tuple, dict]] = {}


def _ident(path: Path) -> tuple[str, tuple]:
    """A store file's key (its resolved path) and identity: another inode, size or time is
    another file (an ingest replaces it whole)."""
    key = str(path.resolve())
    st = os.stat(key)
    return key, (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns)


def _whole(path: Path) -> dict:
    """The cache of one store file's whole reads, emptied when the file was replaced."""
    key, ident = _ident(path)
    held = _WHOLE.get(key)
    if held is None or held[0] != ident:
        _WHOLE.clear()  # one store at a time: a process seldom reads two
        held = _WHOLE[key] = (ident, {})
    return held[1]


# A connection without threads of its own, held open for the processes this one forks (see
# `hold`), by file as `_WHOLE` is, with the process that opened it
_HELD: dict[str, tuple[tuple, duckdb.DuckDBPyConnection, int]] = {}
# DuckDB's async I/O threads off and its one worker thread the caller's: an open connection
# then starts no thread, and a process holding one can be forked safely
THREADLESS = {"threads": 1, "async_threads": 0}


def hold(path: Path | str) -> None:
    """Open the store once and keep the connection: every `Store` of the same file in this
    process then takes a cursor on it, and the first in a copy forked later takes the
    connection over (`_held`), instead of opening the file (opening a DuckDB database costs
    15 ms of CPU). The kernel server
    holds its store for the kernels it forks (kernels._preread); the connection starts no
    thread, so forking stays safe. A copy must keep the descriptors as they were: the
    kernels do (they close only the server's pipes), while the kernel server, a copy of its
    worker, closes every descriptor it inherits (procs.Forked; DuckDB would then read from
    whatever took the number), so it opens the store itself and the processes above it hold
    nothing. Raises StoreError as `Store` does."""
    path = Path(path)
    key, ident = _ident(path)
    held = _HELD.get(key)
    if held is not None and held[0] == ident and held[2] == os.getpid():
        return
    con, words = _open(path, THREADLESS)
    if con is None:
        raise StoreError(f"{words}：{READ_HINT}")
    release()
    _HELD[key] = (ident, con, os.getpid())


def release() -> None:
    """Close the connections `hold` keeps."""
    for _, con, _ in _HELD.values():
        con.close()
    _HELD.clear()


def _held(path: Path) -> duckdb.DuckDBPyConnection | None:
    """The held connection to this very file, or None: a cursor on it in the process that
    holds it; in a copy (a kernel) the connection itself, which the Store then owns and
    closes, so that the copy can afterwards open the file with other settings (DuckDB
    refuses a second connection to a path with different ones: `duckdb.connect` in a cell).
    A connection to a file since replaced (by an ingest) is closed, for the same reason."""
    try:
        key, ident = _ident(path)
    except OSError:
        return None
    held = _HELD.get(key)
    if held is None:
        return None
    if held[0] != ident:
        release()
        return None
    if held[2] == os.getpid():
        return held[1].cursor()
    del _HELD[key]
    return held[1]


class Store:
    """Read-only access to the last good ingest."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or config.STORE)
        if not self.path.exists():
            raise StoreError(f"尚未导入数据（找不到{self.path}）：请先运行 emreport ingest")
        con = _held(self.path)
        if con is None:
            con, words = _open(self.path)
            if con is None:
                raise StoreError(f"{words}：{READ_HINT}")
        self.con = con
        self._registry: pd.DataFrame | None = None
        self._whole = _whole(self.path)
        self._small: dict[str, pd.DataFrame] = self._whole.setdefault("small", {})
        self._cuts: dict[tuple, pd.DataFrame] = {}  # a unit's and period's rows of one table

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def registry(self) -> pd.DataFrame:
        """The district registry, as ingested."""
        if self._registry is None:
            if "registry" not in self._whole:
                self._whole["registry"] = self.con.execute(
                    "SELECT * FROM districts ORDER BY code"
                ).df()
            self._registry = self._whole["registry"].copy()
        return self._registry

    def preread(self) -> None:
        """Read now what every report on this file reads whole (the registry, the half-years,
        the period totals and stocks with their rows' hashes, the event tables' columns), into
        the per-file cache, without Arrow's threads: the kernel server does, once, so that the
        kernels it forks find them read (kernels.py)."""
        self.registry()
        self.halves()
        for table in TABLES:
            if table.kind in ("total", "stock") and table.id not in self._small:
                self._small[table.id] = self._query(f"SELECT * FROM {table.id}", [], threads=False)
                self._row_hashes(table.id)
            elif table.kind == "event":
                self._columns(table.id)

    def meta(self) -> dict[str, str]:
        """Facts about the ingest that built this store (time, schema, files)."""
        return dict(self.con.execute("SELECT key, value FROM meta").fetchall())

    def halves(self) -> set[str]:
        """Half-years holding any record or total, so 同比 is stated only where last year was
        recorded and a report is refused for a period with no data at all."""
        if "halves" not in self._whole:
            # the year and the half as numbers, worded once per distinct pair: building the
            # words for each of millions of records took six times as long
            dated = " UNION ".join(
                f"SELECT DISTINCT year({t.date}), month({t.date}) <= 6 FROM {t.id}"
                for t in TABLES
                if t.kind == "event"
            )
            totals = " UNION ".join(
                f"SELECT DISTINCT half FROM {t.id}" for t in TABLES if t.kind == "total"
            )
            halves = {
                None if year is None else f"{year}-H{1 if first else 2}"
                for year, first in (self.con.execute(dated).fetchall() if dated else [])
            }
            if totals:
                halves |= {r[0] for r in self.con.execute(totals).fetchall()}
            self._whole["halves"] = halves
        return set(self._whole["halves"])

    def covers(self, period: Period) -> bool:
        """Whether every half-year of the period has data."""
        return set(period.halves) <= self.halves()

    def unit(self, code: str) -> Unit:
        """Resolve a code to the unit a report covers; unknown codes are named with the known ones."""
        reg = self.registry()
        row = reg[reg["code"] == squash(code)]  # full-width digits read as ASCII
        if row.empty:
            names = dict(zip(reg["code"], reg["name"], strict=True))
            known = "、".join(f"{c}{n}" for c, n in names.items())
            near = difflib.get_close_matches(squash(code), list(names), n=1, cutoff=0.6)
            hint = f"：是不是“{near[0]}”（{names[near[0]]}）？" if near else ""
            raise StoreError(f"未知的区划代码“{code}”{hint}（已登记：{known}）")
        r = row.iloc[0]
        if r["level"] == CITY:
            under = reg[reg["parent"] == r["code"]]
            members = tuple(under["code"])
            own = next(iter(under.loc[under["level"] == CITY_OWN, "code"]), "")
            return Unit(r["code"], r["name"], r["level"], members, own)
        return Unit(r["code"], r["name"], r["level"], (r["code"],))

    def read(self, table: Table, unit: Unit, period: Period) -> pd.DataFrame:
        """One table for the unit: an event table's records dated in the period; a total or
        stock table's rows up to the period's end, including the year before (figures of a
        period are cut from them by `metrics.PeriodData`)."""
        if table.kind != "event":
            return self._cut_small(table, list(unit.members), period)
        where, args = self._event_rows(table, unit, [period])
        return self._query(f"SELECT * FROM {table.id} WHERE {where}", args)

    @staticmethod
    def _event_rows(table: Table, unit: Unit, periods: list[Period]) -> tuple[str, list]:
        """Which rows of an event table are the unit's and dated in one of the periods: one
        predicate for reading and for fingerprinting."""
        codes = list(unit.members)
        dated = " OR ".join([f"({table.date} >= ? AND {table.date} < ?)"] * len(periods))
        where = f"district IN ({','.join('?' * len(codes))}) AND ({dated})"
        return where, codes + [ts for p in periods for ts in (p.start_ts, p.end_exclusive_ts)]

    def _cut_small(self, table: Table, codes: list[str], period: Period) -> pd.DataFrame:
        """Period totals and stocks: a few rows per district and half-year, so each is read
        whole once per store file and cut in memory, which keeps a slice to a few queries. The
        cut is made once for a unit and period (the fingerprint reads what the slice does)."""
        key = (table.id, tuple(codes), period.code)
        if key not in self._cuts:
            self._cuts[key] = self._cut_whole(table, codes, period)
        return self._cuts[key]

    def _cut_whole(self, table: Table, codes: list[str], period: Period) -> pd.DataFrame:
        if table.id not in self._small:
            self._small[table.id] = self._query(f"SELECT * FROM {table.id}", [])
        df = self._small[table.id]
        keep = df["district"].isin(codes)
        if table.kind == "total":
            keep &= df["half"].isin(period.previous_year().halves + period.halves)
        else:
            keep &= df[table.date] <= pd.Timestamp(period.end)
        return df[keep]

    def _query(self, sql: str, args: list, threads: bool = True) -> pd.DataFrame:
        # one chunk per column: taking rows from a column in chunks joins the chunks first,
        # every time (a city splits its records once per member)
        table = self.con.sql(sql, params=args).to_arrow_table().combine_chunks()
        return table.to_pandas(date_as_object=False, use_threads=threads)

    def slice(self, unit: Unit, period: Period) -> dict[str, pd.DataFrame]:
        """Every data table for the unit and period, by table id (see `read`)."""
        return {t.id: self.read(t, unit, period) for t in TABLES if t.kind != "registry"}

    def fingerprint(self, unit: Unit, period: Period) -> str:
        """A hash of everything a report on the unit and period reads: the unit's registry entry
        and its rows of every table. Equal fingerprints mean the report would read the same
        data. Event tables are hashed where they are stored, without reading them out: a
        city's millions of records would otherwise be hashed in memory a second time."""
        h = hashlib.sha256(repr((unit, period.code)).encode())
        tables = sorted((t for t in TABLES if t.kind != "registry"), key=lambda t: t.id)
        events = self._event_hashes([t for t in tables if t.kind == "event"], unit, period)
        for table in tables:
            if table.kind == "event":
                h.update(events[table.id].encode())
            else:
                df = self._cut_small(table, list(unit.members), period)
                h.update(f"{table.id}:{','.join(df.columns)}:{len(df)}".encode())
                h.update(self._cut_hashes(table.id, df).tobytes())
        return h.hexdigest()[:16]

    def _cut_hashes(self, table_id: str, cut: pd.DataFrame):
        """Each row's hash of a cut of a total or stock table (`_cut_small`): looked up in the
        whole table's (`_row_hashes`) by row number, or hashed here should the whole table not
        be numbered by row."""
        whole = self._small[table_id].index
        if isinstance(whole, pd.RangeIndex) and (whole.start, whole.step) == (0, 1):
            return self._row_hashes(table_id)[cut.index.to_numpy()]
        return pd.util.hash_pandas_object(cut, index=False).to_numpy()

    def _columns(self, table_id: str) -> list[str]:
        """A table's columns, looked up once per store file."""
        held = self._whole.setdefault("columns", {})
        if table_id not in held:
            held[table_id] = self.con.table(table_id).columns
        return held[table_id]

    def _row_hashes(self, table_id: str):
        """Each row's hash (pandas' `hash_pandas_object`) of a total or stock table read
        whole, by row number, made once per store file: a cut's rows keep their numbers (the
        whole table's RangeIndex), so hashing a cut is a lookup, the same bytes as hashing the
        cut itself (each row's hash is its values' alone)."""
        held = self._whole.setdefault("row_hashes", {})
        if table_id not in held:
            held[table_id] = pd.util.hash_pandas_object(
                self._small[table_id], index=False
            ).to_numpy()
        return held[table_id]

    def _event_hashes(self, tables: list[Table], unit: Unit, period: Period) -> dict[str, str]:
        """Each event table's count and sum of row hashes over the unit's rows of the period
        and the year before, by table id, in one statement."""
        parts, args, cols = [], [], {}
        for i, table in enumerate(tables):
            cols[table.id] = self._columns(table.id)
            where, more = self._event_rows(table, unit, [period.previous_year(), period])
            parts.append(
                f"SELECT {i} AS t, count(*), "
                f"coalesce(sum(hash({', '.join(cols[table.id])})), 0)::VARCHAR "
                f"FROM {table.id} WHERE {where}"
            )
            args += more
        rows = self.con.execute(" UNION ALL ".join(parts), args).fetchall() if parts else []
        out = {}
        for i, n, total in rows:
            tid = tables[i].id
            out[tid] = f"{tid}:{','.join(cols[tid])}:{n}:{total}"
        return out
