"""Sentences that were false or clumsy, each with the text it used to read and the text it reads
now: a claim from blank cells, a rate under its bar told as an achievement, a grade claim weaker
than the truth, a 其中 whose one part is the whole, a figure the analyst's text already states."""

from __future__ import annotations

from emreport import docs as datadoc
from emreport.data.schema import BY_ID
from test_sections import (
    accident,
    hazard,
    inspection,
    reads,
    report,
    response,
    section,
    total,
)

ENFORCEMENT = "（二）严格监管执法，依法治安持续加强"


def test_no_claim_of_no_reviews_from_blank_cells():
    blank = inspection("2025-03-05", fine=2)
    blank[1]["review"] = blank[1]["litigation"] = None
    # was: 立案查处的1起案件，均无行政复议、诉讼情况发生 (asserted from blank cells)
    head = "二是严厉打击违法行为。立案1起，罚款2万元，立案数和罚款金额同比分别增加1起、2万元"
    assert section(report(blank), "监管执法")[2] == head + "。"
    said = report(inspection("2025-03-05", fine=2))  # 否 entered: the claim stands
    assert section(said, "监管执法")[2] == (
        head + "。立案查处的1起案件，均无行政复议、诉讼情况发生。"
    )


def test_the_data_model_says_which_blanks_are_not_reported():
    for cid in ("review", "litigation"):
        assert BY_ID["inspections"].column(cid).unknown_blank
    text = datadoc.render()
    assert "| 行政复议 | 是/否 | — | 否 | 是/否，空白表示未填报" in text


def test_a_major_hazard_rate_under_the_bar_is_a_problem_not_an_achievement():
    doc = report(
        hazard("2025-03-01", major=True, fixed="2025-03-10"),
        hazard("2025-03-02", major=True),
        hazard("2025-03-03", major=True),
    )
    # was: 排查重大事故隐患3处，已整改销号1处，重大隐患整改率33.3%。
    assert section(doc, "隐患排查治理")[3].startswith(
        "三是紧盯重大事故隐患治理。排查重大事故隐患3处，已整改销号1处。"
    )
    assert section(doc, "问题")[1] == "一是隐患闭环整改有待加强。重大隐患整改率仅为33.3%，低于90%。"


def test_the_grade_sentence_says_the_strongest_true_claim():
    lead = "".join(section(report(accident("2025-04-02", deaths=3)), "导语"))
    # was: 发生较大及以上生产安全事故1起
    assert "发生较大生产安全事故1起，未发生重大及以上生产安全事故" in lead
    lead = "".join(section(report(accident("2025-04-02", deaths=12)), "导语"))
    assert "发生重大及以上生产安全事故1起" in lead


def test_no_qizhong_whose_one_part_is_the_whole():
    doc = report(total("training", online=200000, total=200000, approx="online,total"))
    # was: 培训20余万人次（其中线上20余万人次）
    assert section(doc, "宣传培训")[1] == "一是深化安全培训。线上培训20余万人次。"
    doc = report(response("2025-06-01"), response("2025-06-02"))
    # was: 共启动防汛防台应急响应2次（其中Ⅳ级2次）
    assert "共启动防汛防台Ⅳ级应急响应2次" in section(doc, "防汛防台与自然灾害防御")[1]


def test_a_figure_the_analyst_states_is_not_repeated_in_the_section():
    rows = [inspection("2025-03-05", inspectors=12), inspection("2025-03-06", inspectors=12)]
    story = "## 监管执法\n\n上半年，我局出动执法人员{inspections.inspectors}，开展“双随机”检查。\n"
    # was: 一是加大执法检查力度。…共开展执法检查2家次，出动执法人员24人次，检查单位1家。
    #      二是上半年，我局出动执法人员24人次，…
    reads(
        report(*rows, story=story),
        "监管执法",
        ENFORCEMENT,
        "一是加大执法检查力度。2025年上半年，全区共开展执法检查2家次，同比增加2家次，检查单位1家。",
        "二是上半年，我局出动执法人员24人次，开展“双随机”检查。",
    )
    typed = "## 隐患排查治理\n\n全区排查隐患12处，均录入监管平台。\n"
    found = [hazard(f"2025-03-{d:02d}", fixed="2025-03-28") for d in range(1, 13)]
    lines = section(report(*found, story=typed), "隐患排查治理")
    # was: 一是隐患排查整改有序推进。2025年上半年，全区共排查发现各类隐患12处，同比增加12处；
    #      已整改12处，整改率100%。 … then the analyst's 全区排查隐患12处 again
    assert lines[1] == "一是隐患排查整改有序推进。2025年上半年，全区已整改隐患12处，整改率100%。"
    assert any(line.endswith("全区排查隐患12处，均录入监管平台。") for line in lines)
