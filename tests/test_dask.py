"""`emreport run --scheduler`: the same reports made on a real Dask cluster as on this machine.

The module starts a scheduler and two workers on 127.0.0.1 from the venv's `dask` command, each
in a session of its own and marked with an environment variable that every process they start
inherits (the kernel fork server, the kernels, Playwright's driver and Chromium). Tearing the
cluster down checks that none of those processes outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emreport.output.pdfread import page_count

PERIODS = ("2025-H1", "2025")
CODES = ("990102", "990100")  # 江城区 (with a narrative file) and the city
FILES = (
    "report.html",
    "report.pdf",
    "report.docx",
    "report.xlsx",
    "report.ipynb",
    "metrics.json",
)
MARK = "EMREPORT_TEST_DASK_CLUSTER"  # set in the cluster's environment, inherited by all it starts
START_TIMEOUT = 60
STOP_TIMEOUT = 20
EXIT_GRACE = 10


@dataclass
class Cluster:
    address: str
    folder: Path
    token: str
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(self.folder.glob("*.log"))
        )


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    cmdline: str


def processes() -> Iterator[tuple[Proc, str]]:
    """Every process /proc shows, with its environment ("" where it cannot be read)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        try:
            environ = (entry / "environ").read_bytes().decode(errors="replace")
        except OSError:  # someone else's process
            environ = ""
        fields = stat[stat.rindex(")") + 2 :].split()  # the name in brackets may hold spaces
        yield Proc(int(entry.name), int(fields[1]), int(fields[2]), cmdline.strip()), environ


def leftovers(cluster: Cluster) -> list[Proc]:
    """Processes the cluster started that are still there: in one of its process groups,
    carrying its mark, children of its processes, or naming its folder (a Chromium profile
    under its TMPDIR, the scheduler file)."""
    pids = {p.pid for p in cluster.procs.values()}  # each leads its own group and session
    marker = f"{MARK}={cluster.token}"
    found = []
    for proc, environ in processes():
        if proc.pid == os.getpid():
            continue
        if (
            proc.pgid in pids
            or proc.ppid in pids
            or marker in environ.split("\0")
            or str(cluster.folder) in proc.cmdline
        ):
            found.append(proc)
    return found


def stop(procs: list[subprocess.Popen]) -> list[subprocess.Popen]:
    """SIGTERM, up to STOP_TIMEOUT seconds to exit, then SIGKILL to the whole process group;
    returns the processes that had to be killed."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    killed = []
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            killed.append(p)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    return killed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A scheduler and two one-thread workers on 127.0.0.1, gone again after the module."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    tmp = folder / "tmp"  # TMPDIR of the cluster: kernel sockets and Chromium profiles land here
    tmp.mkdir()
    sched_file = folder / "sched.json"
    dask = Path(sys.executable).parent / "dask"
    token = uuid.uuid4().hex
    env = dict(os.environ, TMPDIR=str(tmp), **{MARK: token})
    c = Cluster("", folder, token)

    def start(name: str, *args: str) -> None:
        with open(folder / f"{name}.log", "wb") as log:
            c.procs[name] = subprocess.Popen(
                [str(dask), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
                cwd=folder,
                start_new_session=True,
            )

    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(sched_file),
        )
        # a worker waits for the scheduler file itself; the second runs two reports at once
        # in two threads, which share its kernel server and browser
        for i, threads in ((1, "1"), (2, "2")):
            start(
                f"worker{i}",
                "worker",
                "--scheduler-file",
                str(sched_file),
                "--nthreads",
                threads,
                "--nworkers",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            dead = [n for n, p in c.procs.items() if p.poll() is not None]
            assert not dead, f"{'、'.join(dead)} exited at start\n{c.logs()}"
            try:
                c.address = json.loads(sched_file.read_text())["address"]
                break
            except (FileNotFoundError, ValueError, KeyError):  # not there or half-written
                pass
            assert time.monotonic() < deadline, f"no scheduler file\n{c.logs()}"
            time.sleep(0.1)
        client = Client(
            c.address, timeout=max(1.0, deadline - time.monotonic()), set_as_default=False
        )
        try:
            client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
        except TimeoutError:
            pytest.fail(f"the cluster did not get 2 workers in {START_TIMEOUT} s\n{c.logs()}")
        finally:
            client.close()
        yield c
    finally:
        killed = stop([p for n, p in c.procs.items() if n != "scheduler"])
        killed += stop([p for n, p in c.procs.items() if n == "scheduler"])
        deadline = time.monotonic() + EXIT_GRACE
        while (left := leftovers(c)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for proc in left:  # fail below, but leave nothing running
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        names = [n for n, p in c.procs.items() if p in killed]
        assert not names, f"{'、'.join(names)} did not exit within {STOP_TIMEOUT} s of SIGTERM"
        assert not left, "processes outlived the cluster:\n" + "\n".join(
            f"{p.pid} (ppid {p.ppid}, pgid {p.pgid}): {p.cmdline[:300]}" for p in left
        )
        # the fork server's sockets and log, the browser's profile: each removed on close
        assert not sorted(tmp.glob("emreport-*")), f"left in TMPDIR: {sorted(tmp.iterdir())}"


def test_cluster_makes_the_same_reports_as_this_machine(cluster, run_cli, tmp_path):
    out_dask, out_local = tmp_path / "dask", tmp_path / "local"
    grid = ("--period", *PERIODS, "--district", ",".join(CODES))
    r = run_cli("run", *grid, "--outputs", out_dask, "--scheduler", cluster.address)
    assert r.code == 0, f"{r.err}\n{cluster.logs()}"
    assert "完成4份" in r.out, r.out
    r = run_cli("run", *grid, "--outputs", out_local)
    assert r.code == 0, r.err
    for period in PERIODS:
        for code in CODES:
            made, local = out_dask / period / code, out_local / period / code
            for name in FILES:
                assert (made / name).is_file(), f"no {name} from the cluster for {period}/{code}"
                assert (local / name).is_file(), f"no {name} made locally for {period}/{code}"
            assert (made / ".emreport-run.json").is_file()
            assert json.loads((made / "metrics.json").read_text(encoding="utf-8")) == json.loads(
                (local / "metrics.json").read_text(encoding="utf-8")
            ), f"metrics differ for {period}/{code}"
            assert page_count((made / "report.pdf").read_bytes()) == page_count(
                (local / "report.pdf").read_bytes()
            ), f"page counts differ for {period}/{code}"


def test_unreachable_scheduler_is_named_and_nothing_is_written(run_cli, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    out = tmp_path / "outputs"
    r = run_cli(
        "run",
        "--period",
        "2025-H1",
        "--district",
        "990102",
        "--outputs",
        out,
        "--scheduler",
        address,
    )
    assert r.code == 1
    assert "无法连接 Dask 调度器" in r.err and address in r.err, r.err
    assert not out.exists(), "outputs written although the scheduler could not be reached"


@pytest.mark.parametrize(
    "address", ["not a url", "foo://10.0.0.5:8786", "tcp://10.0.0.5", "tcp://10.0.0.5:99999"]
)
def test_a_malformed_scheduler_address_is_refused_at_once(address, tmp_path):
    # a subprocess: the 20 s hang and the traceback came at interpreter exit
    out = tmp_path / "outputs"
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "emreport.cli",
            "run",
            "--period",
            "2025-H1",
            "--district",
            "990102",
            "--outputs",
            str(out),
            "--scheduler",
            address,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 15
    assert done.returncode == 1
    assert done.stderr == f"Dask 调度器地址“{address}”格式不对，应如 tcp://10.0.0.5:8786\n"
    assert not out.exists()
