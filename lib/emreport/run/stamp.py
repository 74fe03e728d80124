"""An unchanged `emreport run`, answered without planning it again.

After a run in which every report was made or already up to date, the outputs folder keeps a
stamp (`.emreport-batch-<hash of the command>.json`): the command's inputs as they were when
the run started (the project's code as cache.code_key sees it, every file of the parameter
and notebook folders by its content, the store file by its identity, size and modification
time: an ingest replaces it whole), and each report folder and index as the run left them.
The same command on the same inputs, its reports untouched, says what the run said without
importing pandas or opening the store: an unchanged re-run of the 24 grid reports in 0.1 s
instead of 0.6 s.
Anything different (an edit, a new or removed file, a new ingest, a report file or index
touched, other code) misses the stamp, and the run plans and compares every report's key
as always (cache.py).

The inputs are read before the run plans, so a file edited while it runs misses the stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from emreport import atomic
from emreport.output import folder

STAMP = ".emreport-batch-{}.json"  # one per command: its hash
VERSION = 1
MAX_READ = 2**20  # a larger file in those folders is taken by its identity, not read


def _identity(st: os.stat_result) -> list:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _stat(path: Path) -> list | None:
    try:
        return _identity(os.stat(path))
    except OSError:
        return None


def _tree(root: Path, depth: int) -> list:
    """Every file in root and, to `depth` levels, its folders', by relative path and content
    (a few small text files: the narratives, params/<code>/<period>.md, and the notebooks),
    so that a file copied over another with its time kept is still seen to differ. What is
    not a small regular file (a pipe, which a read would wait on for ever; anything over
    MAX_READ) is taken by its identity instead; a folder deeper down is not looked into, as
    neither a plan nor a key reads one."""
    out = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return [None]
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if depth > 1:
                out.append([entry.name, _tree(path, depth - 1)])
        else:
            out.append([entry.name, _content(path)])
    return out


def _content(path: Path) -> str | list | None:
    """A file's content hash, or its identity; opened without waiting (a pipe's open would
    wait for a writer) and looked at once open, so nothing swapped in meanwhile is read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_READ:
            return [st.st_mode, *_identity(st)]
        try:
            return hashlib.sha256(f.read()).hexdigest()
        except OSError:
            return None


def inputs(command: dict, *, store: Path, params_dir: Path, notebooks: Path) -> str:
    """A hash of the command (kind, periods, districts, folders) and of everything a plan
    and the reports' keys read, as it is now."""
    from emreport.run.cache import code_key

    parts = {
        "version": VERSION,
        "command": command,
        "code": code_key(),
        "store": [str(store), _stat(store), _stat(Path(f"{store}.wal"))],
        "params": [str(params_dir), _tree(params_dir, 2)],
        "notebooks": [str(notebooks), _tree(notebooks, 1)],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def path(outputs: Path, command: dict) -> Path:
    """The stamp of one command (its kind, periods, districts and folders) in the outputs
    folder: each command run into a folder keeps its own."""
    name = hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()[:16]
    return outputs / STAMP.format(name)


def _outputs(folders: list[str], indexes: list[str]) -> list:
    """Each report folder's files and each index, as they are now."""
    return [
        [[f, [_stat(Path(f) / name) for name in (folder.STATE, *folder.FILES)]] for f in folders],
        [[i, _stat(Path(i))] for i in indexes],
    ]


def unchanged(key: str, where: Path) -> dict | None:
    """What the command's last run said (its stamp at `where`), when it ran on these very
    inputs and its reports and indexes are still as it left them; else None."""
    try:
        stamp = json.loads(where.read_text(encoding="utf-8"))
        if stamp.get("key") != key:
            return None
        if _outputs(stamp["folders"], stamp["indexes"]) != stamp["outputs"]:
            return None
        said = ("jobs", "notices", "warnings", "indexes")
        return stamp if all(isinstance(stamp[k], list) for k in said) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def record(
    key: str,
    where: Path,
    *,
    folders: list[Path],
    indexes: list[Path],
    jobs: list[str],
    notices: list[str],
    warnings: list[str],
) -> None:
    """Keep the stamp of a run that left every report up to date. A run that did not leaves
    the one it found, which cannot match any more: its inputs or its outputs have changed."""
    names = [str(f) for f in folders]
    index_names = [str(i) for i in indexes]
    stamp = {
        "key": key,
        "jobs": jobs,
        "notices": notices,
        "warnings": warnings,
        "folders": names,
        "indexes": index_names,
        "outputs": _outputs(names, index_names),
    }
    try:
        atomic.write_text(where, json.dumps(stamp, ensure_ascii=False))
    except OSError:  # a full disk, say: no stamp, and the next run plans
        try:
            where.unlink(missing_ok=True)
        except OSError:
            pass


def say(stamp: dict, seconds: float) -> None:
    """What the run would say with every report unchanged, as batch.run says it."""
    from emreport.run.progress import Progress, summary

    for notice in stamp["notices"]:
        print(notice, flush=True)
    progress = Progress(len(stamp["jobs"]))
    for job in stamp["jobs"]:
        progress.cache_hit(job)
    progress.close()
    print(summary(len(stamp["jobs"]), 0, len(stamp["jobs"]), 0, seconds))
    for warning in stamp["warnings"]:
        print(f"  {warning}")
    for path in stamp["indexes"]:
        print(f"索引：{path}")
