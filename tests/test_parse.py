"""Parser tests on hand-written fixed-width records (Census FTD export history file layouts, exhdb.html)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.census.fixed_width import parse_fixed_width
from orchestration.census.layouts import CONCORD, COUNTRY, EXPORT_HISTORY
from orchestration.census.parse import CensusLayoutError, parse_country_trade

Z12 = "0" * 12
B12 = " " * 12

# EM545/EA645 records, field by field: DF, filler, HS10, country, district, month, year,
# QTY2, CC, QTY1, VALUE, vessel kg, vessel $, air kg, air $.
HISTORY_DOMESTIC = (
    "1"
    + " "
    + "0201300000"
    + "5700"
    + "01"
    + "03"
    + "2008"
    + B12
    + "000000000007"
    + "000000001500"
    + "000000012345"
    + Z12
    + Z12
    + "000000000010"
    + "000000012345"
)
HISTORY_FOREIGN = (
    "2"
    + " "
    + "8542310000"
    + "1220"
    + "07"
    + "12"
    + "2008"
    + Z12
    + "000000000001"
    + B12
    + "000001000000"
    + Z12
    + Z12
    + Z12
    + Z12
)


def _write(tmp_path: Path, name: str, lines: list[str], newline: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + newline for line in lines), encoding="ascii", newline="")
    return path


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_hand_written_records_are_120_characters() -> None:
    assert len(HISTORY_DOMESTIC) == 120 and len(HISTORY_FOREIGN) == 120


def test_history_keeps_leading_zeros_blanks_and_df2(tmp_path: Path, con) -> None:
    path = _write(tmp_path, "EXP_HIST.TXT", [HISTORY_DOMESTIC, HISTORY_FOREIGN])
    assert parse_fixed_width(con, path, "2008/EXP_HIST.TXT", EXPORT_HISTORY, "t") == 2
    rows = con.execute(
        "select df_code, hs10_code, cty_code, district_code, stat_month, stat_year, qty2, "
        "record_count, qty1, value_usd, air_value_usd, source_file, source_record "
        "from t order by source_record"
    ).fetchall()
    assert rows[0] == ("1", "0201300000", "5700", "01", 3, 2008, None, 7, 1500, 12345, 12345, "2008/EXP_HIST.TXT", 1)
    assert rows[1] == ("2", "8542310000", "1220", "07", 12, 2008, 0, 1, None, 1000000, 0, "2008/EXP_HIST.TXT", 2)
    types = dict(con.execute("select column_name, column_type from (describe t)").fetchall())
    assert types["hs10_code"] == "VARCHAR" and types["value_usd"] == "BIGINT"


def test_lf_line_ends_and_final_newline_are_accepted(tmp_path: Path, con) -> None:
    path = _write(tmp_path, "EXP_HIST.TXT", [HISTORY_DOMESTIC], newline="\n")
    assert parse_fixed_width(con, path, "x", EXPORT_HISTORY, "t") == 1


def test_non_numeric_value_names_file_record_and_field(tmp_path: Path, con) -> None:
    bad = HISTORY_FOREIGN[:60] + "0000000A2345" + HISTORY_FOREIGN[72:]
    path = _write(tmp_path, "EXP_HIST.TXT", [HISTORY_DOMESTIC, bad])
    with pytest.raises(CensusLayoutError) as error:
        parse_fixed_width(con, path, "2008/EXP_HIST.TXT", EXPORT_HISTORY, "t")
    assert error.value.source_file == "2008/EXP_HIST.TXT"
    assert error.value.record == 2
    assert error.value.field.startswith("value_usd (positions 61-72)")
    assert error.value.value == "0000000A2345"
    assert "2008/EXP_HIST.TXT, record 2, field value_usd" in str(error.value)


def test_truncated_record_is_rejected(tmp_path: Path, con) -> None:
    path = _write(tmp_path, "EXP_HIST.TXT", [HISTORY_DOMESTIC, HISTORY_FOREIGN[:100]])
    with pytest.raises(CensusLayoutError, match=r"record 2, field record length: record has 100 characters"):
        parse_fixed_width(con, path, "2008/EXP_HIST.TXT", EXPORT_HISTORY, "t")


@pytest.mark.parametrize(
    ("position", "replacement", "field"),
    [
        (19, "13", "stat_month"),  # month 13
        (3, " " * 10, "hs10_code"),  # blank required code
        (1, "4", "df_code"),  # DF must be 1, 2 or 3
        (13, "57A0", "cty_code"),  # country code with a letter
    ],
)
def test_bad_fields_are_named(tmp_path: Path, con, position: int, replacement: str, field: str) -> None:
    bad = HISTORY_DOMESTIC[: position - 1] + replacement + HISTORY_DOMESTIC[position - 1 + len(replacement) :]
    path = _write(tmp_path, "EXP_HIST.TXT", [bad])
    with pytest.raises(CensusLayoutError) as error:
        parse_fixed_width(con, path, "f", EXPORT_HISTORY, "t")
    assert error.value.record == 1 and error.value.field.startswith(field)


def test_missing_file_is_named(tmp_path: Path, con) -> None:
    with pytest.raises(FileNotFoundError, match="2009/EXP_HIST.TXT"):
        parse_fixed_width(con, tmp_path / "nope.txt", "2009/EXP_HIST.TXT", EXPORT_HISTORY, "t")


def _concord(hs10: str, hitech: str, description: str = "DIGITAL MONOLITHIC INTEGRATED CIRCUITS") -> str:
    # commodity, description (150), short (50), unit 1, unit 2, SITC, end use, NAICS, USDA, hitech, years
    return (
        hs10
        + description.ljust(150)
        + "DIGITAL ICS".ljust(50)
        + "NO "
        + "   "
        + "77641"
        + "21320"
        + "334413"
        + "1"
        + hitech
        + "0304050607"
    )


def test_concordance_hitech_and_blank_unit(tmp_path: Path, con) -> None:
    lines = [_concord("8542210000", "05"), _concord("0101210000", "00", "HORSES, PUREBRED BREEDING")]
    assert all(len(line) == 245 for line in lines)
    path = _write(tmp_path, "CONCORD.TXT", lines)
    parse_fixed_width(con, path, "2007/CONCORD.TXT", CONCORD, "t")
    rows = con.execute(
        "select hs10_code, hitech_code, unit_qty1, unit_qty2, naics_code, years_ap from t order by source_record"
    ).fetchall()
    assert rows == [
        ("8542210000", "05", "NO", None, "334413", "0304050607"),
        ("0101210000", "00", "NO", None, "334413", "0304050607"),
    ]


def test_concordance_rejects_unknown_hitech(tmp_path: Path, con) -> None:
    path = _write(tmp_path, "CONCORD.TXT", [_concord("8542210000", "11")])
    with pytest.raises(CensusLayoutError, match="hitech_code"):
        parse_fixed_width(con, path, "CONCORD.TXT", CONCORD, "t")


def test_country_list_keeps_grouping_codes(tmp_path: Path, con) -> None:
    lines = [
        "0007" + " " * 7 + "Advance Technology Products".ljust(30) + "0708091011",
        "5700" + "CH     " + "China".ljust(30) + "0708091011",
    ]
    path = _write(tmp_path, "COUNTRY.TXT", lines)
    parse_fixed_width(con, path, "COUNTRY.TXT", COUNTRY, "t")
    assert con.execute("select cty_code, cty_desc, cty_name from t order by source_record").fetchall() == [
        ("0007", None, "Advance Technology Products"),
        ("5700", "CH", "China"),
    ]


HEADER = "year,CTY_CODE,CTYNAME," + ",".join(
    [f"I{m}" for m in ("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())]
    + ["IYR"]
    + [f"E{m}" for m in ("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())]
    + ["EYR"]
)


def test_country_trade_csv_keeps_codes_and_millions(tmp_path: Path, con) -> None:
    months = ",".join(["1"] * 12)
    path = tmp_path / "trade.csv"
    path.write_text(
        HEADER
        + "\n"
        + f'2008,0007,"Advance Technology Products",{months},12,{months},270131\n'
        + f"2008,5700,China,{months},12,{months},69732.837543\n",
        encoding="utf-8",
    )
    parse_country_trade(con, path, "country_trade/trade.csv", "t")
    assert con.execute("select year, cty_code, cty_name, cast(eyr as varchar), source_record from t").fetchall() == [
        (2008, "0007", "Advance Technology Products", "270131.000000", 2),
        (2008, "5700", "China", "69732.837543", 3),
    ]


def test_country_trade_non_numeric_value_is_named(tmp_path: Path, con) -> None:
    months = ",".join(["1"] * 12)
    path = tmp_path / "trade.csv"
    path.write_text(HEADER + "\n" + f"2008,5700,China,{months},12,{months},n/a\n", encoding="utf-8")
    with pytest.raises(CensusLayoutError, match=r"trade.csv, record 2, field EYR"):
        parse_country_trade(con, path, "trade.csv", "t")


def test_empty_file_is_rejected(tmp_path: Path, con) -> None:
    path = tmp_path / "EXP_HIST.TXT"
    path.write_bytes(b"")
    with pytest.raises(CensusLayoutError, match=r"2005/EXP_HIST.TXT, field file: file has no records"):
        parse_fixed_width(con, path, "2005/EXP_HIST.TXT", EXPORT_HISTORY, "t")


def test_country_trade_source_record_is_the_line_of_a_multi_megabyte_csv(tmp_path: Path, con) -> None:
    # 30,000 rows (3.7 MB), in an order no sort would give back (years and codes shuffled by a
    # fixed permutation): each row's name says its line, so source_record must equal it
    months = ",".join(["1.5"] * 12)
    rows = [(2000 + (i * 7919) % 3, f"{(i * 104729) % 10000:04d}") for i in range(30000)]
    assert len(set(rows)) == 30000
    lines = [HEADER] + [
        f"{year},{code},line {n},{months},18,{months},18" for n, (year, code) in enumerate(rows, start=2)
    ]
    path = tmp_path / "trade.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    assert parse_country_trade(con, path, "country_trade/trade.csv", "t") == 30000
    wrong = con.execute("select count(*) from t where cty_name <> 'line ' || source_record").fetchone()[0]
    assert wrong == 0
    assert con.execute("select source_record, year, cty_code from t where source_record = 29999").fetchone() == (
        29999,
        rows[29997][0],
        rows[29997][1],
    )
