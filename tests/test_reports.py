"""End to end: `emreport run` on the sample data for two districts and the city, both periods.

The expected figures were worked out by hand from the sample files (and are re-derived here with
plain pandas from the raw files, not from the store), then looked for in the PDF text, the HTML
and metrics.json; the tables must add up to their totals.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from emreport import cli, config
from emreport.data.ingest import ingest
from emreport.data.schema import HAZARD_UNIT
from emreport.metrics import wording

CODES = ("990102", "990171", "990100")  # 江城区 (with a narrative file), 高新区 (data alone), city
PERIODS = ("2025-H1", "2025")
FILES = (
    "report.html",
    "report.pdf",
    "report.docx",
    "report.xlsx",
    "report.ipynb",
    "metrics.json",
)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, store)
    return store


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, sample_store) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    code = cli.main(
        [
            "run",
            "--period",
            *PERIODS,
            "--district",
            ",".join(CODES),
            "--store",
            str(sample_store),
            "--outputs",
            str(out),
        ]
    )
    assert code == 0, "emreport run failed on the sample data"
    return out


def pdf_text(pdf: Path) -> str:
    """The PDF's text with page numbers and line breaks taken out, so figures read whole."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"—\s*\d+\s*—", "", text)
    return re.sub(r"\s+", "", text)


def html_text(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"\s+", "", html.replace("&amp;", "&"))


def metrics(out: Path, period: str, code: str) -> dict:
    return json.loads((out / period / code / "metrics.json").read_text(encoding="utf-8"))


# --- hand-checked figures, re-derived from the raw sample files ------------------------------


def raw_hazards(code: str, year: int, months: int) -> pd.DataFrame:
    h = pd.read_csv(config.SAMPLE / f"隐患排查_{year}.csv.gz", dtype=str)
    h = h[h["区划代码"] == code]
    found = pd.to_datetime(h["发现日期"])
    return h[found.dt.month <= months]


def test_hand_checked_figures_for_jiangcheng(outputs):
    m = metrics(outputs, "2025", "990102")["metrics"]
    # worked out by hand from the sample files (3 accidents, one each in 危险化学品, 建筑施工 and
    # 消防火灾, 1 death each; 6 a year earlier with 8 deaths)
    assert (m["accidents.count"]["value"], m["accidents.count"]["previous"]) == (3, 6)
    assert (m["accidents.deaths"]["value"], m["accidents.deaths"]["previous"]) == (3, 8)
    h = raw_hazards("990102", 2025, 12)
    assert m["hazards.found"]["value"] == len(h) == 3131
    assert m["hazards.major"]["value"] == (h["隐患等级"] == "重大").sum() == 19
    fixed = pd.to_datetime(h["整改日期"]) <= pd.Timestamp("2025-12-31")
    assert m["hazards.rectified"]["value"] == fixed.sum() == 3037
    assert m["inspections.count"]["value"] == 171 and m["inspections.cases"]["value"] == 61
    assert m["inspections.fines"]["value"] == pytest.approx(398.35)


def test_half_year_counts_only_january_to_june(outputs):
    m = metrics(outputs, "2025-H1", "990102")["metrics"]
    assert m["hazards.found"]["value"] == len(raw_hazards("990102", 2025, 6)) == 1542
    assert m["hazards.found"]["previous"] == len(raw_hazards("990102", 2024, 6))


def test_city_is_the_sum_of_its_districts_and_city_level(outputs):
    body = metrics(outputs, "2025", "990100")
    assert len(body["members"]) == 9  # 8 districts and 市本级
    for mid in (
        "accidents.count",
        "accidents.deaths",
        "hazards.found",
        "hazards.rectified",
        "inspections.count",
        "inspections.cases",
        "inspections.fines",
    ):
        parts = sum(v["metrics"][mid]["value"] for v in body["members"].values())
        assert body["metrics"][mid]["value"] == pytest.approx(parts), mid
    raw = pd.read_csv(config.SAMPLE / "隐患排查_2025.csv.gz", dtype=str)
    assert body["metrics"]["hazards.found"]["value"] == len(raw) == 25891


