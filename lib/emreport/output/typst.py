"""The report as a typeset PDF: the numbered Document written as Typst source and compiled by
the Typst engine (the `typst` package), beside the HTML page, from the same model.

The page is GB/T 9704-2012 as docs and report.css describe it: A4, top margin 37 mm, binding
margin 28 mm (left on odd pages, right on even ones), text block 156 × 225 mm holding 22 lines
of 28 characters of 16pt 仿宋; title 22pt in the 小标宋 stand-in (Noto Serif CJK SC Bold);
一、 in 黑体, （一） in 楷体; page numbers "— N —" in 14pt 宋体 7 mm below the text block,
right on odd pages and left on even ones, one character in. Figures float to the top or bottom
of a page where they fit (a caption is part of its figure); a table that fits a page is kept
whole, a longer one breaks between rows and repeats its header.

Every text from the data or the analyst enters the source only as a Typst string literal
(`lit`), never as markup, so `#`, `$`, `*`, `]` or `\\` in a name print as they are. Charts go
in as their SVG files beside the source: vector, text drawn with the same fonts.

Fonts come only from FONT_DIRS (the Fandol faces converted at set-up and Debian's Noto CJK);
nothing is looked up on the system or fetched. `Typesetter` keeps one compiler, which loads the
fonts once (about 0.2 s) and then compiles a report in a few hundredths of a second.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

from emreport.compose.document import (
    APPENDIX,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    numbered,
)
from emreport.output.html import cell_text

FONTS_ENV = "EMREPORT_FONT_DIRS"  # folders separated by ':' instead of FONT_DIRS
FONT_DIRS = ("/usr/local/share/fonts/emreport-fandol", "/usr/share/fonts/opentype/noto")

# Faces as Typst names them; every stack ends in a Noto CJK face for rare characters.
FANG = '("FandolFang R", "Noto Serif CJK SC")'
HEI = '("FandolHei", "Noto Sans CJK SC")'
KAI = '("FandolKai", "Noto Serif CJK SC")'
SONG = '("FandolSong", "Noto Serif CJK SC")'
TITLE = '("Noto Serif CJK SC",)'  # Bold: the stand-in for 小标宋

# Line pitch 225 mm / 22 = 28.99pt, drawn at 28.95pt as in report.css; a line's box is its
# 16pt em box, so the leading between boxes is 28.95 - 16. 156 mm / 28 = 15.79pt a character:
# 16pt characters drawn 0.21pt closer; the paragraph indent is two of them.
PREAMBLE = f"""\
#set document(title: TITLE_TEXT)
#set page(
  paper: "a4",
  margin: (top: 37mm, bottom: 35mm, inside: 28mm, outside: 26mm),
  footer-descent: 7mm - 7pt,
  footer: context {{
    let n = here().page()
    set text(font: {SONG}, size: 14pt, tracking: 0pt, top-edge: 0.88em, bottom-edge: -0.12em)
    let mark = "— " + str(n) + " —"
    if calc.odd(n) {{ align(right, pad(right: 14pt, mark)) }}
    else {{ align(left, pad(left: 14pt, mark)) }}
  }},
)
#set text(
  font: {FANG}, size: 16pt, lang: "zh", region: "cn", tracking: -0.21pt,
  cjk-latin-spacing: none, overhang: false, top-edge: 0.88em, bottom-edge: -0.12em,
)
#let lead = 28.95pt - 16pt
#set par(
  justify: true, leading: lead, spacing: lead,
  first-line-indent: (amount: 31.58pt, all: true),
)
#set block(spacing: lead)
#show heading: set text(size: 16pt, weight: "regular")
#show heading: it => block(sticky: true, above: lead, below: lead, par(it.body))
#show heading.where(level: 1): set text(font: {HEI})
#show heading.where(level: 2): set text(font: {KAI})
#show figure: set block(above: lead, below: lead)
#set figure(numbering: none, supplement: none, gap: 4pt)
#set place(clearance: lead)
#show figure.caption: set par(first-line-indent: 0pt, leading: 7pt, justify: false)
#show figure.caption: set text(size: 14pt, tracking: 0pt)
#show figure.where(kind: image): set figure.caption(position: bottom)
#show figure.where(kind: image): set text(font: {KAI})
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.where(kind: table): set text(font: {HEI})
#set table(stroke: 0.5pt, inset: (x: 5pt, y: 3pt))
#set table.cell(breakable: false)
#show table: set text(font: {FANG}, size: 12pt, tracking: 0pt)
#show table: set par(first-line-indent: 0pt, leading: 6pt, justify: false)
#let p(body, label: none) = par({{
  if label != none {{ text(font: {HEI}, label) }}
  body
}})
#let head(body) = table.cell(fill: rgb("#e6e6e6"), align: center + horizon, text(font: {HEI}, body))
#let total(body) = text(font: {HEI}, body)
// A table in a figure, its title the caption on top: kept whole (and in the body floated to
// where it fits) when it fits a page, else breaking between rows with its header repeated.
// `fits`: true or false when known (typst.surely_fits, typst.surely_breaks), so the table is
// not laid out once more to be measured; auto: measured.
#let tablefig(tbl, caption, float: false, fits: auto) = context {{
  let fig(placement) = figure(tbl, kind: table, placement: placement, caption: caption)
  let whole = if fits == auto {{ measure(fig(none), width: 156mm).height <= 225mm - 1pt }} else {{ fits }}
  if whole {{
    fig(if float {{ auto }} else {{ none }})
  }} else {{
    show figure: set block(breakable: true)
    fig(none)
  }}
}}
"""


def lit(text: object) -> str:
    """Any text as a Typst string literal: in the source it can only ever be printed text.
    Backslash and quote are escaped, and every control character is written by its code."""
    out = []
    for ch in str(text):
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class _Writer:
    """One document's source, and the chart files it names."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def figure(self, f: Figure) -> str:
        name = f"fig{len(self.files) + 1}.svg"
        self.files[name] = f.svg
        return f'#figure(image("{name}", width: 100%), placement: auto, caption: {lit(f.caption)})'

    def table(self, t: Table, floats: bool) -> str:
        """A table (see `tablefig` in the preamble): header cells shaded in 黑体, the index
        column left, numbers right, text centred, the 合计 row in 黑体."""
        frame = t.frame
        head = [frame.index.name or ""] + [
            f"{c}（{t.units[c]}）" if t.units.get(c) else str(c) for c in frame.columns
        ]
        table_rows = list(frame.itertuples(index=False, name=None))
        text = [any(isinstance(r[i], str) for r in table_rows) for i in range(len(frame.columns))]
        aligns = ["left"] + ["center" if t else "right" for t in text]
        # text columns as wide as their words (a company's name on one line where it can be),
        # number columns share the rest of the text block's width
        widths = ["auto"] + ["auto" if t else "1fr" for t in text]
        rows, cells_of = [], []
        for label, values in zip(frame.index, table_rows, strict=True):
            cells = [str(label)] + [
                cell_text(v, t.units.get(c, "")) for c, v in zip(frame.columns, values, strict=True)
            ]
            cells_of.append(cells)
            wrap = "total" if str(label) == "合计" else ""
            rows.append(", ".join(f"{wrap}({lit(c)})" if wrap else lit(c) for c in cells))
        body = (
            f"block(width: 100%, table(columns: ({', '.join(widths)},), "
            f"align: ({', '.join(aligns)},),\n"
            f"  table.header({', '.join(f'head({lit(h)})' for h in head)}),\n"
            + "".join(f"  {r},\n" for r in rows)
            + "))"
        )
        fits = (
            ", fits: true"
            if surely_fits(head, cells_of, text, t.title)
            else ", fits: false"
            if surely_breaks(len(cells_of) + 1)
            else ""
        )
        out = f"#tablefig({body}, {lit(t.title)}, float: {'true' if floats else 'false'}{fits})"
        if t.note:
            out += f"\n#par(first-line-indent: 0pt, text(size: 12pt, tracking: 0pt, {lit(t.note)}))"
        return out

    def section(self, s: Section, appendix: bool = False) -> list[str]:
        out = []
        if appendix:
            out.append(
                f"#pagebreak(weak: true)\n#block(below: 14pt, text(font: {HEI}, {lit(s.title)}))"
            )
        elif s.title:
            out.append(f"#heading(level: {min(s.level, 3)}, {lit(s.title)})")
        for b in s.blocks:
            if isinstance(b, Paragraph):
                label = f", label: {lit(b.label)}" if b.label else ""
                out.append(f"#p({lit(b.text)}{label})")
            elif isinstance(b, Figure):
                out.append(self.figure(b))
            elif isinstance(b, Table):
                out.append(self.table(b, floats=not appendix))
            elif isinstance(b, Section):
                out += self.section(b)
        return out


