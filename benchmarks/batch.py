"""Batch benchmark: `.venv/bin/python benchmarks/batch.py` (`--quick` for a short trial run).

Measures, in one run, in a temporary folder (`--keep DIR` works in DIR and leaves it there):
  1. the naive loop a user would write without emreport, on 24 reports (12 districts of a
     generated sample × 2025-H1 and 2025): per report `papermill`, then
     `jupyter nbconvert --to html --no-input`, then `chromium --headless --print-to-pdf`, each a
     process of its own; wall time in total and per report;
  2. `emreport run` on the same grid into a fresh outputs folder: wall time, per report, and
     naive / emreport (target: 25× or more); every report folder is checked for its six files;
     then, in this process, the time report.docx takes for each report of the grid, its
     charts' pictures included, as a worker writes it (target: 60 ms or less a report);
  3. the same `emreport run` again with nothing changed (target: under 1 s wall, process start
     included; it must say
     未变化24份);
  4. a 100-report batch (99 districts and the city, 2,000,000 hazard records, one period):
     ingest time, then the wall time, reports per second and the peak memory of the whole
     process tree of `emreport run`, sampled every 0.2 s: the sum of PSS (shared pages split
     between the processes sharing them: the real footprint; target: under 1.5 GB) and the wall time (target: under 35 s) and the sum of
     RSS (shared pages counted in full in every process that maps them: an upper bound);
  5. after each `emreport run`, how many of its processes are still alive 5 s after it exited
     (kernels, kernel servers, workers, browsers; target: 0).
The tree of a run is its descendants by parent pid, every process carrying this benchmark's
token in its environment (each process the run starts inherits it: it finds those that left the
tree, such as Chromium's crash handlers, and tells the run's processes from anything else on the
machine), and every process in a session one of those leads (the kernel fork server, each
kernel and each browser start their own). Figures are printed; nothing is asserted, but a failed
command or a missing output stops the benchmark. `--quick`: 2 districts × 2 periods, 10
districts (200,000 hazard records) for the memory batch; `--skip-naive`, `--skip-memory` leave
parts out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from emreport.output.folder import FILES  # the outputs folder contract

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's scripts, beside its python
PAPERMILL = BIN / "papermill"
JUPYTER = BIN / "jupyter"
EMREPORT = BIN / "emreport"
PERIODS = ("2025-H1", "2025")
GRID_SEED = 20250101
TOKEN_VAR = "EMREPORT_BATCH_BENCH"
TOKEN = uuid.uuid4().hex
SAMPLE_EVERY = 0.2
FOLLOW_EVERY = 0.5
LEFTOVER_WAIT = 5.0
STEP_TIMEOUT = 600
GB = 2**30


# --- running commands -----------------------------------------------------------------------
def fail(what: str, argv: list[str], code: int | None, output: str) -> None:
    tail = "\n".join(output.strip().splitlines()[-30:])
    raise SystemExit(f"FAILED: {what} (exit code {code})\n  {' '.join(argv)}\n{tail}")


def run(argv: list[str], what: str, expect: Path | None = None, **kw) -> tuple[float, str]:
    """Run a command to its end: (wall seconds, output). Stops the benchmark when it fails or
    does not write `expect`."""
    argv = [str(a) for a in argv]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            **kw,
        )
    except subprocess.TimeoutExpired as e:
        fail(f"{what}: no answer in {STEP_TIMEOUT} s", argv, None, str(e.output or ""))
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        fail(what, argv, done.returncode, done.stdout)
    if expect is not None and not (expect.is_file() and expect.stat().st_size > 0):
        fail(f"{what}: {expect} was not written", argv, done.returncode, done.stdout)
    return elapsed, done.stdout


def make_store(
    data: Path, store: Path, districts: int, seed: int, hazards: int | None = None
) -> tuple[float, float]:
    """Generate a sample and ingest it: (seconds to generate, seconds to ingest)."""
    extra = ["--hazards", str(hazards)] if hazards else []
    t_sample, _ = run(
        # two years (2024, 2025), as the figures in docs/benchmarks.md were measured
        [
            EMREPORT,
            "sample",
            data,
            "--districts",
            districts,
            "--seed",
            seed,
            "--first-year",
            "2024",
            *extra,
        ],
        "emreport sample",
    )
    t_ingest, _ = run(
        [EMREPORT, "ingest", "--data", data, "--store", store], "emreport ingest", expect=store
    )
    return t_sample, t_ingest


def report_units(store: Path) -> tuple[list[str], list[str]]:
    """(district-level codes, city codes) of the store's registry; 市本级 makes no report."""
    from emreport.data.store import CITY, CITY_OWN, Store

    with Store(store) as st:
        reg = st.registry()
    districts = [
        c for c, lv in zip(reg["code"], reg["level"], strict=True) if lv not in (CITY, CITY_OWN)
    ]
    cities = [c for c, lv in zip(reg["code"], reg["level"], strict=True) if lv == CITY]
    return districts, cities


