"""The Typst renderer: the GB/T 9704 page read back from the PDF with poppler.

A district and the city report of the sample, and small made-up Documents for what the sample
does not show (a full page of text, a long table, hostile names): A4 and the text block's
margins, the 28 × 22 grid, page numbers right on odd and left on even pages, 7 mm below the
text block, every font named and embedded, every figure the text states in the PDF, a long
table continued under its header, every string printed literally. One typesetter serves the
module; it is the process's own (no other process is started)."""

from __future__ import annotations

import os
import re
import subprocess

import pandas as pd
import pytest

from emreport import config
from emreport.compose.document import (
    APPENDIX,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    numbered,
)
from emreport.data.ingest import ingest
from emreport.metrics import Metric
from emreport.output import html as page
from emreport.output import typst as tp
from emreport.output.pdfread import page_count, pdf_fonts, pdf_info, pdf_lines, pdf_text
from emreport.report import build

MM = 72 / 25.4
TOP, BOTTOM = 37 * MM, (37 + 225) * MM
PITCH = 28.95  # 225 mm / 22 lines, as report.css draws it
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="15.6cm" height="6cm" viewBox="0 0 442 170">'
    '<rect width="442" height="170" fill="#fff"/><rect x="20" y="20" width="80" height="120" '
    'fill="#1f4e79"/><text x="120" y="80" font-family="FandolHei" font-size="12">图中文字</text>'
    "</svg>"
).encode()
HOSTILE = [
    '#panic("x")',
    "$x^2$ 与 *粗体* 和 _斜体_",
    '方括号] [与 \\反斜杠\\ 和 "引号"',
    "= 一级标题 // 注释 /* 块 */ <标签> @引用 ~ `代码`",
    "- 列表 + 编号 1. 第一 \\u{41}",
]


@pytest.fixture(scope="module")
def typesetter() -> tp.Typesetter:
    return tp.Typesetter()


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, store)
    return str(store)


@pytest.fixture(scope="module", params=["990102", "990100"], ids=["district", "city"])
def sample(request, sample_store, typesetter):
    r = build(request.param, "2025", store=sample_store, report_date="2026-01-15")
    return r, typesetter.pdf(r.document)


