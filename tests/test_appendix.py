"""report.xlsx (附表): one formatted sheet per table, numbers numeric, no cell ever a formula."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from emreport.compose.document import Table
from emreport.output.xlsx import (
    appendix_bytes,
    safe_text,
    sheet_names,
    write_appendix,
)

REPORT_TITLE = "临江市应急管理局2025年上半年工作总结"
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "＝1+1",
    "\t=1",
    "＋1",
    "－1",
    "＠A1",
    "\r=1",
    "\n=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
]
FORMULA_LIKE = {h for h in HOSTILE if not h.startswith(("<", '"'))}


def accidents() -> Table:
    frame = pd.DataFrame(
        {"事故起数": [3, 2, 5], "事故起数(上年同期)": [4, None, 4], "死亡人数": [1, 0, 1]},
        index=pd.Index(["工贸行业", "道路运输", "合计"], name="行业领域"),
    )
    return Table(
        "表1　分行业领域事故情况",
        frame,
        {"事故起数": "起", "死亡人数": "人"},
        "注：事故起数不含道路交通事故。",
    )


def hazards() -> Table:
    frame = pd.DataFrame(
        {"发现隐患": [120, 80, 200], "已整改": [118, 70, 188], "整改率": [118 / 120, 0.875, 0.94]},
        index=pd.Index(["企业自查", "部门检查", "合计"], name="来源"),
    )
    return Table(
        "表2　分来源隐患排查整改情况", frame, {"发现隐患": "条", "已整改": "条", "整改率": "%"}
    )


def inspections() -> Table:
    frame = pd.DataFrame(
        {
            "执法检查": [41, 17],
            "罚款金额": [33.41, float("nan")],
            "同比": [-3, -1.5],
            "典型企业": ["临江市某某化工有限公司年产五万吨精细化学品项目", None],
        },
        index=pd.Index(["危险化学品", "工贸"], name="行业领域"),
    )
    return Table("表3　分行业领域执法情况", frame, {"执法检查": "家次", "罚款金额": "万元"})


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes) -> str:
    """Every worksheet part of the file, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.fixture(scope="module")
def data() -> bytes:
    return appendix_bytes([accidents(), hazards(), inspections()], report_title=REPORT_TITLE)


@pytest.fixture(scope="module")
def book(data: bytes) -> openpyxl.Workbook:
    return load(data)


def row_values(ws, row: int) -> list:
    return [c.value for c in ws[row]]


# --- sheets and layout ------------------------------------------------------------------------


def test_one_sheet_per_table_named_after_its_title(book):
    assert book.sheetnames == [
        "表1 分行业领域事故情况",
        "表2 分来源隐患排查整改情况",
        "表3 分行业领域执法情况",
    ], "附表的工作表名应与表题一致、按顺序排列"


def test_workbook_properties(book):
    assert book.properties.title == REPORT_TITLE
    assert book.properties.creator == "emreport"


def test_title_row_is_the_table_title_merged_bold_and_large(book):
    ws = book.worksheets[0]
    assert ws["A1"].value == "表1　分行业领域事故情况"
    assert ws["A1"].font.bold and ws["A1"].font.sz > 11, "表题应加粗、字号大于正文"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}, "表题应跨表格全部列居中"


def test_header_row_shows_units_in_chinese_brackets(book):
    ws = book.worksheets[0]
    assert row_values(ws, 2) == [
        "行业领域",
        "事故起数（起）",
        "事故起数(上年同期)",
        "死亡人数（人）",
    ]
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("BDD7EE") for c in ws[2]), (
        "表头应加粗并有底色"
    )
    assert all(c.border.bottom.style == "thin" and c.alignment.wrap_text for c in ws[2])


def test_panes_frozen_below_header_and_right_of_first_column(book):
    assert {ws.freeze_panes for ws in book.worksheets} == {"B3"}, "滚动时表头和第一列应保持可见"


def test_print_setup_a4_fit_to_width_header_repeated(book):
    for ws in book.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, "应为A4纸"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0, "打印应缩放到一页宽、高度不限"
        assert ws.print_title_rows == "$1:$2", "表头应在每一页重复打印"
    assert book.worksheets[0].page_setup.orientation == "portrait"


