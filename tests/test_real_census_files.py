"""Real Census files, as Census publishes them, through the local folder and through the census
source's fake Census Bureau: the 2019 Schedule B concordance ``exp-code.txt`` (and ``imp-code.txt``
from the same ``SBSDF.ZIP``), and two vintages of ``country.xlsx``.

Expected values come from the data's own documentation (``../shared/data/README.md`` and each
folder's README, copied into ``warehouse/sample/*/PROVENANCE.md``), not from the code under test:
407 ATP codes in 2019 (01=15, 02=81, 03=23, 04=84, 05=38, 06=86, 07=3, 08=52, 09=13, 10=12);
0007 EYR 2000 = 227395, 2008 = 270131, 2017 = 353798.3 (rounded there; the workbook holds
353798.278633, whole dollars), 2022 = 391463.209076 (2024-06 vintage) or
390509.660286 (2023-01 vintage), 2023 = 418583.855553; China (5700) EYR 2000 = 16185.2, 2022 =
154125.44778 (2024-06) or 153837.091085 (2023-01).
"""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
import responses

from orchestration.census.fixed_width import choose_layout, parse_fixed_width
from orchestration.census.layouts import CONCORDANCE_LAYOUTS, SCHEDULE_B
from orchestration.census.load import load_table
from orchestration.census.parse import CensusLayoutError, read_country_trade
from orchestration.census.tables import ATP_CONCORDANCE_TABLE, COUNTRY_TRADE_TABLE
from orchestration.sources.landing import read_manifest
from tests.conftest import REPO_ROOT
from tests.fake_census import REAL_COUNTRY_XLSX, REAL_EXP_CODE_2019, FakeCensus

GROUP_COUNTS_2019 = {
    "01": 15,
    "02": 81,
    "03": 23,
    "04": 84,
    "05": 38,
    "06": 86,
    "07": 3,
    "08": 52,
    "09": 13,
    "10": 12,
}
WORLD_ATP_EYR_2024_06 = {
    2000: "227395.000000",
    2008: "270131.000000",
    2017: "353798.278633",  # the data README rounds it: 353,798.3
    2022: "391463.209076",
    2023: "418583.855553",
}
SBSDF_ZIP = REPO_ROOT / "tests" / "data" / "census" / "schedule_b_2019" / "sbsdf.zip"


