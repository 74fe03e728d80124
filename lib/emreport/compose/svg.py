"""Writing SVG by hand for the report's charts: the print geometry and type of the house style,
text cleaned of what SVG cannot carry, a line's width in 黑体, the `Canvas` shapes are drawn on,
and the check every chart passes before it is embedded (parsed as XML)."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape, quoteattr

PT_PER_CM = 72 / 2.54
WIDTH_CM = 15.6
HEIGHT_CM = 7.5
INK = "#333333"  # text, ticks and the axis line
FONT = '"FandolHei", "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif'
FONT_FACE = "FandolHei"  # the face the PDF is printed with; its glyphs are checked by the tests
LABEL_SIZE = 10.5  # category names, axis names, the donut's key
AXIS_WIDTH = 0.6


# Where a line of text sits relative to its em box: 黑体's ascender is 0.88 em, so the
# baseline of text centred on y is 0.38 em below y.
ASCENT = 0.88
CENTRE = 0.38


# Characters XML 1.0 forbids even escaped (C0 controls, surrogates, U+FFFE/U+FFFF), and the
# other control characters, which no face draws; a tab or line break becomes a space.
_UNDRAWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class ChartError(RuntimeError):
    """A chart that came out as invalid SVG: the report fails rather than show a broken
    image (not a ValueError, which means "nothing to draw" and leaves the chart out)."""


def drawable(text: str) -> str:
    """Text as a chart shows it: without the characters SVG cannot carry or a face draw."""
    return _UNDRAWABLE.sub("", str(text)).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def checked_svg(data: bytes) -> bytes:
    """The SVG, once parsed as XML: every chart the project writes passes here."""
    try:
        ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        raise ChartError(
            f"生成的图表不是有效的 SVG（第{line}行第{column}列），报告未生成："
            "这是程序的错误，请报告给维护者"
        ) from None
    return data


# --- drawing ------------------------------------------------------------------------------
def _f(value: float) -> str:
    """A coordinate with two decimals at most: short, and the same bytes every time."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float) -> float:
    """How wide a line of 黑体 text is, in points: CJK characters and Roman numerals are one
    em, digits half an em (the face's own advance widths), other Latin about that."""
    em = 0.0
    for ch in drawable(text):
        if unicodedata.east_asian_width(ch) in "WFA" and ord(ch) > 0x7F:
            em += 1.0
        elif ch in ".,:;!'|":
            em += 0.28
        elif ch == "%":
            em += 0.84
        elif ch == " ":
            em += 0.33
        else:
            em += 0.5 if ch.isdigit() else 0.58
    return em * size


class Canvas:
    """An SVG image of a given print size, in points, built from a few kinds of shape."""

    def __init__(self, height_cm: float = HEIGHT_CM):
        self.width_cm, self.height_cm = WIDTH_CM, height_cm
        self.w, self.h = WIDTH_CM * PT_PER_CM, height_cm * PT_PER_CM
        self.items: list[str] = []

    @contextmanager
    def group(self, role: str) -> Iterator[None]:
        """Shapes that play one part (bars, values, ticks, categories, legend, key, unit,
        axis, ring), grouped and named so a reader of the SVG can find them."""
        self.items.append(f'<g class="{role}">')
        yield
        self.items.append("</g>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.items.append(
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" fill="{fill}"/>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str = INK,
        width: float = AXIS_WIDTH,
    ) -> None:
        self.items.append(
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
            f'stroke="{stroke}" stroke-width="{_f(width)}"/>'
        )

    def path(self, d: str, fill: str, stroke: str = "none", width: float = 0) -> None:
        edge = (
            f' stroke="{stroke}" stroke-width="{_f(width)}" stroke-linejoin="round"'
            if stroke != "none"
            else ""
        )
        self.items.append(f'<path d="{d}" fill="{fill}"{edge}/>')

    def ring(self, cx: float, cy: float, r: float, width: float, stroke: str) -> None:
        self.items.append(
            f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" '
            f'stroke="{stroke}" stroke-width="{_f(width)}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = LABEL_SIZE,
        anchor: str = "start",
        bold: bool = False,
    ) -> None:
        """A line of text whose em box is centred on y; `anchor` is start, middle or end."""
        self.text_at(x, y + CENTRE * size, text, size, anchor, bold)

    def text_at(
        self,
        x: float,
        baseline: float,
        text: str,
        size: float = LABEL_SIZE,
        anchor: str = "start",
        bold: bool = False,
    ) -> None:
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += ' font-weight="bold"' if bold else ""
        self.items.append(
            f'<text x="{_f(x)}" y="{_f(baseline)}" font-size="{_f(size)}"'
            f"{attrs}>{escape(drawable(text))}</text>"
        )

    def svg(self) -> bytes:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(self.width_cm)}cm" '
            f'height="{_f(self.height_cm)}cm" viewBox="0 0 {_f(self.w)} {_f(self.h)}" '
            f'font-family={quoteattr(FONT)} fill="{INK}">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
        )
        return checked_svg("\n".join([head, *self.items, "</svg>\n"]).encode("utf-8"))


# --- numbers ------------------------------------------------------------------------------
