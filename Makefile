# One command builds the warehouse (make run), one runs the tests (make test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# empty: every year the bundled sample holds (2000-2023)
YEARS ?=

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# the one Dagster instance of `make run`, `make ui` and `atp` (absolute: Dagster refuses a relative one)
DAGSTER_HOME ?= $(CURDIR)/warehouse/dagster_home
export DAGSTER_HOME
# dbt and dagster from the virtualenv, also for dagster-dbt's own `dbt parse` under `dagster dev`
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test corpus bench bench-ui ui docs prepare lint sample clean spark-build spark-test

# pip's output goes to warehouse/logs/install.log (shown if the install fails)
$(BIN)/atp: pyproject.toml
	@echo "Installing the packages into $(VENV) (first time: a few minutes) ..."
	@mkdir -p warehouse/logs
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e ".[dev]" ) \
		> warehouse/logs/install.log 2>&1 || (tail -40 warehouse/logs/install.log; exit 1)
	@touch $(BIN)/atp

## Materialize every asset for every bundled year, offline, then print a summary.
run: $(BIN)/atp
	@$(BIN)/atp run $(if $(YEARS),--years $(YEARS))

## Run the test suite.
test: $(BIN)/atp prepare
	$(BIN)/python -m pytest

## The bad-input corpus: 75 broken or legitimate input files, each run through `atp refresh` against a copy of
## a good warehouse (tests/test_bad_input_corpus.py), and the tests marked slow (the kill -9
## reruns, the UI launches through the webserver, the bundle's refreshes against its full rebuild);
## about 20 minutes; run by CI.
corpus: $(BIN)/atp prepare
	$(BIN)/python -m pytest -m "corpus or slow"

## The spark extra (pyspark, dbt-spark: the `spark` dbt target, docs/scale.md), installed on demand,
## never by the quickstart; pip's output goes to warehouse/logs/install-spark.log. Spark also needs
## a Java runtime (Debian: apt-get install default-jre-headless).
SPARK_EXTRA := $(VENV)/.spark-extra-installed
$(SPARK_EXTRA): $(BIN)/atp
	@echo "Installing the spark extra (pyspark, dbt-spark) into $(VENV) ..."
	@start=$$(date +%s); $(BIN)/python -m pip install -e ".[dev,spark]" > warehouse/logs/install-spark.log 2>&1 \
		|| (tail -40 warehouse/logs/install-spark.log; exit 1); \
		echo "spark extra installed in $$(( $$(date +%s) - start )) s"
	@command -v java >/dev/null 2>&1 || echo "WARNING: no java on PATH: Spark needs a Java runtime (apt-get install default-jre-headless)"
	@touch $@

## The same dbt models on a local Spark session, from the Parquet raw layer that `make run` wrote
## beside the warehouse it published (warehouse/parquet, or $$ATP_PARQUET_DIR; its folder and build
## are printed first): `dbt build --target spark`; Spark's tables and catalog go to
## warehouse/spark ($$ATP_SPARK_DIR), dbt's files to dbt_project/target/spark.
spark-build: $(SPARK_EXTRA)
	@layer=$$($(BIN)/python -c 'from orchestration.census.raw_layer import published_layer as p; f, b = p(); print(f); print(f"Spark reads the Parquet raw layer in {f} (build {b})", file=__import__("sys").stderr)') \
		&& cd dbt_project && ATP_PARQUET_DIR="$$layer" ../$(BIN)/dbt build --target spark --target-path target/spark

## The Spark equality test (tests/test_spark.py): the tiny input built on DuckDB and on Spark,
## every mart compared row for row; a few minutes; run by CI.
spark-test: $(SPARK_EXTRA) prepare
	ATP_SPARK_REQUIRED=1 $(BIN)/python -m pytest -m spark

## Full-scale benchmark, the refresh-cost targets (bench/targets.py): generates 24 export years x
## 3,000,000 records and 3 import years x 6,000,000 records outside the repository (in the system
## temp folder, about 14 GB), measures the one-year refreshes of each flow on 24 and 3 years, the
## full rebuild, the year load against a plain insert, the copy a run makes and the UI range, and
## checks that the incremental marts equal the full rebuild (results in warehouse/bench/; about
## an hour); then runs the memory-bound test. BENCH_ARGS passes options, e.g. BENCH_ARGS="--repeat 1".
## The loader's steps side by side (line read, read_fwf, year load, dbt, figures):
## `python -m bench.full_scale`.
bench: $(BIN)/atp
	$(BIN)/python -m bench.targets $(BENCH_ARGS)
	$(BIN)/python -m pytest -m bench

## A range of years from the UI (the Materialize dialog, the Launchpad) against `atp refresh` of
## the same years, on the bundle (bench/ui_range.py; results in warehouse/bench/).
bench-ui: $(BIN)/atp
	$(BIN)/python -m bench.ui_range $(BENCH_UI_ARGS)

## Serve the Dagster UI on http://127.0.0.1:$(UI_PORT), with the instance in
## warehouse/dagster_home; the terminal shows the steps of each run (`atp ui`).
UI_PORT ?= 3000
ui: $(BIN)/atp
	@$(BIN)/atp ui --port $(UI_PORT)

## Generate the dbt docs (models, columns, tests, lineage; catalog from the warehouse) into
## dbt_project/target/docs and serve them on http://127.0.0.1:$(DOCS_PORT).
DOCS_PORT ?= 8080
docs: prepare
	cd dbt_project && ../$(BIN)/dbt docs generate --quiet --static --target-path target/docs
	@echo "dbt docs: http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops; a single-file copy: dbt_project/target/docs/static_index.html)"
	cd dbt_project && ../$(BIN)/dbt docs serve --target-path target/docs --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

## Parse the dbt project (writes dbt_project/target/manifest.json).
prepare: $(BIN)/atp
	cd dbt_project && ../$(BIN)/dbt parse --quiet

## Lint: ruff (rules and format) over the product, the dev tools and the tests, then the import
## layers and the forbidden imports of .importlinter (lint-imports finds the package installed
## editable in the virtualenv).
lint: $(BIN)/atp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Regenerate the SYNTHETIC sample files (deterministic).
sample: $(BIN)/atp
	$(BIN)/atp generate-sample

clean:
	rm -rf warehouse/atp.duckdb warehouse/atp.duckdb.wal warehouse/atp.years warehouse/parquet warehouse/spark warehouse/exports dbt_project/target
