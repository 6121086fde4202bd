"""The bad-input corpus: every kind of broken input file we know of, each run through
``atp refresh`` against a copy of a good warehouse (issue 11).

For each case the input folder of a good 2010-2011 build (tests/tiny_input.py; for the import
cases, the same folder with its import files: IMP_HIST.TXT and the HTS import lists) is copied and
one fault is put into it; then ``atp refresh --source local`` (or ``--source census`` against the fake
Census API of tests/fake_census.py) runs in this process, as a user would run it. Every case must
either be rejected with a message naming the file and the record at fault, leaving the published
warehouse and figures byte for byte as they were (sha256 of the DuckDB file and of every exported
file), or, for the few inputs that are legitimate (Latin-1 letters in Census descriptions), load.

Run with ``make corpus`` (part of CI); ``make test`` leaves these out (marker ``corpus``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import pytest
import responses
from typer.testing import CliRunner

from tests.conftest import COUNTRY_TRADE_XLSX, SAMPLE_DIR
from tests.fake_census import FakeCensus
from tests.tiny_input import concord, country, history, schedule_b, write_tiny_input

pytestmark = pytest.mark.corpus

HISTORY = "2011/EXP_HIST.TXT"  # 7 records (tests/tiny_input.py HISTORIES[2011])
CONCORD = "2010/CONCORD.TXT"  # 6 records, 245 layout
EXP_CODE = "2011/exp-code.txt"  # 6 records, 278 layout
COUNTRIES = "2011/COUNTRY.TXT"  # 6 records: 0003, 0007, 1220, 5700, 5820, 5880
TRADE = "country_trade/country_trade.csv"  # header + 12 rows: 2010 (records 2-7), 2011 (8-13)
CHANGES = "hs10_changes.csv"
IMPORTS = "2011/IMP_HIST.TXT"  # 4 IM145 records of 253 (tests/tiny_input.py IMPORT_HISTORIES[2011])


# --- editing an input folder, record by record -----------------------------------------------


def _records(root: Path, relative: str) -> list[bytes]:
    return (root / relative).read_bytes().split(b"\r\n")[:-1]


def _write_records(root: Path, relative: str, records: list[bytes]) -> None:
    (root / relative).write_bytes(b"".join(r + b"\r\n" for r in records))


def set_bytes(relative: str, record: int, position: int, new: bytes) -> Callable[[Path], None]:
    """Overwrite bytes of a fixed-width record from ``position`` (1-based)."""

    def change(root: Path) -> None:
        records = _records(root, relative)
        line = records[record - 1]
        records[record - 1] = line[: position - 1] + new + line[position - 1 + len(new) :]
        _write_records(root, relative, records)

    return change


def edit_records(relative: str, edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        _write_records(root, relative, edit(_records(root, relative)))

    return change


def edit_text(relative: str, edit: Callable[[str], str]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        path.write_bytes(edit(path.read_bytes().decode("utf-8")).encode("utf-8"))

    return change


def write_bytes(relative: str, data: bytes) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)

    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for each in changes:
            each(root)

    return change


def trade_row(record: int, edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    """Edit the fields of one row of the country table CSV (record 1 = header)."""

    def change(root: Path) -> None:
        lines = (root / TRADE).read_text(encoding="utf-8").split("\n")
        lines[record - 1] = ",".join(edit(lines[record - 1].split(",")))
        (root / TRADE).write_text("\n".join(lines), encoding="utf-8")

    return change


def _set(index: int, value: str) -> Callable[[list[str]], list[str]]:
    return lambda fields: fields[:index] + [value] + fields[index + 1 :]


GOOD_CHANGES = "old_hs10_code,new_hs10_code,first_year\n8542320000,8542310000,2011\n"
# history record 1 of 2011: DF 1, 8542310000, China, district 27, June, 2200 USD; value at bytes 61-72
R1_VALUE = 61
# import record 2 of 2011: 8471300000 from China, June, general imports 9000 USD at bytes 142-153
# ("000000009000"), imports for consumption 8500 USD at 58-69; the country of origin at 11-14
R_GEN_VALUE = 142
R_COUNTRY = 11


@dataclass(frozen=True)
class Case:
    """One fault: ``change`` puts it into a good input folder; the console must show every string
    of ``shows`` (the file and the record at fault). ``loads``: the input is legitimate and must
    load (``check`` then inspects the published warehouse). ``census`` / ``census_imports``: the
    case runs through the census source, the fake Census API's ``exports/hs`` / ``imports/hs``
    answers passed through them."""

    id: str
    change: Callable[[Path], None]
    shows: tuple[str, ...] = ()
    loads: bool = False
    check: Callable[[duckdb.DuckDBPyConnection], None] | None = None
    census: Callable[[int, str, list[list[str]]], object] | None = None  # API answer of a year, DF
    census_imports: Callable[[int, list[list[str]]], object] | None = None  # imports/hs answer of a year


def _exports_hs_file(year: int, df: str) -> str:
    return f"{year}/api/exports_hs_df{df}_"


def _description(con: duckdb.DuckDBPyConnection, code: str, year: int) -> str:
    return con.execute(
        "select description from raw.atp_concordance where year = ? and hs10_code = ?", [year, code]
    ).fetchone()[0]


def _latin_1_description_loads(con: duckdb.DuckDBPyConnection) -> None:
    assert _description(con, "8542310000", 2010) == "PRODUIT \u00c9LECTRONIQUE 8542310000"
    assert con.execute(
        "select hitech_code from raw.atp_concordance where year = 2010 and hs10_code = '8542310000'"
    ).fetchone() == ("05",)


def _latin_1_country_name_loads(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("select cty_name from raw.countries where year = 2011 and cty_code = '7480'").fetchone() == (
        "C\u00f4te d'Ivoire",
    )


# --- a real-sized annual API year (census source layout) -------------------------------------

#: New passenger transports, non-military, over 15,000 kg (ATP group 08 Aerospace in the real
#: 2019 Schedule B list, warehouse/sample/2019/exp-code.txt): the airliners behind the 18.2
#: billion USD of U.S. aircraft, engine and parts exports to China in 2018 (UN Comtrade, as
#: reported by the South China Morning Post), about 5 % of that year's world ATP exports.
AIRLINERS = "8802400040"
#: Real Census country table (country.xlsx, vintage 2024-06): 2011 world ATP exports (0007 EYR)
#: 287,721.586391 million USD, exports to China (5700) 104,121.523635 million USD.
WORLD_ATP_2011_USD = 287_721_586_391
#: 5 % of it, whole USD: 287,721,586,391 x 0.05 = 14,386,079,319.55, rounded.
AIRLINERS_TO_CHINA_USD = 14_386_079_320
#: How many ATP codes of the real 2019 list the year spreads the other exports over.
SPREAD_CODES = 30


@cache
def _real_country_table_2011() -> tuple[tuple[str, str, Decimal], ...]:
    """(code, name, EYR in millions of USD) of every 2011 row of the real country.xlsx."""
    import pandas as pd

    table = pd.read_excel(COUNTRY_TRADE_XLSX, dtype={"year": str, "CTY_CODE": str})
    rows = table[table["year"] == "2011"]
    return tuple(
        (code, name, Decimal(str(round(float(eyr), 6))))
        for code, name, eyr in zip(rows["CTY_CODE"], rows["CTYNAME"], rows["EYR"], strict=True)
    )


@cache
def _real_atp_codes() -> tuple[tuple[str, str], ...]:
    """(HS10, ATP group) of the real 2019 Schedule B list's ATP codes, in file order."""
    records = (SAMPLE_DIR / "2019" / "exp-code.txt").read_bytes().decode("latin-1").splitlines()
    return tuple((r[:10], r[276:278]) for r in records if r[276:278] != "00")


