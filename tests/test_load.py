"""Loading a year into raw tables: atomic replace, no duplicates, clear errors, provenance."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.census.input_manifest import file_origin, read_input_manifest
from orchestration.census.load import LoadResult, load_table
from orchestration.census.parse import CensusLayoutError
from orchestration.census.tables import (
    API_HITECH_TABLE,
    ATP_CONCORDANCE_TABLE,
    COUNTRY_TRADE_TABLE,
    EXPORT_HISTORY_TABLE,
    HS10_CODE_CHANGES_TABLE,
    InputFileError,
    RawTable,
)
from tests.conftest import SAMPLE_DIR
from tests.tiny_input import schedule_b, write_tiny_input


def load_year(con: duckdb.DuckDBPyConnection, root: Path, table: RawTable, year: int) -> LoadResult:
    (result,) = load_table(con, root, table, [year])
    return result


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
    assert result.rows_loaded == 13 and result.files[0].file_records == 13
    assert _snapshot(con) == first
    # 13 records for 2010 and 7 for 2011, values summed by hand: 2010 = 600+400+100+500+5000+300
    # +1500+250+900+400+2000+750+9999 = 22699; 2011 = 2200+800+400+1000+600+1000+500 = 6500.
    assert con.execute(
        "select year, count(*), sum(value_usd) from raw.export_history group by year order by year"
    ).fetchall() == [(2010, 13, 22699), (2011, 7, 6500)]


def test_rows_carry_source_file_record_and_origin(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    row = con.execute(
        "select source_file, source_record, is_synthetic, value_usd from raw.export_history "
        "where hs10_code = '9018908000' and cty_code = '5880'"
    ).fetchone()
    assert row == ("2011/EXP_HIST.TXT", 7, True, 500)  # the 7th record of tests/tiny_input.py HISTORIES[2011]
    provenance = con.execute(
        "select raw_table, source_file, origin, rows_loaded, length(sha256) from raw.source_files"
    ).fetchall()
    assert provenance == [("export_history", "2011/EXP_HIST.TXT", "synthetic", 7, 64)]


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
    with pytest.raises(
        CensusLayoutError, match=r"2011/EXP_HIST.TXT, record 1, field stat_year: record belongs to 2010"
    ):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)


def test_duplicate_code_in_a_concordance_is_rejected(con, input_dir: Path) -> None:
    path = input_dir / "2010" / "CONCORD.TXT"
    lines = path.read_text().splitlines()
    path.write_text("\r\n".join(lines + [lines[0]]) + "\r\n")
    # the 7th record repeats the 1st: the error names the second occurrence
    with pytest.raises(
        CensusLayoutError, match=r"2010/CONCORD.TXT, record 7, field hs10_code: duplicate: 2 records .*records 1, 7"
    ):
        load_year(con, input_dir, ATP_CONCORDANCE_TABLE, 2010)


def test_duplicated_export_record_is_rejected_not_double_counted(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    before = _snapshot(con)
    path = input_dir / "2011" / "EXP_HIST.TXT"
    lines = path.read_text().splitlines()
    path.write_text("\r\n".join(lines + [lines[2]]) + "\r\n")
    # 7 records, then a copy of the 3rd: record 8 repeats record 3
    with pytest.raises(CensusLayoutError, match=r"2011/EXP_HIST.TXT, record 8, field df_code, hs10_code, cty_code"):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    assert _snapshot(con) == before


def test_missing_year_is_named(con, input_dir: Path) -> None:
    with pytest.raises(InputFileError, match=r"export_history 2012: expected 2012/EXP_HIST.TXT .* or 2012/api/"):
        load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2012)


def test_two_first_lists_in_one_year_are_refused(con, input_dir: Path) -> None:
    (input_dir / "2011" / "CONCORD.TXT").write_bytes((input_dir / "2010" / "CONCORD.TXT").read_bytes())
    with pytest.raises(InputFileError, match=r"holds 2011/CONCORD.TXT, 2011/exp-code.txt; expected exactly one"):
        load_year(con, input_dir, ATP_CONCORDANCE_TABLE, 2011)


def test_both_concordance_layouts_load_into_the_same_columns(con, input_dir: Path) -> None:
    load_table(con, input_dir, ATP_CONCORDANCE_TABLE, [2010, 2011])
    rows = con.execute(
        "select year, source_file, hitech_code, description, short_description, years_ap, list_rank "
        "from raw.atp_concordance where hs10_code = '9018908000' order by year"
    ).fetchall()
    # tests/tiny_input.py: 2010 is CONCORD.TXT (245, long description first, years_ap blank),
    # 2011 the Schedule B exp-code.txt (278: short description, then long description)
    assert rows == [
        (2010, "2010/CONCORD.TXT", "00", "PRODUCT 9018908000", None, None, 1),
        (2011, "2011/exp-code.txt", "02", "PRODUCT 9018908000, LONG DESCRIPTION", "PRODUCT 9018908000", None, 1),
    ]


def test_a_later_list_of_the_year_loads_beside_the_first(con, input_dir: Path) -> None:
    # the July edition adds one code and repeats one with another group: both records are kept
    (input_dir / "2011" / "exp-code-2011-07.txt").write_text(
        schedule_b("8542390000", "05") + "\r\n" + schedule_b("8542310000", "04") + "\r\n", newline=""
    )
    result = load_year(con, input_dir, ATP_CONCORDANCE_TABLE, 2011)
    assert [f.source_file for f in result.files] == ["2011/exp-code.txt", "2011/exp-code-2011-07.txt"]
    assert con.execute(
        "select hs10_code, hitech_code, list_rank from raw.atp_concordance where hs10_code like '85423%' order by all"
    ).fetchall() == [("8542310000", "04", 2), ("8542310000", "05", 1), ("8542390000", "05", 2)]


def test_country_trade_loads_only_the_partition_year(con, input_dir: Path) -> None:
    result = load_year(con, input_dir, COUNTRY_TRADE_TABLE, 2011)
    assert result.rows_loaded == 6 and result.origin == "census"
    # tests/tiny_input.py: 0007 EYR 2011 = 0.0065 million USD, all of it in December
    assert con.execute(
        "select cast(eyr as varchar), months_reported from raw.country_trade where cty_code = '0007'"
    ).fetchall() == [("0.006500", 12)]


def test_optional_tables_without_files_hold_no_rows(con, input_dir: Path) -> None:
    (result,) = load_table(con, input_dir, API_HITECH_TABLE, [2010])
    assert result.files == () and result.rows_loaded == 0
    (changes,) = load_table(con, input_dir, HS10_CODE_CHANGES_TABLE, None)
    assert changes.year is None and changes.rows_loaded == 0
    assert con.execute("select count(*) from raw.hs10_code_changes").fetchone() == (0,)


def test_source_files_keep_the_sha256_of_the_file_a_reload_replaced(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    first = con.execute("select sha256, previous_sha256 from raw.source_files").fetchone()
    assert first[1] is None  # a first load replaces nothing
    path = input_dir / "2011" / "EXP_HIST.TXT"
    path.write_text(path.read_text().replace("000000002200", "000000002300"), newline="")  # a revised record
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    second = con.execute("select sha256, previous_sha256 from raw.source_files").fetchone()
    assert second[1] == first[0] and second[0] != first[0]


class FullDisk:
    """A connection whose commit fails as on a full disk: DuckDB ends the transaction, then raises
    the I/O error (so the loader's own rollback finds no transaction)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def execute(self, sql: str, *args):
        if sql.strip().lower() == "commit":
            self._con.execute("rollback")
            raise duckdb.IOException('Could not write file "w.duckdb.wal": No space left on device')
        return self._con.execute(sql, *args)


def test_a_full_disk_is_reported_as_such_and_the_year_stays(con, input_dir: Path) -> None:
    load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2010)
    before = _snapshot(con)
    # before: the loader's rollback raised "cannot rollback - no transaction is active", hiding this
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        load_year(FullDisk(con), input_dir, EXPORT_HISTORY_TABLE, 2010)
    assert _snapshot(con) == before


