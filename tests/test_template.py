"""The blank workbook: a sheet per declared table, commented headers, drop-downs; it ingests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from emreport.data.ingest import ingest
from emreport.data.schema import BY_ID, NOTE_SHEETS, TABLES
from emreport.data.template import FILE_NAME, write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template written once into a fresh (not yet existing) folder."""
    return write_template(tmp_path_factory.mktemp("template") / "数据")


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def test_written_into_the_folder_it_creates(template):
    assert template.name == FILE_NAME
    assert template.is_file()


def test_sheets_are_guide_then_tables_then_options(book):
    assert book.sheetnames == [NOTE_SHEETS[0], *(t.name for t in TABLES), NOTE_SHEETS[1]]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_headers_are_exactly_the_declared_ones(book, table):
    ws = book[table.name]
    headers = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    assert headers == [c.header for c in table.columns]
    assert ws.max_row == 1, "the template must not contain data rows"
    assert ws.freeze_panes == "A2"
    assert all(ws.cell(1, i).font.bold for i in range(1, len(table.columns) + 1))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_every_header_has_a_comment(book, table):
    ws = book[table.name]
    for i, column in enumerate(table.columns, start=1):
        comment = ws.cell(1, i).comment
        assert comment is not None, f"{table.name}/{column.header} has no comment"
        text = comment.text
        assert ("必填" if column.required else "选填") in text
        if column.unit:
            assert f"单位：{column.unit}" in text
        for choice in column.choices:
            assert choice in text
        if column.note:
            assert column.note in text


def test_comment_examples(book):
    ws = book["隐患排查"]
    headers = [c.value for c in ws[1]]
    source = ws.cell(1, headers.index("来源") + 1).comment.text
    assert "企业自查" in source and "省市交办" in source and "类型：选项" in source
    accidents = book["生产安全事故"]
    deaths = accidents.cell(1, [c.value for c in accidents[1]].index("死亡人数（人）") + 1)
    assert "单位：人" in deaths.comment.text


def _validations(ws) -> dict[str, str]:
    """Column letter -> list formula of each drop-down on a sheet."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for rng in dv.sqref.ranges:
            assert (rng.min_row, rng.max_row) == (2, 5000)
            assert rng.min_col == rng.max_col
            found[openpyxl.utils.get_column_letter(rng.min_col)] = dv.formula1
    return found


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_drop_down_for_every_enum_and_flag_column(book, table):
    ws = book[table.name]
    options = book[NOTE_SHEETS[1]]
    validations = _validations(ws)
    expected = {
        openpyxl.utils.get_column_letter(i): c
        for i, c in enumerate(table.columns, 1)
        if c.kind in ("enum", "bool")
    }
    assert set(validations) == set(expected)
    for letter, column in expected.items():
        formula = validations[letter]
        assert formula.startswith(f"{NOTE_SHEETS[1]}!$"), formula
        listed = [row[0].value for row in options[formula.split("!")[1].replace("$", "")]]
        assert listed == list(column.choices or ("是", "否"))


def test_error_message_in_chinese(book):
    dv = book["隐患排查"].data_validations.dataValidation[0]
    assert dv.showErrorMessage and dv.errorStyle == "stop"
    assert "下拉列表" in dv.error


def test_long_lists_are_not_inline(book):
    for table in TABLES:
        for dv in book[table.name].data_validations.dataValidation:
            assert not dv.formula1.startswith('"'), "inline lists break past 255 characters"


def test_options_sheet_is_hidden(book):
    assert book[NOTE_SHEETS[1]].sheet_state == "hidden"
    assert book[NOTE_SHEETS[0]].sheet_state == "visible"


def test_guide_lists_every_table_and_the_rules(book):
    text = "\n".join(
        str(c.value) for row in book[NOTE_SHEETS[0]].iter_rows() for c in row if c.value is not None
    )
    for table in TABLES:
        assert table.name in text and table.description in text
    for phrase in (
        "2024-07-01",
        "2024/7/1",
        "2024年7月1日",
        "3300余",
        "隐患排查_2024.csv",
        "[E] 逐条记录",
        "[A] 半年合计",
        "[S] 时点存量",
    ):
        assert phrase in text


def test_output_is_byte_for_byte_repeatable(tmp_path, template):
    again = write_template(tmp_path)
    assert again.read_bytes() == template.read_bytes()


def _fill(ws, rows: list[dict[str, object]]) -> None:
    """Write rows by column header (the name without unit) under the template's headers."""
    table = next(t for t in TABLES if t.name == ws.title)
    position = {c.name: i for i, c in enumerate(table.columns, start=1)}
    for r, values in enumerate(rows, start=2):
        for name, value in values.items():
            ws.cell(r, position[name], value)


def test_filled_template_ingests(tmp_path, template):
    book = openpyxl.load_workbook(template)
    _fill(
        book[BY_ID["districts"].name],
        [
            {"区划代码": "990100", "名称": "临江市", "级别": "市"},
            {"区划代码": "990102", "名称": "江城区", "级别": "区", "上级代码": "990100"},
        ],
    )
    _fill(
        book[BY_ID["hazards"].name],
        [
            {
                "隐患编号": "YH-0001",
                "区划代码": "990102",
                "企业名称": "江城机械厂",
                "行业领域": "工贸",
                "来源": "企业自查",
                "隐患等级": "一般",
                "发现日期": date(2025, 3, 1),
                "整改期限": date(2025, 3, 31),
                "整改日期": "2025/3/20",
                "挂牌督办": "否",
            },
        ],
    )
    folder = tmp_path / "data"
    folder.mkdir()
    book.save(folder / FILE_NAME)
    result = ingest(folder, tmp_path / "store" / "emreport.duckdb", today=date(2025, 7, 1))
    assert result.rows["hazards"] == 1
    assert result.rows["districts"] == 2
    assert all(n == 0 for tid, n in result.rows.items() if tid not in ("hazards", "districts"))


def test_blank_template_is_refused_only_for_the_missing_registry(tmp_path, template):
    from emreport.data.problems import InputError

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / FILE_NAME).write_bytes(template.read_bytes())
    with pytest.raises(InputError) as caught:
        ingest(folder, tmp_path / "store" / "emreport.duckdb")
    assert [p.code for p in caught.value.problems] == ["no-registry"]


def test_cli_never_overwrites_a_filled_template(tmp_path, capsys):
    from emreport.cli import main

    assert main(["template", str(tmp_path)]) == 0
    (tmp_path / "数据模板.xlsx").write_bytes(b"filled in by an analyst")
    assert main(["template", str(tmp_path)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert (tmp_path / "数据模板.xlsx").read_bytes() == b"filled in by an analyst"
    assert main(["template", str(tmp_path), "--force"]) == 0
