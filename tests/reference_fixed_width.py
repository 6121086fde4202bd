"""The fixed-width parser as it was before the streaming rewrite (issue 9), kept as the reference
the new parser's rows are compared with, value for value and record for record, on the bundle.

It reads the whole file as one string (DuckDB ``read_text``) and scans it several times; fine for
the bundle's files, not for a real Census year. Not used by the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.census.fixed_width import choose_layout
from orchestration.census.layouts import Field, Layout
from orchestration.census.parse import CensusLayoutError, sql_literal


def _found(path: Path) -> str:
    from orchestration.census.fixed_width import record_lengths

    lengths = record_lengths(path)
    return ", ".join(f"{length} ({count:,} records)" for length, count in sorted(lengths.items()))


def _slice(field: Field) -> str:
    return f"substr(line, {field.start}, {field.width})"


def _problem_checks(layout: Layout) -> list[tuple[str, str, str]]:
    """(field name, SQL condition that is true when the field is wrong, reason) in field order."""
    checks: list[tuple[str, str, str]] = []
    for field in layout.fields:
        if field.kind == "skip":
            continue
        if field.kind == "blank":
            checks.append(
                (field.name, f"{_slice(field)} <> {sql_literal(' ' * field.width)}", "positions must be blank")
            )
            continue
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


def _read_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The file's records into TEMP table ``_atp_lines`` (line, source_record); LF or CRLF."""
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


def _first_non_utf8(path: Path) -> tuple[int, int, int]:
    """(record, 1-based position, byte) of the first byte of ``path`` that is not UTF-8."""
    with path.open("rb") as handle:
        for record, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return record, error.start + 1, line[error.start]
    return 0, 0, 0


def reference_parse_fixed_width(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source_file: str,
    layout: Layout | Sequence[Layout],
    target: str,
) -> int:
    """Parse the fixed-width file ``path`` into the TEMP table ``target`` and return its row count.

    ``layout`` is one layout, or several that the file may come in (chosen by the first record's
    length, :func:`choose_layout`). Columns: one per loaded field (:attr:`Layout.columns`: codes
    and text as VARCHAR with blanks as NULL, ``int``/``usd`` fields as BIGINT; USD values are
    whole dollars), then ``source_file`` and ``source_record``. Line ends may be LF or CRLF; a
    final empty line is ignored.

    Raises ``FileNotFoundError`` when ``path`` is missing and :class:`CensusLayoutError` for an
    empty file, a byte that is not text (naming record and position), or the first record (in
    file order) with a wrong length (naming the lengths found and expected), a blank required
    field, a non-blank gap, a non-numeric number or a code outside its pattern.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    candidates = (layout,) if isinstance(layout, Layout) else tuple(layout)
    layout = choose_layout(path, source_file, candidates) if len(candidates) > 1 else candidates[0]
    try:
        _read_lines(con, path)
    except duckdb.InvalidInputException:
        record, position, byte = _first_non_utf8(path)
        raise CensusLayoutError(
            source_file,
            record,
            f"position {position}",
            f"0x{byte:02x}",
            "not ASCII text: Census fixed-width files are ASCII (re-save the file as ASCII or UTF-8)",
        ) from None
    if con.execute("select count(*) from _atp_lines").fetchone()[0] == 0:
        raise CensusLayoutError(source_file, 0, "file", "", f"file has no records ({layout.name})")
    bad_length = con.execute(
        f"select source_record, line from _atp_lines where length(line) <> {layout.record_length} "
        "order by source_record limit 1"
    ).fetchone()
    if bad_length:
        record, line = bad_length
        expected = f"{layout.name} records have {layout.record_length}"
        if len(candidates) > 1:
            lengths = " or ".join(str(c.record_length) for c in candidates)
            expected = f"expected {lengths}, and record 1 is a {layout.name} record"
        raise CensusLayoutError(
            source_file,
            record,
            "record length",
            line if len(line) <= 40 else line[:40] + "...",
            f"record has {len(line)} characters, {expected}; lengths found: {_found(path)}",
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
    columns = ",\n".join(_typed(f) for f in layout.fields if f.is_loaded)
    con.execute(f"""
        create or replace temp table {target} as
        select {columns}, {sql_literal(source_file)} as source_file, source_record
        from _atp_lines order by source_record
    """)
    con.execute("drop table _atp_lines")
    return con.execute(f"select count(*) from {target}").fetchone()[0]
