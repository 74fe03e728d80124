"""Charts for the summaries, as PNG bytes in one sober house style.

Every chart is drawn on its own `matplotlib.figure.Figure` (never registered with pyplot) under
matplotlib's defaults plus HOUSE_STYLE, so a notebook's global rcParams cannot change the image
and nothing leaks between reports. Sizes are real print sizes: the image is 15.6 cm wide, the
width of the A4 text block, so its text reads at the point sizes set here when the page shows it
at that width. Nothing is drawn inside the image as a title: the report captions it (图1　…).

Each function raises ValueError("没有可绘制的数据") when there is nothing to draw; callers then
leave the chart out. The same input always gives the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager

import matplotlib
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from emreport.wording import percent, round_half_up

NO_DATA = "没有可绘制的数据"
PREV_SUFFIX = "(上年同期)"

CM = 1 / 2.54
WIDTH_CM = 15.6
HEIGHT_CM = 7.5
DPI = 200

THIS_YEAR = "#1f4e79"  # deep blue: the period being reported
LAST_YEAR = "#9db4cc"  # light grey-blue: the same period a year earlier
RECTIFIED = "#5b8c5a"  # muted green: hazards put right
OPEN = "#d4a73a"  # muted amber: still being put right, within the deadline
OVERDUE = "#a23b3b"  # brick red: past the deadline
INK = "#333333"  # text, ticks and the axis line
GRID = "#d9d9d9"  # the value-axis grid

HOUSE_STYLE: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"],
    "axes.unicode_minus": False,
    "font.size": 10.5,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.labelpad": 4,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "grid.color": GRID,
    "grid.linewidth": 0.5,
    "grid.linestyle": "-",
    "legend.frameon": False,
    "legend.handlelength": 1.2,
    "legend.handleheight": 0.8,
    "legend.columnspacing": 1.5,
    "patch.linewidth": 0,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.bbox": "standard",
    "figure.constrained_layout.use": True,
    "figure.constrained_layout.h_pad": 0.04,
    "figure.constrained_layout.w_pad": 0.04,
    "figure.autolayout": False,
}
"""House rcParams, applied on top of matplotlib's defaults inside every chart function."""

VALUE_FONTSIZE = 9
BAR_WIDTH = 0.38
MAX_LABEL_CHARS = 12
MIN_SLOTS = 4
LEVELS = ("\u2160", "\u2161", "\u2162", "\u2163")  # Ⅰ Ⅱ Ⅲ Ⅳ, most severe first


# --- shared pieces ------------------------------------------------------------------------
def _style() -> AbstractContextManager[None]:
    """Defaults first, then the house style, so global rcParams never reach the image."""
    return matplotlib.style.context(["default", HOUSE_STYLE])


def _figure(height_cm: float = HEIGHT_CM) -> tuple[Figure, Axes]:
    """A stand-alone figure the width of the text block, unknown to pyplot."""
    fig = Figure(figsize=(WIDTH_CM * CM, height_cm * CM), dpi=DPI)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    """Encode without the matplotlib version stamp, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    fig.clear()
    return buffer.getvalue()


def _number(value: float) -> str:
    """How a figure is printed on a chart: 1401, not 1,401 or 1.4e3; fractions to one decimal."""
    if float(value).is_integer():
        return str(int(value))
    return f"{round_half_up(value, 1)}"


def _tick(value: float) -> str:
    """An axis tick in plain digits, as many decimals as the step needs: 1200, 0.25."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A measure column as floats, blanks read as zero (a month without records had none)."""
    return np.nan_to_num(_blanks_kept(frame, column), nan=0.0)


def _blanks_kept(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A measure column as floats, NaN where a figure was not recorded (not the same as 0)."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _require(*series: np.ndarray) -> None:
    """Refuse to draw an empty chart: no rows, or nothing but zeros and blanks."""
    if not any(len(s) and np.any(np.nan_to_num(s) != 0) for s in series):
        raise ValueError(NO_DATA)


def _value_axis(ax: Axes, axis: str, top: float, integer: bool) -> None:
    """Value axis from 0 with headroom for bar labels, a thin grid and plain numbers."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=5, integer=integer, min_n_ticks=2))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v)))
    limit = max(top * 1.15, 1.0) if integer else top * 1.15
    if axis == "y":
        ax.set_ylim(0, limit)
    else:
        ax.set_xlim(0, limit)
    ax.grid(True, axis=axis)


def _unit_label(ax: Axes, text: str) -> None:
    """The value axis's name and unit set upright above it, read without tilting the head."""
    ax.set_ylabel(text, rotation=0, ha="left", va="bottom")
    ax.yaxis.set_label_coords(-0.06, 1.03)


def _category_axis(ax: Axes, axis: str) -> None:
    """Category axis without ticks: the bars themselves mark the categories."""
    ax.tick_params(axis=axis, length=0, pad=4)


def _label_bars(ax: Axes, bars: BarContainer, values: Iterable[float], zeros: bool) -> None:
    """Print each bar's figure at its end; zeros only where they say something."""
    labels = ["" if np.isnan(v) or not (v or zeros) else _number(v) for v in values]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=VALUE_FONTSIZE, color=INK)


