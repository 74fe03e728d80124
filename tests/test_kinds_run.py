"""One command line for every kind of report: `emreport run --kind review --period 十四五`,
`--kind highlights --period 2025`. The batch, the cache, the index page and e-mail work for
each kind as for the summary; what a kind cannot read is refused before any work."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from email import policy
from email.parser import BytesParser
from pathlib import Path

import nbformat
import pytest

from emreport import config
from emreport.data import kinds
from emreport.data.ingest import ingest
from emreport.data.periods import Period, PlanPeriod
from emreport.data.store import Store
from emreport.output import folder as report_folder
from emreport.run import batch, cache, plan
from emreport.run.notebook import NOTEBOOKS, Job

RUN_HEAD = "无法开始生成，请先修改以下问题："
SEND_HEAD = "无法发送，请先修改以下问题："
UNITS = "990100,990102,990103"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    return path


def review_period(store: Path) -> PlanPeriod:
    """十四五 once the sample covers 2020–2025; until then the two years it has."""
    with Store(store) as st:
        if st.covers(Period(2021, None)):
            return PlanPeriod.parse("十四五")
        first = min(int(h[:4]) for h in st.halves())
    return PlanPeriod(first, first + 1)


def highlights_made(store: Path) -> bool:
    """Whether this tree computes highlights yet (they are built beside this)."""
    from emreport.metrics.highlights import compute_highlights

    with Store(store) as st:
        try:
            compute_highlights(st, "990102", Period.parse("2025"))
        except NotImplementedError:
            return False
    return True


def test_a_job_names_its_kind_folder_notebook_and_parameters():
    summary = Job("990102", "district", "2025")
    review = Job("990100", "city", "2021-2025", kinds.REVIEW)
    brief = Job("990102", "district", "2025", kinds.HIGHLIGHTS)
    assert [j.id for j in (summary, review, brief)] == [
        "2025/990102",
        "2021-2025/990100",
        "2025-highlights/990102",
    ]
    assert [j.notebook.name for j in (summary, review, brief)] == [
        "district_report.ipynb",
        "review_report.ipynb",
        "highlights_report.ipynb",
    ]
    assert summary.parameters(Path("s"), Path("p"))["district"] == "990102"
    assert review.parameters(Path("s"), Path("p")) == {
        "unit": "990100",
        "period": "2021-2025",
        "store": "s",
        "params_dir": "p",
    }
    assert brief.out_dir(Path("out")) == Path("out/2025-highlights/990102")


def test_every_kind_over_the_sample_units_and_an_unchanged_rerun_is_cached(
    store, tmp_path, run_cli, monkeypatch
):
    out = tmp_path / "out"
    span = review_period(store)
    runs = [(kinds.SUMMARY, "2025"), (kinds.REVIEW, span.name or span.code)]
    if highlights_made(store):
        runs.append((kinds.HIGHLIGHTS, "2025"))
    common = ("--district", UNITS, "--store", store, "--outputs", out)
    for kind, period in runs:
        done = run_cli("run", "--kind", kind, "--period", period, *common)
        assert done.code == 0, done.err
        assert "完成3份，未变化0份，失败0份" in done.out, done.out
    folders = {kinds.kind(k).folder(kinds.kind(k).period(p)): k for k, p in runs}
    assert set(folders) >= {"2025", span.code}
    for name, kind in folders.items():
        assert (out / name / report_folder.INDEX).is_file()
        for code in UNITS.split(","):
            report = out / name / code
            assert set(report_folder.FILES) <= {p.name for p in report.iterdir()}
            metrics = json.loads((report / report_folder.METRICS).read_text(encoding="utf-8"))
            assert metrics["unit"]["code"] == code
            assert metrics.get("kind", kinds.SUMMARY) == kind
            nb = nbformat.read(report / report_folder.NOTEBOOK, as_version=4)
            assert nb.metadata["emreport"]["kind"] == kind
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("report.pdf")}

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker was started for a run with nothing to do")

    monkeypatch.setattr(batch, "LocalPool", no_worker)
    for kind, period in runs:
        again = run_cli("run", "--kind", kind, "--period", period, *common)
        assert again.code == 0 and "完成0份，未变化3份" in again.out, again.out + again.err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("report.pdf")} == stamps

    # the review folder's index: its title, the totals and the last year against the base
    page = (out / span.code / report_folder.INDEX).read_text(encoding="utf-8")
    assert f"<h1>{span.label}工作总结（3份）</h1>" in page
    for label in ("累计生产安全事故", "累计死亡人数", f"{span.last}年死亡人数", "期间整改率"):
        assert f"<th>{label}</th>" in page
    city = json.loads((out / span.code / "990100" / "metrics.json").read_text(encoding="utf-8"))
    total = city["metrics"]["accidents.deaths.total"]
    assert f'<td class="num">{total["value"]}人</td>' in page
    assert '<a href="990100/report.pdf">PDF</a>' in page
    if "accidents.deaths.vs_base" in city["metrics"]:
        assert f"较{span.base_label}" in page

    # a dry run of the review's e-mail: subject, attachment and figures by the kind's title
    outbox = tmp_path / "outbox"
    sent = run_cli(
        "send", "--kind", "review", "--period", span.code, "--district", "990100",
        "--dry-run", "--outputs", out, "--outbox", outbox, "--store", store,
    )  # fmt: skip
    assert sent.code == 0, sent.err
    msg = BytesParser(policy=policy.default).parsebytes(
        (outbox / span.code / "990100.eml").read_bytes()
    )
    assert msg["Subject"] == f"临江市应急管理局{span.label}工作总结"
    assert [a.get_filename() for a in msg.iter_attachments()] == [f"临江市{span.label}工作总结.pdf"]
    text = msg.get_body(("plain",)).get_content()
    assert f"{span.label}累计死亡人数{total['value']}人" in text
    assert "同比" not in text
    assert f"临江市{span.label}工作总结.pdf" in sent.out


def test_a_review_names_its_years_without_data_before_the_run(store, monkeypatch):
    span = review_period(store)
    grid = plan.plan([span.code], "990100", store=store, params_dir=config.PARAMS, kind="review")
    with Store(store) as st:
        base_missing = not st.covers(Period(span.base, None))
    base = f"提示：{span.label}（{span.code}）：{span.base}年（基期）没有数据：较基期的比较不写"
    assert grid.notices == ([base] if base_missing else [])
    # a year in the middle without data, as well as the base year
    monkeypatch.setattr(plan, "missing_years", lambda st, p: [p.base, p.years[1]])
    grid = plan.plan(["2021-2025"], "990100", store=store, params_dir=config.PARAMS, kind="规划")
    assert grid.notices == [
        "提示：“十四五”（2021-2025）：2020年（基期）没有数据：较基期的比较不写",
        "提示：“十四五”（2021-2025）：2022年没有数据：该年空缺，累计不写",
    ]
    assert [j.id for j in grid.jobs] == ["2021-2025/990100"]


def _refused(run, head: str, line: str) -> None:
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [head, line]
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    ("kind", "period", "line"),
    [
        (
            "review",
            "2025",
            "规划期工作总结（--kind review）的期间“2025”无效：应写作规划期“十四五”（或“十三五”）"
            "或起止年份“2021-2025”；半年和年度的工作总结不加 --kind",
        ),
        (
            "summary",
            "十四五",
            "半年和年度工作总结的期间“十四五”无效：应写作2025-H1（上半年）或2025（全年）；"
            "规划期（如“十四五”）的工作总结请加 --kind review",
        ),
        (
            "亮点",
            "2021-2025",
            "工作亮点（--kind highlights）的期间“2021-2025”无效：应写作2025-H1（上半年）或2025"
            "（全年）；规划期（如“十四五”）的工作总结请加 --kind review",
        ),
        (
            "年报",
            "2025",
            "报告种类“年报”不认识：可用summary（工作总结）；review（规划期工作总结）；"
            "highlights（工作亮点）",
        ),
        (
            "review",
            "2010-2014",
            "2010—2014年（2010-2014）各年都没有数据（已有数据的半年：{have}）",
        ),
    ],
)
def test_a_kind_or_period_that_cannot_be_read_is_refused(
    kind, period, line, run_cli, store, tmp_path
):
    with Store(store) as st:
        line = line.format(have="、".join(sorted(st.halves())))
    out = tmp_path / "out"
    common = ("--kind", kind, "--period", period, "--district", "990102", "--store", store)
    _refused(run_cli("run", *common, "--outputs", out), RUN_HEAD, line)
    assert not out.exists()
    if "数据" not in line:  # send reads no data, only the reports on disk
        _refused(run_cli("send", *common, "--outputs", out, "--dry-run"), SEND_HEAD, line)


def test_a_review_narrative_is_read_with_the_reviews_outline_and_ids(store, tmp_path):
    span = review_period(store)
    params = tmp_path / "params"
    (params / "990100").mkdir(parents=True)
    story = params / "990100" / f"{span.code}.md"
    story.write_text(
        "## 导语\n\n累计死亡{accidents.deaths.total}人，"
        f"{span.last}年{{accidents.deaths.{span.last}}}人。\n",
        encoding="utf-8",
    )
    plan.plan([span.code], "990100", store=store, params_dir=params, kind="review")
    story.write_text("## 导语\n\n累计死亡{accidents.deaths.totl}人。\n", encoding="utf-8")
    with pytest.raises(plan.PlanError) as e:
        plan.plan([span.code], "990100", store=store, params_dir=params, kind="review")
    assert len(e.value.problems) == 1
    assert "accidents.deaths.totl" in e.value.problems[0]
    assert f"{span.code}.md 第3行" in e.value.problems[0]
    # the summary's file of the same unit is not the review's
    story.write_text("## 导语\n\n累计死亡{accidents.deaths.total}人。\n", encoding="utf-8")
    (params / "990100" / "2025.md").write_text("## 导语\n\n{accidents.deaths.total}\n")
    plan.plan([span.code], "990100", store=store, params_dir=params, kind="review")


def test_a_unit_has_its_own_notebook_per_kind(store, tmp_path):
    notebooks = tmp_path / "nb"
    shutil.copytree(NOTEBOOKS, notebooks)
    mine = notebooks / "review_report.990100.ipynb"
    shutil.copy(notebooks / "review_report.ipynb", mine)
    review = Job("990100", "city", "2021-2025", kinds.REVIEW)
    assert review.notebook_in(notebooks) == mine
    assert Job("990100", "city", "2025").notebook_in(notebooks).name == "city_report.ipynb"
    (notebooks / "review_report.990199.ipynb").write_bytes(mine.read_bytes())
    with pytest.raises(plan.PlanError) as e:
        plan.plan(["2025"], "990102", store=store, params_dir=config.PARAMS, notebooks=notebooks)
    assert any(
        "review_report.990199.ipynb：不是某个单位自己的笔记本" in line for line in e.value.problems
    ), e.value.problems


def _edited_store(tmp_path: Path, code: str, when: str) -> Path:
    """The sample with one enterprise name of `code` changed in a hazard found in `when`
    (a regex on the date), ingested."""
    data = tmp_path / "data"
    shutil.copytree(config.SAMPLE, data)
    for csv in sorted(data.glob("隐患排查_*.csv*")):  # .csv, or .csv.gz
        packed = csv.suffix == ".gz"
        raw = gzip.decompress(csv.read_bytes()) if packed else csv.read_bytes()
        lines = raw.decode("utf-8-sig").splitlines()
        for i, line in enumerate(lines):
            fields = line.split(",")
            if fields[1] == code and re.match(when, fields[6]):
                fields[2] = "更名后的企业有限公司"
                lines[i] = ",".join(fields)
                raw = ("\n".join(lines) + "\n").encode("utf-8-sig")
                csv.write_bytes(gzip.compress(raw) if packed else raw)
                path = tmp_path / "edited.duckdb"
                ingest(data, path)
                return path
    raise AssertionError(f"no hazard of {code} found in {when}")


def _keys(path: Path, reads: list[tuple[str, str, str]]) -> dict:
    with Store(path) as st:
        wanted = [
            cache.Reads(st.unit(code), kind, kinds.kind(kind).period(p)) for code, kind, p in reads
        ]
        return cache.data_keys(st, wanted)


def test_data_keys_cover_what_each_kind_reads(store, tmp_path):
    span = review_period(store)
    last = span.last
    reads = [
        ("990102", "summary", f"{last}-H1"),
        ("990102", "review", span.code),
        ("990102", "highlights", f"{last}-H1"),
        ("990103", "summary", f"{last}-H1"),
        ("990103", "highlights", f"{last}-H1"),
    ]
    before = _keys(store, reads)
    assert len(set(before.values())) == len(reads)
    # a hazard of 990102 found in the second half of the span's first year: not read by
    # the summary of the last year's first half, read by the review and by the highlights
    # (every earlier year), and by the highlights of the city's other districts (ranks)
    edited = _edited_store(tmp_path, "990102", rf"{span.first}-(0[7-9]|1[0-2])-")
    after = _keys(edited, reads)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {
        ("990102", span.code),
        ("990102", f"{last}-H1-highlights"),
        ("990103", f"{last}-H1-highlights"),
    }
