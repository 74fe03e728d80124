"""A local worker process (started by local.py): its lanes, each running one report's notebook
while the one before it is finished, sharing the worker's kernel server and PDF engine
(worker.py: one report's work).
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import types
from pathlib import Path

from emreport.run import procs, worker
from emreport.run.messages import Finished, Ready, Started, Stop


def serve(worker_id: int, lanes: int, tasks, events, store: str | None = None) -> None:
    """A local worker process: `lanes` reports at a time, each lane taking `Make` messages
    until told to `Stop` and sending `Started` and `Finished` for each (messages.py); all
    lanes share one kernel server and one browser, which reads `store` ahead. Ctrl-C
    belongs to the coordinator; its SIGTERM ends the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(*_):
        # once: a second SIGTERM (the coordinator's and the parent-death one) must not cut
        # the closing short, which would leave the kernel server's folder behind
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.alarm(15)  # closing down must not take longer; SIGALRM then ends the worker
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    _die_with_parent()
    procs.name("emreport-worker")
    worker._announce = lambda job: events.put(Started(job.id, worker_id))
    try:
        # the kernel server first, while this process has no other thread: it can then be a
        # copy of the worker (kernels._Forked); the queue's feeder and the warming are threads
        r = worker.renderer(tabs=lanes, warm=False)
        events.put(Ready(worker_id, os.getpid()))
        if store:  # the server reads the store while this process imports
            threading.Thread(target=_read_ahead, args=(r, store), daemon=True).start()
        _preload()
        threads = [
            threading.Thread(
                target=_lane,
                args=(worker_id, tasks, events),
                daemon=True,
                name=f"emreport-lane-{i}",
            )
            for i in range(lanes)
        ]
        for t in threads:
            t.start()
        # the typesetter's fonts and the file writers load while the first notebooks run
        r.warm()
        for t in threads:
            while t.is_alive():  # a timed join, so SIGTERM is handled at once
                t.join(0.5)
    except SystemExit:  # SIGTERM: the coordinator stops the batch, or it has died. What is
        stopped = True  # queued for it will not be read: waiting to send it would hang here
        events.cancel_join_thread()
    else:
        stopped = False
    finally:
        if worker._renderer is not None:
            worker._renderer.close()
    # Everything is closed and every report handed back: leave at once. A normal exit would
    # first wait a third of a second for the idle threads papermill's event loops started.
    if not stopped:
        events.close()
        events.join_thread()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _die_with_parent() -> None:
    """Have the kernel send this worker SIGTERM when the coordinator dies, however it dies
    (`kill -9` included): the worker then closes its kernel server and browser as it would
    at the end of a batch. PR_SET_PDEATHSIG fires when the thread that started the worker
    exits, not the process: workers are started from the coordinator's main thread, which
    lives as long as the batch. The worker's own children need no such signal: the kernel
    server exits when its pipe from the worker closes, Playwright's driver when its pipe
    closes, Chromium when the driver's pipe closes (README.md, 批量生成)."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if not procs.die_with(parent.pid if parent else os.getppid(), signal.SIGTERM):
        raise SystemExit(0)  # the coordinator died before the signal was asked for


def _preload() -> None:
    """What a lane needs to start its first notebook (papermill and nbformat: a fifth of a
    second), imported while the kernel server warms up."""
    _defer_nbclient()
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from emreport.data import store  # noqa: F401
    from emreport.run import engine, notebook  # noqa: F401


def _defer_nbclient() -> None:
    """papermill's engines module imports its nbclient wrapper for papermill's own engine,
    which a worker never runs (it runs engine.py's): nbclient, jupyter_client and ZeroMQ, a
    tenth of a second before the first notebook can start. A stand-in takes the wrapper's
    place and imports it should that engine ever ask it for a client."""
    if "papermill.clientwrap" in sys.modules:
        return
    stand_in = types.ModuleType("papermill.clientwrap")

    class PapermillNotebookClient:
        def __new__(cls, *args, **kwargs):
            if sys.modules.get("papermill.clientwrap") is stand_in:
                del sys.modules["papermill.clientwrap"]
            import papermill.engines
            from papermill import clientwrap

            papermill.engines.PapermillNotebookClient = clientwrap.PapermillNotebookClient
            return clientwrap.PapermillNotebookClient(*args, **kwargs)

    stand_in.PapermillNotebookClient = PapermillNotebookClient
    sys.modules["papermill.clientwrap"] = stand_in


def _read_ahead(r: worker.Renderer, store: str) -> None:
    try:
        r.kernels(store)
        worker.store_meta(Path(store))
    except Exception:  # noqa: BLE001 - the first report on it says in its own words
        pass


def _lane(worker_id: int, tasks, events) -> None:
    """One lane: run a report's notebook, and while its files and PDF are made, start the next."""
    pending = None  # the report whose PDF is still printing
    while True:
        try:
            told = tasks.get() if pending is None else tasks.get(timeout=0.05)
        except queue.Empty:  # nothing waiting: finish the report in hand first
            events.put(Finished(worker._end(*pending), worker_id))
            pending = None
            continue
        if isinstance(told, Stop):
            break
        begun = worker._begin(told.spec)
        if pending is not None:
            events.put(Finished(worker._end(*pending), worker_id))
        pending = begun
    if pending is not None:
        events.put(Finished(worker._end(*pending), worker_id))
