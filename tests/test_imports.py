"""The import inputs at the raw layer: the real 2019 HTS import concordance ``imp-code.txt``
(through a local folder and through the fake Census Bureau), a hand-written IM145/IA245 import
history record, the imports/hs API tables, and the bad inputs each named by file, record and field.

Expected numbers come from the Census documents (DOMAIN.md 2f: 2019 imp-code.txt has 19,111
codes, 547 ATP, 01=21 02=93 03=56 04=137 05=45 06=101 07=7 08=52 09=21 10=14), or are written
by hand below, never computed by the code under test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import responses

from orchestration.census.load import load_table
from orchestration.census.parse import CensusLayoutError
from orchestration.census.tables import (
    API_HITECH_IMPORTS_TABLE,
    IMPORT_CONCORDANCE_TABLE,
    IMPORT_HISTORY_TABLE,
    RAW_TABLES,
    InputFileError,
    missing_inputs,
)
from tests.fake_census import REAL_IMP_CODE_2019, FakeCensus
from tests.tiny_input import write_tiny_input

IMP_CODE_SHA256 = "514781c88734bd259bdaddf62413c7ade10b35dc763c325736a2a59fb1a981d0"
ATP_IMPORT_GROUPS_2019 = {
    "01": 21,
    "02": 93,
    "03": 56,
    "04": 137,
    "05": 45,
    "06": 101,
    "07": 7,
    "08": 52,
    "09": 21,
    "10": 14,
}


def n12(value: int) -> str:
    return str(value).rjust(12, "0")


def im145(
    hs10: str = "8542310000",
    country: str = "5700",
    subcode: str = "A*",
    entry: str = "27",
    unlading: str = "28",
    rate: str = "61",
    month: str = "06",
    gen_value: str | None = None,
) -> str:
    """One IM145/IA245 record built by position (census.gov/foreign-trade/reference/products/
    layouts/im145.html): every number distinct so that a shifted field shows."""
    record = (
        hs10  # 1-10
        + country  # 11-14
        + subcode.ljust(2)  # 15-16
        + entry  # 17-18
        + unlading  # 19-20
        + rate  # 21-22
        + month  # 23-24
        + " "  # 25 filler
        + "00000003"  # 26-33 record count
        + n12(11)  # 34-45 consumption quantity 1
        + n12(12)  # 46-57 consumption quantity 2
        + n12(1_000)  # 58-69 consumption value
        + n12(900)  # 70-81 dutiable value
        + n12(45)  # 82-93 duty
        + n12(60)  # 94-105 consumption charges
        + n12(1_060)  # 106-117 consumption CIF
        + n12(21)  # 118-129 general quantity 1
        + n12(22)  # 130-141 general quantity 2
        + (gen_value if gen_value is not None else n12(1_500))  # 142-153 general value
        + n12(70)  # 154-165 general charges
        + n12(1_570)  # 166-177 general CIF
        + " " * 76  # 178-253 (not read)
    )
    return record


def write_records(path: Path, records: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(r.encode("latin-1") + b"\r\n" for r in records))


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def _local_root(folder: Path) -> Path:
    from orchestration.resources import SourceResource

    return SourceResource(source="local", local_dir=str(folder)).input_root()


def _atp_counts(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    return dict(
        con.execute(
            "select hitech_code, count(*) from raw.import_concordance where year = ? and hitech_code <> '00' "
            "group by 1 order by 1",
            [year],
        ).fetchall()
    )


def test_the_real_2019_imp_code_is_kept_byte_for_byte() -> None:
    assert hashlib.sha256(REAL_IMP_CODE_2019.read_bytes()).hexdigest() == IMP_CODE_SHA256


def test_real_2019_imp_code_loads_through_a_local_folder(tmp_path: Path, con) -> None:
    folder = tmp_path / "input"
    (folder / "2019").mkdir(parents=True)
    shutil.copy(REAL_IMP_CODE_2019, folder / "2019" / "imp-code.txt")
    write_records(folder / "2019" / "IMP_HIST.TXT", [im145()])
    root = _local_root(folder)
    assert missing_inputs(root, [2019], [IMPORT_HISTORY_TABLE, IMPORT_CONCORDANCE_TABLE]) == []
    (result,) = load_table(con, root, IMPORT_CONCORDANCE_TABLE, [2019])
    assert result.rows_loaded == 19_111
    assert con.execute("select count(distinct hs10_code) from raw.import_concordance").fetchone() == (19_111,)
    assert _atp_counts(con, 2019) == ATP_IMPORT_GROUPS_2019
    assert sum(ATP_IMPORT_GROUPS_2019.values()) == 547
    # exactly the columns of raw.atp_concordance (plus year and provenance)
    columns = [r[0] for r in con.execute("describe raw.import_concordance").fetchall()]
    assert columns[1 : 1 + len(IMPORT_CONCORDANCE_TABLE.columns)] == [
        name for name, _ in next(t for t in RAW_TABLES if t.name == "atp_concordance").columns
    ]


def test_real_2019_imp_code_through_the_fake_census_bureau(tmp_path: Path, con) -> None:
    from orchestration.resources import SourceResource

    landing = tmp_path / "landing"
    source = SourceResource(source="census", landing_dir=str(landing), force_download=True, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock)
        downloader = source.census_downloader()
        downloader.import_concordance(2019)  # (the year has no imports/hitech: land the list alone)
        codes = downloader.atp_import_codes(2019)
    assert (landing / "census" / "2019" / "imp-code.txt").read_bytes() == REAL_IMP_CODE_2019.read_bytes()
    assert len(codes) == 547
    write_records(landing / "census" / "2019" / "IMP_HIST.TXT", [im145()])  # its pair
    (result,) = load_table(con, landing / "census", IMPORT_CONCORDANCE_TABLE, [2019])
    assert result.rows_loaded == 19_111
    from orchestration.sources.landing import read_manifest

    landed = read_manifest(landing / "census")["2019/imp-code.txt"]
    assert landed.url == "https://www.census.gov/foreign-trade/schedules/b/2019/imp-code.txt"
    assert _atp_counts(con, 2019) == ATP_IMPORT_GROUPS_2019


def test_a_hand_written_im145_record_loads_field_by_field(tmp_path: Path, con) -> None:
    folder = tmp_path / "input"
    # two records of one HS10, country and month that differ in the district of entry
    write_records(folder / "2019" / "IMP_HIST.TXT", [im145(), im145(entry="30")])
    shutil.copy(REAL_IMP_CODE_2019, folder / "2019" / "imp-code.txt")
    (result,) = load_table(con, folder, IMPORT_HISTORY_TABLE, [2019])
    assert result.rows_loaded == 2
    rows = con.execute("select * from raw.import_history order by source_record").fetchall()
    names = [r[0] for r in con.execute("describe raw.import_history").fetchall()]
    first = dict(zip(names, rows[0], strict=True))
    assert {k: v for k, v in first.items() if k not in ("is_synthetic",)} == {
        "year": 2019,
        "hs10_code": "8542310000",
        "cty_code": "5700",
        "cty_subcode": "A*",
        "district_entry_code": "27",
        "district_unlading_code": "28",
        "rate_provision_code": "61",
        "stat_month": 6,
        "record_count": 3,
        "con_qty1": 11,
        "con_qty2": 12,
        "con_value_usd": 1_000,
        "dutiable_value_usd": 900,
        "duty_usd": 45,
        "con_charges_usd": 60,
        "con_cif_usd": 1_060,
        "gen_qty1": 21,
        "gen_qty2": 22,
        "gen_value_usd": 1_500,
        "gen_charges_usd": 70,
        "gen_cif_usd": 1_570,
        "source_file": "2019/IMP_HIST.TXT",
        "source_record": 1,
    }
    second = dict(zip(names, rows[1], strict=True))
    assert (second["district_entry_code"], second["source_record"], second["cty_subcode"]) == ("30", 2, "A*")
    assert con.execute(
        "select typeof(cty_subcode), typeof(gen_value_usd) from raw.import_history limit 1"
    ).fetchone() == ("VARCHAR", "BIGINT")


def test_the_tiny_census_years_land_and_load_imports(tmp_path: Path, con) -> None:
    """imports/hs and imports/hitech through the fake Census Bureau: aggregate rows dropped,
    December year to date, only gen_value_usd filled (values from tests/fake_census.py)."""
    from orchestration.resources import SourceResource
    from orchestration.sources.census import LANDS

    landing = tmp_path / "landing"
    source = SourceResource(source="census", landing_dir=str(landing), force_download=True, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock)
        downloader = source.census_downloader()
        for table in (IMPORT_CONCORDANCE_TABLE, IMPORT_HISTORY_TABLE, API_HITECH_IMPORTS_TABLE):
            LANDS[table.name](downloader, 2010)
    root = landing / "census"
    (history,) = load_table(con, root, IMPORT_HISTORY_TABLE, [2010])
    assert history.dropped == {"dropped_total_rows": 2, "dropped_grouping_rows": 2, "dropped_continent_rows": 2}
    assert con.execute(
        "select hs10_code, cty_code, gen_value_usd, con_value_usd, stat_month, cty_subcode from raw.import_history "
        "order by hs10_code, cty_code"
    ).fetchall() == [
        ("8471300000", "1220", 800, None, None, None),
        ("8471300000", "5700", 7000, None, None, None),
        ("8542310000", "5700", 3000, None, None, None),
    ]
    load_table(con, root, API_HITECH_IMPORTS_TABLE, [2010])
    # China 04 = 7000 (March 1750 + December 5250), 05 = 3000; Canada 04 = 800
    assert con.execute(
        "select cty_code, hitech_code, annual_value_usd, monthly_sum_usd, months_reported "
        "from raw.api_hitech_imports order by 1, 2"
    ).fetchall() == [("1220", "04", 800, 800, 2), ("5700", "04", 7000, 7000, 2), ("5700", "05", 3000, 3000, 2)]


# --- bad inputs: each named by file, record and field, nothing loaded -------------------------


def _good_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    write_records(folder / "2019" / "IMP_HIST.TXT", [im145(), im145(entry="30")])
    shutil.copy(REAL_IMP_CODE_2019, folder / "2019" / "imp-code.txt")
    return folder


@pytest.mark.parametrize(
    ("record", "shows"),
    [
        (im145()[:-1], ["2019/IMP_HIST.TXT, record 2", "record length", "252"]),
        (im145() + " ", ["2019/IMP_HIST.TXT, record 2", "record length", "254"]),
        (im145(gen_value="00000001X500"), ["2019/IMP_HIST.TXT, record 2, field gen_value_usd", "00000001X500"]),
        (im145(country="    "), ["2019/IMP_HIST.TXT, record 2, field cty_code", "required field is blank"]),
    ],
    ids=["252 characters", "254 characters", "non-digit general value", "blank country of origin"],
)
def test_a_bad_im145_record_is_named_and_nothing_is_loaded(tmp_path: Path, con, record: str, shows: list) -> None:
    folder = _good_folder(tmp_path)
    load_table(con, folder, IMPORT_HISTORY_TABLE, [2019])
    before = con.execute("select * from raw.import_history order by source_record").fetchall()
    write_records(folder / "2019" / "IMP_HIST.TXT", [im145(), record])
    with pytest.raises(CensusLayoutError) as error:
        load_table(con, folder, IMPORT_HISTORY_TABLE, [2019])
    message = str(error.value)
    assert all(text in message for text in shows), message
    assert con.execute("select * from raw.import_history order by source_record").fetchall() == before


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        ("2018-12", "not the folder's year 2019"),
        # year to date through June is not the year's total: the annual value is December's
        ("2019-06", "not December 2019"),
    ],
    ids=["another year", "another month"],
)
def test_an_imports_hs_table_of_another_year_is_named(tmp_path: Path, con, period: str, reason: str) -> None:
    folder = tmp_path / "input"
    shutil.copy(REAL_IMP_CODE_2019, (folder / "2019").mkdir(parents=True) or folder / "2019" / "imp-code.txt")
    table = [
        ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_YR", "time", "COMM_LVL"],
        ["8542310000", "5700", "CHINA", "3000", "2019-12", "HS10"],
        ["8471300000", "5700", "CHINA", "7000", period, "HS10"],
    ]
    (folder / "2019" / "api").mkdir()
    (folder / "2019" / "api" / "imports_hs_001.json").write_text(json.dumps(table), encoding="utf-8")
    with pytest.raises(CensusLayoutError) as error:
        load_table(con, folder, IMPORT_HISTORY_TABLE, [2019])
    assert str(error.value).startswith("2019/api/imports_hs_001.json, record 3, field time"), str(error.value)
    assert period in str(error.value) and reason in str(error.value), str(error.value)
    held = con.execute("select table_name from information_schema.tables where table_schema = 'raw'").fetchall()
    assert ("import_history",) not in held or not con.execute("select count(*) from raw.import_history").fetchone()[0]


@pytest.mark.parametrize("kept", ["IMP_HIST.TXT", "imp-code.txt"])
def test_an_import_file_without_its_pair_names_both(tmp_path: Path, con, kept: str) -> None:
    folder = _good_folder(tmp_path)
    (folder / "2019" / ("imp-code.txt" if kept == "IMP_HIST.TXT" else "IMP_HIST.TXT")).unlink()
    problems = missing_inputs(folder, [2019], [IMPORT_HISTORY_TABLE, IMPORT_CONCORDANCE_TABLE])
    assert len(problems) == 1, problems
    assert "2019/IMP_HIST.TXT" in problems[0] and "2019/imp-code.txt" in problems[0], problems
    table = IMPORT_HISTORY_TABLE if kept == "IMP_HIST.TXT" else IMPORT_CONCORDANCE_TABLE
    with pytest.raises(InputFileError, match="2019/IMP_HIST.TXT.*2019/imp-code.txt"):
        load_table(con, folder, table, [2019])


def test_the_tiny_export_folder_needs_no_import_file(tmp_path: Path) -> None:
    """Optional for now: a folder without import files is complete."""
    root = write_tiny_input(tmp_path / "input")
    assert missing_inputs(root, [2010, 2011]) == []


def test_the_tiny_import_files_load_as_written(tmp_path: Path, con) -> None:
    """``write_tiny_input(imports=True)`` (used by the bad-input corpus): complete, and its IM145
    records and lists load with the values written by hand in tests/tiny_input.py."""
    root = write_tiny_input(tmp_path / "input", imports=True)
    assert missing_inputs(root, [2010, 2011]) == []
    load_table(con, root, IMPORT_HISTORY_TABLE, [2010, 2011])
    load_table(con, root, IMPORT_CONCORDANCE_TABLE, [2010, 2011])
    # 2010: general 3000 + 7000 + 800 + 400, consumption 2900 + 7000 + 800 + 400;
    # 2011: general 4000 + 9000 + 1200 + 500, consumption 4000 + 8500 + 1200 + 500
    assert con.execute(
        "select year, count(*), sum(gen_value_usd), sum(con_value_usd), sum(gen_cif_usd) from raw.import_history "
        "group by year order by year"
    ).fetchall() == [(2010, 4, 11_200, 11_100, 11_200), (2011, 4, 14_700, 14_200, 14_700)]
    assert con.execute(
        "select cty_subcode, cty_code, stat_month from raw.import_history where year = 2010 order by source_record"
    ).fetchall() == [("00", "5700", 3), ("A*", "5700", 5), ("CA", "1220", 8), ("00", "1220", 9)]
    # both layouts: 2010 IMP_CONCORD.TXT (235), 2011 imp-code.txt (278); 6 codes, 3 ATP in 2010, 4 in 2011
    assert con.execute(
        "select year, source_file, count(*), count(*) filter (where hitech_code <> '00') from raw.import_concordance "
        "group by all order by year"
    ).fetchall() == [(2010, "2010/IMP_CONCORD.TXT", 6, 3), (2011, "2011/imp-code.txt", 6, 4)]
