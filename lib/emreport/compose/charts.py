"""Charts for the summaries, as SVG in one sober house style.

A chart is a few dozen bars, lines and labels, so it is written here directly as SVG rather
than drawn by a plotting library: vector shapes and real text print sharp at any size, are
searchable in the PDF, and cost a few milliseconds instead of a rasterised image per chart.
Sizes are real print sizes: the image is 15.6 cm wide, the width of the A4 text block, and its
text is set in 黑体 at the point sizes below when the page shows it at that width. Nothing is
drawn inside the image as a title: the report captions it (图1　…).

The drawing itself (the Canvas, text widths, the XML check) is svg.py. Each function raises
`NoData` when there is nothing to draw (no rows, or only zeros and
blanks); callers then leave the chart out. Any other exception is a chart that failed. The same input always gives the same bytes, and nothing global (a
notebook's matplotlib settings included) can change them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from emreport.compose.svg import (
    ASCENT,
    AXIS_WIDTH,
    HEIGHT_CM,
    LABEL_SIZE,
    Canvas,
    _f,
    text_width,
)
from emreport.data.schema import HAZARD_UNIT
from emreport.metrics.wording import percent, round_half_up

NO_DATA = "没有可绘制的数据"


class NoData(ValueError):
    """Nothing to draw: the data holds no rows, or only zeros and blanks."""


PREV_SUFFIX = "(上年同期)"


THIS_YEAR = "#1f4e79"  # deep blue: the period being reported
LAST_YEAR = "#9db4cc"  # light grey-blue: the same period a year earlier
RECTIFIED = "#5b8c5a"  # muted green: hazards put right
OPEN = "#d4a73a"  # muted amber: still being put right, within the deadline
OVERDUE = "#a23b3b"  # brick red: past the deadline
GRID = "#d9d9d9"  # the value-axis grid

# The report's 黑体 stack (report.css): the face installed with emreport first, then the
# names a reader's own machine has when the HTML is opened there.
TICK_SIZE = 10  # value-axis numbers
LEGEND_SIZE = 10
VALUE_FONTSIZE = 9  # the figure printed at a bar's end
GRID_WIDTH = 0.5
TICK_LENGTH = 3
BAR_WIDTH = 0.38  # of a category's slot, per series
MAX_LABEL_CHARS = 12
MIN_SLOTS = 4  # one or two categories still get a slot of a quarter of the width at most
NBINS = 5  # at most five intervals on a value axis
LEVELS = ("\u2160", "\u2161", "\u2162", "\u2163")  # Ⅰ Ⅱ Ⅲ Ⅳ, most severe first


def _number(value: float) -> str:
    """How a figure is printed on a chart: 1401, not 1,401 or 1.4e3; fractions to one decimal."""
    if float(value).is_integer():
        return str(int(value))
    return f"{round_half_up(value, 1)}"


def _tick(value: float) -> str:
    """An axis tick in plain digits, as many decimals as the step needs: 1200, 0.25."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def value_ticks(top: float, integer: bool) -> tuple[float, list[float]]:
    """The value axis for data up to `top`: its end (15% headroom for the bar labels) and
    the ticks on it, from 0 in a round step (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power
    of ten; whole numbers for counts) giving at most five intervals."""
    limit = max(top * 1.15, 1.0) if integer else top * 1.15
    if not limit > 0:
        limit = 1.0
    raw = limit / NBINS
    power = 10.0 ** math.floor(math.log10(raw))
    candidates = [m * power * scale for scale in (1, 10) for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)]
    step = next(
        s for s in candidates if s >= raw * (1 - 1e-9) and (not integer or float(s).is_integer())
    )
    count = int(math.floor(limit / step * (1 + 1e-9)))
    return limit, [round(i * step, 10) for i in range(count + 1)]


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A measure column as floats, blanks read as zero (a month without records had none)."""
    return np.nan_to_num(_blanks_kept(frame, column), nan=0.0)


def _blanks_kept(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A measure column as floats, NaN where a figure was not recorded (not the same as 0)."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _require(*series: np.ndarray) -> None:
    """Refuse to draw an empty chart: no rows, or nothing but zeros and blanks."""
    if not any(len(s) and np.any(np.nan_to_num(s) != 0) for s in series):
        raise NoData(NO_DATA)


def _label(value: float, zeros: bool) -> str:
    """A bar's figure; none for a blank, and none for a zero unless zeros say something."""
    return "" if np.isnan(value) or not (value or zeros) else _number(value)