# --- every output, every report ----------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", CODES)
def test_all_six_outputs_are_written(outputs, period, code):
    for name in FILES:
        f = outputs / period / code / name
        assert f.exists() and f.stat().st_size > 0, f"{name} missing for {period}/{code}"
    assert not (outputs / period / code / "report.failed.ipynb").exists()


HEADLINE = (
    "accidents.count",
    "accidents.deaths",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "inspections.count",
    "inspections.cases",
    "inspections.fines",
)


def worded(metric: dict) -> str:
    v, unit = metric["value"], metric["unit"]
    if unit == "%":
        return wording.percent(v)
    return wording.money(v) if unit == "万元" else wording.count(v, unit)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", CODES)
def test_pdf_and_html_state_the_figures_of_metrics_json(outputs, period, code):
    folder = outputs / period / code
    m = metrics(outputs, period, code)["metrics"]
    pdf, html = pdf_text(folder / "report.pdf"), html_text(folder / "report.html")
    for mid in HEADLINE:
        figure = worded(m[mid])
        assert figure in pdf, f"{mid} ({figure}) is not in the PDF of {period}/{code}"
        assert figure in html, f"{mid} ({figure}) is not in the HTML of {period}/{code}"
    c, d = m["accidents.count"], m["accidents.deaths"]
    clause = wording.yoy_pair(
        [(c["value"], c["previous"]), (d["value"], d["previous"])], ["起", "人"]
    )
    assert f"生产安全事故{worded(c)}、死亡{worded(d)}，{clause}" in pdf


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", CODES)
def test_tables_add_up_to_the_totals_the_text_states(outputs, period, code):
    body = metrics(outputs, period, code)
    m, tables = body["metrics"], body["tables"]
    assert sum(tables["hazards.by_source"]["columns"]["发现隐患"]) == m["hazards.found"]["value"]
    assert sum(tables["hazards.by_grade"]["columns"]["已整改"]) == m["hazards.rectified"]["value"]
    assert sum(tables["accidents.by_month"]["columns"]["事故起数"]) == m["accidents.count"]["value"]
    assert (
        sum(tables["accidents.by_sector"]["columns"]["死亡人数"]) == m["accidents.deaths"]["value"]
    )
    assert sum(tables["inspections.by_sector"]["columns"]["罚款金额"]) == pytest.approx(
        m["inspections.fines"]["value"]
    )
    campaigns = tables["campaigns.by_name"]["columns"]
    assert sum(campaigns["发现隐患"]) == m["campaigns.found"]["value"]
    assert sum(campaigns["检查企业"]) == m["campaigns.enterprises"]["value"]
    for mid, split in body.get("splits", {}).items():
        assert split["市本级"] + split["各地"] == pytest.approx(m[mid]["value"]), mid
    # the appendix in the workbook carries the same 合计 as the text
    wb = openpyxl.load_workbook(outputs / period / code / "report.xlsx")
    sheet = next(ws for ws in wb.worksheets if "分来源隐患" in ws.title)
    total = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "合计")
    assert total[1] == m["hazards.found"]["value"]


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", CODES)
def test_pdf_is_clean_a4_with_embedded_fonts(outputs, period, code):
    pdf = outputs / period / code / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info, "not A4"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows), f"a font is not embedded:\n{fonts}"
    text = pdf_text(pdf)
    for bad in ("□", "\ufffd", "nan", "None", "Traceback", "NaN"):
        assert bad not in text, f"{bad!r} in the PDF of {period}/{code}"
    english = re.findall(r"[A-Za-z]{2,}", text)
    assert not english, f"English words in the report: {english[:5]}"