def _legend(ax: Axes, ncol: int) -> None:
    """A frameless legend above the plot's top-right corner, clear of the bars."""
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=ncol, borderaxespad=0.2)


def _grouped_bars(ax: Axes, labels: Sequence[str], series: Sequence[tuple[str, np.ndarray, str]],
                  zeros: bool) -> None:
    """Vertical bars side by side per category, each series labelled with its figures."""
    x = np.arange(len(labels))
    width = BAR_WIDTH if len(series) > 1 else BAR_WIDTH * 1.4
    offsets = (np.arange(len(series)) - (len(series) - 1) / 2) * width
    for (name, values, color), offset in zip(series, offsets, strict=True):
        bars = ax.bar(x + offset, values, width, label=name, color=color)
        _label_bars(ax, bars, values, zeros)
    ax.set_xticks(x, labels)
    spare = max(MIN_SLOTS - len(labels), 0) / 2  # keep one or two bars from filling the width
    ax.set_xlim(-0.6 - spare, len(labels) - 0.4 + spare)
    _category_axis(ax, "x")


def _wrap(name: str) -> str:
    """Split an over-long district name into two balanced lines so it stays legible."""
    if len(name) <= MAX_LABEL_CHARS:
        return name
    half = math.ceil(len(name) / 2)
    return f"{name[:half]}\n{name[half:]}"


def _year_series(frame: pd.DataFrame, column: str, year_label: str,
                 prev_label: str | None) -> list[tuple[str, np.ndarray, str]]:
    """This year's column and, when recorded and labelled, last year's beside it."""
    series = [(year_label, _values(frame, column), THIS_YEAR)]
    prev_column = column + PREV_SUFFIX
    if prev_label is not None and prev_column in frame.columns:
        series.append((prev_label, _values(frame, prev_column), LAST_YEAR))
    return series


# --- the charts ---------------------------------------------------------------------------
def monthly_accidents(frame: pd.DataFrame, year_label: str, prev_label: str | None) -> bytes:
    """Accidents per month, this year beside last year, so the reader sees the trend."""
    series = _year_series(frame, "事故起数", year_label, prev_label)
    _require(*(values for _name, values, _color in series))
    with _style():
        fig, ax = _figure()
        months = [f"{int(m)}月" for m in frame.index]
        _grouped_bars(ax, months, series, zeros=False)
        _value_axis(ax, "y", max(v.max() for _n, v, _c in series), integer=True)
        _unit_label(ax, "事故（起）")
        _legend(ax, len(series))
        return _png(fig)


def hazards_by_source(frame: pd.DataFrame) -> bytes:
    """Hazards found and put right per source, to show who finds them and how many get fixed."""
    series = [("发现隐患", _values(frame, "发现隐患"), THIS_YEAR),
              ("已整改", _values(frame, "已整改"), RECTIFIED)]
    _require(*(values for _name, values, _color in series))
    with _style():
        fig, ax = _figure()
        _grouped_bars(ax, [str(s) for s in frame.index], series, zeros=True)
        _value_axis(ax, "y", max(v.max() for _n, v, _c in series), integer=True)
        _unit_label(ax, "隐患（条）")
        _legend(ax, len(series))
        return _png(fig)


def _share(part: int, total: int) -> str:
    """A category's share worded as the text words rates: 98.5%, 97%."""
    return percent(part / total)


