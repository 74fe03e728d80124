"""The bad-input suite: one file per kind of problem, and what the analyst sees for each.

Each case file in tests/bad_input/cases/ is added to a copy of the valid folder
tests/bad_input/good/ (or replaces one of its files) and ingested with `emreport ingest` into a
copy of a store built from good/. Every case must exit with 1, print exactly the lines below,
and leave the store as it was: same bytes, same time, same figures. The files are made by
tests/bad_input/make_fixtures.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CASES, FileState
from emreport.data import companions, sources
from emreport.data.store import Store
from emreport.metrics import compute

HEAD = "数据有{n}处问题，未导入；数据库保持上次成功导入的版本。"
TAIL = "请修改以上问题后重新运行 emreport ingest。"
DISTRICT, PERIOD = "990102", "2025"
FIGURES = (
    "hazards.found",
    "hazards.rectified",
    "hazards.major",
    "accidents.count",
    "accidents.deaths",
    "accidents.loss",
    "inspections.count",
    "inspections.fines",
    "flood.responses",
    "training.total",
    "campaigns.found",
)
# 江城区 2025 in good/, worked out by hand from make_fixtures.py
GOOD_FIGURES = {
    "hazards.found": 4,
    "hazards.rectified": 3,
    "hazards.major": 1,
    "accidents.count": 1,
    "accidents.deaths": 1,
    "accidents.loss": 85.5,
    "inspections.count": 2,
    "inspections.fines": 2.5,
    "flood.responses": 2,
    "training.total": 3200,
    "campaigns.found": 214,
}
ALL_TABLES = (
    "区划名录、生产安全事故、隐患排查、执法检查、防汛防台应急响应、防汛防台工作、自然灾害灾情、"
    "专项整治、暗访督办、安全培训、宣传教育、森林防灭火、责任体系、事故追责、行政许可、应急保障"
)


@dataclass(frozen=True)
class Case:
    file: str
    lines: tuple[str, ...]
    replaces: str | None = None  # a file of good/ this case takes the place of

    @property
    def id(self) -> str:
        return (
            Path(self.file)
            .stem.removeprefix("隐患排查_")
            .removeprefix("执法检查_")
            .removeprefix("生产安全事故_")
        )


CASES_SHOWN = (
    # --- the file cannot be read at all
    Case("隐患排查_empty.csv", ("隐患排查_empty.csv：文件为空：没有表头也没有数据",)),
    Case("隐患排查_binary.csv", ("隐患排查_binary.csv：不是文本格式的csv文件（含有二进制内容）",)),
    Case(
        "unnamed.csv",
        (
            "unnamed.csv：无法从文件名判断是哪张表：csv文件名应以表名开头，如“隐患排查_2024.csv”"
            f"（表名：{ALL_TABLES}）",
        ),
    ),
    Case(
        "隐患排查_ragged_row.csv",
        (
            "隐患排查_ragged_row.csv 第3行：有11列，与表头的10列不一致：请检查是否多了或少了逗号"
            "（含逗号的内容须加英文双引号）",
        ),
    ),
    Case(
        "old_format.xls",
        ("old_format.xls：是旧版Excel格式（.xls），无法读取：请在Excel中另存为.xlsx后重试",),
    ),
    Case(
        "corrupt.xlsx",
        ("corrupt.xlsx：文件已损坏或不是xlsx格式，无法打开：请用Excel打开后另存为.xlsx",),
    ),
    Case("zip_bomb.xlsx", ("zip_bomb.xlsx：解压后体积异常（疑似压缩炸弹），已拒绝读取",)),
    Case(
        "entity_expansion.xlsx",
        (
            "entity_expansion.xlsx：含有XML实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝读取",
        ),
    ),
    Case(
        "unknown_sheet.xlsx",
        ("unknown_sheet.xlsx 工作表“安全培训统计”：工作表名无法识别，是否应为“安全培训”？",),
    ),
    Case(
        "empty_sheet.xlsx", ("empty_sheet.xlsx 工作表“执法检查” 第1行：工作表为空：第1行应为表头",)
    ),
    Case(
        "formula_in_number.xlsx",
        (
            "formula_in_number.xlsx 工作表“执法检查” 第2行 列“执法人次（人次）”：单元格F2是公式，不是数值："
            "请在Excel中复制后“选择性粘贴为数值”再导入",
        ),
    ),
    # --- the header row
    Case(
        "隐患排查_missing_column.csv", ("隐患排查_missing_column.csv 第1行：缺少必填列“企业名称”",)
    ),
    Case(
        "隐患排查_misspelt_column.csv",
        ("隐患排查_misspelt_column.csv 第1行 列“发现日其”：列名无法识别，是否应为“发现日期”？",),
    ),
    Case(
        "隐患排查_unknown_column.csv",
        (
            "隐患排查_unknown_column.csv 第1行 列“备注说明”：列名无法识别（本表的列：隐患编号、区划代码、"
            "企业名称、行业领域、来源、隐患等级、发现日期、整改期限、整改日期、挂牌督办）",
        ),
    ),
    # --- one cell
    Case(
        "执法检查_text_in_number.csv",
        ("执法检查_text_in_number.csv 第2行 列“执法人次（人次）”：值“三人”不是数字",),
    ),
    Case(
        "执法检查_formula_text.csv",
        (
            "执法检查_formula_text.csv 第2行 列“发现问题隐患（处）”：值“=1+2”是公式，不是数字："
            "请在Excel中复制后“选择性粘贴为数值”",
        ),
    ),
    Case(
        "生产安全事故_negative_count.csv",
        ("生产安全事故_negative_count.csv 第2行 列“死亡人数（人）”：值“-1”不能为负数",),
    ),
    Case(
        "生产安全事故_not_integer.csv",
        ("生产安全事故_not_integer.csv 第2行 列“重伤人数（人）”：值“1.5”应为整数",),
    ),
    Case(
        "隐患排查_enum_value.csv",
        (
            "隐患排查_enum_value.csv 第2行 列“隐患等级”：值“较大”不在允许的取值之内（可选：一般、重大）",
        ),
    ),
    Case(
        "隐患排查_bad_flag.csv",
        ("隐患排查_bad_flag.csv 第2行 列“挂牌督办”：值“待定”应填“是”或“否”",),
    ),
    Case(
        "隐患排查_bad_district_code.csv",
        (
            "隐患排查_bad_district_code.csv 第2行 列“区划代码”：值“99012”不是有效的区划代码："
            "区划代码应为6位数字，如330108",
        ),
    ),
    Case(
        "隐患排查_implausible_date.csv",
        (
            "隐患排查_implausible_date.csv 第2行 列“发现日期”：值“1925-03-10”"
            "超出合理的日期范围（2000年1月1日至今天）",
        ),
    ),
    Case(
        "隐患排查_future_date.csv",
        (
            "隐患排查_future_date.csv 第2行 列“发现日期”：值“2095-03-10”超出合理的日期范围（2000年1月1日至今天）",
        ),
    ),
    Case(
        "隐患排查_impossible_date.csv",
        ("隐患排查_impossible_date.csv 第2行 列“发现日期”：值“2025-02-30”不是存在的日期或时间",),
    ),
    Case(
        "隐患排查_required_blank.csv",
        ("隐患排查_required_blank.csv 第2行 列“企业名称”：为空：此列必填",),
    ),
    Case(
        "bad_half_year.xlsx",
        (
            "bad_half_year.xlsx 工作表“安全培训” 第2行 列“统计期”：值“2025-H3”不是有效的统计期："
            "请写作2025-H1（1-6月）或2025-H2（7-12月）",
        ),
    ),
    # --- one row
    Case(
        "隐患排查_rectified_before_found.csv",
        (
            "隐患排查_rectified_before_found.csv 第2行 列“整改日期”：值“2025-03-01”早于发现日期（2025-03-10）",
        ),
    ),
    Case(
        "flood_end_before_start.xlsx",
        (
            "flood_end_before_start.xlsx 工作表“防汛防台应急响应” 第2行 列“结束时间”：值“2025-06-18 08:00”"
            "早于启动时间（2025-06-18 20:00）",
        ),
    ),
    Case(
        "rectified_more_than_found.xlsx",
        (
            "rectified_more_than_found.xlsx 工作表“专项整治” 第2行 列“已整改（处）”：值“12”多于发现隐患（10处）",
        ),
    ),
    Case(
        "passed_more_than_exams.xlsx",
        (
            "passed_more_than_exams.xlsx 工作表“安全培训” 第2行 列“考试合格（人次）”：值“45”多于考试（40人次）",
        ),
    ),
    Case(
        "parts_do_not_add_up.xlsx",
        (
            "parts_do_not_add_up.xlsx 工作表“安全培训” 第2行 列“培训合计（人次）”：值“310”"
            "不等于线下培训与线上培训之和（100+200=300）",
        ),
    ),
    Case(
        "fine_without_case.xlsx",
        (
            "fine_without_case.xlsx 工作表“执法检查” 第2行 列“罚款金额（万元）”：值“3”"
            "不应填写：是否立案为“否”时不能有罚款金额",
        ),
    ),
    # --- across rows and files
    Case(
        "隐患排查_duplicate_id_in_file.csv",
        (
            "隐患排查_duplicate_id_in_file.csv 第4行 列“隐患编号”：值“YHC1301”"
            "重复：与隐患排查_duplicate_id_in_file.csv 第2行相同",
        ),
    ),
    Case(
        "隐患排查_duplicate_id_across_files.csv",
        (  # YH2025002 is in good/隐患排查_2025.csv
            "隐患排查_duplicate_id_across_files.csv 第2行 列“隐患编号”：值“YH2025002”"
            "重复：与隐患排查_2025.csv 第3行相同",
        ),
    ),
    Case(
        "duplicate_half_year_entry.xlsx",
        (
            "duplicate_half_year_entry.xlsx 工作表“安全培训” 第3行：重复填报：区划代码、统计期“990101、2025-H1”"
            "已出现在duplicate_half_year_entry.xlsx 工作表“安全培训” 第2行",
        ),
    ),
    Case(
        "隐患排查_unknown_district.csv",
        (
            "隐患排查_unknown_district.csv 第2行 列“区划代码”：值“990199”不在区划名录中："
            "请核对代码，或先在“区划名录”中登记",
        ),
    ),
    Case(
        "隐患排查_city_code_for_data.csv",
        (
            "隐患排查_city_code_for_data.csv 第2行 列“区划代码”：值“990100”是市级代码：市局本级的数据请填市本级的代码",
        ),
    ),
    Case(
        "registry_bad_parent.xlsx",
        (  # 江城区 filed under 市本级 instead of 临江市
            "registry_bad_parent.xlsx 工作表“区划名录” 第4行 列“上级代码”：值“990101”不是名录中级别为“市”的单位",
        ),
        replaces="区划名录.xlsx",
    ),
)
HAZARD_COLUMNS = (
    "隐患编号、区划代码、企业名称、行业领域、来源、隐患等级、发现日期、整改期限、整改日期、挂牌督办"
)
FORMULA = "是公式，不是数值：请在Excel中复制后“选择性粘贴为数值”再导入"
CASES_SHOWN += (
    # --- files probed by a hostile afternoon (issue 12)
    Case(
        "huge_cell_ref.xlsx",
        (  # 5 KB; the reader would ask for 512 GiB and abort
            "huge_cell_ref.xlsx 工作表“安全培训”：单元格范围过大：单元格延伸到第1048576行、第16384列（XFD列）；"
            "一个工作表最多1048576行、16384列，从A1到最后一个单元格共不超过2000万个单元格：请删除数据以外多余的"
            "行和列（包括只设了格式的空单元格）后另存再导入",
        ),
    ),
    Case(
        "formula_disguised.xlsx",
        tuple(  # reordered, single-quoted, prefixed, no r, no value
            f"formula_disguised.xlsx 工作表“安全培训” 第2行 列“{column}”：单元格{ref}{FORMULA}"
            for column, ref in (
                ("培训班（期）", "C2"),
                ("线下培训（人次）", "D2"),
                ("线上培训（人次）", "E2"),
                ("培训合计（人次）", "F2"),
                ("考试（人次）", "G2"),
            )
        ),
    ),
    Case(
        "生产安全事故_number_out_of_range.csv",
        tuple(
            f"生产安全事故_number_out_of_range.csv 第{row}行 列“{column}”：值“{value}”超出合理范围"
            f"（{limit}）：请核对数字和单位"
            for row, column, value, limit in (
                (2, "死亡人数（人）", "1e20", "0至1万人"),
                (3, "重伤人数（人）", "9223372036854775807", "0至1万人"),
                (4, "直接经济损失（万元）", "inf", "0至10000000万元"),
                (5, "直接经济损失（万元）", "Infinity", "0至10000000万元"),
                (6, "直接经济损失（万元）", "1e400", "0至10000000万元"),
            )
        ),
    ),
    Case(
        "number_overflow.xlsx",
        tuple(  # each part 1e308: their sum would be infinity
            f"number_overflow.xlsx 工作表“安全培训” 第2行 列“{column}”：值“1e+308”超出合理范围（0至1亿人次）："
            "请核对数字和单位"
            for column in ("线下培训（人次）", "线上培训（人次）", "培训合计（人次）")
        ),
    ),
    Case(
        "隐患排查_name_too_long.csv",
        (
            "隐患排查_name_too_long.csv 第2行 列“企业名称”：值“江城" + "恒" * 37 + "…”"
            "过长：企业名称最多100字，请核对是否多粘贴了内容（现为40002字）",
        ),
    ),
    Case(
        "隐患排查_escape_in_header.csv",
        (  # shown escaped: it cannot erase the line above
            "隐患排查_escape_in_header.csv 第1行 列“备注\\x1b[2K\\x1b[1G已导入”：列名无法识别"
            f"（本表的列：{HAZARD_COLUMNS}）",
        ),
    ),
    Case(
        "安全培训.ods", ("安全培训.ods：是OpenDocument表格（.ods），无法读取：请另存为.xlsx后重试",)
    ),
    Case(
        "隐患排查_many_unknown_columns.csv",
        (
            "隐患排查_many_unknown_columns.csv 第1行：列名无法识别：“备注1”、“备注2”、“备注3”、“备注4”、"
            f"“备注5”等共10000个未知列（本表的列：{HAZARD_COLUMNS}）",
        ),
    ),
)
CASES_SHOWN += (
    # --- gzip-compressed csv
    Case(
        "隐患排查_truncated.csv.gz",
        (
            "隐患排查_truncated.csv.gz：压缩文件不完整（可能在下载或复制时中断），无法解压："
            "请重新导出或重新复制该文件",
        ),
    ),
    Case(
        "隐患排查_damaged.csv.gz",
        ("隐患排查_damaged.csv.gz：压缩文件已损坏，无法解压：请重新导出或重新复制该文件",),
    ),
    Case(
        "隐患排查_not_gzip.csv.gz",
        (
            "隐患排查_not_gzip.csv.gz：不是gzip压缩文件：扩展名为.csv.gz，内容却不是gzip格式；"
            "如是未压缩的csv文件，请将文件名改为以.csv结尾",
        ),
    ),
    Case(
        "隐患排查_gzip_bomb.csv.gz",
        ("隐患排查_gzip_bomb.csv.gz：解压后体积异常（疑似压缩炸弹），已拒绝读取",),
    ),
)
ACCEPTED = (
    "隐患排查_gzipped.csv.gz",
    "隐患排查_gbk_encoded.csv",
    "隐患排查_control_chars.csv",
    "hidden_sheet.xlsx",
    "date1904.xlsx",
)


def figures(store: Path) -> dict[str, float | None]:
    with Store(store) as s:
        m = compute(s, DISTRICT, PERIOD)
        return {f: m[f].value for f in FIGURES}


@pytest.fixture(scope="module")
def good_figures(good_store: Path) -> dict[str, float | None]:
    """江城区's 2025 figures from the store built from good/."""
    return figures(good_store)


