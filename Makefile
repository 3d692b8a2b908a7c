# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB := .demo/mou.db

.PHONY: demo test lint format bench docs pack-picture clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

## demo: load the Oxford–Liverpool example into a fresh database and show its status
demo: $(STAMP)
	rm -f $(DEMO_DB)
	$(BIN)/mou import examples/oxford-liverpool.toml --db $(DEMO_DB)
	$(BIN)/mou status --db $(DEMO_DB)

## test: lint, type-check and run the whole suite (PostgreSQL too when MOU_TEST_DATABASE_URL is set)
test: lint
	$(BIN)/pytest -n auto

## lint: ruff (lint and format check) and mypy on the package
lint: $(STAMP)
	$(BIN)/ruff check tracker tests migrations benchmarks
	$(BIN)/ruff format --check tracker tests migrations benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format tracker tests migrations benchmarks
	$(BIN)/ruff check --fix tracker tests migrations benchmarks

## bench: `mou status` against a naive count, then whole `mou` processes (status, import,
## report, --recorded-by, --help) at 1k, 10k and 100k against their floors; prints ratios last
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_status.py
	$(BIN)/python benchmarks/bench_processes.py

## docs: regenerate the command reference (docs/cli.md) and the index of commands the entry
## point starts from (tracker/cli/index.py) from the app, and the Core tables that reads use
## (tracker/tables.py) from the models; a test fails when any of them is stale
docs: $(STAMP)
	$(BIN)/python -m typer tracker.cli.app utils docs --name mou --title "mou command reference" --output docs/cli.md
	$(BIN)/python -c "from tracker.cli.app import app; from tracker.cli.lazy import index_source; open('tracker/cli/index.py', 'w').write(index_source(app))"
	$(BIN)/python -c "from tracker.tablegen import tables_source; open('tracker/tables.py', 'w').write(tables_source())"

## pack-picture: render the example board pack's Summary sheet to docs/board-pack-summary.png
## (needs LibreOffice and poppler: apt-get install libreoffice-calc-nogui poppler-utils)
pack-picture: $(STAMP)
	MOU=$(BIN)/mou sh docs/board-pack-picture.sh

clean:
	rm -rf $(VENV) .demo build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
