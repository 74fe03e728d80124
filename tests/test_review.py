"""The plan-period review's figures, worked by hand: a total over the years, the change against
the base year, 年均 (compound for a count, points for a rate), best and worst years, streaks;
with the edges — a year without data in the middle, a base year of zero, a unit with no
accident in any year — and the review composed from the sample store."""

from __future__ import annotations

import math

import pytest

from emreport.compose import outline_of
from emreport.compose.context import Context
from emreport.compose.narrative import Narrative, parse
from emreport.compose.sections.review import phrases as ph
from emreport.data.periods import PeriodError, PlanPeriod
from emreport.data.store import Unit
from emreport.metrics import Metric, metric_ids
from emreport.metrics.review import Review, annual_text, review_ids

PLAN = PlanPeriod.parse("十四五")
DISTRICT = Unit("990102", "江城区", "区", ("990102",))


class FakeYear(dict):
    """One year's metrics: every id, 0 unless given; `_has` the tables with rows."""

    def __init__(self, figures: dict[str, float | None]):
        super().__init__()
        for mid in metric_ids():
            unit = "%" if mid.endswith("_rate") else "起"
            self[mid] = Metric(mid, mid, unit, figures.get(mid, 0), None)
        self._has = {"accidents", "hazards"}


def review(by_year: dict[int, dict | None], base: dict | None) -> Review:
    years = {y: (FakeYear(f) if f is not None else None) for y, f in by_year.items()}
    return Review(DISTRICT, PLAN, years, FakeYear(base) if base is not None else None)


def accidents(*counts) -> dict[int, dict | None]:
    """Years 2021-2025 with these accident counts (None: no data that year)."""
    return {
        y: (None if c is None else {"accidents.count": c})
        for y, c in zip(PLAN.years, counts, strict=True)
    }


# --- the plan period ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["十四五", "“十四五”", "2021-2025", "２０２１—２０２５年", "十四五时期"]
)
def test_a_plan_period_reads_as_analysts_write_it(text):
    p = PlanPeriod.parse(text)
    assert (p.first, p.last, p.base, p.code) == (2021, 2025, 2020, "2021-2025")
    assert (p.label, p.base_label, p.next_name) == ("“十四五”", "“十三五”末", "十五五")


def test_a_span_that_is_not_a_plan_names_its_years():
    p = PlanPeriod.parse("2019-2023")
    assert (p.name, p.label, p.base_label) == ("", "2019—2023年", "2018年")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2025", "应写作“十四五”或“2021-2025”"),
        ("2021-2040", "应覆盖2至10个年度"),
        ("十九五", "可用十一五"),
    ],
)
def test_a_bad_plan_period_says_how_to_write_it(text, words):
    with pytest.raises(PeriodError, match=words):
        PlanPeriod.parse(text)


# --- the figures, by hand -----------------------------------------------------------------


def test_total_vs_base_and_annual_worked_by_hand():
    r = review(accidents(10, 8, 9, 6, 5), {"accidents.count": 12})
    assert r["accidents.count.total"].value == 10 + 8 + 9 + 6 + 5 == 38
    vs = r["accidents.count.vs_base"]
    assert (vs.value, vs.prev) == (5, 12)
    assert vs.yoy() == "较“十三五”末下降58.3%"  # (5 - 12) / 12 = -58.33 %
    # 年均: (5 / 12) ** (1 / 5) - 1 = -16.07 %
    annual = r["accidents.count.annual"].value
    assert math.isclose(annual, (5 / 12) ** 0.2 - 1)
    assert annual_text(r["accidents.count.annual"]) == "年均下降16.1%"
    # each year's figure against the year before; the first year's against the base year
    assert r["accidents.count.2021"].prev == 12
    assert r["accidents.count.2023"].yoy() == "同比增长12.5%"


def test_best_worst_and_streaks_worked_by_hand():
    r = review(accidents(10, 8, 9, 6, 5), {"accidents.count": 12})
    assert r["accidents.count.best"].value == 2025  # 5, the fewest
    assert r["accidents.count.worst"].value == 2021  # 10, the most
    assert r["accidents.count.falls"].value == 2  # 6 < 9, 5 < 6; 9 > 8 breaks it
    # no 较大 accident in any year: five years without one
    assert r["accidents.major_or_above.zero"].value == 5
    assert r["accidents.major_or_above.zero"].text() == "5年"


def test_a_rate_over_the_years_is_made_from_the_totals_and_its_annual_is_in_points():
    years = {
        2021: {"hazards.found": 100, "hazards.rectified": 90, "hazards.rectification_rate": 0.9},
        2022: {"hazards.found": 300, "hazards.rectified": 294, "hazards.rectification_rate": 0.98},
        2023: {"hazards.found": 100, "hazards.rectified": 95, "hazards.rectification_rate": 0.95},
        2024: {"hazards.found": 100, "hazards.rectified": 96, "hazards.rectification_rate": 0.96},
        2025: {"hazards.found": 400, "hazards.rectified": 388, "hazards.rectification_rate": 0.97},
    }
    r = review(years, {"hazards.rectification_rate": 0.92})
    # (90 + 294 + 95 + 96 + 388) / (100 + 300 + 100 + 100 + 400) = 963 / 1000, not the mean
    assert r["hazards.rectification_rate.total"].value == 0.963
    assert r["hazards.rectification_rate.total"].text() == "96.3%"
    assert r["hazards.rectification_rate.vs_base"].yoy() == "较“十三五”末提高5个百分点"
    # (0.97 - 0.92) / 5 = 1 point a year
    assert math.isclose(r["hazards.rectification_rate.annual"].value, 0.01)
    assert annual_text(r["hazards.rectification_rate.annual"], rate=True) == "年均提高1个百分点"
    assert r["hazards.rectification_rate.best"].value == 2022  # 98 %, the highest
    assert r["hazards.rectification_rate.worst"].value == 2021


