"""Parse landed Census International Trade API tables (JSON) into the warehouse's raw columns.

Source: U.S. Census Bureau, "International Trade API" (api.census.gov/data/timeseries/intltrade),
endpoints ``exports/hitech`` (ATP group x country, monthly) and ``exports/hs`` (commodity x
country), and their import twins ``imports/hitech`` and ``imports/hs`` (general imports,
``GEN_VAL_MO`` / ``GEN_VAL_YR``, commodity ``I_COMMODITY``). A response is a JSON array of
arrays, header first, every value a string; ``time`` and predicate variables are appended as
columns. ``ALL_VAL_YR`` is year to date: the annual
value is the December row, never a sum of year-to-date values (``GEN_VAL_YR`` likewise).

Aggregate rows sit beside the detail and are dropped explicitly, and counted: blank or ``-``
``CTY_CODE`` (TOTAL FOR ALL COUNTRIES), 0xxx groupings, continent codes ``1XXX``..``7XXX``, and
for ``exports/hitech`` and ``imports/hitech`` blank ``HITECH`` (all commodities) and ``00`` (not ATP).

The readers here follow the contract of :mod:`orchestration.census.tables`: they fill a TEMP
table with some of the raw table's columns plus ``source_file`` and ``source_record`` (the row of
the JSON table, header = 1) and return a :class:`~orchestration.census.reading.ReadInfo`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.census.parse import CensusLayoutError
from orchestration.census.reading import ReadInfo

_COUNTRY_KIND = """
    case
        when cty_code is null or trim(cty_code) in ('', '-') then 'total'
        when regexp_full_match(cty_code, '0[0-9]{3}') then 'grouping'
        when regexp_full_match(cty_code, '[1-7]XXX') then 'continent'
        when regexp_full_match(cty_code, '[1-9][0-9]{3}') then 'country'
        else 'bad'
    end
"""


class ApiTableError(ValueError):
    """An answer of the API that is not an API table: ``record`` is 0 for the answer as a whole,
    1 for its header, n for its n-th row (header = 1); ``field`` is ``file``, ``header`` or
    ``row``; ``value`` the part refused (shortened); ``message`` (one line) says why."""

    def __init__(self, record: int, field: str, value: str, message: str) -> None:
        super().__init__(message)
        self.record = record
        self.field = field
        self.value = value
        self.message = message


def check_api_table(payload: object, expected: Sequence[str], extra: Collection[str] | None = None) -> list:
    """Check that an answer of the API (parsed JSON) is an API table, before it is landed and
    again before it is loaded, and return its header. The rules, in order: a non-empty JSON array
    of arrays, header first; every ``expected`` column in the header (and, when ``extra`` is
    given, no column that is neither expected nor in ``extra``: the predicate columns the API
    appends); every row as wide as the header; every value a string (or null). Raises
    :class:`ApiTableError` for the first rule broken."""
    if not isinstance(payload, list) or not payload or not all(isinstance(row, list) for row in payload):
        raise ApiTableError(0, "file", "", "not a JSON array of arrays with a header row")
    header = payload[0]
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected and name not in extra] if extra is not None else []
    if missing or unknown:
        parts = [f"missing {missing}"] * bool(missing) + [f"unexpected {unknown}"] * bool(unknown)
        raise ApiTableError(1, "header", ",".join(map(str, header)), f"unexpected header {header}: {', '.join(parts)}")
    for record, row in enumerate(payload, start=1):
        if len(row) != len(header):
            raise ApiTableError(record, "row", json.dumps(row)[:60], f"{len(row)} values, the header has {len(header)}")
        bad = next((value for value in row if value is not None and not isinstance(value, str)), None)
        if bad is not None:
            raise ApiTableError(record, "row", repr(bad), "API values are strings")
    return header


def read_api_table(path: Path, relative: str, expected: Sequence[str]) -> pd.DataFrame:
    """One landed API table as a frame of strings with ``source_file`` and ``source_record``
    (header = record 1). Raises :class:`CensusLayoutError` for malformed JSON or an answer that is
    not an API table with the ``expected`` columns (:func:`check_api_table`), naming the record
    and field."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CensusLayoutError(relative, 0, "file", "", f"malformed JSON: {error}") from None
    try:
        header = check_api_table(payload, expected)
    except ApiTableError as error:
        raise CensusLayoutError(relative, error.record, error.field, error.value, error.message) from None
    frame = pd.DataFrame(payload[1:], columns=header, dtype="string")
    frame["source_record"] = range(2, len(frame) + 2)
    frame["source_file"] = relative
    return frame


def _first_bad(con: duckdb.DuckDBPyConnection, table: str, checks: list[tuple[str, ...]]) -> None:
    """Raise for the first row failing a check; checks are (API field, column, SQL condition) and
    optionally the reason to give (default: not a valid <field>)."""
    for field_name, column, condition, *reason in checks:
        bad = con.execute(
            f"select source_file, source_record, {column} from {table} where {condition} "
            "order by source_file, source_record limit 1"
        ).fetchone()
        if bad:
            why = reason[0] if reason else f"not a valid {field_name}"
            raise CensusLayoutError(bad[0], bad[1], field_name, str(bad[2]), why)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return dict(con.execute(sql).fetchall())


