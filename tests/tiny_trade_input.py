"""The tiny hand-made input of ``tests/tiny_input.py`` (exports, three countries and Hong Kong,
2010-2011) with its import side: the HTS import lists (``imp-code.txt``, the 278-character
Schedule B layout) and the import histories (``IMP_HIST.TXT``, IM145/IA245, 253 characters),
and a country table whose 0007 IYR is the world ATP imports below.

Every number is chosen by hand; ``tests/test_trade_balance.py`` works the expected marts out from
them in comments, never from the code under test.

The import lists differ from the export lists on purpose:
- 8517620000 (ICT, 04) is on the import lists only (no export list has it);
- 8471300000 moves from group 04 (2010) to 05 (2011) on the import list, while it stays 04 on the
  export list.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.test_imports import im145
from tests.tiny_input import MONTHS, NAMES, schedule_b, write_tiny_input

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


def _general(value: int) -> str:
    return str(value).rjust(12, "0")


#: Each year's import records: (HS10, country of origin, subcode, month, general imports USD).
#: Two China records of 2010 share HS10, country and month and differ by subcode.
IMPORT_RECORDS = {
    2010: [
        ("8542310000", "5700", "00", "03", 700),
        ("8542310000", "5700", "A*", "03", 300),
        ("8471300000", "5700", "01", "05", 2000),
        ("8517620000", "5820", "00", "08", 500),
        ("3002200000", "5880", "00", "04", 400),
        ("9018908000", "5880", "00", "04", 100),  # not ATP on the 2010 import list
        ("8542310000", "1220", "00", "12", 200),
    ],
    2011: [
        ("8471300000", "5700", "00", "06", 3000),  # 05 on the 2011 import list
        ("8542310000", "5700", "00", "06", 1200),
        ("8517620000", "5700", "CA", "09", 800),
        ("3002200000", "1220", "00", "12", 600),
        ("8542310000", "5880", "00", "11", 700),
    ],
}
#: World ATP general imports (0007 IYR), USD: 2010 = 1000 + 2000 + 500 + 400 + 200 = 4100;
#: 2011 = 3000 + 1200 + 800 + 600 + 700 = 6300.
WORLD_IMPORTS_USD = {2010: 4100, 2011: 6300}
#: The export side's world ATP exports (0007 EYR of tests/tiny_input.py), USD.
WORLD_EXPORTS_USD = {2010: 6500, 2011: 6500}


def write_tiny_trade_input(root: Path) -> Path:
    """Write the tiny folder with both flows under ``root`` and return it: the export files of
    :func:`tests.tiny_input.write_tiny_input`, each year's ``imp-code.txt`` and ``IMP_HIST.TXT``,
    a country table with 0007 IYR = :data:`WORLD_IMPORTS_USD` (all in December, so the year is
    complete), and the manifest marking every file synthetic (hand-made)."""
    write_tiny_input(root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for year in (2010, 2011):
        files = {
            "imp-code.txt": [schedule_b(code, hitech) for code, hitech in IMPORT_LISTS[year]],
            "IMP_HIST.TXT": [
                im145(hs10=code, country=cty, subcode=subcode, month=month, gen_value=_general(value))
                for code, cty, subcode, month, value in IMPORT_RECORDS[year]
            ],
        }
        for name, lines in files.items():
            path = root / str(year) / name
            path.write_bytes(b"".join(line.encode("ascii") + b"\r\n" for line in lines))
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            manifest["files"].append({"path": f"{year}/{name}", "origin": "synthetic", "sha256": digest})
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    header = "year,CTY_CODE,CTYNAME," + ",".join(
        [f"I{m}" for m in MONTHS] + ["IYR"] + [f"E{m}" for m in MONTHS] + ["EYR"]
    )
    rows = [header]
    for year in (2010, 2011):
        for code, name in NAMES.items():
            imports = WORLD_IMPORTS_USD[year] / 1e6 if code == "0007" else 1.0
            exports = WORLD_EXPORTS_USD[year] / 1e6 if code == "0007" else 1.0
            rows.append(
                f"{year},{code},{name},"
                + ",".join(["0"] * 11 + [f"{imports}", f"{imports}"])
                + ","
                + ",".join(["0"] * 11 + [f"{exports}", f"{exports}"])
            )
    (root / "country_trade" / "country_trade.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root