def test_good_folder_gives_the_figures_worked_out_by_hand(good_figures):
    assert good_figures == GOOD_FIGURES


def test_every_case_file_is_in_the_suite():
    listed = {c.file for c in CASES_SHOWN} | set(ACCEPTED)
    assert listed == {p.name for p in CASES.iterdir()}
    assert len(CASES_SHOWN) >= 28


@pytest.mark.parametrize("case", CASES_SHOWN, ids=lambda c: c.id)
def test_bad_input_is_refused_with_the_exact_message(
    case, data_copy, store_copy, run_cli, good_figures
):
    data = data_copy(add=[CASES / case.file], remove=[case.replaces] if case.replaces else [])
    before = FileState.of(store_copy)
    manifest = FileState.of(companions.folder_for(store_copy) / "manifest.json")

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [HEAD.format(n=len(case.lines)), *case.lines, TAIL]
    assert FileState.of(store_copy) == before
    assert FileState.of(companions.folder_for(store_copy) / "manifest.json") == manifest
    assert figures(store_copy) == good_figures


def test_gbk_csv_is_accepted_and_counted(data_copy, store_copy, run_cli, good_figures):
    data = data_copy(add=[CASES / "隐患排查_gbk_encoded.csv"])

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    assert run.err == ""
    assert re.match(
        r"已导入 8 个文件（其中 7 个未变化，未重新读取），共 25 行数据，4 个区划单位，", run.out
    )
    assert figures(store_copy) == {**good_figures, "hazards.found": 6, "hazards.rectified": 5}
    with Store(store_copy) as s:
        names = s.con.execute(
            "SELECT enterprise FROM hazards WHERE id LIKE 'YHC24%' ORDER BY id"
        ).fetchall()
    assert names == [("江城中禾食品有限公司",), ("江城汇丰商贸有限公司",)]


