# Outfall Watch. `make run` serves the demo; `make test` runs the whole suite.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OUTFALLWATCH_DATA_DIR ?= ./var

.PHONY: run test install install-dev install-mobile migrate schema bench mobile fuzz clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH (or run: make PY=python3 ...)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/outfallwatch migrate
	$(BIN)/outfallwatch seed-demo
	$(BIN)/outfallwatch serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: install
	$(BIN)/outfallwatch export-schema -o schema.graphql

bench: install-dev
	$(BIN)/python bench/images_bench.py

fuzz: install-dev
	OUTFALLWATCH_FUZZ_EXAMPLES=$${OUTFALLWATCH_FUZZ_EXAMPLES:-5000} $(BIN)/python -m pytest -s tests/server/fuzz

clean:
	rm -rf var .pytest_cache
