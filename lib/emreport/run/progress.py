"""Where a batch stands: a bar on a terminal, one plain line per finished report otherwise.

Each report is queued, running, done, cached (unchanged, not redone) or failed. The bar shows
the counts, the time taken and an estimate of the time left from the reports made so far.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 24


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return (
        f"{seconds // 60}:{seconds % 60:02d}"
        if seconds < 3600
        else f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    )


def summary(total: int, done: int, cached: int, failed: int, seconds: float) -> str:
    """The batch's closing line."""
    took = clock(seconds) if seconds >= 60 else f"{seconds:.1f}秒"
    return f"共{total}份报告：完成{done}份，未变化{cached}份，失败{failed}份，用时{took}。"


class Progress:
    def __init__(
        self,
        total: int,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        tty: bool | None = None,
    ):
        self.total = total
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.tty = self.err.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.running: set[str] = set()
        self.done = self.cached = self.failed = 0
        self._drawn = 0.0

    @property
    def finished(self) -> int:
        return self.done + self.cached + self.failed

    @property
    def queued(self) -> int:
        return self.total - self.finished - len(self.running)

    def eta(self) -> float | None:
        made = self.done + self.failed
        left = self.total - self.finished
        if not made or not left:
            return None
        return (time.monotonic() - self.started) / made * left

    def line(self) -> str:
        filled = int(WIDTH * self.finished / self.total) if self.total else WIDTH
        eta = self.eta()
        return (
            f"[{'█' * filled}{'░' * (WIDTH - filled)}] {self.finished}/{self.total}  "
            f"完成{self.done} 未变化{self.cached} 失败{self.failed} "
            f"运行中{len(self.running)} 排队{self.queued}  "
            f"已用{clock(time.monotonic() - self.started)}"
            + (f" 预计还需{clock(eta)}" if eta is not None else "")
        )

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if force or now - self._drawn > 0.1:
            self.err.write("\r\x1b[2K" + self.line())
            self.err.flush()
            self._drawn = now

    def _say(self, text: str, stream: TextIO) -> None:
        if self.tty:
            self.err.write("\r\x1b[2K")
        print(text, file=stream, flush=True)
        self._draw(force=True)

    def tick(self) -> None:
        self._draw()

    def start(self, job_id: str) -> None:
        self.running.add(job_id)
        self._draw(force=True)

    def cache_hit(self, job_id: str) -> None:
        self.cached += 1
        if not self.tty:
            print(f"[{self.finished}/{self.total}] 未变化 {job_id}", file=self.out, flush=True)
        self._draw()

    def finish(self, job_id: str, seconds: float, where: str = "") -> None:
        self.running.discard(job_id)
        self.done += 1
        if not self.tty:
            print(
                f"[{self.finished}/{self.total}] 完成 {job_id}（{seconds:.1f}秒{where}）",
                file=self.out,
                flush=True,
            )
        self._draw(force=True)

    def fail(self, job_id: str, message: str) -> None:
        self.running.discard(job_id)
        self.failed += 1
        self._say(f"[{self.finished}/{self.total}] 失败 {job_id}：{message}", self.err)

    def close(self) -> None:
        if self.tty:
            self._draw(force=True)
            self.err.write("\n")
            self.err.flush()
