"""A tiny hand-made input folder (three countries, two years) in the Census layouts.

Every number below is chosen by hand; the expected warehouse values in ``test_end_to_end.py`` are
worked out from them in comments there, not computed by the code under test. On request
(``write_tiny_input(..., imports=True)``) the folder also holds import files: a few IM145 records
of general imports by country of origin and the HTS import lists (the bad-input corpus breaks
them); without it, the folder has exports only, as every other test expects.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

Z12 = "0" * 12


def history(df: str, hs10: str, country: str, district: str, month: int, year: int, value: int) -> str:
    """One EM545 record: DF, filler, HS10, country, district, month, year, QTY2, CC, QTY1, VALUE,
    vessel kg, vessel $, air kg, air $ (all quantities zero, all value by air)."""
    return (
        df
        + " "
        + hs10
        + country
        + district
        + f"{month:02d}"
        + str(year)
        + Z12
        + "000000000001"
        + Z12
        + str(value).rjust(12, "0")
        + Z12
        + Z12
        + Z12
        + str(value).rjust(12, "0")
    )


def concord(hs10: str, hitech: str) -> str:
    return (
        hs10
        + f"PRODUCT {hs10}".ljust(150)
        + "".ljust(50)
        + "NO "
        + "   "
        + "00000"
        + "00000"
        + "000000"
        + "1"
        + hitech
        + "".ljust(10)
    )


def schedule_b(hs10: str, hitech: str) -> str:
    """One record of the Schedule B ``exp-code.txt`` layout (EXP-STRU.TXT, record length 278):
    code 1-10, short description 15-65, long description 70-219, units 225-227 / 233-235, SITC
    241-245, end use 251-255, USDA 261, NAICS 266-271, HITECH 277-278; gaps blank."""
    return (
        hs10
        + " " * 4
        + f"PRODUCT {hs10}".ljust(51)
        + " " * 4
        + f"PRODUCT {hs10}, LONG DESCRIPTION".ljust(150)
        + " " * 5
        + "NO "
        + " " * 5
        + "   "
        + " " * 5
        + "00000"
        + " " * 5
        + "00000"
        + " " * 5
        + "1"
        + " " * 4
        + "000000"
        + " " * 5
        + hitech
    )


def import_concord(hs10: str, hitech: str) -> str:
    """One record of the historical imports ``CONCORD.TXT`` (imdb layout, record length 235): the
    export ``CONCORD.TXT`` fields up to HITECH at 234-235, without ``years_ap``."""
    return (
        hs10 + f"PRODUCT {hs10}".ljust(150) + "".ljust(50) + "NO " + "   " + "00000" + "00000" + "000000" + "1" + hitech
    )


def import_record(hs10: str, country: str, subcode: str, month: int, con_value: int, gen_value: int) -> str:
    """One IM145/IA245 import history record (253): HS10 1-10, country of origin 11-14, subcode
    15-16, district of entry 17-18 (27), of unlading 19-20 (27), rate provision 21-22 (61), month
    23-24, filler 25, record count 26-33 (1), then 12-digit fields: consumption quantities 34-57,
    consumption value 58-69, dutiable value, duty, consumption charges (all 0), consumption CIF
    106-117 (= the value), general quantities 118-141 (0), general imports value 142-153, general
    charges (0), general CIF 166-177 (= the value), 76 blanks to 253."""
    return (
        hs10
        + country
        + subcode.ljust(2)
        + "27"
        + "27"
        + "61"
        + f"{month:02d}"
        + " "
        + "00000001"
        + Z12
        + Z12
        + str(con_value).rjust(12, "0")
        + Z12
        + Z12
        + Z12
        + str(con_value).rjust(12, "0")
        + Z12
        + Z12
        + str(gen_value).rjust(12, "0")
        + Z12
        + str(gen_value).rjust(12, "0")
        + " " * 76
    )


def country(code: str, name: str) -> str:
    return code + " " * 7 + name.ljust(30) + "".ljust(10)


#: Each year's list as (HS10, hitech); 2011: 9018908000 enters the ATP list (Life Science, 02).
LISTS = {
    2010: [
        ("8542310000", "05"),
        ("8471300000", "04"),
        ("3002200000", "01"),
        ("9018908000", "00"),
        ("1201000090", "00"),
        ("0201300000", "00"),
    ],
    2011: [
        ("8542310000", "05"),
        ("8471300000", "04"),
        ("3002200000", "01"),
        ("9018908000", "02"),
        ("1201000090", "00"),
        ("0201300000", "00"),
    ],
}
#: The folder holds both concordance layouts: 2010 as CONCORD.TXT (245), 2011 as the Schedule B
#: exp-code.txt (278) that Census serves today.
CONCORDANCE_FILES = {2010: "CONCORD.TXT", 2011: "exp-code.txt"}
CONCORDANCES = {
    2010: [concord(code, hitech) for code, hitech in LISTS[2010]],
    2011: [schedule_b(code, hitech) for code, hitech in LISTS[2011]],
}
COUNTRIES = [
    country("0003", "European Union"),
    country("0007", "Advance Technology Products"),
    country("1220", "Canada"),
    country("5700", "China"),
    country("5820", "Hong Kong"),
    country("5880", "Japan"),
]
HISTORIES = {
    2010: [
        history("1", "8542310000", "5700", "01", 3, 2010, 600),
        history("1", "8542310000", "5700", "27", 7, 2010, 400),
        history("2", "8542310000", "5700", "27", 7, 2010, 100),
        history("1", "8471300000", "5700", "27", 5, 2010, 500),
        history("1", "1201000090", "5700", "20", 12, 2010, 5000),  # soybeans: not ATP
        history("1", "9018908000", "5700", "27", 10, 2010, 300),  # not ATP in 2010
        history("1", "8471300000", "1220", "07", 1, 2010, 1500),
        history("1", "3002200000", "1220", "09", 2, 2010, 250),
        history("1", "0201300000", "1220", "07", 2, 2010, 900),  # beef: not ATP, leading zero
        history("1", "8542310000", "5820", "27", 8, 2010, 400),  # Hong Kong: with China, partner group CN_HK
        history("1", "8542310000", "5880", "27", 4, 2010, 2000),
        history("1", "3002200000", "5880", "27", 4, 2010, 750),
        history("1", "8542310000", "0003", "10", 4, 2010, 9999),  # grouping code: never in a fact
    ],
    2011: [
        history("1", "8542310000", "5700", "27", 6, 2011, 2200),
        history("1", "8471300000", "5700", "27", 6, 2011, 800),
        history("1", "9018908000", "5700", "27", 6, 2011, 400),  # ATP (02) in 2011
        history("1", "8471300000", "1220", "07", 8, 2011, 1000),
        history("1", "3002200000", "5820", "27", 3, 2011, 600),
        history("1", "3002200000", "5880", "27", 9, 2011, 1000),
        history("1", "9018908000", "5880", "27", 12, 2011, 500),
    ],
}
#: The import side (``imports=True``): the HTS import lists are the export lists (the codes of the
#: fake Census Bureau's imp-code.txt), 2010 in the historical imports CONCORD.TXT layout (235)
#: saved as IMP_CONCORD.TXT, 2011 as imp-code.txt (278).
IMPORT_CONCORDANCE_FILES = {2010: "IMP_CONCORD.TXT", 2011: "imp-code.txt"}
IMPORT_CONCORDANCES = {
    2010: [import_concord(code, hitech) for code, hitech in LISTS[2010]],
    2011: [schedule_b(code, hitech) for code, hitech in LISTS[2011]],
}
#: General imports by country of origin, the values of the fake Census Bureau's imports/hs
#: (tests/fake_census.py IMPORTS_HS) plus one non-ATP record a year; subcodes are text.
IMPORT_HISTORIES = {
    2010: [
        import_record("8542310000", "5700", "00", 3, 2900, 3000),
        import_record("8471300000", "5700", "A*", 5, 7000, 7000),
        import_record("8471300000", "1220", "CA", 8, 800, 800),
        import_record("1201000090", "1220", "00", 9, 400, 400),  # soybeans: not ATP
    ],
    2011: [
        import_record("8542310000", "5700", "00", 6, 4000, 4000),
        import_record("8471300000", "5700", "00", 6, 8500, 9000),
        import_record("3002200000", "5880", "00", 9, 1200, 1200),
        import_record("0201300000", "1220", "CA", 2, 500, 500),  # beef: not ATP
    ],
}
#: With imports, the country table's IYR (all in December): world ATP imports (0007) 2010 = 3000
#: + 7000 + 800 = 10,800 USD, 2011 = 4000 + 9000 + 1200 = 14,200 USD; every country 1.0 million.
IMPORT_TRADE = {
    2010: {"0003": 1.0, "0007": 0.0108, "1220": 1.0, "5700": 1.0, "5820": 1.0, "5880": 1.0},
    2011: {"0003": 1.0, "0007": 0.0142, "1220": 1.0, "5700": 1.0, "5820": 1.0, "5880": 1.0},
}
# World ATP totals (code 0007, millions of USD): 2010 = China 1600 + Canada 1750 + Hong Kong 400
# + Japan 2750 = 6500 USD, 2011 = 3400 + 1000 + 600 + 1500 = 6500 USD.
COUNTRY_TRADE = {
    2010: {"0003": 1.0, "0007": 0.0065, "1220": 1.0, "5700": 1.0, "5820": 1.0, "5880": 1.0},
    2011: {"0003": 1.0, "0007": 0.0065, "1220": 1.0, "5700": 1.0, "5820": 1.0, "5880": 1.0},
}
NAMES = {
    "0003": "European Union",
    "0007": "Advance Technology Products",
    "1220": "Canada",
    "5700": "China",
    "5820": "Hong Kong",
    "5880": "Japan",
}
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


@dataclass(frozen=True)
class ImportSide:
    """The import files of a tiny folder: each year's import list file name and records, its
    IM145 records, and the country table's IYR per code (millions of USD, all in December)."""

    concordance_files: dict[int, str]
    concordances: dict[int, list[str]]
    histories: dict[int, list[str]]
    trade: dict[int, dict[str, float]]