def _dropped(kinds: dict[str, int], hitech: dict[str, int] | None = None) -> dict[str, int]:
    counts = {
        "dropped_total_rows": kinds.get("total", 0),
        "dropped_grouping_rows": kinds.get("grouping", 0),
        "dropped_continent_rows": kinds.get("continent", 0),
    }
    if hitech is not None:
        counts["dropped_hitech_total_rows"] = hitech.get("blank", 0)
        counts["dropped_not_atp_rows"] = hitech.get("00", 0)
    return counts


def read_exports_hs(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    relatives: Sequence[str],
    year: int,
    target: str,
    df_code_of: Callable[[str], str],
) -> ReadInfo:
    """Parse landed ``exports/hs`` tables (one per request and DF; ``df_code_of`` tells a table's
    DF from its relative path, :func:`orchestration.census.tables.hs_api_df`) into TEMP table
    ``target``: one row per DF x HS10 x country with
    ``df_code``, ``hs10_code``, ``cty_code``, ``stat_year``, ``value_usd`` (December
    ``ALL_VAL_YR``, whole USD, an annual value: ``stat_month`` stays empty), ``source_file``,
    ``source_record``. Aggregate rows are dropped and counted. Raises :class:`CensusLayoutError`
    naming file, record and field for a malformed code, a non-numeric value or one of over 18
    digits, a ``time`` of another year, and when the tables hold no country row at all (no
    data: the year's rows are kept as they are)."""
    return _read_hs(
        con,
        root,
        relatives,
        year,
        target,
        endpoint="exports/hs",
        commodity="E_COMMODITY",
        value="ALL_VAL_YR",
        df_code_of=df_code_of,
        columns=f"df_code, hs10_code, cty_code, cast({int(year)} as bigint) as stat_year, "
        "cast(value_text as bigint) as value_usd",
    )


def read_imports_hs(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int, target: str
) -> ReadInfo:
    """Parse landed ``imports/hs`` tables (HS10 general imports, one per request) into TEMP table
    ``target``: one row per HS10 x country of origin with ``hs10_code``, ``cty_code``,
    ``gen_value_usd`` (December ``GEN_VAL_YR``: general imports, customs value, whole USD, an
    annual value: ``stat_month`` and the districts stay empty), ``source_file``,
    ``source_record``. Aggregate rows are dropped and counted. Raises :class:`CensusLayoutError`
    as :func:`read_exports_hs` does (malformed code, non-numeric or over 18-digit value, a
    ``time`` of another year, no country row at all)."""
    return _read_hs(
        con,
        root,
        relatives,
        year,
        target,
        endpoint="imports/hs",
        commodity="I_COMMODITY",
        value="GEN_VAL_YR",
        df_code_of=None,
        columns="hs10_code, cty_code, cast(value_text as bigint) as gen_value_usd",
    )


def _read_hs(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    relatives: Sequence[str],
    year: int,
    target: str,
    *,
    endpoint: str,
    commodity: str,
    value: str,
    df_code_of: Callable[[str], str] | None,
    columns: str,
) -> ReadInfo:
    """The ``exports/hs`` / ``imports/hs`` reader: ``commodity`` and ``value`` are the API's
    field names; ``columns`` the SQL select list of the target (over ``df_code``, ``hs10_code``,
    ``cty_code``, ``value_text``)."""
    frames = []
    for relative in relatives:
        frame = read_api_table(root / relative, relative, (commodity, "CTY_CODE", value))
        frame["df_code"] = df_code_of(relative) if df_code_of is not None else None
        frames.append(frame)
    combined = pd.concat(frames, ignore_index=True)
    if "time" not in combined.columns:
        combined["time"] = pd.Series([None] * len(combined), dtype="string")
    combined["df_code"] = combined["df_code"].astype("string")
    con.register("_atp_api_hs", combined)
    try:
        con.execute(f"""
            create or replace temp table _atp_api_hs_typed as
            select *, {_COUNTRY_KIND} as country_kind from (
                select df_code, trim({commodity}) as hs10_code, trim(CTY_CODE) as cty_code,
                       trim({value}) as value_text, trim(time) as period, source_file,
                       cast(source_record as integer) as source_record
                from _atp_api_hs)
        """)
    finally:
        con.unregister("_atp_api_hs")
    _first_bad(
        con,
        "_atp_api_hs_typed",
        [
            ("CTY_CODE", "cty_code", "country_kind = 'bad'"),
            (
                commodity,
                "hs10_code",
                "country_kind = 'country' and not regexp_full_match(coalesce(hs10_code, ''), '[0-9]{10}')",
            ),
            (
                value,
                "value_text",
                "country_kind = 'country' and not regexp_full_match(coalesce(value_text, ''), '[0-9]{1,18}')",
            ),
            # the request asks for December of the year (December year to date = the annual value):
            # a row of another year is another year's data, one of another month not the year's total
            (
                "time",
                "period",
                f"period is not null and not starts_with(period, '{int(year)}')",
                f"not the folder's year {int(year)}: the table is another year's",
            ),
            (
                "time",
                "period",
                f"period is not null and period <> '{int(year)}-12'",
                f"not December {int(year)}: a year-to-date value of another month is not the year's total",
            ),
        ],
    )
    if not con.execute("select count(*) from _atp_api_hs_typed where country_kind = 'country'").fetchone()[0]:
        # like HTTP 204: no data is not an empty year, and never replaces the year's rows
        raise CensusLayoutError(
            relatives[0],
            0,
            "file",
            f"{len(relatives)} table(s)",
            f"the {endpoint} tables of {year} hold no country rows: no data for {year} (not published yet?); "
            "nothing is loaded for the year",
        )
    kinds = _count(con, "select country_kind, count(*) from _atp_api_hs_typed group by 1")
    con.execute(f"""
        create or replace temp table {target} as
        select {columns}, source_file, source_record
        from _atp_api_hs_typed where country_kind = 'country'
    """)
    con.execute("drop table _atp_api_hs_typed")
    return ReadInfo(
        file_records={relative: len(frame) for relative, frame in zip(relatives, frames, strict=True)},
        dropped=_dropped(kinds),
    )