@pytest.fixture()
def real_folder(tmp_path: Path) -> Path:
    """A local input folder holding the real files (the 2024-06 vintage of country.xlsx)."""
    root = tmp_path / "input"
    (root / "2019").mkdir(parents=True)
    (root / "country_trade").mkdir()
    shutil.copy(REAL_EXP_CODE_2019, root / "2019" / "exp-code.txt")
    shutil.copy(REAL_COUNTRY_XLSX["2024-06"], root / "country_trade" / "country.xlsx")
    return root


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def _atp_counts(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    return dict(
        con.execute(
            "select hitech_code, count(*) from raw.atp_concordance where year = ? and hitech_code <> '00' group by 1",
            [year],
        ).fetchall()
    )


def _eyr(con: duckdb.DuckDBPyConnection, code: str) -> dict[int, str]:
    return {
        year: value
        for year, value in con.execute(
            "select year, cast(eyr as varchar) from raw.country_trade where cty_code = ? order by year", [code]
        ).fetchall()
    }


def test_local_folder_loads_the_real_concordance_and_country_table(con, real_folder: Path) -> None:
    (concordance,) = load_table(con, real_folder, ATP_CONCORDANCE_TABLE, [2019])
    assert concordance.rows_loaded == 9358 and concordance.origin == "census"
    assert _atp_counts(con, 2019) == GROUP_COUNTS_2019
    assert sum(GROUP_COUNTS_2019.values()) == 407
    examples = dict(
        con.execute(
            "select hs10_code, hitech_code from raw.atp_concordance where hs10_code in "
            "('2844200010', '2937110000', '8411124010', '8486200000', '9001100000', '0101210000')"
        ).fetchall()
    )
    assert examples == {
        "2844200010": "10",
        "2937110000": "01",
        "8411124010": "08",
        "8486200000": "06",
        "9001100000": "07",
        "0101210000": "00",
    }
    load_table(con, real_folder, COUNTRY_TRADE_TABLE, [2000, 2008, 2017, 2022, 2023])
    assert _eyr(con, "0007") == WORLD_ATP_EYR_2024_06
    assert round(Decimal(_eyr(con, "0007")[2017]), 1) == Decimal("353798.3")
    assert _eyr(con, "5700")[2000] == "16185.200000"
    # the float 391463.20907599997 of the workbook lands as the exact decimal 391463.209076
    assert con.execute(
        "select typeof(eyr), eyr = 391463.209076 from raw.country_trade where year = 2022 and cty_code = '0007'"
    ).fetchone() == ("DECIMAL(18,6)", True)
    assert con.execute(
        "select distinct source_file, origin, vintage, sha256 from raw.source_files where raw_table = 'country_trade'"
    ).fetchall() == [
        (
            "country_trade/country.xlsx",
            "census",
            "2024-06",
            "4b16c664bfc35e4c3bc3b9f169e372e522dd0cb8a1150669d5a83d672eaf8149",
        )
    ]


def test_newest_year_of_a_vintage_is_marked_partial(con, real_folder: Path) -> None:
    load_table(con, real_folder, COUNTRY_TRADE_TABLE, [2023, 2024])
    # data through 2024-06: 2024 has January..June, 2023 is complete
    assert con.execute(
        "select year, min(months_reported), max(months_reported) from raw.country_trade group by 1 order by 1"
    ).fetchall() == [(2023, 12, 12), (2024, 6, 6)]


def test_import_concordance_is_parsed_by_the_same_code(tmp_path: Path) -> None:
    with zipfile.ZipFile(SBSDF_ZIP) as archive:
        data = archive.read("imp-code.txt")
    path = tmp_path / "imp-code.txt"
    path.write_bytes(data)
    lines = data.decode("ascii").splitlines()
    atp_by_hand = sum(1 for line in lines if line[276:278] != "00")
    assert choose_layout(path, "imp-code.txt", CONCORDANCE_LAYOUTS) is SCHEDULE_B
    con = duckdb.connect()
    assert parse_fixed_width(con, path, "2019/imp-code.txt", CONCORDANCE_LAYOUTS, "t") == 19111
    assert con.execute("select count(*) from t where hitech_code <> '00'").fetchone()[0] == atp_by_hand > 0
    assert con.execute("select hs10_code, short_description from t where source_record = 1").fetchone() == (
        "0101210010",
        "HORSES AND ASSES, PUREBRED BREEDING, MALE, LIVE",
    )


def test_a_latin_1_letter_in_a_description_loads_with_positions_kept_by_bytes(tmp_path: Path) -> None:
    # Census fixed-width files are ASCII with Latin-1 in older descriptions: one byte, one character
    lines = REAL_EXP_CODE_2019.read_bytes().split(b"\r\n")
    record_11 = lines[10].decode("ascii")
    lines[10] = lines[10][:20] + b"\xe9" + lines[10][21:]  # a Latin-1 e-acute at byte 21 of record 11
    path = tmp_path / "exp-code.txt"
    path.write_bytes(b"\r\n".join(lines))
    con = duckdb.connect()
    assert parse_fixed_width(con, path, "2019/exp-code.txt", CONCORDANCE_LAYOUTS, "t") == 9358
    # the short description is bytes 15-65: the accent is its 7th character, every field after it in place
    short, hitech, code = con.execute(
        "select short_description, hitech_code, hs10_code from t where source_record = 11"
    ).fetchone()
    assert short == (record_11[14:20] + "\u00e9" + record_11[21:65]).strip()
    assert (code, hitech) == (record_11[0:10], record_11[276:278])


def test_a_latin_1_byte_in_a_code_names_file_record_and_positions(tmp_path: Path) -> None:
    lines = REAL_EXP_CODE_2019.read_bytes().split(b"\r\n")
    lines[10] = lines[10][:3] + b"\xe9" + lines[10][4:]  # inside the HS10 code (bytes 1-10)
    path = tmp_path / "exp-code.txt"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(CensusLayoutError, match=r"^2019/exp-code.txt, record 11, field hs10_code \(positions 1-10\)"):
        parse_fixed_width(duckdb.connect(), path, "2019/exp-code.txt", CONCORDANCE_LAYOUTS, "t")


def test_lf_line_ends_load_like_crlf(tmp_path: Path) -> None:
    path = tmp_path / "exp-code.txt"
    path.write_bytes(REAL_EXP_CODE_2019.read_bytes().replace(b"\r\n", b"\n"))
    con = duckdb.connect()
    assert parse_fixed_width(con, path, "2019/exp-code.txt", CONCORDANCE_LAYOUTS, "t") == 9358
    assert con.execute("select count(*) from t where hitech_code <> '00'").fetchone()[0] == 407


def _workbook(path: Path, rows: list[list[object]], extra_sheet: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "country"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("notes").append(["revised June 2024"])
    book.save(path)
    return path


HEADER = ["year", "CTY_CODE", "CTYNAME"] + [f"I{m}" for m in "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()]
HEADER += ["IYR"] + [f"E{m}" for m in "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()] + ["EYR"]


def test_codes_may_be_text_or_number_cells_and_keep_leading_zeros(tmp_path: Path) -> None:
    values = [0.0] * 25 + [391463.20907599997]
    path = _workbook(
        tmp_path / "country.xlsx",
        [HEADER, ["2022", "0007", "Advanced Technology Products", *values], [2022, 7, "As numbers", *values]],
    )
    table = read_country_trade(path, "country_trade/country.xlsx").to_pylist()
    assert [(r["year"], r["cty_code"], r["eyr"], r["source_record"]) for r in table] == [
        (2022, "0007", Decimal("391463.209076"), 2),
        (2022, "0007", Decimal("391463.209076"), 3),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda rows: rows[0].__setitem__(28, "EYR_TOTAL"),
            r"country_trade/country.xlsx, record 1, field header: missing column EYR",
        ),
        (
            lambda rows: [row.pop(17) for row in rows],  # drops EFEB
            r"country_trade/country.xlsx, record 1, field header: missing column EFEB",
        ),
        (
            lambda rows: rows[2].__setitem__(28, "n/a"),
            r"country_trade/country.xlsx, record 3, field EYR \(column AC\): text in a number column",
        ),
        (
            lambda rows: rows[1].__setitem__(1, "7A"),
            r"country_trade/country.xlsx, record 2, field CTY_CODE \(column B\): not a 4-digit code",
        ),
        (
            lambda rows: rows[2].__setitem__(0, None),
            r"country_trade/country.xlsx, record 3, field year \(column A\): empty cell in a row that holds values",
        ),
        (
            "second sheet",
            r"country_trade/country.xlsx, field sheet: workbook has 2 sheets; the Census country table",
        ),
    ],
    ids=["renamed column", "missing column", "text value", "bad code", "blank year", "second sheet"],
)
def test_bad_workbooks_get_one_clear_error_and_keep_the_held_rows(tmp_path: Path, change, message) -> None:
    root = tmp_path / "input"
    (root / "country_trade").mkdir(parents=True)
    good = [HEADER, ["2022", "0007", "ATP", *([1.0] * 26)], ["2022", "5700", "China", *([2.0] * 26)]]
    _workbook(root / "country_trade" / "country.xlsx", good)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_table(con, root, COUNTRY_TRADE_TABLE, [2022])
    before = con.execute("select * from raw.country_trade order by all").fetchall()
    bad = [list(row) for row in good]
    if change == "second sheet":
        _workbook(root / "country_trade" / "country.xlsx", bad, extra_sheet=True)
    else:
        change(bad)
        _workbook(root / "country_trade" / "country.xlsx", bad)
    with pytest.raises(CensusLayoutError, match=message):
        load_table(con, root, COUNTRY_TRADE_TABLE, [2022])
    assert con.execute("select * from raw.country_trade order by all").fetchall() == before


@pytest.mark.parametrize("length", [277, 279])
def test_a_record_of_the_wrong_length_names_file_record_and_lengths(con, real_folder: Path, length: int) -> None:
    load_table(con, real_folder, ATP_CONCORDANCE_TABLE, [2019])
    before = con.execute("select count(*), sum(hash(hs10_code || hitech_code)) from raw.atp_concordance").fetchone()
    path = real_folder / "2019" / "exp-code.txt"
    lines = path.read_bytes().split(b"\r\n")
    lines[56] = lines[56][:length] if length < 278 else lines[56] + b" "
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(CensusLayoutError) as error:
        load_table(con, real_folder, ATP_CONCORDANCE_TABLE, [2019])
    text = str(error.value)
    assert text.startswith("2019/exp-code.txt, record 57, field record length:")
    assert f"record has {length} characters" in text
    assert "245 (CONCORD.TXT) or 278 (Schedule B exp-code.txt)" in text
    assert f"lengths found: {min(length, 278)} (" in text and f"{max(length, 278)} (" in text
    assert (
        con.execute("select count(*), sum(hash(hs10_code || hitech_code)) from raw.atp_concordance").fetchone()
        == before
    )


def test_a_file_of_neither_layout_is_named_with_both_lengths(tmp_path: Path) -> None:
    path = tmp_path / "exp-code.txt"
    path.write_text("x" * 277 + "\r\n" + "x" * 277 + "\r\n")
    with pytest.raises(CensusLayoutError) as error:
        choose_layout(path, "2019/exp-code.txt", CONCORDANCE_LAYOUTS)
    assert str(error.value) == (
        "2019/exp-code.txt, record 1, field record length: record has 277 characters, expected 245 "
        "(CONCORD.TXT) or 278 (Schedule B exp-code.txt); lengths found: 277 (2 records) "
        "(value '277')"
    )


def _census_source(landing: Path):
    from orchestration.resources import SourceResource

    return SourceResource(source="census", landing_dir=str(landing), force_download=True, max_retries=0)


def test_census_source_default_address_loads_the_real_concordance(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock)
        downloader = _census_source(landing).census_downloader()
        downloader.land(ATP_CONCORDANCE_TABLE.name, 2019)
        codes = downloader.atp_codes(2019)
    assert (landing / "census" / "2019" / "exp-code.txt").read_bytes() == REAL_EXP_CODE_2019.read_bytes()
    assert len(codes) == 407
    load_table(con, landing / "census", ATP_CONCORDANCE_TABLE, [2019])
    assert _atp_counts(con, 2019) == GROUP_COUNTS_2019


def test_census_source_takes_a_new_vintage_and_reports_the_revision(tmp_path: Path, con) -> None:
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import WarehouseResource

    landing = tmp_path / "landing"
    warehouse = WarehouseResource(duckdb_path=str(tmp_path / "rev.duckdb"))
    asset = next(a for a in raw_assets if a.key.path == ["raw", "country_trade"])

    def load(vintage: str):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            FakeCensus(mock, country_vintage=vintage)
            result = materialize(
                [asset], partition_key="2022", resources={"warehouse": warehouse, "source": _census_source(landing)}
            )
        assert result.success
        return result.asset_materializations_for_node(asset.op.name)[0].metadata

    load("2023-01")
    first = load("2024-06")
    assert first["values_revised"].value > 0
    assert "2022 0007 eyr: 390509.660286 -> 391463.209076 (+953.548790)" in first["revisions"].value
    with duckdb.connect(str(tmp_path / "rev.duckdb"), read_only=True) as rev:
        assert rev.execute(
            "select cty_code, cast(old_value as varchar), cast(new_value as varchar), cast(difference as varchar), "
            "old_vintage, new_vintage from raw.country_trade_revisions "
            "where year = 2022 and measure = 'eyr' and cty_code in ('0007', '5700') order by cty_code"
        ).fetchall() == [
            ("0007", "390509.660286", "391463.209076", "953.548790", "2023-01", "2024-06"),
            ("5700", "153837.091085", "154125.447780", "288.356695", "2023-01", "2024-06"),
        ]
        assert rev.execute(
            "select vintage, sha256 from raw.source_files where raw_table = 'country_trade'"
        ).fetchall() == [("2024-06", "4b16c664bfc35e4c3bc3b9f169e372e522dd0cb8a1150669d5a83d672eaf8149")]
        assert rev.execute(
            "select cast(eyr as varchar) from raw.country_trade where year = 2022 and cty_code = '0007'"
        ).fetchall() == [("391463.209076",)]
    # the landed workbook is the published file itself, not a converted copy
    assert (landing / "census" / "country_trade" / "country.xlsx").read_bytes() == REAL_COUNTRY_XLSX[
        "2024-06"
    ].read_bytes()


def test_the_revision_report_covers_imports_2022_world_atp_iyr(tmp_path: Path) -> None:
    """Both real vintages through the raw asset from a local folder: the annual revision changed
    2022's world ATP general imports (0007 IYR) from 634,622.868466 to 633,095.913371 million USD
    (issue 20, hand-typed); difference 633,095.913371 - 634,622.868466 = -1,526.955095. The
    revision table and the asset's revision list both show it, beside the exports (EYR)."""
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import SourceResource, WarehouseResource

    root = tmp_path / "input"
    (root / "country_trade").mkdir(parents=True)
    warehouse = WarehouseResource(duckdb_path=str(tmp_path / "rev.duckdb"))
    source = SourceResource(source="local", local_dir=str(root))
    asset = next(a for a in raw_assets if a.key.path == ["raw", "country_trade"])

    def load(vintage: str):
        shutil.copy(REAL_COUNTRY_XLSX[vintage], root / "country_trade" / "country.xlsx")
        result = materialize([asset], partition_key="2022", resources={"warehouse": warehouse, "source": source})
        assert result.success
        return result.asset_materializations_for_node(asset.op.name)[0].metadata

    load("2023-01")
    metadata = load("2024-06")
    listed = metadata["revisions"].value.splitlines()
    assert listed[:2] == [
        "- 2022 0007 eyr: 390509.660286 -> 391463.209076 (+953.548790)",
        "- 2022 0007 iyr: 634622.868466 -> 633095.913371 (-1526.955095)",
    ]
    with duckdb.connect(str(tmp_path / "rev.duckdb"), read_only=True) as rev:
        assert rev.execute(
            "select cast(old_value as varchar), cast(new_value as varchar), cast(difference as varchar), "
            "old_vintage, new_vintage from raw.country_trade_revisions "
            "where year = 2022 and cty_code = '0007' and measure = 'iyr'"
        ).fetchall() == [("634622.868466", "633095.913371", "-1526.955095", "2023-01", "2024-06")]
        assert rev.execute(
            "select cast(iyr as varchar) from raw.country_trade where year = 2022 and cty_code = '0007'"
        ).fetchall() == [("633095.913371",)]


def test_local_folder_may_hold_the_table_as_csv(tmp_path: Path, con) -> None:
    root = tmp_path / "input"
    (root / "country_trade").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "tests" / "data" / "census" / "census_country_trade_1985_2011.csv", root / "country_trade")
    (result,) = load_table(con, root, COUNTRY_TRADE_TABLE, [2000])
    assert result.source_file == "country_trade/census_country_trade_1985_2011.csv"
    assert result.files[0].vintage == "2011-12"
    assert _eyr(con, "0007") == {2000: "227395.000000"}
    assert _eyr(con, "5700") == {2000: "16185.200000"}


def test_two_country_tables_in_one_folder_are_refused(tmp_path: Path, con, real_folder: Path) -> None:
    from orchestration.census.tables import InputFileError

    shutil.copy(
        REPO_ROOT / "tests" / "data" / "census" / "census_country_trade_1985_2011.csv", real_folder / "country_trade"
    )
    with pytest.raises(
        InputFileError, match=r"holds country_trade/census_country_trade_1985_2011.csv, country_trade/country.xlsx"
    ):
        load_table(con, real_folder, COUNTRY_TRADE_TABLE, [2000])


def test_real_test_files_are_unchanged() -> None:
    import hashlib

    data = REPO_ROOT / "tests" / "data" / "census"
    assert {
        path.relative_to(data).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data.rglob("*"))
        if path.is_file()
    } == {
        "census_country_trade_1985_2011.csv": "6d5429954aa8d5c2d1bd4caebe32f2c6eb38ac084fa64e2cf05add33b0e0f5ea",
        "country_xlsx_2023_01/country.xlsx": "22dad55d911a74188dcc4cf29e0fd6e07463b6949aad633fa47aaca2d0e74176",
        "schedule_b_2019/sbsdf.zip": "1b67b940208dbc670a28cecb2ed3b503cb2ea7f45d1ec7ec999c54322c2ab0d6",
        "schedule_b_2019/imp-code.txt": "514781c88734bd259bdaddf62413c7ade10b35dc763c325736a2a59fb1a981d0",
    }


