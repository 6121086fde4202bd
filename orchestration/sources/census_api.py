"""The Census International Trade API (``exports/hitech``, ``exports/hs``): requests, validation
of responses, and parsing into the warehouse's raw schema.

Source: U.S. Census Bureau, "International Trade API" (api.census.gov/data/timeseries/intltrade),
endpoints ``exports/hitech`` (ATP group x country, monthly) and ``exports/hs`` (commodity x
country). Responses are JSON arrays of arrays, header first, every value a string; ``time``
and predicate variables are appended as columns. ``ALL_VAL_YR`` is year to date: the annual
value is the December row, never a sum of year-to-date values.

Aggregate rows sit beside the detail and are dropped explicitly, and counted: blank or ``-``
``CTY_CODE`` (TOTAL FOR ALL COUNTRIES), 0xxx groupings, continent codes ``1XXX``..``7XXX``, and
for ``exports/hitech`` blank ``HITECH`` (all commodities) and ``00`` (not ATP).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import requests

from orchestration.census.parse import CensusLayoutError
from orchestration.sources.http import SourceError, get, prepared_url, redact, status_error
from orchestration.sources.landing import land_bytes, read_manifest

HITECH_FIELDS = ("CTY_CODE", "CTY_NAME", "HITECH", "HITECH_DESC", "ALL_VAL_MO", "ALL_VAL_YR")
HS_FIELDS = ("E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_YR")
#: Columns the API appends for predicates; anything else in a header is unexpected.
PREDICATE_COLUMNS = frozenset({"time", "COMM_LVL", "SUMMARY_LVL", "DF", "E_COMMODITY", "CTY_CODE", "HITECH"})


@dataclass
class AggregateCounts:
    """How many API rows were dropped as aggregates, by kind."""

    total_rows: int = 0  # blank or '-' CTY_CODE: TOTAL FOR ALL COUNTRIES
    grouping_rows: int = 0  # 0xxx: OPEC, EU, NAFTA/USMCA, ...
    continent_rows: int = 0  # 1XXX .. 7XXX
    hitech_total_rows: int = 0  # blank HITECH: all commodities
    not_atp_rows: int = 0  # HITECH 00
    extra: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, int]:
        return {
            "dropped_total_rows": self.total_rows,
            "dropped_grouping_rows": self.grouping_rows,
            "dropped_continent_rows": self.continent_rows,
            "dropped_hitech_total_rows": self.hitech_total_rows,
            "dropped_not_atp_rows": self.not_atp_rows,
        }


def validate_payload(payload: object, expected: Sequence[str], *, source: str, year: int, url: str) -> list[str]:
    """Check an API payload's shape and header; return the header.

    Raises :class:`SourceError` when the payload is not a list of lists of strings with a header
    first, when an expected column is missing, or when the header has a column that is neither
    expected nor a known predicate column.
    """
    if not isinstance(payload, list) or not payload or not all(isinstance(row, list) for row in payload):
        raise SourceError(source, year, url, "response is not a JSON array of arrays with a header row")
    header = payload[0]
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected and name not in PREDICATE_COLUMNS]
    if missing or unknown:
        raise SourceError(
            source,
            year,
            url,
            f"unexpected header {header}: missing {missing or 'nothing'}, unexpected {unknown or 'nothing'}",
        )
    width = len(header)
    short = next((i for i, row in enumerate(payload[1:], start=2) if len(row) != width), None)
    if short is not None:
        raise SourceError(source, year, url, f"record {short} has {len(payload[short - 1])} values, header has {width}")
    return header


def fetch_table(
    session: requests.Session,
    url: str,
    params: dict,
    root: Path,
    relative: str,
    expected: Sequence[str],
    *,
    year: int,
    force: bool,
    timeout: float,
    secret: str | None,
    allow_empty: bool = False,
    source: str = "census",
) -> tuple[Path, bool]:
    """Fetch one API table and land it as JSON at ``root/relative``, unless already landed.

    The response is validated before anything is written: a malformed or unexpected response
    never replaces a landed copy. With ``allow_empty`` an HTTP 204 lands a header-only table
    (a chunk of codes nobody exported); otherwise 204 is an error. Returns (path, downloaded).
    Raises :class:`SourceError` naming year and URL (key redacted).
    """
    target = root / relative
    if target.is_file() and relative in read_manifest(root) and not force:
        return target, False
    query = dict(params)
    if secret:
        query["key"] = secret
    shown = redact(prepared_url(url, query), secret)
    response = get(session, url, source=source, year=year, params=query, timeout=timeout, secret=secret)
    if response.status_code == 204 and allow_empty:
        land_bytes(root, relative, json.dumps([list(expected)]).encode(), url=shown, status=204)
        return target, True
    if response.status_code != 200:
        raise status_error(response, source=source, year=year, shown_url=shown)
    if "html" in response.headers.get("Content-Type", "").lower() or response.text.lstrip().startswith("<"):
        raise SourceError(source, year, shown, "the API answered with an HTML page (missing or invalid API key?)")
    try:
        payload = response.json()
    except ValueError as error:
        raise SourceError(source, year, shown, f"malformed JSON: {error}") from None
    validate_payload(payload, expected, source=source, year=year, url=shown)
    land_bytes(
        root,
        relative,
        json.dumps(payload).encode(),
        url=shown,
        status=200,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )
    return target, True


def hitech_params(year: int) -> dict:
    """Query of ``exports/hitech``: every month of ``year``, all countries and ATP groups."""
    return {"get": ",".join(HITECH_FIELDS), "time": f"from {year}-01 to {year}-12"}


def hs_params(year: int, codes: Sequence[str], df_code: str) -> dict:
    """Query of ``exports/hs``: December year-to-date, HS10 detail only, one DF, some codes."""
    return {
        "get": ",".join(HS_FIELDS),
        "time": f"{year}-12",
        "COMM_LVL": "HS10",
        "SUMMARY_LVL": "DET",
        "DF": df_code,
        "E_COMMODITY": list(codes),
    }


def _frame(path: Path, relative: str) -> pd.DataFrame:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CensusLayoutError(relative, 0, "file", "", f"malformed JSON: {error}") from None
    frame = pd.DataFrame(payload[1:], columns=payload[0], dtype="string")
    frame["source_record"] = range(2, len(frame) + 2)  # the header is record 1
    frame["source_file"] = relative
    return frame


_COUNTRY_KIND = """
    case
        when cty_code is null or trim(cty_code) in ('', '-') then 'total'
        when regexp_full_match(cty_code, '0[0-9]{3}') then 'grouping'
        when regexp_full_match(cty_code, '[1-7]XXX') then 'continent'
        when regexp_full_match(cty_code, '[1-9][0-9]{3}') then 'country'
        else 'bad'
    end
