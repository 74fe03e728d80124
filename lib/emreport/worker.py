"""One report, start to finish, in a worker process: run the notebook in a warm kernel, export
the page, print the PDF, build the appendix. Returns the files as bytes; only the process that
asked (the `emreport run` on the analyst's machine) writes to outputs/, so a worker — a local
process or a Dask worker on another machine — needs no write access there.

Each worker keeps, for as long as it lives, a fork server of warm kernels and one browser.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import queue
import signal
import socket
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from emreport import render
from emreport.render import Job, RenderError

EVENT_TOPIC = "emreport-started"

# jsonschema (under nbformat) checks the "iri" string format with rfc3987_syntax when it is
# installed, which builds a grammar at import: a second of CPU in every worker. Notebooks
# have no field of that format, so workers do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Spec:
    """Everything a worker needs for one report. Paths are absolute and must be readable
    where the worker runs; `narrative_sha` and `store_meta` let it refuse to make a report
    from inputs that differ from those the client planned with."""

    job: Job
    store: str
    params_dir: str
    notebooks: str
    timeout: int
    key: str
    narrative_sha: str
    store_meta: str


@dataclass
class Outcome:
    job: Job
    key: str
    files: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
    cell: int | None = None
    failed_notebook: bytes = b""
    seconds: float = 0.0
    host: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class Renderer:
    """A worker's warm state: the kernel fork server and the browser (in a thread of its own,
    since the browser's API must always be called from the thread that started it)."""

    def __init__(self):
        from emreport.kernels import KernelServer, kernel_manager_class

        self._pdf = ThreadPoolExecutor(1, thread_name_prefix="emreport-pdf")
        self._printer = None
        self._pdf.submit(self._start_printer)  # the browser starts while the kernels warm up
        self.server = KernelServer()
        self.manager = kernel_manager_class(self.server)
        self._closed = False

    def _start_printer(self):
        if self._printer is None:
            from emreport.pdf import default_printer

            printer = default_printer()
            printer.__enter__()
            self._printer = printer
        return self._printer

    def _print(self, html: str) -> bytes:
        printer = self._start_printer()
        try:
            return printer.print_pdf(html)
        except Exception:
            self._stop_printer()  # a browser that failed once is started afresh next time
            raise

    def _stop_printer(self):
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - already failing; the process is going anyway
                pass

    def submit_pdf(self, html: str) -> Future:
        return self._pdf.submit(self._print, html)

    def ensure_kernels(self):
        if not self.server.alive():
            from emreport.kernels import KernelServer, kernel_manager_class

            self.server.close()
            self.server = KernelServer()
            self.manager = kernel_manager_class(self.server)

    def close(self):
        if self._closed:
            return
        self._closed = True
        self.server.close()
        self._pdf.submit(self._stop_printer).result()
        self._pdf.shutdown()


_renderer: Renderer | None = None
_lock = threading.Lock()
_announce = None  # set in local worker processes: tells the coordinator a report has started


def renderer() -> Renderer:
    global _renderer
    with _lock:
        if _renderer is None:
            _quiet()
            _renderer = Renderer()
            atexit.register(_renderer.close)
            try:
                from multiprocessing import util

                util.Finalize(_renderer, _renderer.close, exitpriority=100)
            except Exception:  # noqa: BLE001 - only for multiprocessing workers
                pass
        return _renderer


def _quiet():
    """papermill and nbclient log a failing cell at ERROR level with its traceback; the
    summary says it in one line, and the failed notebook keeps the rest."""
    for name in ("papermill", "nbclient", "traitlets", "jupyter_client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _started(job: Job) -> None:
    if _announce is not None:
        _announce(job)
        return
    try:
        from distributed import get_worker

        get_worker().log_event(EVENT_TOPIC, {"job": job.id, "worker": get_worker().address})
    except (ImportError, ValueError):
        pass


def narrative_sha(params_dir: Path, job: Job) -> str:
    from emreport import narrative
    from emreport.cache import file_key

    key = file_key(narrative.path_for(job.code, job.period, params_dir))
    return "" if key == "absent" else key


def store_meta(path: Path) -> str:
    """Which ingest built the store: the client and its workers must read the same one."""
    from emreport.store import Store

    with Store(path) as st:
        return hashlib.sha256(json.dumps(st.meta(), sort_keys=True).encode()).hexdigest()


def _begin(spec: Spec) -> tuple[Outcome, Future | None, float]:
    """Run the notebook and build four of the files; the PDF is left printing in the browser's
    thread, so a worker can start its next report meanwhile."""
    t0 = time.perf_counter()
    job = spec.job
    _started(job)
    out = Outcome(job, spec.key, host=socket.gethostname())
    pdf = None
    try:
        r = renderer()
        if store_meta(Path(spec.store)) != spec.store_meta:
            raise RenderError(f"生成节点{out.host}上的数据库{spec.store}与本机的不是同一次导入"
                              "（或在生成期间重新导入了数据）")
        if narrative_sha(Path(spec.params_dir), job) != spec.narrative_sha:
            raise RenderError(f"生成节点{out.host}上的文字材料与本机的不同（或在生成期间被修改）")
        r.ensure_kernels()
        nb = render.execute(job, store=Path(spec.store), params_dir=Path(spec.params_dir),
                            timeout=spec.timeout, notebooks=Path(spec.notebooks),
                            kernel_manager_class=r.manager)
        out.files = render.files_but_pdf(nb, job)
        pdf = r.submit_pdf(out.files["report.html"].decode("utf-8"))
    except RenderError as e:
        out.error, out.cell = str(e), e.cell
        if e.notebook is not None:
            import nbformat

            out.failed_notebook = nbformat.writes(e.notebook).encode("utf-8")
    except Exception as e:  # noqa: BLE001 - one report's failure must not stop the batch
        out.error = f"{type(e).__name__}：{e}".splitlines()[0]
    return out, pdf, t0


def _end(out: Outcome, pdf: Future | None, t0: float) -> Outcome:
    if pdf is not None:
        try:
            out.files = {"report.pdf": pdf.result(), **out.files}
        except Exception as e:  # noqa: BLE001 - the printer's own errors and the browser's
            out.files, out.error = {}, str(render.pdf_failure(e)).splitlines()[0]
    out.seconds = time.perf_counter() - t0
    return out


def render_report(spec: Spec) -> Outcome:
    """Make one report; every failure comes back as an Outcome with a one-line message."""
    return _end(*_begin(spec))


def serve(worker_id: int, tasks, events) -> None:
    """A local worker process: take specs until told to stop, report each start and outcome.
    Ctrl-C belongs to the coordinator; a SIGTERM from it ends the worker cleanly."""
    global _announce
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    _announce = lambda job: events.put(("start", worker_id, job.id))  # noqa: E731
    pending = None  # the report whose PDF is still printing
    try:
        events.put(("ready", worker_id, os.getpid()))
        renderer()
        while True:
            try:
                spec = tasks.get(block=pending is None)
            except queue.Empty:  # nothing waiting: finish the report in hand first
                events.put(("done", worker_id, _end(*pending)))
                pending = None
                continue
            if spec is None:
                break
            begun = _begin(spec)
            if pending is not None:
                events.put(("done", worker_id, _end(*pending)))
            pending = begun
        if pending is not None:
            events.put(("done", worker_id, _end(*pending)))
    finally:
        if _renderer is not None:
            _renderer.close()
