"""report.docx: the file's XML (the GB/T 9704 page, the grid, footers with PAGE fields, faces
named for East Asian text on every style and run, no theme font, heading styles, tables with
repeated headers, charts as SVG with a PNG), the same bytes every time, hostile names, and the
file read by a real word processor: LibreOffice converts sample reports and a hostile one to
PDF headless (its own profile folder, a timeout, its own process group, nothing left running),
and the figures of metrics.json are in that PDF as worded, its page count within one of
report.pdf's."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import zipfile

import pandas as pd
import pytest
from lxml import etree

from emreport import config
from emreport.compose.document import Document, Figure, Paragraph, Section, Table
from emreport.data.ingest import ingest
from emreport.metrics import Metric
from emreport.output import bundle as bundles
from emreport.output import docx as dx
from emreport.output import html as page
from emreport.output import typst as tp
from emreport.output import wordml
from emreport.output.pdfread import page_count, pdf_text
from emreport.report import build

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
RID = f"{{{wordml.R}}}"
CJK = re.compile("[\u3000-\u9fff\uff00-\uffef]")
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="15.6cm" height="6cm" viewBox="0 0 442 170">'
    '<rect width="442" height="170" fill="#fff"/><rect x="20" y="20" width="80" height="120" '
    'fill="#1f4e79"/><text x="120" y="80" font-family="FandolHei" font-size="12">图中文字</text>'
    "</svg>"
).encode()
LONG = "长" * 40_000
HOSTILE = [
    "控制\x00字\x01符\x08\x0b\x0c\x1f与\ufffe\uffff",
    "<w:p>&amp; & < > \" ' ]]> <!-- -->",
    "换行\r\n与\t制表",
    LONG,
]
SAMPLES = [("990102", "2025"), ("990100", "2025"), ("990121", "2025-H1")]


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def xml(data: bytes, name: str):
    return etree.fromstring(parts(data)[name])


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, store)
    return str(store)


@pytest.fixture(scope="module")
def reports(sample_store):
    """(report, its docx, its PDF by Typst) for a few sample reports."""
    out = []
    for code, period in SAMPLES:
        r = build(code, period, store=sample_store, report_date="2026-01-15")
        out.append((r, dx.docx_bytes(r.document), tp.typesetter().pdf(r.document)))
    return out


@pytest.fixture(scope="module")
def city(reports):
    return reports[1]


def hostile_doc() -> Document:
    frame = pd.DataFrame(
        {HOSTILE[1]: [1, 2.5, None], "名称": [HOSTILE[0], HOSTILE[2], LONG]},
        index=pd.Index(["甲", HOSTILE[1], "合计"], name=HOSTILE[0]),
    )
    body = Section("正文", HOSTILE[1], 1, [Paragraph(h, label=HOSTILE[0]) for h in HOSTILE])
    sub = body.sub(HOSTILE[0])
    sub.add(Figure(SVG, HOSTILE[1], own="mine"))
    sub.add(Table(HOSTILE[2], frame, {HOSTILE[1]: "万元"}, HOSTILE[0], own="t"))
    return Document(HOSTILE[1] + "应急管理局" + HOSTILE[0], [body], HOSTILE[1], HOSTILE[0])


# --- the XML ---------------------------------------------------------------------------------


def test_page_is_a4_with_the_gbt9704_margins_mirrored(city):
    _, data, _ = city
    sect = xml(data, "word/document.xml").find(".//w:body/w:sectPr", NS)
    size, margins = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    assert (size.get(W + "w"), size.get(W + "h")) == ("11906", "16838")  # 210 x 297 mm
    mm = {
        k: round(int(margins.get(W + k)) / 1440 * 25.4, 1)
        for k in ("top", "bottom", "left", "right")
    }
    assert mm == {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
    assert xml(data, "word/settings.xml").find("w:mirrorMargins", NS) is not None  # 订口 inside


def test_document_grid_is_22_lines_of_28_characters(city):
    _, data, _ = city
    grid = xml(data, "word/document.xml").find(".//w:sectPr/w:docGrid", NS)
    assert grid.get(W + "type") == "linesAndChars"
    pitch = int(grid.get(W + "linePitch")) / 20
    assert 225 / 25.4 * 72 / pitch == pytest.approx(22, abs=0.05)
    char = 16 + int(grid.get(W + "charSpace")) / 4096  # from the 16pt of docDefaults
    assert 156 / 25.4 * 72 / char == pytest.approx(28, abs=0.01)
    styles = xml(data, "word/styles.xml")
    size = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    assert size.get(W + "val") == "32"
    normal = styles.find("w:style[@w:styleId='Normal']", NS)
    ind = normal.find("w:pPr/w:ind", NS)
    assert ind.get(W + "firstLineChars") == "200"  # two characters
    assert normal.find("w:pPr/w:spacing", NS).get(W + "line") == grid.get(W + "linePitch")
    assert normal.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == "仿宋"


def test_page_numbers_are_page_fields_right_on_odd_and_left_on_even_pages(city):
    _, data, _ = city
    files = parts(data)
    assert etree.fromstring(files["word/settings.xml"]).find("w:evenAndOddHeaders", NS) is not None
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    target = {r.get("Id"): r.get("Target") for r in rels}
    refs = xml(data, "word/document.xml").findall(".//w:sectPr/w:footerReference", NS)
    by_kind = {r.get(W + "type"): target[r.get(RID + "id")] for r in refs}
    assert set(by_kind) == {"default", "even"}
    for kind, side in (("default", "right"), ("even", "left")):
        footer = etree.fromstring(files["word/" + by_kind[kind]])
        p = footer.find("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(W + "val") == side
        assert p.find("w:pPr/w:ind", NS).get(W + side) == "280"  # one 14pt character in
        assert [t.text for t in p.iter(W + "instrText")] == [" PAGE "]
        assert "".join(t.text for t in p.iter(W + "t")) == "— 1 —"
        for r in p.findall("w:r", NS):
            assert r.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == "宋体"
            assert r.find("w:rPr/w:sz", NS).get(W + "val") == "28"  # 4号


def test_every_run_and_style_names_its_east_asian_face_and_no_theme_font(reports):
    for _, data, _ in reports:
        files = parts(data)
        assert not [n for n in files if "theme" in n]
        for name, body in files.items():
            if name.endswith(".xml") or name.endswith(".rels"):
                assert b"Theme" not in body, name  # asciiTheme, eastAsiaTheme, …
        for name in [n for n in files if n.startswith("word/") and n.endswith(".xml")]:
            root = etree.fromstring(files[name])
            for r in root.iter(W + "r"):
                if CJK.search("".join(t.text or "" for t in r.iter(W + "t"))):
                    fonts = r.find("w:rPr/w:rFonts", NS)
                    assert fonts is not None and fonts.get(W + "eastAsia"), name
        styles = xml(data, "word/styles.xml")
        for style in styles.findall("w:style[@w:type='paragraph']", NS):
            assert style.find("w:rPr/w:rFonts", NS).get(W + "eastAsia"), style.get(W + "styleId")
        assert styles.find(".//w:rPrDefault//w:rFonts", NS).get(W + "eastAsia") == "仿宋"


def test_headings_use_the_built_in_heading_styles(city):
    import docx

    r, data, _ = city
    d = docx.Document(io.BytesIO(data))
    headings = {p.text: p.style.name for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert any(t.startswith("一、") and s == "Heading 1" for t, s in headings.items())
    assert any(t.startswith("（一）") and s == "Heading 2" for t, s in headings.items())
    styles = xml(data, "word/styles.xml")
    for level, face in ((1, "黑体"), (2, "楷体")):
        style = styles.find(f"w:style[@w:styleId='Heading{level}']", NS)
        assert style.find("w:name", NS).get(W + "val") == f"heading {level}"
        assert style.find("w:pPr/w:outlineLvl", NS).get(W + "val") == str(level - 1)
        assert style.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == face
    title = d.paragraphs[0]
    assert title.style.name == "Title" and title.style.paragraph_format.alignment == 1  # centred
    assert title.runs[0].font.size.pt == 22
    # 落款: signature and date right-aligned, two and four characters in
    sign = next(p for p in d.paragraphs if p.text == r.document.signature)
    date = next(p for p in d.paragraphs if p.text == r.document.date)
    assert sign.alignment == date.alignment == 2
    assert date.paragraph_format.right_indent == 2 * sign.paragraph_format.right_indent


def test_tables_repeat_their_header_and_set_numbers_right(city):
    r, data, _ = city
    tables = xml(data, "word/document.xml").findall(".//w:tbl", NS)
    assert len(tables) == sum(
        1 for s in r.document.sections for b in s.walk() if isinstance(b, Table)
    )
    for tbl in tables:
        rows = tbl.findall("w:tr", NS)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(row.find("w:trPr/w:tblHeader", NS) is None for row in rows[1:])
        for row in rows[1:]:
            for tc in row.findall("w:tc", NS)[1:]:
                text = "".join(t.text for t in tc.iter(W + "t"))
                if re.fullmatch(r"\d[\d.,]*%?", text):
                    assert tc.find("w:p/w:pPr/w:jc", NS).get(W + "val") == "right", text


def test_charts_are_svg_pictures_with_a_png_fallback(city):
    r, data, _ = city
    files = parts(data)
    rels = {
        x.get("Id"): x.get("Target")
        for x in etree.fromstring(files["word/_rels/document.xml.rels"])
    }
    blips = xml(data, "word/document.xml").findall(".//{*}blip")
    figures = [b for s in r.document.sections for b in s.walk() if isinstance(b, Figure)]
    assert len(blips) == len(figures) > 0
    for blip in blips:
        png = files["word/" + rels[blip.get(RID + "embed")]]
        assert png.startswith(b"\x89PNG")
        svg = blip.find(f".//{{{wordml.SVG_NS}}}svgBlip")
        assert files["word/" + rels[svg.get(RID + "embed")]].startswith(b"<svg")
    types = files["[Content_Types].xml"].decode()
    assert 'Extension="png"' in types and "image/svg+xml" in types


def test_same_document_same_bytes_and_through_the_bundle(city):
    r, data, _ = city
    assert dx.docx_bytes(r.document) == data
    again = bundles.document_of(bundles.document_json(r.document))
    assert dx.docx_bytes(again) == data  # the worker's Document is the kernel's
    core = xml(data, "docProps/core.xml")
    assert "2025-01-01T00:00:00Z" in etree.tostring(core).decode()


def test_hostile_names_make_a_valid_file():
    import docx

    data = dx.docx_bytes(hostile_doc())
    for name, body in parts(data).items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(body)  # strict XML: no control character, every special escaped
    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs)
    assert LONG in text and "<w:p>&amp; & < > \" '" in text
    assert "控制字符与" in text and "\x00" not in text
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert LONG in cells and "2.5" in cells


# --- through LibreOffice --------------------------------------------------------------------

SOFFICE = shutil.which("soffice")


def convert(files: list, out_dir, timeout: float = 240) -> None:
    """LibreOffice converts the files to PDF headless: its own profile folder, its own
    process group (ended afterwards, whatever happened), a timeout."""
    profile = out_dir / "profile"
    cmd = [
        SOFFICE,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        proc.communicate(timeout=timeout)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.fixture(scope="module")
def converted(reports, tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("没有安装 LibreOffice（scripts/setup.sh 安装 libreoffice-writer-nogui）")
    folder = tmp_path_factory.mktemp("lo")
    files = []
    for i, (_, data, _) in enumerate(reports):
        files.append(folder / f"r{i}.docx")
        files[-1].write_bytes(data)
    files.append(folder / "hostile.docx")
    files[-1].write_bytes(dx.docx_bytes(hostile_doc()))
    convert(files, folder)
    out = {
        f.stem: (folder / f"{f.stem}.pdf").read_bytes()
        for f in files
        if (folder / f"{f.stem}.pdf").exists()
    }
    assert set(out) == {f.stem for f in files}, "LibreOffice 未能转换全部文件"
    assert not _left(str(folder)), "LibreOffice 的进程没有结束"
    return out


def _left(marker: str) -> list[int]:
    """Processes still running with our profile folder on their command line."""
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    left.append(int(pid))
        except OSError:
            pass
    return left


def flat(text: str) -> str:
    """Text without spaces, line ends or page numbers, to find a paragraph across lines."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def bare(text: str) -> str:
    """…and without the punctuation LibreOffice hangs past a line's end (poppler drops it)."""
    return re.sub("[，。、；：]", "", flat(text))


def test_libreoffice_prints_every_figure_as_worded(reports, converted):
    for i, (r, _, pdf) in enumerate(reports):
        text, stated = flat(pdf_text(converted[f"r{i}"])), flat(page.text(r.document))
        found = 0
        for mid, m in r.bundle["metrics"]["metrics"].items():
            if m["value"] is None:
                continue
            figure = Metric.from_json(mid, m).text()  # as the report words it
            if figure in stated:
                found += 1
                assert figure in text, f"{r.title} {mid} ({figure})"
        assert found > 10
        for line in page.text(r.document).splitlines():
            assert bare(line) in bare(text), line
        assert abs(page_count(converted[f"r{i}"]) - page_count(pdf)) <= 1, r.title


def test_libreoffice_opens_and_converts_the_hostile_names(converted):
    text = flat(pdf_text(converted["hostile"]))
    assert "控制字符与" in text and flat("<w:p>&amp; & < > \" '") in text
    assert "长" * 1000 in text