def test_gzip_csv_is_accepted_and_counted(data_copy, store_copy, run_cli, good_figures):
    data = data_copy(add=[CASES / "隐患排查_gzipped.csv.gz"])

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    assert run.err == ""
    assert re.match(
        r"已导入 8 个文件（其中 7 个未变化，未重新读取），共 25 行数据，4 个区划单位，", run.out
    )
    assert figures(store_copy) == {**good_figures, "hazards.found": 6, "hazards.rectified": 4}
    with Store(store_copy) as s:
        names = s.con.execute(
            "SELECT enterprise FROM hazards WHERE id LIKE 'YHG%' ORDER BY id"
        ).fetchall()
    assert names == [("江城博远纺织有限公司",), ("江城瑞丰物流有限公司",)]


def test_unchanged_files_are_not_read_again(data_copy, tmp_path, run_cli, monkeypatch):
    data = data_copy()
    store = tmp_path / "fresh" / "emreport.duckdb"
    first = run_cli("ingest", "--data", data, "--store", store)
    assert first.code == 0, first.err
    assert first.out.startswith(
        "已导入 7 个文件（其中 0 个未变化，未重新读取），共 23 行数据，4 个区划单位，"
    )

    def no_reading(*args, **kwargs):
        pytest.fail(f"an unchanged file was read again: {args[0].name}")

    monkeypatch.setattr(sources, "read", no_reading)
    again = run_cli("ingest", "--data", data, "--store", store)

    assert again.code == 0, again.err
    assert again.out.startswith(
        "已导入 7 个文件（其中 7 个未变化，未重新读取），共 23 行数据，4 个区划单位，"
    )