def test_a_year_missing_in_the_middle_is_no_figure_and_no_total():
    r = review(accidents(10, 8, None, 6, 5), {"accidents.count": 12})
    assert r.missing == [2023]
    assert r["accidents.count.2023"].value is None
    assert "accidents.count.total" not in r  # never a five-year total that misses a year
    assert r["accidents.count.vs_base"].value == 5  # both ends have data: stated
    assert r["accidents.count.2024"].prev is None  # 2023 has no figure to compare with
    assert r["accidents.count.falls"].value == 1  # 5 < 6, then 2023 ends the streak
    assert r["accidents.count.zero"].value == 0
    assert r["accidents.count.best"].value == 2025  # among the years with data


def test_a_base_year_of_zero_has_no_percentage_and_no_annual():
    r = review(accidents(1, 0, 2, 1, 3), {"accidents.count": 0})
    assert "accidents.count.annual" not in r  # a rise from nothing has no rate
    assert r["accidents.count.vs_base"].yoy() == "较“十三五”末增加3起"


def test_a_fall_to_zero_has_a_change_but_no_annual():
    r = review(accidents(3, 2, 1, 1, 0), {"accidents.count": 4})
    assert r["accidents.count.vs_base"].yoy() == "较“十三五”末下降100%"
    assert "accidents.count.annual" not in r  # (0 / 4) ** (1 / 5) - 1 says nothing


def test_a_base_year_without_data_leaves_the_comparisons_out():
    r = review(accidents(4, 3, 3, 2, 1), None)
    assert not r.base_recorded
    for suffix in ("vs_base", "annual", "2020"):
        assert f"accidents.count.{suffix}" not in r
    assert r["accidents.count.2021"].prev is None
    assert r["accidents.count.total"].value == 13


def test_a_unit_with_no_accident_in_any_year():
    r = review(accidents(0, 0, 0, 0, 0), {"accidents.count": 0})
    assert r["accidents.count.total"].value == 0
    assert r["accidents.count.zero"].value == 5
    assert r["accidents.count.falls"].value == 0
    assert "accidents.count.annual" not in r
    ctx = Context(r, Narrative(rooms=outline_of("review")))
    assert ph.best(ctx, "accidents.count", "事故起数", "最少") == ""  # a five-way tie: no best


def test_every_id_a_review_states_is_known_before_the_run():
    r = review(accidents(10, 8, 9, 6, 5), {"accidents.count": 12})
    assert set(r) <= set(review_ids(PLAN))


# --- the review composed ------------------------------------------------------------------


def test_the_review_states_its_figures_as_metrics_json_words_them(good_store):
    from emreport import report
    from emreport.output import html

    r = report.build(
        "990100", "2024-2025", store=good_store, kind="review", report_date="2026-01-15"
    )
    text = html.text(r.document)
    m = r.metrics
    assert r.document.title == "临江市应急管理局2024—2025年工作总结"
    assert f"共发生生产安全事故{m['accidents.count.total'].text()}" in text
    assert f"死亡{m['accidents.deaths.total'].text()}" in text
    assert f"整改率{m['hazards.rectification_rate.total'].text()}" in text
    body = r.bundle["metrics"]
    assert body["kind"] == "review" and body["period"] == "2024-2025"
    assert body["metrics"]["accidents.count.2025"]["previous"] == m["accidents.count.2024"].value
    for bad in ("nan", "None", "□"):
        assert bad not in text


def test_the_review_narrative_takes_its_own_headings():
    story = parse(
        "## 工作思路：“十五五”时期重点工作\n\n总的思路。\n\n### 深化治本攻坚\n\n一段。\n",
        rooms=outline_of("review"),
    )
    assert story.plans_lead[0].text == "总的思路。"
    assert story.plans[0].title == "深化治本攻坚"
    with pytest.raises(ValueError, match="栏目“下一步工作安排”不认识"):
        parse("## 下一步工作安排\n\n文字。\n", rooms=outline_of("review"))


def test_a_city_review_pdf_states_every_cited_figure_as_metrics_json_words_it(
    sample_store, tmp_path
):
    import re
    import subprocess

    from emreport import report
    from emreport.output import typst

    r = report.build(
        "990100", "十四五", store=sample_store, kind="review", report_date="2026-01-15"
    )
    assert r.document.title == "临江市应急管理局“十四五”工作总结"
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(typst.pdf(r.document))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))
    stated = r.bundle["metrics"]["metrics"]
    assert len(r.document.cited) > 40
    cited = {mid for mid, _ in r.document.cited}
    for mid in ("accidents.count.total", "accidents.deaths.vs_base", "accidents.count.annual"):
        assert mid in cited
    for mid, form in r.document.cited:
        words = ph.worded(Metric.from_json(mid, stated[mid]), form)
        assert words and words in text, (mid, form, words)
    for bad in ("nan", "None", "□"):
        assert bad not in text
