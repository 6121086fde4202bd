"""Memory of a full-size year load (marked ``bench``: run by ``make bench``, not by ``make test``).

A real Census year of export history has millions of records. Loading one must stay under
1.5 GiB of peak RSS, and memory must not grow with the file: a 6-million-record year may not
need much more than a 3-million-record one (DuckDB spills to disk beyond the warehouse
connection's ``memory_limit``). A real import year is larger (about 6 million IM145 records,
1.5 GB): its load must stay under 1.5 GB (issue 20). Each load runs in a fresh process, started from a
small one so that its ``ru_maxrss`` is its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.generate import SAMPLE_DIR, generate_year
from bench.generate_imports import DEFAULT_IMPORT_RECORDS, prepare_import_input
from orchestration.census.layouts import EXPORT_HISTORY
from orchestration.paths import REPO_ROOT
from tests.reference_fixed_width import reference_parse_fixed_width

pytestmark = pytest.mark.bench

WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)


def _run_step(step: str, root: Path, database: Path) -> tuple[int, float]:
    """(rows loaded, peak RSS in MiB) of the bench step ``step`` loading 2008 from ``root``."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, "-m", step, str(root), "2008", str(database)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    rows, peak_kib = (int(v) for v in done.stdout.split()[-2:])
    return rows, peak_kib / 1024


def _load(tmp_path: Path, records: int) -> tuple[int, float, int]:
    """(rows loaded, peak RSS in MiB, value_usd total) of loading a generated 2008."""
    root = tmp_path / f"in_{records}"
    generate_year(SAMPLE_DIR, 2008, records, root / "2008" / "EXP_HIST.TXT")
    database = tmp_path / f"w_{records}.duckdb"
    rows, peak = _run_step("bench.steps.year_load", root, database)
    with duckdb.connect(str(database), read_only=True) as con:
        total = con.execute("select sum(value_usd) from raw.export_history").fetchone()[0]
    (root / "2008" / "EXP_HIST.TXT").unlink()
    return rows, peak, total


def test_a_full_size_year_loads_in_bounded_flat_memory(tmp_path: Path) -> None:
    con = duckdb.connect()
    reference_parse_fixed_width(con, SAMPLE_DIR / "2008" / "EXP_HIST.TXT", "x", EXPORT_HISTORY, "h")
    bundle_total = con.execute("select sum(value_usd) from h").fetchone()[0]
    rows_3m, peak_3m, total_3m = _load(tmp_path, 3_000_000)
    rows_6m, peak_6m, total_6m = _load(tmp_path, 6_000_000)
    assert (rows_3m, rows_6m) == (3_000_000, 6_000_000)
    # the generator spreads the bundle year's values: every dollar is still there
    assert total_3m == total_6m == bundle_total
    assert peak_3m < 1536 and peak_6m < 1536, (peak_3m, peak_6m)
    assert peak_6m < 1.25 * peak_3m, (peak_3m, peak_6m)


def test_a_full_size_import_year_loads_under_1_5_gb(tmp_path: Path) -> None:
    root, generated = prepare_import_input(tmp_path, 2008, DEFAULT_IMPORT_RECORDS)
    database = tmp_path / "imports.duckdb"
    rows, peak = _run_step("bench.steps.import_year_load", root, database)
    with duckdb.connect(str(database), read_only=True) as con:
        total = con.execute("select sum(gen_value_usd) from raw.import_history").fetchone()[0]
    (root / "2008" / "IMP_HIST.TXT").unlink()
    assert rows == generated.records == DEFAULT_IMPORT_RECORDS
    assert total == generated.gen_value_usd
    # issue 20: peak RSS under 1.5 GB (1.5e9 bytes = 1430.5 MiB), not 1.5 GiB
    assert peak < 1.5e9 / 2**20, peak
