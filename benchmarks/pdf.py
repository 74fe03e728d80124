"""PDF printing benchmark: `.venv/bin/python benchmarks/pdf.py` (`--n 10` reports per engine).

Prints the sample report (tests/fixtures/report_sample.html with report.css inlined) N times with
each printer of emreport.output.pdf and shows, per engine: set-up time (WeasyPrint: import and font
configuration; Chromium: browser launch), seconds for the first report and the steady-state
median of the rest, pages, PDF size, the fonts pdffonts lists (type, and whether all are
embedded), and how many full body lines stop short of the right edge of the text block (a ragged
right edge: the engine did not justify the Chinese text). Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "report_sample.html"
CSS = ROOT / "lib" / "emreport" / "output" / "templates" / "report.css"
PLACEHOLDER = "/* report.css inlined here */"
MM = 72 / 25.4
SHORT_PT = 3.0  # a full line ending further than this before the text block's edge is ragged


@dataclass
class Row:
    """One engine's figures."""

    engine: str
    setup: float
    times: list[float]
    pdf: bytes

    @property
    def steady(self) -> float:
        return statistics.median(self.times[1:]) if len(self.times) > 1 else self.times[0]


def report_html() -> str:
    """The sample report as the renderer writes it: the stylesheet inlined."""
    return FIXTURE.read_text(encoding="utf-8").replace(PLACEHOLDER, CSS.read_text(encoding="utf-8"))


def timed(print_pdf: Callable[[str], bytes], html: str, n: int) -> tuple[list[float], bytes]:
    """Seconds per report over n prints, and the last PDF."""
    times, pdf = [], b""
    for _ in range(n):
        started = time.perf_counter()
        pdf = print_pdf(html)
        times.append(time.perf_counter() - started)
    return times, pdf


def weasyprint_row(html: str, n: int) -> Row:
    """WeasyPrint with one printer (one font configuration) for all n reports."""
    started = time.perf_counter()
    from emreport.output.pdf import WeasyPrinter

    printer = WeasyPrinter()
    setup = time.perf_counter() - started
    times, pdf = timed(printer.print_pdf, html, n)
    return Row("WeasyPrint", setup, times, pdf)


def weasyprint_fresh_row(html: str, n: int) -> Row:
    """WeasyPrint with a new printer per report: what reusing the font configuration saves."""
    from emreport.output.pdf import WeasyPrinter

    times, pdf = timed(lambda page: WeasyPrinter().print_pdf(page), html, n)
    return Row("WeasyPrint, new printer each", 0.0, times, pdf)


def chromium_row(html: str, n: int) -> Row:
    """Chromium launched once, n reports, then closed (closing time added to set-up)."""
    from emreport.output.pdf import ChromiumPrinter

    started = time.perf_counter()
    printer = ChromiumPrinter()
    printer.start()
    setup = time.perf_counter() - started
    try:
        times, pdf = timed(printer.print_pdf, html, n)
    finally:
        closing = time.perf_counter()
        printer.close()
        print(f"Chromium: launch {setup:.2f} s, close {time.perf_counter() - closing:.2f} s")
    return Row("Chromium", setup, times, pdf)


def fonts_summary(pdf: bytes) -> str:
    """'5 × CID Type 0C (OT), all embedded' and the like."""
    from emreport.output.pdf import pdf_fonts

    fonts = pdf_fonts(pdf)
    kinds = sorted({f.type for f in fonts})
    embedded = "all embedded" if all(f.embedded for f in fonts) else "NOT all embedded"
    return f"{len(fonts)} × {'/'.join(kinds)}, {embedded}"


def short_lines(pdf: bytes) -> tuple[int, int]:
    """(ragged, full): body lines followed by a line at the left edge (so not a paragraph's
    last) that stop short of the right edge, on the pages before the appendix."""
    from emreport.output.pdf import pdf_lines

    ragged = full = 0
    lines = pdf_lines(pdf)
    appendix = min((ln.page for ln in lines if ln.text == "附表"), default=10**6)
    for cur, nxt in zip(lines, lines[1:], strict=False):
        if cur.page >= appendix or nxt.page != cur.page:
            continue
        odd = cur.page % 2
        left = (28 if odd else 26) * MM
        right = cur.page_width - (26 if odd else 28) * MM
        if abs(nxt.x0 - left) < 1.5 and 27 < nxt.y0 - cur.y0 < 31:
            full += 1
            ragged += right - cur.x1 > SHORT_PT
    return ragged, full


def chromium_version() -> str:
    """What the printer will launch, as the browser reports it."""
    from emreport.output.pdf import chromium_path

    done = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def table(rows: list[Row], n: int) -> None:
    """The figures, one line per engine."""
    from emreport.output.pdf import page_count

    print(f"\nsample report ×{n}; {chromium_version()}; python {sys.version.split()[0]}\n")
    head = (
        f"{'engine':<29}{'set-up s':>9}{'first s':>9}{'steady s':>9}{'total s':>9}"
        f"{'pages':>6}{'size KB':>9}  {'ragged lines':<14}fonts"
    )
    print(head)
    print("-" * (len(head) + 30))
    for r in rows:
        ragged, full = short_lines(r.pdf)
        print(
            f"{r.engine:<29}{r.setup:>9.2f}{r.times[0]:>9.2f}{r.steady:>9.2f}"
            f"{r.setup + sum(r.times):>9.2f}{page_count(r.pdf):>6}{len(r.pdf) / 1024:>9.0f}  "
            f"{f'{ragged}/{full}':<14}{fonts_summary(r.pdf)}"
        )
    print(
        f"\nsteady = median of reports 2..N; ragged lines = full body lines ending more than "
        f"{SHORT_PT:g}pt before the text block's right edge."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="reports per engine (default 10)")
    parser.add_argument(
        "--no-fresh", action="store_true", help="skip WeasyPrint with a new printer per report"
    )
    args = parser.parse_args(argv)
    html = report_html()
    rows = [weasyprint_row(html, args.n)]
    if not args.no_fresh:
        rows.append(weasyprint_fresh_row(html, args.n))
    rows.append(chromium_row(html, args.n))
    table(rows, args.n)


if __name__ == "__main__":
    main()
