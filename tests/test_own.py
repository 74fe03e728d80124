"""The analyst's own tables and figures (report.table, report.figure), matplotlib with a Chinese
face, a unit's own notebook, and outputs the page leaves out named in the run summary."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

from emreport import report
from emreport.compose import own
from emreport.output import html as page
from emreport.output.pdfread import pdf_text
from emreport.run import batch, plan
from emreport.run.notebook import NOTEBOOKS, Job

LIB = str(Path(__file__).resolve().parents[1] / "lib")
TOWNS = pd.DataFrame(
    {"发现隐患": [120, 45, np.nan], "整改率": [0.95, 0.8, 1.0], 2024: [98, 40, 7]},
    index=pd.Index(["甲镇", "乙镇<b>", "丙镇"], name="乡镇"),
)


@pytest.fixture
def r(good_store, tmp_path):
    return report.build(
        "990102", "2025", store=good_store, params_dir=tmp_path, report_date="2026-01-15"
    )


def captions(doc) -> list[str]:
    fragment = "".join(write() for _, write in page.parts(doc))
    return re.findall(r"<caption>([^<]*)</caption>|<figcaption>([^<]*)</figcaption>", fragment)


def test_own_table_and_figure_are_numbered_in_page_order_with_the_generated_ones(r):
    generated = page.text(r.document).splitlines()
    figures = [line for line in generated if line.startswith("图")]
    tables_before = len(r.document.appendix)
    report.table(r, TOWNS, title="各镇隐患整改情况", after="隐患排查治理", units={"发现隐患": "处"})
    report.figure(r, SVG, caption="各镇隐患数量", after="（二）隐患排查治理")
    report.table(r, TOWNS.head(1), title="表9 补充表", after="附表")
    printed = captions(r.document)
    tables = [t for t, _ in printed if t]
    assert tables[0] == "表1\u3000各镇隐患整改情况"  # the body comes before the appendix
    assert len(tables) == tables_before + 2
    assert tables[-1] == f"表{tables_before + 2}\u3000补充表"  # its own 表9 taken off
    assert tables[1] == f"表2\u3000{r.document.appendix[0].title}"
    figs = [f for _, f in printed if f]
    assert len(figs) == len(figures) + 1
    hazard_figs = [f for f in figures if "隐患" in f]  # the section's own charts come first
    mine = figs.index(next(f for f in figs if f.endswith("各镇隐患数量")))
    assert mine == figures.index(hazard_figs[-1]) + 1
    assert figs[mine] == f"图{mine + 1}\u3000各镇隐患数量"


def test_own_table_is_escaped_with_empty_cells_and_any_column_names(r):
    frame = TOWNS.copy()
    frame[("上年", "起数")] = [1, None, 3]
    frame = frame.reset_index()  # a plain 0, 1, 2 index becomes 序号
    report.table(r, frame, title="各镇<情况>", after="问题", units="处", note="注：丙镇&新设")
    fragment = dict(page.parts(r.document))["问题"]()
    assert "乙镇&lt;b&gt;" in fragment and "<b>" not in fragment
    assert "各镇&lt;情况&gt;" in fragment and "丙镇&amp;新设" in fragment
    assert "nan" not in fragment.lower() and "None" not in fragment
    assert "<th>序号</th>" in fragment and "<th>上年／起数（处）</th>" in fragment
    assert "<th>2024（处）</th>" in fragment and "<th>乡镇</th>" in fragment  # text: no unit
    assert '<td class="num">—</td>' in fragment  # the NaN


def test_the_same_title_again_replaces_the_table(r):
    report.table(r, TOWNS, title="各镇", after="问题")
    report.table(r, TOWNS.head(2), title="各镇", after="安排")
    mine = [b for s in own.sections(r.document) for b in s.blocks if getattr(b, "own", "")]
    assert len(mine) == 1 and len(mine[0].frame) == 2
    assert own.section_of(r.document, mine[0].own).key == "安排"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"after": "隐患治理"}, "报告中没有名为「隐患治理」的节：最接近的是「隐患排查治理」"),
        ({"after": ""}, "请用 after= 写明放在哪一节的末尾"),
        ({"title": ""}, "请写表的标题（title=）"),
        ({"frame": pd.DataFrame({"a": range(own.MAX_ROWS + 1)})}, "报告里的表最多200行15列"),
        ({"frame": pd.DataFrame(np.ones((2, own.MAX_COLUMNS + 1)))}, "报告里的表最多200行15列"),
        ({"frame": [1, 2]}, "需要一个 pandas 表格（DataFrame），收到的是list"),
        ({"frame": TOWNS.iloc[:0]}, "没有数据（0行3列）"),
        ({"units": {"发现": "处"}}, "units= 写了没有的列“发现”，是不是“发现隐患”"),
        ({"frame": TOWNS.assign(x=np.inf)}, "无穷大"),
    ],
)
def test_what_cannot_join_the_report_is_one_chinese_line(r, kwargs, words):
    args = {"frame": TOWNS, "title": "各镇", "after": "问题", **kwargs}
    frame = args.pop("frame")
    with pytest.raises(report.ReportError) as e:
        report.table(r, frame, **args)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_unknown_section_lists_the_sections_and_bad_svg_is_refused(r):
    with pytest.raises(report.ReportError, match="可以写的节：导语、成效、安全生产形势"):
        report.figure(r, SVG, caption="图", after="不存在")
    with pytest.raises(report.ReportError, match="不是有效的 SVG（第1行"):
        report.figure(r, b"<svg><g></svg>", caption="坏图", after="问题")
    with pytest.raises(report.ReportError, match="最外层是<html>"):
        report.figure(r, "<html/>", caption="坏图", after="问题")


def test_own_table_goes_to_the_bundle_with_numbers_as_numbers(r):
    report.table(r, TOWNS, title="各镇隐患整改情况", after="隐患排查治理", units={"整改率": "%"})
    body = r.bundle["metrics"]["own_tables"]
    assert body == [
        {
            "title": "表1\u3000各镇隐患整改情况",
            "after": "隐患排查治理",
            "index_name": "乡镇",
            "index": ["甲镇", "乙镇<b>", "丙镇"],
            "columns": ["发现隐患", "整改率", "2024"],
            "rows": [[120, 0.95, 98], [45, 0.8, 40], [None, 1, 7]],
            "units": {"整改率": "%"},
            "note": "",
        }
    ]
    assert [t["title"] for t in r.bundle["own"]] == ["表1\u3000各镇隐患整改情况"]


# --- matplotlib ------------------------------------------------------------------------------

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    b'<rect x="10" y="10" width="50" height="80" fill="#1f4e79"/></svg>'
)

CHART = """
import sys, warnings
{first}
warnings.simplefilter("error")  # a "Glyph missing" warning fails the script
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from emreport.compose import mpl
fig, ax = plt.subplots()
ax.bar(["甲镇", "乙镇", "丙镇"], [-3, 5, 12])
ax.set_title("各镇隐患整改情况（处）")
ax.set_xlabel("乡镇")
fig.canvas.draw()
svg = mpl.svg_of(fig, "各镇")
print(plt.rcParams["font.sans-serif"][0], plt.rcParams["axes.unicode_minus"], len(svg))
print("<text" in svg.decode(), plt.get_fignums())
"""


@pytest.mark.parametrize("first", ["from emreport import report", "import matplotlib"])
def test_matplotlib_chart_with_chinese_labels_draws_without_a_warning(first):
    script = CHART.replace("{first}", first)
    if first == "import matplotlib":  # imported before emreport: configured at once
        script = script.replace(
            "import matplotlib\n", "import matplotlib\nimport emreport.report\n", 1
        )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": LIB, "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr.strip(), done.stderr
    face, minus, size = done.stdout.split("\n")[0].split()
    assert face == "FandolHei" and minus == "False" and int(size) > 1000
    assert done.stdout.split("\n")[1] == "False []"  # text as outlines; the figure closed


def test_importing_emreport_does_not_import_matplotlib():
    done = subprocess.run(
        [sys.executable, "-c", "import sys, emreport.report; print('matplotlib' in sys.modules)"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": LIB, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


def test_a_glyph_no_face_has_is_refused(r):
    matplotlib = pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("\U0001f6a7")  # a construction sign: in no CJK face
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        with pytest.raises(report.ReportError, match="字体中没有的字"):
            report.figure(r, fig, caption="施工", after="问题")


# --- a unit's own notebook, and the whole run ------------------------------------------------

OWN_CELLS = [
    """\