def _in_two(text: str) -> str:
    """The text on two lines of (nearly) equal length."""
    half = math.ceil(len(text) / 2)
    return f"{text[:half]}\n{text[half:]}"


def _wrap(name: str) -> str:
    """Split an over-long district name into two balanced lines so it stays legible."""
    return name if len(name) <= MAX_LABEL_CHARS else _in_two(name)


Series = Sequence[tuple[str, np.ndarray, str]]  # (legend name, values, colour)


def _year_series(
    frame: pd.DataFrame, column: str, year_label: str, prev_label: str | None
) -> Series:
    """This year's column and, when recorded and labelled, last year's beside it."""
    series = [(year_label, _values(frame, column), THIS_YEAR)]
    prev_column = column + PREV_SUFFIX
    if prev_label is not None and prev_column in frame.columns:
        series.append((prev_label, _values(frame, prev_column), LAST_YEAR))
    return series


# --- shared pieces ------------------------------------------------------------------------
def _legend(c: Canvas, series: Series, right: float, y: float) -> None:
    """Swatch and name per series, in a row ending at `right`, centred on y."""
    size = LEGEND_SIZE
    widths = [2.0 * size + text_width(name, size) for name, _data, _color in series]
    x = right - sum(widths) - 1.5 * size * (len(series) - 1)
    with c.group("legend"):
        for (name, _data, color), width in zip(series, widths, strict=True):
            c.rect(x, y - 0.4 * size, 1.2 * size, 0.8 * size, color)
            c.text(x + 2.0 * size, y, name, size)
            x += width + 1.5 * size


def _lines(label: str) -> list[str]:
    return label.split("\n")


def _fit_category(label: str, room: float) -> str:
    """A category name under a bar group: on two lines when one would run into the next."""
    if "\n" in label or text_width(label, LABEL_SIZE) <= room or len(label) < 2:
        return label
    return _in_two(label)


def column_chart(labels: Sequence[str], series: Series, unit: str, zeros: bool) -> bytes:
    """Vertical bars side by side per category, each series labelled with its figures; the
    value axis from 0 on the left with the unit set upright above it, the legend top right."""
    _require(*(values for _name, values, _color in series))
    c = Canvas()
    top = max(float(np.nanmax(v)) if len(v) else 0.0 for _n, v, _c in series)
    limit, ticks = value_ticks(top, integer=True)
    tick_room = max(text_width(_tick(t), TICK_SIZE) for t in ticks)
    left = 2 + tick_room + 3.5 + TICK_LENGTH
    right = c.w - 4
    n = len(labels)
    spare = max(MIN_SLOTS - n, 0) / 2  # keep one or two bars from filling the width
    lo, hi = -0.6 - spare, n - 0.4 + spare
    slot = (right - left) / (hi - lo)
    names = [_fit_category(str(label), slot - 4) for label in labels]
    rows = max(len(_lines(name)) for name in names)
    plot_top = 8 + LABEL_SIZE + 12
    bottom = c.h - 4 - rows * LABEL_SIZE * 1.2 - 4

    def x(u: float) -> float:
        return left + (u - lo) * slot

    def y(v: float) -> float:
        return bottom - v / limit * (bottom - plot_top)

    with c.group("grid"):
        for t in ticks[1:]:
            c.line(left, y(t), right, y(t), GRID, GRID_WIDTH)
    with c.group("ticks"):
        for t in ticks:
            c.line(left - TICK_LENGTH, y(t), left, y(t))
            c.text(left - TICK_LENGTH - 3.5, y(t), _tick(t), TICK_SIZE, "end")
    width = BAR_WIDTH if len(series) > 1 else BAR_WIDTH * 1.4
    offsets = (np.arange(len(series)) - (len(series) - 1) / 2) * width
    for (_name, values, color), offset in zip(series, offsets, strict=True):
        with c.group("bars"):
            for i, value in enumerate(values):
                if value > 0:
                    a, b = x(i + offset - width / 2), x(i + offset + width / 2)
                    c.rect(a, y(value), b - a, y(0) - y(value), color)
        with c.group("values"):
            for i, value in enumerate(values):
                text = _label(float(value), zeros)
                if text:
                    c.text_at(
                        x(i + offset),
                        y(max(value, 0)) - 2 - (1 - ASCENT) * VALUE_FONTSIZE,
                        text,
                        VALUE_FONTSIZE,
                        "middle",
                    )
    with c.group("categories"):
        for i, name in enumerate(names):
            for k, line in enumerate(_lines(name)):
                c.text_at(
                    x(i),
                    bottom + 4 + ASCENT * LABEL_SIZE + k * LABEL_SIZE * 1.2,
                    line,
                    LABEL_SIZE,
                    "middle",
                )
    with c.group("axis"):
        c.line(left, plot_top - 6, left, bottom + AXIS_WIDTH / 2)  # the value axis
        c.line(left, bottom, right, bottom)  # the category axis
    with c.group("unit"):
        c.text(2, 8 + LABEL_SIZE / 2, unit)
    _legend(c, series, right, 8 + LABEL_SIZE / 2)
    return c.svg()


