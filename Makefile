# medkg: the README's two commands live here.
#   make demo   install into .venv, validate the bundled graph, show it, query it, export it,
#               and write the explorer page build/leg-cramps.html
#   make test   install the dev extras into .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
MEDKG  := $(BIN)/medkg

.PHONY: demo test tools install install-dev lint typecheck notebooks screenshot bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package, with the extras the demo uses (validation, the explorer page).
$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[validate,infer,network,viz]'
	touch $@

# Everything the tests need.
$(VENV)/.installed-dev: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(MEDKG) validate
	$(MEDKG) info
	$(MEDKG) query --example triggering-drugs
	mkdir -p build
	$(MEDKG) export --format turtle --output build/leg-cramps.ttl
	@echo "Writing the explorer page build/leg-cramps.html ..."
	$(MEDKG) viz --output build/leg-cramps.html
	@echo "Open build/leg-cramps.html in a browser to explore the graph (it works offline)."

# One pytest worker per core (pytest-xdist); a test file stays on one worker, so a module's
# servers and browsers start once. TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev tools
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Third-party checkers in their own environments (see tools/README.md): one venv per
# tools/<name>.txt under .tools/<name>/, npm packages under tools/npm/node_modules/.
# A line "# pip-options: …" in the requirements file adds pip options (e.g. --no-deps).
TOOL_REQS := $(wildcard tools/*.txt)
TOOL_VENVS := $(patsubst tools/%.txt,.tools/%/.installed,$(TOOL_REQS))

.tools/%/.installed: tools/%.txt
	$(PYTHON) -m venv .tools/$*
	.tools/$*/bin/python -m pip install --quiet --upgrade pip
	.tools/$*/bin/python -m pip install --quiet $(shell sed -n 's/^# pip-options: //p' $<) -r $<
	touch $@

tools: $(TOOL_VENVS) $(if $(wildcard tools/npm/package.json),tools/npm/node_modules/.installed)

tools/npm/node_modules/.installed: tools/npm/package.json
	cd tools/npm && npm ci --silent --no-audit --no-fund
	touch $@

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# Runs the four notebooks top to bottom with the notebooks extra (what the README documents);
# the executed copies, with their figures, go to build/notebooks/ (never committed).
$(VENV)/.installed-notebooks: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	touch $@

notebooks: $(VENV)/.installed-notebooks
	mkdir -p build/notebooks
	$(BIN)/jupyter nbconvert --to notebook --execute --output-dir build/notebooks notebooks/*.ipynb
	@echo "Executed notebooks (with outputs) are in build/notebooks/"

# Regenerates the README's screenshots of the explorer and the query page (needs chromium).
screenshot: $(VENV)/.installed-dev
	$(BIN)/python docs/screenshot.py
	cd docs && ../$(BIN)/python server_screenshot.py

# Performance measurements, written as Markdown tables (not tests: no thresholds).
# The stores at 10k, 100k and 1M triples take about 15 minutes; bench-quick skips 1M.
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/stores_benchmark.py
	$(BIN)/python benchmarks/viz_benchmark.py
	$(MAKE) .tools/oxigraph/.installed
	$(BIN)/python benchmarks/engine_benchmark.py --sizes 10000,100000,1000000

bench-quick: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/stores_benchmark.py --quick

clean:
	rm -rf $(VENV) .tools tools/npm/node_modules build dist .pytest_cache .mypy_cache .ruff_cache
