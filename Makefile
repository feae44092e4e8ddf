# hfcourse: every target creates the project's virtual environment first if it is missing.
# `make run` executes every notebook headlessly; `make test` runs the test suite (what CI runs).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hfcourse-installed
# TORCH=cpu|cuda picks torch's build (default: CUDA when nvidia-smi lists a GPU, else CPU; macOS: PyPI's build).
TORCH ?= auto
# Tests and runs are offline on the embedded defaults unless you say HFCOURSE_OFFLINE=0.
export HFCOURSE_OFFLINE ?= 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning
.PHONY: install run test test-latest lab doctor bench lock clean clean-outputs clean-all help browser-deps \
	solutions progress check-wheel

help:
	@echo "make run          execute every notebook headlessly (offline, embedded defaults) and write build/report.md"
	@echo "make test         ruff, unit tests, every notebook in fast mode (papermill) + nbval"
	@echo "make lab          JupyterLab on notebooks/ with the project's kernel"
	@echo "make doctor       check the environment, with a fix for each problem"
	@echo "make solutions    run every exercise's reference solution through its check"
	@echo "make progress     show which exercises you have solved"
	@echo "make bench        benchmark (course recipe vs hfcourse defaults)"
	@echo "make test-latest  the tests against the newest releases (API drift check)"
	@echo "make lock         re-create requirements.lock (and environment.yml) from pyproject.toml"
	@echo "make check-wheel  the built wheel in a fresh venv runs 00_setup and 01_3_pipelines"
	@echo "make clean        remove build outputs (never your fine-tuned models in outputs/)"
	@echo "make clean-outputs  remove outputs/ too: the models python -m hfcourse train saved"

install: $(STAMP)

# scripts/install.py does it all (it is what Windows and conda users run by hand): the torch build that fits the
# machine, the exact versions of the lock without resolving again, hfcourse itself, editable. Each step that fails
# stops it with a non-zero status, whatever version of make runs it.
$(STAMP): requirements.lock pyproject.toml scripts/install.py
	$(PYTHON) scripts/install.py --venv $(VENV) --torch $(TORCH)

# Options: make run NOTEBOOK="01_3_pipelines 02_x" FAST=1 ONLINE=1 WRITE_BACK=1 (0/no/false or unset: off);
# RUN_ARGS passes anything else to `python -m hfcourse run` (see its --help).
is_on = $(filter-out 0 no false,$(1))
run: $(STAMP)
	$(PY) -m hfcourse run $(if $(NOTEBOOK),--notebook $(NOTEBOOK)) $(if $(call is_on,$(FAST)),--fast) \
	  $(if $(call is_on,$(ONLINE)),--online) $(if $(call is_on,$(WRITE_BACK)),--write-back) $(RUN_ARGS)

# Style first (seconds), then the exercises' reference solutions (seconds), then the tests: hfcourse test.
test: $(STAMP) browser-deps
	$(PY) -m hfcourse test $(PYTEST_ARGS)

solutions: $(STAMP)
	$(PY) -m hfcourse solutions

progress: $(STAMP)
	$(PY) -m hfcourse progress

doctor: $(STAMP)
	$(PY) -m hfcourse doctor

# JupyterLab on notebooks/ with the project's kernel, registered inside $(VENV) (the user's own Jupyter setup
# is left alone; see hfcourse/tools/project.py). The Hub is detected unless you set HFCOURSE_OFFLINE.
lab: $(STAMP)
	$(if $(filter file,$(origin HFCOURSE_OFFLINE)),env -u HFCOURSE_OFFLINE) $(PY) -m hfcourse lab $(LAB_ARGS)

# tests/test_browser.py drives Debian's chromium with its chromedriver: as root, install them when missing
# (where that is impossible the test skips and says how to install them).
BROWSER_PACKAGES = chromium chromium-driver
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing $(BROWSER_PACKAGES) for the browser test (apt-get)..."; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } \
	  || echo "Could not install $(BROWSER_PACKAGES): tests/test_browser.py will fail and say so."; \
	else echo "$(BROWSER_PACKAGES) missing; installing them needs root and apt-get: tests/test_browser.py will skip."; fi

bench: $(STAMP)
	$(PY) -m hfcourse bench $(BENCH_ARGS)

# The same tests against the newest releases of everything but torch (kept at the lock's build).
test-latest:
	$(PYTHON) scripts/install.py --venv .venv-latest --torch cpu --latest
	.venv-latest/bin/python -m pytest $(PYTEST_ARGS)

lock:
	$(PYTHON) scripts/install.py --lock

# The wheel, pip-installed into a fresh venv, runs 00_setup and 01_3_pipelines outside the checkout (minutes).
check-wheel: $(STAMP)
	$(PY) scripts/check_wheel.py

# The same as hfcourse clean (--outputs), which works without make.
clean:
	rm -rf build .pytest_cache
	find . -name __pycache__ -type d -prune -not -path "./$(VENV)/*" -exec rm -rf {} +

# Fine-tuned models (python -m hfcourse train writes outputs/train/) go only when asked for by name.
clean-outputs:
	rm -rf outputs

clean-all: clean
	rm -rf $(VENV) .venv-latest
