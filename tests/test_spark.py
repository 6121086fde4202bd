"""The same dbt models on Spark (issue 22): the hand-computed tiny input of both flows
(``tests/tiny_trade_input.py``, 2010-2011) is built on DuckDB by the job (which also writes the
Parquet raw layer), then ``dbt build --target spark`` builds every model, seed and data test on a
local Spark session (dbt-spark ``method: session``) from that Parquet raw layer alone, and every
mart equals the DuckDB build, row for row: whole-dollar and decimal columns, codes and text
exactly, shares, growth rates and indexes (doubles) to 1e-12.

Marked ``spark`` (``make spark-test``, run by ``.ci/run``): it needs the ``spark`` extra
(``pip install -e ".[spark]"``: pyspark, dbt-spark) and a Java runtime. Without them it is skipped,
unless ``ATP_SPARK_REQUIRED=1`` (set by ``make spark-test``) makes that a failure."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_settings import RUN_TARGET_PATH
from orchestration.project import dbt_project
from tests.test_end_to_end import run_job
from tests.tiny_trade_input import write_tiny_trade_input

pytestmark = pytest.mark.spark

MARTS_DIR = dbt_project.project_dir / "models" / "marts"
#: Doubles (shares, growth rates, indexes) agree to this, relative or absolute.
FLOAT_TOLERANCE = 1e-12


def _require_spark() -> None:
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    if shutil.which("java") is None:
        missing.append("java (a Java runtime, e.g. Debian default-jre-headless)")
    if missing:
        message = f"the Spark build needs {', '.join(missing)}: pip install -e '.[spark]'"
        if os.environ.get("ATP_SPARK_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)


def spark_build(parquet_dir: Path, spark_dir: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``dbt <arguments> --target spark`` on the Parquet raw layer in ``parquet_dir``, the Spark
    tables and catalog in ``spark_dir``; dbt's own files (manifest, logs) in ``spark_dir`` too, so
    the DuckDB build's manifest under dbt_project/target stays as it is."""
    spark_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "ATP_PARQUET_DIR": str(parquet_dir),
        "ATP_SPARK_DIR": str(spark_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), *arguments, "--target", "spark"]
    command += ["--project-dir", str(dbt_project.project_dir), "--profiles-dir", str(dbt_project.project_dir)]
    command += ["--target-path", str(spark_dir / "target"), "--log-path", str(spark_dir / "logs")]
    return subprocess.run(command, cwd=spark_dir, env=env, capture_output=True, text=True, timeout=1800)


def mart_names() -> list[str]:
    """The models under models/marts/ (13: docs/querying.md lists them)."""
    return sorted(path.stem for path in MARTS_DIR.rglob("*.sql"))


def type_kind(sql_type: str) -> str:
    """What a column's type says about its values, the same on both engines: ``integer``
    (DuckDB BIGINT, INTEGER; Spark bigint, int: whole dollars and counts), ``decimal(p,s)`` ->
    ``decimal scale s``, ``double``, ``string`` (VARCHAR, string), ``boolean``; any other type
    as it is spelled, lower case (so it matches nothing but itself)."""
    spelled = sql_type.strip().lower()
    if spelled.startswith("decimal"):
        return f"decimal scale {spelled.rstrip(')').split(',')[-1].strip()}"
    kinds = {"bigint": "integer", "integer": "integer", "int": "integer", "smallint": "integer", "hugeint": "integer"}
    kinds |= {"varchar": "string", "string": "string", "double": "double", "boolean": "boolean"}
    return kinds.get(spelled, spelled)


def duckdb_rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[str], list[tuple]]:
    """A relation's column names (sorted), the kind of each (:func:`type_kind`) and its rows,
    columns in that order."""
    described = sorted(con.execute(f"describe select * from {relation}").fetchall())
    columns = [row[0] for row in described]
    rows = con.execute(f"select {', '.join(columns)} from {relation}").fetchall()
    return columns, [type_kind(row[1]) for row in described], rows


def _sort_key(row: tuple) -> tuple:
    # the last digits of a double must not reorder rows: sort on everything but the doubles
    # first; a decimal by its value (1.5 and 1.50 together)
    def exact(value: object) -> str:
        return str(value.normalize()) if isinstance(value, Decimal) else str(value)

    exacts = tuple((v is None, "" if v is None else exact(v)) for v in row if not isinstance(v, float))
    return exacts + tuple((v is None, 0.0 if v is None else v) for v in row if isinstance(v, float))


