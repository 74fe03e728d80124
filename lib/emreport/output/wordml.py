"""The WordprocessingML of report.docx that does not depend on the report: the GB/T 9704
figures in twips, the faces, runs and paragraphs as XML text (every text cleaned of what XML
cannot hold and escaped), the styles, settings, font table and the two footers. docx.py
writes the body and the package."""

from __future__ import annotations

from xml.sax.saxutils import escape

from emreport.output.xlsx import xml_clean

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (
    f'xmlns:w="{W}" xmlns:r="{R}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
SVG_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
RT_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
AUTHOR = "emreport"

FANG, HEI, KAI, SONG, TITLE = "仿宋", "黑体", "楷体", "宋体", "方正小标宋简体"
ALT = {FANG: "FangSong", HEI: "SimHei", KAI: "KaiTi", SONG: "SimSun", TITLE: "宋体"}

# GB/T 9704 in twentieths of a point (twips); 1 mm = 56.69 twips.
MM = 1440 / 25.4
PAGE_W, PAGE_H = round(210 * MM), round(297 * MM)
TOP, BOTTOM, INSIDE, OUTSIDE = round(37 * MM), round(35 * MM), round(28 * MM), round(26 * MM)
BLOCK_W = PAGE_W - INSIDE - OUTSIDE  # 156 mm
PITCH = 579  # 28.95pt: 225 mm / 22 lines, as typst.py and report.css draw it
CHAR = 156 / 25.4 * 72 / 28  # 15.79pt: 156 mm / 28 characters
CHAR_SPACE = round((CHAR - 16) * 4096)  # w:charSpace: the pitch less the 16pt size, in 1/4096 pt
INDENT = round(2 * CHAR * 20)  # two characters
FOOTER = round(35 * MM - 7 * MM - 14 * 20)  # the numbers' line 7 mm below the text block
EMU_PER_INCH = 914400
WT_CHUNK = 8000  # characters of one w:t: long texts are written as several


def _attr(s: object) -> str:
    """Any text as an attribute value, between double quotes."""
    return escape(" ".join(xml_clean(str(s)).split()), {'"': "&quot;"})


def fonts(face: str) -> str:
    return (
        f'<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}" w:cs="{face}" '
        'w:hint="eastAsia"/>'
    )


def rpr(face: str, size: float | None = None, bold: bool = False, tight: bool | None = None) -> str:
    """A run's properties: the face for every script, and a size in points; `tight` draws
    characters 0.25pt closer, so that a 16pt character fits its 15.79pt cell of the grid
    (LibreOffice gives a wider character two cells; Word fits 28 to the line either way)."""
    out = fonts(face) + ("<w:b/><w:bCs/>" if bold else "")
    if tight is not None:
        out += f'<w:spacing w:val="{-5 if tight else 0}"/>'
    if size:
        out += f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>'
    return f"<w:rPr>{out}</w:rPr>"


def run(text: object, face: str, size: float | None = None, bold: bool = False) -> str:
    """A run of text; line breaks become w:br, a long text several w:t."""
    parts = []
    lines = xml_clean(str(text)).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        if i:
            parts.append("<w:br/>")
        line = line.replace("\t", " ")
        for k in range(0, len(line), WT_CHUNK):
            parts.append(f'<w:t xml:space="preserve">{escape(line[k : k + WT_CHUNK])}</w:t>')
    return f"<w:r>{rpr(face, size, bold)}{''.join(parts)}</w:r>"


def para(runs: str, style: str = "", ppr: str = "") -> str:
    inner = (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr
    return f"<w:p>{f'<w:pPr>{inner}</w:pPr>' if inner else ''}{runs}</w:p>"


# --- parts ---------------------------------------------------------------------------------


def _style(
    kind: str, sid: str, name: str, ppr: str, face: str, size: float, extra: str = ""
) -> str:
    default = ' w:default="1"' if sid == "Normal" else ""
    return (
        f'<w:style w:type="{kind}"{default} w:styleId="{sid}"><w:name w:val="{name}"/>'
        + ('<w:basedOn w:val="Normal"/>' if sid != "Normal" else "")
        + f"{extra}<w:qFormat/><w:pPr>{ppr}</w:pPr>{rpr(face, size)}</w:style>"
    )


# Paragraphs keep to the grid's lines by their exact line spacing rather than by snapping:
# LibreOffice gives a 16pt character two cells of a 15.79pt grid when it snaps.
BODY_PPR = (
    '<w:snapToGrid w:val="0"/>'
    f'<w:spacing w:before="0" w:after="0" w:line="{PITCH}" w:lineRule="exact"/>'
    f'<w:ind w:firstLineChars="200" w:firstLine="{INDENT}"/><w:jc w:val="both"/>'
)
SMALL_PPR = (
    '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" '
    'w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/>'
)


def heading_style(level: int, face: str) -> str:
    return _style(
        "paragraph",
        f"Heading{level}",
        f"heading {level}",
        f'<w:keepNext/><w:keepLines/><w:outlineLvl w:val="{level - 1}"/>',
        face,
        16,
        '<w:next w:val="Normal"/><w:uiPriority w:val="9"/>',
    )


STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {NS}>'
    f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts(FANG)}"
    '<w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
    '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
    f"</w:rPrDefault><w:pPrDefault><w:pPr>{BODY_PPR}</w:pPr></w:pPrDefault></w:docDefaults>"
    + _style("paragraph", "Normal", "Normal", BODY_PPR, FANG, 16)
    + heading_style(1, HEI)
    + heading_style(2, KAI)
    + heading_style(3, FANG)
    + _style(
        "paragraph",
        "Title",
        "Title",
        '<w:snapToGrid w:val="0"/>'
        f'<w:spacing w:before="0" w:after="{PITCH}" w:line="720" w:lineRule="exact"/>'
        + '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/>',
        TITLE,
        22,
    )
    + _style(
        "paragraph",
        "Caption",
        "caption",
        SMALL_PPR.replace('w:after="0"', 'w:after="120"') + '<w:jc w:val="center"/>',
        KAI,
        14,
    )
    + _style(
        "paragraph",
        "TableCaption",
        "表题",
        SMALL_PPR.replace('w:before="0" w:after="0"', 'w:before="120" w:after="80"')
        + '<w:keepNext/><w:jc w:val="center"/>',
        HEI,
        14,
    )
    + _style("paragraph", "TableText", "表格文字", SMALL_PPR, FANG, 12)
    + _style("paragraph", "TableNote", "表注", SMALL_PPR + '<w:jc w:val="left"/>', FANG, 12)
    + _style(
        "paragraph",
        "FigurePara",
        "图片",
        '<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="240" w:after="60" '
        'w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/>'
        '<w:jc w:val="center"/>',
        FANG,
        16,
    )
    + _style(
        "paragraph",
        "Footer",
        "footer",
        '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="280" '
        'w:lineRule="exact"/><w:ind w:firstLine="0" w:firstLineChars="0"/>',
        SONG,
        14,
    )
    + '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="100" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="100" '
    'w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    "</w:styles>"
)