# What `surely_fits` takes from the preamble, in points: the text block; table text 12pt on
# 6pt leading in cells padded 5pt across and 3pt down; captions 14pt on 7pt leading, 4pt above
# the table.
BLOCK_W, BLOCK_H = 156 * 72 / 25.4, 225 * 72 / 25.4
CELL_PT, CELL_LEAD, PAD_X, PAD_Y = 12.0, 6.0, 5.0, 3.0
CAPTION_PT, CAPTION_LEAD, CAPTION_GAP = 14.0, 7.0, 4.0
# Characters counted wider than the faces draw them (in ems; the faces: digits 0.5, Latin
# letters up to 0.87, CJK 1, as a test measures): digits and the marks of numbers, other
# ASCII, everything else.
NUMERAL_EM, ASCII_EM, WIDE_EM = 0.6, 1.0, 1.1
NUMERALS = frozenset("0123456789.,%+-")
SLACK = 10.0  # and the bound kept this far under the limit besides


def _width(text: str, size: float) -> float:
    """An upper bound of the text's width on one line, in points."""
    ems = sum(
        NUMERAL_EM if ch in NUMERALS else ASCII_EM if ord(ch) < 0x80 else WIDE_EM for ch in text
    )
    return ems * size


def _latin_run(text: str) -> int:
    """The longest run of characters that are not CJK (a word or a number: one unit when a
    line breaks)."""
    longest = run = 0
    for ch in text:
        run = 0 if ord(ch) >= 0x2E80 else run + 1
        longest = max(longest, run)
    return longest