def test_a_failed_ingest_after_a_good_one_leaves_the_good_store(data_copy, tmp_path, run_cli):
    store = tmp_path / "fresh" / "emreport.duckdb"
    good = run_cli("ingest", "--data", data_copy(name="good"), "--store", store)
    assert good.code == 0, good.err
    built = FileState.of(store)
    with Store(store) as s:
        expected = {f: compute(s, DISTRICT, PERIOD)[f].value for f in FIGURES}

    bad = data_copy(
        add=[CASES / "隐患排查_duplicate_id_across_files.csv", CASES / "parts_do_not_add_up.xlsx"],
        name="bad",
    )
    failed = run_cli("ingest", "--data", bad, "--store", store)

    assert failed.code == 1
    assert failed.err_lines[0] == HEAD.format(n=1)  # the sheet problem stops the cross checks
    assert FileState.of(store) == built
    assert figures(store) == expected == GOOD_FIGURES


def test_control_characters_in_names_are_cleaned_at_ingest(data_copy, store_copy, run_cli):
    data = data_copy(add=[CASES / "隐患排查_control_chars.csv"])

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    with Store(store_copy) as s:
        rows = s.con.execute(
            "SELECT id, enterprise FROM hazards WHERE id LIKE 'YHC44%' ORDER BY id"
        ).fetchall()
    assert rows == [
        ("YHC4401", "高新[31m恒远 电子 科技有限公司"),
        ("YHC4402", "高新 瑞达物流有限公司"),
    ]


