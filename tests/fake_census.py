"""A fake Census Bureau for tests: recorded-style responses served through ``responses`` (no
network). The data are the hand-made ones of ``tests/tiny_input.py``, as the Census API would
deliver them: ``exports/hs`` HS10 x country December year-to-date values by DF, ``exports/hitech``
monthly ATP group x country rows, plus the aggregate rows the real API mixes in; and the import
twins: ``imports/hs`` (HS10 x country, general imports, December year to date), ``imports/hitech``
(monthly ``GEN_VAL_MO`` / ``GEN_VAL_YR``) and the HTS import concordance ``imp-code.txt`` (the
real 2019 file for 2019, the tiny lists for 2010 and 2011)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import responses

from tests.tiny_input import COUNTRY_TRADE, LISTS, MONTHS, NAMES, schedule_b

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The real Census Schedule B concordance of 2019 (bundled byte for byte).
REAL_EXP_CODE_2019 = REPO_ROOT / "warehouse" / "sample" / "2019" / "exp-code.txt"
#: The real Census HTS import concordance of 2019 (from SBSDF.ZIP, kept byte for byte for tests).
REAL_IMP_CODE_2019 = REPO_ROOT / "tests" / "data" / "census" / "schedule_b_2019" / "imp-code.txt"
#: The real Census country.xlsx, two vintages (data through 2024-06 and through 2023-01).
REAL_COUNTRY_XLSX = {
    "2024-06": REPO_ROOT / "warehouse" / "sample" / "country_trade" / "country.xlsx",
    "2023-01": REPO_ROOT / "tests" / "data" / "census" / "country_xlsx_2023_01" / "country.xlsx",
}

API = "https://api.census.gov/data/timeseries/intltrade"
CONCORD_URL = "https://www.census.gov/foreign-trade/schedules/b/{year}/exp-code.txt"
IMP_CODE_URL = "https://www.census.gov/foreign-trade/schedules/b/{year}/imp-code.txt"
COUNTRY_XLSX_URL = "https://www.census.gov/foreign-trade/statistics/country/country.xlsx"

# (DF, HS10, country, annual USD): the ATP records of tiny_input.HISTORIES summed by hand.
HS = {
    2010: [
        ("1", "8542310000", "5700", 1000),
        ("2", "8542310000", "5700", 100),
        ("1", "8471300000", "5700", 500),
        ("1", "8471300000", "1220", 1500),
        ("1", "3002200000", "1220", 250),
        ("1", "8542310000", "5820", 400),
        ("1", "8542310000", "5880", 2000),
        ("1", "3002200000", "5880", 750),
    ],
    2011: [
        ("1", "8542310000", "5700", 2200),
        ("1", "8471300000", "5700", 800),
        ("1", "9018908000", "5700", 400),
        ("1", "8471300000", "1220", 1000),
        ("1", "3002200000", "5820", 600),
        ("1", "3002200000", "5880", 1000),
        ("1", "9018908000", "5880", 500),
    ],
}
# (HS10, country of origin, annual general imports USD), chosen by hand.
IMPORTS_HS = {
    2010: [("8542310000", "5700", 3000), ("8471300000", "5700", 7000), ("8471300000", "1220", 800)],
    2011: [("8542310000", "5700", 4000), ("8471300000", "5700", 9000), ("3002200000", "5880", 1200)],
}
GROUP_OF = {"8542310000": "05", "8471300000": "04", "3002200000": "01", "9018908000": "02"}
UPPER = {"1220": "CANADA", "5700": "CHINA", "5820": "HONG KONG", "5880": "JAPAN"}


def hs_table(year: int, df_code: str, codes: list[str]) -> list[list[str]]:
    """The ``exports/hs`` answer for one DF and some codes, with aggregate rows beside the detail."""
    header = ["E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_YR", "time", "COMM_LVL", "DF"]
    rows = [
        [hs, cty, UPPER[cty], str(value), f"{year}-12", "HS10", df_code]
        for df, hs, cty, value in HS[year]
        if df == df_code and hs in codes
    ]
    for hs in sorted({r[0] for r in rows}):
        total = sum(int(r[3]) for r in rows if r[0] == hs)
        rows += [
            [hs, "", "TOTAL FOR ALL COUNTRIES", str(total), f"{year}-12", "HS10", df_code],
            [hs, "0003", "EUROPEAN UNION", "0", f"{year}-12", "HS10", df_code],
            [hs, "5XXX", "ASIA", str(total), f"{year}-12", "HS10", df_code],
        ]
    return [header, *rows] if rows else []


def imports_hs_table(year: int, codes: list[str]) -> list[list[str]]:
    """The ``imports/hs`` answer for some codes, with aggregate rows beside the detail."""
    header = ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_YR", "time", "COMM_LVL"]
    rows = [
        [hs, cty, UPPER[cty], str(value), f"{year}-12", "HS10"]
        for hs, cty, value in IMPORTS_HS.get(year, [])
        if hs in codes
    ]
    for hs in sorted({r[0] for r in rows}):
        total = sum(int(r[3]) for r in rows if r[0] == hs)
        rows += [
            [hs, "-", "TOTAL FOR ALL COUNTRIES", str(total), f"{year}-12", "HS10"],
            [hs, "0014", "PACIFIC RIM COUNTRIES", str(total), f"{year}-12", "HS10"],
            [hs, "5XXX", "ASIA", str(total), f"{year}-12", "HS10"],
        ]
    return [header, *rows] if rows else []


def imports_hitech_table(year: int) -> list[list[str]]:
    """The ``imports/hitech`` answer for a year: per country x group, March and December rows
    (GEN_VAL_YR year to date), plus total and not-ATP rows."""
    header = ["CTY_CODE", "CTY_NAME", "HITECH", "HITECH_DESC", "GEN_VAL_MO", "GEN_VAL_YR", "time"]
    annual: dict[tuple[str, str], int] = {}
    for hs, cty, value in IMPORTS_HS[year]:
        annual[(cty, GROUP_OF[hs])] = annual.get((cty, GROUP_OF[hs]), 0) + value
    rows = []
    for (cty, group), value in sorted(annual.items()):
        march = value // 4
        rows += [
            [cty, UPPER[cty], group, f"GROUP [{group}]", str(march), str(march), f"{year}-03"],
            [cty, UPPER[cty], group, f"GROUP [{group}]", str(value - march), str(value), f"{year}-12"],
        ]
        rows.append([cty, UPPER[cty], "00", "NOT ATP [00]", "7", "70", f"{year}-12"])
    rows.append(["", "TOTAL FOR ALL COUNTRIES", "05", "ELECTRONICS [05]", "1", "1", f"{year}-12"])
    return [header, *rows]


def imp_code_txt(year: int) -> bytes:
    """The HTS ``imp-code.txt`` Census serves for ``year`` (record length 278, CRLF): the real
    2019 file for 2019, the tiny lists (the export ones) for 2010 and 2011."""
    if year == 2019:
        return REAL_IMP_CODE_2019.read_bytes()
    return "".join(schedule_b(code, hitech) + "\r\n" for code, hitech in LISTS[year]).encode("ascii")


def hitech_table(year: int) -> list[list[str]]:
    """The ``exports/hitech`` answer for a year: per country x group, June and December rows
    (half the annual value each; ALL_VAL_YR year to date), plus total and grouping rows."""
    header = ["CTY_CODE", "CTY_NAME", "HITECH", "HITECH_DESC", "ALL_VAL_MO", "ALL_VAL_YR", "time"]
    annual: dict[tuple[str, str], int] = {}
    for _, hs, cty, value in HS[year]:
        annual[(cty, GROUP_OF[hs])] = annual.get((cty, GROUP_OF[hs]), 0) + value
    rows = []
    for (cty, group), value in sorted(annual.items()):
        june = value // 2
        rows += [
            [cty, UPPER[cty], group, f"GROUP [{group}]", str(june), str(june), f"{year}-06"],
            [cty, UPPER[cty], group, f"GROUP [{group}]", str(value - june), str(value), f"{year}-12"],
        ]
    for cty in sorted(UPPER):
        rows.append([cty, UPPER[cty], "", "TOTAL", "9", "99", f"{year}-12"])  # all commodities
        rows.append([cty, UPPER[cty], "00", "NOT ATP [00]", "5", "50", f"{year}-12"])
    rows.append(["", "TOTAL FOR ALL COUNTRIES", "05", "ELECTRONICS [05]", "1", "1", f"{year}-12"])
    rows.append(["0003", "EUROPEAN UNION", "05", "ELECTRONICS [05]", "1", "1", f"{year}-12"])
    rows.append(["1XXX", "NORTH AMERICA", "04", "INFORMATION & COMMUNICATIONS [04]", "1", "1", f"{year}-12"])
    return [header, *rows]


def country_xlsx() -> bytes:
    """The tiny country trade table as Census publishes it in ``country.xlsx``: ``year`` and
    ``CTY_CODE`` as text cells, values as number cells (millions of USD, exports in December)."""
    records = []
    for year, totals in COUNTRY_TRADE.items():
        for code, eyr in totals.items():
            row = {"year": str(year), "CTY_CODE": code, "CTYNAME": NAMES[code]}
            row.update({f"I{m}": 0.0 for m in MONTHS} | {"IYR": 0.0})
            row.update({f"E{m}": 0.0 for m in MONTHS} | {"EDEC": eyr, "EYR": eyr})
            records.append(row)
    buffer = io.BytesIO()
    pd.DataFrame(records).to_excel(buffer, index=False, sheet_name="country")
    return buffer.getvalue()


def exp_code_txt(year: int) -> bytes:
    """The Schedule B ``exp-code.txt`` Census serves for ``year`` (record length 278, CRLF): the
    real 2019 file for 2019, the tiny lists for 2010 and 2011."""
    if year == 2019:
        return REAL_EXP_CODE_2019.read_bytes()
    return "".join(schedule_b(code, hitech) + "\r\n" for code, hitech in LISTS[year]).encode("ascii")


class FakeCensus:
    """Registers the fake endpoints on a ``responses.RequestsMock``; counts calls per endpoint and
    keeps the query strings it saw (to check the API key is sent)."""

    def __init__(self, mock: responses.RequestsMock, country_vintage: str | None = None) -> None:
        """``country_vintage``: serve that real ``country.xlsx`` vintage ("2024-06" or "2023-01")
        instead of the tiny table."""
        self.calls: list[str] = []
        self.queries: list[dict[str, list[str]]] = []
        mock.add_callback(responses.GET, f"{API}/exports/hitech", callback=self._hitech)
        mock.add_callback(responses.GET, f"{API}/exports/hs", callback=self._hs)
        mock.add_callback(responses.GET, f"{API}/imports/hitech", callback=self._imports_hitech)
        mock.add_callback(responses.GET, f"{API}/imports/hs", callback=self._imports_hs)
        for year in (*LISTS, 2019):
            mock.add(
                responses.GET, CONCORD_URL.format(year=year), body=exp_code_txt(year), headers={"ETag": f'"exp-{year}"'}
            )
            imp_code = imp_code_txt(year)
            mock.add(responses.GET, IMP_CODE_URL.format(year=year), body=imp_code, headers={"ETag": f'"imp-{year}"'})
        body = REAL_COUNTRY_XLSX[country_vintage].read_bytes() if country_vintage else country_xlsx()
        mock.add(
            responses.GET,
            COUNTRY_XLSX_URL,
            body=body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def _query(self, request) -> dict[str, list[str]]:
        query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        self.queries.append(query)
        return query

    def _hitech(self, request):
        query = self._query(request)
        self.calls.append("hitech")
        year = int(query["time"][0].split()[1][:4])
        if year not in HS:
            return 204, {}, ""
        return 200, {"Content-Type": "application/json"}, json.dumps(hitech_table(year))

    def _hs(self, request):
        query = self._query(request)
        self.calls.append("hs")
        year = int(query["time"][0][:4])
        table = hs_table(year, query["DF"][0], query.get("E_COMMODITY", []))
        if not table:
            return 204, {}, ""
        return 200, {"Content-Type": "application/json"}, json.dumps(table)

    def _imports_hitech(self, request):
        query = self._query(request)
        self.calls.append("imports_hitech")
        year = int(query["time"][0].split()[1][:4])
        if year not in IMPORTS_HS:
            return 204, {}, ""
        return 200, {"Content-Type": "application/json"}, json.dumps(imports_hitech_table(year))

    def _imports_hs(self, request):
        query = self._query(request)
        self.calls.append("imports_hs")
        table = imports_hs_table(int(query["time"][0][:4]), query.get("I_COMMODITY", []))
        if not table:
            return 204, {}, ""
        return 200, {"Content-Type": "application/json"}, json.dumps(table)
