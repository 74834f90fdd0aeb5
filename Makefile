# simtrial: two commands do all the set-up.
#   make run   -> creates .venv (Python 3.12) if missing, installs simtrial, runs the quickstart study
#   make test  -> same set-up, then the whole test suite (slow tests included)
# Other targets: test-fast (skip tests marked slow), bench (speed figures), system-deps, clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench system-deps venv clean slurm-start slurm-stop

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "simtrial needs Python >= 3.12 (found %s); install 3.12 or run: make PYTHON=python3.12" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cluster]'
	@touch $(STAMP)

# Debian packages used by the slow tests and benchmarks: Chromium (report rendering), a one-node
# SLURM cluster (slurm-wlm, munge) and R with rpact (independent power calculations). Installed
# only when missing, and only where apt-get is available and we are root; otherwise the tests that
# need them say what is missing.
system-deps:
	@bash scripts/system-deps.sh

run: venv
	$(PY) -m simtrial experiment=quickstart

test: venv system-deps
	$(PY) -m pytest -q

test-fast: venv
	$(PY) -m pytest -q -m "not slow"

bench: venv system-deps
	$(PY) benchmarks/run_all.py

# A one-node SLURM cluster on this machine (docs/slurm.md).
slurm-start: system-deps
	@bash scripts/slurm-local.sh start

slurm-stop:
	@bash scripts/slurm-local.sh stop

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