def test_report_parts_follow_the_genre(outputs):
    annual = pdf_text(outputs / "2025" / "990102" / "report.pdf")
    order = [
        "江城区应急管理局2025年度工作总结",
        "一、主要工作和成效",
        "（一）",
        "（二）深化隐患排查",
        "二、存在的问题和不足",
        "三、2026年主要安排",
        "附表",
    ]
    where = [annual.find(s) for s in order]
    assert -1 not in where and where == sorted(where), list(zip(order, where, strict=True))
    half = pdf_text(outputs / "2025-H1" / "990102" / "report.pdf")
    assert "三、下半年工作思路" in half and "一、上半年主要工作和成效" in half
    # the analyst's own text and its placeholders, from params/990102/2025.md
    assert "围绕“防风险、除隐患、保安全”目标" in annual
    assert "全年平台内发现隐患3131处" in annual
    assert "（一）压紧压实安全生产责任" in annual


def test_city_report_compares_districts(outputs):
    text = pdf_text(outputs / "2025" / "990100" / "report.pdf")
    body = metrics(outputs, "2025", "990100")["members"]
    fines = sorted(
        (
            (v["name"], v["metrics"]["inspections.fines"]["value"])
            for v in body.values()
            if v["level"] != "市本级"
        ),
        key=lambda x: -x[1],
    )
    top = "、".join(f"{n}（{wording.money(f)}）" for n, f in fines[:3])
    assert f"罚款金额排在前3位的是{top}" in text
    own = body["990101"]["metrics"]["hazards.found"]["value"]
    assert f"其中市本级排查隐患{wording.count(own, HAZARD_UNIT)}" in text
    assert "各地主要指标对比" in text


def test_district_without_narrative_still_gets_every_part(outputs):
    text = pdf_text(outputs / "2025" / "990171" / "report.pdf")
    for part in ("一、主要工作和成效", "三、2026年主要安排", "附表"):
        assert part in text


@pytest.mark.parametrize("code", CODES)
def test_executed_notebook_records_parameters_and_fingerprint(outputs, code):
    nb = nbformat.read(outputs / "2025" / code / "report.ipynb", as_version=4)
    params = nb.metadata["papermill"]["parameters"]
    assert params["period"] == "2025" and code in params.values()
    fingerprint = nb.metadata["emreport"]["data_fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint)
    assert metrics(outputs, "2025", code)["data_fingerprint"] == fingerprint
    streams = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o["output_type"] == "stream" and o["name"] == "stderr"
    ]
    assert not streams, f"the notebook wrote to stderr: {streams[:1]}"


@pytest.mark.parametrize("code", CODES)
def test_html_is_self_contained_without_code(outputs, code):
    html = (outputs / "2025" / code / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "a link to the network"
    assert "<script" not in html.lower(), "a script in the page"
    assert "report.build" not in html and "import " not in html, "code in the page"
    assert "@page" in html, "no print stylesheet"
    assert html.count("data:image/svg+xml;base64,") >= 3


# --- the page in real Chromium, offline ----------------------------------------------------


def test_html_opens_offline_in_chromium(outputs, tmp_path):
    from playwright.sync_api import sync_playwright

    from emreport.output.pdf import CHROMIUM_ARGS, chromium_path

    pages = [outputs / p / c / "report.html" for p in PERIODS for c in CODES]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        try:
            for page_file in pages:
                page = browser.new_page(viewport={"width": 900, "height": 1200})
                failed, errors, outside = [], [], []
                page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
                page.on(
                    "console", lambda m, errors=errors: m.type == "error" and errors.append(m.text)
                )
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))

                def block(route, outside=outside):
                    if route.request.url.startswith(("file:", "data:")):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                page.route("**/*", block)
                page.goto(page_file.as_uri(), wait_until="load")
                assert not failed and not errors and not outside, (
                    page_file,
                    failed,
                    errors,
                    outside,
                )
                assert page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")
                shot = tmp_path / "shot.png"
                page.screenshot(path=str(shot), full_page=False)
                from PIL import Image

                colours = Image.open(shot).convert("L").getextrema()
                assert colours[1] - colours[0] > 100, f"blank screenshot of {page_file}"
                page.close()
        finally:
            browser.close()


