# Two commands do all the set-up on a fresh machine:
#   make run   — virtualenv, dependencies, demo data into an empty default database, dashboard
#   make test  — virtualenv, dev dependencies, Chromium, nginx, Java, lint, type-check, every test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8501

.PHONY: run test lint typecheck pytest bench install install-dev chromium nginx java clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

chromium:
	@bash scripts/ensure-chromium.sh

nginx:
	@bash scripts/ensure-nginx.sh

# Java 17 for the Spark engine's tests (pyspark starts a local JVM).
java:
	@bash scripts/ensure-java.sh

run: install
	$(PY) -m ssi_bench demo --if-empty
	$(PY) -m ssi_bench serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install-dev
	$(PY) -m mypy

pytest: install-dev chromium nginx java
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install-dev
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
