"""The tiny hand-made input of ``tests/tiny_input.py`` (exports, three countries and Hong Kong,
2010-2011) with an import side of its own for the ATP trade balance: the HTS import lists
(``imp-code.txt``, the 278-character Schedule B layout), the import histories (``IMP_HIST.TXT``,
IM145/IA245, 253 characters), and a country table whose 0007 IYR is the world ATP imports below.

Every number is chosen by hand; ``tests/test_trade_balance.py`` works the expected marts out from
them in comments, never from the code under test.

The import lists differ from the export lists on purpose:
- 8517620000 (ICT, 04) is on the import lists only (no export list has it);
- 8471300000 moves from group 04 (2010) to 05 (2011) on the import list, while it stays 04 on the
  export list.
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_input import ImportSide, import_record, schedule_b, write_tiny_input

#: Each year's HTS import list as (HS10, hitech).
IMPORT_LISTS = {
    2010: [
        ("8542310000", "05"),
        ("8471300000", "04"),
        ("8517620000", "04"),
        ("3002200000", "01"),
        ("9018908000", "00"),
    ],
    2011: [
        ("8542310000", "05"),
        ("8471300000", "05"),
        ("8517620000", "04"),
        ("3002200000", "01"),
        ("9018908000", "00"),
    ],
}
#: Each year's import records: (HS10, country of origin, subcode, month, general imports USD);
#: imports for consumption are 1,000 USD in every record. Two China records of 2010 share HS10,
#: country and month and differ by subcode.
IMPORT_RECORDS = {
    2010: [
        ("8542310000", "5700", "00", 3, 700),
        ("8542310000", "5700", "A*", 3, 300),
        ("8471300000", "5700", "01", 5, 2000),
        ("8517620000", "5820", "00", 8, 500),
        ("3002200000", "5880", "00", 4, 400),
        ("9018908000", "5880", "00", 4, 100),  # not ATP on the 2010 import list
        ("8542310000", "1220", "00", 12, 200),
    ],
    2011: [
        ("8471300000", "5700", "00", 6, 3000),  # 05 on the 2011 import list
        ("8542310000", "5700", "00", 6, 1200),
        ("8517620000", "5700", "CA", 9, 800),
        ("3002200000", "1220", "00", 12, 600),
        ("8542310000", "5880", "00", 11, 700),
    ],
}
#: World ATP general imports (0007 IYR), USD: 2010 = 1000 + 2000 + 500 + 400 + 200 = 4100;
#: 2011 = 3000 + 1200 + 800 + 600 + 700 = 6300.
WORLD_IMPORTS_USD = {2010: 4100, 2011: 6300}

TRADE_BALANCE_IMPORTS = ImportSide(
    concordance_files={2010: "imp-code.txt", 2011: "imp-code.txt"},
    concordances={year: [schedule_b(code, hitech) for code, hitech in codes] for year, codes in IMPORT_LISTS.items()},
    histories={
        year: [import_record(code, cty, subcode, month, 1000, value) for code, cty, subcode, month, value in records]
        for year, records in IMPORT_RECORDS.items()
    },
    # IYR in millions of USD: 0007 the world ATP imports above, every other code 1.0
    trade={
        year: {
            code: (usd / 1e6 if code == "0007" else 1.0) for code in ("0003", "0007", "1220", "5700", "5820", "5880")
        }
        for year, usd in WORLD_IMPORTS_USD.items()
    },
)


def write_tiny_trade_input(root: Path) -> Path:
    """Write the tiny folder with both flows (:data:`TRADE_BALANCE_IMPORTS`) under ``root`` and
    return it; every file is marked synthetic (hand-made) in its manifest."""
    return write_tiny_input(root, imports=TRADE_BALANCE_IMPORTS)
