"""The highlights brief (工作亮点): candidate scores worked out by hand on a few rows a year,
their order, the edges (a year missing in the middle, a base of 0, a district without any
accident in any year, a first), the paragraphs as a reader sees them, the analyst's narrative
(retitle, drop, reorder, own sections, a candidate that does not apply) and hostile names; then
a brief of the sample store read back from its PDF.

Rows are built as in test_sections (江城区 and its city 临江市 with 市本级, 临湖区, 云溪县 and
临江高新区); `brief` computes the figures as `compute_highlights` does, from rows in memory."""

from __future__ import annotations

import re
from datetime import date

import pytest

from emreport import config
from emreport.compose import compose, narrative
from emreport.compose.document import cn_number, numbered
from emreport.compose.kinds import HIGHLIGHTS
from emreport.data.ingest import ingest
from emreport.data.periods import Period
from emreport.metrics import Metric
from emreport.metrics.candidates import points
from emreport.metrics.highlights import highlights
from emreport.output import html
from test_sections import CITY, NAMES, D, accident, frames, hazard, inspection, unit

TODAY = date(2026, 1, 15)
YEARS = (2021, 2022, 2023, 2024, 2025)


def deaths_in(year: int, deaths: list[int], district: str = D) -> list:
    """One accident per figure, on 10 March of the year: 3 deaths make a 较大 accident."""
    return [accident(f"{year}-03-10", deaths=n, district=district) for n in deaths]


def hazards_in(year: int, found: int, fixed: int, district: str = D) -> list:
    return [
        hazard(f"{year}-03-01", fixed=f"{year}-04-01" if i < fixed else None, district=district)
        for i in range(found)
    ]


def jiangcheng() -> list:
    """江城区 2021–2025 and its neighbours' accidents of 2024 and 2025.

    江城区: accidents 5, 6, 4, 4, 3; deaths 5, 6, 4, 4, 2; a 较大 accident in 2021 and 2022;
    hazards from 2023: 10 found 8 put right, 10 and 9, 25 and 23 (80%, 90%, 92%).
    临湖区 4 accidents in 2024, 2 in 2025, no death; 云溪县 2 and 2; 临江高新区 none."""
    rows = [
        *deaths_in(2021, [3, 1, 1, 0, 0]),
        *deaths_in(2022, [3, 1, 1, 1, 0, 0]),
        *deaths_in(2023, [1, 1, 1, 1]),
        *deaths_in(2024, [1, 1, 1, 1]),
        *deaths_in(2025, [1, 1, 0]),
        *hazards_in(2023, 10, 8),
        *hazards_in(2024, 10, 9),
        *hazards_in(2025, 25, 23),
    ]
    rows += deaths_in(2024, [0, 0, 0, 0], "990103") + deaths_in(2025, [0, 0], "990103")
    rows += deaths_in(2024, [0, 0], "990121") + deaths_in(2025, [0, 0], "990121")
    return rows


def brief(rows, code: str = D, period: str = "2025", years=YEARS, recorded: bool = True):
    """The brief's figures as compute_highlights makes them from the store."""
    u, city = unit(code), unit(CITY)
    kept = [r for r in rows if int(_day(r).year) in years]
    mine = frames([r for r in kept if r[1]["district"] in u.members])
    return highlights(
        u, mine, Period.parse(period), list(years), recorded, city, frames(kept), NAMES
    )


def _day(row):
    tid, r = row
    return r.get("occurred_at") or r.get("found_on") or r.get("inspected_on")


def scores(h) -> list[tuple[str, float]]:
    return [(s.key, s.score) for s in h.candidates if s.applies]


def doc(h, story: str = ""):
    return compose(h, narrative.parse(story, rooms=HIGHLIGHTS), today=TODAY)


def body(d) -> list[str]:
    """The brief as a reader sees it: the title, then heading and paragraph lines."""
    return html.text(d).splitlines()


# --- scores, worked out by hand -------------------------------------------------------------


