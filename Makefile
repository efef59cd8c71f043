# Outfall Watch. `make run` serves the demo; `make test` runs the whole suite.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OUTFALLWATCH_DATA_DIR ?= ./var

.PHONY: run test console install install-dev install-mobile migrate schema bench bench-http bench-deps bench-generate mobile fuzz clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH (or run: make PY=python3 ...)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

# The suite includes the phone app's tests, so dev installs the mobile extra (kivy, plyer) too.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,mobile]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-mobile

$(VENV)/.installed-mobile: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[mobile]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-mobile: $(VENV)/.installed-mobile

# The console (console/): npm ci when the lock file changed, npm run build when any source is newer
# than the build. Nothing built is committed; the server serves console/dist at /console/ and /screen/.
CONSOLE_SRC := $(shell find console/src console/scripts -type f 2>/dev/null) console/index.html console/screen.html \
	console/vite.config.ts console/tsconfig.json console/package.json
console/node_modules/.package-lock.json: console/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "the console needs Node.js 20+ and npm (apt-get install nodejs npm)"; exit 1; }
	cd console && npm ci --no-audit --no-fund
console/dist/.built: console/node_modules/.package-lock.json $(CONSOLE_SRC)
	cd console && npm run build
	@touch $@
console: console/dist/.built

run: install console
	$(BIN)/outfallwatch migrate
	$(BIN)/outfallwatch seed-demo
	$(BIN)/outfallwatch serve --host $(HOST) --port $(PORT)

# A machine with only Python still runs the suite: without npm the console is not built and its
# browser tests skip, saying why (CI installs Node, so they run there).
test: install-dev
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory console; \
	else echo "no npm on PATH: the console is not built and tests/console will skip"; fi
	$(BIN)/ruff check server tests/server/test_layering.py
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: install
	$(BIN)/outfallwatch export-schema -o schema.graphql

# City-scale benchmarks (PostgreSQL at $(BENCH_PG); wrk and npm for the HTTP side): see bench/RESULTS.md.
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432/outfallwatch_bench
bench: install-dev bench-deps
	$(BIN)/python bench/http_bench.py --url $(BENCH_PG)
	$(BIN)/python bench/register_io_bench.py
	$(BIN)/python bench/images_bench.py

# Only the HTTP bench, e.g. make bench-http BENCH_ARGS="--cases a,b,c,g --servers nocache,floor,postgraphile --duration 5"
bench-http: install-dev bench-deps
	$(BIN)/python bench/http_bench.py --url $(BENCH_PG) $(BENCH_ARGS)

# wrk is the load generator (C, so it takes little of the CPU it measures); PostGraphile comes from npm at run time.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
		{ echo "bench needs wrk: apt-get install wrk"; exit 1; }

bench-generate: install-dev
	$(BIN)/python bench/generate.py --url $(BENCH_PG)

# The phone app on this desktop, against `make run`'s server; MOBILE_ARGS e.g. --gps 29.5612,106.5825 or --nmea FILE.
mobile: install-mobile
	$(BIN)/python -m mobile.main --server http://$(HOST):$(PORT) $(MOBILE_ARGS)

fuzz: install-dev
	OUTFALLWATCH_FUZZ_EXAMPLES=$${OUTFALLWATCH_FUZZ_EXAMPLES:-5000} $(BIN)/python -m pytest -s tests/server/fuzz

clean:
	rm -rf var .pytest_cache artifacts
