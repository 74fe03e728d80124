"""Session set-up shared by the tests and the notebook runs (`pytest --nbval-lax`).

The notebooks run on their defaults, which read the default store. So that running the tests
never replaces an analyst's own store, the session points EMREPORT_STORE at a store built from
the sample data in pytest's cache folder; kernels started by nbval inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
STORE = ROOT / ".pytest_cache" / "emreport" / "sample.duckdb"
# Set when this file is imported, before tests/conftest.py imports emreport (whose config reads
# it once): every default store in the session, in-process or in a kernel, is this one.
os.environ["EMREPORT_STORE"] = str(STORE)


def pytest_configure(config) -> None:
    from emreport.config import SAMPLE
    from emreport.data.ingest import ingest

    ingest(SAMPLE, STORE)
