# One entry point: `make test` and `make sandbox` build the virtual environment themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install test lint unit sandbox demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/mypy --strict bot

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
	FUZZ_EXAMPLES=10000 $(BIN)/pytest tests/unit/test_fuzz.py -s -q -p no:cacheprovider

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
