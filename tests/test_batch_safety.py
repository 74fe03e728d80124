"""What a batch leaves when things go wrong around it: `kill -9` of `emreport run` leaves no
process and (by the next run) no temporary folder; a full disk fails each report in one line
and keeps the previous ones; a fork server killed mid-report fails that report at once."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from emreport import atomic, config
from emreport.data.ingest import ingest
from emreport.output import folder as report_folder
from emreport.run import stamp
from test_batch import extra_cell_number, make, notebooks_with

CODES = ["990102", "990103", "990104", "990105", "990121"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    return path


# --- kill -9 ------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _tree(root: int) -> dict[int, str]:
    """The process and every descendant, with its name and command line, from /proc (the
    worker, the kernel server and the kernels are named: emreport-worker, -server, -kernel)."""
    children: dict[int, list[int]] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        stat = _stat(int(name))
        if stat is not None:
            children.setdefault(int(stat[1]), []).append(int(name))
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            tree[pid] = f"{comm} {line}"
        except OSError:
            continue
        todo += children.get(pid, [])
    return tree


def _start_run(store: Path, out: Path, tmp: Path) -> subprocess.Popen:
    """`emreport run` on a few reports, with a temporary folder of its own; returns once the
    first report is written, so that the next ones are being made."""
    # Chromium prints: what is left behind by a killed run includes a browser and its profile
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1", EMREPORT_PDF="chromium")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emreport.cli",
            "run",
            "--period",
            "2025",
            "--district",
            ",".join(CODES),
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
    line = proc.stdout.readline()
    assert "完成" in line, line + proc.stderr.read()
    return proc


def _gone_within(pids, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [f"{p} {cmd[:80]}" for p, cmd in pids.items() if _alive(p)]


def _kill_all(pids) -> None:
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def tmp() -> Path:
    """A temporary folder for the run alone, short enough for Chromium's socket paths."""
    folder = Path(tempfile.mkdtemp(prefix="emr-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_kill_9_of_run_leaves_no_process_and_the_next_run_cleans_its_temporary_folders(
    store, tmp_path, tmp
):
    out = tmp_path / "out"
    proc = _start_run(store, out, tmp)
    # worker, kernel server, a kernel, Playwright's driver, Chromium and its helpers (a kernel
    # forked a moment ago still has its server's name)
    names = ("emreport-worker", "emreport-server", "emreport-kernel", "chromium")
    deadline = time.monotonic() + 10
    while True:
        tree = _tree(proc.pid)
        kinds = " ".join(tree.values())
        if all(n in kinds for n in names) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for named in names:
        assert named in kinds, kinds
    assert [n for n in os.listdir(tmp) if n.startswith("emreport-chromium-")], os.listdir(tmp)
    try:
        proc.kill()
        proc.wait()
        assert _gone_within(tree, 5) == []
    finally:
        _kill_all(tree)
    # the worker closed its kernel server and browser as it went, and their folders
    assert not [n for n in os.listdir(tmp) if n.startswith("emreport-")], os.listdir(tmp)

    # killed together with its worker (as the out-of-memory killer might), a run cannot
    # clean up: what it leaves is gone with the next run
    proc = _start_run(store, out, tmp)
    tree = _tree(proc.pid)
    workers = [p for p, cmd in tree.items() if cmd.startswith("emreport-worker ")]
    try:
        for pid in [proc.pid, *workers]:
            os.kill(pid, signal.SIGKILL)
        proc.wait()
        assert _gone_within(tree, 5) == []
    finally:
        _kill_all(tree)
    stale = {n for n in os.listdir(tmp) if n.startswith("emreport-")}
    assert any(n.startswith("emreport-chromium-") for n in stale), stale
    assert all(re.match(rf"emreport-\w+-({'|'.join(map(str, workers))})-", n) for n in stale)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "emreport.cli",
            "run",
            "--period",
            "2025",
            "--district",
            "990102",
            "--store",
            str(store),
            "--outputs",
            str(out),
            "--force",
        ],
        env=dict(os.environ, TMPDIR=str(tmp), EMREPORT_PDF="chromium"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not set(os.listdir(tmp)) & stale


# --- a full disk --------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs to write the outputs to (the tests run as root, as CI does)."""
    folder = tmp_path / "outputs"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system until `leave` bytes are free (or none)."""
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(folder / "filler", "ab", buffering=0) as f:
        try:
            f.write(b"\0" * max(0, free - leave))
            while not leave:
                f.write(b"\0" * 4096)
        except OSError:
            pass


def _files(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "filler"
    }


def test_a_full_disk_fails_each_report_in_one_line_and_keeps_the_previous_ones(
    store, small_disk, run_cli
):
    out = small_disk
    codes = "990102,990103"
    args = ("run", "--period", "2025", "--district", codes, "--store", store, "--outputs", out)
    assert run_cli(*args).code == 0
    before = _files(out)
    reports = {k: v for k, v in before.items() if not k.endswith("index.html")}

    # room for the PDF, not for the page after it: the PDF's temporary file must go too
    pdf = max((out / "2025" / c / "report.pdf").stat().st_size for c in codes.split(","))
    _fill(out, pdf + 16 * 1024)
    r = run_cli(*args, "--force")
    assert r.code == 1
    assert "Traceback" not in r.err
    for code in codes.split(","):  # whichever of its files was the first not to fit
        line = re.compile(
            rf"  失败：2025/{code}：磁盘空间不足，未能写入{out}/2025/{code}/"
            r"report\.\w+：已保留上次生成的报告"
        )
        assert len([x for x in r.err_lines if line.fullmatch(x)]) == 1, r.err
    assert "共2份报告：完成0份，未变化0份，失败2份" in r.out
    assert {k: v for k, v in _files(out).items() if k in reports} == reports
    assert _files(out).keys() == before.keys(), "a temporary file was left behind"
    kept = {report_folder.STATE, *(p.name for p in out.glob(stamp.STAMP.format("*")))}
    assert not [p for p in out.rglob(".*") if p.name not in kept]  # the run's last stamp

    # not a byte free: the index cannot be written either, and says so
    _fill(out, 0)
    r = run_cli(*args, "--force")
    assert r.code == 1 and "Traceback" not in r.err
    for code in codes.split(","):
        assert (
            f"  失败：2025/{code}：磁盘空间不足，未能写入{out}/2025/{code}/report.pdf："
            "已保留上次生成的报告"
        ) in r.err_lines, r.err
    assert f"  失败：磁盘空间不足，未能写入{out}/2025/index.html：索引保持上次的版本" in r.err_lines
    assert _files(out) == before
    assert not [p for p in out.rglob("*") if atomic.TEMP.match(p.name)]


# --- the fork server killed under a report ------------------------------------------------
KILL_SERVER = """
import os, signal, threading, time
def _kill_server(after):
    threading.Timer(after, os.kill, (os.getppid(), signal.SIGKILL)).start()
if district == "990102":
    _kill_server(0); time.sleep(60)
if district == "990103":
    _kill_server(0)
if district == "990104":
    _kill_server(0.3)
if district == "990105":
    _kill_server(0.05); time.sleep(0.1)
"""


def test_a_fork_server_killed_mid_report_fails_it_at_once(store, tmp_path):
    """Killed in a cell, between cells, or just before a cell: each report it takes down
    fails within seconds, not at the cell timeout, and the reports after it are made."""
    notebooks = notebooks_with(tmp_path / "nb", KILL_SERVER)
    n = extra_cell_number(notebooks)
    for attempt in range(2):
        started = time.monotonic()
        result = make(
            store,
            tmp_path / f"out{attempt}",
            ",".join(CODES),
            notebooks=notebooks,
            timeout=120,
            force=True,
            jobs=1,
        )
        assert time.monotonic() - started < 60
        failed = dict((j.id, m) for j, m in result.failed)
        assert failed["2025/990102"] == f"第{n}个单元格运行时内核意外退出（内核服务已退出）"
        assert all("内核服务" in m for m in failed.values()), failed
        assert "2025/990121" in {j.id for j in result.done}
