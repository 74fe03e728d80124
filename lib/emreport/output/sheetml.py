"""The parts of an xlsx file (SpreadsheetML) written as text: fast, and exactly as openpyxl
writes them, so that a file reads back the same as one openpyxl made cell by cell.

openpyxl builds an object per cell and hashes every style on every assignment; for the few
small, regular sheets of report.xlsx that cost most of the time a report's files take. Here a
sheet is a list of rows of (value, format index), and a `Styles` numbers fonts, fills, borders,
number formats and cell formats in the order of first use, as openpyxl does. Fonts, fills,
borders and alignments stay openpyxl objects (`Look`), serialised once by openpyxl itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.styles.fills import DEFAULT_EMPTY_FILL, DEFAULT_GRAY_FILL
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_TYPE = "application/vnd.openxmlformats-officedocument"
FIRST_CUSTOM_FORMAT = 164
AUTO_DATE_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd"}  # openpyxl's own
MARGINS = '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
EMPTY_HEADERS = (
    "<oddHeader></oddHeader>{}<evenHeader></evenHeader><evenFooter></evenFooter>"
    "<firstHeader></firstHeader><firstFooter></firstFooter>"
)


# --- escaping ---------------------------------------------------------------------------------


def text(s: str) -> str:
    """Character data as lxml writes it."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def attr(s: str) -> str:
    """An attribute value as lxml writes it."""
    return text(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def number(v: float) -> str:
    """A number as openpyxl writes it (`safe_string`)."""
    return f"{v:.16g}" if math.isfinite(v) else ""


# --- styles -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Look:
    """How a kind of cell looks, apart from its number format. Compared by identity: hashing
    openpyxl's style objects is slow, and looks alike give the same cell format anyway."""

    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    alignment: Alignment | None = None


@cache
def _xml(obj: object) -> str:
    return tostring(obj.to_tree()).decode()


class _Numbered(dict):
    """Items numbered in the order they are first asked for."""

    def __init__(self, first: Sequence = ()):
        super().__init__((item, i) for i, item in enumerate(first))

    def number(self, item) -> int:
        n = self.get(item)
        if n is None:
            n = self[item] = len(self)
        return n


@dataclass
class Styles:
    """The workbook's styles.xml, numbered as openpyxl numbers it."""

    fonts: _Numbered = field(default_factory=lambda: _Numbered([_xml(DEFAULT_FONT)]))
    fills: _Numbered = field(
        default_factory=lambda: _Numbered([_xml(DEFAULT_EMPTY_FILL), _xml(DEFAULT_GRAY_FILL)])
    )
    borders: _Numbered = field(default_factory=lambda: _Numbered([_xml(DEFAULT_BORDER)]))
    formats: _Numbered = field(default_factory=_Numbered)
    xfs: _Numbered = field(default_factory=lambda: _Numbered([(0, 0, 0, 0, "")]))
    _known: dict = field(default_factory=dict)

    def format_id(self, code: str) -> int:
        builtin = BUILTIN_FORMATS_REVERSE.get(code)
        return builtin if builtin is not None else FIRST_CUSTOM_FORMAT + self.formats.number(code)

    def xf(self, look: Look, number_format: str = "General") -> int:
        """The index of the cell format; 0, the default, means an unstyled cell."""
        key = (look, number_format)
        xf = self._known.get(key)
        if xf is None:
            xf = self._known[key] = self.xfs.number(
                (
                    self.format_id(number_format),
                    0 if look.font is None else self.fonts.number(_xml(look.font)),
                    0 if look.fill is None else self.fills.number(_xml(look.fill)),
                    0 if look.border is None else self.borders.number(_xml(look.border)),
                    "" if look.alignment is None else _xml(look.alignment),
                )
            )
        return xf

    def date_seen(self, value: date) -> None:
        """openpyxl gives a date cell its own format first, which then stays in the file."""
        self.format_id(AUTO_DATE_FORMATS[datetime if isinstance(value, datetime) else date])

    def xml(self) -> bytes:
        formats = "".join(
            f'<numFmt numFmtId="{FIRST_CUSTOM_FORMAT + i}" formatCode="{attr(code)}"/>'
            for code, i in self.formats.items()
        )
        formats = f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
        if not self.formats:
            formats = '<numFmts count="0"/>'
        xfs = []
        for fmt, font, fill, border, alignment in self.xfs:
            head = f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
            tail = ' pivotButton="0" quotePrefix="0" xfId="0"'
            if alignment:
                xfs.append(f'{head} applyAlignment="1"{tail}>{alignment}</xf>')
            else:
                xfs.append(f"{head}{tail}/>")
        return (
            f'<styleSheet xmlns="{MAIN}">{formats}'
            f'<fonts count="{len(self.fonts)}">{"".join(self.fonts)}</fonts>'
            f'<fills count="{len(self.fills)}">{"".join(self.fills)}</fills>'
            f'<borders count="{len(self.borders)}">{"".join(self.borders)}</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/>'
            '</cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            f'defaultPivotStyle="PivotStyleLight16"/><colors><indexedColors>{_indexed()}'
            "</indexedColors></colors></styleSheet>"
        ).encode()


@cache
def _indexed() -> str:
    return "".join(f'<rgbColor rgb="{c}"/>' for c in COLOR_INDEX[:64])


# --- sheets -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet: rows of (value, cell format) from A1 down, and how it shows and prints.

    A value is None, text, a number or a date; None with format 0 leaves the cell out."""

    name: str
    rows: list[list[tuple[object, int]]]
    ncols: int
    widths: Sequence[float] = ()
    heights: dict[int, float] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows, columns
    frozen: str = ""  # the top-left cell of the scrolling pane: "B3" or "A3"
    landscape: bool | None = None  # None: no page set-up at all
    footer: str = ""  # the centre of the footer, in Excel's &P/&N codes
    print_titles: str = ""  # rows repeated on every printed page, such as "$1:$2"

    def xml(self) -> bytes:
        fit = '<pageSetUpPr fitToPage="1"/>' if self.landscape is not None else "<pageSetUpPr/>"
        last = f"{get_column_letter(max(self.ncols, 1))}{max(len(self.rows), 1)}"
        cols = "".join(
            f'<col width="{number(w)}" customWidth="1" min="{i}" max="{i}"/>'
            for i, w in enumerate(self.widths, start=1)
        )
        out = [
            f'<worksheet xmlns="{MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
            f'{fit}</sheetPr><dimension ref="A1:{last}"/><sheetViews>'
            f'<sheetView workbookViewId="0">{_pane(self.frozen)}</sheetView></sheetViews>'
            '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>',
            f"<cols>{cols}</cols><sheetData>" if cols else "<sheetData>",
        ]
        letters = [get_column_letter(c) for c in range(1, self.ncols + 1)]
        for r, cells in enumerate(self.rows, start=1):
            height = self.heights.get(r)
            out.append(
                f'<row r="{r}" ht="{number(height)}" customHeight="1">'
                if height
                else f'<row r="{r}">'
            )
            out.extend(_cell(f"{letters[c]}{r}", v, s) for c, (v, s) in enumerate(cells))
            out.append("</row>")
        out.append("</sheetData>")
        if self.merged:  # in openpyxl's order, that of a set of (row, column, row, column)
            refs = "".join(
                f'<mergeCell ref="{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"/>'
                for r1, c1, r2, c2 in set(self.merged)
            )
            out.append(f'<mergeCells count="{len(self.merged)}">{refs}</mergeCells>')
        if self.landscape is None:
            out.append(MARGINS)
        else:
            orientation = "landscape" if self.landscape else "portrait"
            footer = f"<oddFooter>&amp;C{text(self.footer)}</oddFooter>" if self.footer else ""
            out.append(
                f'<printOptions horizontalCentered="1"/>{MARGINS}<pageSetup orientation='
                f'"{orientation}" paperSize="9" fitToHeight="0" fitToWidth="1"/>'
                f"<headerFooter>{EMPTY_HEADERS.format(footer)}</headerFooter>"
            )
        out.append("</worksheet>")
        return "".join(out).encode("ascii", "xmlcharrefreplace")


def _pane(frozen: str) -> str:
    if frozen == "A3":
        return (
            '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/>'
        )
    if frozen == "B3":
        return (
            '<pane xSplit="1" ySplit="2" topLeftCell="B3" activePane="bottomRight" state="frozen"/>'
            '<selection pane="topRight"/><selection pane="bottomLeft"/>'
            '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>'
        )
    if frozen:
        raise ValueError(f"unsupported frozen pane {frozen}")
    return '<selection activeCell="A1" sqref="A1"/>'


def _cell(ref: str, value: object, xf: int) -> str:
    s = f' s="{xf}"' if xf else ""
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}"{s} t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text(value)}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{s} t="n"></c>' if xf else ""
    if isinstance(value, date):
        value = to_excel(value)
    return f'<c r="{ref}"{s} t="n"><v>{number(value)}</v></c>'


# --- the package ------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def workbook_xml(sheets: Sequence[Sheet]) -> bytes:
    names = "".join(
        f'<sheet xmlns:r="{REL}" name="{attr(s.name)}" sheetId="{i}" state="visible" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    defined = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{text(_quoted(s.name))}!{s.print_titles}</definedName>"
        for i, s in enumerate(sheets)
        if s.print_titles
    )
    return (
        f'<workbook xmlns="{MAIN}"><workbookPr/><workbookProtection/><bookViews>'
        '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" '
        'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" '
        f'autoFilterDateGrouping="1"/></bookViews><sheets>{names}</sheets>'
        f"{f'<definedNames>{defined}</definedNames>' if defined else '<definedNames/>'}"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    ).encode()


def _rel(rid: int, kind: str, target: str) -> str:
    return f'<Relationship Type="{kind}" Target="{target}" Id="rId{rid}"/>'


def _rels(items: list[str]) -> bytes:
    return f'<Relationships xmlns="{PKG_REL}">{"".join(items)}</Relationships>'.encode()


def _override(part: str, kind: str) -> str:
    return f'<Override PartName="{part}" ContentType="{kind}"/>'


def content_types(nsheets: int) -> bytes:
    sheets = "".join(
        _override(f"/xl/worksheets/sheet{i}.xml", f"{OFFICE_TYPE}.spreadsheetml.worksheet+xml")
        for i in range(1, nsheets + 1)
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + _override("/xl/styles.xml", f"{OFFICE_TYPE}.spreadsheetml.styles+xml")
        + _override("/xl/theme/theme1.xml", f"{OFFICE_TYPE}.theme+xml")
        + _override(
            "/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"
        )
        + _override("/docProps/app.xml", f"{OFFICE_TYPE}.extended-properties+xml")
        + sheets
        + _override("/xl/workbook.xml", f"{OFFICE_TYPE}.spreadsheetml.sheet.main+xml")
        + "</Types>"
    ).encode()


def _dc(tag: str, value: str) -> str:
    """A Dublin Core element; openpyxl keeps surrounding spaces of a text that has others."""
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and value != stripped else ""
    return f'<dc:{tag} xmlns:dc="http://purl.org/dc/elements/1.1/"{space}>{text(value)}</dc:{tag}>'


def core_xml(title: str, creator: str, stamp: datetime) -> bytes:
    """Title, author and the created and modified time (UTC, without a zone)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    when = (
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
        'XMLSchema-instance" xsi:type="dcterms:W3CDTF"'
    )
    return (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        f'core-properties">{_dc("creator", creator)}{_dc("title", title)}'
        f"<dcterms:created {when}>{iso}</dcterms:created>"
        f"<dcterms:modified {when}>{iso}</dcterms:modified></cp:coreProperties>"
    ).encode()


def package(
    sheets: Sequence[Sheet],
    styles: Styles,
    *,
    title: str,
    creator: str,
    application: str,
    stamp: datetime,
) -> list[tuple[str, bytes]]:
    """Every part of the file, in the order openpyxl stores them."""
    app = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        f'properties"><Application>{text(application)}</Application><AppVersion>3.1'
        "</AppVersion></Properties>"
    ).encode()
    n = len(sheets)
    return [
        ("docProps/app.xml", app),
        ("docProps/core.xml", core_xml(title, creator, stamp)),
        ("xl/theme/theme1.xml", theme_xml.encode() if isinstance(theme_xml, str) else theme_xml),
        *((f"xl/worksheets/sheet{i}.xml", s.xml()) for i, s in enumerate(sheets, start=1)),
        ("xl/styles.xml", styles.xml()),
        (
            "_rels/.rels",
            _rels(
                [
                    _rel(1, f"{REL}/officeDocument", "xl/workbook.xml"),
                    _rel(2, f"{PKG_REL}/metadata/core-properties", "docProps/core.xml"),
                    _rel(3, f"{REL}/extended-properties", "docProps/app.xml"),
                ]
            ),
        ),
        ("xl/workbook.xml", workbook_xml(sheets)),
        (
            "xl/_rels/workbook.xml.rels",
            _rels(
                [
                    _rel(i, f"{REL}/worksheet", f"/xl/worksheets/sheet{i}.xml")
                    for i in range(1, n + 1)
                ]
                + [
                    _rel(n + 1, f"{REL}/styles", "styles.xml"),
                    _rel(n + 2, f"{REL}/theme", "theme/theme1.xml"),
                ]
            ),
        ),
        ("[Content_Types].xml", content_types(n)),
    ]