def test_scores_and_their_order_for_a_district_over_five_years():
    h = brief(jiangcheng())
    # 双降: accidents 3 against 4 (-25.0%: 25), deaths 2 against 4 (-50.0%: 50), change their
    # mean 37.5; 3 accidents is below every earlier year (5, 6, 4, 4): a record, 30
    # 隐患整改: 92% against 90%, +2.0 points: 20; above 80% and 90%: a record, 30
    # 无较大事故: none in 2023, 2024, 2025: a streak of three years, 30 (no first: 2023 had none)
    # 排名: 江城区's fall (-25%) second among 临湖区 (-50%) and 云溪县 (0%), in the top half of
    # four districts: 20; its 整改率 first (the only district with hazards): 30, the better
    assert scores(h) == [
        ("事故双降", 107.5),
        ("隐患整改", 70.0),
        ("无较大事故", 60.0),
        ("排名", 50.0),
    ]
    assert h.candidate("事故双降").parts == {"weight": 40.0, "change": 37.5, "record": 30}
    assert h.candidate("隐患整改").parts == {"weight": 20.0, "change": 20.0, "record": 30}
    assert h.candidate("无较大事故").parts == {"weight": 30.0, "streak": 30.0}
    assert h.candidate("排名").parts == {"weight": 20.0, "rank": 30}
    assert h["highlights.accidents.count.record"].value == 4
    assert h["highlights.accidents.count.record_year"].value == 2024  # the latest of a tie
    assert h["highlights.accidents.count.since"].value == 2021
    assert h["highlights.hazards.rectification_rate.since"].value == 2023  # first with hazards
    assert h["highlights.accidents.major_or_above.zero_streak"].value == 3
    assert h["highlights.rank.accidents.count"].value == 2
    assert h["highlights.rank.hazards.rectification_rate"].value == 1
    assert h["highlights.rank.districts"].value == 4
    assert not h.candidate("零死亡").applies and h.candidate("零死亡").score == 0


def test_the_paragraphs_state_the_figures_that_make_each_highlight():
    lines = body(doc(brief(jiangcheng())))
    assert lines == [
        "江城区应急管理局2025年度工作亮点",
        "2025年，江城区应急管理局坚持人民至上、生命至上，统筹发展和安全，"
        "安全生产形势持续稳定向好，主要亮点如下：",
        "一、“稳”字当头，事故起数和死亡人数实现双下降",
        "2025年，全区共发生生产安全事故3起、死亡2人，同比分别下降25%、50%，"
        "为2021年以来最少（此前最少为2024年的4起），实现事故起数和死亡人数“双下降”。",
        "二、“实”字打底，隐患排查整改取得新突破",
        "2025年，全区排查发现隐患25处，已整改23处，整改率92%，同比提高2个百分点，"
        "为2023年以来最高（此前最高为2024年的90%）。",
        "三、守牢底线，未发生较大及以上生产安全事故",
        "2025年，全区已连续三年未发生较大及以上生产安全事故。",
        "四、争先进位，主要指标位居全市前列",
        "2025年，全区生产安全事故同比下降25%，降幅居全市第二；隐患整改率92%，居全市第一。",
    ]


def test_a_year_missing_in_the_middle_ends_a_streak_and_is_no_year_of_a_record():
    h = brief(jiangcheng(), years=(2021, 2022, 2024, 2025))  # 2023 not in the store
    # 无较大事故: 2025 and 2024 only (2023 has no figure): 20; 隐患整改: 90% is the only earlier
    # rate, too few for a record: 20 + 20
    assert scores(h) == [
        ("事故双降", 107.5),
        ("无较大事故", 50.0),
        ("排名", 50.0),
        ("隐患整改", 40.0),
    ]
    assert h["highlights.accidents.major_or_above.zero_streak"].value == 2
    assert "highlights.hazards.rectification_rate.record" not in h
    # the record among 2021, 2022, 2024: said of the four years with data, not "since 2021"
    assert h["highlights.accidents.count.years"].value == 4
    lines = body(doc(h))
    assert "为有数据的四个年度中最少（此前最少为2024年的4起）" in lines[3]


def test_a_base_of_zero_gives_no_percentage_and_no_highlight():
    rows = [
        *deaths_in(2024, []),
        *deaths_in(2025, [1, 0]),
        inspection("2025-04-01"),
        inspection("2025-05-01"),
    ]
    h = brief(rows, years=(2024, 2025))
    assert h["accidents.count"].yoy() == "同比增加2起"
    assert points(h["accidents.count"], lower=True) == 0
    assert points(h["inspections.count"], lower=False) == 0  # 2 against 0: no rise in percent
    assert points(Metric("x", "x", "起", 3, 4), lower=True) == 25.0
    assert points(Metric("x", "x", "%", 0.95, 0.9), lower=False) == 50.0  # 5 points, capped
    for key in ("事故双降", "执法检查", "零死亡"):
        assert not h.candidate(key).applies, key


def test_a_district_without_an_accident_in_any_year():
    h = brief(jiangcheng(), code="990171")  # 临江高新区: no accident 2021–2025
    assert h["highlights.accidents.deaths.zero_streak"].value == 5
    assert "highlights.rank.accidents.count" not in h  # no fall from 0 to rank
    # 零死亡 and 无较大事故: five years in a row, 10 a year capped at 50
    assert scores(h) == [("无较大事故", 80.0), ("零死亡", 80.0)]  # a tie: the catalogue's order
    assert not h.candidate("事故双降").applies
    assert body(doc(h))[5] == "2025年，全区未发生生产安全事故，已连续五年实现零死亡。"