def read_exports_hitech(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int, target: str
) -> ReadInfo:
    """Parse a landed ``exports/hitech`` table into TEMP table ``target``: one row per country x
    ATP group (01-10) with ``cty_name``, ``annual_value_usd`` (year-to-date ``ALL_VAL_YR`` of the
    latest month reported, i.e. December when the pair traded in December; whole USD),
    ``monthly_sum_usd`` (sum of ``ALL_VAL_MO``), ``months_reported``, ``source_file`` and
    ``source_record`` (the row the annual value comes from).

    Raises :class:`CensusLayoutError` for non-numeric values or malformed codes, a ``time`` of
    another year, and when no row of the year is for December (the year is not complete)."""
    return _read_hitech(con, root, relatives, year, target, "ALL_VAL_MO", "ALL_VAL_YR")


def read_imports_hitech(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int, target: str
) -> ReadInfo:
    """Parse a landed ``imports/hitech`` table into TEMP table ``target``, as
    :func:`read_exports_hitech` does with the general-imports fields: ``annual_value_usd`` is the
    year-to-date ``GEN_VAL_YR`` of the latest month reported (December), ``monthly_sum_usd`` the
    sum of ``GEN_VAL_MO`` (general imports, customs value, whole USD). Raises
    :class:`CensusLayoutError` as :func:`read_exports_hitech` does."""
    return _read_hitech(con, root, relatives, year, target, "GEN_VAL_MO", "GEN_VAL_YR")


def _read_hitech(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    relatives: Sequence[str],
    year: int,
    target: str,
    month_field: str,
    ytd_field: str,
) -> ReadInfo:
    """The ``exports/hitech`` / ``imports/hitech`` reader; ``month_field`` and ``ytd_field`` are
    the API's monthly and year-to-date value fields."""
    (relative,) = relatives
    frame = read_api_table(
        root / relative, relative, ("CTY_CODE", "CTY_NAME", "HITECH", month_field, ytd_field, "time")
    )
    con.register("_atp_api_hitech", frame)
    try:
        con.execute(f"""
            create or replace temp table _atp_api_hitech_typed as
            select *, {_COUNTRY_KIND} as country_kind from (
                select trim(CTY_CODE) as cty_code, trim(CTY_NAME) as cty_name, trim(HITECH) as hitech_code,
                       trim({month_field}) as month_text, trim({ytd_field}) as ytd_text, trim(time) as period,
                       source_file, cast(source_record as integer) as source_record
                from _atp_api_hitech)
        """)
    finally:
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
            (
                month_field,
                "month_text",
                f"{detail} and not regexp_full_match(coalesce(month_text, ''), '[0-9]{{1,18}}')",
            ),
            (ytd_field, "ytd_text", f"{detail} and not regexp_full_match(coalesce(ytd_text, ''), '[0-9]{{1,18}}')"),
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
        select cty_code, max(cty_name) as cty_name, hitech_code,
               cast(arg_max(ytd_text, period) as bigint) as annual_value_usd,
               cast(sum(cast(month_text as bigint)) as bigint) as monthly_sum_usd,
               cast(count(*) as integer) as months_reported,
               min(source_file) as source_file,
               cast(arg_max(source_record, period) as integer) as source_record
        from detail group by cty_code, hitech_code
    """)
    con.execute("drop table _atp_api_hitech_typed")
    return ReadInfo(file_records={relative: len(frame)}, dropped=_dropped(kinds, hitech))