# --- processes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgrp: int
    sid: int
    state: str
    start: int  # clock ticks after boot: with the pid, names the process even if pids recycle


def processes() -> dict[int, Proc]:
    """Every process now, from /proc/<pid>/stat."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        rest = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces and ")"
        pid = int(entry.name)
        table[pid] = Proc(pid, int(rest[1]), int(rest[2]), int(rest[3]), rest[0], int(rest[19]))
    return table


_OURS: dict[tuple[int, int], bool] = {}


def ours(p: Proc) -> bool:
    """Whether the process carries this run's token in its environment (so the benchmark
    started it, directly or not), remembered per process."""
    key = (p.pid, p.start)
    if key not in _OURS:
        try:
            with open(f"/proc/{p.pid}/environ", "rb") as f:
                _OURS[key] = f"{TOKEN_VAR}={TOKEN}".encode() in f.read().split(b"\0")
        except OSError:  # gone, or someone else's
            return False
    return _OURS[key]


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace").rstrip("\0").split("\0")
    except OSError:
        return []


def tree(root: int, table: dict[int, Proc], sessions: set[int]) -> set[int]:
    """The root, its descendants by parent pid, every process in a session one of them leads
    or led (the kernel fork server, each kernel and each browser start their own; `sessions`
    gathers them over the samples), and every process with our token."""
    children: dict[int, list[int]] = {}
    for p in table.values():
        children.setdefault(p.ppid, []).append(p.pid)
    found: set[int] = set()
    todo = [root] if root in table else []
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    found |= {p.pid for p in table.values() if ours(p)}
    sessions |= {pid for pid in found if table[pid].sid == pid}
    found |= {p.pid for p in table.values() if p.sid in sessions}
    return {pid for pid in found if table[pid].state not in "ZX"}


def memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in bytes, from smaps_rollup; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return pss, rss


class Sampler(threading.Thread):
    """Follows a command's whole process tree every `every` seconds, gathering the sessions
    its processes lead; with `memory`, sums PSS and RSS over the tree and keeps the peaks
    (each sum's own peak: they need not fall on the same sample)."""

    def __init__(self, root: int, memory: bool, every: float):
        super().__init__(daemon=True)
        self.root, self.memory, self.every = root, memory, every
        self.sessions: set[int] = set()
        self.stopping = threading.Event()
        self.peak_pss = self.peak_rss = self.peak_procs = self.samples = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            due = time.monotonic()
            while not self.stopping.is_set():
                self.sample()
                due += self.every
                self.stopping.wait(max(0.0, due - time.monotonic()))
        except BaseException as e:  # noqa: BLE001 - reported by stop()
            self.error = e

    def sample(self) -> None:
        pids = tree(self.root, processes(), self.sessions)
        self.samples += 1
        if not self.memory:
            return
        sums = [memory(pid) for pid in pids]
        self.peak_pss = max(self.peak_pss, sum(s[0] for s in sums))
        self.peak_rss = max(self.peak_rss, sum(s[1] for s in sums))
        self.peak_procs = max(self.peak_procs, sum(1 for s in sums if s[1]))

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        if self.error:
            raise self.error


KINDS = ("kernel", "worker", "chromium", "other")


def kind(pid: int) -> str:
    words = cmdline(pid)
    line = " ".join(words)
    try:  # emreport names its processes: emreport-worker, emreport-server, emreport-kernel
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        comm = ""
    if comm in ("emreport-server", "emreport-kernel") or "emreport.run.kernels" in line:
        return "kernel"
    if comm == "emreport-worker" or "multiprocessing" in line:  # spawn_main, resource_tracker
        return "worker"
    if (words and "chrom" in Path(words[0]).name) or (
        "--user-data-dir=" in line and "emreport-" in line
    ):
        return "chromium"
    return "other"


def leftovers(sessions: set[int]) -> dict[str, list[int]]:
    """Live processes a run left behind, by kind: anything with our token (the naive loop's
    processes do not carry it) or in a session the run's processes led (Chromium's helpers
    overwrite their environment with their title, so carry no token that can be read)."""
    left: dict[str, list[int]] = {k: [] for k in KINDS}
    for p in processes().values():
        if p.pid != os.getpid() and p.state not in "ZX" and (ours(p) or p.sid in sessions):
            left[kind(p.pid)].append(p.pid)
    return left


def wait_leftovers(sessions: set[int]) -> tuple[int, float, dict[str, list[int]]]:
    """Wait up to LEFTOVER_WAIT s for a finished run's processes to go: (count, waited, kinds)."""
    started = time.monotonic()
    while True:
        left = leftovers(sessions)
        count = sum(len(v) for v in left.values())
        waited = time.monotonic() - started
        if count == 0 or waited >= LEFTOVER_WAIT:
            return count, waited, left
        time.sleep(0.1)


# --- emreport run -------------------------------------------------------------------------------
@dataclass
class RunResult:
    wall: float
    output: str
    sampler: Sampler
    left: int = 0
    waited: float = 0.0
    left_kinds: dict[str, list[int]] = field(default_factory=dict)


def emreport_run(
    periods: list[str],
    districts: str,
    store: Path,
    params: Path,
    outputs: Path,
    log: Path,
    sample: bool = False,
) -> RunResult:
    """`emreport run` as a subprocess (wall clock from start to exit), its process tree followed
    (and its memory sampled if asked), then the processes it left counted."""
    argv = [
        str(EMREPORT),
        "run",
        "--period",
        *periods,
        "--district",
        districts,
        "--store",
        str(store),
        "--params",
        str(params),
        "--outputs",
        str(outputs),
    ]
    env = dict(os.environ, **{TOKEN_VAR: TOKEN})
    with open(log, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        # the timed runs only follow the tree, less often: the leftover count needs its sessions
        sampler = Sampler(proc.pid, memory=sample, every=SAMPLE_EVERY if sample else FOLLOW_EVERY)
        sampler.start()
        try:
            code = proc.wait()
        finally:
            wall = time.perf_counter() - started
            sampler.stop()
    output = log.read_text(encoding="utf-8")
    if code != 0:
        fail("emreport run", argv, code, output)
    left, waited, kinds = wait_leftovers(sampler.sessions)
    return RunResult(wall, output, sampler, left, waited, kinds)


def check_reports(outputs: Path, periods: list[str], codes: list[str]) -> None:
    missing = [
        f"{p}/{c}/{name}"
        for p in periods
        for c in codes
        for name in FILES
        if not (outputs / p / c / name).is_file()
    ]
    if missing:
        raise SystemExit(
            f"FAILED: emreport run did not write {len(missing)} files under "
            f"{outputs}: {', '.join(missing[:10])}" + (" …" if len(missing) > 10 else "")
        )


def said(output: str) -> str:
    """emreport's summary line (共N份报告：…)."""
    return next((line for line in reversed(output.splitlines()) if line.startswith("共")), "?")


def left_text(r: RunResult) -> str:
    parts = ", ".join(
        f"{k} {len(v)} (pids {' '.join(map(str, v[:5]))})" for k, v in r.left_kinds.items() if v
    )
    return f"{r.left}" + (f": {parts}" if parts else "") + f" (waited {r.waited:.1f} s)"


# --- the parts ----------------------------------------------------------------------------------
def naive_loop(
    codes: list[str], periods: list[str], store: Path, params: Path, folder: Path
) -> float:
    """Every report by hand: three processes each. Returns the loop's wall time."""
    from emreport.output.pdf import CHROMIUM_ARGS, chromium_path

    chromium = chromium_path()
    profile = folder / "chromium-profile"
    steps = [0.0, 0.0, 0.0]
    total = len(codes) * len(periods)
    started = time.perf_counter()
    n = 0
    for period in periods:
        (folder / period).mkdir(parents=True)
        for code in codes:
            n += 1
            base = folder / period / code
            nb, html, pdf = (base.with_suffix(s) for s in (".ipynb", ".html", ".pdf"))
            times = (
                run(
                    [
                        PAPERMILL,
                        "--no-progress-bar",
                        "notebooks/district_report.ipynb",
                        nb,
                        "-p",
                        "district",
                        code,
                        "-p",
                        "period",
                        period,
                        "-p",
                        "store",
                        store,
                        "-p",
                        "params_dir",
                        params,
                        "--cwd",
                        "notebooks",
                    ],
                    f"papermill {period}/{code}",
                    expect=nb,
                    cwd=ROOT,
                )[0],
                run(
                    [JUPYTER, "nbconvert", "--to", "html", "--no-input", nb],
                    f"nbconvert {period}/{code}",
                    expect=html,
                    cwd=ROOT,
                )[0],
                run(
                    [
                        chromium,
                        "--headless",
                        *CHROMIUM_ARGS,
                        f"--user-data-dir={profile}",
                        "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}",
                        html,
                    ],
                    f"chromium {period}/{code}",
                    expect=pdf,
                    cwd=ROOT,
                )[0],
            )
            steps = [a + b for a, b in zip(steps, times, strict=True)]
            print(
                f"  [{n}/{total}] {period}/{code}: papermill {times[0]:.1f} s, nbconvert "
                f"{times[1]:.1f} s, chromium {times[2]:.1f} s",
                flush=True,
            )
    wall = time.perf_counter() - started
    print(
        f"  mean per report: papermill {steps[0] / total:.2f} s, nbconvert "
        f"{steps[1] / total:.2f} s, chromium {steps[2] / total:.2f} s",
        flush=True,
    )
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="2 districts × 2 periods, 10 districts for the memory batch",
    )
    ap.add_argument("--skip-naive", action="store_true", help="leave out the naive loop")
    ap.add_argument("--skip-memory", action="store_true", help="leave out the memory batch")
    ap.add_argument(
        "--keep", metavar="DIR", type=Path, help="work in DIR (new or empty) and leave it there"
    )
    args = ap.parse_args()
    for exe in (PAPERMILL, JUPYTER, EMREPORT):
        if not exe.exists():
            raise SystemExit(f"{exe} not found: run with the venv's python (make setup)")
    grid_districts = 2 if args.quick else 12
    big_districts = 10 if args.quick else 99
    big_hazards = 200_000 if args.quick else 2_000_000  # about 20000 a district either way
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            raise SystemExit(f"--keep {args.keep}: the folder must be new or empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        tmp = args.keep.resolve()
    else:
        tmp = Path(tempfile.mkdtemp(prefix="batchbench-"))
    print(
        f"emreport batch benchmark{' (quick)' if args.quick else ''}: {os.cpu_count()} cores, "
        f"working in {tmp}",
        flush=True,
    )
    ok = False
    try:
        summary = bench(args, tmp, grid_districts, big_districts, big_hazards)
        ok = True
    finally:
        if args.keep:
            print(f"\nkept: {tmp}")
        elif ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"\nleft for inspection: {tmp}", file=sys.stderr)
    table(summary)


Row = tuple[str, str, str, str]  # what, figure, target, met


def met(good: bool) -> str:
    return "yes" if good else "NO"


def bench(
    args: argparse.Namespace, tmp: Path, grid_districts: int, big_districts: int, big_hazards: int
) -> list[Row]:
    rows: list[Row] = []
    params = tmp / "params"
    params.mkdir()
    store = tmp / "store.duckdb"  # its ingest cache goes beside it: one store per folder
    print(
        f"\ngenerating and ingesting the grid's sample (12 districts, seed {GRID_SEED}) ...",
        flush=True,
    )
    make_store(tmp / "data", store, 12, GRID_SEED)
    districts, _ = report_units(store)
    if len(districts) != 12:
        raise SystemExit(
            f"FAILED: the sample has {len(districts)} district-level units, not 12: "
            f"{', '.join(districts)}"
        )
    codes = districts[:grid_districts]
    periods = list(PERIODS)
    n = len(codes) * len(periods)
    grid = f"{len(codes)} districts × {len(periods)} periods"
    print(f"grid: {grid} = {n} reports ({', '.join(codes)}; {' and '.join(periods)})")

    naive = None
    if not args.skip_naive:
        print(
            f"\n1. naive loop: papermill, nbconvert, chromium per report ({n} reports)", flush=True
        )
        naive = naive_loop(codes, periods, store, params, tmp / "naive")
        print(f"naive loop: {naive:.1f} s, {naive / n:.2f} s per report", flush=True)
        rows += [
            (f"naive loop, {n} reports (wall)", f"{naive:.1f} s", "", ""),
            ("naive loop, per report", f"{naive / n:.2f} s", "", ""),
        ]

    print(f"\n2. emreport run on the same grid ({n} reports, fresh outputs)", flush=True)
    out = tmp / "out"
    first = emreport_run(periods, ",".join(codes), store, params, out, tmp / "run-grid.log")
    check_reports(out, periods, codes)
    print(
        f"emreport run: {first.wall:.1f} s, {first.wall / n:.2f} s per report; "
        f"emreport said: {said(first.output)}"
    )
    rows += [
        (f"emreport run, {n} reports (wall)", f"{first.wall:.1f} s", "", ""),
        ("emreport run, per report", f"{first.wall / n:.2f} s", "", ""),
    ]
    if naive is not None:
        ratio = naive / first.wall
        print(f"naive / emreport: {ratio:.1f}×")
        rows.append(("naive / emreport run", f"{ratio:.1f}×", "≥ 25×", met(ratio >= 25)))
    print(f"processes left after emreport run: {left_text(first)}", flush=True)
    rows.append(("processes left after the grid run", str(first.left), "0", met(first.left == 0)))
    rows += docx_timing(store, params, codes, periods)

    print("\n3. emreport run again, nothing changed", flush=True)
    again = emreport_run(periods, ",".join(codes), store, params, out, tmp / "run-again.log")
    unchanged = f"未变化{n}份" in again.output
    print(f"emreport run again: {again.wall:.2f} s; emreport said: {said(again.output)}")
    print(f"processes left after emreport run: {left_text(again)}", flush=True)
    rows += [
        (
            "emreport run again, nothing changed (wall)",
            f"{again.wall:.2f} s",
            "< 1 s",
            met(again.wall < 1),
        ),
        (f"  ... says 未变化{n}份", "yes" if unchanged else "no", "yes", met(unchanged)),
        ("processes left after the unchanged run", str(again.left), "0", met(again.left == 0)),
    ]
    if not unchanged:
        print(
            f"FAILED: the unchanged run did not say 未变化{n}份:\n{again.output}", file=sys.stderr
        )

    if not args.skip_memory:
        rows += memory_batch(tmp, params, big_districts, big_hazards)
    return rows


def docx_timing(store: Path, params: Path, codes: list[str], periods: list[str]) -> list[Row]:
    """report.docx of every report of the grid, as the worker writes it: the Document (made
    here once, untimed), then the Word file with its charts drawn as PNG by the process's
    warm typesetter (the worker keeps one for its lifetime)."""
    from emreport.output.docx import docx_bytes
    from emreport.output.typst import typesetter
    from emreport.report import build

    docs = [
        build(code, period, store=str(store), params_dir=str(params)).document
        for period in periods
        for code in codes
    ]
    typesetter().pngs([])  # nothing drawn: the typesetter made, as in a worker
    docx_bytes(docs[0])  # its fonts loaded, once a worker
    times = []
    for doc in docs:
        t0 = time.perf_counter()
        docx_bytes(doc)
        times.append((time.perf_counter() - t0) * 1000)
    mean, top = sum(times) / len(times), max(times)
    load = os.getloadavg()[0]
    print(
        f"report.docx: {mean:.1f} ms a report on average, {top:.1f} ms at most "
        f"({len(times)} reports; load average {load:.2f} on {os.cpu_count()} cores)",
        flush=True,
    )
    return [
        ("report.docx, per report (mean)", f"{mean:.1f} ms", "≤ 60 ms", met(mean <= 60)),
        ("report.docx, per report (max)", f"{top:.1f} ms", "", ""),
    ]


def memory_batch(tmp: Path, params: Path, districts: int, hazards: int) -> list[Row]:
    want = districts + 1  # and the city; 市本级 makes no report
    print(
        f"\n4. memory: {want} reports ({districts} districts and the city, {hazards} hazard "
        f"records, period 2025)",
        flush=True,
    )
    store = tmp / "big-store" / "store.duckdb"
    store.parent.mkdir()
    t_sample, t_ingest = make_store(tmp / "big", store, districts, 7, hazards)
    print(f"sample generated in {t_sample:.1f} s; emreport ingest {t_ingest:.1f} s", flush=True)
    units, cities = report_units(store)
    units = cities + units
    if len(units) < want:
        raise SystemExit(f"FAILED: the sample has {len(units)} report units, fewer than {want}")
    which = "all" if len(units) == want else ",".join(units[:want])
    out = tmp / "big-out"
    r = emreport_run(["2025"], which, store, params, out, tmp / "run-big.log", sample=True)
    made = sorted(p.parent.name for p in out.glob("2025/*/report.pdf"))
    if len(made) != want:
        raise SystemExit(f"FAILED: {len(made)} reports written under {out}, not {want}")
    check_reports(out, ["2025"], units[:want])
    s = r.sampler
    rate = want / r.wall
    print(
        f"emreport run --district {which if which == 'all' else f'<{want} codes>'}: "
        f"{r.wall:.1f} s, {rate:.2f} reports/s; emreport said: {said(r.output)}"
    )
    print(
        f"peak memory of the process tree ({s.samples} samples, every {SAMPLE_EVERY} s, up to "
        f"{s.peak_procs} processes): PSS {s.peak_pss / GB:.2f} GB, RSS {s.peak_rss / GB:.2f} GB"
    )
    print(f"processes left after emreport run: {left_text(r)}", flush=True)
    return [
        (f"ingest, {hazards} hazard records, {districts} districts", f"{t_ingest:.1f} s", "", ""),
        (f"emreport run, {want} reports (wall)", f"{r.wall:.1f} s", "< 35 s", met(r.wall < 35)),
        ("  ... reports per second", f"{rate:.2f}", "", ""),
        (
            "  ... peak PSS, whole process tree",
            f"{s.peak_pss / GB:.2f} GB",
            "< 1.5 GB",
            met(s.peak_pss < 1.5 * GB),
        ),
        (
            "  ... peak RSS, whole process tree (upper bound)",
            f"{s.peak_rss / GB:.2f} GB",
            "< 2 GB",
            met(s.peak_rss < 2 * GB),
        ),
        (f"processes left after the {want}-report run", str(r.left), "0", met(r.left == 0)),
    ]


def table(rows: list[Row]) -> None:
    print()
    print(f"{'what':<52} {'figure':>10} {'target':>8} {'met':>4}")
    for what, figure, target, good in rows:
        print(f"{what:<52} {figure:>10} {target:>8} {good:>4}")


if __name__ == "__main__":
    main()
