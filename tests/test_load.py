"""Loading a year into raw tables: atomic replace, no duplicates, clear errors, provenance."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.census.load import (
    ATP_CONCORDANCE_TABLE,
    COUNTRY_TRADE_TABLE,
    EXPORT_HISTORY_TABLE,
    load_year,
)
from orchestration.census.parse import CensusLayoutError
from tests.tiny_input import write_tiny_input


@pytest.fixture()
def input_dir(tmp_path: Path) -> Path:
    return write_tiny_input(tmp_path / "input")


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def _snapshot(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from raw.export_history order by year, source_record").fetchall()


def test_reload_replaces_a_year_without_duplicates(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2010)
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    first = _snapshot(con)
    result = load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2010)
    assert result.rows_loaded == 12 and result.file_records == 12
    assert _snapshot(con) == first
    # 12 records for 2010 and 6 for 2011, values summed by hand: 2010 = 600+400+100+500+5000+300
    # +1500+250+900+2000+750+9999 = 22299; 2011 = 2200+800+400+1000+1000+500 = 5900.
    assert con.execute(
        "select year, count(*), sum(value_usd) from raw.export_history group by year order by year"
    ).fetchall() == [(2010, 12, 22299), (2011, 6, 5900)]


def test_rows_carry_source_file_record_and_origin(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    row = con.execute(
        "select source_file, source_record, is_synthetic, value_usd from raw.export_history "
        "where hs10_code = '9018908000' and cty_code = '5880'"
    ).fetchone()
    assert row == ("2011/EXP_HIST.TXT", 6, True, 500)
    provenance = con.execute(
        "select raw_table, source_file, origin, rows_loaded, length(sha256) from raw.source_files"
    ).fetchall()
    assert provenance == [("export_history", "2011/EXP_HIST.TXT", "synthetic", 6, 64)]


def test_bad_file_leaves_previous_year_untouched(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2010)
    before = _snapshot(con)
    path = input_dir / "2010" / "EXP_HIST.TXT"
    lines = path.read_text().splitlines()
    lines[4] = lines[4][:60] + "00000000X000" + lines[4][72:]
    path.write_text("\r\n".join(lines) + "\r\n")
    with pytest.raises(CensusLayoutError, match=r"2010/EXP_HIST.TXT, record 5, field value_usd"):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2010)
    assert _snapshot(con) == before


def test_record_of_another_year_is_rejected(con, input_dir: Path) -> None:
    (input_dir / "2011" / "EXP_HIST.TXT").write_bytes((input_dir / "2010" / "EXP_HIST.TXT").read_bytes())
    with pytest.raises(CensusLayoutError, match=r"record 1, field stat_year .* belongs to 2010"):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)


def test_duplicate_code_in_a_concordance_is_rejected(con, input_dir: Path) -> None:
    path = input_dir / "2010" / "CONCORD.TXT"
    lines = path.read_text().splitlines()
    path.write_text("\r\n".join(lines + [lines[0]]) + "\r\n")
    with pytest.raises(CensusLayoutError, match=r"record 1, field hs10_code: code appears 2 times"):
        load_year(con, input_dir, ATP_CONCORDANCE_TABLE, 2010)


def test_missing_year_is_named(con, input_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"export_history 2012: expected file .*2012/EXP_HIST.TXT"):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2012)


def test_country_trade_loads_only_the_partition_year(con, input_dir: Path) -> None:
    result = load_year(con, input_dir, COUNTRY_TRADE_TABLE, 2011)
    assert result.rows_loaded == 5 and result.origin == "census"
    assert con.execute("select cast(eyr as varchar) from raw.country_trade where cty_code = '0007'").fetchall() == [
        ("0.005900",)
    ]