def test_a_first_year_without_a_larger_accident():
    rows = [
        *deaths_in(2022, [3]),
        *deaths_in(2023, [3, 1]),
        *deaths_in(2024, [4]),
        *deaths_in(2025, [1]),
    ]
    h = brief(rows, years=(2022, 2023, 2024, 2025))
    assert h["highlights.accidents.major_or_above.first_zero"].value == 2022
    assert h.candidate("无较大事故").parts == {"weight": 30.0, "first": 30}
    section = [ln for ln in body(doc(h)) if "较大及以上生产安全事故（" in ln]
    assert section == ["2025年，全区未发生较大及以上生产安全事故（上年1起），为2022年以来首次。"]


def test_a_city_names_its_districts_without_a_death_and_the_largest_fall():
    h = brief(jiangcheng(), code=CITY)
    # 双降: 7 accidents against 10 (-30.0%), deaths 2 against 4 (-50.0%): 40 + 40; 3 is no
    # record for the city's count (earlier 5, 6, 4, 4 and 7 now: only 江城区's before 2024)
    # 零死亡: 临湖区, 云溪县, 临江高新区 of four districts (市本级 aside): 30 + 50 × 3/4
    assert h.candidate("事故双降").score == 80.0
    assert h.candidate("零死亡").parts == {"weight": 30.0, "share": 37.5}
    assert h.zero_death_districts == ["临湖区", "云溪县", "临江高新区"]
    assert h["highlights.members.largest_fall"].label == "临湖区生产安全事故"
    lines = body(doc(h))
    assert (
        "2025年，全市共发生生产安全事故7起、死亡2人，同比分别下降30%、50%，实现事故起数和死亡"
        "人数“双下降”，其中临湖区降幅最大，事故起数同比下降50%。" in lines
    )
    assert (
        "2025年，全市4个县（市、区）中，临湖区、云溪县、临江高新区3个县（市、区）实现生产安全事故零死亡。"
        in lines
    )
    assert not h.candidate("排名").applies  # a city has no place among districts


def test_the_figures_json_carries_the_scores():
    h = brief(jiangcheng())
    out = h.to_json()
    assert out["kind"] == "highlights" and out["years_recorded"] == list(YEARS)
    first = out["candidates"][0]
    assert first["key"] == "事故双降" and first["score"] == 107.5 and first["applies"]
    assert "highlights.accidents.count.record" in first["states"]
    assert all(mid in out["metrics"] for c in out["candidates"] for mid in c["states"])


# --- the analyst's narrative ----------------------------------------------------------------


def test_a_retitle_keeps_the_default_choice_and_order():
    d = doc(
        brief(jiangcheng()),
        "## 隐患整改：“实”字打底，整改率创新高\n\n## 导语\n\n今年以来，全区真抓实干。\n",
    )
    titles = [s.title for s in numbered(d).sections if s.title and s.key != "附表"]
    assert titles == [
        "一、“稳”字当头，事故起数和死亡人数实现双下降",
        "二、“实”字打底，整改率创新高",
        "三、守牢底线，未发生较大及以上生产安全事故",
        "四、争先进位，主要指标位居全市前列",
    ]
    assert body(d)[1] == "今年以来，全区真抓实干。主要亮点如下："


def test_an_outline_drops_reorders_and_adds_own_sections():
    story = """# 提纲

## 导语

## 无较大事故

## 自拟：党建引领，凝聚安全发展合力

召开安委会会议，部署安全生产工作。

## 事故双降：事故起数降至{accidents.count}
"""
    d = doc(brief(jiangcheng()), story)
    lines = body(d)
    assert lines[2:] == [
        "一、守牢底线，未发生较大及以上生产安全事故",
        "2025年，全区已连续三年未发生较大及以上生产安全事故。",
        "二、党建引领，凝聚安全发展合力",
        "召开安委会会议，部署安全生产工作。",
        "三、事故起数降至3起",
        "2025年，全区共发生生产安全事故3起、死亡2人，同比分别下降25%、50%，"
        "为2021年以来最少（此前最少为2024年的4起），实现事故起数和死亡人数“双下降”。",
    ]
    # the table holds what the shown highlights state, in page order
    table = d.appendix[0].frame
    assert list(table.index[:2]) == ["连续无较大及以上事故的年数", "生产安全事故"]


