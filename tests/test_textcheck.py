"""The text check (compose.textcheck): quiet on every sample report, each rule catching a planted
bad sentence, its findings in the bundle for the run's summary, its rules in the guide."""

from __future__ import annotations

from pathlib import Path

import pytest

from emreport import report as reports
from emreport.compose import textcheck
from emreport.output import bundle, html
from test_sections import hazard, report

SAMPLES = [
    (code, period)
    for period in ("2025-H1", "2025")
    for code in (
        "990100",
        "990102",
        "990103",
        "990104",
        "990105",
        "990121",
        "990122",
        "990123",
        "990171",
    )
]
GUIDE = Path(__file__).parents[1] / "docs" / "guide.md"


@pytest.mark.parametrize(("code", "period"), SAMPLES)
def test_every_sample_report_passes(code, period):
    r = reports.build(code, period, report_date="2026-01-15")
    assert [f.words() for f in textcheck.check(html.text(r.document))] == []
    assert r.bundle[bundle.TEXT_CHECK] == []


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("全区受洪涝等自然灾害影响，，未发生因灾死亡失踪。", "重复或悬空的标点"),
        ("全区累计降雨量100毫米；。", "重复或悬空的标点"),
        ("排查隐患3处、。", "重复或悬空的标点"),
        ("共启动应急响应2次（）。", "重复或悬空的标点"),
        ("全区共排查隐患12处,整改率100%。", "中文中的半角标点"),
        ("全区共排查隐患 12处。", "中文与数字之间的空格"),
        ("全区罚款nan万元。", "英文单词或nan"),
        ("全区出动人员None人次。", "英文单词或nan"),
        ("培训300人次（其中）。", "空的“其中”"),
        ("共启动应急响应2次（其中）", "空的“其中”"),
        ("燃气安全专项整治发现隐患0处，已全部整改。", "零值的成效表述"),
        ("隐患排查整改有序推进。已整改0处，整改率0%。", "零值的成效表述"),
    ],
)
def test_each_rule_catches_a_planted_bad_sentence(sentence, rule):
    found = textcheck.check("标题\n" + sentence)
    assert [f.rule for f in found] == [rule], found
    assert found[0].line == 2
    assert found[0].words().startswith(f"文字检查：第2行：{rule}（“")


def test_good_sentences_pass():
    for good in (
        "全区共排查隐患1.06万处，整改率98.5%，同比提高2.3个百分点。",
        "其中，燃气安全专项整治检查企业10家，发现隐患8处，已全部整改。",
        "图1　分月生产安全事故起数",
        "二是隐患闭环整改有待加强。重大隐患整改率仅为0%，低于90%。",
        "启动防汛防台Ⅳ级应急响应3次。",
    ):
        assert textcheck.check(good) == [], good


def test_a_planted_sentence_of_the_analyst_reaches_the_bundle():
    story = "## 隐患排查治理\n\n全区开展检查 12次,，效果好。\n"
    doc = report(hazard("2025-03-01", fixed="2025-03-02"), story=story)
    words = textcheck.check(html.text(doc))
    assert {f.rule for f in words} == {
        "重复或悬空的标点",
        "中文与数字之间的空格",
        "中文中的半角标点",
    }


def test_the_guide_lists_every_rule():
    text = GUIDE.read_text(encoding="utf-8")
    for line in textcheck.rules_text():
        assert line in text, line
