"""`emreport run`: expand districts × periods into jobs, check them all, then make the reports
that are not already up to date — in parallel on local worker processes, or on a Dask cluster.

The coordinator (this process) plans, decides what is cached, hands specs to workers and writes
every file itself: workers send the files back as bytes. See worker.py for one report's work
and kernels.py for the warm kernels that make it fast.
"""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import sys
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from emreport import atomic, cache, narrative
from emreport.metrics import metric_ids
from emreport.periods import Period, PeriodError
from emreport.progress import Progress, clock
from emreport.render import NOTEBOOKS, Job
from emreport.store import CITY, CITY_OWN, Store, StoreError, Unit


class PlanError(Exception):
    """Parameters that cannot be run, every one listed."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Plan:
    jobs: list[Job]
    units: dict[str, Unit]
    periods: list[Period]


def plan(periods: list[str], districts: str, *, store: Path, params_dir: Path,
         notebooks: Path = NOTEBOOKS) -> Plan:
    """The grid of reports, or every problem with it at once (unknown code, bad period, a
    period without data, a missing parameter folder or notebook, a narrative file that does
    not parse or names unknown metrics)."""
    problems: list[str] = []
    if not params_dir.is_dir():
        problems.append(f"文字材料文件夹{params_dir}不存在（--params）")
    for kind in ("district", "city"):
        if not (notebooks / f"{kind}_report.ipynb").is_file():
            problems.append(f"找不到报告笔记本{notebooks / f'{kind}_report.ipynb'}")
    parsed: list[Period] = []
    for text in periods:
        try:
            parsed.append(Period.parse(text))
        except PeriodError as e:
            problems.append(str(e))
    try:
        st = Store(store)
    except StoreError as e:
        raise PlanError([*problems, str(e)]) from None
    with st:
        reg = st.registry()
        for p in parsed:
            if not st.covers(p):
                have = "、".join(sorted(st.halves())) or "无"
                problems.append(f"{p.label}（{p.code}）没有数据（已有数据的半年：{have}）")
        if districts.strip().lower() == "all":
            codes = list(reg.loc[reg["level"] != CITY_OWN, "code"])
        else:
            codes = [c.strip() for c in districts.replace("，", ",").split(",") if c.strip()]
        units = []
        for code in codes:
            try:
                unit = st.unit(code)
            except StoreError as e:
                problems.append(str(e))
                continue
            if unit.level == CITY_OWN:
                problems.append(f"{code}是市本级：市本级的数据计入全市报告（市代码），不单独成报告")
                continue
            units.append(unit)
    units = list({u.code: u for u in units}.values())  # a code given twice is one report
    ids = metric_ids()
    jobs = []
    for p in parsed:
        for unit in units:
            path = narrative.path_for(unit.code, p.code, params_dir)
            try:
                narrative.check_names(narrative.load(path), ids)
            except narrative.NarrativeError as e:
                problems.append(str(e))
            except OSError as e:
                problems.append(f"{path}无法读取：{e.strerror}")
            jobs.append(Job(unit.code, "city" if unit.level == CITY else "district", p.code))
    if problems:
        raise PlanError(problems)
    return Plan(jobs, {u.code: u for u in units}, parsed)



MAX_LANES = 3  # reports one worker runs at once: its printing and its own work keep up
WORKER_MEMORY = 600 * 2**20  # a worker without kernels: itself, warm kernel server, browser
LANE_MEMORY = 700 * 2**20  # one kernel at its peak (a city report of 100 districts)


@dataclass
class Result:
    done: list[Job] = field(default_factory=list)
    cached: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    interrupted: bool = False
    indexes: list[Path] = field(default_factory=list)
    index_errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed or self.index_errors else 0)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def memory_cap(wanted: int) -> int:
    """As many reports at once as asked, but no more than the free memory holds."""
    try:
        with open("/proc/meminfo") as f:
            info = {k: int(v.split()[0]) * 1024 for k, v in (line.split(":", 1) for line in f)}
        free = info["MemAvailable"]
        fit = 0
        while fit < wanted and WORKER_MEMORY * (fit // MAX_LANES + 1) + LANE_MEMORY * (fit + 1) <= free:
            fit += 1
        return max(1, fit)
    except (OSError, KeyError, ValueError):
        return wanted


def specs_for(p: Plan, *, store: Path, params_dir: Path, notebooks: Path, timeout: int) -> list:
    """Each job with the key of its inputs (see cache.py)."""
    from emreport.worker import Spec, narrative_sha, store_meta

    with Store(store) as st:
        data = cache.data_keys(st, list(p.units.values()), p.periods)
    meta = store_meta(store)
    code = cache.code_key()
    book = {kind: cache.file_key(notebooks / f"{kind}_report.ipynb") for kind in ("district", "city")}
    specs = []
    for job in p.jobs:
        story_key = narrative_sha(params_dir, job)
        key = hashlib.sha256("|".join([
            code, book[job.kind], data[(job.code, job.period)], story_key, job.kind, job.code,
            job.period]).encode()).hexdigest()
        specs.append(Spec(job, str(store), str(params_dir), str(notebooks), timeout, key,
                          story_key, meta))
    return specs


@contextmanager
def _whole_writes():
    """Ctrl-C (or `kill`) waits until the report being written is in place."""
    got: list[int] = []
    try:
        old = {s: signal.signal(s, lambda n, f: got.append(n))
               for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: nothing to defer
        yield
        return
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if got:
            raise KeyboardInterrupt


def _store_outcome(outcome, outputs: Path, result: Result, progress: Progress) -> None:
    """Write one report's files (or its failure); a file that cannot be written (a full
    disk) fails that report in one line, and the report already there stays whole."""
    from emreport.render import write

    job = outcome.job
    out_dir = job.out_dir(outputs)
    failed_nb = out_dir / "report.failed.ipynb"
    state = {"key": outcome.key, "code": job.code, "period": job.period,
             "finished": datetime.now().isoformat(timespec="seconds"),
             "seconds": round(outcome.seconds, 2), "host": outcome.host}
    had_report = (out_dir / "report.pdf").exists()
    error = outcome.error
    try:
        with _whole_writes():
            if outcome.ok:
                write(out_dir, outcome.files, dict(state, status="done"))
                failed_nb.unlink(missing_ok=True)
            else:
                if outcome.failed_notebook:
                    write(out_dir, {"report.failed.ipynb": outcome.failed_notebook})
                cache.record(out_dir, dict(state, status="failed", error=outcome.error,
                                           cell=outcome.cell))
    except OSError as e:
        words = atomic.failure_words(e)
        if not outcome.ok:
            error = f"{outcome.error}（另：{words}）"
        elif str(e.filename).endswith(cache.STATE):
            error = f"{words}：报告已更新，但下次运行会重新生成"
        else:
            error = f"{words}：" + ("已保留上次生成的报告" if had_report else "没有写入任何文件")
    if not error:
        result.done.append(job)
        progress.finish(job.id, outcome.seconds)
    else:
        result.failed.append((job, error))
        progress.fail(job.id, error)


def run(p: Plan, *, store: Path, params_dir: Path, outputs: Path, timeout: int = 600,
        jobs: int | None = None, force: bool = False, scheduler: str = "",
        notebooks: Path = NOTEBOOKS, tty: bool | None = None, early=None) -> Result:
    """Make every report of the plan that is not up to date (all of them with `force`); a
    failure is reported and the others still run. Ctrl-C stops the batch: reports already
    written stay, the ones in progress are dropped, no file is left half-written. `early` is
    a worker.EarlyWorker started while the plan was made: the local pool takes it as its first
    worker; if there is nothing to make, the caller sends it away."""
    store, params_dir, notebooks = store.resolve(), params_dir.resolve(), notebooks.resolve()
    started = time.monotonic()
    result = Result()
    progress = Progress(len(p.jobs), tty=tty)
    todo = []
    for spec in specs_for(p, store=store, params_dir=params_dir, notebooks=notebooks,
                          timeout=timeout):
        if not force and cache.is_current(spec.job.out_dir(outputs), spec.key):
            result.cached.append(spec.job)
            progress.cache_hit(spec.job.id)
        else:
            todo.append(spec)
    # a scheduler that cannot be reached stops the run here, before anything is written
    pool = None
    if todo:
        pool = (DaskPool(scheduler) if scheduler else
                LocalPool(min(len(todo), memory_cap(jobs or default_jobs())), early))
    try:
        if pool is not None:
            with pool:
                for spec in todo:
                    pool.submit(spec)
                while len(result.done) + len(result.failed) < len(todo):
                    for event in pool.events(0.2):
                        if event[0] == "start":
                            progress.start(event[1])
                        else:
                            _store_outcome(event[1], outputs, result, progress)
                    progress.tick()
                pool.finish()  # the workers close down while the indexes are written
                _indexes(p, outputs, result)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        progress.close()
        if not result.indexes and not result.index_errors:
            _indexes(p, outputs, result)
    _summary(result, len(p.jobs), time.monotonic() - started, outputs)
    return result


def _indexes(p: Plan, outputs: Path, result: Result) -> None:
    from emreport import index

    result.indexes, result.index_errors = [], []
    for period in sorted({j.period for j in p.jobs}):
        try:
            result.indexes.append(index.write(outputs, period))
        except OSError as e:
            result.index_errors.append(f"{atomic.failure_words(e)}：索引保持上次的版本")


def _summary(result: Result, total: int, seconds: float, outputs: Path) -> None:
    if result.interrupted:
        print(f"已中断：已写入{len(result.done)}份报告；正在生成的报告没有写入，"
              "原有文件保持不变。", file=sys.stderr)
    print(f"共{total}份报告：完成{len(result.done)}份，未变化{len(result.cached)}份，"
          f"失败{len(result.failed)}份，用时{clock(seconds) if seconds >= 60 else f'{seconds:.1f}秒'}。")
    for job, message in result.failed:
        kept = job.out_dir(outputs) / "report.failed.ipynb"
        where = f"；出错的笔记本：{kept}" if kept.exists() else ""
        print(f"  失败：{job.id}：{message}{where}", file=sys.stderr)
    for path in result.indexes:
        print(f"索引：{path}")
    for message in result.index_errors:
        print(f"  失败：{message}", file=sys.stderr)


class LocalPool:
    """Worker processes on this machine, each running a few reports at once (its lanes) on
    one warm kernel server and one browser: on a small machine a single worker runs them
    all. Specs are handed out a few at a time, so the coordinator always knows which
    reports a worker holds: should it die, those it had started are failed with the reason,
    the others go to the worker that takes its place."""

    def __init__(self, n: int, early=None):
        import multiprocessing as mp

        self.ctx = early.ctx if early is not None else mp.get_context("spawn")
        self.events_q = early.events if early is not None else self.ctx.Queue()
        workers = (n + MAX_LANES - 1) // MAX_LANES
        self.lanes = [n // workers + (i < n % workers) for i in range(workers)]
        self.procs: dict[int, tuple] = {}  # worker id -> (process, its task queue, lanes)
        self.held: dict[int, dict[str, bool]] = {}  # worker id -> job id -> started
        self.specs: dict[str, object] = {}
        self.backlog: deque = deque()
        self.finished: set[str] = set()
        self._stopping = False
        self._next = 0
        for lanes in self.lanes:
            if early is not None and not early.adopted:
                early.go(lanes)
                self.procs[0], self.held[0], self._next = (early.proc, early.tasks, lanes), {}, 1
            else:
                self._spawn(lanes)

    def _spawn(self, lanes: int) -> None:
        from emreport import worker

        wid, self._next = self._next, self._next + 1
        tasks = self.ctx.Queue()
        proc = self.ctx.Process(target=worker.serve, args=(wid, lanes, tasks, self.events_q),
                                daemon=True, name=f"emreport-worker-{wid}")
        proc.start()
        self.procs[wid] = (proc, tasks, lanes)
        self.held[wid] = {}

    def __enter__(self) -> LocalPool:
        return self

    def submit(self, spec) -> None:
        self.specs[spec.job.id] = spec
        self.backlog.append(spec)
        self._hand_out()

    def _hand_out(self) -> None:
        """Keep each worker a report ahead of its lanes, so no lane waits for work: a lane
        holds two (one printing, one running) and reports done when the printing ends."""
        for wid, (_proc, tasks, lanes) in self.procs.items():
            while self.backlog and len(self.held[wid]) < 2 * lanes + 1:
                spec = self.backlog.popleft()
                self.held[wid][spec.job.id] = False
                tasks.put(spec)

    def events(self, timeout: float):
        try:
            kind, wid, payload = self.events_q.get(timeout=timeout)
        except queue.Empty:
            yield from self._deaths()
            return
        if kind == "start":
            if payload in self.held.get(wid, {}):
                self.held[wid][payload] = True
            yield ("start", payload)
        elif kind == "done":
            self.held.get(wid, {}).pop(payload.job.id, None)
            self.finished.add(payload.job.id)
            self._hand_out()
            yield ("done", payload)

    def _deaths(self):
        from emreport.worker import Outcome

        for wid, (proc, tasks, lanes) in list(self.procs.items()):
            if proc.is_alive():
                continue
            del self.procs[wid]
            tasks.close()
            tasks.cancel_join_thread()
            held = self.held.pop(wid)
            for job_id, started in held.items():
                if job_id in self.finished:
                    continue
                spec = self.specs[job_id]
                if started:
                    self.finished.add(job_id)
                    yield ("done", Outcome(spec.job, spec.key,
                                           error=f"生成进程意外退出（退出码{proc.exitcode}）"))
                else:
                    self.backlog.appendleft(spec)
            if len(self.finished) < len(self.specs):
                self._spawn(lanes)
                self._hand_out()

    def finish(self) -> None:
        """Tell the workers there is nothing more; they finish and close down."""
        if not self._stopping:
            self._stopping = True
            for _proc, tasks, lanes in self.procs.values():
                for _ in range(lanes):
                    tasks.put(None)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
            deadline = time.monotonic() + 30
        else:  # interrupted: stop at once
            for proc, _tasks, _lanes in self.procs.values():
                proc.terminate()
            deadline = time.monotonic() + 10
        for proc, tasks, _lanes in self.procs.values():
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
            tasks.close()
            tasks.cancel_join_thread()
        self.events_q.close()


class DaskPool:
    """The same work on a running dask.distributed cluster. The workers run the reports and
    send back the files; this process writes them."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as e:
            raise SchedulerError("未安装 dask.distributed：pip install distributed") from e
        # An address Client cannot parse fails inside its connection loop, and the half-made
        # client then takes 20 s to close at exit, with a traceback: check it first.
        wrong = SchedulerError(f"Dask 调度器地址“{address}”格式不对，应如 tcp://10.0.0.5:8786")
        if not _address_ok(address):
            raise wrong
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except ValueError:
            raise wrong from None
        except (OSError, TimeoutError):
            raise SchedulerError(f"无法连接 Dask 调度器 {address}：10秒内没有连上，请检查地址，"
                                 "以及调度器（dask scheduler）是否在运行") from None
        if not self.client.scheduler_info().get("workers"):
            self.client.close()
            raise SchedulerError(f"Dask 调度器 {address} 没有可用的工作节点（dask worker）")
        self.started: queue.SimpleQueue = queue.SimpleQueue()
        from emreport.worker import EVENT_TOPIC

        self.client.subscribe_topic(EVENT_TOPIC, lambda event: self.started.put(event[1]["job"]))
        self.pending: dict[str, tuple] = {}

    def __enter__(self) -> DaskPool:
        return self

    def finish(self) -> None:
        """Nothing to tell the cluster: its workers stay for the next client."""

    def submit(self, spec) -> None:
        from emreport.worker import render_report

        future = self.client.submit(render_report, spec, pure=False,
                                    key=f"emreport-{spec.job.period}-{spec.job.code}-{uuid.uuid4().hex[:8]}")
        self.pending[future.key] = (future, spec)

    def events(self, timeout: float):
        from emreport.worker import Outcome

        deadline = time.monotonic() + timeout
        while True:
            while not self.started.empty():
                yield ("start", self.started.get())
            done = [k for k, (f, _) in self.pending.items() if f.done()]
            for k in done:
                future, spec = self.pending.pop(k)
                try:
                    outcome = future.result()
                except Exception as e:  # noqa: BLE001 - a worker lost, a task that could not run
                    outcome = Outcome(spec.job, spec.key, error=f"Dask 任务失败：{type(e).__name__}：{e}")
                yield ("done", outcome)
            if done or time.monotonic() >= deadline:
                return
            time.sleep(0.02)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.client.cancel([f for f, _ in self.pending.values()])
        self.client.close()


class SchedulerError(Exception):
    """The Dask scheduler cannot be used."""


def _address_ok(address: str) -> bool:
    """Whether dask.distributed can parse the address: a known scheme and, for the network
    ones, a host and a port."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss", "ucx"):
            host, port = parse_host_port(location)
            return bool(host) and 0 < int(port) < 65536
        return bool(location)
    except (ValueError, TypeError):
        return False
