"""The report as an editable Word document (report.docx) in 公文 format, from the same numbered
Document as the page and the PDF, for the 科室 to edit in WPS or Word.

The page is the PDF's (typst.py): A4, top margin 37 mm, bottom 35 mm, binding margin 28 mm
mirrored (left on odd pages, right on even ones), the 22 × 28 document grid of 16pt 仿宋
(`w:docGrid`, lines 28.95pt apart, characters 15.79pt apart), paragraphs indented two
characters; the title 22pt centred in 小标宋, 一、 in 黑体 and （一） in 楷体 as Word's built-in
heading styles (so the navigation pane and a table of contents find them), page numbers
"— N —" in 14pt 宋体 as a PAGE field, right on odd pages and left on even ones, one character in.
Tables are Word tables whose header row repeats on every page; charts are pictures, the SVG
(Word 2016 and later) with a PNG that WPS and LibreOffice show, drawn by Typst in the PDF's
faces.

Faces are named as Chinese Windows and WPS name them (仿宋, 黑体, 楷体, 宋体, 方正小标宋简体);
every style and every run names them for all scripts, `w:eastAsia` included, and no theme font
is referred to anywhere (python-docx's own template would send Chinese to a Japanese face). On
the project's Debian machines fontconfig maps these names to the faces the PDF is set in
(scripts/fontconfig.conf), so LibreOffice shows the same page.

python-docx holds the package (parts, relationships, pictures, properties); the parts' XML is
written here as text, every text from the data or the analyst escaped and cleaned of what XML
cannot hold. The bytes depend only on the Document.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime

from emreport.compose.document import (
    APPENDIX,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    numbered,
)
from emreport.data.template import FIXED_TIME, display_width
from emreport.output.html import cell_text
from emreport.output.wordml import (
    AUTHOR,
    BLOCK_W,
    BOTTOM,
    CHAR_SPACE,
    EMU_PER_INCH,
    FANG,
    FONT_TABLE,
    FOOTER,
    HEI,
    INDENT,
    INSIDE,
    KAI,
    NS,
    OUTSIDE,
    PAGE_H,
    PAGE_W,
    PITCH,
    RT_IMAGE,
    SETTINGS,
    STYLES,
    SVG_EXT,
    SVG_NS,
    TITLE,
    TOP,
    _attr,
    footer,
    para,
    run,
)
from emreport.output.xlsx import xml_clean

# --- the body ------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


class _Body:
    """The body's XML, and the pictures it names (added to the package as it goes)."""

    def __init__(self, part, pngs: list[bytes], ppi: float) -> None:
        self.part = part
        self.pngs = iter(pngs)
        self.ppi = ppi
        self.out: list[str] = []
        self.pictures = 0

    def figure(self, f: Figure) -> None:
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        png = next(self.pngs)
        self.pictures += 1
        n = self.pictures
        package = self.part.package
        png_part = Part(PackURI(f"/word/media/chart{n}.png"), "image/png", png, package)
        svg_part = Part(PackURI(f"/word/media/chart{n}.svg"), "image/svg+xml", f.svg, package)
        png_rid = self.part.relate_to(png_part, RT_IMAGE)
        svg_rid = self.part.relate_to(svg_part, RT_IMAGE)
        w_px, h_px = png_size(png)
        cx = round(w_px / self.ppi * EMU_PER_INCH)
        cy = round(h_px / self.ppi * EMU_PER_INCH)
        most = round(BLOCK_W / 1440 * EMU_PER_INCH)
        if cx > most:
            cx, cy = most, round(cy * most / cx)
        alt = _attr(f.caption)
        drawing = (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="图片{n}" descr="{alt}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="chart{n}.png" descr="{alt}"/>'
            "<pic:cNvPicPr/></pic:nvPicPr>"
            f'<pic:blipFill><a:blip r:embed="{png_rid}"><a:extLst><a:ext uri="{SVG_EXT}">'
            f'<asvg:svgBlip xmlns:asvg="{SVG_NS}" r:embed="{svg_rid}"/></a:ext></a:extLst>'
            "</a:blip><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )
        self.out.append(para(drawing, "FigurePara"))
        self.out.append(para(run(f.caption, KAI, 14), "Caption"))

    def table(self, t: Table) -> None:
        """Title above in 黑体; the header row shaded, in 黑体, repeated on every page; the
        index column left, numbers right, text centred; the 合计 row in 黑体."""
        frame = t.frame
        head = [frame.index.name or ""] + [
            f"{c}（{t.units[c]}）" if t.units.get(c) else str(c) for c in frame.columns
        ]
        values = frame.to_numpy(dtype=object).tolist()  # a list is read faster than a frame
        columns = list(frame.columns)
        text = [any(isinstance(r[i], str) for r in values) for i in range(len(columns))]
        aligns = ["left"] + ["center" if x else "right" for x in text]
        units = [t.units.get(c, "") for c in columns]
        rows = [
            [str(label)] + [cell_text(v, u) for v, u in zip(row, units, strict=True)]
            for label, row in zip(frame.index, values, strict=True)
        ]
        widths = _widths(head, rows, text)
        self.out.append(para(run(t.title, HEI, 14), "TableCaption"))
        border = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        out = [
            f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
            + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
            + "</w:tblGrid>"
        ]
        out.append(
            "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(
                self._cell(
                    h, w, "center", HEI, '<w:shd w:val="clear" w:color="auto" w:fill="E6E6E6"/>'
                )
                for h, w in zip(head, widths, strict=True)
            )
            + "</w:tr>"
        )
        for cells in rows:
            face = HEI if cells[0] == "合计" else FANG
            out.append(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                + "".join(
                    self._cell(c, w, a, face) for c, w, a in zip(cells, widths, aligns, strict=True)
                )
                + "</w:tr>"
            )
        out.append("</w:tbl>")
        self.out.append("".join(out))
        if t.note:
            self.out.append(para(run(t.note, FANG, 12), "TableNote"))

    @staticmethod
    def _cell(text: str, width: int, align: str, face: str, shade: str = "") -> str:
        jc = f'<w:jc w:val="{align}"/>'
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}<w:vAlign w:val="center"/>'
            f"</w:tcPr>{para(run(text, face, 12), 'TableText', jc)}</w:tc>"
        )

    def section(self, s: Section, appendix: bool = False) -> None:
        if appendix:
            self.out.append(
                para(
                    run(s.title, HEI, 16),
                    ppr='<w:pageBreakBefore/><w:ind w:firstLine="0" w:firstLineChars="0"/>',
                )
            )
        elif s.title:
            level = min(s.level, 3)
            self.out.append(para(run(s.title, (HEI, KAI, FANG)[level - 1]), f"Heading{level}"))
        for b in s.blocks:
            if isinstance(b, Paragraph):
                runs = (run(b.label, HEI) if b.label else "") + run(b.text, FANG)
                self.out.append(para(runs))
            elif isinstance(b, Figure):
                self.figure(b)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Section):
                self.section(b)