def test_wide_table_prints_landscape():
    frame = pd.DataFrame(
        {f"指标{i}（上年同期）": [1] for i in range(10)}, index=pd.Index(["市本级"], name="区县")
    )
    ws = load(appendix_bytes([Table("表1　宽表", frame)], report_title="t")).active
    assert ws.page_setup.orientation == "landscape", "列很多的表应横向打印"


def test_note_row_under_the_table(book):
    ws = book.worksheets[0]
    assert ws["A6"].value == "注：事故起数不含道路交通事故。", "注释应在表格下方一行"
    assert "A6:D6" in {str(r) for r in ws.merged_cells.ranges}
    assert book.worksheets[1].max_row == 5, "没有注释的表不应多出空行"


def test_total_row_is_bold_and_others_are_not(book):
    ws = book.worksheets[0]
    assert ws["A5"].value == "合计"
    assert all(c.font.bold for c in ws[5]), "合计行应整行加粗"
    assert not any(c.font.bold for c in ws[3]), "普通数据行不应加粗"


def test_long_chinese_text_makes_a_wider_column(book):
    ws = book.worksheets[2]
    widths = {
        ws.cell(2, c).value: ws.column_dimensions[ws.cell(2, c).column_letter].width
        for c in range(1, ws.max_column + 1)
    }
    assert widths["典型企业"] > widths["执法检查（家次）"] + 15, "长企业名称的列应明显更宽"
    assert widths["典型企业"] <= 40, "列宽应有上限，超长文字换行"
    assert widths["行业领域"] >= 2 * len("危险化学品"), "中文按两个字符宽计算"


# --- numbers ----------------------------------------------------------------------------------


def test_counts_are_stored_as_integers(book):
    ws = book.worksheets[0]
    assert [ws["B3"].value, ws["B5"].value] == [3, 5]
    assert all(type(c.value) is int for c in ws["B"][2:5]), "事故起数应为整数，可在Excel中求和"


def test_money_keeps_two_decimals(book):
    cell = book.worksheets[2]["C3"]
    assert cell.value == pytest.approx(33.41) and cell.data_type == "n"
    assert cell.number_format == "0.00", "罚款金额（万元）应显示两位小数"


def test_rounding_is_half_up_as_in_the_report_text():
    frame = pd.DataFrame({"罚款金额": [1.005, 72.645]}, index=pd.Index(["a", "b"], name="x"))
    ws = load(appendix_bytes([Table("t", frame, {"罚款金额": "万元"})], report_title="t")).active
    assert [ws["B3"].value, ws["B4"].value] == [1.01, 72.65], "应与正文一样四舍五入"


def test_percent_column_is_a_fraction_shown_as_percent(book):
    ws = book.worksheets[1]
    assert ws["D2"].value == "整改率（%）"
    assert ws["D3"].value == pytest.approx(0.983) and ws["D4"].value == pytest.approx(0.875)
    assert {c.number_format for c in ws["D"][2:]} == {"0.0%"}, "整改率应显示为98.3%这样的百分数"


def test_negative_numbers_stay_numbers(book):
    ws = book.worksheets[2]
    assert [ws["D3"].value, ws["D4"].value] == [-3, -1.5], "负数是数值，不应变成带引号的文字"
    assert ws["D3"].data_type == "n"