def test_local_folder_takes_a_newer_vintage_and_reports_the_revision(tmp_path: Path, con) -> None:
    root = tmp_path / "input"
    (root / "country_trade").mkdir(parents=True)
    shutil.copy(REAL_COUNTRY_XLSX["2023-01"], root / "country_trade" / "country.xlsx")
    first = load_table(con, root, COUNTRY_TRADE_TABLE, [2021, 2022, 2023])
    assert {r.files[0].vintage for r in first} == {"2023-01"}
    assert _eyr(con, "0007")[2022] == "390509.660286"
    # the revision report exists from the first load, empty until a load changes something
    assert con.execute("select count(*) from raw.country_trade_revisions").fetchone() == (0,)
    # the 2023-01 vintage holds January 2023 only
    assert con.execute("select distinct months_reported from raw.country_trade where year = 2023").fetchall() == [(1,)]
    shutil.copy(REAL_COUNTRY_XLSX["2024-06"], root / "country_trade" / "country.xlsx")
    second = load_table(con, root, COUNTRY_TRADE_TABLE, [2022, 2023])
    assert [r.year for r in second] == [2022, 2023] and all(r.revisions > 0 for r in second)
    # 2021 is held but not reloaded: the new vintage revises it too, and the result says so
    assert "revises 2021, held in the warehouse but not loaded in this run" in second[-1].notes[0]
    assert _eyr(con, "0007") == {2021: _eyr(con, "0007")[2021], 2022: "391463.209076", 2023: "418583.855553"}
    assert con.execute(
        "select cast(old_value as varchar), cast(new_value as varchar), old_vintage, new_vintage "
        "from raw.country_trade_revisions where year = 2022 and cty_code = '0007' and measure = 'eyr'"
    ).fetchall() == [("390509.660286", "391463.209076", "2023-01", "2024-06")]
    assert con.execute("select distinct months_reported from raw.country_trade where year = 2023").fetchall() == [(12,)]
    assert con.execute(
        "select year, vintage, sha256 from raw.source_files where raw_table = 'country_trade' order by year"
    ).fetchall() == [
        (2021, "2023-01", "22dad55d911a74188dcc4cf29e0fd6e07463b6949aad633fa47aaca2d0e74176"),
        (2022, "2024-06", "4b16c664bfc35e4c3bc3b9f169e372e522dd0cb8a1150669d5a83d672eaf8149"),
        (2023, "2024-06", "4b16c664bfc35e4c3bc3b9f169e372e522dd0cb8a1150669d5a83d672eaf8149"),
    ]


