"""One report, start to finish, in a worker process: run the notebook in a warm kernel, export
the page, print the PDF, build the appendix. Returns the files as bytes; only the process that
asked (the `emreport run` on the analyst's machine) writes to outputs/, so a worker — a local
process or a Dask worker on another machine — needs no write access there.

Each worker keeps, for as long as it lives, a fork server of warm kernels and one browser,
shared by the reports it runs at once (its lanes, or a Dask worker's threads).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import json
import logging
import os
import socket
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from emreport.run.messages import Outcome, Spec

if TYPE_CHECKING:  # the heavy imports are made where used: see _preload
    from emreport.data.store import Store
    from emreport.run.notebook import Job

EVENT_TOPIC = "emreport-started"

# jsonschema (under nbformat) checks the "iri" string format with rfc3987_syntax when it is
# installed, which builds a grammar at import: a second of CPU in every worker. Notebooks
# have no field of that format, so workers do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


_word_lock = threading.Lock()
WARM_AFTER = 2.0  # seconds the warming waits at most for the first kernel


def _import_word_writer() -> None:
    """python-docx's modules import one another: imported for the first time by two threads
    at once (a Dask worker's reports, a worker's preloading and its renderer), one thread can
    meet the other's half-made module (ImportError: partially initialized module
    'docx.opc.package'). They are imported here, under a lock, before any report runs."""
    with _word_lock:
        import docx  # noqa: F401
        import docx.opc.package  # noqa: F401
        import docx.opc.parts.coreprops  # noqa: F401
        import docx.opc.pkgwriter  # noqa: F401


class Renderer:
    """A worker's warm state: the kernel fork server and the PDF engine (the Typst typesetter,
    or the browser), shared by the reports the worker runs at once: each report gets a kernel
    of its own, and up to `tabs` of them print at the same time."""

    def __init__(self, tabs: int = 1):
        from emreport import atomic
        from emreport.output.pdf import engine
        from emreport.run.kernels import KernelServer

        self._kernels_lock = threading.Lock()
        self.server = KernelServer()  # first: its imports are the longest wait of a batch
        atomic.sweep_temp()  # the profiles and kernel folders of runs that were killed
        # a report's files and PDF are made here while its lane runs the next notebook
        self.finishing = ThreadPoolExecutor(tabs, thread_name_prefix="emreport-finish")
        self.tabs = tabs
        self.engine = engine()
        self._closed = False
        self._printer = None
        self._printer_lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._preread: set[str] = set()  # stores the kernel server has read ahead

    def warm(self) -> None:
        """In a thread: load the typesetter's fonts (or start the browser), and import what
        a report's files are made with, while the first notebooks run."""
        if self._starting is None:
            self._starting = threading.Thread(target=self._warm, daemon=True)
            self._starting.start()

    def _warm(self) -> None:
        # the fonts' loading holds the interpreter: not before the first kernel has started
        self.server.forked.wait(WARM_AFTER)
        try:
            self._start_printer()
        except Exception:  # noqa: BLE001 - the first report to print says what went wrong
            pass
        try:
            _import_word_writer()
            import jinja2  # noqa: F401

            from emreport.output import docx, page, xlsx  # noqa: F401
        except Exception:  # noqa: BLE001 - the first report's files say what is missing
            pass
        # what is loaded stays: out of the collector's full passes, which otherwise walk every
        # module's objects again while each report's notebooks and files come and go
        gc.freeze()

    def _start_printer(self):
        with self._printer_lock:
            if self._closed:  # the worker is stopping: no new browser
                raise RuntimeError("worker closed")
            if self._printer is None:
                if self.engine == "typst":
                    from emreport.output.typst import typesetter

                    self._printer = typesetter()  # the one report.docx draws its charts with
                else:
                    from emreport.output.pdf import default_printer

                    printer = default_printer(self.tabs)
                    printer.start()
                    self._printer = printer
            return self._printer

    def restart_printer(self, broken) -> None:
        """Close a browser that failed (unless another report already replaced it); the next
        print starts a new one."""
        with self._printer_lock:
            if self._printer is broken and broken is not None:
                self._printer = None
                try:
                    broken.close()
                except Exception:  # noqa: BLE001 - already failing
                    pass

    def submit_pdf(self, html: str, typst: tuple | None = None) -> tuple[object, Future]:
        """Start the PDF: typeset from the Typst source the kernel composed, or printed from
        the page by the browser."""
        printer = self._start_printer()
        return printer, printer.submit(*typst) if self.engine == "typst" else printer.submit(html)

    def kernels(self, store: str | None = None):
        """The live fork server (started afresh if the last one died), which has read the
        store's small tables (kernels._preread) before its first kernel."""
        from emreport.run.kernels import KernelServer, KernelServerError

        with self._kernels_lock:
            if self._closed:  # the worker is stopping: a lane must not start a new server
                raise KernelServerError("内核服务已关闭")
            if not self.server.alive():
                self.server.close()
                self.server = KernelServer()
            if store is not None and store not in self._preread:
                self._preread.add(store)
                try:
                    ok = self.server.preread(store)
                except KernelServerError:  # it died reading: a fresh one, without
                    ok = False
                if not ok:
                    self.server.close()
                    self.server = KernelServer()
            return self.server

    def close(self):
        if self._closed:
            return
        with self._kernels_lock, self._printer_lock:
            self._closed = True
        self.finishing.shutdown(wait=True)
        self.server.forked.set()  # a warming still waiting for the first kernel goes on
        self.server.close()
        if self._starting is not None:
            self._starting.join()
        self.restart_printer(self._printer)


_renderer: Renderer | None = None
_lock = threading.Lock()
_announce = None  # set in local worker processes: tells the coordinator a report has started


