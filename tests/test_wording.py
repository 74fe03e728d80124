"""Chinese wording of numbers, checked against expectations written out by hand."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from emreport.metrics.wording import (
    count,
    date_cn,
    exact_counts,
    level,
    money,
    pct_change,
    percent,
    rate_change,
    round_half_up,
    yoy,
    yoy_abs,
    yoy_pair,
)


@pytest.mark.parametrize(
    "x, digits, expected",
    [
        (0.125, 2, Decimal("0.13")),
        (72.65, 1, Decimal("72.7")),
        (0.5, 0, Decimal("1")),
        (2.5, 0, Decimal("3")),
        (1.005, 2, Decimal("1.01")),
        (250.16000000001, 2, Decimal("250.16")),
        (72.64, 1, Decimal("72.6")),
        (3, 2, Decimal("3.00")),
    ],
)
def test_round_half_up(x, digits, expected):
    result = round_half_up(x, digits)
    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    "n, unit, expected",
    [
        (0, "人", "0人"),
        (9999, "处", "9999处"),
        # from 1万 in 万: the fewest decimals (at most two) that leave out under 1%, floored
        (10000, "处", "1万处"),
        (10612, "处", "1.06万处"),  # was 10612处
        (27436, "处", "2.74万处"),  # was 27436处
        (28046, "人次", "2.8万人次"),
        (21358, "人", "2.13万人"),
        # 余 once 0.5% or more is left out
        (51326, "人", "5.1万余人"),  # was 51326人
        (50326, "人", "5万余人"),
        (99999, "", "9.9万余"),  # never rounded up to 10万
        (100000, "", "10万"),
        (123456, "", "12.3万"),  # was 12.35万 (rounded up)
        (274000, "处", "27.4万处"),
        (4900000, "条", "490万条"),
        (99994999, "", "9999万"),
        (99500000, "", "9950万"),
        (99999999, "", "9999万"),
        (100000000, "元", "1亿元"),
        (101000000, "", "1亿余"),
        (123456789, "人次", "1.23亿人次"),
        (2.5, "天", "2.5天"),
        (641.9, "毫米", "641.9毫米"),
    ],
)
def test_count(n, unit, expected):
    assert count(n, unit) == expected


@pytest.mark.parametrize(
    "n, unit, expected",
    [
        (3300, "人", "3300余人"),
        (3300.6, "人", "3300余人"),
        (203456, "人次", "20.3万余人次"),
        (200000, "人次", "20余万人次"),
        (51326, "人", "5.1万余人"),
        (99999, "", "9.9万余"),  # was 99999余
        (99999999, "", "9999余万"),
        (350000000, "", "3.5亿余"),
        (300000000, "", "3余亿"),
        (0, "人", "0人"),
    ],
)
def test_count_approx(n, unit, expected):
    assert count(n, unit, approx=True) == expected


@pytest.mark.parametrize(
    "n, approx, expected",
    [(51326, False, "51326人"), (10612, False, "10612人"), (200000, True, "200000余人")],
)
def test_exact_counts_write_every_digit_and_keep_yu(n, approx, expected):
    with exact_counts():
        assert count(n, "人", approx=approx) == expected
    assert count(10612, "人") == "1.06万人"  # the setting ends with the block


@pytest.mark.parametrize("bad", [-1, -0.5, float("nan"), float("inf")])
def test_count_refuses_negative_and_non_numbers(bad):
    with pytest.raises(ValueError):
        count(bad, "人")


@pytest.mark.parametrize(
    "wan_yuan, expected",
    [
        (0, "0万元"),
        (0.8, "0.8万元"),
        (24.10, "24.1万元"),
        (250.16, "250.16万元"),
        (250.16000000001, "250.16万元"),
        (250.15999999999, "250.16万元"),
        (0.125, "0.13万元"),
        (9999.99, "9999.99万元"),
        (9999.999, "1亿元"),
        (10000, "1亿元"),
        (10100, "1.01亿元"),
        (34500, "3.45亿元"),
        (123456, "12.35亿元"),
    ],
)
def test_money(wan_yuan, expected):
    assert money(wan_yuan) == expected


@pytest.mark.parametrize(
    "wan_yuan, expected",
    [
        (24.1, "24余万元"),
        (3456.7, "3456余万元"),
        (34500, "3余亿元"),
        (0.8, "0.8万元"),
    ],
)
def test_money_approx(wan_yuan, expected):
    assert money(wan_yuan, approx=True) == expected


def test_money_refuses_negative():
    with pytest.raises(ValueError):
        money(-0.01)


@pytest.mark.parametrize(
    "rate, expected",
    [
        (0.985, "98.5%"),
        (1, "100%"),
        (1.0, "100%"),
        (0.5, "50%"),
        (0.727272, "72.7%"),
        (0.7265, "72.7%"),
        (0, "0%"),
        (0.00049, "0%"),
        (0.0005, "0.1%"),
    ],
)
def test_percent(rate, expected):
    assert percent(rate) == expected


def test_pct_change():
    assert pct_change(9, 8) == 0.125
    assert pct_change(3, 11) == pytest.approx(-0.7272727272727273)
    assert pct_change(5, 5) == 0.0
    assert pct_change(3, 0) is None
    assert pct_change(0, 0) is None


@pytest.mark.parametrize(
    "cur, prev, unit, expected",
    [
        (9, 8, "起", "同比增长12.5%"),
        (3, 11, "起", "同比下降72.7%"),
        (11, 11, "起", "同比持平"),
        (0, 0, "起", "同比持平"),
        (3, 0, "起", "同比增加3起"),
        (24.1, 0, "万元", "同比增加24.1万元"),
        (12000, 0, "万元", "同比增加1.2亿元"),
        (150000, 0, "人次", "同比增加15万人次"),
        (0, 7, "起", "同比下降100%"),
        (20, 10, "起", "同比增长100%"),
        (10001, 10000, "人", "同比基本持平"),
        (9999, 10000, "人", "同比基本持平"),
        (1001, 1000, "人", "同比增长0.1%"),
        (3453, 2000, "人", "同比增长72.7%"),
        (547, 2000, "人", "同比下降72.7%"),
        (11, 10, "", "同比增长10%"),
    ],
)
def test_yoy(cur, prev, unit, expected):
    assert yoy(cur, prev, unit) == expected


def test_yoy_without_base_says_nothing():
    assert yoy(5, None, "起") == ""


def test_yoy_refuses_negative():
    with pytest.raises(ValueError):
        yoy(-1, 5)


@pytest.mark.parametrize(
    "cur, prev, unit, expected",
    [
        (3, 7, "起", "同比减少4起"),
        (11, 7, "起", "同比增加4起"),
        (7, 7, "起", "同比持平"),
        (0, 0, "起", "同比持平"),
        (5, 0, "人", "同比增加5人"),
        (350000, 100000, "人次", "同比增加25万人次"),
        (250.16, 200.05, "万元", "同比增加50.11万元"),
        (30000, 10000, "万元", "同比增加2亿元"),
        (5.001, 5, "万元", "同比基本持平"),
    ],
)
def test_yoy_abs(cur, prev, unit, expected):
    assert yoy_abs(cur, prev, unit) == expected


@pytest.mark.parametrize(
    "pairs, units, expected",
    [
        ([(3, 11), (1, 3)], None, "同比分别下降72.7%、66.7%"),
        ([(9, 8), (11, 10)], None, "同比分别增长12.5%、10%"),
        ([(3, 11), (11, 10)], None, "同比分别下降72.7%、增长10%"),
        ([(3, 11), (3, 0)], ["起", "人"], "同比分别下降72.7%、增加3人"),
        ([(3, 0), (5, 0)], ["起", "人"], "同比分别增加3起、5人"),
        ([(3, 11), (0, 0)], ["起", "人"], "同比分别下降72.7%、持平"),
        ([(4, 4), (0, 0)], None, "同比均持平"),
        ([(10001, 10000), (20001, 20000)], None, "同比均基本持平"),
        ([(3, 11)], None, "同比下降72.7%"),
        ([(3, 0)], ["起"], "同比增加3起"),
    ],
)
def test_yoy_pair(pairs, units, expected):
    assert yoy_pair(pairs, units) == expected


def test_yoy_pair_needs_pairs_and_matching_units():
    with pytest.raises(ValueError):
        yoy_pair([])
    with pytest.raises(ValueError):
        yoy_pair([(1, 2), (3, 4)], ["起"])


@pytest.mark.parametrize(
    "cur, prev, expected",
    [
        (0.985, 0.962, "提高2.3个百分点"),
        (0.962, 0.985, "下降2.3个百分点"),
        (0.985, 0.985, "持平"),
        (1, 1.0, "持平"),
        (0.9851, 0.985, "基本持平"),
        (1, 0.5, "提高50个百分点"),
        (0.7265, 0.7, "提高2.7个百分点"),
        (0.5, None, ""),
        (None, 0.5, ""),
        (None, None, ""),
    ],
)
def test_rate_change(cur, prev, expected):
    assert rate_change(cur, prev) == expected


def test_date_cn():
    assert date_cn(date(2022, 7, 1)) == "2022年7月1日"
    assert date_cn(date(2025, 12, 31)) == "2025年12月31日"
    assert date_cn(datetime(2024, 2, 29, 23, 59, 59)) == "2024年2月29日"


@pytest.mark.parametrize(
    "value, expected",
    [
        (1, "Ⅰ级"),
        (2, "Ⅱ级"),
        (3, "Ⅲ级"),
        (4, "Ⅳ级"),
        ("Ⅰ", "Ⅰ级"),
        ("Ⅱ", "Ⅱ级"),
        ("Ⅲ", "Ⅲ级"),
        ("Ⅳ", "Ⅳ级"),
        ("I", "Ⅰ级"),
        ("II", "Ⅱ级"),
        ("III", "Ⅲ级"),
        ("IV", "Ⅳ级"),
        ("iv", "Ⅳ级"),
        ("ＩＶ", "Ⅳ级"),
        (" 3 ", "Ⅲ级"),
        ("Ⅳ级", "Ⅳ级"),
        ("2", "Ⅱ级"),
    ],
)
def test_level(value, expected):
    assert level(value) == expected


def test_level_uses_roman_numeral_code_points():
    assert [level(n)[0] for n in (1, 2, 3, 4)] == ["\u2160", "\u2161", "\u2162", "\u2163"]


@pytest.mark.parametrize(
    "bad, message",
    [
        (0, "响应级别“0”无效：应为1至4或Ⅰ至Ⅳ"),
        (5, "响应级别“5”无效：应为1至4或Ⅰ至Ⅳ"),
        ("V", "响应级别“V”无效：应为1至4或Ⅰ至Ⅳ"),
        ("一级", "响应级别“一级”无效：应为1至4或Ⅰ至Ⅳ"),
        ("", "响应级别“”无效：应为1至4或Ⅰ至Ⅳ"),
        (True, "响应级别“True”无效：应为1至4或Ⅰ至Ⅳ"),
        (1.5, "响应级别“1.5”无效：应为1至4或Ⅰ至Ⅳ"),
    ],
)
def test_level_refuses_others(bad, message):
    with pytest.raises(ValueError) as err:
        level(bad)
    assert str(err.value) == message