def test_census_source_loads_the_real_country_table_as_published(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock, country_vintage="2024-06")
        _census_source(landing).census_downloader().land(COUNTRY_TRADE_TABLE.name, None)
    urls = {path: row.url for path, row in read_manifest(landing / "census").items()}
    load_table(con, landing / "census", COUNTRY_TRADE_TABLE, [2000, 2008, 2017, 2022, 2023], urls)
    assert _eyr(con, "0007") == WORLD_ATP_EYR_2024_06
    assert _eyr(con, "5700")[2000] == "16185.200000"
    assert con.execute(
        "select distinct source_url, vintage from raw.source_files where raw_table = 'country_trade'"
    ).fetchall() == [("https://www.census.gov/foreign-trade/statistics/country/country.xlsx", "2024-06")]


def test_api_requests_cover_the_codes_of_every_list_of_the_year(tmp_path: Path) -> None:
    from tests.tiny_input import schedule_b

    landing = tmp_path / "landing"
    july = "https://www.census.gov/foreign-trade/schedules/b/{year}/exp-code-07.txt"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock)
        # the July edition of 2011 adds an Electronics code the January list lacks
        mock.get(july.format(year=2011), body=schedule_b("8542390000", "05") + "\r\n")
        source = _census_source(landing).model_copy(update={"extra_concordance_url_templates": july})
        codes = source.census_downloader().atp_codes(2011)
    assert (landing / "census" / "2011" / "exp-code-2.txt").is_file()
    # tests/tiny_input.py LISTS[2011]: ATP codes 8542310000 (05), 8471300000 (04), 3002200000 (01),
    # 9018908000 (02); the July list adds 8542390000
    assert codes == ["3002200000", "8471300000", "8542310000", "8542390000", "9018908000"]
