"""The full-size import year of ``make bench`` (:mod:`bench.generate_imports`), at a small size:
its records are IM145 records the project's loader takes, and the dollars it says it wrote are
the bundle year's, counted here from the bundle's file by position."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.generate import SAMPLE_DIR
from bench.generate_imports import generate_import_year, prepare_import_input
from orchestration.census.load import load_table
from orchestration.census.tables import IMPORT_HISTORY_TABLE

RECORDS = 5_000  # the bundle's 2008 has 4,786 cells (HS10 x country x subcode x rate provision)


def _bundle_total(positions: slice) -> int:
    """The sum of one number field of the bundle's 2008 import history, read by position."""
    lines = (SAMPLE_DIR / "2008" / "IMP_HIST.TXT").read_bytes().decode("ascii").splitlines()
    return sum(int(line[positions]) for line in lines if line)


def test_the_import_year_is_im145_records_the_loader_takes_with_the_bundle_years_dollars(tmp_path: Path) -> None:
    root, generated = prepare_import_input(tmp_path, 2008, RECORDS)
    data = (root / "2008" / "IMP_HIST.TXT").read_bytes()
    assert data.endswith(b"\r\n")
    records = data.split(b"\r\n")[:-1]
    assert len(records) == RECORDS == generated.records
    assert {len(r) for r in records} == {253}
    # general imports are positions 142-153, imports for consumption 58-69 (IM145)
    gen_total, con_total = _bundle_total(slice(141, 153)), _bundle_total(slice(57, 69))
    assert (generated.gen_value_usd, generated.con_value_usd) == (gen_total, con_total)

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        (result,) = load_table(con, root, IMPORT_HISTORY_TABLE, [2008])
        assert result.rows_loaded == RECORDS and result.origin == "synthetic"
        loaded = con.execute(
            "select sum(gen_value_usd), sum(con_value_usd), bool_and(is_synthetic), "
            "bool_and(gen_cif_usd = gen_value_usd + gen_charges_usd), bool_and(con_value_usd <= gen_value_usd) "
            "from raw.import_history where year = 2008"
        ).fetchone()
    assert loaded == (gen_total, con_total, True, True, True)


def test_the_import_year_is_deterministic_and_refuses_fewer_records_than_cells(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "IMP_HIST.TXT", tmp_path / "b" / "IMP_HIST.TXT"
    generate_import_year(SAMPLE_DIR, 2008, RECORDS, first)
    generate_import_year(SAMPLE_DIR, 2008, RECORDS, second)
    assert first.read_bytes() == second.read_bytes()
    with pytest.raises(ValueError, match="4,786 cells"):
        generate_import_year(SAMPLE_DIR, 2008, 1_000, tmp_path / "c" / "IMP_HIST.TXT")
