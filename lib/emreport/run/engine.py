"""papermill's engine for the batch: each notebook in a fresh kernel forked from the warm server
(kernels.py), its cells sent to it at once and their outputs read back as each cell runs
(shell.py is the kernel's side). papermill still parameterises the notebook, keeps its
metadata and raises on a failed cell; only the kernel and the way cells reach it differ from
its default engine.

Cells run as nbclient runs them for papermill: in order, an empty cell or one tagged
`skip-execution` left out, the first error stopping the run unless its cell is tagged
`raises-exception`. A cell past its timeout has its kernel killed (CellTimeout); a kernel that
exits mid-cell is KernelDied, with its exit code.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import time
import uuid

from papermill.engines import Engine

LANGUAGE_INFO = {  # what ipykernel tells a notebook of its language (nbformat's language_info)
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellTimeout(Exception):
    """A cell ran past its timeout; its kernel is killed."""

    def __init__(self, cell: int):
        super().__init__(cell)
        self.cell = cell


class KernelDied(Exception):
    """The kernel exited before its cell ended; `code` is its exit (kernels.GONE: the server
    went, and the kernel with it)."""

    def __init__(self, cell: int | None, code: int | None):
        super().__init__(cell, code)
        self.cell, self.code = cell, code


class Kernel:
    """One report's kernel, seen from the worker: a process the server forked, connected on a
    socket of the server's private folder."""

    def __init__(self, server, cwd: str, env: dict[str, str], start_timeout: float = 60):
        self.server = server
        path = server.socket_dir / f"k-{uuid.uuid4().hex[:12]}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(path))
            listener.listen(1)
            self.pid = server.fork(str(path), cwd, env)
            deadline = time.monotonic() + start_timeout
            while not select.select([listener], [], [], 0.05)[0]:
                code = server.poll(self.pid)
                if code is not None:
                    raise KernelDied(None, code)
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"内核{start_timeout:.0f}秒内没有启动")
            self.sock, _ = listener.accept()
        finally:
            listener.close()
            path.unlink(missing_ok=True)
        self._buffer = b""
        self.displays: dict[str, list] = {}

    def _message(self, deadline: float | None, cell: int) -> dict:
        while b"\n" not in self._buffer:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                self.kill()
                raise CellTimeout(cell)
            if not select.select([self.sock], [], [], wait)[0]:
                continue
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:  # reset: the kernel was killed (with its server, say)
                chunk = b""
            if not chunk:
                raise KernelDied(cell, self._exit_code())
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _exit_code(self) -> int | None:
        from emreport.run.kernels import GONE, KernelServerError

        deadline = time.monotonic() + 2
        try:
            while (code := self.server.poll(self.pid)) is None and time.monotonic() < deadline:
                time.sleep(0.005)
        except KernelServerError:
            return GONE
        return code

    def run(self, cell, index: int, timeout: float | None) -> dict:
        """Run one cell; its outputs are added to it as they come. The kernel's reply:
        status, execution_count, and for an error its ename and evalue."""
        self.send(cell, index, stop=False)
        return self.read(cell, index, timeout)

    def send(self, cell, index: int, stop: bool) -> None:
        """Queue a cell: the kernel runs the cells it is sent one after another, without
        waiting for the worker to read the outputs of the one before. `stop`: an error in this
        cell ends the notebook, and the kernel runs none of the cells queued after it."""
        try:
            self.sock.sendall(
                json.dumps({"code": cell.source, "stop": stop}).encode("utf-8") + b"\n"
            )
        except OSError:  # it died after the last cell
            raise KernelDied(index, self._exit_code()) from None

    def read(self, cell, index: int, timeout: float | None) -> dict:
        """The outputs of the next queued cell, added to it as they come, and the kernel's
        reply (see `run`); `timeout` counts from now, when the cell before has ended."""
        from nbformat import from_dict

        deadline = None if not timeout else time.monotonic() + timeout
        outputs, clear_next = cell.outputs, False
        while True:
            msg = self._message(deadline, index)
            if "output" in msg:
                out = msg["output"]
                if clear_next:
                    outputs.clear()
                    clear_next = False
                last = outputs[-1] if outputs else None
                if (
                    out["output_type"] == "stream"
                    and last is not None
                    and last.get("output_type") == "stream"
                    and last.get("name") == out["name"]
                ):
                    last["text"] += out["text"]
                    continue
                node = from_dict(out)
                shown = msg.get("display_id")
                if shown:  # shown again: every earlier output of that id shows the new one
                    self._update(shown, out)
                    self.displays.setdefault(shown, []).append(node)
                outputs.append(node)
            elif "update" in msg:
                self._update(msg["update"], msg)
            elif "clear" in msg:
                if msg["clear"]:
                    clear_next = True
                else:
                    outputs.clear()
            elif "done" in msg:
                done = msg["done"]
                cell.execution_count = done["execution_count"]
                return done

    def _update(self, display_id: str | None, new: dict) -> None:
        """update_display (or a display with an id already shown): as nbclient does, the
        outputs of that id take the new data and metadata."""
        from nbformat import from_dict

        for node in self.displays.get(display_id or "", []):
            node["data"] = from_dict(new["data"])
            node["metadata"] = from_dict(new.get("metadata") or {})

    def kill(self) -> None:
        from emreport.run.kernels import KernelServerError

        try:
            self.server.signal(self.pid, signal.SIGKILL)
        except KernelServerError:
            pass  # the server is gone, and its kernels with it

    def close(self) -> None:
        """The kernel exits when its socket closes (at once: it has nothing left to do)."""
        try:
            self.sock.close()
        except OSError:
            pass


class ShellEngine(Engine):
    """The batch's engine (registered with papermill as `emreport`). `server` is a running
    KernelServer; `keep` (a dict) is given the notebook as far as it ran, which a timeout or a
    dying kernel does not return."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        *,
        server=None,
        keep=None,
        kernel_cwd=None,
        execution_timeout=None,
        start_timeout=60,
        **kwargs,
    ):
        nb = nb_man.nb
        if keep is not None:
            keep["nb"] = nb
        kernel = Kernel(server, kernel_cwd or os.getcwd(), dict(os.environ), start_timeout)
        try:
            nb.metadata["language_info"] = dict(LANGUAGE_INFO)
            stops: dict[int, bool] = {}  # the cells sent, by index: does an error end the run
            for index, cell in enumerate(nb.cells):  # all at once: the kernel never waits
                tags = cell.get("metadata", {}).get("tags", [])
                if (
                    cell.cell_type == "code"
                    and cell.source.strip()
                    and "skip-execution" not in tags
                ):
                    stops[index] = "raises-exception" not in tags
                    kernel.send(cell, index, stop=stops[index])
            for index, cell in enumerate(nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if index not in stops:
                        continue
                    done = kernel.read(cell, index, execution_timeout)
                    if done["status"] == "error" and stops[index]:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
        except BaseException:
            kernel.kill()
            raise
        finally:
            kernel.close()
        return nb