def surely_fits(head: list[str], rows: list[list[str]], text: list[bool], caption: str) -> bool:
    """Whether a table's figure (see `_Writer.table`) is certainly shorter than the text block,
    by an upper bound of its height; False when the bound cannot tell (Typst then measures).
    Index and text columns are `auto`: while their widest cells, counted generously, leave room
    for the number columns, each of their cells is one line. Number columns (`1fr`) share the
    rest: a cell wider than that wraps, each line holding at least its width in characters less
    the longest unbreakable run and a closing mark. A row is as tall as its tallest cell; the
    caption may take one line more than its width needs. Tables in the sample are far from the
    limit; a long one is measured as before, so the page comes out the same either way."""
    char = CELL_PT * WIDE_EM
    table = [head, *rows]
    if any("\n" in c for row in table for c in row):
        return False
    autos = [True] + [bool(x) for x in text]
    auto_w = sum(
        max(_width(row[i], CELL_PT) for row in table) + 2 * PAD_X + 1
        for i, auto in enumerate(autos)
        if auto
    )
    if auto_w > BLOCK_W:  # Typst would narrow the auto columns: their cells could wrap
        return False
    frs = autos.count(False)
    inner = (BLOCK_W - auto_w) / frs - 2 * PAD_X - 1 if frs else BLOCK_W
    per_line = int(inner // char)
    height = 0.0
    for row in table:
        tallest = 1
        for i, cell in enumerate(row):
            if autos[i] or _width(cell, CELL_PT) <= inner:
                continue
            room = per_line - _latin_run(cell) - 1
            if room < 1:
                return False
            tallest = max(tallest, -(-len(cell) // room) + 1)
        height += tallest * (CELL_PT + CELL_LEAD) - CELL_LEAD + 2 * PAD_Y + 1
    lines = -(-int(_width(caption, CAPTION_PT)) // int(BLOCK_W)) + 1
    height += lines * (CAPTION_PT + CAPTION_LEAD) + CAPTION_GAP
    return height <= BLOCK_H - 1 - SLACK


def surely_breaks(rows: int) -> bool:
    """Whether a table of this many rows, its header one of them, is certainly taller than the
    text block, by a lower bound of its height: every row at least one line of table text
    between its cell padding, the caption one line. Such a table breaks between rows without
    being laid out once more to be measured; the page comes out the same either way."""
    height = rows * (CELL_PT + 2 * PAD_Y) + CAPTION_PT + CAPTION_GAP
    return height > BLOCK_H - 1 + SLACK


def title(doc: Document) -> str:
    unit, _, rest = doc.title.partition("应急管理局")
    lines = [f"{unit}应急管理局", rest] if rest else [doc.title]
    return (
        f"#align(center, block(below: 28.95pt + lead, text(font: {TITLE}, size: 22pt, "
        f'weight: "bold", tracking: 0pt, par(first-line-indent: 0pt, leading: 14pt, '
        f"{' + linebreak() + '.join(lit(x) for x in lines)}))))"
    )


def signoff(doc: Document) -> str:
    """署名 two characters in from the right, a blank line below the body; 成文日期 four in."""
    lines = [f"h(1fr) + {lit(doc.signature)} + h(32pt)"]
    if doc.date:
        lines.append(f"h(1fr) + {lit(doc.date)} + h(64pt)")
    return (
        "#block(above: 28.95pt + lead, breakable: false, { "
        "set par(first-line-indent: 0pt, justify: false); "
        + "; ".join(f"par({x})" for x in lines)
        + " })"
    )


def source(doc: Document) -> tuple[str, dict[str, bytes]]:
    """The Typst source of the report and the files it names (the charts, by name)."""
    doc = numbered(doc)
    w = _Writer()
    parts = [PREAMBLE.replace("TITLE_TEXT", lit(doc.title)), title(doc)]
    for s in doc.sections:
        if s.key != APPENDIX:
            parts += w.section(s)
    parts.append(signoff(doc))
    for s in doc.sections:
        if s.key == APPENDIX:
            parts += w.section(s, appendix=True)
    return "\n".join(parts) + "\n", w.files


def font_dirs() -> list[str]:
    """The folders fonts are taken from: EMREPORT_FONT_DIRS, else FONT_DIRS."""
    given = os.environ.get(FONTS_ENV, "")
    return [d for d in (given.split(":") if given else FONT_DIRS) if Path(d).is_dir()]


PNG_PPI = 150  # report.docx's chart pictures: 921 pixels across the text block
EVICT_AFTER = 10  # compiles a memoised result outlives its last use (typst-py's comemo::evict)


class TypstError(RuntimeError):
    """The engine refused the source (a bug here, not in the data: every text is a literal)."""


class Typesetter:
    """Typst compilers kept warm: fonts loaded once, then one report after another. Safe to
    share between threads: each compile takes a compiler no other thread is using (made
    when none is free, in a third of a millisecond, on the same loaded fonts), so the
    reports a worker finishes at once are typeset at once, each on a core of its own."""

    def __init__(self, fonts: list[str] | None = None) -> None:
        import typst

        self._typst = typst
        self._fonts = typst.Fonts(
            include_system_fonts=False,
            include_embedded_fonts=True,
            font_paths=fonts if fonts is not None else font_dirs(),
        )
        self._idle = [self._new()]
        self._lock = threading.Lock()

    def _new(self):
        return self._typst.Compiler(font_paths=self._fonts, ignore_system_fonts=True)

    @contextmanager
    def _compiler(self):
        """A compiler for this thread alone (a Typst compiler is used by one thread at a
        time), back among the free ones afterwards."""
        with self._lock:
            compiler = self._idle.pop() if self._idle else None
        if compiler is None:
            compiler = self._new()
        try:
            yield compiler
        finally:
            with self._lock:
                self._idle.append(compiler)

    def compile(self, src: str, files: dict[str, bytes]) -> bytes:
        """The PDF of a source and its files."""
        with self._compiler() as compiler:
            try:
                return compiler.compile(input={"main.typ": src.encode("utf-8"), **files})
            except self._typst.TypstError as e:
                raise TypstError(f"Typst 排版失败：{e}") from None
            finally:
                self._forget(compiler)

    @staticmethod
    def _forget(compiler) -> None:
        """Drop what the engine memoised for the compiles before. It keeps every result for
        ten more compiles (typst-py evicts older ones after each, from one cache that all
        compilers share), and one report's results are of little use to the next, which
        shapes other text and other tables: kept, they held about 150 MB (260 MB on the
        benchmark's large districts) and made each lookup slower. Ten compiles of an empty
        source, a millisecond in all, age them out."""
        for _ in range(EVICT_AFTER):
            compiler.compile(input={"main.typ": b""})

    def pdf(self, doc: Document) -> bytes:
        """The PDF of one report."""
        return self.compile(*source(doc))

    def pngs(self, svgs: list[bytes], ppi: float = PNG_PPI) -> list[bytes]:
        """Each chart as a PNG at its own size, `ppi` pixels an inch, text in the same faces
        as the PDF: one page per chart, in one compile (report.docx's pictures for word
        processors that show no SVG)."""
        if not svgs:
            return []
        files = {f"c{i}.svg": svg for i, svg in enumerate(svgs)}
        src = "#set page(width: auto, height: auto, margin: 0pt, fill: white)\n" + (
            "\n#pagebreak()\n".join(f'#image("c{i}.svg")' for i in range(len(svgs)))
        )
        with self._compiler() as compiler:
            try:
                out = compiler.compile(
                    input={"main.typ": src.encode("utf-8"), **files}, format="png", ppi=ppi
                )
            except self._typst.TypstError as e:
                raise TypstError(f"Typst 绘制图表失败：{e}") from None
        return out if isinstance(out, list) else [out]

    def submit(self, src: str, files: dict[str, bytes]) -> Future[bytes]:
        """The PDF as a finished future, as the worker asks a printer for one."""
        done: Future[bytes] = Future()
        try:
            done.set_result(self.compile(src, files))
        except Exception as e:  # noqa: BLE001 - handed to whoever waits for the PDF
            done.set_exception(e)
        return done

    def alive(self) -> bool:
        """A typesetter holds no process: it can always typeset."""
        return True

    def close(self) -> None:
        """Nothing to release: the fonts go with the process."""


_shared: Typesetter | None = None
_shared_lock = threading.Lock()


def typesetter() -> Typesetter:
    """The process's one typesetter, made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Typesetter()
        return _shared


def pdf(doc: Document) -> bytes:
    """The report's PDF, typeset with the process's typesetter."""
    return typesetter().pdf(doc)