"""


def _first_bad(con: duckdb.DuckDBPyConnection, table: str, checks: list[tuple[str, str, str]]) -> None:
    """Raise for the first row failing a check; checks are (API field, column, SQL condition)."""
    for field_name, column, condition in checks:
        bad = con.execute(
            f"select source_file, source_record, {column} from {table} where {condition} "
            "order by source_file, source_record limit 1"
        ).fetchone()
        if bad:
            raise CensusLayoutError(bad[0], bad[1], field_name, str(bad[2]), f"not a valid {field_name}")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return dict(con.execute(sql).fetchall())


def stage_hs(
    con: duckdb.DuckDBPyConnection, root: Path, files: Sequence[tuple[str, str]], year: int, target: str
) -> AggregateCounts:
    """Parse landed ``exports/hs`` tables into TEMP table ``target`` with the columns of
    ``raw.export_history`` (one row per DF x HS10 x country; ``value_usd`` = December
    ``ALL_VAL_YR``, whole USD; ``stat_month`` NULL because the value is annual; district and
    quantities NULL). ``files`` are (relative path, DF code). Raises :class:`CensusLayoutError`
    naming file, record and field for a non-numeric value or a malformed code."""
    frames = []
    for relative, df_code in files:
        frame = _frame(root / relative, relative)
        frame["df_code"] = df_code
        frames.append(frame)
    con.register("_atp_api_hs", pd.concat(frames, ignore_index=True))
    con.execute(f"""
        create or replace temp table _atp_api_hs_typed as
        select *, {_COUNTRY_KIND} as country_kind from (
            select df_code, trim(E_COMMODITY) as hs10_code, trim(CTY_CODE) as cty_code,
                   trim(ALL_VAL_YR) as value_text, source_file, cast(source_record as integer) as source_record
            from _atp_api_hs)
    """)
    con.unregister("_atp_api_hs")
    _first_bad(
        con,
        "_atp_api_hs_typed",
        [
            ("CTY_CODE", "cty_code", "country_kind = 'bad'"),
            (
                "E_COMMODITY",
                "hs10_code",
                "country_kind = 'country' and not regexp_full_match(coalesce(hs10_code, ''), '[0-9]{10}')",
            ),
            (
                "ALL_VAL_YR",
                "value_text",
                "country_kind = 'country' and not regexp_full_match(coalesce(value_text, ''), '[0-9]+')",
            ),
        ],
    )
    kinds = _count(con, "select country_kind, count(*) from _atp_api_hs_typed group by 1")
    con.execute(f"""
        create or replace temp table {target} as
        select cast({int(year)} as integer) as year, df_code, hs10_code, cty_code,
               cast(null as varchar) as district_code, cast(null as bigint) as stat_month,
               cast({int(year)} as bigint) as stat_year, cast(null as bigint) as qty2,
               cast(null as bigint) as record_count, cast(null as bigint) as qty1,
               cast(value_text as bigint) as value_usd, cast(null as bigint) as vessel_weight_kg,
               cast(null as bigint) as vessel_value_usd, cast(null as bigint) as air_weight_kg,
               cast(null as bigint) as air_value_usd, source_file, source_record
        from _atp_api_hs_typed where country_kind = 'country'
        order by source_file, source_record
    """)
    con.execute("drop table _atp_api_hs_typed")
    return AggregateCounts(
        total_rows=kinds.get("total", 0),
        grouping_rows=kinds.get("grouping", 0),
        continent_rows=kinds.get("continent", 0),
    )


def stage_hitech(con: duckdb.DuckDBPyConnection, root: Path, relative: str, year: int, target: str) -> AggregateCounts:
    """Parse a landed ``exports/hitech`` table into TEMP table ``target``: one row per country x
    ATP group (01-10) with ``annual_value_usd`` (year-to-date ``ALL_VAL_YR`` of the latest month
    reported, i.e. December when the pair traded in December; whole USD), ``monthly_sum_usd``
    (sum of ``ALL_VAL_MO``), ``months_reported``, ``cty_name``, ``source_file`` and
    ``source_record`` (the row the annual value comes from).

    Raises :class:`CensusLayoutError` for non-numeric values or malformed codes and when no row
    of the year is for December (the year is not complete)."""
    con.register("_atp_api_hitech", _frame(root / relative, relative))
    con.execute(f"""
        create or replace temp table _atp_api_hitech_typed as
        select *, {_COUNTRY_KIND} as country_kind from (
            select trim(CTY_CODE) as cty_code, trim(CTY_NAME) as cty_name, trim(HITECH) as hitech_code,
                   trim(ALL_VAL_MO) as month_text, trim(ALL_VAL_YR) as ytd_text, trim(time) as period,
                   source_file, cast(source_record as integer) as source_record
            from _atp_api_hitech)
    """)
    con.unregister("_atp_api_hitech")
    detail = "country_kind = 'country' and regexp_full_match(coalesce(hitech_code, ''), '0[1-9]|10')"
    _first_bad(
        con,
        "_atp_api_hitech_typed",
        [
            ("CTY_CODE", "cty_code", "country_kind = 'bad'"),
            (
                "HITECH",
                "hitech_code",
                "coalesce(hitech_code, '') <> '' and not regexp_full_match(hitech_code, '[0-9]{2}')",
            ),
            ("time", "period", f"not regexp_full_match(coalesce(period, ''), '{int(year)}-(0[1-9]|1[0-2])')"),
            ("ALL_VAL_MO", "month_text", f"{detail} and not regexp_full_match(coalesce(month_text, ''), '[0-9]+')"),
            ("ALL_VAL_YR", "ytd_text", f"{detail} and not regexp_full_match(coalesce(ytd_text, ''), '[0-9]+')"),
        ],
    )
    if not con.execute(f"select count(*) from _atp_api_hitech_typed where period = '{int(year)}-12'").fetchone()[0]:
        raise CensusLayoutError(relative, 0, "time", "", f"no December {year} rows: the year is not complete")
    kinds = _count(con, "select country_kind, count(*) from _atp_api_hitech_typed group by 1")
    hitech = _count(
        con,
        "select coalesce(nullif(hitech_code, ''), 'blank'), count(*) from _atp_api_hitech_typed "
        "where country_kind = 'country' and coalesce(hitech_code, '') in ('', '00') group by 1",
    )
    con.execute(f"""
        create or replace temp table {target} as
        with detail as (select * from _atp_api_hitech_typed where {detail})
        select cast({int(year)} as integer) as year, cty_code, max(cty_name) as cty_name, hitech_code,
               cast(arg_max(ytd_text, period) as bigint) as annual_value_usd,
               cast(sum(cast(month_text as bigint)) as bigint) as monthly_sum_usd,
               cast(count(*) as integer) as months_reported,
               min(source_file) as source_file,
               cast(arg_max(source_record, period) as integer) as source_record
        from detail group by cty_code, hitech_code
        order by cty_code, hitech_code
    """)
    con.execute("drop table _atp_api_hitech_typed")
    return AggregateCounts(
        total_rows=kinds.get("total", 0),
        grouping_rows=kinds.get("grouping", 0),
        continent_rows=kinds.get("continent", 0),
        hitech_total_rows=hitech.get("blank", 0),
        not_atp_rows=hitech.get("00", 0),
    )
