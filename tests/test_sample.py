"""The committed sample (data/sample/): what the generator writes, over 2020–2025, with a trend
a five-year review and a highlights brief can speak of truthfully."""

from __future__ import annotations

import gzip
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from emreport import config
from emreport.data.ingest import ingest
from emreport.data.sample import YEARS, generate
from emreport.data.schema import TABLES
from emreport.data.store import Store
from emreport.metrics import compute

CITY = "990100"
HALVES = {f"{y}-H{h}" for y in range(2020, 2026) for h in (1, 2)}
# the city's figures year by year, from the committed files (2024 and 2025 as before the
# earlier years were added: the hand-worked tests of the reports use them)
CITY_BY_YEAR = {
    # year: accidents, deaths, 较大, hazards found, 整改率 %, inspections, fines 万元, trained
    2020: (58, 54, 1, 16197, 92.28, 964, 2063.24, 21332),
    2021: (41, 43, 0, 18911, 93.35, 1179, 2397.94, 27605),
    2022: (57, 47, 1, 22439, 94.60, 1061, 2262.95, 33390),
    2023: (53, 43, 0, 26267, 95.42, 1292, 2843.61, 34044),
    2024: (41, 43, 1, 26055, 96.29, 1228, 2745.12, 41009),
    2025: (28, 30, 0, 25891, 96.07, 1253, 2481.77, 36695),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    with Store(path) as s:
        yield s


def _year(store: Store, code: str, year: int) -> tuple:
    m = compute(store, code, str(year))
    return (
        m["accidents.count"].value,
        m["accidents.deaths"].value,
        m["accidents.major_or_above"].value,
        m["hazards.found"].value,
        round(m["hazards.rectification_rate"].value * 100, 2),
        m["inspections.count"].value,
        round(m["inspections.fines"].value, 2),
        m["training.total"].value,
    )


def test_the_sample_covers_every_half_of_2020_to_2025(store):
    assert YEARS == tuple(range(2020, 2026))
    assert store.halves() == HALVES
    units = len(store.registry()) - 1  # every unit but the city
    for table in TABLES:
        if table.kind == "total":
            rows = store.con.execute(
                f"SELECT half, count(*) FROM {table.id} GROUP BY half"
            ).fetchall()
            if table.id in ("campaigns", "disasters"):  # 0 or more rows a unit and half
                assert {h for h, _ in rows} == HALVES, table.id
            else:
                assert dict(rows) == dict.fromkeys(HALVES, units), table.id


def test_the_city_falls_over_the_years_with_setbacks(store):
    figures = {y: _year(store, CITY, y) for y in CITY_BY_YEAR}
    assert figures == CITY_BY_YEAR
    accidents = [f[0] for f in figures.values()]
    deaths = [f[1] for f in figures.values()]
    rates = [f[4] for f in figures.values()]
    assert accidents[-1] < accidents[0] and deaths[-1] < deaths[0]
    assert any(b > a for a, b in zip(accidents, accidents[1:], strict=False))  # a setback
    assert rates[:5] == sorted(rates[:5])  # 整改率 improving up to 2024


def test_districts_differ(store):
    deaths = {
        (code, year): compute(store, code, str(year))["accidents.deaths"].value
        for code in ("990171", "990121")
        for year in (2021, 2022, 2023)
    }
    # the 开发区 has no death in 2021–2023, 云溪县 none in 2022–2023
    assert {k for k, v in deaths.items() if v == 0} == {
        ("990171", 2021),
        ("990171", 2022),
        ("990171", 2023),
        ("990121", 2022),
        ("990121", 2023),
    }
    # 较大 accidents: 江城区 2020, 石门县 2022, 临湖区 2024
    major = store.con.execute(
        "SELECT district, year(occurred_at) FROM accidents WHERE deaths >= 3 ORDER BY 2"
    ).fetchall()
    assert major == [("990102", 2020), ("990122", 2022), ("990103", 2024)]


def test_stocks_grow_into_2024(store):
    by_end = store.con.execute(
        "SELECT district, as_of, teams, experts, supply_items FROM preparedness "
        "ORDER BY district, as_of"
    ).df()
    assert len(by_end) == 9 * 12
    for code, rows in by_end.groupby("district"):
        for column in ("teams", "experts", "supply_items"):
            assert rows[column].is_monotonic_increasing, (code, column)
    city = by_end.groupby("as_of")[["teams", "experts"]].sum()
    assert city.iloc[0]["teams"] < 0.8 * city.iloc[-1]["teams"]


def test_rows_of_a_unit_and_date_keep_the_order_of_the_files(store):
    # hazard ids run in file order; ties on district and date were left to the sort before
    out_of_order = store.con.execute(
        "SELECT count(*) FROM (SELECT id, district, found_on, lag(id) OVER () AS p_id, "
        "lag(district) OVER () AS p_district, lag(found_on) OVER () AS p_found FROM hazards) "
        "WHERE district = p_district AND found_on = p_found AND id < p_id"
    ).fetchone()[0]
    assert out_of_order == 0


def _year_of(row: tuple) -> int | None:
    """The year of a workbook row: its date or half (second column) or its id (SG9901022024001)."""
    first, second = row[0], row[1]
    if isinstance(second, date):
        return second.year
    if isinstance(second, str) and re.fullmatch(r"\d{4}-H[12]", second):
        return int(second[:4])
    if isinstance(first, str) and re.fullmatch(r"[A-Z]{2}\d{10,}", first):
        return int(first[8:12])
    return None


def _rows(folder: Path, years: set[int]) -> dict[str, list[tuple]]:
    """Every workbook's header and rows of the given years."""
    out = {}
    for book in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(book, read_only=True)
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            out[f"{book.name}/{ws.title}"] = [rows[0]] + [
                r for r in rows[1:] if _year_of(r) in years or "区划名录" in book.name
            ]
        wb.close()
    return out


def test_2024_and_2025_do_not_depend_on_the_earlier_years(tmp_path):
    two, four = tmp_path / "two", tmp_path / "four"
    generate(two, districts=2, first_year=2024)
    generate(four, districts=2, first_year=2022)
    assert sorted(p.name for p in four.glob("隐患排查_*")) == [
        f"隐患排查_{y}.csv" for y in range(2022, 2026)
    ]
    for year in (2024, 2025):
        name = f"隐患排查_{year}.csv"
        assert (two / name).read_bytes() == (four / name).read_bytes()
    core = {2024, 2025}
    rows = _rows(two, core)
    assert rows == _rows(four, core)
    assert len(rows["执法检查.xlsx/执法检查"]) > 100
    # and a year's rows do not depend on how many earlier years are made
    six = tmp_path / "six"
    generate(six, districts=2)
    assert (six / "隐患排查_2022.csv").read_bytes() == (four / "隐患排查_2022.csv").read_bytes()


def test_the_committed_sample_is_what_the_generator_writes(tmp_path):
    generate(tmp_path, hazard_format="csv.gz")
    committed = sorted(p.name for p in config.SAMPLE.iterdir())
    assert committed == sorted(p.name for p in tmp_path.iterdir())
    for year in YEARS:
        name = f"隐患排查_{year}.csv.gz"
        assert (tmp_path / name).read_bytes() == (config.SAMPLE / name).read_bytes(), name
        with gzip.open(config.SAMPLE / name, "rt", encoding="utf-8-sig") as f:
            assert f.readline().startswith("隐患编号,区划代码,")
    every = set(YEARS)
    assert _rows(tmp_path, every) == _rows(config.SAMPLE, every)
    size = sum(p.stat().st_size for p in config.SAMPLE.iterdir())
    assert size < 4_000_000, f"data/sample is {size} bytes"
