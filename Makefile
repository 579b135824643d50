# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: set up and run preflight on the bundled Palmer penguins data (raw, uncleaned)
demo: $(STAMP)
	@echo "\$$ preflight check examples/penguins-raw.csv --target Species"
	@$(VENV)/bin/preflight check examples/penguins-raw.csv --target Species; \
	  code=$$?; echo "(exit code $$code: 0 passed, 1 findings at or above --fail-on)"; [ $$code -le 1 ]

## test: set up and run the whole test suite
test: $(STAMP) browser
	$(PY) -m pytest -n 2 -q

## lint: ruff and mypy (strict) on the package
lint: $(STAMP)
	$(VENV)/bin/ruff check preflight tests
	$(VENV)/bin/ruff format --check preflight tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## browser: install Debian's headless Chromium (for the HTML report test) when it is missing
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
