"""`emreport run`: make the reports of a plan (plan.py) that are not already up to date — in
parallel on local worker processes (local.py), or on a Dask cluster (cluster.py).

The coordinator (this process) plans, decides what is cached, hands specs to workers and writes
every file itself: workers send the files back as bytes. See worker.py for one report's work
and kernels.py for the warm kernels that make it fast.
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from emreport import atomic
from emreport.data import kinds
from emreport.data.store import Store
from emreport.output import folder
from emreport.run import cache
from emreport.run.cluster import DaskPool
from emreport.run.local import LocalPool, default_jobs, memory_cap
from emreport.run.messages import Spec, Started
from emreport.run.notebook import NOTEBOOKS, Job
from emreport.run.plan import Plan
from emreport.run.progress import Progress, summary


@dataclass
class Result:
    done: list[Job] = field(default_factory=list)
    cached: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    # made, with a word to the analyst (an output the page leaves out)
    warnings: list[tuple[Job, str]] = field(default_factory=list)
    interrupted: bool = False
    indexes: list[Path] = field(default_factory=list)
    index_errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed or self.index_errors else 0)


def specs_for(p: Plan, *, store: Path, params_dir: Path, notebooks: Path, timeout: int) -> list:
    """Each job with the key of its inputs (see cache.py)."""
    from emreport.run.worker import narrative_sha, store_meta

    reads = [
        cache.Reads(p.units[j.code], j.kind, kinds.kind(j.kind).period(j.period)) for j in p.jobs
    ]
    with Store(store) as st:
        data = cache.data_keys(st, reads)
        meta = store_meta(store, opened=st)
    code = cache.code_key()
    specs = []
    for job in p.jobs:
        story_key = narrative_sha(params_dir, job)
        key = hashlib.sha256(
            "|".join(
                [
                    code,
                    cache.notebook_key(job.notebook_in(notebooks)),
                    data[(job.code, job.folder)],
                    story_key,
                    job.kind,
                    job.level,
                    job.code,
                    job.period,
                ]
            ).encode()
        ).hexdigest()
        specs.append(
            Spec(job, str(store), str(params_dir), str(notebooks), timeout, key, story_key, meta)
        )
    return specs


@contextmanager
def _whole_writes():
    """Ctrl-C (or `kill`) waits until the report being written is in place."""
    got: list[int] = []
    try:
        old = {
            s: signal.signal(s, lambda n, f: got.append(n)) for s in (signal.SIGINT, signal.SIGTERM)
        }
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

    job = outcome.job
    out_dir = job.out_dir(outputs)
    failed_nb = out_dir / folder.FAILED
    state = {
        "key": outcome.key,
        "code": job.code,
        "period": job.period,
        "kind": job.kind,
        "finished": datetime.now().isoformat(timespec="seconds"),
        "seconds": round(outcome.seconds, 2),
        "host": outcome.host,
    }
    had_report = (out_dir / folder.PDF).exists()
    error = outcome.error
    try:
        with _whole_writes():
            if outcome.ok:
                folder.write(out_dir, outcome.files, dict(state, status="done"))
                failed_nb.unlink(missing_ok=True)
            else:
                if outcome.failed_notebook:
                    folder.write(out_dir, {folder.FAILED: outcome.failed_notebook})
                folder.record(
                    out_dir, dict(state, status="failed", error=outcome.error, cell=outcome.cell)
                )
    except OSError as e:
        words = atomic.failure_words(e)
        if not outcome.ok:
            error = f"{outcome.error}（另：{words}）"
        elif str(e.filename).endswith(folder.STATE):
            error = f"{words}：报告已更新，但下次运行会重新生成"
        else:
            error = f"{words}：" + ("已保留上次生成的报告" if had_report else "没有写入任何文件")
    if not error:
        result.done.append(job)
        result.warnings += [(job, w) for w in outcome.warnings]
        progress.finish(job.id, outcome.seconds)
    else:
        result.failed.append((job, error))
        progress.fail(job.id, error)


def run(
    p: Plan,
    *,
    store: Path,
    params_dir: Path,
    outputs: Path,
    timeout: int = 600,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str = "",
    notebooks: Path = NOTEBOOKS,
    tty: bool | None = None,
) -> Result:
    """Make every report of the plan that is not up to date (all of them with `force`); a
    failure is reported and the others still run. Ctrl-C stops the batch: reports already
    written stay, the ones in progress are dropped, no file is left half-written. Workers
    start only once it is known that something is to be made (at once when a report was never
    made, else once the keys are known): an unchanged re-run starts no process, kernel server
    or browser."""
    store, params_dir, notebooks = store.resolve(), params_dir.resolve(), notebooks.resolve()
    started = time.monotonic()
    for notice in p.notices:  # a review's years without data: said before any work
        print(notice, flush=True)
    result = Result()
    progress = Progress(len(p.jobs), tty=tty)
    pool = None
    # A report that was never made (or --force) will be made whatever its key: the local
    # workers start now, warming their kernels while the keys are computed.
    unmade = (
        p.jobs if force else [j for j in p.jobs if not (j.out_dir(outputs) / folder.STATE).exists()]
    )
    if unmade and not scheduler:
        pool = LocalPool(min(len(p.jobs), memory_cap(jobs or default_jobs())), str(store))
    try:
        todo = []
        for spec in specs_for(
            p, store=store, params_dir=params_dir, notebooks=notebooks, timeout=timeout
        ):
            if not force and folder.is_current(spec.job.out_dir(outputs), spec.key):
                result.cached.append(spec.job)
                progress.cache_hit(spec.job.id)
            else:
                todo.append(spec)
        # a scheduler that cannot be reached stops the run here, before anything is written
        if todo and pool is None:
            pool = (
                DaskPool(scheduler)
                if scheduler
                else LocalPool(min(len(todo), memory_cap(jobs or default_jobs())), str(store))
            )
    except BaseException:
        if pool is not None:
            pool.__exit__(*sys.exc_info())
        raise
    try:
        if pool is not None:
            with pool:
                for spec in todo:
                    pool.submit(spec)
                while len(result.done) + len(result.failed) < len(todo):
                    for event in pool.events(0.2):
                        if isinstance(event, Started):
                            progress.start(event.job)
                        else:
                            _store_outcome(event.outcome, outputs, result, progress)
                    progress.tick()
                pool.finish()  # the workers close down while the indexes are written
                _indexes(p, outputs, result)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        progress.close()
        if not result.indexes and not result.index_errors:
            _indexes(p, outputs, result)
    _summary(result, len(p.jobs), time.monotonic() - started, outputs, p.warnings)
    return result


def _indexes(p: Plan, outputs: Path, result: Result) -> None:
    from emreport.output import index

    result.indexes, result.index_errors = [], []
    for period_folder in sorted({j.folder for j in p.jobs}):
        try:
            result.indexes.append(index.write(outputs, period_folder))
        except OSError as e:
            result.index_errors.append(f"{atomic.failure_words(e)}：索引保持上次的版本")


def _summary(
    result: Result, total: int, seconds: float, outputs: Path, warnings: Sequence[str] = ()
) -> None:
    if result.interrupted:
        print(
            f"已中断：已写入{len(result.done)}份报告；正在生成的报告没有写入，原有文件保持不变。",
            file=sys.stderr,
        )
    print(summary(total, len(result.done), len(result.cached), len(result.failed), seconds))
    for job, message in result.warnings:
        print(f"  提示：{job.id}：{message}", file=sys.stderr)
    for job, message in result.failed:
        kept = job.out_dir(outputs) / folder.FAILED
        where = f"；出错的笔记本：{kept}" if kept.exists() else ""
        print(f"  失败：{job.id}：{message}{where}", file=sys.stderr)
    for warning in warnings:  # found while planning (plan.zero_warnings): the run went on
        print(f"  {warning}")
    for path in result.indexes:
        print(f"索引：{path}")
    for message in result.index_errors:
        print(f"  失败：{message}", file=sys.stderr)
