"""A PDF read back with poppler: its pages, text, fonts and lines with their boxes, for the
checks the tests, benchmarks and scripts/compare_reports.py make on what was printed."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emreport import atomic


@dataclass(frozen=True)
class PdfFont:
    """One row of `pdffonts`: the font's name, its type and whether the PDF carries it."""

    name: str
    type: str
    embedded: bool


@dataclass(frozen=True)
class PdfLine:
    """One line of text and its box, in points from the page's top left corner."""

    page: int
    page_width: float
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@contextmanager
def _pdf_file(pdf: bytes) -> Iterator[Path]:
    """poppler reads files, not stdin: the bytes in a temporary file for the command's run."""
    with tempfile.NamedTemporaryFile(prefix=atomic.temp_prefix("pdf"), suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        yield Path(f.name)


def _poppler(tool: str, *args: str, pdf: bytes, after: Sequence[str] = ()) -> str:
    """Run one poppler tool on the PDF (`after` follows the file name) and return its output."""
    with _pdf_file(pdf) as path:
        done = subprocess.run(
            [tool, *args, str(path), *after], capture_output=True, text=True, check=True
        )
    return done.stdout


def pdf_info(pdf: bytes) -> dict[str, str]:
    """`pdfinfo` as a dict: Pages, Page size, Title and the rest."""
    out = _poppler("pdfinfo", pdf=pdf)
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def page_count(pdf: bytes) -> int:
    """How many pages the PDF has."""
    return int(pdf_info(pdf)["Pages"])


def pdf_text(pdf: bytes, layout: bool = True) -> str:
    """The PDF's text by `pdftotext` (-layout keeps lines and columns); pages end with \\f."""
    options = ["-enc", "UTF-8", *(["-layout"] if layout else [])]
    return _poppler("pdftotext", *options, pdf=pdf, after=["-"])


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """The fonts `pdffonts` lists, to check that every one is embedded."""
    fonts = []
    for line in _poppler("pdffonts", pdf=pdf).splitlines()[2:]:
        # name type… encoding emb sub uni object-number generation: the name may be wider
        # than its column, so the line is read by its words from both ends
        words = line.split()
        if len(words) >= 8:
            fonts.append(PdfFont(words[0], " ".join(words[1:-6]), words[-5] == "yes"))
    return fonts


def pdf_lines(pdf: bytes) -> list[PdfLine]:
    """Every line of text with its box (`pdftotext -bbox-layout`), to check where things sit."""
    import xml.etree.ElementTree as ET

    xhtml = _poppler("pdftotext", "-bbox-layout", "-enc", "UTF-8", pdf=pdf, after=["-"])
    ns = "{http://www.w3.org/1999/xhtml}"
    lines = []
    for number, page in enumerate(ET.fromstring(xhtml).iter(f"{ns}page"), 1):
        width = float(page.get("width"))
        for line in page.iter(f"{ns}line"):
            text = " ".join(w.text or "" for w in line.iter(f"{ns}word"))
            box = (float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            lines.append(PdfLine(number, width, *box, text))
    return lines
