"""The streaming pass over sheet XML: the fast way and the exact way agree, and hostile forms of
cells and formulas are found either way."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile

import pytest

from conftest import CASES, GOOD_DATA
from emreport.data import xlsxscan

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _zip(sheet_data: str, dimension: str = "A1:B2") -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return zf, zf.getinfo("xl/worksheets/sheet1.xml")


def _both(zf, info) -> tuple[xlsxscan.Extent | None, xlsxscan.Extent]:
    try:
        fast = xlsxscan._fast(zf, info)
    except xlsxscan._Slow:
        fast = None
    return fast, xlsxscan._exact(zf, info)


WORKBOOKS = sorted(
    p
    for p in [*GOOD_DATA.glob("*.xlsx"), *CASES.glob("*.xlsx")]
    if zipfile.is_zipfile(p) and p.name != "zip_bomb.xlsx"
)


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_fast_way_agrees_with_the_exact_way(path):
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                fast, exact = _both(zf, info)
                assert fast is None or fast == exact


@pytest.mark.parametrize(
    ("cells", "formulas", "extent"),
    [
        ('<row r="2"><c r="B2"><v>1</v></c></row>', [], (2, 2)),
        ('<row r="2"><c t="n" r="B2"><f>1+1</f><v>2</v></c></row>', [(2, 2)], (2, 2)),
        ("<row r='2'><c r='C2'><f>1</f><v>1</v></c></row>", [(2, 3)], (2, 3)),
        (f'<row r="2"><x:c xmlns:x="{MAIN}" r="D2"><x:f>1</x:f></x:c></row>', [(2, 4)], (2, 4)),
        ('<row r="2"><c r="A2"><v>1</v></c><c><f>A2</f><v>1</v></c></row>', [(2, 2)], (2, 2)),
        ("<row><c><v>1</v></c></row><row><c/><c><f>1</f></c></row>", [(2, 2)], (2, 2)),
        ('<row r="2"><c r="xfd1048576"><v>1</v></c></row>', [], (1048576, 16384)),
        ('<row r="1048576"><c/><c/><c><v>1</v></c></row>', [], (1048576, 3)),
    ],
)
def test_formulas_and_extent_are_found_in_every_form(cells, formulas, extent):
    fast, exact = _both(*_zip(cells))
    assert exact.formulas == formulas
    assert (exact.rows, exact.columns) == extent
    assert fast is None or fast == exact


def test_refs_beyond_excel_are_too_large_or_invalid():
    assert _both(*_zip('<row r="1"><c r="XFD1048576"><v>1</v></c></row>'))[0].too_large()
    assert _both(*_zip('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:XFE1"))[
        0
    ].dimension_too_large()
    assert _both(*_zip('<row r="1"><c r="A99999999999"><v>1</v></c></row>'))[1].bad_ref
    assert _both(*_zip('<row r="1"><c r="AAAA1"><v>1</v></c></row>'))[1].bad_ref
    assert not _both(*_zip('<row r="1"><c r="J1048576"><v>1</v></c></row>'))[0].too_large()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))


def test_the_huge_cell_fixture_does_crash_the_reader_unchecked():
    """Why the check exists: calamine on the 5 KB file aborts (here within a 2 GB limit)."""
    code = (
        "import python_calamine, sys; b = python_calamine.CalamineWorkbook.from_path(sys.argv[1]);"
        " b.get_sheet_by_name('安全培训').to_python(skip_empty_area=False)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(CASES / "huge_cell_ref.xlsx")],
        capture_output=True,
        preexec_fn=_limit_memory,
        timeout=60,
    )
    assert run.returncode != 0