# --- provenance: a file's origin comes from the manifest only when its sha256 matches ----------

SAMPLE_2010 = ("2010/CONCORD.TXT", "2010/COUNTRY.TXT", "2010/EXP_HIST.TXT")


def _sample_copy(tmp_path: Path) -> Path:
    """A copy of the bundled sample's 2010 files and its manifest.json (the entries of every
    year: the other years' files are simply not there)."""
    root = tmp_path / "sample"
    for relative in (*SAMPLE_2010, "manifest.json"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_DIR / relative, root / relative)
    return root


def _manifest_sha256(root: Path, relative: str) -> str:
    (entry,) = [f for f in json.loads((root / "manifest.json").read_text())["files"] if f["path"] == relative]
    return entry["sha256"]


def _origins(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select source_file, origin, origin_note, (select list(distinct is_synthetic) from raw.export_history) "
        "from raw.source_files where raw_table = 'export_history'"
    ).fetchall()


def test_a_sample_file_that_matches_its_manifest_entry_is_synthetic(con, tmp_path: Path) -> None:
    root = _sample_copy(tmp_path)
    result = load_year(con, root, EXPORT_HISTORY_TABLE, 2010)
    assert result.origin == "synthetic" and result.notes == ()
    assert _origins(con) == [("2010/EXP_HIST.TXT", "synthetic", None, [True])]


