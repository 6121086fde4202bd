"""Parse Census source files into typed DuckDB tables, in SQL (no row-by-row Python).

Every parsed row carries ``source_file`` (path relative to the input folder) and
``source_record`` (1-based record number in that file; for the CSV table, the line number with
the header as line 1), so any warehouse figure can be traced to the records behind it.

Errors: a record that does not fit its layout raises :class:`CensusLayoutError`, which names the
file, the record number, the field and the offending value. Parsing writes only to a TEMP table
of the connection: nothing in the warehouse changes until :func:`orchestration.census.load`
swaps a whole year in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.census.layouts import Field, Layout

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Numeric columns of the country trade table (millions of USD): imports then exports.
COUNTRY_TRADE_VALUE_COLUMNS = tuple(f"i{m}" for m in MONTHS) + ("iyr",) + tuple(f"e{m}" for m in MONTHS) + ("eyr",)


class CensusLayoutError(ValueError):
    """A source record does not match its Census layout.

    Attributes name the file, the 1-based record number, the field and the raw value.
    """

    def __init__(self, source_file: str, record: int, field: str, value: str, reason: str) -> None:
        self.source_file = source_file
        self.record = record
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{source_file}, record {record}, field {field}: {reason} (value {value!r})")


def sql_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _slice(field: Field) -> str:
    return f"substr(line, {field.start}, {field.width})"


def _problem_checks(layout: Layout) -> list[tuple[str, str, str]]:
    """(field name, SQL condition that is true when the field is wrong, reason) in field order."""
    checks: list[tuple[str, str, str]] = []
    for field in layout.fields:
        value = f"trim({_slice(field)})"
        if field.required:
            checks.append((field.name, f"{value} = ''", "required field is blank"))
        if field.kind in ("int", "usd"):
            checks.append(
                (
                    field.name,
                    f"{value} <> '' and not regexp_full_match({value}, '[0-9]+')",
                    "not a non-negative whole number",
                )
            )
        if field.pattern:
            checks.append(
                (
                    field.name,
                    f"{value} <> '' and not regexp_full_match({value}, {sql_literal(field.pattern)})",
                    f"does not match {field.pattern}",
                )
            )
    return checks


def _typed(field: Field) -> str:
    value = f"nullif(trim({_slice(field)}), '')"
    if field.kind in ("int", "usd"):
        return f"cast({value} as bigint) as {field.name}"
    return f"{value} as {field.name}"


def parse_fixed_width(con: duckdb.DuckDBPyConnection, path: Path, source_file: str, layout: Layout, target: str) -> int:
    """Parse the fixed-width file ``path`` into the TEMP table ``target`` and return its row count.

    Columns: one per layout field except ``filler`` (codes and text as VARCHAR with blanks as
    NULL, ``int``/``usd`` fields as BIGINT; USD values are whole dollars), then ``source_file``
    and ``source_record``. Line ends may be LF or CRLF; a final empty line is ignored.

    Raises ``FileNotFoundError`` when ``path`` is missing and :class:`CensusLayoutError` for an
    empty file or for the first record (in file order) with a wrong length, a blank required field, a non-numeric
    number or a code outside its pattern.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    con.execute(f"""
        create or replace temp table _atp_lines as
        with src as (
            select string_split(replace(content, chr(13), ''), chr(10)) as lines
            from read_text({sql_literal(str(path))})
        ),
        numbered as (
            select unnest(lines) as line, unnest(generate_series(1, len(lines))) as source_record,
                   len(lines) as n_lines
            from src
        )
        select line, cast(source_record as integer) as source_record
        from numbered
        where not (source_record = n_lines and line = '')
    """)
    if con.execute("select count(*) from _atp_lines").fetchone()[0] == 0:
        raise CensusLayoutError(source_file, 0, "file", "", f"file has no records ({layout.name})")
    bad_length = con.execute(
        f"select source_record, line from _atp_lines where length(line) <> {layout.record_length} "
        "order by source_record limit 1"
    ).fetchone()
    if bad_length:
        record, line = bad_length
        raise CensusLayoutError(
            source_file,
            record,
            "record length",
            line if len(line) <= 40 else line[:40] + "...",
            f"record has {len(line)} characters, {layout.name} records have {layout.record_length}",
        )
    checks = _problem_checks(layout)
    case = "case " + " ".join(f"when {cond} then {i}" for i, (_, cond, _) in enumerate(checks)) + " end"
    problem = con.execute(
        f"select source_record, line, {case} as problem from _atp_lines where ({case}) is not null "
        "order by source_record limit 1"
    ).fetchone()
    if problem:
        record, line, index = problem
        name, _, reason = checks[index]
        field = next(f for f in layout.fields if f.name == name)
        raise CensusLayoutError(
            source_file,
            record,
            f"{name} (positions {field.start}-{field.end})",
            line[field.start - 1 : field.end],
            reason,
        )
    columns = ",\n".join(_typed(f) for f in layout.fields if f.name != "filler")
    con.execute(f"""
        create or replace temp table {target} as
        select {columns}, {sql_literal(source_file)} as source_file, source_record
        from _atp_lines order by source_record
    """)
    con.execute("drop table _atp_lines")
    return con.execute(f"select count(*) from {target}").fetchone()[0]


