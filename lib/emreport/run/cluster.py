"""Making the reports on a running dask.distributed cluster instead of local processes."""

from __future__ import annotations

import queue
import time
import uuid

from emreport.run.messages import Finished, Outcome, Started


class DaskPool:
    """The same work on a running dask.distributed cluster. The workers run the reports and
    send back the files; this process writes them."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as e:
            raise SchedulerError("未安装 dask.distributed：pip install distributed") from e
        # An address Client cannot parse fails inside its connection loop, and the half-made
        # client then takes 20 s to close at exit, with a traceback: check it first.
        wrong = SchedulerError(f"Dask 调度器地址“{address}”格式不对，应如 tcp://10.0.0.5:8786")
        if not _address_ok(address):
            raise wrong
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except ValueError:
            raise wrong from None
        except (OSError, TimeoutError):
            raise SchedulerError(
                f"无法连接 Dask 调度器 {address}：10秒内没有连上，请检查地址，"
                "以及调度器（dask scheduler）是否在运行"
            ) from None
        if not self.client.scheduler_info().get("workers"):
            self.client.close()
            raise SchedulerError(f"Dask 调度器 {address} 没有可用的工作节点（dask worker）")
        self.started: queue.SimpleQueue = queue.SimpleQueue()
        from emreport.run.worker import EVENT_TOPIC

        self.client.subscribe_topic(EVENT_TOPIC, lambda event: self.started.put(event[1]["job"]))
        self.pending: dict[str, tuple] = {}

    def __enter__(self) -> DaskPool:
        return self

    def finish(self) -> None:
        """Nothing to tell the cluster: its workers stay for the next client."""

    def submit(self, spec) -> None:
        from emreport.run.worker import render_report

        future = self.client.submit(
            render_report,
            spec,
            pure=False,
            key=f"emreport-{spec.job.folder}-{spec.job.code}-{uuid.uuid4().hex[:8]}",
        )
        self.pending[future.key] = (future, spec)

    def events(self, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            while not self.started.empty():
                yield Started(self.started.get())
            done = [k for k, (f, _) in self.pending.items() if f.done()]
            for k in done:
                future, spec = self.pending.pop(k)
                try:
                    outcome = future.result()
                except Exception as e:  # noqa: BLE001 - a worker lost, a task that could not run
                    outcome = Outcome(
                        spec.job, spec.key, error=f"Dask 任务失败：{type(e).__name__}：{e}"
                    )
                yield Finished(outcome)
            if done or time.monotonic() >= deadline:
                return
            time.sleep(0.02)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.client.cancel([f for f, _ in self.pending.values()])
        self.client.close()


class SchedulerError(Exception):
    """The Dask scheduler cannot be used."""


def _address_ok(address: str) -> bool:
    """Whether dask.distributed can parse the address: a known scheme and, for the network
    ones, a host and a port."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss", "ucx"):
            host, port = parse_host_port(location)
            return bool(host) and 0 < int(port) < 65536
        return bool(location)
    except (ValueError, TypeError):
        return False