def _annual_api_year_with_airliners_to_china(root: Path) -> None:
    """Turn 2011 of the tiny folder into a real-sized annual year as the census source lands it:
    ``2011/api/exports_hs_df{1,2}_001.json`` instead of EXP_HIST.TXT, the real 2011 country
    table (every code, real EYR), every real country of it in COUNTRY.TXT, and the airliners'
    code with 29 more real ATP codes on both years' lists. One DF 1 row carries new airliners to
    China worth 5 % of the year's world ATP exports (China's real total exports, 104.1 billion
    USD, cover it); the rest of the world ATP total is spread over every country in proportion
    to its real total exports, over 30 codes (DF 1, 85 %) and 10 of them (DF 2, 15 %), so that
    no other row reaches 1 % of it (Canada's largest is about 1.5 billion USD of 287.7 billion)
    and no country's rows reach a fifth of its total. The rows add up to the real 0007 total to
    the dollar. The old rule (no record over 1 % of world ATP exports in a year of 1,000 records
    or more) rejected this year, naming the airliner row alone."""
    table = _real_country_table_2011()
    world = {code: eyr for code, _, eyr in table}["0007"]
    assert world * 1_000_000 == WORLD_ATP_2011_USD
    # the lists of both years: the tiny codes, the airliners and 29 more real ATP codes
    tiny = {"8542310000", "8471300000", "3002200000", "9018908000", "1201000090", "0201300000"}
    extra = [(AIRLINERS, "08")] + [(c, g) for c, g in _real_atp_codes() if c not in tiny and c != AIRLINERS][
        : SPREAD_CODES - 1
    ]
    with (root / CONCORD).open("ab") as handle:
        handle.write(b"".join(concord(code, group).encode("ascii") + b"\r\n" for code, group in extra))
    with (root / EXP_CODE).open("ab") as handle:
        handle.write(b"".join(schedule_b(code, group).encode("ascii") + b"\r\n" for code, group in extra))
    # every real country of 2011 in the year's country list, with its real total in the table
    listed = {r[:4].decode() for r in _records(root, COUNTRIES)}
    countries = [(code, name, eyr) for code, name, eyr in table if code[0] != "0"]
    with (root / COUNTRIES).open("ab") as handle:
        handle.write(b"".join(country(c, n[:30]).encode("ascii") + b"\r\n" for c, n, _ in countries if c not in listed))
    lines = (root / TRADE).read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if not line.startswith("2011,")]
    for code, name, eyr in table:
        months = ",".join(["0"] * 13) + "," + ",".join(["0"] * 11)
        rows.append(f"2011,{code},{name.replace(',', ' ')},{months},{eyr},{eyr}")
    (root / TRADE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    # the exports/hs tables: one airliner row, the rest spread by each country's real total
    spread = [code for code, _ in extra[1:]] + ["8542310000"]
    rest = WORLD_ATP_2011_USD - AIRLINERS_TO_CHINA_USD
    total = sum(eyr for _, _, eyr in countries)
    by_df: dict[str, list[list[str]]] = {"1": [], "2": []}
    by_df["1"].append([AIRLINERS, "5700", "CHINA", str(AIRLINERS_TO_CHINA_USD), "2011-12", "HS10", "1"])
    placed = 0
    for code, name, eyr in countries:
        share = int(Decimal(rest) * eyr / total)
        cells = [("1", hs, share * 85 // 100 // len(spread)) for hs in spread]
        cells += [("2", hs, share * 15 // 100 // 10) for hs in spread[:10]]
        for df, hs, value in cells:
            if value > 0:
                by_df[df].append([hs, code, name.upper(), str(value), "2011-12", "HS10", df])
                placed += value
    # what the rounding left over goes to China's first DF 1 row: the year adds up to the dollar
    china = next(row for row in by_df["1"][1:] if row[1] == "5700")
    china[3] = str(int(china[3]) + WORLD_ATP_2011_USD - AIRLINERS_TO_CHINA_USD - placed)
    (root / HISTORY).unlink()
    (root / "2011" / "api").mkdir()
    header = ["E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_YR", "time", "COMM_LVL", "DF"]
    for df, rows_of_df in by_df.items():  # the API's total rows beside the detail (the reader drops them)
        totals: dict[str, int] = {}
        for row in rows_of_df:
            totals[row[0]] = totals.get(row[0], 0) + int(row[3])
        total_rows = [[hs, "", "TOTAL FOR ALL COUNTRIES", str(v), "2011-12", "HS10", df] for hs, v in totals.items()]
        (root / "2011" / "api" / f"exports_hs_df{df}_001.json").write_text(
            json.dumps([header, *rows_of_df, *total_rows]), encoding="utf-8"
        )


def _airliners_to_china_load(con: duckdb.DuckDBPyConnection) -> None:
    records, largest = con.execute(
        "select count(*), max(value_usd) from raw.export_history where year = 2011 and hs10_code <> ?", [AIRLINERS]
    ).fetchone()
    assert records >= 1000  # the size at which the old 1 % rule applied (min_records_for_record_share)
    assert largest < WORLD_ATP_2011_USD // 100  # every other row stays under 1 % of world ATP exports
    assert con.execute(
        "select source_file, source_record, value_usd from raw.export_history where hs10_code = ?", [AIRLINERS]
    ).fetchall() == [("2011/api/exports_hs_df1_001.json", 2, AIRLINERS_TO_CHINA_USD)]
    assert con.execute(
        "select export_value_usd from fct_atp_exports where year = 2011 and cty_code = '5700' and hitech_code = '08'"
    ).fetchone() == (AIRLINERS_TO_CHINA_USD,)


def _history_origin(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select f.source_file, f.origin, list(distinct h.is_synthetic) from raw.source_files f "
        "join raw.export_history h on h.year = f.year and h.source_file = f.source_file "
        "where f.year = 2011 and f.raw_table = 'export_history' group by all"
    ).fetchall()


def _renamed_history_is_synthetic(con: duckdb.DuckDBPyConnection) -> None:
    # before, the manifest was matched by exact path: the renamed file loaded as Census data
    assert _history_origin(con) == [("2011/exp_hist.txt", "synthetic", [True])]


def _replaced_history_is_unverified(con: duckdb.DuckDBPyConnection) -> None:
    # before, the manifest's sha256 was never compared: the file kept its synthetic label
    from orchestration.provenance import caption

    assert _history_origin(con) == [(HISTORY, "unverified", [False])]
    assert "UNVERIFIED inputs" in caption(con, [2011]) and "export history 2011." in caption(con, [2011])


HS_ROW = ["8542310000", "5700", "CHINA", "2200", "2011-12", "HS10", "1"]

CASES = [
    # --- export history, fixed width (EM545) ---------------------------------------------------
    Case(
        "history: value not a number",
        set_bytes(HISTORY, 1, R1_VALUE + 11, b"X"),
        (f"{HISTORY}, record 1, field value_usd",),
    ),
    Case(
        "history: value with a minus sign",
        set_bytes(HISTORY, 2, R1_VALUE, b"-"),
        (f"{HISTORY}, record 2, field value_usd",),
    ),
    Case(
        "history: tab inside the value",
        set_bytes(HISTORY, 3, R1_VALUE + 5, b"\t"),
        (f"{HISTORY}, record 3, field position 66", "control character"),
    ),
    Case("history: DF code 4", set_bytes(HISTORY, 1, 1, b"4"), (f"{HISTORY}, record 1, field df_code",)),
    Case("history: month 13", set_bytes(HISTORY, 4, 19, b"13"), (f"{HISTORY}, record 4, field stat_month",)),
    Case("history: month 00", set_bytes(HISTORY, 4, 19, b"00"), (f"{HISTORY}, record 4, field stat_month",)),
    Case(
        "history: record of another year",
        set_bytes(HISTORY, 5, 21, b"2009"),
        (f"{HISTORY}, record 5, field stat_year",),
    ),
    Case(
        "history: HS10 code with a letter", set_bytes(HISTORY, 6, 3, b"8A"), (f"{HISTORY}, record 6, field hs10_code",)
    ),
    Case(
        "history: Latin-1 byte in the value",
        set_bytes(HISTORY, 7, R1_VALUE + 3, b"\xe9"),
        (f"{HISTORY}, record 7, field value_usd",),
    ),
    Case(
        "history: record 5 bytes short",
        edit_records(HISTORY, lambda r: r[:1] + [r[1][:-5]] + r[2:]),
        (f"{HISTORY}, record 2, field record length",),
    ),
    Case(
        "history: record 1 byte long",
        edit_records(HISTORY, lambda r: r[:2] + [r[2] + b"0"] + r[3:]),
        (f"{HISTORY}, record 3, field record length",),
    ),
    Case(
        "history: blank line between records",
        edit_records(HISTORY, lambda r: r[:3] + [b""] + r[3:]),
        (f"{HISTORY}, record 4, field record length",),
    ),
    Case(
        "history: UTF-8 byte order mark",
        edit_records(HISTORY, lambda r: [b"\xef\xbb\xbf" + r[0]] + r[1:]),
        (f"{HISTORY}, record 1, field record length",),
    ),
    Case(
        "history: exact duplicate record",
        edit_records(HISTORY, lambda r: r + [r[0]]),
        (f"{HISTORY}, record 8", "(records 1, 8)"),
    ),
    Case(
        "history: duplicate key, other value",
        edit_records(HISTORY, lambda r: r + [r[0][: R1_VALUE - 1] + b"000000009999" + r[0][R1_VALUE + 11 :]]),
        (f"{HISTORY}, record 8", "(records 1, 8)"),
    ),
    Case("history: empty file", write_bytes(HISTORY, b""), (f"{HISTORY}, field file",)),
    Case("history: missing", lambda root: (root / HISTORY).unlink(), (f"{HISTORY}",)),
    Case("history: binary file", write_bytes(HISTORY, bytes(range(256)) * 8192), (HISTORY,)),
    Case(
        "history: 2010's file in the 2011 folder",
        lambda root: shutil.copy(root / "2010" / "EXP_HIST.TXT", root / HISTORY),
        (f"{HISTORY}, record 1", "stat_year"),
    ),
    Case(
        "history: country missing from the year's COUNTRY.TXT",
        edit_records(HISTORY, lambda r: r + [history("1", "8542310000", "4120", "27", 6, 2011, 700).encode()]),
        ("code=4120", f"first_source_file={HISTORY}, first_source_record=8"),
    ),
    Case(
        "history: HS10 code missing from the year's lists, 5,000,000 USD",
        edit_records(HISTORY, lambda r: r + [history("1", "8542390000", "5700", "27", 6, 2011, 5_000_000).encode()]),
        ("hs10_code=8542390000", f"first_source_file={HISTORY}, first_source_record=8"),
    ),
    Case(
        "history: HS10 code missing from the year's lists, 700 USD (a warning: under the threshold)",
        edit_records(HISTORY, lambda r: r + [history("1", "8542390000", "5700", "27", 6, 2011, 700).encode()]),
        ("WARNING check", "hs10_code=8542390000", f"first_source_file={HISTORY}, first_source_record=8"),
        loads=True,
    ),
    Case(
        "history: implausible value 999,999,999,999 USD",
        set_bytes(HISTORY, 4, R1_VALUE, b"999999999999"),
        (f"source_file={HISTORY}, source_record=4",),
    ),
    Case(
        "history: a country's records add up to more than its total exports",
        # Japan's 2011 total is 1.0 million USD (tests/tiny_input.py); two non-ATP records of 1.4
        # million each stay under it plus the 0.5 million rounding tolerance one by one, but with
        # records 6 and 7 (1,500 USD) Japan's year adds up to 2,801,500 USD
        edit_records(
            HISTORY,
            lambda r: (
                r
                + [
                    history("1", "1201000090", "5880", "27", 5, 2011, 1_400_000).encode(),
                    history("1", "0201300000", "5880", "27", 5, 2011, 1_400_000).encode(),
                ]
            ),
        ),
        ("year=2011, cty_code=5880", f"source_file={HISTORY}, source_record=6", "value_usd=2801500"),
    ),
    Case(
        "API year: airliners to China worth 5 % of world ATP exports (legitimate)",
        _annual_api_year_with_airliners_to_china,
        loads=True,
        check=_airliners_to_china_load,
    ),
    # --- concordances (CONCORD.TXT 245, exp-code.txt 278) ------------------------------------
    Case(
        "CONCORD.TXT: duplicate code",
        edit_records(CONCORD, lambda r: r + [r[0]]),
        (f"{CONCORD}, record 7", "(records 1, 7)"),
    ),
    Case(
        "CONCORD.TXT: hitech code 1X", set_bytes(CONCORD, 2, 234, b"1X"), (f"{CONCORD}, record 2, field hitech_code",)
    ),
    Case(
        "CONCORD.TXT: NUL byte in a description",
        set_bytes(CONCORD, 2, 20, b"\x00"),
        (f"{CONCORD}, record 2, field position 20", "control character"),
    ),
    Case(
        "history: a record of blanks",
        edit_records(HISTORY, lambda r: r[:2] + [b" " * 120] + r[3:]),
        (f"{HISTORY}, record 3, field df_code",),
    ),
    Case(
        "CONCORD.TXT: record cut short",
        edit_records(CONCORD, lambda r: r[:3] + [r[3][:200]] + r[4:]),
        (f"{CONCORD}, record 4, field record length",),
    ),
    Case(
        "CONCORD.TXT: another layout",
        write_bytes(CONCORD, b"8542310000 SEMICONDUCTORS\r\n"),
        (f"{CONCORD}, record 1, field record length",),
    ),
    Case("CONCORD.TXT: empty", write_bytes(CONCORD, b""), (f"{CONCORD}, field file",)),
    Case(
        "CONCORD.TXT: UTF-8 letter (two bytes) in a description",
        set_bytes(CONCORD, 1, 11, "PRODUIT \u00c9LECTRONIQUE".encode()),
        (f"{CONCORD}, record 1, field position 20", "not Latin-1 text"),
    ),
    Case(
        "CONCORD.TXT: Latin-1 letter in a description (legitimate)",
        set_bytes(CONCORD, 1, 11, "PRODUIT \u00c9LECTRONIQUE 8542310000".encode("latin-1")),
        loads=True,
        check=_latin_1_description_loads,
    ),
    Case(
        "concordance: CONCORD.TXT and exp-code.txt in one year",
        lambda root: shutil.copy(root / EXP_CODE, root / "2010" / "exp-code.txt"),
        ("2010/CONCORD.TXT, 2010/exp-code.txt",),
    ),
    Case(
        "exp-code.txt: an ATP code dropped from the list",
        edit_records(EXP_CODE, lambda r: [x for x in r if not x.startswith(b"8542310000")]),
        # the world ATP total falls short of the published 0007 row, and the unlisted code is named
        (
            f"census_source_file={TRADE}, census_source_record=9",
            "hs10_code=8542310000",
            f"first_source_file={HISTORY}, first_source_record=1",
        ),
    ),
    Case(
        "exp-code.txt: HS10 code of 9 digits",
        set_bytes(EXP_CODE, 3, 10, b" "),
        (f"{EXP_CODE}, record 3, field hs10_code",),
    ),
    Case(
        "exp-code.txt: duplicate code",
        edit_records(EXP_CODE, lambda r: r + [r[2]]),
        (f"{EXP_CODE}, record 7", "(records 3, 7)"),
    ),
    # --- country lists (COUNTRY.TXT) ---------------------------------------------------------
    Case(
        "COUNTRY.TXT: China dropped",
        edit_records(COUNTRIES, lambda r: [x for x in r if not x.startswith(b"5700")]),
        ("code=5700", f"first_source_file={HISTORY}, first_source_record=1"),
    ),
    Case(
        "COUNTRY.TXT: CR-only line ends",
        lambda root: (root / COUNTRIES).write_bytes((root / COUNTRIES).read_bytes().replace(b"\r\n", b"\r")),
        (f"{COUNTRIES}, record 1, field line end", "CR alone"),
    ),
    Case(
        "COUNTRY.TXT: duplicate code",
        edit_records(COUNTRIES, lambda r: r + [r[3]]),
        (f"{COUNTRIES}, record 7", "(records 4, 7)"),
    ),
    Case(
        "COUNTRY.TXT: code with a letter", set_bytes(COUNTRIES, 3, 2, b"O"), (f"{COUNTRIES}, record 3, field cty_code",)
    ),
    Case(
        "COUNTRY.TXT: record cut short",
        edit_records(COUNTRIES, lambda r: r[:4] + [r[4][:30]] + r[5:]),
        (f"{COUNTRIES}, record 5, field record length",),
    ),
    Case(
        "COUNTRY.TXT: Latin-1 letter in a name (legitimate)",
        edit_records(
            COUNTRIES, lambda r: r + [("7480" + " " * 7 + "C\u00f4te d'Ivoire".ljust(30) + " " * 10).encode("latin-1")]
        ),
        loads=True,
        check=_latin_1_country_name_loads,
    ),
    # --- country trade table (CSV) ----------------------------------------------------------
    Case(
        "country table: duplicated row",
        edit_text(TRADE, lambda t: t + t.split("\n")[9] + "\n"),
        (f"{TRADE}, record 14", "(records 10, 14)"),
    ),
    Case(
        "country table: 0007 disagrees with the export history",
        trade_row(9, lambda f: f[:-2] + ["0.0075", "0.0075"]),
        (f"census_source_file={TRADE}, census_source_record=9",),
    ),
    Case(
        "country table: a negative EYR",
        trade_row(10, _set(-1, "-1.0")),
        (f"{TRADE}, record 10, field EYR", "negative"),
    ),
    Case("country table: EYR not a number", trade_row(10, _set(-1, "n/a")), (f"{TRADE}, record 10, field EYR",)),
    Case("country table: code of 2 digits", trade_row(11, _set(1, "57")), (f"{TRADE}, record 11, field CTY_CODE",)),
    Case("country table: short row", trade_row(12, lambda f: f[:-3]), (f"{TRADE}, record 12",)),
    Case("country table: EYR column missing", trade_row(1, lambda f: f[:-1]), (f"{TRADE}, record 1",)),
    Case(
        "country table: Latin-1 letter in a name",
        lambda root: (root / TRADE).write_bytes(
            (root / TRADE).read_bytes().replace(b"Japan", "Jap\u00e1n".encode("latin-1"))
        ),
        (f"{TRADE}, record 7, field byte 14",),
    ),
    Case("country table: empty file", write_bytes(TRADE, b""), (TRADE,)),
    Case(
        "country table: a CSV and an xlsx",
        lambda root: shutil.copy(root / TRADE, root / "country_trade" / "country.xlsx"),
        ("country_trade/country.xlsx, country_trade/country_trade.csv",),
    ),
    # --- code changes (hs10_changes.csv) ----------------------------------------------------
    Case(
        "hs10_changes.csv: duplicated row",
        write_bytes(CHANGES, (GOOD_CHANGES + GOOD_CHANGES.split("\n")[1] + "\n").encode()),
        (f"{CHANGES}, record 3", "(records 2, 3)"),
    ),
    Case(
        "hs10_changes.csv: code of 9 digits",
        write_bytes(CHANGES, GOOD_CHANGES.replace("8542320000", "854232000").encode()),
        (f"{CHANGES}, record 2, field old_hs10_code",),
    ),
    Case(
        "hs10_changes.csv: column missing",
        write_bytes(CHANGES, b"old_hs10_code,first_year\n8542320000,2011\n"),
        (f"{CHANGES}, record 1, field header",),
    ),
    Case(
        "hs10_changes.csv: Latin-1 byte",
        write_bytes(CHANGES, GOOD_CHANGES.encode() + "# r\u00e9vision\n".encode("latin-1")),
        (f"{CHANGES}, record 3, field byte 4",),
    ),
    # --- manifest.json ----------------------------------------------------------------------
    Case(
        "manifest.json: malformed",
        write_bytes("manifest.json", b'{"files": [{"path": "2010/EXP_HIST.TXT",'),
        ("manifest.json, record 1, field column 41",),
    ),
    Case(
        "manifest.json: unknown origin",
        edit_text("manifest.json", lambda t: t.replace('"synthetic"', '"made up"', 1)),
        ("manifest.json, field files[1].origin", "made up"),
    ),
    Case(
        "manifest.json: a listed file renamed in lower case keeps its origin (legitimate)",
        lambda root: (root / HISTORY).rename(root / "2011" / "exp_hist.txt"),
        loads=True,
        check=_renamed_history_is_synthetic,
    ),
    Case(
        "manifest.json: a listed file with other bytes loads as unverified (legitimate, and said)",
        edit_records(HISTORY, lambda r: [r[1], r[0], *r[2:]]),  # records 1 and 2 swapped: same data
        (f"UNVERIFIED: {HISTORY} differs from its manifest entry (sha256 ", "...): loaded as unverified"),
        loads=True,
        check=_replaced_history_is_unverified,
    ),
]

#: Census API answers (exports/hs of 2011), through the census source against the fake API.
API_CASES = [
    Case(
        "API exports/hs: row shorter than the header",
        lambda root: None,
        ("census source, year 2011", "exports/hs", "DF=1", ": record 2: 6 values, the header has 7"),
        census=lambda year, df, table: [table[0], table[1][:-1], *table[2:]] if year == 2011 and df == "1" else table,
    ),
    Case(
        "API exports/hs: time of another year",
        lambda root: None,
        (_exports_hs_file(2011, "1"), "record 2, field time"),
        census=lambda year, df, table: (
            [table[0], table[1][:4] + ["2010-12"] + table[1][5:], *table[2:]] if year == 2011 and df == "1" else table
        ),
    ),
    Case(
        "API exports/hs: value of 20 digits",
        lambda root: None,
        (_exports_hs_file(2011, "1"), "record 2, field ALL_VAL_YR"),
        census=lambda year, df, table: (
            [table[0], table[1][:3] + ["9" * 20] + table[1][4:], *table[2:]] if year == 2011 and df == "1" else table
        ),
    ),
    Case(
        "API exports/hs: duplicated row",
        lambda root: None,
        (_exports_hs_file(2011, "1"), "(records 2, "),
        census=lambda year, df, table: [*table, table[1]] if year == 2011 and df == "1" else table,
    ),
    Case(
        "API exports/hs: header only for both DF",
        lambda root: None,
        (_exports_hs_file(2011, "1"), "no data"),
        census=lambda year, df, table: table[:1] if year == 2011 else table,
    ),
    Case(
        "API exports/hs: an empty array",
        lambda root: None,
        ("census source, year 2011", "exports/hs"),
        census=lambda year, df, table: [] if year == 2011 and df == "1" else table,
    ),
    Case(
        "API exports/hs: an object",
        lambda root: None,
        ("census source, year 2011", "exports/hs"),
        census=lambda year, df, table: {"error": "unknown"} if year == 2011 and df == "1" else table,
    ),
    Case(
        "API exports/hs: strings instead of arrays",
        lambda root: None,
        ("census source, year 2011", "exports/hs"),
        census=lambda year, df, table: [",".join(r) for r in table] if year == 2011 and df == "1" else table,
    ),
]

#: Faults in the import inputs (the IM145 import history, the imports/hs API table), on the good
#: build with import files; each must be the run's one failure (one ``FAILED`` line).
IMPORT_CASES = [
    Case(
        "import history: record of 252 characters",
        edit_records(IMPORTS, lambda r: r[:1] + [r[1][:-1]] + r[2:]),
        (f"{IMPORTS}, record 2, field record length", "252"),
    ),
    Case(
        "import history: record of 254 characters",
        edit_records(IMPORTS, lambda r: r[:2] + [r[2] + b" "] + r[3:]),
        (f"{IMPORTS}, record 3, field record length", "254"),
    ),
    Case(
        "import history: general imports value not a number",
        set_bytes(IMPORTS, 2, R_GEN_VALUE + 8, b"X"),
        (f"{IMPORTS}, record 2, field gen_value_usd", "00000000X000"),
    ),
    Case(
        "import history: blank country of origin",
        set_bytes(IMPORTS, 3, R_COUNTRY, b"    "),
        (f"{IMPORTS}, record 3, field cty_code", "required field is blank"),
    ),
    # through the census source, against the fake Census API (tests/fake_census.py IMPORTS_HS)
    Case(
        "API imports/hs: table of another year",
        lambda root: None,
        # the 2011 answer's first row (record 2 of the landed table) dated December 2010
        ("2011/api/imports_hs_", "record 2, field time", "2010-12"),
        census_imports=lambda year, table: (
            [table[0], table[1][:4] + ["2010-12"] + table[1][5:], *table[2:]] if year == 2011 else table
        ),
    ),
]


# --- running a case ------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published(paths: dict[str, Path]) -> dict[str, str]:
    """sha256 of the published DuckDB file and of every exported file: what users read."""
    state = {"atp.duckdb": sha256(paths["duckdb"])}
    state.update({p.name: sha256(p) for p in sorted(paths["exports"].iterdir())})
    return state


class CorruptCensus(FakeCensus):
    """The fake Census API, with each ``exports/hs`` answer passed through ``corrupt`` and each
    ``imports/hs`` answer through ``corrupt_imports``."""

    def __init__(
        self,
        mock: responses.RequestsMock,
        corrupt: Callable[[int, str, list[list[str]]], object] | None,
        corrupt_imports: Callable[[int, list[list[str]]], object] | None = None,
    ) -> None:
        super().__init__(mock)
        self.corrupt = corrupt
        self.corrupt_imports = corrupt_imports

    def _hs(self, request):
        status, headers, body = super()._hs(request)
        if status != 200 or self.corrupt is None:
            return status, headers, body
        query = self._query(request)
        return status, headers, json.dumps(self.corrupt(int(query["time"][0][:4]), query["DF"][0], json.loads(body)))

    def _imports_hs(self, request):
        status, headers, body = super()._imports_hs(request)
        if status != 200 or self.corrupt_imports is None:
            return status, headers, body
        year = int(self._query(request)["time"][0][:4])
        return status, headers, json.dumps(self.corrupt_imports(year, json.loads(body)))


def refresh(paths: dict[str, Path], source: str) -> tuple[int, str]:
    """``atp refresh`` of 2010-2011 from ``source``, in this process; (exit code, console)."""
    from orchestration.cli import app

    args = ["refresh", "--years", "2010-2011", "--source", source]
    if source == "local":
        args += ["--local-dir", str(paths["input"])]
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _environment(monkeypatch: pytest.MonkeyPatch, root: Path) -> dict[str, Path]:
    paths = {
        "input": root / "input",
        "duckdb": root / "wh" / "atp.duckdb",
        "exports": root / "exports",
        "landing": root / "landing",
    }
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
    monkeypatch.setenv("ATP_LANDING_DIR", str(paths["landing"]))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    (root / "dagster_home").mkdir(exist_ok=True)
    return paths


def _good_build(root: Path, imports: bool) -> Path:
    """A good warehouse of 2010-2011 built by ``atp refresh`` from the tiny input (with a code
    change file; with ``imports``, its import files too) under ``root``."""
    write_tiny_input(root / "input", imports=imports)
    (root / "input" / CHANGES).write_text(GOOD_CHANGES)
    with pytest.MonkeyPatch.context() as patch:
        paths = _environment(patch, root)
        code, output = refresh(paths, "local")
        assert code == 0, output
    return root


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    """The good warehouse of the export files, built once; each case works on a copy."""
    return _good_build(tmp_path_factory.mktemp("good"), imports=False)


@pytest.fixture(scope="module")
def good_import_build(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    """The good warehouse of the export and import files, built once (only when an import case
    runs); each import case works on a copy."""
    root = _good_build(tmp_path_factory.mktemp("good_imports"), imports=True)
    with duckdb.connect(str(root / "wh" / "atp.duckdb"), read_only=True) as con:
        # the import files did load: 2011 general imports 4000 + 9000 + 1200 + 500 USD
        assert con.execute("select sum(gen_value_usd) from raw.import_history where year = 2011").fetchone() == (
            14_700,
        )
    return root


def _copy(build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for name in ("input", "wh", "exports"):
        shutil.copytree(build / name, tmp_path / name, copy_function=shutil.copy2)
    return _environment(monkeypatch, tmp_path)


@pytest.fixture()
def attacked(good_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return _copy(good_build, tmp_path, monkeypatch)


@pytest.fixture()
def attacked_imports(good_import_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return _copy(good_import_build, tmp_path, monkeypatch)


def _run_case(case: Case, attacked: dict[str, Path]) -> str:
    """Run ``case`` on the copy ``attacked``; its console output."""
    before = published(attacked)
    case.change(attacked["input"])
    if case.census is not None or case.census_imports is not None:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            CorruptCensus(mock, case.census, case.census_imports)
            code, output = refresh(attacked, "census")
    else:
        code, output = refresh(attacked, "local")
    print(output)
    missing = [text for text in case.shows if text not in output]
    if case.loads:
        assert code == 0, f"wrongly rejected:\n{output}"
        assert not missing, f"the console does not name {missing}:\n{output}"
        if case.check is not None:
            with duckdb.connect(str(attacked["duckdb"]), read_only=True) as con:
                case.check(con)
        return output
    assert code != 0, f"wrongly accepted:\n{output}"
    assert not missing, f"the console does not name {missing}:\n{output}"
    assert published(attacked) == before, "a failed run changed the published warehouse or figures"
    return output


@pytest.mark.parametrize("case", CASES + API_CASES, ids=lambda case: case.id)
def test_bad_input_is_named_and_changes_nothing(case: Case, attacked: dict[str, Path]) -> None:
    _run_case(case, attacked)


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda case: case.id)
def test_bad_import_input_is_named_and_changes_nothing(case: Case, attacked_imports: dict[str, Path]) -> None:
    output = _run_case(case, attacked_imports)
    failures = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 1 and "raw__import_history" in failures[0], "\n".join(failures)