import warnings
import pandas as pd
import matplotlib.pyplot as plt
warnings.simplefilter("error")""",
    """\
towns = pd.DataFrame({"发现隐患": [120, 45, None], "已整改": [114, 36, 7]},
                     index=pd.Index(["甲镇", "乙镇", "丙镇"], name="乡镇"))
report.table(r, towns, title="各镇隐患整改情况", after="隐患排查治理", units="处")""",
    """\
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(towns.index, towns["已整改"] - 50)
ax.set_ylabel("比上年增减（处）")
report.figure(r, fig, caption="各镇隐患整改增减", after="隐患排查治理")""",
    'print("探索：", len(towns))',
]


def own_notebook(folder: Path, code: str) -> Path:
    """The stock notebooks, and one unit's own copy with an analyst's cells before publish."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("district", "city"):
        (folder / f"{kind}_report.ipynb").write_bytes(
            (NOTEBOOKS / f"{kind}_report.ipynb").read_bytes()
        )
    nb = nbformat.read(NOTEBOOKS / "district_report.ipynb", as_version=4)
    for source in OWN_CELLS:
        nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, folder / f"district_report.{code}.ipynb")
    return folder


@pytest.fixture(scope="module")
def run(good_store, tmp_path_factory):
    """A batch of two districts, one with its own notebook: (outputs, summary, result)."""
    notebooks = own_notebook(tmp_path_factory.mktemp("nb"), "990102")
    params = tmp_path_factory.mktemp("params")
    out = tmp_path_factory.mktemp("out")
    grid = plan.plan(
        ["2025"], "990102,990171", store=good_store, params_dir=params, notebooks=notebooks
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        result = batch.run(
            grid,
            store=good_store,
            params_dir=params,
            outputs=out,
            notebooks=notebooks,
            tty=False,
        )
    return out / "2025", err.getvalue(), result


def test_a_units_own_notebook_is_used_for_that_unit_only(run):
    out, _, result = run
    assert not result.failed and len(result.done) == 2
    used = {
        code: Path(
            nbformat.read(out / code / "report.ipynb", as_version=4).metadata.papermill.input_path
        ).name
        for code in ("990102", "990171")
    }
    assert used == {"990102": "district_report.990102.ipynb", "990171": "district_report.ipynb"}
    sources = {
        code: "".join(
            c.source for c in nbformat.read(out / code / "report.ipynb", as_version=4).cells
        )
        for code in ("990102", "990171")
    }
    assert "report.table(" in sources["990102"] and "report.table(" not in sources["990171"]


def test_own_table_and_figure_reach_html_pdf_xlsx_and_metrics(run):
    out, _, _ = run
    html = (out / "990102" / "report.html").read_text(encoding="utf-8")
    assert "表1\u3000各镇隐患整改情况" in html and "<th>已整改（处）</th>" in html
    assert re.search(r"图\d+\u3000各镇隐患整改增减", html)
    assert "nan" not in re.sub(r"<style>.*?</style>|data:[^\"]+", "", html, flags=re.S).lower()
    text = re.sub(r"\s+", "", pdf_text((out / "990102" / "report.pdf").read_bytes()))
    assert "表1各镇隐患整改情况" in text.replace("\u3000", "")
    assert "甲镇120114" in text and "乙镇4536" in text and "丙镇—7" in text
    assert "各镇隐患整改增减" in text
    book = openpyxl.load_workbook(out / "990102" / "report.xlsx")
    sheet = book[book.sheetnames[0]]
    assert sheet["A1"].value == "表1\u3000各镇隐患整改情况"
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=5)] == [
        ["乡镇", "发现隐患（处）", "已整改（处）"],
        ["甲镇", 120, 114],
        ["乙镇", 45, 36],
        ["丙镇", None, 7],
    ]
    assert book.sheetnames[1].startswith("表2")  # the appendix follows, renumbered
    metrics = json.loads((out / "990102" / "metrics.json").read_text(encoding="utf-8"))
    (mine,) = metrics["own_tables"]
    assert mine["rows"] == [[120, 114], [45, 36], [None, 7]] and mine["after"] == "隐患排查治理"
    other = json.loads((out / "990171" / "metrics.json").read_text(encoding="utf-8"))
    assert "own_tables" not in other