# --- hostile names -----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The sample data with a district named with a script tag and major-hazard enterprises
    named as HTML and as a spreadsheet formula."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(config.SAMPLE, data)
    wb = openpyxl.load_workbook(data / "区划名录.xlsx")
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        if str(row[0].value) == "990102":
            row[1].value = f"江城区{SCRIPT}"
    wb.save(data / "区划名录.xlsx")
    h = pd.read_csv(data / "隐患排查_2025.csv.gz", dtype=str, keep_default_na=False)
    major = h.index[(h["区划代码"] == "990102") & (h["隐患等级"] == "重大")]
    h.loc[major[0], "企业名称"] = IMG
    h.loc[major[1], "企业名称"] = FORMULA
    h.to_csv(data / "隐患排查_2025.csv.gz", index=False)
    store = root / "store.duckdb"
    ingest(data, store)
    out = root / "outputs"
    code = cli.main(
        [
            "run",
            "--period",
            "2025",
            "--district",
            "990102,990100",
            "--store",
            str(store),
            "--outputs",
            str(out),
        ]
    )
    assert code == 0
    return out / "2025"


@pytest.mark.parametrize("code", ["990102", "990100"])
def test_hostile_names_are_escaped_in_html(hostile, code):
    html = (hostile / code / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if code == "990102":
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("code", ["990102", "990100"])
def test_hostile_names_are_neutralised_in_xlsx(hostile, code):
    path = hostile / code / "report.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    wb = openpyxl.load_workbook(path)
    values = [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert FORMULA not in values
    if code == "990102":  # the city lists only major hazards still open
        assert f"'{FORMULA}" in values
    if code == "990100":  # the district comparison names the district
        assert any(SCRIPT in v for v in values)  # text stays text


@pytest.mark.parametrize("code", ["990102", "990100"])
def test_hostile_names_are_plain_text_in_docx(hostile, code):
    import docx
    from lxml import etree

    path = hostile / code / "report.docx"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # strict XML: every special character escaped
    d = docx.Document(path)
    text = [p.text for p in d.paragraphs] + [
        c.text for t in d.tables for row in t.rows for c in row.cells
    ]
    assert any(SCRIPT in t for t in text)
    if code == "990102":
        assert IMG in text and FORMULA in text


def test_hostile_names_do_not_run_in_chromium(hostile):
    from playwright.sync_api import sync_playwright

    from emreport.output.pdf import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto((hostile / "990102" / "report.html").as_uri(), wait_until="load")
            assert not dialogs
            assert page.evaluate("document.querySelectorAll('script, img[onerror]').length") == 0
        finally:
            browser.close()


def test_report_date_parameter_sets_the_date_line(sample_store):
    from emreport.report import ReportError, build

    r = build("990171", "2025", store=sample_store, report_date="2026-01-15")
    assert r.document.date == "2026年1月15日"
    with pytest.raises(ReportError, match="成文日期“2026-13-01”无效"):
        build("990171", "2025", store=sample_store, report_date="2026-13-01")


def test_every_sample_report_reads_as_chinese_with_full_width_punctuation(sample_store):
    from emreport.data.store import Store
    from emreport.output import html as page
    from emreport.report import build

    with Store(sample_store) as st:
        reg = st.registry()
    codes = list(reg.loc[reg["level"] != "市本级", "code"])
    for period in PERIODS:
        for code in codes:
            text = page.text(
                build(code, period, store=sample_store, report_date="2026-01-15").document
            )
            assert not re.search(r"[A-Za-z]{2,}", text), f"English in {period}/{code}"
            assert not re.search(r"[,;:()?!]", text), (
                f"half-width punctuation in {period}/{code}: "
                + re.search(r".{0,20}[,;:()?!].{0,20}", text).group(0)
            )
            assert "□" not in text