def differences(columns: list[str], expected: list[tuple], actual: list[tuple]) -> list[str]:
    """The rows and values where ``actual`` (Spark) differs from ``expected`` (DuckDB), as lines;
    empty when every row agrees (doubles to FLOAT_TOLERANCE, everything else exactly)."""
    if len(expected) != len(actual):
        return [f"{len(expected)} rows on DuckDB, {len(actual)} on Spark"]
    found = []
    for duck_row, spark_row in zip(sorted(expected, key=_sort_key), sorted(actual, key=_sort_key), strict=True):
        for column, duck, spark in zip(columns, duck_row, spark_row, strict=True):
            if isinstance(duck, float) or isinstance(spark, float):
                same = (duck is None and spark is None) or (
                    duck is not None
                    and spark is not None
                    and math.isclose(duck, spark, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
                )
            else:  # Decimal('1.50') == Decimal('1.5') == ...: a decimal's scale does not matter
                same = duck == spark
            if not same:
                found.append(f"{column}: DuckDB {duck!r}, Spark {spark!r} in row {duck_row}")
    return found


def spark_marts(spark_dir: Path, models: list[str]) -> dict[str, tuple[list[str], list[str], list[tuple]]]:
    """{model: (its column names, sorted; their kinds, :func:`type_kind`; its rows, columns in
    that order)} for each model of
    schema atp that ``dbt build --target spark`` built in ``spark_dir`` (tables and views), read
    through a Spark session on the same catalog: Spark's values (Decimal, float, int, str, bool,
    None) as DuckDB's Python client gives its own."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(spark_dir / "tables"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={spark_dir}/metastore_db")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        marts = {}
        for model in models:
            frame = spark.table(f"atp.{model}")
            described = sorted(frame.dtypes)
            columns = [name for name, _ in described]
            kinds = [type_kind(spelled) for _, spelled in described]
            marts[model] = (columns, kinds, [tuple(row) for row in frame.select(*columns).collect()])
        return marts
    finally:
        spark.stop()


def dbt_seconds(target_path: Path) -> float:
    """The seconds of the dbt invocation whose run_results.json is in ``target_path`` (dbt's own
    elapsed time: the nodes, not the process start)."""
    return float(json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))["elapsed_time"])


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict:
    """The tiny input of both flows built on DuckDB (the job), then on Spark from the Parquet raw
    layer the job wrote: the DuckDB file, dbt's log of the Spark build and the Spark marts."""
    _require_spark()
    root = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(root / "wh" / "atp.duckdb"))
        patch.setenv("ATP_EXPORTS_DIR", str(root / "exports"))
        patch.setenv("ATP_SOURCE", "local")
        patch.setenv("ATP_LOCAL_DIR", str(write_tiny_trade_input(root / "input")))
        patch.delenv("ATP_PARQUET_DIR", raising=False)
        started = time.monotonic()
        assert run_job(2010, 2011).success
        job_seconds = time.monotonic() - started
    duckdb_dbt_seconds = dbt_seconds(dbt_project.project_dir / RUN_TARGET_PATH)
    started = time.monotonic()
    build = spark_build(root / "wh" / "parquet", root / "spark", "build")
    spark_seconds = time.monotonic() - started
    assert build.returncode == 0, f"dbt build --target spark failed:\n{build.stdout[-6000:]}\n{build.stderr[-3000:]}"
    # the times, for docs/benchmarks.md (shown with pytest -s)
    print(
        f"\nDuckDB: the job {job_seconds:.1f} s, its dbt build {duckdb_dbt_seconds:.1f} s; Spark: dbt build "
        f"{dbt_seconds(root / 'spark' / 'target'):.1f} s ({spark_seconds:.1f} s with the dbt process and the JVM)"
    )
    marts = spark_marts(root / "spark", mart_names())
    return {"duckdb": root / "wh" / "atp.duckdb", "log": build.stdout, "spark": marts}


def test_the_marts_compared_are_the_13_marts() -> None:
    assert len(mart_names()) == 13, mart_names()


def test_spark_builds_every_model_seed_and_test(builds: dict) -> None:
    log = builds["log"]
    summary = [line for line in log.splitlines() if "Done. PASS=" in line]
    assert summary, log[-3000:]
    assert " ERROR=0 " in summary[-1] and " SKIP=0 " in summary[-1] and " WARN=0 " in summary[-1], summary[-1]


@pytest.mark.parametrize("model", mart_names())
def test_every_mart_on_spark_equals_duckdb_row_for_row(builds: dict, model: str) -> None:
    with duckdb.connect(str(builds["duckdb"]), read_only=True) as warehouse:
        duck_columns, duck_kinds, duck_rows = duckdb_rows(warehouse, model)
    spark_columns, spark_kinds, spark_rows = builds["spark"][model]
    assert spark_columns == duck_columns
    # money stays exact: a whole-dollar column is an integer (or a decimal of the same scale) on both
    assert dict(zip(spark_columns, spark_kinds, strict=True)) == dict(zip(duck_columns, duck_kinds, strict=True))
    assert duck_rows, f"{model} is empty on DuckDB: the comparison would prove nothing"
    assert differences(duck_columns, duck_rows, spark_rows) == []


def test_the_type_kinds_tell_exact_money_from_a_double() -> None:
    assert type_kind("BIGINT") == type_kind("int") == "integer"
    assert type_kind("DECIMAL(38,6)") == type_kind("decimal(28,6)") == "decimal scale 6"
    assert type_kind("DECIMAL(38,2)") != type_kind("decimal(38,6)")
    assert type_kind("DOUBLE") == type_kind("double") != type_kind("bigint")
    assert type_kind("VARCHAR") == type_kind("string")


def test_the_comparison_finds_a_dollar_and_a_share_off() -> None:
    columns = ["share", "usd"]
    expected = [(0.25, 100), (0.75, 300)]
    assert differences(columns, expected, [(0.75, 300), (0.25, 100)]) == []
    off_by_a_dollar = differences(columns, expected, [(0.25, 101), (0.75, 300)])
    assert off_by_a_dollar == ["usd: DuckDB 100, Spark 101 in row (0.25, 100)"]
    assert differences(columns, expected, [(0.25 + 1e-9, 100), (0.75, 300)]) != []
    assert differences(columns, expected, [(0.25,), (0.75, 300), (0.5, 1)])[0] == "2 rows on DuckDB, 3 on Spark"