def test_own_table_and_figure_reach_the_docx(run):
    import docx

    out, _, _ = run
    d = docx.Document(out / "990102" / "report.docx")
    text = [p.text for p in d.paragraphs]
    assert "表1\u3000各镇隐患整改情况" in text
    assert any(re.fullmatch(r"图\d+\u3000各镇隐患整改增减", t) for t in text)
    mine = d.tables[0]
    assert [[c.text for c in row.cells] for row in mine.rows] == [
        ["乡镇", "发现隐患（处）", "已整改（处）"],
        ["甲镇", "120", "114"],
        ["乙镇", "45", "36"],
        ["丙镇", "—", "7"],
    ]
    assert len(d.inline_shapes) == sum(1 for t in text if re.match(r"图\d+\u3000", t))


def test_an_unshown_output_is_named_in_the_summary(run):
    out, summary, result = run
    nb = nbformat.read(out / "990102" / "report.ipynb", as_version=4)
    n = next(i for i, c in enumerate(nb.cells) if c.source.startswith('print("探索'))
    assert (
        f'提示：2025/990102：第{n + 1}个单元格（print("探索：", len(towns))）的输出没有进入报告'
        in summary
    )
    (line,) = [ln.strip() for ln in summary.splitlines() if "提示" in ln]
    assert line.endswith("的输出没有进入报告（请用 report.table / report.figure 加入，或删去）")
    assert line.count("单元格") == 1  # the table's and the figure's cells are accounted for
    assert "990171" not in summary  # the stock notebook leaves nothing out
    assert [j.id for j, _ in result.warnings] == ["2025/990102"]


