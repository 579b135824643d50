# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AIRFLOW_VENV ?= .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

.PHONY: demo test test-unit test-integrations test-pre-commit test-airflow lint bench bench-peers bench-peers-venvs clean browser screenshot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

## demo: set up and run preflight on the bundled Palmer penguins data (raw, uncleaned)
demo: $(STAMP)
	@echo "\$$ preflight check examples/penguins-raw.csv --target Species"
	@$(VENV)/bin/preflight check examples/penguins-raw.csv --target Species; \
	  code=$$?; echo "(exit code $$code: 0 passed, 1 findings at or above --fail-on)"; [ $$code -le 1 ]

## test: set up and run every test: the suite, then the real pre-commit and Airflow integrations
test: test-unit test-integrations

## test-unit: the suite without the integration tests (statistical `slow` ones included)
test-unit: $(STAMP) browser
	$(PY) -m pytest -n 2 -q -m "not integration"

## test-integrations: the pre-commit hook and the Airflow operator, with the real programs
test-integrations: test-pre-commit test-airflow

## test-pre-commit: real `git commit`s running the real pre-commit hook (one hook install per run)
test-pre-commit: $(STAMP)
	$(PY) -m pytest -n 2 -q -m integration tests/integrations/test_pre_commit.py

# Airflow has its own venv: it is heavy, and the project's venv must not depend on it.
$(AIRFLOW_STAMP): pyproject.toml
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -e '.[airflow]' 'pytest>=8.0'
	touch $(AIRFLOW_STAMP)

## test-airflow: the example DAG with dag.test() on a real Apache Airflow 3 (in .venv-airflow)
test-airflow: $(AIRFLOW_STAMP)
	PREFLIGHT_REQUIRE_AIRFLOW=1 $(AIRFLOW_VENV)/bin/python -m pytest -q -m integration tests/integrations/test_airflow.py

## bench: speed, memory and detection-quality benchmarks: about 20 minutes on 2 free cores, up to an hour shared
## (figures: benchmarks/results/*.json; scale.py writes the issue-9 summary into benchmarks/README.md).
## BENCH_OUTLIERS=--datalab-100k adds Datalab's outlier arm on 100k rows (~4 min more).
## BENCH_PEERS=1 adds bench-peers at the end (about 30 minutes more at load 3-5, 20 on a quieter machine).
BENCH_OUTLIERS ?=
BENCH_PEERS ?=
# The peers of issue 19, each in its own venv (benchmarks/.venvs/<peer>, see bench-peers).
PEERS := ydata-profiling great-expectations deepchecks datalab
PEER_VENVS := benchmarks/.venvs
PEER_STAMPS := $(foreach p,$(PEERS),$(PEER_VENVS)/$(p)/.installed)
PEERS_ARGS ?=
bench: $(STAMP) $(if $(BENCH_PEERS),$(PEER_STAMPS))
	$(PY) -m pip install --quiet -e '.[dev,bench,dask]'
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/outliers.py $(BENCH_OUTLIERS)
	$(PY) benchmarks/label_noise.py --json benchmarks/results/label_noise.json
	$(PY) benchmarks/mlp_wine.py
	$(PY) benchmarks/scale.py
	$(if $(BENCH_PEERS),$(PY) benchmarks/peers/run.py $(PEERS_ARGS))

# The peers' venvs: their pins conflict with each other and with preflight's (Deepchecks
# needs pandas<2.3, numpy<2, scikit-learn<1.7, pyarrow<20). A venv is rebuilt from scratch
# when its requirements file changes.

$(PEER_VENVS)/%/.installed: benchmarks/peers/requirements-%.txt
	rm -rf $(PEER_VENVS)/$*
	$(PYTHON) -m venv $(PEER_VENVS)/$*
	$(PEER_VENVS)/$*/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENVS)/$*/bin/python -m pip install --quiet -r $<
	touch $@

## bench-peers-venvs: create the four peers' venvs in benchmarks/.venvs (~10 minutes, 3 GB)
bench-peers-venvs: $(PEER_STAMPS)

## bench-peers: preflight beside ydata-profiling, Great Expectations, Deepchecks and cleanlab Datalab
## on 20k, 200k and 1M rows x 50: about 30 minutes on the 2 shared cores at load 3-5 (20k 7 min,
## 200k 8, 1M 15; preflight's full check is half of it), 20 on a quieter machine;
## rewrites the peers blocks of benchmarks/README.md and README.md.
## PEERS_ARGS passes options, e.g. PEERS_ARGS="--rows 20000,200000" or PEERS_ARGS=--datalab-200k.
bench-peers: $(STAMP) $(PEER_STAMPS)
	$(PY) -m pip install --quiet -e '.[dev,bench,dask]'
	$(PY) benchmarks/peers/run.py $(PEERS_ARGS)

## lint: ruff, ruff format, mypy (strict) and the layer contract (import-linter)
lint: $(STAMP)
	$(VENV)/bin/ruff check preflight tests
	$(VENV)/bin/ruff format --check preflight tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) .pytest_cache .mypy_cache .ruff_cache

## browser: install Debian's headless Chromium (for the HTML report test) when it is missing
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

## screenshot: regenerate docs/report-screenshot.png: the browser test's own picture of the example's report
screenshot: $(STAMP) browser
	PREFLIGHT_WRITE_SCREENSHOT=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_html_browser.py -k real_dataset