def test_missing_values_are_empty_cells_never_nan(book, data):
    assert book.worksheets[0]["C4"].value is None, "缺失值应为空单元格"
    assert book.worksheets[2]["C4"].value is None and book.worksheets[2]["E4"].value is None
    shown = {
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    assert not shown & {"nan", "NaN", "None", "NaT", "<NA>", "inf"}, "单元格中不应出现nan/None"


def test_every_kind_of_missing_value_is_empty():
    frame = pd.DataFrame(
        {
            "a": pd.array([1, None], dtype="Int64"),
            "b": [pd.NaT, pd.Timestamp("2025-03-01")],
            "c": pd.Series([None, float("inf")], dtype=object),
        },
        index=pd.Index(["x", "y"], name="k"),
    )
    ws = load(appendix_bytes([Table("t", frame)], report_title="t")).active
    assert [ws["B4"].value, ws["C3"].value, ws["D3"].value, ws["D4"].value] == [None] * 4
    assert ws["B3"].value == 1 and ws["C4"].value == datetime(2025, 3, 1)


# --- text that must never run -----------------------------------------------------------------


def expected(text: str) -> str:
    """What the reader sees: formula-like text behind a quote; a CR is a line break in XML."""
    shown = text.replace("\r", "\n")
    return "'" + shown if text in FORMULA_LIKE else shown


@pytest.fixture(scope="module")
def hostile_data() -> bytes:
    """Each hostile string as title, note, index name, header, index label and text value."""
    tables = []
    for text in HOSTILE:
        frame = pd.DataFrame(
            {text: ["ok", text], "事故起数": [1, -2]}, index=pd.Index([text, "合计"], name=text)
        )
        tables.append(Table(text, frame, {"事故起数": "起"}, text))
    return appendix_bytes(tables, report_title=HOSTILE[0])


@pytest.mark.parametrize("i", range(len(HOSTILE)), ids=[repr(h) for h in HOSTILE])
def test_hostile_text_is_written_as_inert_text(hostile_data, i):
    ws = load(hostile_data).worksheets[i]
    text, want = HOSTILE[i], expected(HOSTILE[i])
    where = {
        "表题": ws["A1"],
        "首列表头": ws["A2"],
        "表头": ws["B2"],
        "行标签": ws["A3"],
        "文字值": ws["B4"],
        "注释": ws["A5"],
    }
    for place, cell in where.items():
        assert cell.value == want, f"{place}中的“{text!r}”应原样显示为文字，得到{cell.value!r}"
        assert cell.data_type == "s", f"{place}中的“{text!r}”不应成为公式"
    assert ws["C4"].value == -2, "同一表中的负数仍是数值"


def test_no_formula_anywhere_in_the_file(hostile_data, data):
    for blob in (hostile_data, data):
        assert "<f>" not in sheet_xml(blob) and "<f " not in sheet_xml(blob), "附表中不应有任何公式"


def test_error_code_text_stays_text():
    frame = pd.DataFrame({"说明": ["#N/A", "#DIV/0!"]}, index=pd.Index(["a", "b"], name="x"))
    ws = load(appendix_bytes([Table("t", frame)], report_title="t")).active
    assert [(ws["B3"].value, ws["B3"].data_type), (ws["B4"].value, ws["B4"].data_type)] == [
        ("#N/A", "s"),
        ("#DIV/0!", "s"),
    ], "“#N/A”这样的文字不应变成错误值"


def test_control_characters_are_dropped_not_fatal():
    frame = pd.DataFrame({"企业\x07": ["某某\x00公司\x1f"]}, index=pd.Index(["a\x0b"], name="x"))
    data = appendix_bytes([Table("表\x07一", frame, note="注\x08")], report_title="报\x07告")
    ws = load(data).active
    assert [ws["A1"].value, ws["B2"].value, ws["A3"].value, ws["B3"].value, ws["A4"].value] == [
        "表一",
        "企业",
        "a",
        "某某公司",
        "注",
    ]


def test_control_character_in_front_of_a_formula_is_still_neutralised():
    assert safe_text("\x07=1+1") == "'=1+1"


@pytest.mark.parametrize(
    "text",
    [
        "=1",
        "+1",
        "-1",
        "@a",
        "＝1",
        "＋1",
        "－1",
        "＠a",
        "﹦1",
        "\t1",
        "\r1",
        "\n1",
        " =1",
        "\u3000＝1",
    ],
)
def test_safe_text_quotes_formula_starts(text):
    assert safe_text(text) == "'" + text.replace("\r", "\n")


def test_carriage_returns_become_line_breaks():
    assert safe_text("第一行\r\n第二行\r第三行") == "第一行\n第二行\n第三行"


@pytest.mark.parametrize("text", ["合计", "1-2月", "a=b", "'=1", "", "<b>", "98.5%", "—"])
def test_safe_text_leaves_ordinary_text_alone(text):
    assert safe_text(text) == text


def test_very_long_text_is_cut_to_excels_limit():
    assert len(safe_text("=" + "字" * 40000)) == 32767


# --- sheet names ------------------------------------------------------------------------------


def test_sheet_names_follow_excels_rules():
    names = sheet_names(["表1　" + "很长的表题" * 10, "a[b]c:d*e?f/g\\h", "'引号'", "", "History"])
    assert all(len(n) <= 31 for n in names), "工作表名不能超过31个字符"
    assert names[0].startswith("表1 很长的表题")
    assert names[1] == "a［b］c：d＊e？f／g＼h", "非法字符应换成全角字符"
    assert names[2] == "引号" and names[3] == "附表"
    assert names[4] != "History", "History是Excel保留的工作表名"
    assert not any(set(n) & set("[]:*?/\\") for n in names)


def test_duplicate_sheet_names_get_a_suffix():
    names = sheet_names(["分月情况", "分月情况", "分月情况", "ABC", "abc", "长" * 40, "长" * 40])
    assert names[:3] == ["分月情况", "分月情况（2）", "分月情况（3）"]
    assert names[4] == "abc（2）", "工作表名不区分大小写，也要去重"
    assert names[6].endswith("（2）") and len(names[6]) <= 31
    assert len({n.casefold() for n in names}) == len(names)


def test_workbook_with_clashing_titles_opens(tmp_path: Path):
    table = accidents()
    path = tmp_path / "report.xlsx"
    write_appendix([table, table, table], path, report_title="t")
    assert load(path.read_bytes()).sheetnames == [
        "表1 分行业领域事故情况",
        "表1 分行业领域事故情况（2）",
        "表1 分行业领域事故情况（3）",
    ]


# --- output -----------------------------------------------------------------------------------


def test_writes_into_bytesio_and_path_identically(tmp_path: Path, data):
    buffer = io.BytesIO()
    tables = [accidents(), hazards(), inspections()]
    write_appendix(tables, buffer, report_title=REPORT_TITLE)
    write_appendix(tables, tmp_path / "report.xlsx", report_title=REPORT_TITLE)
    assert buffer.getvalue() == (tmp_path / "report.xlsx").read_bytes() == data, (
        "同样的数据每次应生成完全相同的文件"
    )


def test_timestamp_sets_the_workbook_dates():
    stamp = datetime(2025, 7, 10, 9, 30)
    book = load(appendix_bytes([accidents()], report_title="t", timestamp=stamp))
    assert book.properties.created == stamp and book.properties.modified == stamp


def test_no_tables_still_gives_a_workbook_that_says_so():
    ws = load(appendix_bytes([], report_title=REPORT_TITLE)).active
    assert (
        ws.title == "附表" and ws["A1"].value == REPORT_TITLE and ws["A2"].value == "本报告无附表。"
    )


# --- the file as openpyxl reads it ------------------------------------------------------------


def test_every_kind_of_cell_reads_back_with_its_look(book):
    ws = book.worksheets[0]
    title, header, label, count, total, note = (
        ws["A1"],
        ws["B2"],
        ws["A3"],
        ws["B3"],
        ws["B5"],
        ws["A6"],
    )
    assert (title.font.sz, title.alignment.horizontal, title.border.left.style) == (
        14,
        "center",
        None,
    )
    assert header.fill.fill_type == "solid" and header.alignment.vertical == "center"
    assert (label.alignment.horizontal, label.alignment.wrap_text) == ("left", True)
    assert (count.alignment.horizontal, count.alignment.wrap_text) == ("right", None)
    assert count.border.top.style == "thin" and not count.font.bold and total.font.bold
    assert (note.font.sz, note.alignment.vertical, note.border.left.style) == (10, "top", None)
    assert ws.row_dimensions[1].height == 21 and ws.row_dimensions[6].height == 19
    assert ws.column_dimensions["A"].width == 11, "列宽应按最宽的内容计算（工贸行业：8 + 3）"


def _compare_xlsx():
    spec = importlib.util.spec_from_file_location(
        "compare_xlsx", Path(__file__).parents[1] / "scripts" / "compare_xlsx.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_script_sees_what_differs(tmp_path: Path, data):
    for side in ("old", "new"):
        (tmp_path / side / "2025-H1" / "990100").mkdir(parents=True)
        (tmp_path / side / "2025-H1" / "990100" / "report.xlsx").write_bytes(data)
    compare = _compare_xlsx().compare
    assert compare(tmp_path / "old", tmp_path / "new", parts=True) == (1, [])
    changed = tmp_path / "new" / "2025-H1" / "990100" / "report.xlsx"
    wb = openpyxl.load_workbook(changed)
    wb.worksheets[1]["B3"].font = openpyxl.styles.Font(bold=True, name="Calibri")
    wb.worksheets[2].column_dimensions["B"].width = 30
    wb.save(changed)
    n, differences = compare(tmp_path / "old", tmp_path / "new")
    assert (
        n == 1 and any("B3" in d for d in differences) and any("widths" in d for d in differences)
    )