def _widths(head: list[str], rows: list[list[str]], text: list[bool]) -> list[int]:
    """Column widths in twips across the text block, as typst.py shares it: a figure never
    wraps; the index and text columns as wide as their words where the block has room,
    number columns sharing what is left (a long header wraps)."""
    half, pad = 120, 280  # a half-width character of 12pt; the cell's margins and some air
    words = [i == 0 or text[i - 1] for i in range(len(head))]
    widest = [
        max([display_width(r[i]) for r in rows] + [min(display_width(h), 6)]) * half + pad
        for i, h in enumerate(head)
    ]
    natural = [
        max(w, min(display_width(h), 12) * half + pad) if t else w
        for w, h, t in zip(widest, head, words, strict=True)
    ]
    fixed = sum(w for w, t in zip(widest, words, strict=True) if not t)
    wanted = sum(w for w, t in zip(natural, words, strict=True) if t)
    room = BLOCK_W - fixed
    if wanted > room:  # text columns narrowed alike, to no less than four characters
        scale = max(room, 0) / wanted
        natural = [
            max(round(w * scale), 4 * 2 * half + pad) if t else w
            for w, t in zip(natural, words, strict=True)
        ]
    spare = BLOCK_W - sum(natural)
    count = len(words) - sum(words)
    if spare > 0 and count:
        natural = [w if t else w + spare // count for w, t in zip(natural, words, strict=True)]
    total = sum(natural)
    widths = [round(w * BLOCK_W / total) for w in natural]
    widths[-1] += BLOCK_W - sum(widths)
    return widths


def title_para(doc: Document) -> str:
    unit, _, rest = doc.title.partition("应急管理局")
    text = f"{unit}应急管理局\n{rest}" if rest else doc.title
    return para(run(text, TITLE, 22), "Title")


def signoff(doc: Document) -> list[str]:
    """署名 two characters in from the right, a blank line below the body; 成文日期 four in."""
    out = [
        para(
            run(doc.signature, FANG),
            ppr=f'<w:spacing w:before="{PITCH}"/><w:ind w:right="{INDENT}" w:firstLine="0" '
            'w:firstLineChars="0"/><w:jc w:val="right"/>',
        )
    ]
    if doc.date:
        out.append(
            para(
                run(doc.date, FANG),
                ppr=f'<w:ind w:right="{2 * INDENT}" w:firstLine="0" w:firstLineChars="0"/>'
                '<w:jc w:val="right"/>',
            )
        )
    return out


def _figures(doc: Document) -> list[Figure]:
    return [b for s in doc.sections for b in s.walk() if isinstance(b, Figure)]


def docx_bytes(
    doc: Document,
    *,
    pngs: list[bytes] | None = None,
    ppi: float | None = None,
    timestamp: datetime | None = None,
) -> bytes:
    """report.docx as bytes. `pngs` are the charts' pictures in page order (drawn here by the
    process's Typst typesetter when not given, at `ppi`)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.package import OpcPackage
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.opc.parts.coreprops import CorePropertiesPart

    from emreport.output import typst

    doc = numbered(doc)
    ppi = ppi or typst.PNG_PPI
    if pngs is None:
        pngs = typst.typesetter().pngs([f.svg for f in _figures(doc)], ppi)
    # The package from python-docx's parts, not its template (whose theme sends Chinese to a
    # Japanese face): the document, its styles, settings, fonts, two footers and pictures.
    package = OpcPackage()
    part = Part(PackURI("/word/document.xml"), CT.WML_DOCUMENT_MAIN, b"", package)
    package.relate_to(part, RT.OFFICE_DOCUMENT)
    for name, kind, rel, xml in (
        ("styles", CT.WML_STYLES, RT.STYLES, STYLES),
        ("settings", CT.WML_SETTINGS, RT.SETTINGS, SETTINGS),
        ("fontTable", CT.WML_FONT_TABLE, RT.FONT_TABLE, FONT_TABLE),
    ):
        part.relate_to(Part(PackURI(f"/word/{name}.xml"), kind, xml.encode(), package), rel)
    refs = []
    for kind, odd in (("default", True), ("even", False)):
        name = PackURI(f"/word/footer{1 if odd else 2}.xml")
        footer_part = Part(name, CT.WML_FOOTER, footer(odd).encode(), package)
        rid = part.relate_to(footer_part, RT.FOOTER)
        refs.append(f'<w:footerReference w:type="{kind}" r:id="{rid}"/>')
    core_part = CorePropertiesPart.default(package)
    package.relate_to(core_part, RT.CORE_PROPERTIES)

    body = _Body(part, pngs, ppi)
    body.out.append(title_para(doc))
    for s in doc.sections:
        if s.key != APPENDIX:
            body.section(s)
    body.out += signoff(doc)
    for s in doc.sections:
        if s.key == APPENDIX:
            body.section(s, appendix=True)
    sect = (
        f'<w:sectPr>{"".join(refs)}<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{TOP}" w:right="{OUTSIDE}" w:bottom="{BOTTOM}" w:left="{INSIDE}" '
        f'w:header="851" w:footer="{FOOTER}" w:gutter="0"/><w:cols w:space="425"/>'
        f'<w:docGrid w:type="linesAndChars" w:linePitch="{PITCH}" w:charSpace="{CHAR_SPACE}"/>'
        "</w:sectPr>"
    )
    part._blob = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}>'
        f"<w:body>{''.join(body.out)}{sect}</w:body></w:document>"
    ).encode()

    stamp = timestamp or FIXED_TIME
    core = core_part.core_properties
    core.title = xml_clean(doc.title)[:255]
    core.author = core.last_modified_by = AUTHOR
    core.created = core.modified = core.last_printed = stamp
    core.revision = 1
    core.comments = core.subject = core.keywords = core.category = ""
    return _zip(package, stamp)


def _zip(package, stamp: datetime) -> bytes:
    """The package as a zip, as python-docx writes it but in one pass: pictures stored as
    they are (already compressed), every entry dated `stamp`, so that the same report gives
    the same bytes."""
    import zipfile

    from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem

    parts = list(package.iter_parts())
    when = max(stamp, datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:

        def put(name: str, data: bytes, stored: bool = False) -> None:
            entry = zipfile.ZipInfo(name.lstrip("/"), date_time=when)
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, data, compresslevel=6)

        put(CONTENT_TYPES_URI, _ContentTypesItem.from_parts(parts).blob)
        put(PACKAGE_URI.rels_uri, package.rels.xml)
        for p in parts:
            put(p.partname, p.blob, stored=p.partname.endswith(".png"))
            if len(p.rels):
                put(p.partname.rels_uri, p.rels.xml)
    return out.getvalue()