def renderer(tabs: int | None = None, warm: bool = True) -> Renderer:
    """This process's Renderer, made on first use with `tabs` (default: as many as the Dask
    worker running this has threads, else one), warming up (`Renderer.warm`) unless told
    not to yet."""
    global _renderer
    with _lock:
        if _renderer is None:
            _quiet()
            _renderer = Renderer(tabs or _dask_threads())
            if warm:
                _renderer.warm()
            atexit.register(_renderer.close)
            try:
                from multiprocessing import util

                util.Finalize(_renderer, _renderer.close, exitpriority=100)
            except Exception:  # noqa: BLE001 - only for multiprocessing workers
                pass
        return _renderer


def _dask_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return 1


def _quiet():
    """papermill and nbclient log a failing cell at ERROR level with its traceback; the
    summary says it in one line, and the failed notebook keeps the rest."""
    for name in ("papermill", "traitlets"):
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
    from emreport.compose import narrative
    from emreport.run.cache import file_key

    key = file_key(narrative.path_for(job.code, job.folder, params_dir))
    return "" if key == "absent" else key


_metas: dict[tuple, str] = {}


def store_meta(path: Path, opened: Store | None = None) -> str:
    """Which ingest built the store: the client and its workers must read the same one.
    Remembered while the file is the same file (an ingest replaces it whole). `opened`: the
    store already open on that path, read instead of opening the file again."""
    from emreport.data.store import Store

    try:
        st = os.stat(path)
    except OSError:
        Store(path)  # says, in words, that there is no store there
        raise
    seen = (str(path), st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    if seen not in _metas:
        if opened is not None:
            meta = opened.meta()
        else:
            with Store(path) as store:
                meta = store.meta()
        _metas[seen] = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()
    return _metas[seen]


def _begin(spec: Spec) -> tuple[Outcome, Future | None, float]:
    """Run the notebook. The files and the PDF are made from it by the worker's finishing
    threads (`_files`), so that the lane starts its next report's kernel meanwhile."""
    t0 = time.perf_counter()
    job = spec.job
    _started(job)
    from emreport.output.page import RenderError
    from emreport.run.notebook import execute

    out = Outcome(job, spec.key, host=socket.gethostname())
    try:
        r = renderer()
        if store_meta(Path(spec.store)) != spec.store_meta:
            raise RenderError(
                f"生成节点{out.host}上的数据库{spec.store}与本机的不是同一次导入"
                "（或在生成期间重新导入了数据）"
            )
        if narrative_sha(Path(spec.params_dir), job) != spec.narrative_sha:
            raise RenderError(f"生成节点{out.host}上的文字材料与本机的不同（或在生成期间被修改）")
        nb = execute(
            job,
            store=Path(spec.store),
            params_dir=Path(spec.params_dir),
            timeout=spec.timeout,
            notebooks=Path(spec.notebooks),
            server=r.kernels(spec.store),
        )
        return out, r.finishing.submit(_files, r, out, nb), t0
    except Exception as e:  # noqa: BLE001 - one report's failure must not stop the batch
        _failed(out, e)
    return out, None, t0


def _failed(out: Outcome, e: Exception) -> None:
    """A report's failure, in one line; a failed notebook is kept."""
    from emreport.output.page import RenderError

    if isinstance(e, RenderError):
        out.error, out.cell = str(e), e.cell
        if e.notebook is not None:
            import nbformat

            out.failed_notebook = nbformat.writes(e.notebook).encode("utf-8")
    else:
        out.error = f"{type(e).__name__}：{e}".splitlines()[0]


def _files(r: Renderer, out: Outcome, nb) -> tuple | None:
    """Every file but the PDF from the executed notebook, and the PDF started: the
    typesetter's (or the browser's) future. A failure is the report's, in one line."""
    from emreport.output import bundle as bundles
    from emreport.output import folder, page
    from emreport.output.page import RenderError

    _import_word_writer()  # if the warming thread has not yet
    try:
        typst = bundles.take_typst(nb)
        if r.engine == "typst" and typst is None:
            raise RenderError("笔记本没有附带 Typst 排版源：请确认内核与本进程的 EMREPORT_PDF 相同")
        out.files = page.files_but_pdf(nb, out.job)
        out.warnings += page.bundle_of(nb).get(bundles.TEXT_CHECK, [])
        cells = page.unshown(nb)
        if cells:
            out.warnings.append(page.unshown_words(cells))
        return r.submit_pdf(out.files[folder.HTML].decode("utf-8"), typst)
    except Exception as e:  # noqa: BLE001 - one report's failure must not stop the batch
        out.files = {}
        _failed(out, e)
    return None


def _end(out: Outcome, finishing: Future | None, t0: float) -> Outcome:
    """Wait for the files and the PDF; a browser that has gone is replaced for the reports
    after this one (a tab that failed is replaced by the printer itself)."""
    pdf = finishing.result() if finishing is not None else None
    if pdf is not None:
        from emreport.output import folder, page
        from emreport.output.pdf import ExternalResourceError

        printer, printing = pdf
        try:
            out.files = {folder.PDF: printing.result(), **out.files}
        except Exception as e:  # noqa: BLE001 - the printer's own errors and the browser's
            if not isinstance(e, ExternalResourceError) and not printer.alive():
                renderer().restart_printer(printer)
            out.files, out.error = {}, str(page.pdf_failure(e)).splitlines()[0]
    out.seconds = time.perf_counter() - t0
    return out


def render_report(spec: Spec) -> Outcome:
    """Make one report; every failure comes back as an Outcome with a one-line message."""
    return _end(*_begin(spec))
