# Tandem — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR := src/tandem/web/static/vendor

.PHONY: install lock run worker test lint bench demo clean

# Creates .venv and installs Tandem with its test tools at the exact versions
# of requirements.lock; re-runs only when pyproject.toml or the lock changes.
# The pages' scripts (htmx, ECharts) come from npm at the versions of
# package-lock.json and are served from static/vendor/ (no CDN: intranets).
install: $(STAMP) $(VENDOR)/.copied

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(VENDOR)/.copied: $(NODE_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	@touch $(VENDOR)/.copied

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Resolves pyproject.toml's ranges afresh in a scratch venv and writes the
# versions it got to requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Exact versions that make install installs (Python 3.11, Linux x86_64)."; \
	  echo "# Regenerate with: make lock (after changing dependencies in pyproject.toml)."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock
	rm -rf .lock-venv

# Sets up, loads the demo company into an empty database, prints where and how
# to log in, and serves on 127.0.0.1:$(PORT) with one background worker
# (imports and commission runs started from the pages); Ctrl+C stops both.
run: install
	$(BIN)/tandem demo --if-empty
	$(BIN)/tandem serve --port $(PORT) --show-logins

# A background worker alone (more of them, or on other machines with
# TANDEM_TASKS_BACKEND=rq); `tandem serve --no-worker` then serves pages only.
worker: install
	$(BIN)/tandem worker

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src/tandem
	@if [ -n "$$TANDEM_TEST_DATABASE_URL" ]; then \
		echo "== tests on $$TANDEM_TEST_DATABASE_URL"; \
	else \
		echo "== tests on SQLite (PostgreSQL run skipped: set TANDEM_TEST_DATABASE_URL=postgres://... to run it; .ci/run does)"; \
	fi
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src/tandem

bench: install
	$(BIN)/python -m bench.run

demo: install
	$(BIN)/tandem demo

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis node_modules $(VENDOR)