def test_a_hidden_sheet_is_imported_and_said_so(data_copy, store_copy, run_cli, good_figures):
    data = data_copy(add=[CASES / "hidden_sheet.xlsx"])

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    assert run.out.splitlines()[2:] == [
        "注意：hidden_sheet.xlsx 工作表“安全培训”是隐藏的工作表，已一并导入（如不应导入，请删除该工作表）"
    ]
    with Store(store_copy) as s:
        assert s.con.execute(
            "SELECT count(*) FROM training WHERE district = '990171'"
        ).fetchall() == [(2,)]
    again = run_cli("ingest", "--data", data, "--store", store_copy)  # from the cache: said again
    assert again.out.splitlines()[2:] == run.out.splitlines()[2:]
    assert figures(store_copy) == good_figures


def test_a_1904_workbook_dates_are_not_four_years_off(data_copy, store_copy, run_cli):
    data = data_copy(add=[CASES / "date1904.xlsx"])

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    with Store(store_copy) as s:
        row = s.con.execute(
            "SELECT found_on, deadline, rectified_on FROM hazards WHERE id = 'YHC4501'"
        ).fetchall()
    assert [tuple(d.isoformat() for d in r) for r in row] == [
        ("2025-03-10", "2025-04-10", "2025-03-20")
    ]