def parse_country_trade(con: duckdb.DuckDBPyConnection, path: Path, source_file: str, target: str) -> int:
    """Parse the Census "U.S. trade in goods by country" CSV into the TEMP table ``target``.

    Input columns ``year, CTY_CODE, CTYNAME, IJAN..IDEC, IYR, EJAN..EDEC, EYR`` (millions of USD,
    source: census.gov/foreign-trade/statistics/country/). Output: ``year`` INTEGER (NULL where the
    source row has no year), ``cty_code`` and ``cty_name`` VARCHAR, the 26 value columns lower-case
    as DECIMAL(18,6) millions of USD, ``source_file``, ``source_record`` (line number, header = 1).

    Raises ``FileNotFoundError`` when missing and :class:`CensusLayoutError` for a missing column,
    a country code that is not four digits, or a value that is not a number.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    con.execute(f"""
        create or replace temp table _atp_csv as
        select *, cast(row_number() over () + 1 as integer) as source_record
        from read_csv({sql_literal(str(path))}, header = true, all_varchar = true, auto_detect = true)
    """)
    have = {row[0].lower(): row[0] for row in con.execute("describe _atp_csv").fetchall()}
    needed = ("year", "cty_code", "ctyname") + COUNTRY_TRADE_VALUE_COLUMNS
    missing = [c for c in needed if c not in have]
    if missing:
        raise CensusLayoutError(source_file, 1, "header", ",".join(have.values()), f"missing columns {missing}")
    checks = [
        ("year", f'"{have["year"]}" is not null and not regexp_full_match(trim("{have["year"]}"), \'[0-9]{{4}}\')'),
        ("CTY_CODE", f'"{have["cty_code"]}" is null or not regexp_full_match("{have["cty_code"]}", \'[0-9]{{4}}\')'),
    ]
    checks += [
        (have[c], f'"{have[c]}" is null or try_cast("{have[c]}" as decimal(18,6)) is null')
        for c in COUNTRY_TRADE_VALUE_COLUMNS
    ]
    case = "case " + " ".join(f"when {cond} then {i}" for i, (_, cond) in enumerate(checks)) + " end"
    problem = con.execute(
        f"select source_record, {case} as problem from _atp_csv "
        f"where ({case}) is not null order by source_record limit 1"
    ).fetchone()
    if problem:
        record, index = problem
        name = checks[index][0]
        column = have.get(name.lower(), name)
        value = con.execute(f'select "{column}" from _atp_csv where source_record = ?', [record]).fetchone()[0]
        raise CensusLayoutError(source_file, record, name, str(value), "not a valid code or number")
    values = ",\n".join(f'cast("{have[c]}" as decimal(18,6)) as {c}' for c in COUNTRY_TRADE_VALUE_COLUMNS)
    con.execute(f"""
        create or replace temp table {target} as
        select cast(nullif(trim("{have["year"]}"), '') as integer) as year,
               "{have["cty_code"]}" as cty_code, trim("{have["ctyname"]}") as cty_name,
               {values},
               {sql_literal(source_file)} as source_file, source_record
        from _atp_csv order by source_record
    """)
    con.execute("drop table _atp_csv")
    return con.execute(f"select count(*) from {target}").fetchone()[0]
