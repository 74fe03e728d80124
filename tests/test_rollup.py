"""A city's figures by each measure's roll-up rule (schema.ROLLUPS), on a small city built here:
临江市 with its 市本级 and four districts, rows written out below the way test_sections builds
them. Rainfall is the districts' mean, the 市防指's consultations and responses are its own with
the districts' worded as 各地, the kinds of supplies the largest member's; summed measures stay
the sum of their parts."""

from __future__ import annotations

import pytest

from emreport.data.schema import BY_ID, ROLLUPS, TABLES
from emreport.metrics.figures import rollup_rule
from test_sections import CITY, figures, reads, report, response, section, stock, total

OWN, DISTRICTS = "990101", ("990102", "990103", "990121", "990171")
RAIN = {OWN: 999.0, "990102": 100.0, "990103": 200.0, "990121": 300.0, "990171": 410.5}
RAIN_2024 = {OWN: 1.0, "990102": 200.0, "990103": 200.0, "990121": 200.0, "990171": 200.0}
CONSULT = {OWN: 57, "990102": 10, "990103": 20, "990121": 30, "990171": 40}
WARNINGS = {OWN: 5, "990102": 1, "990103": 2, "990121": 3, "990171": 4}
MEETINGS = {OWN: 4, "990102": 1, "990103": 1, "990121": 2, "990171": 0}
KINDS = {OWN: 12, "990102": 30, "990103": 25, "990121": 8, "990171": 30}
TEAMS = {OWN: 3, "990102": 2, "990103": 1, "990121": 4, "990171": 5}


def rows() -> list:
    out = []
    for code in (OWN, *DISTRICTS):
        out += [
            total(
                "flood_work",
                district=code,
                rainfall=RAIN[code],
                consultations=CONSULT[code],
                warnings=WARNINGS[code],
            ),
            total("flood_work", "2024-H1", district=code, rainfall=RAIN_2024[code]),
            total("responsibility", district=code, meetings=MEETINGS[code]),
            stock("2025-06-30", district=code, supply_kinds=KINDS[code], teams=TEAMS[code]),
        ]
    out += [
        response("2025-06-01", "Ⅲ", district=OWN, teams=2),
        response("2025-06-02", "Ⅳ", district="990102", teams=3),
        response("2025-06-03", "Ⅳ", district="990103", teams=1),
        response("2025-06-04", "Ⅳ", district="990103"),
        response("2024-06-04", "Ⅳ", district="990103"),
    ]
    return out


@pytest.fixture(scope="module")
def city():
    m, peers = figures(rows(), CITY)
    return m, {p.code: p.metrics for p in peers}


def test_city_rainfall_is_the_districts_mean_not_their_sum(city):
    m, parts = city
    rain = m["flood_work.rainfall"]
    assert rain.rollup == "mean"
    districts = [parts[c]["flood_work.rainfall"].value for c in DISTRICTS]
    assert rain.value == pytest.approx(sum(districts) / len(districts), abs=0.05)  # 市本级 not in
    assert rain.value == 252.6  # 252.625 to one decimal
    assert rain.prev == 200


def test_city_consultations_are_the_headquarters_own_with_the_districts_beside(city):
    m, parts = city
    c = m["flood_work.consultations"]
    assert (c.rollup, c.value, c.prev) == ("own", 57, 0)
    assert c.others == sum(parts[d]["flood_work.consultations"].value for d in DISTRICTS) == 100
    assert m["responsibility.meetings"].value == 4
    assert m["responsibility.meetings"].others == 4


def test_city_responses_count_the_headquarters_own(city):
    m, _ = city
    n = m["flood.responses"]
    assert (n.rollup, n.value, n.others, n.prev) == ("own", 1, 3, 0)
    assert (m["flood.responses_l3"].value, m["flood.responses_l4"].others) == (1, 3)
    assert m["flood.teams"].rollup == "sum" and m["flood.teams"].value == 6  # every crew


def test_city_kinds_of_supplies_are_the_largest_members(city):
    m, _ = city
    assert (m["preparedness.supply_kinds"].rollup, m["preparedness.supply_kinds"].value) == (
        "max",
        30,
    )
    assert m["preparedness.teams"].rollup == "latest"


def test_summed_measures_stay_the_sum_of_their_parts(city):
    m, parts = city
    checked = 0
    for mid, metric in m.items():
        if metric.is_rate or metric.rollup not in ("sum", "latest"):
            continue
        values = [p[mid].value for p in parts.values() if p[mid].value is not None]
        assert metric.value == pytest.approx(sum(values) if values else None), mid
        checked += 1
    assert checked > 50
    assert m["flood_work.warnings"].value == 15


def test_a_district_report_is_its_own_rows_whatever_the_rule():
    m, _ = figures(rows(), "990103")
    assert m["flood_work.rainfall"].value == 200
    assert m["flood.responses"].value == 2


def test_metrics_json_records_the_rule_and_the_districts_figure(city):
    m, _ = city
    body = m.to_json()["metrics"]
    assert body["flood_work.rainfall"]["rollup"] == "mean"
    assert body["flood_work.consultations"]["rollup"] == "own"
    assert body["flood_work.consultations"]["others"] == 100
    assert body["accidents.count"]["rollup"] == "sum"
    assert "others" not in body["accidents.count"]


def test_every_rule_is_declared_in_the_schema_and_known():
    for t in TABLES:
        assert t.rollup in ROLLUPS, t.id
        for c in t.columns:
            assert not c.rollup or (c.numeric and c.rollup in ROLLUPS), (t.id, c.id)
    assert rollup_rule("flood.responses") == BY_ID["flood_responses"].rollup == "own"
    assert rollup_rule("flood_work.rainfall") == "mean"
    assert rollup_rule("hazards.found") == "sum"


def test_city_text_words_each_figure_as_its_rule_says():
    doc = report(*rows(), code=CITY)
    reads(
        doc,
        "防汛防台与自然灾害防御",
        "（二）科学应对汛情，防汛防台和灾害防御有力有序",
        # was: 全市累计降雨量2009.5毫米；发布气象预警15次，组织防汛会商157次
        "一是强化监测预警。2025年上半年，全市平均降雨量252.6毫米；发布气象预警15次，"
        "市防指组织防汛会商57次，各地100次。",
        # was: 共启动防汛防台应急响应4次（其中Ⅲ级1次、Ⅳ级3次），出动队伍6支
        "二是及时启动应急响应。市防指启动防汛防台Ⅲ级应急响应1次，各地启动防汛防台Ⅳ级应急响应"
        "3次，全市累计出动队伍6支。",
        "图1　分级别防汛防台应急响应次数",
    )
    work = section(doc, "安全生产形势")
    # was: 全市召开安委会会议8次
    assert "压实安全生产责任。2025年上半年，全市市安委会召开会议4次，各地4次。" not in work
    assert any("市安委会召开会议4次，各地4次。" in line for line in work), work


def test_city_without_own_responses_words_the_districts_alone():
    no_own = [r for r in rows() if not (r[0] == "flood_responses" and r[1]["district"] == OWN)]
    doc = report(*no_own, code=CITY)
    assert "二是及时启动应急响应。各地共启动防汛防台Ⅳ级应急响应3次，全市累计出动队伍4支。" in (
        section(doc, "防汛防台与自然灾害防御")
    )