def test_files_that_are_not_data_are_named_in_the_report(data_copy, store_copy, run_cli):
    data = data_copy()
    (data / "说明.pdf").write_bytes(b"%PDF-1.4")
    (data / "备注\x1b[2K.txt").write_text("x")

    run = run_cli("ingest", "--data", data, "--store", store_copy)

    assert run.code == 0, run.err
    assert run.out.splitlines()[2:] == [
        "注意：不是xlsx或csv数据文件，未读取：备注\\x1b[2K.txt、说明.pdf"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "隐患排查.xlsb",
        "隐患排查.et",
        "隐患排查_2025.tsv",
        "隐患排查_2025.csv.txt",
        "隐患排查.XLS",
        "隐患排查.xlsx.gz",
    ],
)
def test_spreadsheets_of_other_formats_are_problems(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    found, problems = sources.discover(tmp_path)
    assert found == [] and [p.file for p in problems] == [name]
    assert "无法读取" in problems[0].message


def test_a_file_name_with_escapes_is_shown_escaped(data_copy, store_copy, run_cli):
    bad = data_copy() / "隐患排查_\x1b[1A\x1b[2K.csv"
    bad.write_bytes((CASES / "隐患排查_bad_flag.csv").read_bytes())

    run = run_cli("ingest", "--data", bad.parent, "--store", store_copy)

    assert run.code == 1
    assert "\x1b" not in run.err
    assert (
        run.err_lines[1]
        == "隐患排查_\\x1b[1A\\x1b[2K.csv 第2行 列“挂牌督办”：值“待定”应填“是”或“否”"
    )


def test_every_number_column_declares_a_range_and_every_name_a_length():
    from emreport.data.schema import TABLES

    for table in TABLES:
        for column in table.columns:
            if column.numeric:
                assert 0 < column.high <= 1e9, column
            if column.kind in ("text", "id"):
                assert column.max_length > 0, column
