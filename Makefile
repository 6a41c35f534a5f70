# The README's set-up commands. Each target installs what it needs itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov has a dependency tree of its own that clashes with the app's pins: its own venv.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: run simulate test bench bench-full bench-soak drills drills-full lint ocr tenant clean

RATE ?= 0.2
PORT ?= 7071
TENANT_PORT ?= 7072

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(CHECKOV_STAMP): infra/requirements-checks.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r infra/requirements-checks.txt
	touch $(CHECKOV_STAMP)

## make test: create .venv and .venv-checkov, install everything, check the layering, run the tests
test: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/lint-imports
	LOKET_REQUIRE_CHECKOV=1 $(BIN)/pytest

## make run: install, migrate, start the local host (PORT, 7071) and the simulated tenant (TENANT_PORT, 7072) making RATE contacts a second (0: none)
run: $(STAMP)
	@command -v tesseract >/dev/null 2>&1 || echo "note: Tesseract is not installed; image-only scans need 'make ocr'"
	$(BIN)/loket run --rate $(RATE) --port $(PORT) --tenant-port $(TENANT_PORT)

## make simulate: while `make run` runs: 200 contacts with the fault mix, reconciled against the ground truth
simulate: $(STAMP)
	$(BIN)/loket simulate --contacts 200 --rate 20 --faults all --port $(PORT) --tenant-port $(TENANT_PORT)

## make ocr: Tesseract with Dutch, for image-only scanned letters (Debian/Ubuntu; root or sudo)
ocr:
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nld || \
	  { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	    $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq tesseract-ocr tesseract-ocr-nld; }

## make tenant: the simulated Microsoft 365 tenant alone, on 127.0.0.1:7072
tenant: $(STAMP)
	$(BIN)/python -m devhost.tenant --port $(TENANT_PORT) --data-dir var

## make bench: the benchmarks at their default (CI-sized) scale
bench: $(STAMP)
	$(BIN)/python -m bench

bench-full: $(STAMP)
	$(BIN)/python -m bench --full

## make bench-soak: `loket run --rate 1` for an hour; host memory at 10 and 60 minutes (bench/results-soak.md)
bench-soak: $(STAMP)
	$(BIN)/python -m bench.soak --minutes 60 --rate 1

## make drills: fault drills through a host subprocess, reconciled against the simulated tenant's ground truth
drills: $(STAMP)
	$(BIN)/python -m drills

drills-full: $(STAMP)
	$(BIN)/python -m drills --full

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) var .pytest_cache .hypothesis
