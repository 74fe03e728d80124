"""The files an ingest keeps for its store, in one folder emreport creates and owns.

`<store>.emreport/` beside the store file (`emreport.duckdb.emreport/` for the default store)
holds a marker file `OWNER`, the lock, the manifest, the cache of typed parts and the store being
built. A folder of that name without the marker is never used, and emreport deletes only inside
its own folder and only names it gives its own files: cached parts and leftovers of a killed
ingest. Before anything is written, the store path is checked: an existing path must be an
emreport store (see `store.not_a_store`), and the store may not lie inside the data folder.

Stores of earlier versions kept `cache/`, `manifest.json` and `.lock` beside the store file;
those are left alone (nothing proves they are emreport's), and the first ingest reads every file
once more.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from emreport import atomic
from emreport.data.store import StoreError, not_a_store

SUFFIX = ".emreport"
OWNER = "OWNER"
OWNER_FIRST_LINE = "emreport companion folder"
OWNER_TEXT = (
    f"{OWNER_FIRST_LINE}\n"
    "此文件夹由 emreport 建立和管理：数据库{name}的导入缓存、清单和锁。"
    "其中的文件会被 emreport 改写或删除，请勿在此存放自己的文件。\n"
)
INGEST_HINT = (
    "为免覆盖，未写入任何内容；请用 --store（或环境变量 EMREPORT_STORE）"
    "指定emreport数据库或一个新文件的路径"
)
# names emreport gives the files it may delete: parts and indexes in cache/, temporary files
_CACHED = re.compile(r"[0-9a-f]{32}(?:-\d+\.parquet|\.json)")
_OWN_TEMP = re.compile(
    r"store\.\d+\.tmp(?:\.wal)?"
    r"|\.(?:manifest\.json|[0-9a-f]{32}(?:\.json|-\d+\.parquet))"
    r"\.\d+(?:-[0-9a-f]{8})?\.tmp"
)  # atomic.py's names, and older ones


@dataclass(frozen=True)
class Companions:
    """The companion folder of one store and the paths in it."""

    folder: Path

    @property
    def lock(self) -> Path:
        return self.folder / "lock"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def cache(self) -> Path:
        return self.folder / "cache"

    def temp_store(self) -> Path:
        """Where this process builds the new store (same file system as the store)."""
        return self.folder / f"store.{os.getpid()}.tmp"


def folder_for(store: Path) -> Path:
    return store.with_name(store.name + SUFFIX)


def _is_ours(folder: Path) -> bool:
    try:
        with open(folder / OWNER, encoding="utf-8") as fh:
            return fh.readline().rstrip("\n") == OWNER_FIRST_LINE
    except (OSError, UnicodeDecodeError):
        return False


def check(store: Path, data_dir: Path) -> None:
    """Refuse, in words and before anything is written, a store path ingest must not write to."""
    real, data = Path(os.path.realpath(store)), Path(os.path.realpath(data_dir))
    if real == data or data in real.parents:
        raise StoreError(
            f"数据库{store}位于要导入的数据文件夹{data_dir}之内：未写入任何内容；"
            "请用 --store 指定数据文件夹以外的路径"
        )
    blocking = atomic.blocking_ancestor(real)
    if blocking is not None:
        raise StoreError(
            f"数据库{store}无法建立：{blocking}是文件，不是文件夹：未写入任何内容；"
            "请用 --store 指定另一个路径"
        )
    if os.path.lexists(real):
        words = not_a_store(store) if real.exists() else f"{store}是失效的符号链接"
        if words:
            raise StoreError(f"{words}：{INGEST_HINT}")
    folder = folder_for(real)
    if os.path.lexists(folder) and not (folder.is_dir() and _is_ours(folder)):
        raise _foreign(folder)


def _foreign(folder: Path) -> StoreError:
    return StoreError(
        f"{folder}已存在，但不是emreport建立的文件夹（其中没有emreport的标记文件"
        f"{OWNER}）：emreport不会在其中写入或删除任何文件；请移走它，"
        "或用 --store 指定另一个路径"
    )


def claim(store: Path) -> Companions:
    """The store's companion folder, made with its marker in one rename when absent."""
    real = Path(os.path.realpath(store))
    folder = folder_for(real)
    if not folder.is_dir():
        real.parent.mkdir(parents=True, exist_ok=True)
        tmp = real.with_name(f".{folder.name}.{os.getpid()}.tmp")
        _remove_unused(tmp)  # left by this process id before
        tmp.mkdir()
        try:
            (tmp / OWNER).write_text(OWNER_TEXT.format(name=real.name), encoding="utf-8")
            with suppress(OSError):  # another ingest made it first: checked below
                os.rename(tmp, folder)
        finally:
            _remove_unused(tmp)
    if not _is_ours(folder):
        raise _foreign(folder)
    c = Companions(folder)
    c.cache.mkdir(exist_ok=True)
    return c


@contextmanager
def locked(c: Companions) -> Iterator[None]:
    """One ingest at a time per store."""
    with open(c.lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _remove_unused(tmp: Path) -> bool:
    """Remove a companion folder being made (a folder holding at most its marker)."""
    if tmp.is_symlink() or not tmp.is_dir() or {p.name for p in tmp.iterdir()} - {OWNER}:
        return False
    (tmp / OWNER).unlink(missing_ok=True)
    tmp.rmdir()
    return True


def clean_leftovers(c: Companions, store: Path) -> list[Path]:
    """Remove what killed ingests left: under the lock every temporary file in the folder is
    one; beside the store, only the exact names earlier versions and `claim` use, of a process
    that is gone. Returns what was removed."""
    removed = []
    for folder in (c.folder, c.cache):
        for path in folder.iterdir():
            if _OWN_TEMP.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    real = Path(os.path.realpath(store))
    beside = re.compile(
        rf"\.(?:{re.escape(real.name)}\.(\d+)\.tmp(?:\.wal)?"
        rf"|{re.escape(c.folder.name)}\.(\d+)\.tmp)"
    )
    for path in real.parent.iterdir():
        m = beside.fullmatch(path.name)
        if not m or path.is_symlink() or atomic.running(int(m[1] or m[2])):
            continue
        if m[1] and path.is_file():
            path.unlink(missing_ok=True)
        elif not (m[2] and _remove_unused(path)):
            continue
        removed.append(path)
    return removed


def collect_garbage(c: Companions, keep: set[str]) -> None:
    """Drop cached parts no file refers to any more: only files named as emreport names them."""
    for path in c.cache.iterdir():
        if (
            path.name not in keep
            and _CACHED.fullmatch(path.name)
            and path.is_file()
            and not path.is_symlink()
        ):
            path.unlink(missing_ok=True)