def flat(text: str) -> str:
    """Text without spaces, line ends or page numbers, to find a paragraph across lines."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def body_text(pdf: bytes) -> str:
    """The 16pt text (paragraphs and headings) in reading order: what the charts and tables
    say, in smaller type, left out (a chart may stand between two halves of a paragraph)."""
    lines = [ln for ln in pdf_lines(pdf) if abs(ln.y1 - ln.y0 - 16) < 0.6]
    return flat("".join(ln.text for ln in sorted(lines, key=lambda ln: (ln.page, ln.y0, ln.x0))))


def body_lines(pdf: bytes):
    """The text lines above the page numbers, on the pages before 附表."""
    lines = pdf_lines(pdf)
    appendix = min((ln.page for ln in lines if ln.text == "附表"), default=10**6)
    return [ln for ln in lines if ln.page < appendix and ln.y0 < BOTTOM]


def number_line(pdf: bytes, page: int):
    return next(ln for ln in pdf_lines(pdf) if ln.page == page and ln.text.startswith("—"))


def margins(page: int) -> tuple[float, float]:
    """The text block's left and right edges: the binding margin 28 mm is on the left of odd
    pages and on the right of even ones."""
    left = (28 if page % 2 else 26) * MM
    return left, left + 156 * MM


def full_text_doc(chars: int = 28 * 60) -> Document:
    body = Section("正文", "正文", 1, [Paragraph("国" * chars)])
    body.sub("小节").para("节" * 40)
    return Document("临江市应急管理局2025年度工作总结", [body], "甲", "乙")


def test_page_is_a4_with_the_text_block_in_its_margins(sample):
    _, pdf = sample
    assert pdf_info(pdf)["Page size"].startswith("595.276 x 841.89")
    lines = body_lines(pdf)
    assert min(ln.y0 for ln in lines) >= TOP - 1
    assert max(ln.y1 for ln in lines) <= BOTTOM + 0.5
    for ln in lines:
        left, right = margins(ln.page)
        # punctuation at a line's start or end is set half wide (its blank half dropped);
        # poppler still counts its whole em
        assert ln.x0 >= left - (8.5 if ln.text[0] in "（“《" else 0.5), ln
        assert ln.x1 <= right + 8.5, ln
    starts = {round(ln.x0 - margins(ln.page)[0], 1) for ln in lines}
    assert 0.0 in starts  # continued lines start at the text block's edge


def test_body_follows_the_grid_of_28_characters_and_22_lines(typesetter):
    pdf = typesetter.pdf(full_text_doc())
    lines = [ln for ln in body_lines(pdf) if "国" in ln.text]
    assert len(lines[0].text) == 26  # indented two characters
    assert {len(ln.text) for ln in lines[1:-1]} == {28}
    page2 = [ln for ln in lines if ln.page == 2]
    assert len(page2) == 22
    assert all(
        b.y0 - a.y0 == pytest.approx(PITCH, abs=0.05)
        for a, b in zip(page2, page2[1:], strict=False)
    )
    # headings (一、 黑体, （一） 楷体) keep the grid: every line of the body on it
    body = [ln for ln in pdf_lines(pdf) if ln.y0 < BOTTOM]
    first = [ln for ln in body if ln.page == 1][2:]  # after the title
    last = [ln for ln in body if ln.page == body[-1].page]
    assert [ln.text for ln in first[:2]] == ["一、正文", "国" * 26]
    # the sign-off a blank line below the body, on the grid too
    assert [ln.text for ln in last[-5:]] == ["（一）小节", "节" * 26, "节" * 14, "甲", "乙"]
    for grid in (first, last):
        for ln in grid:
            steps = (ln.y0 - grid[0].y0) / PITCH
            assert steps == pytest.approx(round(steps), abs=0.01), ln
            assert ln.y1 - ln.y0 == pytest.approx(16, abs=0.6), ln  # 三号 throughout
    for ln in lines[1:-1]:  # full lines reach both edges of the text block
        left, right = margins(ln.page)
        assert ln.x0 == pytest.approx(left, abs=0.5) and ln.x1 == pytest.approx(right, abs=1)


def test_odd_numbers_sit_right_and_even_numbers_left(sample):
    _, pdf = sample
    assert page_count(pdf) >= 4
    width = 595.28
    for n in range(1, page_count(pdf) + 1):
        line = number_line(pdf, n)
        assert line.text == f"— {n} —"
        if n % 2:  # 空一字 from the text block's right edge
            assert line.x1 == pytest.approx(width - 26 * MM - 14, abs=1)
        else:
            assert line.x0 == pytest.approx(26 * MM + 14, abs=1)
        assert (line.y0 + line.y1) / 2 == pytest.approx(BOTTOM + 7 * MM, abs=2)


def test_signature_and_date_sit_right(sample):
    r, pdf = sample
    lines = pdf_lines(pdf)
    sign = [ln for ln in lines if ln.text == r.document.signature][-1]  # not the title
    date = next(ln for ln in lines if ln.text == r.document.date and ln.page == sign.page)
    right = margins(sign.page)[1]
    assert sign.x1 == pytest.approx(right - 32, abs=1)  # 右空二字
    assert date.x1 == pytest.approx(right - 64, abs=1)  # 右空四字
    assert date.y0 - sign.y0 == pytest.approx(PITCH, abs=0.5)


def test_fonts_are_named_embedded_and_the_house_faces(sample):
    _, pdf = sample
    fonts = pdf_fonts(pdf)
    assert fonts and all(f.embedded for f in fonts)
    assert not [f for f in fonts if f.type == "Type 3" or f.name in ("", "[none]")]
    names = " ".join(f.name for f in fonts)
    for face in ("FandolFang", "FandolHei", "FandolKai", "FandolSong", "NotoSerifCJKsc-Bold"):
        assert face in names


def test_every_figure_the_text_states_is_in_the_pdf(sample):
    r, pdf = sample
    text, stated = body_text(pdf), flat(page.text(r.document))
    found = 0
    for mid, m in r.bundle["metrics"]["metrics"].items():
        if m["value"] is None:
            continue
        figure = Metric.from_json(mid, m).text()  # as the report words it
        if figure in stated:
            found += 1
            assert figure in text, f"{mid} ({figure})"
    assert found > 10


def test_text_and_headings_are_those_of_the_document(sample):
    r, pdf = sample
    text, body = flat(pdf_text(pdf)), body_text(pdf)
    for line in page.text(r.document).splitlines():
        assert flat(line) in body or flat(line) in text, line


def test_charts_are_vector_with_their_captions(sample, tmp_path):
    r, pdf = sample
    text = flat(pdf_text(pdf))
    figures = [b for s in numbered(r.document).sections for b in s.walk() if isinstance(b, Figure)]
    assert figures and all(flat(f.caption) in text for f in figures)
    _, files = tp.source(r.document)
    assert len(files) == len(figures) and all(f.endswith(".svg") for f in files)
    (tmp_path / "r.pdf").write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", tmp_path / "r.pdf"], capture_output=True)
    assert images.returncode == 0 and len(images.stdout.decode().splitlines()) == 2  # no raster


def long_table() -> Table:
    frame = pd.DataFrame(
        {"甲": list(range(1, 81)), "乙": [i * 2 for i in range(1, 81)]},
        index=pd.Index([f"单位{i}" for i in range(1, 81)], name="单位"),
    )
    return Table("长表", frame, {"甲": "起", "乙": "起"}, "注：长表。")


def test_a_long_table_breaks_between_rows_and_repeats_its_header(typesetter):
    doc = full_text_doc(60)
    doc.sections.append(Section(APPENDIX, APPENDIX, 1, [long_table()], numbered=False))
    pdf = typesetter.pdf(doc)
    pages = pdf_text(pdf).split("\f")[1:]
    first = " ".join(pages[0].split())
    assert first.startswith("附表") and "表1 长表" in first and "单位1 " in first
    holding = [p for p in pages if re.search(r"单位\d+", p)]
    assert len(holding) >= 2
    assert all("甲（起）" in p and "乙（起）" in p for p in holding)  # the header on each
    rows = [int(n) for p in holding for n in re.findall(r"单位(\d+)", p)]
    assert rows == list(range(1, 81))  # each row once, whole, in order
    assert "注：长表。" in pages[-1] or "注：长表。" in "".join(pages)


MEASURED = """
#let tablefig(tbl, caption, float: false, fits: auto) = context {
  let fig = figure(tbl, kind: table, placement: none, caption: caption)
  [#metadata((measure(fig, width: 156mm).height.pt(), if fits == auto { none } else { fits })) <measured>]
}
"""


def measured_tables(doc: Document) -> list[tuple[float, bool | None]]:
    """Each table of the Document as the report sets it: (its figure's height in points, as
    Typst measures it; True where the writer marked it as surely fitting the text block, False
    as surely taller, None where Typst measures it)."""
    import json

    import typst

    w = tp._Writer()
    tables = [w.table(b, floats=False) for b in _blocks(numbered(doc)) if isinstance(b, Table)]
    src = tp.PREAMBLE.replace("TITLE_TEXT", '"t"') + MEASURED + "\n".join(tables)
    c = typst.Compiler(
        input={"main.typ": src.encode()}, font_paths=tp.font_dirs(), ignore_system_fonts=True
    )
    return [tuple(x) for x in json.loads(c.query("<measured>", field="value"))]


def _blocks(doc: Document):
    def walk(blocks):
        for b in blocks:
            yield from walk(b.blocks) if isinstance(b, Section) else [b]

    yield from walk(doc.sections)


def test_a_table_marked_as_fitting_does_fit_so_the_page_is_unchanged(sample):
    r, _ = sample
    heights = measured_tables(r.document)
    assert heights and all(h <= tp.BLOCK_H - 1 for h, fits in heights if fits)
    # and the bound lets most of them skip the second layout (the speed it is there for)
    assert sum(fits is True for _, fits in heights) >= 0.6 * len(heights)
    long = measured_tables(Document("t", [Section(APPENDIX, APPENDIX, 1, [long_table()])], "", ""))
    assert long[0][0] > tp.BLOCK_H - 1 and long[0][1] is False  # surely taller: not measured


@pytest.mark.parametrize("rows", [20, 34, 36, 40, 60])
def test_a_table_marked_as_breaking_is_taller_than_the_text_block(rows):
    """The lower bound of `surely_breaks` against Typst's measure, at and around the row count
    where it first holds: one-line rows, the shortest a table can set."""
    frame = pd.DataFrame({"甲": [1] * (rows - 1)}, index=pd.Index(["一"] * (rows - 1), name="单位"))
    doc = Document("t", [Section(APPENDIX, APPENDIX, 1, [Table("短行", frame, {}, "")])], "", "")
    ((height, fits),) = measured_tables(doc)
    assert fits is not False or height > tp.BLOCK_H - 1
    assert (fits is False) == tp.surely_breaks(rows)


def test_the_width_bound_holds_for_the_faces_tables_and_captions_use():
    import json

    import typst

    samples = {
        tp.NUMERAL_EM: ["0123456789", ".,%+-"],
        tp.ASCII_EM: ["MWmw@", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
        tp.WIDE_EM: ["（）、。—“”", "隐患整改率罚款金额", "①②ⅢⅣ"],
    }
    cases = [
        (em, f, s) for em, strings in samples.items() for s in strings for f in (tp.FANG, tp.HEI)
    ]
    src = tp.PREAMBLE.replace("TITLE_TEXT", '"t"') + "\n".join(
        f"#context [#metadata(measure(text(font: {f}, size: 12pt, tracking: 0pt, {tp.lit(s)}))"
        f".width.pt() / 12) <w>]"
        for _, f, s in cases
    )
    c = typst.Compiler(
        input={"main.typ": src.encode()}, font_paths=tp.font_dirs(), ignore_system_fonts=True
    )
    widths = json.loads(c.query("<w>", field="value"))
    for (em, f, s), ems in zip(cases, widths, strict=True):
        assert max(ems, 0) <= em * len(s), (f, s, ems)


def hostile_doc() -> Document:
    h = HOSTILE
    frame = pd.DataFrame({h[1]: [h[2], "1"]}, index=pd.Index([h[3], "合计"], name=h[4]))
    body = Section(
        "一",
        h[0],
        1,
        [
            Paragraph(h[1], label=h[2]),
            Section("一/二", h[3], 2, [Paragraph(h[4])]),
            Figure(SVG, h[0]),
            Table(h[2], frame, {}, h[3]),
        ],
    )
    return Document(h[0] + "应急管理局" + h[1], [body], h[2], h[4])


def test_hostile_names_come_out_literally(typesetter):
    src, _ = tp.source(hostile_doc())
    text = flat(pdf_text(typesetter.pdf(hostile_doc()), layout=False))
    for h in HOSTILE:
        assert flat(h) in text, h
    assert src.count('#panic("x")') == 0  # only ever inside a string literal


@pytest.mark.parametrize("text", [*HOSTILE, "\n\t\x00\x7f", "\u2028"])
def test_a_literal_is_a_string_typst_reads_back(typesetter, text):
    assert tp.lit(text).startswith('"') and tp.lit(text).endswith('"')
    pdf = typesetter.compile(f"#{tp.lit(text)}\n", {})
    if text.strip("\n\t\x00\x7f\u2028"):
        assert flat(text) in flat(pdf_text(pdf, layout=False))


def test_no_process_is_started(typesetter):
    before = set(os.listdir("/proc"))
    typesetter.pdf(full_text_doc(100))
    children = [
        p for p in set(os.listdir("/proc")) - before if p.isdigit() and _parent(p) == os.getpid()
    ]
    assert not children


def test_threads_typeset_at_once_and_get_what_one_thread_gets(typesetter, sample):
    """The worker's finishing threads share one typesetter: compiles and chart pictures at
    the same time each get a compiler of their own (one compiler used by two threads at once
    fails), and the PDFs are those typeset one after another, but for their dates."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    r, _ = sample
    with ThreadPoolExecutor(1) as pool:  # a short report is not kept waiting by a long one
        long = pool.submit(typesetter.pdf, full_text_doc(28 * 22 * 60))  # 60 pages: 0.4 s
        time.sleep(0.05)
        typesetter.compile("#[短]", {})
        assert not long.done()
        long.result()
    docs = [full_text_doc(60), hostile_doc(), r.document, full_text_doc(90)]
    alone = [_undated(typesetter.pdf(d)) for d in docs]
    svgs = [SVG, SVG]
    with ThreadPoolExecutor(4) as pool:
        pdfs = [pool.submit(typesetter.pdf, d) for d in docs * 2]
        pngs = [pool.submit(typesetter.pngs, svgs) for _ in range(4)]
        assert [_undated(f.result()) for f in pdfs] == alone * 2
        assert all(f.result() == typesetter.pngs(svgs) for f in pngs)


