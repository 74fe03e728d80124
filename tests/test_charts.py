"""The report's charts: real PNGs the width of the text block, Chinese that renders, the same
bytes every time whatever a notebook did to matplotlib, and the figures a reader expects."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from emreport import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_BLOCK_PX = round(15.6 / 2.54 * 200)  # 1228 px: 15.6 cm at 200 dpi


# --- sample inputs, shaped as emreport.metrics hands them over -------------------------
def by_month(months: int = 12, prev: bool = True) -> pd.DataFrame:
    """accidents.by_month for a year (12 rows) or a half-year (6)."""
    data = {"事故起数": [0, 0, 1, 2, 0, 3, 1, 0, 2, 1, 0, 1][:months],
            "事故起数(上年同期)": [1, 0, 2, 1, 1, 2, 3, 1, 0, 2, 1, 0][:months],
            "死亡人数": [0] * months, "死亡人数(上年同期)": [2] + [0] * (months - 1)}
    frame = pd.DataFrame(data, index=pd.Index(range(1, months + 1), name="月份"))
    return frame if prev else frame.drop(columns=["事故起数(上年同期)", "死亡人数(上年同期)"])


def by_source() -> pd.DataFrame:
    """hazards.by_source with all five sources."""
    return pd.DataFrame(
        {"发现隐患": [1401, 855, 642, 139, 94], "发现隐患(上年同期)": [1174, 703, 600, 120, 80],
         "已整改": [1354, 830, 630, 139, 90], "已整改(上年同期)": [1130, 672, 590, 118, 80]},
        index=pd.Index(["企业自查", "政府检查", "中介检查", "暗访", "省市交办"], name="来源"))


def by_level(prev: bool = True) -> pd.DataFrame:
    """flood.by_level: only the levels that occurred, as Roman numerals Ⅱ Ⅲ Ⅳ."""
    frame = pd.DataFrame({"应急响应": [0, 2, 2], "应急响应(上年同期)": [2, 1, 0]},
                         index=pd.Index(["\u2161", "\u2162", "\u2163"], name="响应级别"))
    return frame if prev else frame[["应急响应"]]


def peers(count: int = 4) -> pd.DataFrame:
    """The city report's district frame; a district new this year has no previous figure."""
    names = ["江城区", "临江高新技术产业开发区", "东湖区", "北山县", "临江经济技术开发区管理委员会",
             "西岭县", "南湖区", "白沙县", "青山区", "石门县", "古镇区", "新港区", "河西区", "云溪县",
             "松林县"][:count]
    found = [1203, 388, 865, 512, 97, 640, 300, 280, 260, 240, 220, 200, 180, 160, 140][:count]
    prev = [1010, 420, 700, None, 60, 655, 310, 270, 250, 230, 210, 190, 170, 150, 130][:count]
    return pd.DataFrame({"发现隐患": found, "发现隐患(上年同期)": prev}, index=names)