#: The import side of ``write_tiny_input(..., imports=True)``.
IMPORTS = ImportSide(IMPORT_CONCORDANCE_FILES, IMPORT_CONCORDANCES, IMPORT_HISTORIES, IMPORT_TRADE)


def write_tiny_input(root: Path, synthetic: bool = True, imports: bool | ImportSide = False) -> Path:
    """Write the tiny folder under ``root`` and return it; with ``synthetic`` a manifest marks the
    lists and history files as synthetic (they are: hand-made), with their sha256 (a file changed
    later no longer matches its entry and loads as unverified). With ``imports``, each year also
    gets IMP_HIST.TXT and its import list and the country table their IYR: :data:`IMPORTS` for
    ``True``, or the :class:`ImportSide` given."""
    side = IMPORTS if imports is True else (imports or None)
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for year in (2010, 2011):
        folder = root / str(year)
        folder.mkdir(exist_ok=True)
        written = [
            (CONCORDANCE_FILES[year], CONCORDANCES[year]),
            ("COUNTRY.TXT", COUNTRIES),
            ("EXP_HIST.TXT", HISTORIES[year]),
        ]
        if side:
            written += [
                (side.concordance_files[year], side.concordances[year]),
                ("IMP_HIST.TXT", side.histories[year]),
            ]
        for name, lines in written:
            (folder / name).write_text("".join(line + "\r\n" for line in lines), encoding="ascii", newline="")
            digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
            files.append({"path": f"{year}/{name}", "origin": "synthetic" if synthetic else "census", "sha256": digest})
    header = "year,CTY_CODE,CTYNAME," + ",".join(
        [f"I{m}" for m in MONTHS] + ["IYR"] + [f"E{m}" for m in MONTHS] + ["EYR"]
    )
    rows = [header]
    for year, totals in COUNTRY_TRADE.items():
        for code, eyr in totals.items():
            # imports 0 (with ``imports``: all in December); exports all in December, so EYR =
            # EJAN + ... + EDEC and the year is complete
            iyr = side.trade[year][code] if side else 0
            months = ",".join(["0"] * 11) + f",{iyr},{iyr}"
            rows.append(f"{year},{code},{NAMES[code]},{months}," + ",".join(["0"] * 11) + f",{eyr},{eyr}")
    (root / "country_trade").mkdir(exist_ok=True)
    (root / "country_trade" / "country_trade.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    if synthetic:
        (root / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    return root
