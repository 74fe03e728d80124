"""The fork server of warm kernels leaves nothing behind, however it ends."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from emreport.run import kernels


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _start_kernel(server):
    km = kernels.kernel_manager_class(server)(kernel_name="python3")
    asyncio.run(km.start_kernel(cwd=os.getcwd()))
    return km.provisioner.pid


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def test_closing_the_server_kills_its_kernels():
    server = kernels.KernelServer()
    pid = _start_kernel(server)
    assert _alive(pid) and pid != server.proc.pid
    server.close()
    assert _gone_within(pid, 5)
    assert not server.socket_dir.exists()


def test_a_killed_server_takes_its_kernels_with_it():
    server = kernels.KernelServer()
    pid = _start_kernel(server)
    time.sleep(1)  # the kernel is up and polling its parent
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()
    assert _gone_within(pid, 10)
    server.close()


def test_the_server_runs_no_thread_but_its_own():
    server = kernels.KernelServer()
    try:
        assert os.listdir(f"/proc/{server.proc.pid}/task") == [str(server.proc.pid)]
    finally:
        server.close()