SETTINGS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings {NS}>'
    '<w:zoom w:percent="100"/><w:mirrorMargins/><w:defaultTabStop w:val="420"/>'
    '<w:evenAndOddHeaders/><w:characterSpacingControl w:val="compressPunctuation"/>'
    '<w:compat><w:doNotExpandShiftReturn/><w:compatSetting w:name="compatibilityMode" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>'
)

FONT_TABLE = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {NS}>'
    + "".join(
        f'<w:font w:name="{face}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"modern" if face in (FANG, HEI, KAI) else "roman"}"/>'
        '<w:pitch w:val="variable"/></w:font>'
        for face, alt in ALT.items()
    )
    + "</w:fonts>"
)


def footer(odd: bool) -> str:
    """ "— N —" with N a PAGE field, 14pt 宋体, one character in from the outer edge."""
    r = rpr(SONG, 14)
    field = (
        f'<w:r>{r}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{r}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{r}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{r}<w:t>1</w:t></w:r>"
        f'<w:r>{r}<w:fldChar w:fldCharType="end"/></w:r>'
    )
    side = "right" if odd else "left"
    ppr = f'<w:ind w:{side}="280" w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="{side}"/>'
    body = para(run("— ", SONG, 14) + field + run(" —", SONG, 14), "Footer", ppr)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {NS}>{body}</w:ftr>'
