"""The outputs folder contract: one folder per report, `outputs/<folder>/<code>/` (the
folder names the period and kind: 2025, 2021-2025, 2025-highlights), and the
names of the files in it, spelled here once.

A report's files are written together (`write`): each beside its final name, then all renamed
into place, so a reader never sees a half-written file and a failed write leaves the previous
report whole. The folder's record of what the report was made from (STATE, with the cache key
of its inputs) is removed first and written last: only a folder whose files all arrived
vouches for its inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

from emreport import atomic

HTML = "report.html"
PDF = "report.pdf"
XLSX = "report.xlsx"
DOCX = "report.docx"  # the report as an editable Word document (output/docx.py)
NOTEBOOK = "report.ipynb"
METRICS = "metrics.json"
FILES = (HTML, PDF, DOCX, XLSX, NOTEBOOK, METRICS)
FAILED = "report.failed.ipynb"  # the notebook as far as it ran, beside the last good report
INDEX = "index.html"  # one per period folder (outputs/<folder>/)
STATE = ".emreport-run.json"


def report_dir(outputs: Path, period_folder: str, code: str) -> Path:
    """outputs/<folder>/<code>/: the folder is the period's code for a summary or a review
    (2025, 2025-H1, 2021-2025), and 2025-highlights for a highlights brief (data/kinds.py)."""
    return Path(outputs) / period_folder / code


def read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def is_current(out_dir: Path, key: str) -> bool:
    """The folder holds a whole report made from exactly these inputs."""
    state = read_state(out_dir)
    return (
        state.get("status") == "done"
        and state.get("key") == key
        and all((out_dir / f).is_file() for f in FILES)
    )


def forget(out_dir: Path) -> None:
    """Before files are replaced: the folder no longer vouches for any key."""
    (out_dir / STATE).unlink(missing_ok=True)


def record(out_dir: Path, state: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_text(out_dir / STATE, json.dumps(state, ensure_ascii=False, indent=1))


def write(out_dir: Path, files: dict[str, bytes], state: dict | None = None) -> None:
    """Put a report's files in place together. Every file is staged before any is renamed:
    should one not fit on the disk, nothing of the previous report is replaced and no
    temporary file is left (atomic.py)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.sweep(out_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            staged.append((atomic.stage(out_dir / name, data), out_dir / name))
        if state is not None:
            forget(out_dir)
        for tmp, final in staged:
            atomic.commit(tmp, final)
        if state is not None:
            record(out_dir, state)
    finally:
        for tmp, _ in staged:
            atomic.discard(tmp)
