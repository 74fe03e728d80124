"""The analyst's narrative file: parts, paragraphs, placeholders, and errors with file and line."""

from pathlib import Path

import pytest

from emreport.compose import narrative
from emreport.compose.narrative import NarrativeError
from emreport.metrics import Metric, metric_ids

FIGURES = {
    "hazards.found": Metric("hazards.found", "发现隐患", "条", 3131, 2577),
    "hazards.rectification_rate": Metric(
        "hazards.rectification_rate", "隐患整改率", "%", 0.97, 0.963
    ),
    "flood.responses": Metric("flood.responses", "应急响应", "次", 4, None),
    "forest_fire.groups": Metric("forest_fire.groups", "检查组", "个", None, None),
}

TEXT = """# 说明：这一行和注释不会印出来
<!-- 多行
注释 -->
## 导语
2025年，区应急管理局
在区委区政府的坚强领导下。

## 隐患排查治理
全年发现隐患{hazards.found}，{hazards.found|同比}，上年为{hazards.found|上年}。

## 存在的问题和不足
一是执法力量不足。

2. 培训流于形式。

- 基层能力薄弱。

## 下一步工作安排
下半年重点抓好以下工作：

### （一）压实责任
修订责任清单。

### 整改率达到{hazards.rectification_rate}以上
逐条销号。

## 落款
江城区应急管理局

## 成文日期
2026年1月15日
"""


def test_parts_paragraphs_and_lines():
    n = narrative.parse(TEXT, Path("params/990102/2025.md"))
    assert [p.text for p in n.lead] == ["2025年，区应急管理局在区委区政府的坚强领导下。"]
    assert n.lead[0].line == 5
    assert n.sections["隐患排查治理"][0].line == 9
    assert n.signature == "江城区应急管理局" and n.date == "2026年1月15日"
    assert [p.text for p in n.plans_lead] == ["下半年重点抓好以下工作："]
    assert [p.title for p in n.plans] == ["压实责任", "整改率达到{hazards.rectification_rate}以上"]


def test_problem_numbering_typed_by_the_analyst_is_dropped():
    n = narrative.parse(TEXT)
    assert [p.text for p in n.problems] == ["执法力量不足。", "培训流于形式。", "基层能力薄弱。"]


def test_placeholders_write_figures_as_the_report_does():
    n = narrative.parse(TEXT)
    para = n.sections["隐患排查治理"][0]
    assert narrative.filled(n, para, FIGURES) == "全年发现隐患3131条，同比增长21.5%，上年为2577条。"
    assert narrative.fill("整改率{hazards.rectification_rate}", FIGURES, where="x") == "整改率97%"


def test_literal_braces_are_written_doubled():
    assert narrative.fill("{{不是占位符}}", FIGURES, where="x") == "{不是占位符}"


def test_unknown_metric_names_file_and_line():
    n = narrative.parse(
        "## 导语\n\n第一段。\n\n全年发现{hazards.fund}。\n", Path("params/990102/2025.md")
    )
    with pytest.raises(NarrativeError, match=r"params/990102/2025.md 第5行.*hazards.fund.*不存在"):
        narrative.check(n, FIGURES)


def test_unknown_metric_is_caught_before_any_computing():
    n = narrative.parse("## 存在的问题和不足\n{accidents.cnt}\n", Path("params/990103/2025.md"))
    with pytest.raises(NarrativeError, match="第2行.*accidents.cnt"):
        narrative.check_names(n, metric_ids())


def test_placeholder_without_a_figure_is_an_error():
    with pytest.raises(NarrativeError, match="没有上年同期数据"):
        narrative.fill("{flood.responses|上年}", FIGURES, where="f 第1行")
    with pytest.raises(NarrativeError, match="没有本期数据"):
        narrative.fill("{forest_fire.groups}", FIGURES, where="f 第1行")


def test_unknown_form_and_heading_are_errors():
    with pytest.raises(NarrativeError, match="写法不认识"):
        narrative.fill("{hazards.found|环比}", FIGURES, where="f 第1行")
    with pytest.raises(NarrativeError, match="第2行：栏目“问题”不认识"):
        narrative.parse("说明\n## 问题\n")
    with pytest.raises(NarrativeError, match="三级标题"):
        narrative.parse("## 导语\n### 小标题\n")


def test_missing_file_means_a_report_from_data_alone(tmp_path):
    n = narrative.load(tmp_path / "990102" / "2025.md")
    assert not n.lead and not n.problems and not n.plans and not n.sections


def test_file_not_in_utf8_is_named(tmp_path):
    f = tmp_path / "2025.md"
    f.write_bytes("## 导语\n江城区".encode("gbk"))
    with pytest.raises(NarrativeError, match="不是 UTF-8"):
        narrative.load(f)


def test_committed_sample_narratives_name_only_known_metrics():
    root = Path(__file__).resolve().parents[1] / "params"
    files = sorted(root.glob("*/*.md"))
    assert files, "the sample narratives are missing"
    for f in files:
        narrative.check_names(narrative.load(f), metric_ids())


CN = {
    1: "一",
    9: "九",
    10: "十",
    11: "十一",
    19: "十九",
    20: "二十",
    21: "二十一",
    99: "九十九",
    100: "一百",
    101: "一百零一",
    109: "一百零九",
    110: "一百一十",
    111: "一百一十一",
    120: "一百二十",
    200: "二百",
    999: "九百九十九",
    1000: "一千",
    1001: "一千零一",
    1010: "一千零一十",
    1100: "一千一百",
    10000: "一万",
    10001: "一万零一",
    10010: "一万零一十",
    11000: "一万一千",
    100000: "十万",
    101000: "十万一千",
    100000000: "一亿",
    100010000: "一亿零一万",
}


@pytest.mark.parametrize("n", sorted(CN))
def test_chinese_numerals_for_any_count(n):
    from emreport.compose.document import cn_number

    assert cn_number(n) == CN[n]


def test_chinese_numerals_refuse_what_is_not_a_count():
    from emreport.compose.document import cn_number

    for bad in (0, -1):
        with pytest.raises(ValueError):
            cn_number(bad)


def test_more_than_a_hundred_items_are_numbered_correctly():
    from emreport.compose.document import Document, Section, numbered

    section = Section("问题", "存在的问题和不足", 1)
    section.points([f"第{i}条。" for i in range(1, 121)])
    (shown,) = numbered(Document("标题", [section], "", "")).sections
    texts = [p.text for p in shown.blocks]
    assert texts[99] == "一百是第100条。" and texts[100] == "一百零一是第101条。"
    assert texts[109] == "一百一十是第110条。" and texts[119] == "一百二十是第120条。"


def test_numbering_typed_beyond_a_hundred_is_dropped_too():
    n = narrative.parse("## 存在的问题和不足\n一百零一是执法力量不足。\n\n（一百一十）培训不足。\n")
    assert [p.text for p in n.problems] == ["执法力量不足。", "培训不足。"]


def test_a_narrative_at_the_limits_is_accepted():
    text = (
        "## 导语\n\n"
        + "导" * narrative.MAX_PARAGRAPH
        + "\n\n## 存在的问题和不足\n\n"
        + "".join(f"问题{i}。\n\n" for i in range(narrative.MAX_ITEMS))
        + "## 下一步工作安排\n\n"
        + "".join(
            f"### {'题' * narrative.MAX_TITLE}\n\n内容。\n\n" for _ in range(narrative.MAX_ITEMS)
        )
    )
    n = narrative.parse(text)
    assert len(n.problems) == len(n.plans) == narrative.MAX_ITEMS