# --- the charts ---------------------------------------------------------------------------
def monthly_accidents(frame: pd.DataFrame, year_label: str, prev_label: str | None) -> bytes:
    """Accidents per month, this year beside last year, so the reader sees the trend."""
    series = _year_series(frame, "事故起数", year_label, prev_label)
    return column_chart([f"{int(m)}月" for m in frame.index], series, "事故（起）", zeros=False)


def hazards_by_source(frame: pd.DataFrame) -> bytes:
    """Hazards found and put right per source, to show who finds them and how many get fixed."""
    series = [
        ("发现隐患", _values(frame, "发现隐患"), THIS_YEAR),
        ("已整改", _values(frame, "已整改"), RECTIFIED),
    ]
    return column_chart([str(s) for s in frame.index], series, f"隐患（{HAZARD_UNIT}）", zeros=True)


def responses_by_level(frame: pd.DataFrame, year_label: str, prev_label: str | None) -> bytes:
    """Responses per level, all four shown (no Ⅰ级 is news too), to show how severe the year was."""
    levels = list(LEVELS) + [lv for lv in frame.index if lv not in LEVELS]
    frame = frame.reindex(levels, fill_value=0)
    series = _year_series(frame, "应急响应", year_label, prev_label)
    return column_chart(
        [f"{level}级" for level in frame.index], series, "应急响应（次）", zeros=True
    )


def _share(part: int, total: int) -> str:
    """A category's share worded as the text words rates: 98.5%, 97%."""
    return percent(part / total)


def _wedge(cx: float, cy: float, outer: float, inner: float, start: float, end: float) -> str:
    """A ring segment between two angles (radians, clockwise from twelve o'clock)."""

    def at(r: float, a: float) -> str:
        return f"{_f(cx + r * math.sin(a))} {_f(cy - r * math.cos(a))}"

    large = 1 if end - start > math.pi else 0
    return (
        f"M{at(outer, start)}A{_f(outer)} {_f(outer)} 0 {large} 1 {at(outer, end)}"
        f"L{at(inner, end)}A{_f(inner)} {_f(inner)} 0 {large} 0 {at(inner, start)}Z"
    )


def hazard_status(rectified: int, open_not_overdue: int, overdue: int) -> bytes:
    """Where hazards stand: a donut, counts and shares in a key since slivers can't hold them."""
    categories = [
        ("已整改", rectified, RECTIFIED),
        ("整改中（未逾期）", open_not_overdue, OPEN),
        ("逾期未整改", overdue, OVERDUE),
    ]
    shown = [(name, int(n), color) for name, n, color in categories if n and n > 0]
    if not shown:
        raise NoData(NO_DATA)
    total = sum(n for _name, n, _color in shown)
    c = Canvas()
    cx, cy, outer = 0.26 * c.w, c.h / 2, 0.33 * c.h
    inner = outer * (1 - 0.36)
    with c.group("ring"):
        if len(shown) == 1:  # a whole ring: one stroked circle, an arc cannot close on itself
            c.ring(cx, cy, (outer + inner) / 2, outer - inner, shown[0][2])
        else:
            start = 0.0
            for _name, n, color in shown:
                end = start + 2 * math.pi * n / total
                c.path(_wedge(cx, cy, outer, inner, start, end), color, "#ffffff", 1.0)
                start = end
    with c.group("total"):
        c.text(cx, cy - 0.13 * outer, "隐患总数", 9.5, "middle")
        c.text(cx, cy + 0.13 * outer, f"{total}{HAZARD_UNIT}", 12, "middle", bold=True)
    # the key: swatch, category, count and share in aligned columns
    x0, width = 0.52 * c.w, 0.42 * c.w
    step = 0.17 * 0.90 * c.h
    first = cy - step * (len(shown) - 1) / 2
    with c.group("key"):
        for i, (name, n, color) in enumerate(shown):
            y = first + i * step
            c.rect(x0, y - 0.025 * 0.9 * c.h, 0.052 * width, 0.05 * 0.9 * c.h, color)
            c.text(x0 + 0.09 * width, y, name)
            c.text(x0 + 0.76 * width, y, f"{n}{HAZARD_UNIT}", anchor="end")
            c.text(x0 + width, y, _share(n, total), anchor="end")
    return c.svg()


