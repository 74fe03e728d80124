"""Arithmetic in the analyst's own text (compose.arith): a typed figure that disagrees with its
metric, and 共…已…其余… that do not add up, as warnings with file and line; the seed report's
slip written into a narrative file is caught; the sample narratives in params/ are quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from emreport.compose import arith, narrative
from emreport.data.periods import Period
from emreport.data.store import Store
from emreport.metrics import compute
from emreport.run import plan
from test_sections import accident, figures

ROOT = Path(__file__).parents[1]
SLIP = ROOT / "tests" / "fixtures" / "narratives" / "seed_slip.md"


def test_the_seed_reports_slip_is_caught_with_file_and_line():
    m, _ = figures([])
    found = arith.warnings(narrative.load(SLIP), m)
    assert found == [
        f"提示：{narrative.load(SLIP).name} 第7行：共18个，已13个，其余1个，合计14个，"
        "与总数不符（其余应为5个）；若“其余”指其中的11+3=14个，请写明"
    ]  # the sentence that adds up (20 = 15 + 5) is no warning


def test_parts_beyond_their_total_are_caught():
    found = arith.sum_warnings("共检查企业10家，其中危化企业6家、工贸企业7家。", "f 第1行")
    assert found == ["提示：f 第1行：其中的各项（6+7=13家）多于总数10家，请核对"]


def test_a_typed_figure_that_disagrees_with_its_metric():
    m, _ = figures([accident("2025-02-01"), accident("2025-03-01"), accident("2025-04-01")])
    story = narrative.parse("## 安全生产形势\n\n全年发生事故5起，同比减少2起。\n")
    assert arith.warnings(story, m) == [
        "提示：（无文字材料） 第3行：“发生事故5起”与数据不符：本期生产安全事故为3起"
        "（占位符{accidents.count}），请核对，或改用占位符"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "全年发生事故3起。",  # agrees
        "上年发生事故5起。",  # another period
        "其中江城区发生事故5起。",  # another unit
        "全年发生事故{accidents.count}。",  # a placeholder is the metric itself
        "发生较大事故5起。",  # another measure
    ],
)
def test_figures_that_are_not_the_metric_or_agree_are_quiet(text):
    m, _ = figures([accident("2025-02-01"), accident("2025-03-01"), accident("2025-04-01")])
    assert arith.warnings(narrative.parse(f"## 安全生产形势\n\n{text}\n"), m) == []


def test_the_sample_narratives_are_quiet():
    files = sorted((ROOT / "params").glob("*/*.md"))
    assert files
    with Store() as st:
        for path in files:
            m = compute(st, path.parent.name, path.stem)
            assert arith.warnings(narrative.load(path), m) == [], path


def test_the_warnings_reach_the_run_summary_path(store_copy):
    story = narrative.load(SLIP)
    lines = plan.zero_warnings(store_copy, [("990102", Period.parse("2025"), story)])
    assert any("其余1个，合计14个，与总数不符" in line for line in lines)