def test_the_key_follows_the_units_own_notebook(good_store, tmp_path):
    notebooks, params = own_notebook(tmp_path / "nb", "990102"), tmp_path
    grid = plan.plan(
        ["2025"], "990102,990171", store=good_store, params_dir=params, notebooks=notebooks
    )

    def keys():
        specs = batch.specs_for(
            grid, store=good_store, params_dir=params, notebooks=notebooks, timeout=60
        )
        return {s.job.code: s.key for s in specs}

    before = keys()
    mine = notebooks / "district_report.990102.ipynb"
    mine.write_text(mine.read_text(encoding="utf-8").replace("探索", "查看"), encoding="utf-8")
    after = keys()
    assert after["990102"] != before["990102"] and after["990171"] == before["990171"]
    assert Job("990102", "district", "2025").notebook_in(notebooks) == mine
    assert Job("990171", "district", "2025").notebook_in(notebooks).name == "district_report.ipynb"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("district_report.990199.ipynb", "不是某个单位自己的笔记本"),
        (
            "district_report.990100.ipynb",
            "990100是市，它自己的笔记本应命名为 city_report.990100.ipynb",
        ),
        ("district_report.990101.ipynb", "不是某个单位自己的笔记本"),  # 市本级 has no report
    ],
)
def test_an_own_notebook_named_for_no_unit_stops_the_plan(good_store, tmp_path, name, words):
    notebooks, params = own_notebook(tmp_path / "nb", "990102"), tmp_path
    (notebooks / name).write_bytes((notebooks / "district_report.ipynb").read_bytes())
    with pytest.raises(plan.PlanError) as e:
        plan.plan(["2025"], "990102", store=good_store, params_dir=params, notebooks=notebooks)
    assert any(words in line and name in line for line in e.value.problems), e.value.problems


def test_cells_of_any_type_print_in_chinese(r):
    from datetime import date, timedelta

    frame = pd.DataFrame(
        {
            "日期": [date(2025, 7, 1), pd.Timestamp("2025-07-02 08:30"), pd.NaT],
            "历时": [timedelta(hours=26, minutes=5), pd.Timedelta(minutes=45), pd.NaT],
            "已结案": [True, False, None],
            "金额": [np.int64(3), np.float32(2.5), pd.NA],
        }
    )
    report.table(r, frame, title="类型", after="问题", units={"金额": "万元"})
    fragment = dict(page.parts(r.document))["问题"]()
    for words in ("2025年7月1日", "2025年7月2日 08:30", "1天2小时5分钟", "45分钟", "是", "否"):
        assert f">{words}<" in fragment
    assert not re.search(r">[^<]*(True|False|NaT|nan|None|days)[^<]*<", fragment)
    assert '<td class="num">2.5</td>' in fragment
