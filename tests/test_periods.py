"""Report periods and half-year entry codes, checked against hand-written expectations."""

from datetime import date, datetime

import pytest

from emreport.data.periods import Period, PeriodError, parse_half


@pytest.mark.parametrize(
    "text",
    [
        "2025-H1",
        "2025-h1",
        "2025H1",
        " 2025-H1 ",
        "２０２５－Ｈ１",
        "2025 - H1",
        "2025年上半年",
        "\u30002025h1\u3000",
    ],
)
def test_parse_first_half(text):
    assert Period.parse(text) == Period(2025, 1)


@pytest.mark.parametrize("text", ["2025", " 2025 ", "２０２５", "2025年", "2025年度"])
def test_parse_whole_year(text):
    assert Period.parse(text) == Period(2025, None)


def test_parse_bounds_of_year_range():
    assert Period.parse("2000") == Period(2000, None)
    assert Period.parse("2100-H1") == Period(2100, 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("2025-H3", "期间“2025-H3”无效：应写作“2025-H1”（上半年）或“2025”（全年）"),
        ("2024-Q1", "期间“2024-Q1”无效：应写作“2024-H1”（上半年）或“2024”（全年）"),
        ("上半年", "期间“上半年”无效：应写作“2025-H1”（上半年）或“2025”（全年）"),
        ("", "期间“”无效：应写作“2025-H1”（上半年）或“2025”（全年）"),
        ("25-H1", "期间“25-H1”无效：应写作“2025-H1”（上半年）或“2025”（全年）"),
        (" 2025-H1x ", "期间“2025-H1x”无效：应写作“2025-H1”（上半年）或“2025”（全年）"),
        ("2025-H2", "期间“2025-H2”无效：下半年不是报告期间；全年工作总结请写作“2025”（全年）"),
        (
            "2025年下半年",
            "期间“2025年下半年”无效：下半年不是报告期间；全年工作总结请写作“2025”（全年）",
        ),
        ("1999", "期间“1999”无效：年份应在2000年至2100年之间"),
        ("2101-H1", "期间“2101-H1”无效：年份应在2000年至2100年之间"),
        ("1999-H2", "期间“1999-H2”无效：年份应在2000年至2100年之间"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(PeriodError) as err:
        Period.parse(text)
    assert str(err.value) == message


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


def test_constructor_refuses_second_half():
    with pytest.raises(PeriodError) as err:
        Period(2025, 2)
    assert str(err.value) == "期间“2025-H2”无效：上半年为half=1，全年为half=None"


def test_code_and_str():
    assert Period(2025, 1).code == "2025-H1"
    assert Period(2025, None).code == "2025"
    assert str(Period(2025, 1)) == "2025-H1"
    assert str(Period(2025, None)) == "2025"
    assert f"{Period.parse('２０２５ｈ１')}" == "2025-H1"


def test_first_half_bounds():
    p = Period(2025, 1)
    assert p.start == date(2025, 1, 1)
    assert p.end == date(2025, 6, 30)
    assert p.start_ts == datetime(2025, 1, 1, 0, 0, 0)
    assert p.end_exclusive_ts == datetime(2025, 7, 1, 0, 0, 0)


def test_whole_year_bounds():
    p = Period(2025, None)
    assert p.start == date(2025, 1, 1)
    assert p.end == date(2025, 12, 31)
    assert p.start_ts == datetime(2025, 1, 1)
    assert p.end_exclusive_ts == datetime(2026, 1, 1)


def test_types_of_bounds():
    p = Period(2025, 1)
    assert type(p.start) is date and type(p.end) is date
    assert type(p.start_ts) is datetime and type(p.end_exclusive_ts) is datetime


def test_leap_year():
    h1, year = Period(2024, 1), Period(2024, None)
    assert h1.end == date(2024, 6, 30)
    assert h1.contains(date(2024, 2, 29))
    assert year.contains(date(2024, 2, 29))
    assert h1.contains(datetime(2024, 2, 29, 12, 0))


def test_contains_last_second_of_first_half():
    h1 = Period(2025, 1)
    assert h1.contains(datetime(2025, 6, 30, 23, 59, 59))
    assert h1.contains(date(2025, 6, 30))
    assert not h1.contains(datetime(2025, 7, 1, 0, 0, 0))
    assert not h1.contains(date(2025, 7, 1))


def test_contains_edges():
    h1, year = Period(2025, 1), Period(2025, None)
    assert h1.contains(datetime(2025, 1, 1, 0, 0, 0))
    assert not h1.contains(datetime(2024, 12, 31, 23, 59, 59))
    assert not h1.contains(date(2024, 12, 31))
    assert year.contains(datetime(2025, 7, 1, 0, 0, 0))
    assert year.contains(datetime(2025, 12, 31, 23, 59, 59))
    assert year.contains(date(2025, 12, 31))
    assert not year.contains(datetime(2026, 1, 1, 0, 0, 0))
    assert not year.contains(date(2026, 1, 1))


def test_wording_of_first_half():
    p = Period(2025, 1)
    assert p.label == "2025年上半年"
    assert p.months == "1-6月"
    assert p.as_of == "截至6月底"
    assert p.month_numbers == (1, 2, 3, 4, 5, 6)


def test_wording_of_whole_year():
    p = Period(2025, None)
    assert p.label == "2025年度"
    assert p.months == "1-12月"
    assert p.as_of == "截至12月底"
    assert p.month_numbers == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def test_previous_year():
    assert Period(2024, 1).previous_year() == Period(2023, 1)
    assert Period(2025, None).previous_year() == Period(2024, None)
    assert Period(2000, 1).previous_year() == Period(1999, 1)


def test_halves():
    assert Period(2025, 1).halves == ("2025-H1",)
    assert Period(2025, None).halves == ("2025-H1", "2025-H2")


def test_frozen_and_hashable():
    p = Period(2025, 1)
    with pytest.raises(AttributeError):
        p.year = 2024
    assert {Period(2025, 1), Period.parse("2025h1")} == {Period(2025, 1)}


def test_order_by_year():
    assert Period(2024, None) < Period(2025, 1)
    assert sorted([Period(2025, 1), Period(2023, 1), Period(2024, 1)]) == [
        Period(2023, 1),
        Period(2024, 1),
        Period(2025, 1),
    ]


@pytest.mark.parametrize(
    "text, code",
    [
        ("2025-H1", "2025-H1"),
        ("2025-H2", "2025-H2"),
        ("2025H2", "2025-H2"),
        ("2025h2", "2025-H2"),
        ("2025年上半年", "2025-H1"),
        ("2025年下半年", "2025-H2"),
        ("２０２５－Ｈ２", "2025-H2"),
        (" 2025 - H1 ", "2025-H1"),
        ("2025\u3000年\u3000下半年", "2025-H2"),
    ],
)
def test_parse_half(text, code):
    assert parse_half(text) == code


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "2025",
            "统计期“2025”无效：应写作“2025-H1”（上半年）或“2025-H2”（下半年），"
            "也可写作“2025年上半年”或“2025年下半年”",
        ),
        (
            "2024-H3",
            "统计期“2024-H3”无效：应写作“2024-H1”（上半年）或“2024-H2”（下半年），"
            "也可写作“2024年上半年”或“2024年下半年”",
        ),
        (
            "上半年",
            "统计期“上半年”无效：应写作“2025-H1”（上半年）或“2025-H2”（下半年），"
            "也可写作“2025年上半年”或“2025年下半年”",
        ),
        (
            "2025年度",
            "统计期“2025年度”无效：应写作“2025-H1”（上半年）或“2025-H2”（下半年），"
            "也可写作“2025年上半年”或“2025年下半年”",
        ),
        ("1999-H2", "统计期“1999-H2”无效：年份应在2000年至2100年之间"),
    ],
)
def test_parse_half_errors(text, message):
    with pytest.raises(PeriodError) as err:
        parse_half(text)
    assert str(err.value) == message
