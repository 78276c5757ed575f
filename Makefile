# One entry point: `make test` and `make sandbox` build the virtual environment themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REQ := requirements
LOCK_VENV := .venv-lock
# `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release the ranges allow.
LOCK_ARGS ?=
PIP_COMPILE = $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: install test lint unit sandbox demo bench clean lock

# Installs are reproducible: every package (the build backend and pip included) comes from the
# lock, at its pinned version, and must match one of its recorded sha256 hashes.
$(STAMP): pyproject.toml $(REQ)/pip.txt $(REQ)/dev.txt $(REQ)/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(REQ)/pip.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r $(REQ)/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python $(REQ)/check_lock.py
	touch $(STAMP)

install: $(STAMP)

# Refresh the lock from pyproject.toml's ranges, keeping every pin that still fits; the one command
# to run after a merge adds or changes a dependency (then `make test`). Needs the package index.
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) \
		&& $(LOCK_VENV)/bin/python -m pip install --quiet --require-hashes -r $(REQ)/tools.txt; }
	$(PIP_COMPILE) --output-file $(REQ)/pip.txt $(REQ)/pip.in
	$(PIP_COMPILE) --output-file $(REQ)/tools.txt $(REQ)/tools.in
	$(PIP_COMPILE) --all-build-deps --extra dev --output-file $(REQ)/dev.txt pyproject.toml
	$(PIP_COMPILE) --build-deps-for wheel --constraint $(REQ)/dev.txt --output-file $(REQ)/runtime.txt pyproject.toml
	@echo "lock refreshed: review 'git diff $(REQ)', then 'make test' (it reinstalls from the new lock)"

# lint-imports checks the rooms' import contract in pyproject.toml ([tool.importlinter]); it reads
# the graph afresh each time (under a second) and leaves no cache in the checkout.
lint: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/mypy --strict bot
	$(BIN)/lint-imports --no-cache

# pytest exits 5 when it collects nothing; that is a failure of the suite's wiring, not a pass,
# so it is only tolerated for an explicitly empty selection (none exists today).
test: lint
	$(BIN)/pytest -m "not bench"

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

sandbox: $(STAMP)
	$(BIN)/consult run --sandbox

demo: $(STAMP)
	$(BIN)/consult demo

bench: $(STAMP)
	$(BIN)/pytest tests/bench -m bench -s -q
	FUZZ_EXAMPLES=10000 $(BIN)/pytest tests/unit/services/test_fuzz.py -s -q -p no:cacheprovider

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache
