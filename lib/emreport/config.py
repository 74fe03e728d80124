"""Every path the project uses, built from one root.

The root is the checkout (two levels above this file) unless EMREPORT_HOME names another
workspace, which is how tests and analysts with their own data folders point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("EMREPORT_HOME") or Path(__file__).resolve().parents[2])
DATA = ROOT / "data"
SAMPLE = DATA / "sample"
STORE = Path(os.environ.get("EMREPORT_STORE") or DATA / "store" / "emreport.duckdb")
OUTPUTS = ROOT / "outputs"
PARAMS = ROOT / "params"
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
