"""The batch's processes as Linux sees them: whether this one runs threads, its name, dying
with its parent, and a copy of it with two pipes (`Forked`) that behaves like the
subprocess.Popen it stands in for.

A process may be copied (forked) only while it runs no thread but its main one: a thread
holding a lock at the fork leaves the copy waiting on that lock forever.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable

PR_SET_PDEATHSIG, PR_SET_NAME = 1, 15


def _prctl(option: int, arg: int | bytes) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def threads() -> list[str]:
    """This process's threads (their ids)."""
    return os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ["main"]


def alone() -> bool:
    """Whether this process runs no thread but its main one, so that it may fork."""
    return len(threads()) == 1 and hasattr(os, "fork")


def name(title: str) -> None:
    """This process's name as ps, top and /proc/<pid>/comm show it (15 characters): the
    worker, the kernel server and its kernels are copies of `emreport run`, whose command
    line they keep."""
    _prctl(PR_SET_NAME, title.encode()[:15])


def die_with(parent: int, signum: int) -> bool:
    """Have Linux send this process `signum` when its parent (the thread that started it)
    exits, however it exits (elsewhere only the parent's own clean-up holds). False when
    `parent` is already gone, before the signal was asked for."""
    _prctl(PR_SET_PDEATHSIG, int(signum))
    return os.getppid() == parent


def _open_fds() -> list[int]:
    try:
        return [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


class Forked:
    """A copy of this process (which must be `alone`) running `target(rfd, wfd)`: requests
    come in on rfd, answers go out on wfd; it gets its own session, /dev/null for input, the
    log for output, and none of this process's other files. The same face as a
    subprocess.Popen with piped stdin and stdout (stdin, stdout, pid, poll, wait, kill)."""

    def __init__(self, target: Callable[[int, int], None], log) -> None:
        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(log.fileno(), 1)
                os.dup2(log.fileno(), 2)
                keep = {to_child, to_parent}
                for fd in _open_fds():  # the parent's queues and log: not the copy's
                    if fd > 2 and fd not in keep:
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                target(to_child, to_parent)
                code = 0
            except BaseException:  # noqa: B036 - whatever happens, the child must not return
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(to_child)
        os.close(to_parent)
        self.pid = pid
        self.stdin = os.fdopen(from_parent, "wb")
        self.stdout = os.fdopen(from_child, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"process {self.pid}", timeout)
            time.sleep(0.005)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