def _districts_height(rows: int, lines: int) -> float:
    """Grow the figure with the number of districts so rows never crowd; 7.5 cm for a few."""
    return max(HEIGHT_CM, 1.6 + 0.42 * lines + 0.3 * rows)


def districts_compare(
    frame: pd.DataFrame, measure: str, unit: str, prev: str | None = None
) -> bytes:
    """One measure per district, largest on top, so peers compare at a glance (city report)."""
    columns = [measure] + ([prev] if prev is not None else [])
    data = pd.DataFrame({col: _blanks_kept(frame, col) for col in columns}, index=frame.index)
    _require(*(data[col].to_numpy() for col in columns))
    # largest first, ties in the caller's order, blanks last
    data = data.sort_values(measure, ascending=False, kind="stable", na_position="last")
    known = data.to_numpy()[~np.isnan(data.to_numpy())]
    integer = all(float(v).is_integer() for v in known)
    names = [_wrap(str(n)) for n in data.index]
    lines = sum(len(_lines(n)) for n in names)
    series = [("本期", data[measure].to_numpy(), THIS_YEAR)]
    if prev is not None:
        series.append(("上年同期", data[prev].to_numpy(), LAST_YEAR))
    c = Canvas(_districts_height(len(names), lines))
    limit, ticks = value_ticks(float(known.max()), integer)
    name_room = max(text_width(line, LABEL_SIZE) for n in names for line in _lines(n))
    left = 2 + name_room + 4
    right = c.w - 4 - text_width(_tick(ticks[-1]), TICK_SIZE) / 2
    top = 8 + (LEGEND_SIZE + 8 if prev is not None else 0)
    bottom = c.h - 4 - LABEL_SIZE * 1.2 - 3 - TICK_SIZE * 1.2 - TICK_LENGTH - 2
    slot = (bottom - top) / len(names)

    def x(v: float) -> float:
        return left + v / limit * (right - left)

    with c.group("grid"):
        for t in ticks[1:]:
            c.line(x(t), top, x(t), bottom, GRID, GRID_WIDTH)
    with c.group("ticks"):
        for t in ticks:
            c.line(x(t), bottom, x(t), bottom + TICK_LENGTH)
            c.text_at(
                x(t), bottom + TICK_LENGTH + 2 + ASCENT * TICK_SIZE, _tick(t), TICK_SIZE, "middle"
            )
    height = 0.36 if len(series) > 1 else 0.56
    offsets = (np.arange(len(series)) - (len(series) - 1) / 2) * height

    def centre(row: int) -> float:
        return top + (row + 0.5) * slot

    for (_name, values, color), offset in zip(series, offsets, strict=True):
        with c.group("bars"):
            for row, value in enumerate(values):
                if value > 0:
                    c.rect(
                        left,
                        centre(row) + (offset - height / 2) * slot,
                        x(value) - left,
                        height * slot,
                        color,
                    )
        with c.group("values"):
            for row, value in enumerate(values):
                text = _label(float(value), zeros=True)
                if text:
                    c.text(x(max(value, 0)) + 2, centre(row) + offset * slot, text, VALUE_FONTSIZE)
    with c.group("categories"):
        for row, name in enumerate(names):
            parts = _lines(name)
            for k, line in enumerate(parts):
                c.text(
                    left - 4,
                    centre(row) + (k - (len(parts) - 1) / 2) * LABEL_SIZE * 1.15,
                    line,
                    LABEL_SIZE,
                    "end",
                )
    with c.group("axis"):
        c.line(left, top, left, bottom + AXIS_WIDTH / 2)  # the category axis
        c.line(left, bottom, right, bottom)  # the value axis
    with c.group("unit"):
        c.text_at(
            (left + right) / 2,
            c.h - 4 - (1 - ASCENT) * LABEL_SIZE,
            f"{measure}（{unit}）" if unit else measure,
            LABEL_SIZE,
            "middle",
        )
    if prev is not None:
        _legend(c, series, c.w - 4, 8 + LEGEND_SIZE / 2)
    return c.svg()
