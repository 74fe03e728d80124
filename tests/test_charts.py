"""The report's charts: SVG images the width of the text block, in a face that has every
character they show, the same bytes every time, laid out inside the image, and showing the
figures a reader expects."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache

import pandas as pd
import pytest

from emreport.compose import charts
from emreport.compose import svg as drawing

SVG = "{http://www.w3.org/2000/svg}"


# --- sample inputs, shaped as emreport.metrics hands them over -------------------------
def by_month(months: int = 12, prev: bool = True) -> pd.DataFrame:
    """accidents.by_month for a year (12 rows) or a half-year (6)."""
    data = {
        "事故起数": [0, 0, 1, 2, 0, 3, 1, 0, 2, 1, 0, 1][:months],
        "事故起数(上年同期)": [1, 0, 2, 1, 1, 2, 3, 1, 0, 2, 1, 0][:months],
        "死亡人数": [0] * months,
        "死亡人数(上年同期)": [2] + [0] * (months - 1),
    }
    frame = pd.DataFrame(data, index=pd.Index(range(1, months + 1), name="月份"))
    return frame if prev else frame.drop(columns=["事故起数(上年同期)", "死亡人数(上年同期)"])


def by_source() -> pd.DataFrame:
    """hazards.by_source with all five sources."""
    return pd.DataFrame(
        {
            "发现隐患": [1401, 855, 642, 139, 94],
            "发现隐患(上年同期)": [1174, 703, 600, 120, 80],
            "已整改": [1354, 830, 630, 139, 90],
            "已整改(上年同期)": [1130, 672, 590, 118, 80],
        },
        index=pd.Index(["企业自查", "政府检查", "中介检查", "暗访", "省市交办"], name="来源"),
    )


def by_level(prev: bool = True) -> pd.DataFrame:
    """flood.by_level: only the levels that occurred, as Roman numerals Ⅱ Ⅲ Ⅳ."""
    frame = pd.DataFrame(
        {"应急响应": [0, 2, 2], "应急响应(上年同期)": [2, 1, 0]},
        index=pd.Index(["\u2161", "\u2162", "\u2163"], name="响应级别"),
    )
    return frame if prev else frame[["应急响应"]]


def peers(count: int = 4) -> pd.DataFrame:
    """The city report's district frame; a district new this year has no previous figure."""
    names = [
        "江城区",
        "临江高新技术产业开发区",
        "东湖区",
        "北山县",
        "临江经济技术开发区管理委员会",
        "西岭县",
        "南湖区",
        "白沙县",
        "青山区",
        "石门县",
        "古镇区",
        "新港区",
        "河西区",
        "云溪县",
        "松林县",
    ][:count]
    found = [1203, 388, 865, 512, 97, 640, 300, 280, 260, 240, 220, 200, 180, 160, 140][:count]
    prev = [1010, 420, 700, None, 60, 655, 310, 270, 250, 230, 210, 190, 170, 150, 130][:count]
    return pd.DataFrame({"发现隐患": found, "发现隐患(上年同期)": prev}, index=names)


