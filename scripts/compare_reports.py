"""Compare two runs of the sample reports: every metrics.json equal, every PDF's text equal.

A refactor keeps behaviour: render the sample with the old code and with the new one, then
`python scripts/compare_reports.py OLD/outputs NEW/outputs`. Exit 1 and the differences named
when any report differs, is missing, or is new.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def reports(root: Path) -> set[Path]:
    return {p.parent.relative_to(root) for p in root.glob("*/*/metrics.json")}


def compare(old: Path, new: Path) -> list[str]:
    """Every difference between the two output folders, one line each."""
    out = []
    a, b = reports(old), reports(new)
    out += [f"{r}: only in {old}" for r in sorted(a - b)]
    out += [f"{r}: only in {new}" for r in sorted(b - a)]
    for r in sorted(a & b):
        ma = json.loads((old / r / "metrics.json").read_text(encoding="utf-8"))
        mb = json.loads((new / r / "metrics.json").read_text(encoding="utf-8"))
        if ma != mb:
            keys = sorted(k for k in set(ma) | set(mb) if ma.get(k) != mb.get(k))
            out.append(f"{r}/metrics.json differs in: {', '.join(keys)}")
        ta, tb = pdf_text(old / r / "report.pdf"), pdf_text(new / r / "report.pdf")
        if ta != tb:
            diff = difflib.unified_diff(ta.splitlines(), tb.splitlines(), lineterm="", n=0)
            lines = [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
            out.append(
                f"{r}/report.pdf text differs ({len(lines)} lines), first: " + " | ".join(lines[:4])
            )
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: compare_reports.py OLD_OUTPUTS NEW_OUTPUTS", file=sys.stderr)
        return 2
    old, new = Path(argv[0]), Path(argv[1])
    diffs = compare(old, new)
    for line in diffs:
        print(line)
    n = len(reports(old) & reports(new))
    print(f"{n} reports compared: {'identical' if not diffs else f'{len(diffs)} differences'}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
