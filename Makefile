# Firstslice: `make demo` and `make test` work on a fresh machine. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/firstslice
export REDIS_URL_TEST ?= redis://127.0.0.1:6379/0

.PHONY: demo test bench lint fmt venv venv-runtime system-deps check-services migrate-demo clean

# Two stamps: `make demo` needs only the runtime dependencies; `make test` (and lint, bench) add the dev extra.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

venv: $(STAMP)

venv-runtime: $(RUNTIME_STAMP)

# Chromium for browser tests, fonts for PDFs in every script, pdftotext for PDF checks. Installed only when missing.
system-deps:
	@bash scripts/install_system_deps.sh

check-services: venv
	@DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} $(PY) scripts/check_services.py

## make demo: embedded default (SQLite file, eager jobs), demo data, served on http://127.0.0.1:8000
demo: venv-runtime
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py make_dev_certificate --if-missing
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py seed_demo
	@echo "Serving Firstslice on http://127.0.0.1:8000 (embedded default: SQLite, eager jobs). Ctrl-C stops it."
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver 127.0.0.1:8000

## make test: the whole suite against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default: local servers)
test: venv system-deps check-services
	env -u DATABASE_URL -u REDIS_URL SQLITE_PATH=:memory: $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} \
		$(PY) -m pytest $(PYTEST_ARGS)

## make bench: performance figures against the targets in DESIGN.md (table on stdout, JSON in var/bench.json);
## each figure is a median ratio to its floor measured in the same run. BENCH_ARGS: e.g. "--quick --sizes 1000".
bench: venv system-deps check-services
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} \
		$(PY) -m bench.run $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/demo.sqlite3 var/media var/staticfiles
