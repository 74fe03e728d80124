"""Batch runs: a fresh namespace for every report, failures isolated, interruption harmless,
and only what changed made again."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from emreport import config
from emreport.data.ingest import ingest
from emreport.output import folder as report_folder
from emreport.run import batch, plan
from emreport.run.notebook import NOTEBOOKS

FILES = set(report_folder.FILES)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    return path


def notebooks_with(folder: Path, source: str) -> Path:
    """Copies of the report notebooks with one extra code cell before the last one (publish)."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("district", "city"):
        nb = nbformat.read(NOTEBOOKS / f"{kind}_report.ipynb", as_version=4)
        nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(source))
        nbformat.write(nb, folder / f"{kind}_report.ipynb")
    return folder


def extra_cell_number(notebooks: Path) -> int:
    """The 1-based number of the inserted cell in the executed notebook (the one kept when it
    fails), which has papermill's injected-parameters cell after the parameters cell."""
    nb = nbformat.read(notebooks / "district_report.ipynb", as_version=4)
    return len(nb.cells) - 1 + 1


def make(
    store: Path,
    outputs: Path,
    codes: str,
    periods=("2025",),
    *,
    params: Path = config.PARAMS,
    notebooks: Path = NOTEBOOKS,
    **kw,
) -> batch.Result:
    grid = plan.plan(list(periods), codes, store=store, params_dir=params, notebooks=notebooks)
    return batch.run(
        grid, store=store, params_dir=params, outputs=outputs, notebooks=notebooks, tty=False, **kw
    )


def ids(jobs) -> set[str]:
    return {j.id for j in jobs}


def stream_text(nb_path: Path, marker: str) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and marker in out.get("text", ""):
                return out["text"]
    raise AssertionError(f"{marker} not printed in {nb_path}")


POLLUTE = """
import json, os
import matplotlib
import emreport.metrics.wording as _wording
print("SEEN " + json.dumps({
    "pid": os.getpid(),
    "global": "LEAKED_GLOBAL" in globals(),
    "rc": matplotlib.rcParams["lines.linewidth"],
    "patched": getattr(_wording.number, "__name__", "") == "patched",
}))
LEAKED_GLOBAL = district
matplotlib.rcParams["lines.linewidth"] = 9.5
def patched(*args, **kwargs):
    return "篡改"
_wording.number = patched
"""


def test_each_report_starts_from_a_clean_namespace(store, tmp_path):
    notebooks = notebooks_with(tmp_path / "nb", POLLUTE)
    out = tmp_path / "out"
    # one worker: both reports run one after the other from the same warm kernel server
    result = make(store, out, "990102,990103", notebooks=notebooks, jobs=1)
    assert not result.failed and len(result.done) == 2
    seen = [
        json.loads(stream_text(out / "2025" / c / "report.ipynb", "SEEN").split("SEEN ")[1])
        for c in ("990102", "990103")
    ]
    default_width = __import__("matplotlib").rcParamsDefault["lines.linewidth"]
    for s in seen:  # whichever ran second saw nothing the first one did
        assert s["global"] is False
        assert s["rc"] == default_width
        assert s["patched"] is False
    assert seen[0]["pid"] != seen[1]["pid"]
    for c in ("990102", "990103"):
        assert "篡改" not in (out / "2025" / c / "report.html").read_text(encoding="utf-8")


MISBEHAVE = """
import os, signal, time
if district == "990103":
    raise ValueError("故意的错误")
if district == "990104":
    os.kill(os.getpid(), signal.SIGKILL)
if district == "990105":
    time.sleep(600)
"""


def test_a_failing_dying_or_hanging_report_does_not_stop_the_others(store, tmp_path, capsys):
    notebooks = notebooks_with(tmp_path / "nb", MISBEHAVE)
    n = extra_cell_number(notebooks)
    out = tmp_path / "out"
    started = time.monotonic()
    result = make(store, out, "990102,990103,990104,990105,990121", notebooks=notebooks, timeout=5)
    assert time.monotonic() - started < 120
    assert ids(result.done) == {"2025/990102", "2025/990121"}
    failed = dict((j.id, m) for j, m in result.failed)
    assert failed["2025/990103"] == f"第{n}个单元格出错：ValueError：故意的错误"
    assert failed["2025/990104"] == f"第{n}个单元格运行时内核意外退出（被信号9终止）"
    assert failed["2025/990105"] == f"第{n}个单元格运行超过5秒仍未结束，已停止"
    assert result.exit_code == 1
    err = capsys.readouterr().err
    for code in ("990103", "990104", "990105"):
        kept = out / "2025" / code / "report.failed.ipynb"
        assert kept.exists()
        assert f"失败：2025/{code}：{failed['2025/' + code]}；出错的笔记本：{kept}" in err
        assert not (out / "2025" / code / "report.pdf").exists()
        assert report_folder.read_state(out / "2025" / code)["status"] == "failed"
    for code in ("990102", "990121"):
        assert FILES <= {p.name for p in (out / "2025" / code).iterdir()}
    page = (out / "2025" / "index.html").read_text(encoding="utf-8")
    assert "生成失败（3份）" in page and "故意的错误" in page and "江城区" in page
    assert '<a href="990102/report.docx">Word</a>' in page


KILL_WORKER = """
import os, signal
if district == "990103":
    server = os.getppid()  # the kernel server; its parent is the worker running the lanes
    worker = int(open(f"/proc/{server}/stat").read().rsplit(")", 1)[1].split()[1])
    os.kill(worker, signal.SIGKILL)
"""