def _status_key(ax: Axes, rows: Sequence[tuple[str, int, str]], total: int) -> None:
    """A small table beside the donut: swatch, category, count and share in aligned columns."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    step = 0.17
    top = 0.5 + step * (len(rows) - 1) / 2
    for i, (name, n, color) in enumerate(rows):
        y = top - i * step
        ax.add_patch(Rectangle((0, y - 0.025), 0.052, 0.05, facecolor=color))
        ax.text(0.09, y, name, ha="left", va="center")
        ax.text(0.76, y, f"{n}条", ha="right", va="center")
        ax.text(1.0, y, _share(n, total), ha="right", va="center")


def hazard_status(rectified: int, open_not_overdue: int, overdue: int) -> bytes:
    """Where hazards stand: a donut, counts and shares in a key since slivers can't hold them."""
    categories = [("已整改", rectified, RECTIFIED), ("整改中（未逾期）", open_not_overdue, OPEN),
                  ("逾期未整改", overdue, OVERDUE)]
    shown = [(name, int(n), color) for name, n, color in categories if n and n > 0]
    if not shown:
        raise ValueError(NO_DATA)
    total = sum(n for _name, n, _color in shown)
    with _style():
        fig = Figure(figsize=(WIDTH_CM * CM, HEIGHT_CM * CM), dpi=DPI, layout="none")
        ring = fig.add_axes((0.06, 0.05, 0.40, 0.90))
        ring.pie([n for _name, n, _c in shown], colors=[c for _n, _v, c in shown],
                 startangle=90, counterclock=False,
                 wedgeprops={"width": 0.36, "edgecolor": "white", "linewidth": 1.0})
        ring.set_aspect("equal")
        ring.text(0, 0.13, "隐患总数", ha="center", va="center", fontsize=9.5)
        ring.text(0, -0.13, f"{total}条", ha="center", va="center", fontsize=12,
                  fontweight="bold")
        _status_key(fig.add_axes((0.52, 0.05, 0.42, 0.90)), shown, total)
        return _png(fig)


def responses_by_level(frame: pd.DataFrame, year_label: str, prev_label: str | None) -> bytes:
    """Responses per level, all four shown (no Ⅰ级 is news too), to show how severe the year was."""
    levels = list(LEVELS) + [lv for lv in frame.index if lv not in LEVELS]
    frame = frame.reindex(levels, fill_value=0)
    series = _year_series(frame, "应急响应", year_label, prev_label)
    _require(*(values for _name, values, _color in series))
    with _style():
        fig, ax = _figure()
        _grouped_bars(ax, [f"{level}级" for level in frame.index], series, zeros=True)
        _value_axis(ax, "y", max(v.max() for _n, v, _c in series), integer=True)
        _unit_label(ax, "应急响应（次）")
        _legend(ax, len(series))
        return _png(fig)


def _districts_height(rows: int, lines: int) -> float:
    """Grow the figure with the number of districts so rows never crowd; 7.5 cm for a few."""
    return max(HEIGHT_CM, 1.6 + 0.42 * lines + 0.3 * rows)


def _side_bars(ax: Axes, names: Sequence[str],
               series: Sequence[tuple[str, np.ndarray, str]]) -> None:
    """Horizontal bars per row, this period above last year; a blank draws no bar and no 0."""
    y = np.arange(len(names))
    height = 0.36 if len(series) > 1 else 0.56
    offsets = (np.arange(len(series)) - (len(series) - 1) / 2) * height
    for (name, values, color), offset in zip(series, offsets[::-1], strict=True):
        bars = ax.barh(y + offset, np.nan_to_num(values), height, label=name, color=color)
        _label_bars(ax, bars, values, zeros=True)
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    _category_axis(ax, "y")


def districts_compare(frame: pd.DataFrame, measure: str, unit: str,
                      prev: str | None = None) -> bytes:
    """One measure per district, largest on top, so peers compare at a glance (city report)."""
    columns = [measure] + ([prev] if prev is not None else [])
    data = pd.DataFrame({c: _blanks_kept(frame, c) for c in columns}, index=frame.index)
    _require(*(data[c].to_numpy() for c in columns))
    # Largest first, ties in the caller's order, blanks last; barh draws from the bottom up.
    data = data.sort_values(measure, ascending=False, kind="stable", na_position="last")[::-1]
    known = data.to_numpy()[~np.isnan(data.to_numpy())]
    integer = all(float(v).is_integer() for v in known)
    names = [_wrap(str(n)) for n in data.index]
    lines = sum(n.count("\n") + 1 for n in names)
    series = [("本期", data[measure].to_numpy(), THIS_YEAR)]
    if prev is not None:
        series.append(("上年同期", data[prev].to_numpy(), LAST_YEAR))
    with _style():
        fig, ax = _figure(_districts_height(len(names), lines))
        _side_bars(ax, names, series)
        _value_axis(ax, "x", float(known.max()), integer=integer)
        ax.set_xlabel(f"{measure}（{unit}）" if unit else measure)
        if prev is not None:
            _legend(ax, len(series))
        return _png(fig)
