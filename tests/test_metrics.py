"""Every metric against figures worked out by hand from a small data set.

The data set is written below as csv, the way an analyst would export it, and ingested for real.
Edges on purpose: a record at 23:59 on 30 June, records on 29 February, a zero base, a district
with no records at all, a deadline falling on the period's last day, approximate entries.
"""

from pathlib import Path

import pandas as pd
import pytest

from emreport.data.ingest import ingest
from emreport.data.store import Store, StoreError
from emreport.metrics import accident_grade, compute

REGISTRY = [
    ("990100", "临江市", "市", ""),
    ("990101", "市本级", "市本级", "990100"),
    ("990102", "江城区", "区", "990100"),
    ("990103", "临湖区", "区", "990100"),
    ("990171", "临江高新技术产业开发区", "开发区", "990100"),
]
ACCIDENTS = [
    # id, district, time, sector, category, deaths, missing, injuries, loss
    ("A1", "990102", "2025-06-30 23:59", "工贸", "机械伤害", 1, 0, 0, 50),
    ("A2", "990102", "2025-07-01 00:00", "建筑施工", "高处坠落", 1, 0, 0, 20),
    ("A3", "990102", "2024-03-10 08:00", "工贸", "物体打击", 2, 0, 0, 30),
    ("A4", "990102", "2024-02-29 10:00", "建筑施工", "坍塌", 3, 1, 0, 80),
    ("A5", "990171", "2025-05-01 09:00", "道路运输", "车辆伤害", 0, 0, 10, 20),
    ("A7", "990171", "2024-12-31 23:59", "消防火灾", "火灾", 1, 0, 0, 1000),
]
HAZARDS = [
    # id, district, enterprise, sector, source, grade, found, deadline, rectified, supervised
    (
        "H1",
        "990102",
        "甲公司",
        "工贸",
        "企业自查",
        "一般",
        "2025-01-10",
        "2025-01-20",
        "2025-01-15",
        "",
    ),
    (
        "H2",
        "990102",
        "乙公司",
        "工贸",
        "政府检查",
        "一般",
        "2025-03-01",
        "2025-03-31",
        "2025-07-05",
        "",
    ),
    ("H3", "990102", "丙公司", "建筑施工", "暗访", "重大", "2025-06-30", "2025-07-30", "", "是"),
    ("H4", "990102", "甲公司", "工贸", "中介检查", "一般", "2025-02-28", "2025-06-30", "", ""),
    (
        "H5",
        "990102",
        "丁公司",
        "工贸",
        "企业自查",
        "一般",
        "2024-02-29",
        "2024-03-10",
        "2024-03-05",
        "",
    ),
    (
        "H6",
        "990102",
        "戊公司",
        "燃气",
        "省市交办",
        "重大",
        "2024-05-01",
        "2024-06-01",
        "2024-05-02",
        "是",
    ),
    (
        "H7",
        "990102",
        "甲公司",
        "工贸",
        "企业自查",
        "一般",
        "2025-08-01",
        "2025-08-10",
        "2025-08-09",
        "",
    ),
    (
        "H8",
        "990171",
        "己公司",
        "工贸",
        "企业自查",
        "一般",
        "2025-04-01",
        "2025-04-30",
        "2025-04-02",
        "",
    ),
]
INSPECTIONS = [
    # id, district, date, unit, sector, inspectors, problems, filed, fine, type
    ("Z1", "990102", "2025-03-01", "甲公司", "工贸", 2, 3, "是", 1.5, "非事故处罚"),
    ("Z2", "990102", "2025-04-01", "乙公司", "工贸", 3, 1, "是", 2.25, "事故处罚"),
    ("Z3", "990102", "2025-05-01", "甲公司", "工贸", 2, 0, "否", "", ""),
]
FLOOD = [
    ("X1", "990102", "暴雨", "Ⅳ", "2025-06-30 20:00", "2025-07-01 08:00", 3, 40, 5, 2, 100, 1),
    ("X2", "990102", "台风", "三级", "2025-07-10 08:00", "2025-07-12 08:00", 5, 60, 8, 4, 300, 2),
    ("X3", "990102", "台风", "II", "2024-07-01 08:00", "2024-07-02 08:00", 4, 50, 6, 3, 200, 0),
]
TRAINING = [
    # district, half, classes, offline, online, total, exams, passed
    ("990102", "2025-H1", 2, 100, 200, 300, 50, 45),
    ("990102", "2025年下半年", 1, 10, "300余", 310, 0, 0),
    ("990102", "2024-H1", 1, 50, 50, 100, 40, 40),
    ("990171", "2025-H1", 1, 20, 30, 50, 10, 10),
]
PREPAREDNESS = [
    ("990102", "2024-12-31", 5),
    ("990102", "2025-06-30", 6),
    ("990102", "2025-12-31", 7),
    ("990171", "2025-06-30", 3),
]