def test_a_worker_that_dies_fails_only_the_reports_it_had_started(store, tmp_path):
    notebooks = notebooks_with(tmp_path / "nb", KILL_WORKER)
    out = tmp_path / "out"
    codes = ["990102", "990103", "990104", "990105", "990121"]
    started = time.monotonic()
    result = make(store, out, ",".join(codes), notebooks=notebooks, jobs=2)
    assert time.monotonic() - started < 120
    failed = dict((j.id, m) for j, m in result.failed)
    assert "2025/990103" in failed
    # reports the worker had started (running in a lane, or printing) go down with it; each
    # one it had only been handed is made by the worker that takes its place
    assert len(failed) <= 4 and result.done
    assert all(m.startswith("生成进程意外退出（退出码-9）") for m in failed.values()), failed
    assert len(result.done) + len(result.failed) == len(codes)
    for job in result.done:
        assert FILES <= {p.name for p in job.out_dir(out).iterdir()}
    assert result.exit_code == 1


def test_unchanged_reports_are_not_made_again_and_changed_data_redoes_only_its_reports(
    store, tmp_path
):
    data = tmp_path / "data"
    shutil.copytree(config.SAMPLE, data)
    own_store = tmp_path / "own.duckdb"
    ingest(data, own_store)
    out = tmp_path / "out"
    codes = "990102,990103,990100"
    first = make(own_store, out, codes)
    assert len(first.done) == 3
    stamps = {c: (out / "2025" / c / "report.pdf").stat().st_mtime_ns for c in codes.split(",")}

    again = make(own_store, out, codes)
    assert not again.done and ids(again.cached) == {"2025/990102", "2025/990103", "2025/990100"}
    assert {c: (out / "2025" / c / "report.pdf").stat().st_mtime_ns for c in stamps} == stamps

    # one enterprise name of 990103 changes: its report and the city's are made again
    hazards = data / "隐患排查_2025.csv.gz"
    with gzip.open(hazards, "rt", encoding="utf-8-sig") as f:
        lines = f.read().splitlines()
    i = next(i for i, line in enumerate(lines) if ",990103," in line)
    fields = lines[i].split(",")
    fields[2] = "更名后的企业有限公司"
    lines[i] = ",".join(fields)
    with gzip.open(hazards, "wt", encoding="utf-8-sig") as f:
        f.write("\n".join(lines) + "\n")
    ingest(data, own_store)
    changed = make(own_store, out, codes)
    assert ids(changed.done) == {"2025/990103", "2025/990100"}
    assert ids(changed.cached) == {"2025/990102"}

    # a narrative file for one district redoes that district only
    params = tmp_path / "params"
    shutil.copytree(config.PARAMS, params)
    (params / "990103").mkdir(exist_ok=True)
    (params / "990103" / "2025.md").write_text("## 导语\n\n新写的导语。\n", encoding="utf-8")
    story = make(own_store, out, codes, params=params)
    assert ids(story.done) == {"2025/990103"}

    forced = make(own_store, out, codes, params=params, force=True)
    assert len(forced.done) == 3 and not forced.cached


def _ours(mark: str) -> list[str]:
    """Processes still running that were started by the marked command."""
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f"EMREPORT_TEST_MARK={mark}".encode() in env and cmd:
            left.append(f"{pid} {cmd[:80]}")
    return left


def _whole(folder: Path) -> None:
    names = {p.name for p in folder.iterdir()}
    assert FILES <= names, names
    assert not [n for n in names if n.startswith(".") and n != report_folder.STATE], names
    pdf = (folder / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    nbformat.reads((folder / "report.ipynb").read_text(encoding="utf-8"), as_version=4)


def test_ctrl_c_keeps_every_previous_report_whole_and_leaves_nothing_running(store, tmp_path):
    out = tmp_path / "out"
    codes = ["990102", "990103", "990104", "990105"]
    assert not make(store, out, ",".join(codes)).failed
    before = {c: {f: (out / "2025" / c / f).read_bytes() for f in FILES} for c in codes}

    mark = uuid.uuid4().hex
    env = dict(os.environ, EMREPORT_TEST_MARK=mark, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emreport.cli",
            "run",
            "--period",
            "2025",
            "--district",
            ",".join(codes),
            "--store",
            str(store),
            "--outputs",
            str(out),
            "--force",
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    line = proc.stdout.readline()  # the first report is written: interrupt the second
    assert "完成" in line, line + proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "已中断" in stderr and "原有文件保持不变" in stderr
    assert "Traceback" not in stderr
    rewritten = 0
    for c in codes:
        folder = out / "2025" / c
        _whole(folder)
        now = {f: (folder / f).read_bytes() for f in FILES}
        if now != before[c]:
            rewritten += 1
            assert report_folder.read_state(folder)["status"] == "done"
    assert rewritten < len(codes)  # the run really was cut short
    deadline = time.monotonic() + 15
    while _ours(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _ours(mark) == []


def test_progress_bar_on_a_terminal_counts_every_state():
    from io import StringIO

    from emreport.run.progress import Progress

    err = StringIO()
    p = Progress(4, out=StringIO(), err=err, tty=True)
    p.cache_hit("2025/990102")
    p.start("2025/990103")
    p.start("2025/990104")
    line = p.line()
    assert re.search(r"1/4 +完成0 未变化1 失败0 运行中2 排队1", line)
    p.finish("2025/990103", 1.0)
    p.fail("2025/990104", "第3个单元格出错")
    assert "预计还需" in p.line() and "排队1" in p.line()
    p.close()
    assert "失败 2025/990104：第3个单元格出错" in err.getvalue()
    assert "\r" in err.getvalue()
