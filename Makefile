# daifa — `make run` sets up and serves the hub with demo data; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ASSETS := src/daifa/web/static/vendor/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup run serve worker test test-fast lint fmt migrate revision bench lock demo clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "daifa needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m daifa.web.assets node_modules src/daifa/web/static/vendor
	@touch $@

setup: $(STAMP) $(ASSETS) ## create the virtualenv with pinned dependencies and front-end packages

run: setup migrate demo ## set up, migrate the SQLite database under ./var, load demo data and serve (deliveries simulated)
	DAIFA_TRACKING_SANDBOX=true DAIFA_LOG_FORMAT=$${DAIFA_LOG_FORMAT:-text} $(BIN)/daifa serve --host $(HOST) --port $(PORT) --with-worker

serve: setup ## serve without touching the data
	DAIFA_LOG_FORMAT=$${DAIFA_LOG_FORMAT:-text} $(BIN)/daifa serve --host $(HOST) --port $(PORT) --with-worker

worker: setup ## run the background worker
	$(BIN)/daifa worker

demo: setup ## load the demo data (idempotent)
	$(BIN)/daifa demo seed

migrate: setup ## apply migrations to DAIFA_DATABASE_URL
	$(BIN)/daifa db upgrade

test: setup ## run the whole suite (PostgreSQL too when DAIFA_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

lint: setup ## ruff, mypy (strict) and the import contracts
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: setup ## fix what ruff can (imports, modern syntax); FILES=... also runs ruff format on those
	$(BIN)/ruff check --fix .
	$(if $(FILES),$(BIN)/ruff format $(FILES))

revision: setup ## new migration from the models: make revision m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

bench: setup ## run the benchmarks; they print their figures
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: ## re-pin every dependency into requirements.lock after changing pyproject.toml
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^daifa' > requirements.lock

clean: ## remove the virtualenv, front-end packages and local data
	rm -rf $(VENV) node_modules src/daifa/web/static/vendor var