def _csv(folder: Path, name: str, header: list[str], rows: list[tuple]) -> None:
    pd.DataFrame(rows, columns=header).to_csv(folder / f"{name}.csv", index=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("data")
    _csv(folder, "区划名录", ["区划代码", "名称", "级别", "上级代码"], REGISTRY)
    _csv(
        folder,
        "生产安全事故",
        [
            "事故编号",
            "区划代码",
            "发生时间",
            "行业领域",
            "事故类别",
            "死亡人数",
            "失踪人数",
            "重伤人数",
            "直接经济损失",
        ],
        ACCIDENTS,
    )
    _csv(
        folder,
        "隐患排查",
        [
            "隐患编号",
            "区划代码",
            "企业名称",
            "行业领域",
            "来源",
            "隐患等级",
            "发现日期",
            "整改期限",
            "整改日期",
            "挂牌督办",
        ],
        HAZARDS,
    )
    _csv(
        folder,
        "执法检查",
        [
            "检查编号",
            "区划代码",
            "检查日期",
            "检查单位",
            "行业领域",
            "执法人次",
            "发现问题隐患",
            "是否立案",
            "罚款金额",
            "处罚类别",
        ],
        INSPECTIONS,
    )
    _csv(
        folder,
        "防汛防台应急响应",
        [
            "响应编号",
            "区划代码",
            "灾害类型",
            "响应级别",
            "启动时间",
            "结束时间",
            "出动队伍",
            "出动人员",
            "出动车辆",
            "出动水泵",
            "转移人员",
            "处置险情",
        ],
        FLOOD,
    )
    _csv(
        folder,
        "安全培训",
        ["区划代码", "统计期", "培训班", "线下培训", "线上培训", "培训合计", "考试", "考试合格"],
        TRAINING,
    )
    stock = [(d, a, t, 0, 0, 0, 0, 0, 0, 0) for d, a, t in PREPAREDNESS]
    _csv(
        folder,
        "应急保障",
        [
            "区划代码",
            "统计日期",
            "救援队伍",
            "救援队员",
            "专家",
            "预案备案",
            "物资种类",
            "物资数量",
            "避灾安置场所",
            "指挥终端",
        ],
        stock,
    )
    path = tmp_path_factory.mktemp("store") / "emreport.duckdb"
    ingest(folder, path)
    with Store(path) as s:
        yield s


def _pair(m, mid):
    return m[mid].value, m[mid].prev


def test_accident_on_30_june_at_2359_counts_in_the_first_half(store):
    m = compute(store, "990102", "2025-H1")
    assert _pair(m, "accidents.count") == (1, 2)
    assert _pair(m, "accidents.deaths") == (1, 5)
    assert m["accidents.count"].yoy() == "同比下降50%"
    assert m["accidents.deaths"].yoy() == "同比下降80%"


def test_leap_day_accident_is_graded_by_deaths(store):
    m = compute(store, "990102", "2025-H1")
    assert _pair(m, "accidents.major_or_above") == (0, 1)
    assert _pair(m, "accidents.missing") == (0, 1)
    assert m.tables["accidents.by_grade"].loc["较大", "事故起数(上年同期)"] == 1


def test_annual_accidents_level_year_on_year(store):
    m = compute(store, "990102", "2025")
    assert _pair(m, "accidents.count") == (2, 2)
    assert m["accidents.count"].yoy() == "同比持平"
    assert m["accidents.deaths"].yoy() == "同比下降60%"
    assert _pair(m, "accidents.loss") == (70, 110)
    assert m["accidents.loss"].text() == "70万元"


def test_zero_base_is_written_as_an_increase_in_count(store):
    m = compute(store, "990171", "2025-H1")
    assert _pair(m, "accidents.count") == (1, 0)
    assert m["accidents.count"].pct is None
    assert m["accidents.count"].yoy() == "同比增加1起"
    assert m["accidents.major_or_above"].value == 1  # 10 serious injuries: 较大


def test_loss_of_ten_million_makes_a_larger_accident(store):
    m = compute(store, "990171", "2024")
    assert m["accidents.major_or_above"].value == 1


def test_no_year_on_year_where_last_year_was_not_recorded(store):
    m = compute(store, "990102", "2024")
    assert _pair(m, "accidents.count") == (2, None)
    assert m["accidents.count"].yoy() == ""
    assert "事故起数(上年同期)" not in m.tables["accidents.by_sector"]


def test_a_period_without_data_is_refused(store):
    with pytest.raises(
        StoreError, match="2023年度没有数据（已有数据的半年：2024-H1、2024-H2、2025-H1、2025-H2）"
    ):
        compute(store, "990102", "2023")


def test_hazards_first_half(store):
    m = compute(store, "990102", "2025-H1")
    assert _pair(m, "hazards.found") == (4, 2)
    assert _pair(m, "hazards.rectified") == (1, 2)
    assert m["hazards.rectification_rate"].value == pytest.approx(0.25)
    assert m["hazards.rectification_rate"].text() == "25%"
    assert m["hazards.rectification_rate"].yoy() == "同比下降75个百分点"
    assert m["hazards.open"].value == 3
    # H2 is past its 31 March deadline; H4 is due on 30 June itself, so not yet overdue.
    assert m["hazards.overdue"].value == 1
    assert _pair(m, "hazards.major") == (1, 1)
    assert _pair(m, "hazards.major_supervised") == (1, 1)
    assert m["hazards.major_overdue"].value == 0
    assert m["hazards.enterprises"].value == 3


def test_hazards_whole_year(store):
    m = compute(store, "990102", "2025")
    assert _pair(m, "hazards.found") == (5, 2)
    assert m["hazards.rectified"].value == 3  # H2 was rectified in July
    assert m["hazards.rectification_rate"].text() == "60%"
    assert m["hazards.overdue"].value == 2
    assert m["hazards.major_overdue"].value == 1
    assert m["hazards.major_rate"].value == 0
    assert m["hazards.found"].yoy() == "同比增长150%"


def test_hazard_breakdowns(store):
    m = compute(store, "990102", "2025-H1")
    by_source = m.tables["hazards.by_source"]
    assert list(by_source.index) == ["企业自查", "政府检查", "中介检查", "暗访", "省市交办"]
    assert list(by_source["发现隐患"]) == [1, 1, 1, 1, 0]
    assert list(by_source["发现隐患(上年同期)"]) == [1, 0, 0, 0, 1]
    by_month = m.tables["hazards.by_month"]
    assert list(by_month.index) == [1, 2, 3, 4, 5, 6]
    assert list(by_month["发现隐患"]) == [1, 1, 1, 0, 0, 1]
    assert list(by_month["发现隐患(上年同期)"]) == [0, 1, 0, 0, 1, 0]


def test_enforcement_and_fines(store):
    m = compute(store, "990102", "2025")
    assert m["inspections.count"].value == 3
    assert m["inspections.cases"].value == 2
    assert m["inspections.fines"].value == pytest.approx(3.75)
    assert m["inspections.fines"].text() == "3.75万元"
    assert m["inspections.fines_accident"].value == pytest.approx(2.25)
    assert m["inspections.fines_other"].value == pytest.approx(1.5)
    assert m["inspections.inspectors"].value == 7
    assert m["inspections.units"].value == 2
    assert m["inspections.fines"].yoy() == "同比增加3.75万元"


def test_flood_responses_by_level(store):
    h1 = compute(store, "990102", "2025-H1")
    assert _pair(h1, "flood.responses") == (1, 0)
    assert h1["flood.responses"].yoy() == "同比增加1次"
    year = compute(store, "990102", "2025")
    assert _pair(year, "flood.responses") == (2, 1)
    assert _pair(year, "flood.responses_l3") == (1, 0)
    assert _pair(year, "flood.responses_l2") == (0, 1)
    assert year["flood.relocated"].value == 400
    assert list(year.tables["flood.by_level"].index) == ["Ⅱ", "Ⅲ", "Ⅳ"]


def test_half_year_totals_and_approximate_entries(store):
    h1 = compute(store, "990102", "2025-H1")
    assert _pair(h1, "training.total") == (300, 100)
    assert h1["training.total"].yoy() == "同比增长200%"
    assert h1["training.pass_rate"].text() == "90%"
    assert h1["training.pass_rate"].yoy() == "同比下降10个百分点"
    assert not h1["training.online"].approx
    year = compute(store, "990102", "2025")
    assert year["training.total"].value == 610
    assert year["training.online"].approx
    assert year["training.online"].text() == "500余人次"


def test_stocks_take_the_latest_count_at_period_end(store):
    assert _pair(compute(store, "990102", "2025-H1"), "preparedness.teams") == (6, None)
    assert _pair(compute(store, "990102", "2025"), "preparedness.teams") == (7, 5)
    assert compute(store, "990100", "2025-H1")["preparedness.teams"].value == 9


def test_district_without_records(store):
    m = compute(store, "990103", "2025")
    assert m["accidents.count"].value == 0
    assert m["accidents.count"].yoy() == "同比持平"
    assert m["hazards.found"].value == 0
    assert m["hazards.rectification_rate"].value is None
    assert m["hazards.rectification_rate"].text() == ""
    assert m["training.total"].value is None
    assert not m.has("hazards")
    assert list(m.tables["accidents.by_sector"].index) == []


def test_city_total_is_the_sum_of_its_parts(store):
    members = ["990101", "990102", "990103", "990171"]
    for period in ("2025-H1", "2025", "2024"):
        city = compute(store, "990100", period)
        parts = [compute(store, code, period) for code in members]
        for mid, metric in city.items():
            if metric.is_rate or metric.rollup not in ("sum", "latest"):
                continue  # the other rules are tested one by one in test_rollup.py
            values = [p[mid].value for p in parts if p[mid].value is not None]
            expected = sum(values) if values else None
            assert metric.value == pytest.approx(expected), (period, mid)
        found = city["hazards.found"].value
        assert city["hazards.rectification_rate"].value == pytest.approx(
            city["hazards.rectified"].value / found
        )


def test_city_figures(store):
    m = compute(store, "990100", "2025")
    assert m.unit.is_city
    assert _pair(m, "accidents.count") == (3, 3)
    assert _pair(m, "accidents.major_or_above") == (1, 2)  # A4 by deaths, A7 by loss


def test_unknown_district_is_named(store):
    with pytest.raises(StoreError, match="未知的区划代码“123456”"):
        compute(store, "123456", "2025")


def test_metrics_json_carries_every_figure(store):
    body = compute(store, "990102", "2025-H1").to_json()
    assert body["period"] == "2025-H1" and body["previous_period"] == "2024-H1"
    assert body["metrics"]["accidents.count"] == {
        "label": "生产安全事故",
        "value": 1,
        "unit": "起",
        "previous": 2,
        "approximate": False,
        "rollup": "sum",
    }
    assert body["metrics"]["flood_work.rainfall"]["rollup"] == "mean"


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (2, 9, 999.99, "一般"),
        (3, 0, 0, "较大"),
        (0, 10, 0, "较大"),
        (0, 0, 1000, "较大"),
        (9, 49, 4999.99, "较大"),
        (10, 0, 0, "重大"),
        (0, 50, 0, "重大"),
        (0, 0, 5000, "重大"),
        (29, 99, 9999.99, "重大"),
        (30, 0, 0, "特别重大"),
        (0, 100, 0, "特别重大"),
        (0, 0, 10000, "特别重大"),
        (1, 60, 0, "重大"),
    ],
)
def test_accident_grade_per_state_council_decree_493(deaths, injuries, loss, grade):
    assert accident_grade([deaths], [injuries], [loss])[0] == grade
