"""Warm kernels: a fork server that imports the report's libraries once, then forks a fresh
kernel (shell.py: an IPython shell) for every report.

Starting a kernel and importing pandas, DuckDB and the project costs over a second; a
report's own work is less. The fork server pays that once per worker. Each report still runs
in a process of its own, a copy of the server made before any report code ran, so nothing
one report defines, changes or monkey-patches can be seen by the next: the kernel that did it
is gone. engine.py runs a notebook's cells in it through papermill.

The server speaks JSON lines on a pipe. It never opens a socket or a database, never starts
a thread of its own, and exits (killing the kernels it made) when the pipe closes, so a dying
worker leaves no kernel behind; a kernel dies with the server (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from emreport import atomic
from emreport.run import procs

# What every report imports. Importing them in the server is the point of it; nothing here
# may start a thread pool or open a file a kernel would share.
WARM = (
    "numpy",
    "pandas",
    "pyarrow",
    "duckdb",
    "IPython",
    "sqlite3",
    "emreport.report",
    "emreport.compose.charts",
    "emreport.compose",
    "emreport.metrics",
    "emreport.output.pdf",  # report.publish: which engine prints, and the Typst source
    "emreport.output.typst",
    "pyarrow.pandas_compat",  # a store's first read into pandas
)
INLINE = "module://matplotlib_inline.backend_inline"
# A process that forks must have no thread but its main one: a thread holding a lock at the
# fork leaves the child waiting on it forever. pyarrow's jemalloc starts a background thread
# at import unless told not to; numeric libraries start thread pools (and one per report is
# what a core can take anyway). The debugger's note about frozen modules is noise.
THREADS = {  # also the coordinator's (cli.py), so that it can fork its first worker
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}
SERVER_ENV = {
    **THREADS,
    "MPLBACKEND": INLINE,
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


class KernelServerError(Exception):
    """The fork server could not start or stopped answering."""


GONE = -1000  # a kernel's exit code when the fork server died under it (the kernel follows)


# ---------------------------------------------------------------- the server process


def _serve(rfd: int, wfd: int, server: int) -> None:
    """The server's loop: fork on request, answer polls and signals, reap children."""
    exited: dict[int, int] = {}
    live: set[int] = set()

    def reap() -> None:
        while live:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            live.discard(pid)
            exited[pid] = os.waitstatus_to_exitcode(status)

    reader = os.fdopen(rfd, "r", encoding="utf-8")
    writer = os.fdopen(wfd, "w", encoding="utf-8")
    try:
        writer.write('{"ready": true}\n')
        writer.flush()
        for line in reader:
            req = json.loads(line)
            reap()
            op, reply = req["op"], {}
            if op == "fork":
                pid = os.fork()
                if pid == 0:
                    _kernel(req, (reader.fileno(), writer.fileno()), server)
                live.add(pid)
                reply = {"pid": pid}
            elif op == "poll":
                pid = req["pid"]
                reply = {"exit": exited.get(pid), "known": pid in live or pid in exited}
            elif op == "preread":
                reply = {"ok": _preread(req["store"])}
                if not reply["ok"]:  # a thread was left running: no fork is safe any more
                    writer.write(json.dumps(reply) + "\n")
                    writer.flush()
                    return
            elif op == "signal":
                if req["pid"] in live:
                    try:
                        os.killpg(req["pid"], req["signal"])
                    except ProcessLookupError:
                        pass
            writer.write(json.dumps(reply) + "\n")
            writer.flush()
    finally:  # the worker is gone (or its pipe broke mid-request): so are its kernels
        for pid in live:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _preread(store: str) -> bool:
    """Read once, here, what every report on the store reads whole (Store.preread): the
    kernels forked after it find it in their copy of the per-file cache (the registry and
    the eleven tables of totals and stocks: 0.03 CPU-s a kernel on the sample), and hold
    the store open for them (store.hold: a connection without threads, which each kernel
    takes over instead of opening the file). False when a thread is running anyway,
    which would make forking unsafe."""
    import gc

    from emreport.data import store as stores

    try:
        stores.hold(store)
        with stores.Store(store) as st:
            st.preread()
    except Exception:  # noqa: BLE001 - each report says in its own words what is wrong
        pass
    gc.collect()
    gc.freeze()
    return procs.alone()


