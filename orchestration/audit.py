"""The rows behind a failed dbt test: what a failed run's report and console show, not only the
test's name.

A dbt test is a query that returns the offending rows. After a failed run its candidate warehouse
is kept (:class:`orchestration.resources.WarehouseResource`), so the test's compiled query (written
by ``dbt build`` under the dbt target folder) can be run again on it, read-only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.project import DBT_PROJECT_DIR

#: Where ``dbt build`` of a run writes the compiled SQL of every test (see orchestration.assets.dbt).
COMPILED_DIR = DBT_PROJECT_DIR / "target" / "run" / "compiled"
#: How many offending rows are shown per failed test.
ROW_LIMIT = 10


def compiled_test_sql(test_name: str, compiled_dir: Path = COMPILED_DIR) -> str | None:
    """The compiled query of the dbt test ``test_name`` from the last build, or None."""
    matches = sorted(compiled_dir.rglob(f"{test_name}.sql")) if compiled_dir.exists() else []
    return matches[0].read_text() if matches else None


def offending_rows(database: Path, test_name: str, limit: int = ROW_LIMIT) -> list[str]:
    """Up to ``limit`` rows the test ``test_name`` returns on ``database`` (the failed run's
    candidate), one line each as ``column=value, ...`` (file and record included when the test
    selects them); empty when the test's SQL or the file is not found or the query fails."""
    sql = compiled_test_sql(test_name)
    if sql is None or not database.exists():
        return []
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            cursor = con.execute(f"select * from ({sql.strip().rstrip(';')}) limit {int(limit)}")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return []
    return [", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)) for row in rows]
