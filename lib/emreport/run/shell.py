"""The report's kernel: a fresh IPython shell in a process forked from the warm server
(kernels.py), running the notebook's cells in order as the batch sends them (engine.py): all
at once, so that it never waits between cells for the worker to read what the last one showed;
an error in a cell sent with "stop" ends the run there.

It is the IPython an analyst's notebook runs on in JupyterLab (the same shell, magics, display
system and error display), without the Jupyter messaging around it: no ZeroMQ sockets, no
heartbeat, IOPub or control threads, no session signing. Those are made for a front end that
stays connected; a batch sends a cell and reads what it displays, so they were a third of a
report's kernel time. Every output is sent as it happens, one JSON line on the process's
socket, in the notebook's own output format (nbformat v4):

    {"output": {...}}                     a stream, display_data, execute_result or error
    {"update": id, "data": .., "metadata": ..}   update_display on an earlier display id
    {"clear": wait}                       clear_output
    {"done": {"status": "ok" | "error", "execution_count": n, "ename": .., "evalue": ..}}

The shell is made in the server before any report runs (`prepare`), so each kernel starts
from a copy that never ran a line of a report.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys

_send = None  # the kernel's one writer: set by `serve` in the forked process


def _emit(msg: dict) -> None:
    if _send is not None:
        _send(msg)


def _clean(data):
    """Display data as JSON: bytes (a PNG, a PDF) base64-encoded as Jupyter sends them."""
    if isinstance(data, dict):
        return {str(k): _clean(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(v) for v in data]
    if isinstance(data, bytes):
        return base64.b64encode(data).decode("ascii")
    if data is None or isinstance(data, (str, int, float, bool)):
        return data
    return str(data)


class _Stream(io.TextIOBase):
    """sys.stdout and sys.stderr of the kernel: each write becomes a stream output."""

    def __init__(self, name: str):
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            _emit({"output": {"output_type": "stream", "name": self.name, "text": str(text)}})
        return len(text)

    @property
    def encoding(self) -> str:
        return "utf-8"

    def isatty(self) -> bool:
        return False


def _classes():
    """The shell with its display hook and publisher sending outputs (made once, in the
    server: IPython is imported there anyway)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            display_id = (transient or {}).get("display_id")
            if update:
                _emit({"update": display_id, "data": _clean(data), "metadata": _clean(metadata)})
                return
            output = {
                "output_type": "display_data",
                "data": _clean(data),
                "metadata": _clean(metadata or {}),
            }
            _emit({"output": output, "display_id": display_id})

        def clear_output(self, wait=False):
            _emit({"clear": bool(wait)})

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None) -> None:
            output = {
                "output_type": "execute_result",
                "data": _clean(format_dict),
                "metadata": _clean(md_dict or {}),
                "execution_count": self.prompt_count,
            }
            _emit({"output": output})

        def finish_displayhook(self):
            self._is_active = False

    class BatchShell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            self._last_traceback = stb
            _emit(
                {
                    "output": {
                        "output_type": "error",
                        "ename": str(etype.__name__),
                        "evalue": str(evalue),
                        "traceback": [str(line) for line in stb],
                    }
                }
            )

        def enable_gui(self, gui=None):  # no event loop to hook into: as ipykernel does
            pass

    return BatchShell, Hook, Publisher


def prepare():
    """Make the shell (in the server, before the report libraries are imported, so that they
    find it: report.py registers its one-line errors with it). No history file, no thread."""
    from traitlets.config import Config

    shell_class, hook, publisher = _classes()
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    return shell_class.instance(config=config, displayhook_class=hook, display_pub_class=publisher)


def warm() -> None:
    """Run an empty cell (in the server, after the report libraries): the shell's first cell
    sets up its compiler and hooks, 3 to 4 ms that every kernel then inherits instead of
    paying. It counts as no execution: a report's first cell is still [1]."""
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance().run_cell("pass", store_history=False, silent=True)


def serve(sock) -> None:
    """In the forked kernel: run each cell sent on the socket, send its outputs, until the
    socket closes or says exit."""
    global _send
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    inp = sock.makefile("rb")

    def send(msg: dict) -> None:  # at once: a cell that hangs later keeps what it showed
        try:
            sock.sendall(json.dumps(msg, ensure_ascii=False).encode("utf-8") + b"\n")
        except OSError:  # the batch has gone (or given up on this report): so does the kernel
            os._exit(1)

    _send = send
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    stopped = False
    for line in inp:
        req = json.loads(line)
        if "code" not in req:
            break
        if stopped:  # the notebook ended at an error: the cells queued after it do not run
            continue
        count = shell.execution_count
        result = shell.run_cell(req["code"], store_history=True)
        error = result.error_before_exec or result.error_in_exec
        done = {"status": "ok" if error is None else "error", "execution_count": count}
        if error is not None:
            done.update(ename=type(error).__name__, evalue=str(error))
            stopped = bool(req.get("stop"))
        send({"done": done})
    sys.stdout.flush()
    os._exit(0)