CHARTS: dict[str, Callable[[], bytes]] = {
    "分月事故": lambda: charts.monthly_accidents(by_month(), "2025年", "2024年"),
    "分月事故（上半年，无上年）": lambda: charts.monthly_accidents(
        by_month(6, prev=False), "2025年", None
    ),
    "分来源隐患": lambda: charts.hazards_by_source(by_source()),
    "隐患整改状态": lambda: charts.hazard_status(3043, 40, 6),
    "隐患全部整改": lambda: charts.hazard_status(200, 0, 0),
    "分级别应急响应": lambda: charts.responses_by_level(by_level(), "2025年", "2024年"),
    "各地对比": lambda: charts.districts_compare(peers(5), "发现隐患", "处", "发现隐患(上年同期)"),
    "十五地对比": lambda: charts.districts_compare(
        peers(15), "发现隐患", "处", "发现隐患(上年同期)"
    ),
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Every chart drawn once with the sample data, shared by the checks on the images."""
    return {name: draw() for name, draw in CHARTS.items()}


# --- reading an SVG back --------------------------------------------------------------------
def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def group(root: ET.Element, role: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == role]


def texts(root: ET.Element, role: str | None = None) -> list[str]:
    """The text of one part of the chart (every text if role is None), in drawing order."""
    places = group(root, role) if role else [root]
    return [t.text or "" for place in places for t in place.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for g in group(root, "bars") for r in g.iter(f"{SVG}rect")]


def size_cm(root: ET.Element) -> tuple[float, float]:
    return float(root.get("width").removesuffix("cm")), float(root.get("height").removesuffix("cm"))


def view(root: ET.Element) -> tuple[float, float]:
    _x, _y, w, h = (float(v) for v in root.get("viewBox").split())
    return w, h


def text_box(t: ET.Element) -> tuple[float, float]:
    """Left and right edge of a text, from its anchor and the width the face gives it."""
    width = drawing.text_width(t.text or "", float(t.get("font-size")))
    x = float(t.get("x"))
    anchor = t.get("text-anchor", "start")
    left = x - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
    return left, left + width


# --- the images -------------------------------------------------------------------------
@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_an_svg_the_width_of_the_text_block(rendered, name):
    root = parse(rendered[name])
    assert root.tag == f"{SVG}svg"
    width, height = size_cm(root)
    assert width == drawing.WIDTH_CM, f"{name}: {width} cm wide, not the 15.6 cm text block"
    assert 7 <= height <= 20, f"{name}: {height} cm high"
    w, h = view(root)
    assert w == pytest.approx(width / 2.54 * 72, abs=0.01), "drawing units are not points"
    assert h == pytest.approx(height / 2.54 * 72, abs=0.01)


@pytest.mark.parametrize("name", CHARTS)
def test_every_text_stays_inside_the_image(rendered, name):
    root = parse(rendered[name])
    w, h = view(root)
    for t in root.iter(f"{SVG}text"):
        left, right = text_box(t)
        y = float(t.get("y"))
        assert -0.5 <= left and right <= w + 0.5, f"{name}: {t.text!r} runs off the side"
        assert float(t.get("font-size")) * 0.8 <= y <= h, (
            f"{name}: {t.text!r} off the top or bottom"
        )


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_gives_the_same_bytes(rendered, name):
    assert CHARTS[name]() == rendered[name], f"{name}: output differs between two runs"


def test_standard_height_unless_many_districts(rendered):
    for name, svg in rendered.items():
        height = size_cm(parse(svg))[1]
        if name == "十五地对比":
            assert height > 9, "15 districts squeezed into the standard height"
        else:
            assert height == drawing.HEIGHT_CM, name


# --- the face ---------------------------------------------------------------------------
@cache
def face_characters(style: str) -> frozenset[int]:
    """The characters the installed house face has, found as the browser finds it."""
    from fontTools.ttLib import TTFont

    path = subprocess.run(
        ["fc-match", "-f", "%{file}", f"{drawing.FONT_FACE}:style={style}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert drawing.FONT_FACE in path, f"{drawing.FONT_FACE} {style} is not installed ({path})"
    return frozenset(TTFont(path, lazy=True).getBestCmap())


def missing(root: ET.Element) -> set[str]:
    out = set()
    for t in root.iter(f"{SVG}text"):
        have = face_characters("Bold" if t.get("font-weight") == "bold" else "Regular")
        out |= {ch for ch in t.text or "" if ord(ch) not in have}
    return out


def test_missing_characters_would_be_caught():
    """Control: the check below does see a character the face lacks."""
    root = parse(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>\u9fff\U0001f600</text></svg>'.encode()
    )
    assert missing(root) == {"\u9fff", "\U0001f600"}


@pytest.mark.parametrize("name", CHARTS)
def test_the_house_face_has_every_character_shown(rendered, name):
    root = parse(rendered[name])
    assert root.get("font-family").startswith(f'"{drawing.FONT_FACE}"')
    assert not missing(root), f"{name}: would print as boxes: {missing(root)}"


def test_names_from_the_data_are_escaped():
    frame = peers(3).rename(index={"东湖区": "东湖区<b>&\"'"})
    root = parse(charts.districts_compare(frame, "发现隐患", "处"))
    assert "东湖区<b>&\"'" in texts(root, "categories")


def test_control_characters_in_district_names_still_give_valid_xml():
    """VT, ESC and NUL are forbidden in XML 1.0 even as character references: a city chart
    whose district names carry them is still valid XML, the names shown without them."""
    frame = peers(4).rename(
        index={"江城区": "江城\x0b区", "东湖区": "东湖\x1b[31m区", "北山县": "北\x00山县\ufffe"}
    )
    for prev in (None, "发现隐患(上年同期)"):
        data = charts.districts_compare(frame, "发现隐患", "处", prev)
        root = ET.fromstring(data)  # raises on invalid XML
        assert texts(root, "categories") == [
            "江城区",
            "东湖[31m区",
            "北山县",
            "临江高新技术产业开发区",
        ]
        assert not any(ch in data.decode("utf-8") for ch in "\x0b\x1b\x00\ufffe")
    legend = texts(
        ET.fromstring(charts.monthly_accidents(by_month(), "2025\x1b年", "2024\x07年")), "legend"
    )
    assert legend == ["2025年", "2024年"]


def test_an_invalid_svg_fails_the_report_instead_of_showing_a_broken_image():
    c = drawing.Canvas()
    c.items.append("<text>\x1b</text>")  # drawn past the sanitising, as a future bug might
    with pytest.raises(drawing.ChartError, match=r"生成的图表不是有效的 SVG（第2行第6列）"):
        c.svg()
    assert not issubclass(drawing.ChartError, ValueError), "ValueError leaves the chart out"


# --- the value axis -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "top, integer, limit, ticks",
    [
        (2265, True, 2604.75, [0, 600, 1200, 1800, 2400]),
        (1, True, 1.15, [0, 1]),
        (0.5, True, 1.0, [0, 1]),
        (3, True, 3.45, [0, 1, 2, 3]),
        (4922, True, 5660.3, [0, 1500, 3000, 4500]),
        (0.42, False, 0.483, [0, 0.1, 0.2, 0.3, 0.4]),
        (377.67, False, 434.3205, [0, 100, 200, 300, 400]),
    ],
)
def test_value_axis_has_round_steps_and_headroom(top, integer, limit, ticks):
    got_limit, got_ticks = charts.value_ticks(top, integer)
    assert got_limit == pytest.approx(limit)
    assert got_ticks == pytest.approx(ticks)
    assert len(got_ticks) - 1 <= charts.NBINS


def test_tick_labels_are_plain_numbers():
    assert [charts._tick(t) for t in charts.value_ticks(0.42, False)[1]] == [
        "0",
        "0.1",
        "0.2",
        "0.3",
        "0.4",
    ]
    assert charts._number(1401.0) == "1401" and charts._number(12.345) == "12.3"


# --- what the charts show -----------------------------------------------------------------
def test_half_year_chart_has_six_months():
    root = parse(charts.monthly_accidents(by_month(6), "2025年", "2024年"))
    assert texts(root, "categories") == [f"{m}月" for m in range(1, 7)]


def test_year_chart_compares_with_last_year(rendered):
    root = parse(rendered["分月事故"])
    assert texts(root, "categories") == [f"{m}月" for m in range(1, 13)]
    assert texts(root, "legend") == ["2025年", "2024年"]
    assert texts(root, "unit") == ["事故（起）"]
    counts = [len(list(g.iter(f"{SVG}rect"))) for g in group(root, "bars")]
    assert counts == [7, 9], "one bar per month with accidents, this year then last year"
    assert texts(root, "values") == [
        "1",
        "2",
        "3",
        "1",
        "2",
        "1",
        "1",
        "1",
        "2",
        "1",
        "1",
        "2",
        "3",
        "1",
        "2",
        "1",
    ]


@pytest.mark.parametrize("prev_label", ["2024年", None])
def test_monthly_chart_without_last_year_shows_this_year_only(prev_label):
    root = parse(charts.monthly_accidents(by_month(prev=False), "2025年", prev_label))
    assert texts(root, "legend") == ["2025年"]
    assert len(group(root, "bars")) == 1


def test_accident_counts_have_whole_number_ticks():
    frame = by_month(6, prev=False)
    frame["事故起数"] = [0, 1, 0, 0, 1, 0]
    root = parse(charts.monthly_accidents(frame, "2025年", None))
    assert texts(root, "ticks") == ["0", "1"], "a count of 0.5 accidents makes no sense"


def test_bars_stand_on_the_axis_and_scale_with_their_figures():
    root = parse(charts.hazards_by_source(by_source()))
    found = list(group(root, "bars")[0].iter(f"{SVG}rect"))
    bottoms = [float(r.get("y")) + float(r.get("height")) for r in found]
    assert max(bottoms) - min(bottoms) < 0.02, "bars of one series stand on one baseline"
    heights = [float(r.get("height")) for r in found]
    assert heights[0] / heights[1] == pytest.approx(1401 / 855, rel=1e-3)


def test_responses_are_labelled_by_level(rendered):
    root = parse(rendered["分级别应急响应"])
    assert texts(root, "categories") == ["\u2160级", "\u2161级", "\u2162级", "\u2163级"], (
        "all four levels, Ⅰ级 first"
    )
    assert texts(root, "legend") == ["2025年", "2024年"]
    assert all(float(t).is_integer() for t in texts(root, "ticks"))
    assert texts(root, "values")[:4] == ["0", "0", "2", "2"], "zeros are news here"


def test_responses_without_last_year():
    root = parse(charts.responses_by_level(by_level(prev=False), "2025年", None))
    assert texts(root, "legend") == ["2025年"]
    assert texts(root, "values") == ["0", "0", "2", "2"]


def test_a_single_category_does_not_become_one_huge_bar():
    frame = pd.DataFrame({"发现隐患": [12], "已整改": [10]}, index=["企业自查"])
    root = parse(charts.hazards_by_source(frame))
    w, _h = view(root)
    assert all(float(r.get("width")) / w < 0.15 for r in bars(root))


def test_long_category_names_go_on_two_lines():
    frame = pd.DataFrame(
        {"发现隐患": range(1, 9), "已整改": range(1, 9)},
        index=[f"第{i}类安全生产专项检查" for i in range(8)],
    )
    root = parse(charts.hazards_by_source(frame))
    shown = texts(root, "categories")
    assert len(shown) == 16 and "".join(shown[:2]) == "第0类安全生产专项检查"


def test_source_chart_prints_plain_figures_on_the_bars(rendered):
    root = parse(rendered["分来源隐患"])
    shown = texts(root, "values")
    assert "1401" in shown and "1354" in shown
    assert not any("," in s or "e+" in s for s in texts(root)), "separators or 1e3 notation"
    assert texts(root, "legend") == ["发现隐患", "已整改"]
    assert texts(root, "categories") == list(by_source().index)
    assert texts(root, "ticks")[0] == "0"


def test_status_shows_counts_and_shares_to_one_decimal(rendered):
    root = parse(rendered["隐患整改状态"])
    assert texts(root, "key") == [
        "已整改",
        "3043处",
        "98.5%",
        "整改中（未逾期）",
        "40处",
        "1.3%",
        "逾期未整改",
        "6处",
        "0.2%",
    ]
    assert texts(root, "total") == ["隐患总数", "3089处"]
    assert len(list(group(root, "ring")[0])) == 3, "one ring segment per category"


def test_status_leaves_out_empty_categories(rendered):
    root = parse(rendered["隐患全部整改"])
    assert texts(root, "key") == ["已整改", "200处", "100%"]
    assert [el.tag for el in group(root, "ring")[0]] == [f"{SVG}circle"], "a whole ring"


def test_districts_largest_on_top_with_unit_and_last_year():
    root = parse(charts.districts_compare(peers(4), "发现隐患", "处", "发现隐患(上年同期)"))
    assert texts(root, "categories") == ["江城区", "东湖区", "北山县", "临江高新技术产业开发区"]
    assert texts(root, "unit") == ["发现隐患（处）"]
    assert texts(root, "legend") == ["本期", "上年同期"]
    assert texts(root, "ticks")[0] == "0"
    this_year = [float(r.get("y")) for r in group(root, "bars")[0].iter(f"{SVG}rect")]
    assert this_year == sorted(this_year), "rows from the top, largest first"


def test_district_without_last_year_figure_shows_no_zero():
    root = parse(charts.districts_compare(peers(4), "发现隐患", "处", "发现隐患(上年同期)"))
    assert "0" not in texts(root, "values"), "北山县 had no figure last year, which is not 0"
    assert len(bars(root)) == 7


def test_district_chart_without_last_year_has_no_legend():
    root = parse(charts.districts_compare(peers(4), "发现隐患", "处"))
    assert group(root, "legend") == []
    assert len(bars(root)) == 4


def test_long_district_names_are_wrapped(rendered):
    assert charts._wrap("临江经济技术开发区管理委员会") == "临江经济技术开\n发区管理委员会"
    assert charts._wrap("临江高新技术产业开发区") == "临江高新技术产业开发区"
    shown = texts(parse(rendered["各地对比"]), "categories")
    assert shown[-2:] == ["临江经济技术开", "发区管理委员会"]


@pytest.mark.parametrize("name", CHARTS)
def test_no_title_inside_the_image(rendered, name):
    root = parse(rendered[name])
    assert root.find(f"{SVG}title") is None
    roles = {g.get("class") for g in root.iter(f"{SVG}g")}
    assert "title" not in roles, "the caption under the image is the title"


# --- nothing to draw ------------------------------------------------------------------------
EMPTY: dict[str, Callable[[], bytes]] = {
    "no accidents either year": lambda: charts.monthly_accidents(
        by_month().assign(**{"事故起数": 0, "事故起数(上年同期)": 0}), "2025年", "2024年"
    ),
    "no months": lambda: charts.monthly_accidents(by_month().iloc[:0], "2025年", None),
    "no hazard sources": lambda: charts.hazards_by_source(by_source().iloc[:0]),
    "no hazards": lambda: charts.hazard_status(0, 0, 0),
    "no responses": lambda: charts.responses_by_level(
        by_level(prev=False).iloc[:0], "2025年", None
    ),
    "zero responses": lambda: charts.responses_by_level(by_level() * 0, "2025年", "2024年"),
    "no districts": lambda: charts.districts_compare(peers(0), "发现隐患", "处"),
    "all districts zero": lambda: charts.districts_compare(peers(3) * 0, "发现隐患", "处"),
}


@pytest.mark.parametrize("name", EMPTY)
def test_nothing_to_draw_is_refused(name):
    with pytest.raises(charts.NoData, match="^没有可绘制的数据$"):
        EMPTY[name]()


def test_last_year_alone_is_still_worth_drawing():
    frame = by_month().assign(**{"事故起数": 0})
    root = parse(charts.monthly_accidents(frame, "2025年", "2024年"))
    assert len(bars(root)) == 9 and texts(root, "legend") == ["2025年", "2024年"]
