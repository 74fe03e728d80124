"""report.xlsx on the sample reports: `.venv/bin/python benchmarks/xlsx.py OUTPUTS`.

OUTPUTS is a folder of `emreport run` outputs (<period>/<code>/report.ipynb): the tables of
each report are taken from the bundle its notebook carries, as the worker takes them, and
`appendix_bytes` writes each report's workbook once to warm up, then RUNS times over. Per group
of reports (summaries by district and city, reviews, highlights) the table shows the median and
best CPU seconds a report. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import nbformat

from emreport.output import bundle
from emreport.output.xlsx import appendix_bytes

RUNS = 7
CITY = "990100"


def group(nb_path: Path, kind: str) -> str:
    if kind != "summary":
        return kind  # review, highlights
    return "city summaries" if nb_path.parent.name == CITY else "district summaries"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", type=Path)
    args = parser.parse_args()
    groups: dict[str, list] = {}
    for path in sorted(args.outputs.glob("*/*/report.ipynb")):
        nb = nbformat.read(path, 4)
        b = bundle.of(nb)
        kind = nb.metadata.get("emreport", {}).get("kind", "summary") or "summary"
        groups.setdefault(group(path, kind), []).append((bundle.tables(b), b["title"]))
    print(
        "| reports | n | sheets a report | median CPU-s | best CPU-s |\n|---|---:|---:|---:|---:|"
    )
    for name, jobs in sorted(groups.items()):
        for tables, title in jobs:
            appendix_bytes(tables, report_title=title)
        times = []
        for _ in range(RUNS):
            start = time.process_time()
            for tables, title in jobs:
                appendix_bytes(tables, report_title=title)
            times.append((time.process_time() - start) / len(jobs))
        sheets = sum(len(t) for t, _ in jobs) / len(jobs)
        print(
            f"| {name} | {len(jobs)} | {sheets:.1f} | {statistics.median(times):.4f} "
            f"| {min(times):.4f} |"
        )


if __name__ == "__main__":
    main()
