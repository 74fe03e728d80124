"""Writing a file whole or not at all: the one way emreport replaces a file.

The new content goes to a temporary file beside the final name (same folder, so same file
system), is flushed to disk, and is renamed over the final name in one step: a reader sees
the old file or the new one, never half of either. On any failure — a full disk, a missing
permission, Ctrl-C — the temporary file is removed and the old file stays as it was.

Temporary names are `.<final name>.<pid>-<random>.tmp` (a DuckDB store written there may add
`.wal`). A process killed mid-write cannot remove its own, so `sweep` removes those of
processes no longer running; writers call it on the folder they write to.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

SUFFIX = ".tmp"
TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.tmp(?:\.wal)?$")
STALE_SECONDS = 60  # another machine's writer in a shared folder touches its file as it writes


def temp_path(final: Path) -> Path:
    """A fresh temporary name beside `final`, recognisable by `sweep`."""
    final = Path(final)
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}")


def discard(tmp: Path) -> None:
    """Remove a temporary file (and a database's write-ahead log beside it), if there."""
    for path in (Path(tmp), Path(f"{tmp}.wal")):
        with suppress(FileNotFoundError):
            path.unlink()


def commit(tmp: Path, final: Path) -> None:
    """Rename a finished temporary file over the final name."""
    os.replace(tmp, final)


def stage(final: Path, data: bytes, *, mode: int = 0o666, sync: bool = True) -> Path:
    """Write `data` to a new temporary file beside `final` and return its name, for the
    caller to `commit` (several files can be staged, then renamed together); nothing is left
    if writing fails. `mode` is narrowed by the umask, as for any new file."""
    final = Path(final)
    tmp = temp_path(final)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if sync:
                os.fsync(f.fileno())
    except BaseException as e:
        discard(tmp)
        if isinstance(e, OSError):
            e.filename = str(final)  # the file the user knows, not the temporary one
        raise
    return tmp


def write_bytes(final: Path, data: bytes, *, mode: int = 0o666, sync: bool = True) -> None:
    """Replace `final` with `data`, whole or not at all."""
    tmp = stage(final, data, mode=mode, sync=sync)
    try:
        commit(tmp, final)
    except BaseException as e:
        discard(tmp)
        if isinstance(e, OSError):
            e.filename = str(final)
        raise


def write_text(final: Path, text: str, *, mode: int = 0o666, sync: bool = True) -> None:
    write_bytes(final, text.encode("utf-8"), mode=mode, sync=sync)


@contextmanager
def replacing(final: Path) -> Iterator[Path]:
    """A temporary path for a writer that opens files itself (a database): renamed over
    `final` if the block ends normally, removed if it raises."""
    tmp = temp_path(final)
    try:
        yield tmp
        commit(tmp, final)
    finally:
        discard(tmp)


def blocking_ancestor(path: Path) -> Path | None:
    """The first existing ancestor of path when it is not a folder (path cannot be made)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def running(pid: int) -> bool:
    """Whether the process runs; a zombie (killed, not yet reaped by a parent that is itself
    gone) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: as far as can be told, it runs
    return state not in ("Z", "X")


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files in `folder` left by processes that are no longer running
    (and untouched for a minute, in case another machine writes there). Returns them."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = TEMP.match(entry.name)
        if m is None or int(m["pid"]) == os.getpid() or running(int(m["pid"])):
            continue
        try:
            if (
                not entry.is_file(follow_symlinks=False)
                or now - entry.stat(follow_symlinks=False).st_mtime < STALE_SECONDS
            ):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def no_space(e: BaseException) -> bool:
    """Whether the error is a full disk (or a used-up quota)."""
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)


def failure_words(e: OSError, path: Path | str | None = None) -> str:
    """What went wrong writing a file, in the analyst's words: 磁盘空间不足，未能写入…"""
    where = path or e.filename or ""
    if no_space(e):
        return f"磁盘空间不足，未能写入{where}"
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"没有写入权限，未能写入{where}"
    if e.errno == errno.EROFS:
        return f"文件系统只读，未能写入{where}"
    return f"未能写入{where}：{e.strerror or e}"


# --- temporary folders of a process ------------------------------------------------------
TEMP_DIR = re.compile(r"^emreport-(?:chromium|kernels|pdf)-(?P<pid>\d+)-")


def temp_prefix(kind: str) -> str:
    """The prefix for a temporary file or folder this process owns (tempfile's `prefix`):
    `emreport-<kind>-<pid>-`, so that `sweep_temp` can tell when its owner is gone."""
    return f"emreport-{kind}-{os.getpid()}-"


def sweep_temp(folder: Path | None = None) -> list[Path]:
    """Remove the Chromium profiles, kernel-server folders and logs in the temporary folder
    whose owning process is no longer running (one killed with `kill -9` could not)."""
    import shutil
    import tempfile

    # the kernels' sockets go to /tmp when the temporary folder's name is too long for them
    folders = [Path(folder)] if folder else sorted({Path(tempfile.gettempdir()), Path("/tmp")})
    entries, removed = [], []
    for f in folders:
        try:
            entries += list(os.scandir(f))
        except OSError:
            continue
    for entry in entries:
        m = TEMP_DIR.match(entry.name)
        if m is None or int(m["pid"]) == os.getpid() or running(int(m["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed
