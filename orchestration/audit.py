"""The rows behind a failed dbt test: what a failed run's report and console show, not only the
test's name.

A dbt test is a query that returns the offending rows. After a failed run its candidate warehouse
is kept (:class:`orchestration.resources.WarehouseResource`), so the test's compiled query (in the
``run_results.json`` that ``dbt build`` writes) can be run again on it, read-only.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.dbt_settings import RUN_TARGET_DIR

#: How many offending rows are shown per failed test.
ROW_LIMIT = 10


def compiled_test_sql(test_name: str, target_dir: Path = RUN_TARGET_DIR) -> str | None:
    """The compiled query of the dbt test ``test_name`` (the asset check's name, e.g.
    ``assert_world_atp_exports_match_census_total`` or a generic test's long name) in the last
    build, from ``run_results.json`` (dbt writes a long-named test's SQL file under a shortened,
    hashed name, so the file cannot be found by name); None when the build did not run it."""
    results = target_dir / "run_results.json"
    if not results.is_file():
        return None
    try:
        entries = json.loads(results.read_text(encoding="utf-8"))["results"]
    except (ValueError, KeyError):
        return None
    for entry in entries:
        parts = entry.get("unique_id", "").split(".")
        if parts[0] == "test" and len(parts) >= 3 and parts[2] == test_name and entry.get("compiled_code"):
            return entry["compiled_code"]
    return None


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


#: dbt's node kinds in ``run_results.json`` (the prefix of ``unique_id``), as dbt names them in its
#: own summary ("Finished running 2 seeds, 27 models, 161 data tests, 5 unit tests").
NODE_KINDS = {
    "model": "models",
    "seed": "seeds",
    "test": "data tests",
    "unit_test": "unit tests",
    "snapshot": "snapshots",
}


def build_counts(target_dir: Path = RUN_TARGET_DIR) -> dict[str, int]:
    """dbt's own counts of the last build in ``target_dir`` (its ``run_results.json``): nodes by
    kind (``models``, ``seeds``, ``data tests``, ``unit tests``), and ``failed`` (errors and
    failed tests) and ``warned``; empty when there are no results."""
    results = target_dir / "run_results.json"
    if not results.is_file():
        return {}
    try:
        entries = json.loads(results.read_text(encoding="utf-8"))["results"]
    except (ValueError, KeyError):
        return {}
    counts: dict[str, int] = {}
    for entry in entries:
        kind = NODE_KINDS.get(entry.get("unique_id", "").split(".")[0], "other nodes")
        counts[kind] = counts.get(kind, 0) + 1
        status = entry.get("status")
        if status in ("error", "fail"):
            counts["failed"] = counts.get("failed", 0) + 1
        elif status == "warn":
            counts["warned"] = counts.get("warned", 0) + 1
    return counts


def counts_phrase(counts: dict[str, int]) -> str:
    """``27 models, 2 seeds, 161 data tests, 5 unit tests`` (and ``, 1 failed`` / ``, 2 warned``):
    the one way the console, the run's log and the README give a build's size."""
    kinds = [f"{counts[k]} {k}" for k in ("models", "seeds", "data tests", "unit tests") if counts.get(k)]
    kinds += [f"{counts[k]} {k}" for k in ("failed", "warned") if counts.get(k)]
    return ", ".join(kinds) or "no dbt results"


def project_checksum(manifest: Path) -> str:
    """sha256 of the dbt project as parsed (``manifest.json``): every node's and unit test's own
    checksum and every project macro's SQL, by unique id; a changed model, test, seed or macro
    changes it (dbt's own macros come with the pinned dbt version and are left out)."""
    import hashlib

    parsed = json.loads(manifest.read_text(encoding="utf-8"))
    pieces = []
    for section in ("nodes", "unit_tests"):
        for unique_id, node in parsed.get(section, {}).items():
            checksum = node.get("checksum")
            pieces.append(f"{unique_id}={checksum.get('checksum', '') if isinstance(checksum, dict) else checksum}")
    for unique_id, macro in parsed.get("macros", {}).items():
        if unique_id.split(".")[1] == parsed.get("metadata", {}).get("project_name", "atp_warehouse"):
            pieces.append(f"{unique_id}={hashlib.sha256(macro.get('macro_sql', '').encode()).hexdigest()}")
    return hashlib.sha256("\n".join(sorted(pieces)).encode()).hexdigest()
