"""Worker processes on this machine: how many, and the pool that hands them reports.

See worker.py for one worker's work (its lanes, kernel server and browser).
"""

from __future__ import annotations

import os
import queue
import time
from collections import deque

from emreport.run.messages import Finished, Make, Outcome, Started, Stop

MAX_LANES = 3  # reports one worker runs at once: its printing and its own work keep up
WORKER_MEMORY = 600 * 2**20  # a worker without kernels: itself, warm kernel server, browser
LANE_MEMORY = 700 * 2**20  # one kernel at its peak (a city report of 100 districts)


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
        while (
            fit < wanted
            and WORKER_MEMORY * (fit // MAX_LANES + 1) + LANE_MEMORY * (fit + 1) <= free
        ):
            fit += 1
        return max(1, fit)
    except (OSError, KeyError, ValueError):
        return wanted


def _context(spawn):
    """How to start a worker: a copy of this process (fork) while it has no thread but its
    main one, which saves the worker importing again what the planning imported (pandas,
    DuckDB, the project: a third of a second before the first report can start); a fresh
    interpreter (spawn) once the queues' threads run, as a fork would copy their locks."""
    import multiprocessing as mp

    try:
        alone = len(os.listdir("/proc/self/task")) == 1
    except OSError:
        alone = False
    return mp.get_context("fork") if alone and "fork" in mp.get_all_start_methods() else spawn


class LocalPool:
    """Worker processes on this machine, each running a few reports at once (its lanes) on
    one warm kernel server and one browser: on a small machine a single worker runs them
    all. Specs are handed out a few at a time, so the coordinator always knows which
    reports a worker holds: should it die, those it had started are failed with the reason,
    the others go to the worker that takes its place."""

    def __init__(self, n: int, store: str | None = None):
        import multiprocessing as mp

        self.store = store  # the workers' kernel servers read it ahead (Renderer.kernels)
        self.ctx = mp.get_context("spawn")
        self.events_q = self.ctx.Queue()
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
            self._spawn(lanes)

    def _spawn(self, lanes: int) -> None:
        from emreport.run import lanes as worker_process

        wid, self._next = self._next, self._next + 1
        tasks = self.ctx.Queue()
        proc = _context(self.ctx).Process(
            target=worker_process.serve,
            args=(wid, lanes, tasks, self.events_q, self.store),
            daemon=True,
            name=f"emreport-worker-{wid}",
        )
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
                tasks.put(Make(spec))

    def events(self, timeout: float):
        try:
            event = self.events_q.get(timeout=timeout)
        except queue.Empty:
            yield from self._deaths()
            return
        if isinstance(event, Started):
            if event.job in self.held.get(event.worker, {}):
                self.held[event.worker][event.job] = True
            yield event
        elif isinstance(event, Finished):
            self.held.get(event.worker, {}).pop(event.outcome.job.id, None)
            self.finished.add(event.outcome.job.id)
            self._hand_out()
            yield event

    def _deaths(self):
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
                    yield Finished(
                        Outcome(
                            spec.job, spec.key, error=f"生成进程意外退出（退出码{proc.exitcode}）"
                        ),
                        wid,
                    )
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
                    tasks.put(Stop())

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
