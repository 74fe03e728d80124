"""PDF engines on the sample reports: `.venv/bin/python benchmarks/pdf.py`.

Typst typesets each report from its Document (built from a store ingested from data/sample);
Chromium and WeasyPrint print the report.html the runner wrote for the same report (`--html`, a
folder of `emreport run` outputs of that store: <period>/<code>/report.html; by default the
benchmark ingests data/sample and runs the 18 sample reports into a temporary folder first). Every engine is warmed with one
report first (Typst: fonts loaded; Chromium: browser launched; WeasyPrint: font configuration),
then prints every report once. Per engine the table shows: median and total seconds a report
(warm), set-up seconds, body lines that end short (full lines, not a paragraph's last, ending
more than SHORT_PT before the text block's edge), body pages but the last with a quarter or more
of the text block empty at the bottom, the fonts pdffonts lists (kinds; unnamed or Type 3 ones;
all embedded?), pages and the mean file size. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MM = 72 / 25.4
SHORT_PT = 3.0  # a full line ending further than this before the text block's edge is short
TOP, BLOCK = 37 * MM, 225 * MM  # the text block's top and height
EMPTY = 0.25  # a page whose bottom quarter of the text block is empty


@dataclass
class Quality:
    """What the pages of one PDF show."""

    short: int = 0
    full: int = 0
    empty_pages: list[int] = field(default_factory=list)
    body_pages: int = 0
    sizes: list[float] = field(default_factory=list)  # the body lines' heights


@dataclass
class Row:
    """One engine's figures over every report."""

    engine: str
    setup: float = 0.0
    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    pages: int = 0
    short: int = 0
    full: int = 0
    empty: list[str] = field(default_factory=list)
    body_pages: int = 0
    font_kinds: set[str] = field(default_factory=set)
    fonts: int = 0
    unnamed: int = 0
    not_embedded: int = 0
    body_size: list[float] = field(default_factory=list)


def visual_lines(pdf: bytes) -> list:
    """The PDF's lines as a reader sees them: poppler may cut one line of text into several
    (Chromium's pages always), so pieces on the same page and baseline are joined."""
    from dataclasses import replace

    from emreport.output.pdfread import pdf_lines

    out = []
    for ln in sorted(pdf_lines(pdf), key=lambda ln: (ln.page, round(ln.y1), ln.x0)):
        last = out[-1] if out else None
        if last and last.page == ln.page and abs(last.y1 - ln.y1) < 1.5:
            text = last.text + ln.text
            out[-1] = replace(last, x0=min(last.x0, ln.x0), x1=max(last.x1, ln.x1), text=text)
        else:
            out.append(ln)
    return out


def quality(pdf: bytes) -> Quality:
    """Short lines and under-filled pages of the body (the pages before 附表)."""
    q = Quality()
    lines = visual_lines(pdf)
    appendix = min((ln.page for ln in lines if ln.text == "附表"), default=10**6)
    body = [ln for ln in lines if ln.page < appendix and ln.y0 < TOP + BLOCK]  # no page numbers
    for cur, nxt in zip(body, body[1:], strict=False):
        if nxt.page != cur.page:
            continue
        odd = cur.page % 2
        left = (28 if odd else 26) * MM
        right = cur.page_width - (26 if odd else 28) * MM
        body_line = cur.x0 - left < 40  # not a caption, a heading centred or the sign-off
        if body_line and abs(nxt.x0 - left) < 1.5 and 20 < nxt.y0 - cur.y0 < 31:
            q.full += 1
            q.short += right - cur.x1 > SHORT_PT
    q.sizes = [ln.y1 - ln.y0 for ln in body]
    pages = sorted({ln.page for ln in body})
    q.body_pages = len(pages)
    for page in pages[:-1]:  # the last body page ends where the text ends
        bottom = max(ln.y1 for ln in body if ln.page == page)
        if (TOP + BLOCK - bottom) / BLOCK >= EMPTY:
            q.empty_pages.append(page)
    return q


def account(row: Row, name: str, pdf: bytes, seconds: float) -> None:
    """Add one report's PDF to its engine's row."""
    from emreport.output.pdfread import page_count, pdf_fonts

    row.times.append(seconds)
    row.sizes.append(len(pdf))
    row.pages += page_count(pdf)
    q = quality(pdf)
    row.short += q.short
    row.full += q.full
    row.body_pages += q.body_pages
    row.empty += [f"{name} p{p}" for p in q.empty_pages]
    row.body_size.append(statistics.median(q.sizes))
    for f in pdf_fonts(pdf):
        row.fonts += 1
        row.font_kinds.add(f.type)
        row.unnamed += f.type == "Type 3" or f.name in ("", "[none]")
        row.not_embedded += not f.embedded


