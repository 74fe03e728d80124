"""The one atomic writer: a file is replaced whole or not at all, and no temporary file
outlives a failure; a later run removes what a killed one left."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time

import pytest

from emreport import atomic


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_file_is_replaced_whole(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


@pytest.mark.parametrize(
    "failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
)
def test_any_failure_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path, monkeypatch, failure):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def broken(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(type(failure)) as caught:
        atomic.write_bytes(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    if isinstance(failure, OSError):  # named after the file the user knows
        assert caught.value.filename == str(target)
        assert atomic.failure_words(caught.value) == f"磁盘空间不足，未能写入{target}"


def test_sweep_removes_only_what_dead_processes_left(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".report.pdf.{dead}-0123abcd.tmp"
    stale_wal = tmp_path / f".emreport.duckdb.{dead}-0123abcd.tmp.wal"
    fresh = tmp_path / f".report.html.{dead}-89abcdef.tmp"  # another machine may write it
    mine = atomic.temp_path(tmp_path / "report.xlsx")
    live = tmp_path / f".metrics.json.{os.getppid()}-00000000.tmp"
    own = tmp_path / ".my-notes.tmp"  # not ours: never touched
    for p in (stale, stale_wal, fresh, mine, live, own):
        p.write_bytes(b"x")
    old = time.time() - 2 * atomic.STALE_SECONDS
    for p in (stale, stale_wal, mine, live, own):
        os.utime(p, (old, old))
    assert sorted(atomic.sweep(tmp_path)) == sorted([stale, stale_wal])
    assert {p.name for p in tmp_path.iterdir()} == {fresh.name, mine.name, live.name, own.name}


def test_temporary_folders_of_dead_processes_are_removed(tmp_path):
    dead = _dead_pid()
    left = [tmp_path / f"emreport-chromium-{dead}-abc", tmp_path / f"emreport-kernels-{dead}-x"]
    for p in left:
        (p / "Default").mkdir(parents=True)
    log = tmp_path / f"emreport-kernels-{dead}-y.log"
    log.write_text("")
    kept = [
        tmp_path / f"emreport-chromium-{os.getpid()}-abc",
        tmp_path / f"emreport-chromium-{os.getppid()}-abc",
        tmp_path / "emreport-chromium-abc",
    ]
    for p in kept:
        p.mkdir()
    assert sorted(atomic.sweep_temp(tmp_path)) == sorted([*left, log])
    assert sorted(tmp_path.iterdir()) == sorted(kept)
