# ojlib – the two README commands (`make demo`, `make test`) and helpers.
# Python 3.11 or later as `python3` (override: make PYTHON=python3.12 demo).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ojlib-installed

.PHONY: setup demo test lab kurs exempeldata notebooks lint bench clean environment

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name ojlib --display-name "Python (ojlib)"
	touch $(STAMP)

exempeldata: setup
	$(BIN)/oj exempeldata

## make demo: install, generate example data and build the whole report site from it
## (the national site: 21 län x 3 områden and all 290 kommun profiles, about 350 pages; a second run
## rebuilds only what changed; open reports/index.html, no server needed; DEMO_KOMMUNER=0680 for fewer)
DEMO_KOMMUNER ?= alla
## (the same command as the route without make: `pip install -e .` and `python -m ojlib demo`)
demo: setup
	$(BIN)/python -m ojlib demo --kommun $(DEMO_KOMMUNER)

## make test: every test (installs what it needs)
test: setup
	$(BIN)/python -m pytest

## make notebooks: re-run the committed notebooks on example data and save their outputs
notebooks: exempeldata
	$(BIN)/python -m ojlib.render.notebook notebooks/*.ipynb

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

## make environment: write environment.yml (conda) from pyproject.toml
environment:
	$(PYTHON) .ci/environment.py

## make kurs: the course (notebooks/kurs/) copied to a folder of the learner's own, JupyterLab opened there
KURSMAPP ?= ojkurs
kurs: setup
	$(BIN)/oj kurs $(KURSMAPP)

lint: setup
	$(BIN)/ruff check ojlib tests benchmarks

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data/processed/*.parquet data/processed/*.json reports