def run(engine: str, make: Callable[[], Callable[[object], bytes]], jobs: list) -> Row:
    """Set the engine up, warm it with the first report, then time every report once."""
    row = Row(engine)
    started = time.perf_counter()
    print_one = make()
    print_one(jobs[0][1])
    row.setup = time.perf_counter() - started
    for name, what in jobs:
        started = time.perf_counter()
        pdf = print_one(what)
        account(row, name, pdf, time.perf_counter() - started)
    return row


def reports(html_dir: Path) -> list[tuple[str, str, Path]]:
    """(period, code, report.html) of every report in an outputs folder."""
    return sorted(
        (p.parent.parent.name, p.parent.name, p) for p in html_dir.glob("*/*/report.html")
    )


def documents(store: Path, found: list[tuple[str, str, Path]]) -> list:
    """The Document of every report, composed as the notebook composes it."""
    from emreport import report

    return [
        (f"{period}/{code}", report.build(code, period, store=store).document)
        for period, code, _ in found
    ]


def sample_store(folder: Path) -> Path:
    """data/sample ingested into a new store."""
    from emreport.data.ingest import ingest

    store = folder / "emreport.duckdb"
    ingest(ROOT / "data" / "sample", store)
    return store


def sample_outputs(store: Path, folder: Path) -> Path:
    """The 18 sample reports made by `emreport run` (for their report.html)."""
    import subprocess

    out = folder / "outputs"
    cli = [sys.executable, "-m", "emreport.cli", "run", "--period", "2025-H1", "2025"]
    cli += ["--district", "all", "--store", str(store), "--outputs", str(out)]
    subprocess.run(cli, check=True, capture_output=True)
    return out


def table(rows: list[Row], n: int) -> None:
    head = (
        f"{'engine':<11}{'median s':>9}{'total s':>8}{'set-up s':>9}{'short lines':>13}"
        f"{'empty ≥¼':>9}{'body pt':>8}{'pages':>6}{'KB/report':>10}  fonts"
    )
    print(f"\n{n} sample reports, warm; python {sys.version.split()[0]}\n")
    print(head)
    print("-" * (len(head) + 40))
    for r in rows:
        fonts = f"{r.fonts} ({'/'.join(sorted(r.font_kinds))}); {r.unnamed} unnamed or Type 3; " + (
            "all embedded" if not r.not_embedded else f"{r.not_embedded} NOT embedded"
        )
        print(
            f"{r.engine:<11}{statistics.median(r.times):>9.3f}{sum(r.times):>8.2f}"
            f"{r.setup:>9.2f}{f'{r.short}/{r.full}':>13}"
            f"{f'{len(r.empty)}/{r.body_pages - n}':>9}"
            f"{statistics.median(r.body_size):>8.1f}{r.pages:>6}"
            f"{statistics.mean(r.sizes) / 1024:>10.0f}  {fonts}"
        )
    for r in rows:
        if r.empty:
            print(f"{r.engine}: pages with the bottom quarter empty: {', '.join(r.empty)}")
    print(
        f"\nshort lines = full body lines ending more than {SHORT_PT:g}pt before the text "
        "block's edge / all full body lines; empty ≥¼ = body pages but each report's last "
        "whose bottom quarter of the text block holds nothing / all such pages; body pt = the "
        "median height of a body line's text box (16pt characters: 16)."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="emreport run outputs (default: run them)")
    parser.add_argument("--store", type=Path, help="store of data/sample (default: ingest anew)")
    parser.add_argument("--engines", default="typst,chromium,weasyprint")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or sample_store(Path(tmp))
        found = reports(args.html or sample_outputs(store, Path(tmp)))
        if not found:
            raise SystemExit(f"{args.html} 中没有 report.html：请先运行 emreport run")
        if "typst" in engines:
            docs = documents(store, found)

            def typst():
                from emreport.output.typst import Typesetter

                return Typesetter().pdf

            rows.append(run("Typst", typst, docs))
        pages = [(f"{period}/{code}", html.read_text("utf-8")) for period, code, html in found]
        if "chromium" in engines:
            from emreport.output.pdf import ChromiumPrinter

            printer = ChromiumPrinter()
            try:
                rows.append(run("Chromium", lambda: (printer.start(), printer.print_pdf)[1], pages))
            finally:
                printer.close()
        if "weasyprint" in engines:
            from emreport.output.pdf import WeasyPrinter

            rows.append(run("WeasyPrint", lambda: WeasyPrinter().print_pdf, pages))
    table(rows, len(found))


if __name__ == "__main__":
    main()