def _kernel(req: dict, protocol_fds: tuple[int, int], server: int) -> None:
    """In the forked child: connect to the worker's socket and run the cells it sends."""
    code = 1
    try:
        procs.name("emreport-kernel")
        for fd in protocol_fds:
            os.close(fd)
        os.setsid()  # its own process group, so a signal reaches whatever the kernel spawns
        if not procs.die_with(server, signal.SIGKILL):  # with the server, however it ends
            os._exit(1)  # it is gone already
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(req["cwd"])
        env = dict(req["env"], **SERVER_ENV)
        os.environ.clear()
        os.environ.update(env)
        import socket

        from emreport.run import shell

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(req["socket"])
        shell.serve(sock)  # exits the process when done
    except BaseException:  # noqa: B036 - whatever happens, the child must not return
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    """Entry point of the server process (`python -m emreport.run.kernels`)."""
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(2, 1)  # anything an import prints goes to the log, not into the protocol
    _warm_and_serve(rfd, wfd)


def _warm_and_serve(rfd: int, wfd: int) -> None:
    procs.name("emreport-server")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.update(SERVER_ENV)
    import importlib

    from emreport.run import shell

    shell.prepare()  # before the report's libraries, which look for it when imported
    for module in WARM:
        importlib.import_module(module)
    shell.warm()
    threads = procs.threads()
    if len(threads) > 1:  # refuse to fork rather than hang a report some day
        names = [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in threads]
        raise SystemExit(f"内核服务有多个线程（{'、'.join(names)}），不能安全地复制进程")
    import gc

    gc.collect()
    gc.freeze()  # the warm objects stay out of every kernel's garbage collections: fewer
    _serve(rfd, wfd, os.getpid())  # pages copied into each child, less time collecting


# ---------------------------------------------------------------- the worker's side


class KernelServer:
    """A running fork server, owned by one worker process."""

    def __init__(self, log: Path | None = None):
        prefix = atomic.temp_prefix("kernels")  # swept by a later run should this one be killed
        if log is None:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=".log")
            os.close(fd)
            log = Path(name)
        self.log_path = log
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self._lock = threading.Lock()
        self.socket_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=_socket_parent()))  # 0700
        if procs.alone():  # a copy of the worker, pandas, DuckDB and the project imported
            self.proc = procs.Forked(_warm_and_serve, self._log)
        else:  # a thread could hold a lock the copy would wait on: a fresh interpreter
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "emreport.run.kernels"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                env=dict(os.environ, **SERVER_ENV),
                start_new_session=True,
            )
        self._ready = False  # it says so once its imports are done: the first request waits
        self.forked = threading.Event()  # set once it has made a kernel

    def _ask(self, **req) -> dict:
        with self._lock:
            if not self._ready:
                try:
                    ready = self.proc.stdout.readline()
                except (OSError, ValueError):
                    ready = b""
                if not ready:
                    raise KernelServerError(f"内核服务未能启动：{self.log_tail()}")
                self._ready = True
            try:
                self.proc.stdin.write((json.dumps(req) + "\n").encode())
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
            except (OSError, ValueError):  # a broken pipe, or closed by close()
                line = b""
        if not line:
            raise KernelServerError(f"内核服务已退出：{self.log_tail()}")
        return json.loads(line)

    def fork(self, sock: str, cwd: str, env: dict[str, str]) -> int:
        """A new kernel, connecting to the socket `sock` (engine.Kernel listens there)."""
        pid = self._ask(op="fork", socket=sock, cwd=cwd, env=env)["pid"]
        self.forked.set()
        return pid

    def preread(self, store: str) -> bool:
        """Have the server read the store's small tables before it forks kernels
        (`_preread`); False when it could not safely and has exited."""
        return bool(self._ask(op="preread", store=store)["ok"])

    def poll(self, pid: int) -> int | None:
        reply = self._ask(op="poll", pid=pid)
        return reply["exit"] if reply["known"] else 0

    def signal(self, pid: int, signum: int) -> None:
        self._ask(op="signal", pid=pid, signal=int(signum))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 5) -> str:
        try:
            self._log.flush()
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip()
        except (OSError, ValueError):  # closed (by another report's lane) and removed
            return "（无日志）"
        return " / ".join(text.splitlines()[-lines:]) or "（无日志）"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # the server kills its kernels and exits
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._log.close()
        self.log_path.unlink(missing_ok=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


SOCKET_PATH_MAX = 107  # sockaddr_un.sun_path, less its terminating NUL


def _socket_parent() -> str:
    """The temporary folder, unless it is too deep for the kernels' socket paths (the
    folder's name, /k-, 12 hex digits and -N after it): /tmp then."""
    base = tempfile.gettempdir()
    return base if len(base) + 60 <= SOCKET_PATH_MAX else "/tmp"


if __name__ == "__main__":
    main()
