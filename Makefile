# medvigil: `make demo` runs the product on the embedded default, `make test` runs everything CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= $(CURDIR)/var/demo
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install dev demo test lint test-sqlite test-postgres test-browser bench reformat clean schema-snapshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/lock.txt
	$(BIN)/pip install -q -c requirements/lock.txt -e .
	@# an editable install compiles nothing, and with PYTHONDONTWRITEBYTECODE=1 nothing is ever
	@# cached: each fresh `medvigil` would compile the project again (~0.3 s); a wheel install does this
	$(BIN)/python -m compileall -q src > /dev/null
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install -q -c requirements/lock.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install medvigil with pinned dependencies

dev: $(VENV)/.dev-installed  ## install the development tools too

demo: install  ## load the demo portfolio into var/demo (SQLite) and serve http://127.0.0.1:8000
	MEDVIGIL_DATA_DIR=$(DEMO_DIR) $(BIN)/medvigil demo

lint: dev  ## ruff, ruff format --check, mypy, import-linter
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests
	$(BIN)/lint-imports

test-sqlite: dev  ## the whole suite but browser tests, on SQLite
	$(BIN)/pytest -q -m "not browser" -p no:cacheprovider

test-postgres: dev  ## the database-backed tests again, on PostgreSQL (whole-corpus imports run on SQLite only)
	@scripts/postgres-ready "$(PG_URL)" && \
	  MEDVIGIL_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not browser and not corpus" -p no:cacheprovider tests/web tests/cli || \
	  { test $$? -eq 3 && echo "SKIPPED PostgreSQL run: no server answers at $(PG_URL)"; }

test-browser: dev  ## page tests in headless Chromium (Playwright driving /usr/bin/chromium)
	@scripts/chromium-ready && $(BIN)/pytest -q -m browser -p no:cacheprovider || \
	  { test $$? -eq 3 && echo "SKIPPED browser tests: /usr/bin/chromium is missing (apt-get install chromium)"; }

test: lint test-sqlite test-postgres test-browser  ## everything CI runs

bench: install  ## hot-path benchmarks; figures go to docs/benchmarks.md
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

schema-snapshot: dev  ## rewrite the new-SQLite-store snapshot after adding or editing a migration
	$(BIN)/python -m medvigil.web.config.store_snapshot --write

reformat: dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