def test_a_sample_file_renamed_in_lower_case_keeps_its_manifest_origin(con, tmp_path: Path) -> None:
    # before: the manifest was matched by exact path, so 2010/exp_hist.txt (found by discovery,
    # which ignores case) had no entry and loaded as Census data
    root = _sample_copy(tmp_path)
    (root / "2010" / "EXP_HIST.TXT").rename(root / "2010" / "exp_hist.txt")
    result = load_year(con, root, EXPORT_HISTORY_TABLE, 2010)
    assert result.origin == "synthetic" and result.notes == ()
    assert _origins(con) == [("2010/exp_hist.txt", "synthetic", None, [True])]


def test_a_replaced_sample_file_loads_as_unverified_and_says_why(con, tmp_path: Path) -> None:
    # before: the manifest's sha256 was never compared, so the file kept its synthetic label
    root = _sample_copy(tmp_path)
    path = root / "2010" / "EXP_HIST.TXT"
    path.write_bytes(path.read_bytes().split(b"\r\n", 1)[1])  # the first record dropped: other bytes
    new = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = _manifest_sha256(root, "2010/EXP_HIST.TXT")
    assert expected.startswith("46af292b06c7")  # warehouse/sample/manifest.json
    note = f"2010/EXP_HIST.TXT differs from its manifest entry (sha256 {new[:12]}... expected 46af292b06c7...): " + (
        "loaded as unverified"
    )
    result = load_year(con, root, EXPORT_HISTORY_TABLE, 2010)
    assert result.origin == "unverified" and result.notes == (note,)
    assert _origins(con) == [("2010/EXP_HIST.TXT", "unverified", note, [False])]


def test_an_entry_without_sha256_loads_as_unverified(con, input_dir: Path) -> None:
    manifest = json.loads((input_dir / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "2011/EXP_HIST.TXT":
            del entry["sha256"]
    (input_dir / "manifest.json").write_text(json.dumps(manifest))
    result = load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    assert result.origin == "unverified"
    assert result.notes == (
        "2011/EXP_HIST.TXT: its manifest entry (origin synthetic) has no sha256 to check the file against: "
        "loaded as unverified",
    )


def test_a_file_without_manifest_entry_is_census(con, input_dir: Path) -> None:
    (input_dir / "2011" / "api").mkdir()
    (input_dir / "2011" / "EXP_HIST.TXT").unlink()
    header = ["E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_YR", "time"]
    (input_dir / "2011" / "api" / "exports_hs_df1_001.json").write_text(
        json.dumps([header, ["8542310000", "5700", "CHINA", "2200", "2011-12"]])
    )
    result = load_year(con, input_dir, EXPORT_HISTORY_TABLE, 2011)
    assert result.origin == "census" and result.notes == ()
    assert _origins(con) == [("2011/api/exports_hs_df1_001.json", "census", None, [False])]


def test_manifest_paths_match_as_file_discovery_does(tmp_path: Path) -> None:
    manifest = {"files": [{"path": ".\\2011\\Exp_Hist.TXT", "origin": "synthetic", "sha256": "AB" * 32}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    entries = read_input_manifest(tmp_path)
    assert file_origin("2011/EXP_HIST.TXT", "ab" * 32, entries) == ("synthetic", None)
    origin, note = file_origin("2011/exp_hist.txt", "cd" * 32, entries)
    assert origin == "unverified" and note == (
        "2011/exp_hist.txt differs from its manifest entry .\\2011\\Exp_Hist.TXT (sha256 cdcdcdcdcdcd... "
        "expected abababababab...): loaded as unverified"
    )
    assert file_origin("2011/COUNTRY.TXT", "cd" * 32, entries) == ("census", None)


def test_two_manifest_entries_for_one_file_must_agree(tmp_path: Path) -> None:
    files = [
        {"path": "2011/EXP_HIST.TXT", "origin": "synthetic", "sha256": "ab" * 32},
        {"path": "2011/exp_hist.txt", "origin": "census", "sha256": "ab" * 32},
    ]
    (tmp_path / "manifest.json").write_text(json.dumps({"files": files}))
    with pytest.raises(CensusLayoutError, match=r"manifest.json, field files\[2\].path.*same file as files\[1\]"):
        read_input_manifest(tmp_path)


def test_a_malformed_sha256_in_the_manifest_is_named(tmp_path: Path) -> None:
    files = [{"path": "2011/EXP_HIST.TXT", "origin": "synthetic", "sha256": "f397b77393df"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"files": files}))
    with pytest.raises(CensusLayoutError, match=r"manifest.json, field files\[1\].sha256.*not a sha256"):
        read_input_manifest(tmp_path)