CHARTS: dict[str, Callable[[], bytes]] = {
    "分月事故": lambda: charts.monthly_accidents(by_month(), "2025年", "2024年"),
    "分月事故（上半年，无上年）": lambda: charts.monthly_accidents(
        by_month(6, prev=False), "2025年", None),
    "分来源隐患": lambda: charts.hazards_by_source(by_source()),
    "隐患整改状态": lambda: charts.hazard_status(3043, 40, 6),
    "分级别应急响应": lambda: charts.responses_by_level(by_level(), "2025年", "2024年"),
    "各地对比": lambda: charts.districts_compare(
        peers(5), "发现隐患", "条", "发现隐患(上年同期)"),
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Every chart drawn once with the sample data, shared by the checks on the images."""
    return {name: draw() for name, draw in CHARTS.items()}


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], bytes]], Figure]:
    """Draw a chart but keep its Figure instead of the PNG, to check what it shows."""
    def draw(make: Callable[[], bytes]) -> Figure:
        kept: list[Figure] = []
        monkeypatch.setattr(charts, "_png", lambda fig: kept.append(fig) or b"")
        make()
        return kept[0]
    return draw


def image(png: bytes) -> Image.Image:
    """Decode a PNG fully, so a truncated or corrupt file fails here."""
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def texts(fig: Figure) -> list[str]:
    """Every piece of text in the figure: ticks, labels, legend, bar figures."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


# --- the images -------------------------------------------------------------------------
@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_a_png_that_fits_the_text_block(rendered, name):
    png = rendered[name]
    assert png.startswith(PNG_SIGNATURE), f"{name}: not a PNG"
    img = image(png)
    assert img.size[0] == TEXT_BLOCK_PX, f"{name}: {img.size[0]} px wide, not 15.6 cm at 200 dpi"
    height_cm = img.size[1] / 200 * 2.54
    assert 7 <= height_cm <= 8, f"{name}: {height_cm:.1f} cm high, expected about 7.5 cm"
    assert img.info["dpi"] == pytest.approx((200, 200), abs=0.01), "print size not recorded"


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_not_blank(rendered, name):
    img = image(rendered[name]).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 10, f"{name}: the image is (nearly) one colour"
    ink = (np.asarray(img.convert("L")) < 200).mean()
    assert 0.02 < ink < 0.6, f"{name}: {ink:.0%} of the image is drawn on"


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_gives_the_same_bytes(rendered, name):
    assert CHARTS[name]() == rendered[name], f"{name}: output differs between two runs"


def test_png_carries_no_software_stamp(rendered):
    for name, png in rendered.items():
        assert b"matplotlib" not in png.lower(), f"{name}: version stamp would break caching"


def font_problems(draw: Callable[[], object], caplog, capfd) -> list[str]:
    """Warnings, log records and stderr lines raised while drawing that concern fonts."""
    caplog.clear()
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        draw()
    said = ([str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
            + capfd.readouterr().err.splitlines())
    return [s for s in said if any(k in s.lower() for k in ("glyph", "missing", "findfont"))]


def test_missing_glyphs_would_be_caught(caplog, capfd):
    """Control: the check below does see a font without Chinese."""
    def bad() -> None:
        with matplotlib.rc_context({"font.family": "sans-serif",
                                    "font.sans-serif": ["DejaVu Sans"]}):
            fig = Figure()
            fig.text(0.5, 0.5, "隐患")
            fig.savefig(io.BytesIO(), format="png")
    assert any("Glyph" in s for s in font_problems(bad, caplog, capfd))


@pytest.mark.parametrize("name", CHARTS)
def test_chinese_renders_without_missing_glyphs(name, caplog, capfd):
    problems = font_problems(CHARTS[name], caplog, capfd)
    assert not problems, f"{name}: Chinese would show as boxes: {problems}"


def test_house_font_is_installed():
    from matplotlib import font_manager

    family = charts.HOUSE_STYLE["font.sans-serif"][0]
    path = font_manager.findfont(font_manager.FontProperties(family=family),
                                 fallback_to_default=False)
    assert "CJK" in path, f"{family} not found; charts would fall back to a font without Chinese"


NOTEBOOK_TWEAKS = {
    "font.sans-serif": ["DejaVu Sans"],
    "font.family": "serif",
    "font.size": 20,
    "axes.unicode_minus": True,
    "lines.linewidth": 10,
    "patch.linewidth": 3,
    "axes.prop_cycle": matplotlib.cycler(color=["#ff00ff"]),
    "axes.spines.top": True,
    "axes.grid": True,
    "figure.dpi": 50,
    "savefig.dpi": 72,
    "savefig.transparent": True,
    "savefig.bbox": "tight",
    "figure.figsize": (3, 2),
}


@pytest.mark.parametrize("name", CHARTS)
def test_global_matplotlib_settings_do_not_change_the_chart(rendered, name):
    with matplotlib.rc_context(NOTEBOOK_TWEAKS):
        png = CHARTS[name]()
    assert png == rendered[name], f"{name}: a notebook's rcParams leaked into the chart"


def test_drawing_leaves_global_settings_and_pyplot_alone():
    open_figures = plt.get_fignums()
    matplotlib.get_backend()  # settle the lazily chosen backend before taking the snapshot
    before = matplotlib.rcParams.copy()
    for draw in CHARTS.values():
        draw()
    assert matplotlib.rcParams == before, "a chart changed matplotlib's global settings"
    assert plt.get_fignums() == open_figures, "a chart left a figure open in pyplot"


# --- what the charts show -----------------------------------------------------------------
def test_half_year_chart_has_six_months(drawn):
    fig = drawn(lambda: charts.monthly_accidents(by_month(6), "2025年", "2024年"))
    months = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert months == [f"{m}月" for m in range(1, 7)]


def test_year_chart_compares_with_last_year(drawn):
    fig = drawn(lambda: charts.monthly_accidents(by_month(), "2025年", "2024年"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{m}月" for m in range(1, 13)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025年", "2024年"]
    assert len(ax.patches) == 24, "one bar per month for each year"
    assert ax.get_ylabel() == "事故（起）"


@pytest.mark.parametrize("prev_label", ["2024年", None])
def test_monthly_chart_without_last_year_shows_this_year_only(drawn, prev_label):
    fig = drawn(lambda: charts.monthly_accidents(by_month(prev=False), "2025年", prev_label))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025年"]
    assert len(ax.patches) == 12


def test_accident_counts_have_whole_number_ticks(drawn):
    frame = by_month(6, prev=False)
    frame["事故起数"] = [0, 1, 0, 0, 1, 0]
    ax = drawn(lambda: charts.monthly_accidents(frame, "2025年", None)).axes[0]
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert ticks == [0, 1], f"ticks {ticks}: a count of 0.5 accidents makes no sense"
    assert low == 0


def test_responses_are_labelled_by_level(drawn):
    fig = drawn(lambda: charts.responses_by_level(by_level(), "2025年", "2024年"))
    ax = fig.axes[0]
    levels = ["\u2160级", "\u2161级", "\u2162级", "\u2163级"]
    assert [t.get_text() for t in ax.get_xticklabels()] == levels, "all four levels, Ⅰ级 first"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025年", "2024年"]
    assert all(float(t).is_integer() for t in ax.get_yticks())


def test_responses_without_last_year(drawn):
    fig = drawn(lambda: charts.responses_by_level(by_level(prev=False), "2025年", None))
    assert len(fig.axes[0].patches) == 4
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "2025年"


def test_a_single_category_does_not_become_one_huge_bar(drawn):
    frame = pd.DataFrame({"发现隐患": [12], "已整改": [10]}, index=["企业自查"])
    ax = drawn(lambda: charts.hazards_by_source(frame)).axes[0]
    low, high = ax.get_xlim()
    assert all(bar.get_width() / (high - low) < 0.15 for bar in ax.patches)


def test_source_chart_prints_plain_figures_on_the_bars(drawn):
    ax = drawn(lambda: charts.hazards_by_source(by_source())).axes[0]
    shown = texts(ax.figure)
    assert "1401" in shown and "1354" in shown
    assert not any("," in s or "e+" in s for s in shown), "thousands separators or 1e3 notation"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["发现隐患", "已整改"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(by_source().index)
    assert ax.get_ylim()[0] == 0


def test_status_shows_counts_and_shares_to_one_decimal(drawn):
    shown = texts(drawn(lambda: charts.hazard_status(3043, 40, 6)))
    for expected in ("已整改", "3043条", "98.5%", "整改中（未逾期）", "40条", "1.3%",
                     "逾期未整改", "6条", "0.2%", "3089条"):
        assert expected in shown, f"{expected} missing from {shown}"


def test_status_leaves_out_empty_categories(drawn):
    shown = texts(drawn(lambda: charts.hazard_status(200, 0, 0)))
    assert "已整改" in shown and "100%" in shown
    assert not any("逾期" in s for s in shown), "a category with no hazards is still labelled"


def test_districts_largest_on_top_with_unit_and_last_year(drawn):
    ax = drawn(lambda: charts.districts_compare(peers(4), "发现隐患", "条",
                                                "发现隐患(上年同期)")).axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()][::-1]  # barh lists bottom up
    assert rows == ["江城区", "东湖区", "北山县", "临江高新技术产业开发区"]
    assert ax.get_xlabel() == "发现隐患（条）"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["本期", "上年同期"]
    assert ax.get_xlim()[0] == 0


def test_district_without_last_year_figure_shows_no_zero(drawn):
    frame = peers(4)
    ax = drawn(lambda: charts.districts_compare(frame, "发现隐患", "条",
                                                "发现隐患(上年同期)")).axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert "0" not in labels, "北山县 had no figure last year, which is not 0"


def test_district_chart_without_last_year_has_no_legend(drawn):
    ax = drawn(lambda: charts.districts_compare(peers(4), "发现隐患", "条")).axes[0]
    assert ax.get_legend() is None
    assert len(ax.patches) == 4


def test_long_district_names_are_wrapped():
    assert charts._wrap("临江经济技术开发区管理委员会") == "临江经济技术开\n发区管理委员会"
    assert charts._wrap("临江高新技术产业开发区") == "临江高新技术产业开发区"


def test_many_districts_get_a_taller_chart():
    img = image(charts.districts_compare(peers(15), "发现隐患", "条", "发现隐患(上年同期)"))
    assert img.size[0] == TEXT_BLOCK_PX
    assert img.size[1] > 700, "15 districts squeezed into the standard height"


@pytest.mark.parametrize("name", CHARTS)
def test_no_title_inside_the_image(drawn, name):
    fig = drawn(CHARTS[name])
    assert all(not ax.get_title() for ax in fig.axes), "the caption under the image is the title"
    assert not fig.get_suptitle()


# --- nothing to draw ------------------------------------------------------------------------
EMPTY: dict[str, Callable[[], bytes]] = {
    "no accidents either year": lambda: charts.monthly_accidents(
        by_month().assign(**{"事故起数": 0, "事故起数(上年同期)": 0}), "2025年", "2024年"),
    "no months": lambda: charts.monthly_accidents(by_month().iloc[:0], "2025年", None),
    "no hazard sources": lambda: charts.hazards_by_source(by_source().iloc[:0]),
    "no hazards": lambda: charts.hazard_status(0, 0, 0),
    "no responses": lambda: charts.responses_by_level(by_level(prev=False).iloc[:0], "2025年",
                                                      None),
    "zero responses": lambda: charts.responses_by_level(by_level() * 0, "2025年", "2024年"),
    "no districts": lambda: charts.districts_compare(peers(0), "发现隐患", "条"),
    "all districts zero": lambda: charts.districts_compare(peers(3) * 0, "发现隐患", "条"),
}


@pytest.mark.parametrize("name", EMPTY)
def test_nothing_to_draw_is_refused(name):
    with pytest.raises(ValueError, match="^没有可绘制的数据$"):
        EMPTY[name]()


def test_last_year_alone_is_still_worth_drawing(drawn):
    frame = by_month().assign(**{"事故起数": 0})
    fig = drawn(lambda: charts.monthly_accidents(frame, "2025年", "2024年"))
    assert len(fig.axes[0].patches) == 24