def test_a_candidate_that_does_not_apply_is_left_out_unless_the_analyst_wrote_under_it():
    h = brief(jiangcheng())
    assert not h.candidate("零死亡").applies
    left_out = doc(h, "# 提纲\n\n## 导语\n\n## 零死亡\n\n## 事故双降\n")
    assert [s.key for s in left_out.sections] == ["导语", "事故双降", "附表"]
    # named with text: in, after those that apply (it scores 0); the page's room is taken from
    # the lowest-scored of those (排名)
    kept = body(doc(h, "## 零死亡\n\n全区死亡人数大幅下降。\n"))
    assert kept[-2:] == ["四、压实责任，实现生产安全事故零死亡", "全区死亡人数大幅下降。"]


def test_own_text_only_replaces_the_generated_paragraph():
    d = doc(brief(jiangcheng()), "## 事故双降\n\n【只用自己的文字】\n\n事故总量持续下降。\n")
    lines = body(d)
    assert lines[3] == "事故总量持续下降。"
    assert "死亡人数" not in set(d.appendix[0].frame.index)  # its figures are not stated


def test_a_mistyped_candidate_is_named_with_the_nearest():
    with pytest.raises(narrative.NarrativeError) as e:
        narrative.parse("## 事故三降\n\n文字。\n", rooms=HIGHLIGHTS)
    assert "栏目“事故三降”不认识：是不是“## 事故双降”？" in str(e.value)


HOSTILE = '#panic("x") <b>&amp;</b> {{x}} $y$'


def test_hostile_names_are_printed_as_written(monkeypatch, typesetter):
    name = HOSTILE.replace("{{x}}", "{x}")  # a name is no placeholder; a title's {{ is a brace
    monkeypatch.setitem(NAMES, "990103", (name, "区"))
    d = doc(brief(jiangcheng(), code=CITY), f"## 零死亡：{HOSTILE}\n")
    lines = body(d)
    assert f"二、{name}" in lines or f"三、{name}" in lines
    assert any(ln.endswith("零死亡。") and f"{name}、云溪县" in ln for ln in lines)
    page = "".join(html.section_html(s) for s in d.sections)
    assert "<b>" not in page and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page
    from emreport.output.pdfread import pdf_text

    printed = re.sub(r"\s+", "", pdf_text(typesetter.pdf(d)))
    assert re.sub(r"\s+", "", name) in printed


# --- a brief of the sample store ------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, store)
    return str(store)


@pytest.fixture(scope="module")
def typesetter():
    from emreport.output import typst

    return typst.Typesetter()


@pytest.mark.parametrize("code", ["990102", "990100"], ids=["district", "city"])
def test_a_sample_brief_states_its_figures_as_metrics_json_words_them(
    sample_store, typesetter, code
):
    from emreport.data.store import Store
    from emreport.metrics import compute
    from emreport.output.pdfread import page_count, pdf_text
    from emreport.report import build

    r = build(code, "2025", kind="highlights", store=sample_store, report_date="2026-01-15")
    with Store(sample_store) as st:
        summary = compute(st, code, "2025")
    assert all(r.metrics[mid].to_json() == m.to_json() for mid, m in summary.items())
    pdf = typesetter.pdf(r.document)
    assert page_count(pdf) <= 2
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert "□" not in text and "nan" not in text.lower() and not re.search(r"[A-Za-z]{2,}", text)
    body_text = html.text(r.document)
    metrics = r.bundle["metrics"]["metrics"]
    shown = [
        s.key
        for s in numbered(r.document).sections
        if s.key in {c.key for c in r.metrics.candidates}
    ]
    assert len(shown) >= 4
    for key in shown:  # every figure a shown highlight states, as metrics.json words it
        for mid in r.metrics.candidate(key).states:
            m = Metric.from_json(mid, metrics[mid])
            words = [
                m.text(),
                m.yoy(),
                m.prev_text(),
                cn_number(int(m.value)) if m.value and m.value >= 1 else "",
            ]
            assert any(w and w in body_text for w in words), (key, mid, words)
    for mid, d in metrics.items():  # and every figure the text states is in the PDF
        figure = Metric.from_json(mid, d).text()
        if d["value"] and len(figure) > 2 and figure in body_text:
            assert figure in text, (mid, figure)


def test_every_highlight_id_is_known_before_any_work():
    from emreport.metrics.highlights import highlight_ids

    known = set(highlight_ids())
    for h in (
        brief(jiangcheng()),
        brief(jiangcheng(), code=CITY),
        brief(jiangcheng(), years=(2021, 2022, 2024, 2025)),
    ):
        assert set(h) <= known, sorted(set(h) - known)


def test_an_own_lead_ending_with_a_colon_takes_no_second_one():
    d = doc(brief(jiangcheng()), "## 导语\n\n今年以来，全区亮点纷呈，择要如下：\n")
    assert body(d)[1] == "今年以来，全区亮点纷呈，择要如下："