def _undated(pdf: bytes) -> bytes:
    pdf = re.sub(rb"\((D:\d+Z?)\)", b"()", pdf)
    pdf = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", b"", pdf)
    return re.sub(rb"(ID>|ID\[\(|\)\()[A-Za-z0-9+/=]{24}", rb"\1", pdf)


def _parent(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


# --- the engine in the batch ---------------------------------------------------------------


def test_emreport_run_typesets_with_typst_and_chromium_stays_selectable(
    sample_store, run_cli, tmp_path, monkeypatch
):
    args = ("run", "--period", "2025", "--district", "990102", "--store", sample_store)
    assert run_cli(*args, "--outputs", tmp_path / "t").code == 0
    folder = tmp_path / "t" / "2025" / "990102"
    assert "Typst" in pdf_info((folder / "report.pdf").read_bytes())["Creator"]
    notebook = (folder / "report.ipynb").read_text(encoding="utf-8")
    assert '"typst"' not in notebook and "#set page" not in notebook  # the source left it
    monkeypatch.setenv("EMREPORT_PDF", "chromium")
    assert run_cli(*args, "--outputs", tmp_path / "c").code == 0
    chromium = pdf_info((tmp_path / "c" / "2025" / "990102" / "report.pdf").read_bytes())
    assert "Chrome" in chromium["Creator"]
    # the engine is part of the cache key: switching it makes the report again
    done = run_cli(*args, "--outputs", tmp_path / "t")
    assert done.code == 0 and "完成1份" in done.out + done.err
    assert "Chrome" in pdf_info((folder / "report.pdf").read_bytes())["Creator"]


def test_an_unknown_engine_is_refused_before_anything_runs(
    sample_store, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("EMREPORT_PDF", "latex")
    done = run_cli(
        "run",
        "--period",
        "2025",
        "--district",
        "990102",
        "--store",
        sample_store,
        "--outputs",
        tmp_path,
    )
    assert done.code == 1 and not list(tmp_path.iterdir())
    assert "环境变量 EMREPORT_PDF=latex无效：应为 typst" in done.out + done.err
    assert "Traceback" not in done.out + done.err
