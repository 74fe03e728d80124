"""Numbers in the report as these documents write them: 万 from 1万 in running text with 余 where
a material part is left out, exact figures in the tables, 余 kept in the appendix for an
approximate figure, one unit word for hazards, and the analyst's setting for exact figures."""

from __future__ import annotations

import pytest

from emreport.compose import narrative
from emreport.data.schema import BY_ID, HAZARD_UNIT
from test_sections import appendix, hazard, report, section, total

TRAINING = "宣传培训"


def summary(doc) -> dict:
    t = next(t for title, t in appendix(doc).items() if title.endswith("主要指标"))
    return {label: list(row) for label, row in zip(t.frame.index, t.frame.to_numpy(), strict=True)}


def test_running_text_writes_wan_and_the_table_the_exact_figure():
    doc = report(total("training", offline=41326, online=10000, total=51326, classes=3))
    # was: 培训51326人次（其中线下41326人次、线上10000人次）
    assert section(doc, TRAINING)[1] == (
        "一是深化安全培训。举办安全培训班3期，培训5.1万余人次（其中线下4.1万余人次、线上1万人次）。"
    )
    assert summary(doc)["培训合计"][1] == 51326


def test_appendix_keeps_the_yu_of_an_approximate_figure():
    doc = report(total("training", online=200000, total=200000, approx="online,total"))
    assert "20余万人次" in section(doc, TRAINING)[1]
    # was: 培训合计 200000 beside 「20余万人次」 in the text
    assert summary(doc)["培训合计"][1] == "200000余"


def test_the_analyst_can_ask_for_exact_figures():
    story = "## 数字写法\n\n精确\n\n## 宣传培训\n\n全年培训{training.total}。\n"
    doc = report(total("training", offline=51326, total=51326), story=story)
    lines = section(doc, TRAINING)
    assert "培训51326人次" in lines[1]
    assert lines[-1].endswith("全年培训51326人次。")
    assert "5.1万" not in "".join(lines)


def test_an_unknown_number_style_is_refused_with_the_line():
    with pytest.raises(narrative.NarrativeError, match="第3行.*“万”、“精确”之一.*不能写“大概”"):
        narrative.parse("## 数字写法\n\n大概\n")


def test_hazards_are_counted_in_one_word_everywhere():
    units = {
        c.unit
        for tid, cid in [
            ("inspections", "problems"),
            ("campaigns", "found"),
            ("campaigns", "rectified"),
            ("covert_checks", "exposed"),
            ("covert_checks", "assigned"),
        ]
        for c in [BY_ID[tid].column(cid)]
    }
    assert units == {HAZARD_UNIT} == {"处"}
    doc = report(
        hazard("2025-03-01", fixed="2025-03-02"), total("campaigns", campaign="甲", found=2)
    )
    text = "".join(section(doc, "隐患排查治理"))
    assert "条" not in text.replace("逐条", "")
    tables = appendix(doc)
    assert all(u != "条" for t in tables.values() for u in t.units.values())
