# The two commands of the README are `make reports` and `make test`; both set up first.
PY := .venv/bin/python
EMREPORT := .venv/bin/emreport

.PHONY: setup reports test bench lab lint

setup:
	@bash scripts/setup.sh

reports: setup
	$(EMREPORT) ingest
	$(EMREPORT) run --period 2025-H1 2025 --district all
	$(EMREPORT) run --kind review --period 十四五 --district 990100,990102
	$(EMREPORT) run --kind highlights --period 2025 --district 990100,990102

LINTED := lib tests benchmarks scripts conftest.py

test: setup lint
	.venv/bin/pytest --nbval-lax

bench: setup
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/pdf.py
	$(PY) benchmarks/batch.py

lab: setup
	@bash scripts/lab.sh

lint: setup
	.venv/bin/ruff check $(LINTED)
	.venv/bin/ruff format --check $(LINTED)
