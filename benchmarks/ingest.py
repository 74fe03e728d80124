"""Ingest and slice benchmark: `make bench` (or `.venv/bin/python benchmarks/ingest.py`).

Generates (once, cached under benchmarks/.data/) 2 million hazard records over 100 districts, as
csv and as xlsx files, then measures in fresh processes:
  * `emreport ingest` from csv and from xlsx: wall time and peak memory (targets: < 4 GB);
  * `pandas.read_excel` (its default engine) and `pandas.read_csv` on the same hazard files, for
    comparison: reading alone, no validation;
  * reading one district's slice for one period from the store (target: < 50 ms).
Figures are printed; nothing is asserted. `--hazards 200000` makes a quick run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def run(argv: list[str]) -> tuple[float, float, str]:
    """Run a command in a fresh process: (seconds, peak RSS in MB, output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{out}")
    return elapsed, usage.ru_maxrss / 1024, out


def emreport(*args: str) -> list[str]:
    return [PY, "-m", "emreport.cli", *args]


def dataset(fmt: str, districts: int, hazards: int) -> Path:
    """The generated input folder for a format, made once per size."""
    folder = HERE / ".data" / f"{fmt}-{districts}-{hazards}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(
            f"generating {hazards} hazard records over {districts} districts as {fmt} ...",
            flush=True,
        )
        t, _, _ = run(
            emreport(
                "sample",
                str(folder),
                "--districts",
                str(districts),
                "--hazards",
                str(hazards),
                "--format",
                fmt,
                "--first-year",  # two years, as the figures in docs/benchmarks.md were measured
                "2024",
            )
        )
        (folder / ".complete").touch()
        print(f"  generated in {t:.1f} s", flush=True)
    return folder


READ_ALL = """
import sys, glob, pandas as pd
fmt, folder, engine = sys.argv[1:4]
files = sorted(glob.glob(folder + "/隐患排查_*." + fmt))
if fmt == "xlsx":
    print(sum(len(pd.read_excel(f, engine=engine)) for f in files))
else:
    print(sum(len(pd.read_csv(f)) for f in files))
"""

SLICE = """
import statistics, sys, time
from emreport.metrics import compute
from emreport.data.periods import Period
from emreport.data.store import Store
with Store(sys.argv[1]) as store:
    codes = [c for c, lv in zip(store.registry()["code"], store.registry()["level"]) if lv == "区"]
    period = Period.parse("2025-H1")
    times, rows = [], 0
    t = time.perf_counter()
    store.slice(store.unit(codes[-1]), period)
    cold = time.perf_counter() - t
    for code in codes[:50]:
        unit = store.unit(code)
        t = time.perf_counter()
        frames = store.slice(unit, period)
        times.append(time.perf_counter() - t)
        rows = max(rows, len(frames["hazards"]))
    t = time.perf_counter()
    compute(store, codes[0], period)
    metrics = time.perf_counter() - t
    times.sort()
    print(f"{statistics.median(times) * 1000:.1f} {times[int(len(times) * 0.95) - 1] * 1000:.1f} "
          f"{rows} {metrics * 1000:.0f} {cold * 1000:.1f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--districts", type=int, default=100)
    ap.add_argument("--hazards", type=int, default=2_000_000)
    ap.add_argument("--skip-pandas", action="store_true", help="skip the pandas baselines")
    args = ap.parse_args()
    print(
        f"emreport ingest benchmark: {args.hazards} hazard records, {args.districts} districts, "
        f"{os.cpu_count()} cores"
    )
    results = []
    store = None
    for fmt in ("csv", "xlsx"):
        folder = dataset(fmt, args.districts, args.hazards)
        size = sum(f.stat().st_size for f in folder.glob("隐患排查_*")) / 1e6
        store = HERE / ".data" / f"store-{fmt}" / "emreport.duckdb"
        shutil.rmtree(store.parent, ignore_errors=True)
        t, mem, out = run(emreport("ingest", "--data", str(folder), "--store", str(store)))
        results.append((f"emreport ingest ({fmt}, {size:.0f} MB of hazard files)", t, mem))
        t, mem, _ = run(emreport("ingest", "--data", str(folder), "--store", str(store)))
        results.append((f"emreport ingest again, nothing changed ({fmt})", t, mem))
        if not args.skip_pandas:
            engines = ("openpyxl", "calamine") if fmt == "xlsx" else ("c",)
            for engine in engines:
                reader = (
                    f"pandas.read_excel(engine={engine!r})" if fmt == "xlsx" else "pandas.read_csv"
                )
                t, mem, out = run([PY, "-c", READ_ALL, fmt, str(folder), engine])
                results.append(
                    (f"{reader}, same hazard files, read only ({out.strip()} rows)", t, mem)
                )
    print()
    print(f"{'what':<72} {'seconds':>8} {'peak MB':>8}")
    for name, t, mem in results:
        print(f"{name:<72} {t:>8.1f} {mem:>8.0f}")
    _, _, out = run([PY, "-c", SLICE, str(store)])
    median, p95, rows, metrics, cold = out.split()
    print()
    print(
        f"one district, one period (2025-H1 with 2024-H1), all tables: median {median} ms, "
        f"p95 {p95} ms over 50 districts (up to {rows} hazard rows), first read of a freshly "
        f"opened store {cold} ms; target < 50 ms"
    )
    print(f"every metric for that district and period: {metrics} ms")


if __name__ == "__main__":
    main()
