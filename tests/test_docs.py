"""docs/data-model.md is generated from the declarations and committed up to date."""

from __future__ import annotations

from emreport import docs as datadoc
from emreport.data.schema import TABLES


def test_committed_document_is_current():
    committed = datadoc.DOC_PATH.read_text(encoding="utf-8") if datadoc.DOC_PATH.exists() else ""
    assert committed == datadoc.render(), (
        f"{datadoc.DOC_PATH} is out of date with lib/emreport/data/schema.py: run `emreport docs` "
        "and commit the result"
    )


def test_every_table_and_column_is_documented():
    text = datadoc.render()
    for table in TABLES:
        assert f"## {table.name}({table.id})" in text
        assert table.description in text
        for column in table.columns:
            assert f"| {column.header} |" in text, f"{table.name}: {column.header}"


def test_kinds_keys_and_rules_are_in_words():
    text = datadoc.render()
    for label in ("[E] 逐条记录", "[A] 半年合计", "[S] 时点存量", "[R] 名录"):
        assert label in text
    assert "隐患编号不能重复" in text
    assert "区划代码＋统计期＋灾害种类的组合不能重复" in text
    assert "整改日期不能早于发现日期" in text
    assert "已整改不能多于发现隐患" in text
    assert "培训合计须等于线下培训与线上培训之和" in text
    assert "只有是否立案为“是”时，罚款金额才能大于0" in text


def test_allowed_values_are_listed():
    text = datadoc.render()
    assert "企业自查、政府检查、中介检查、暗访、省市交办" in text
    assert "危化品→危险化学品" in text


def test_render_is_deterministic():
    assert datadoc.render() == datadoc.render()


def test_write_creates_the_file(tmp_path, monkeypatch):
    target = tmp_path / "docs" / "data-model.md"
    monkeypatch.setattr(datadoc, "DOC_PATH", target)
    assert datadoc.write() == target
    assert target.read_text(encoding="utf-8") == datadoc.render()
