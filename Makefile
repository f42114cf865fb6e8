# Selgeo: `make run` sets up and serves the embedded demo; `make test` sets up and tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench bench-instructions bench-stats worker beat migrate demo clean chromium wrk

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# HOST and PORT reach settings as SELGEO_HOST/SELGEO_PORT: links, mails and the demo's
# printout name the address served (unless SELGEO_PUBLIC_URL is set).
SERVE_ENV := SELGEO_HOST=$(HOST) SELGEO_PORT=$(PORT)

demo: migrate
	$(SERVE_ENV) $(BIN)/python manage.py selgeo_demo

run: demo
	$(SERVE_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; install it when it is missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "Chromium is needed for the browser tests: install Debian's chromium package"; exit 1; }

test: $(STAMP) chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark loads the server with Debian's wrk; install it when it is missing and we may.
wrk:
	@command -v wrk >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "wrk is needed for the benchmark: install Debian's wrk package"; exit 1; }

bench: $(STAMP) wrk
	$(BIN)/python bench/run.py

bench-instructions: $(STAMP)
	$(BIN)/python bench/instructions.py

# 10M clicks and 500k sales into BENCH_DATABASE_URL, rollups caught up, stats and overview timed.
bench-stats: $(STAMP)
	$(BIN)/python bench/stats.py

worker: $(STAMP)
	$(BIN)/celery -A selgeo worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(BIN)/celery -A selgeo beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var/selgeo.sqlite3
