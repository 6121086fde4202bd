"""Census fixed-width files, streamed through DuckDB's CSV reader, typed and validated in one pass.

Layouts: :mod:`orchestration.census.layouts` (Census ``EXP-STRU.TXT`` and the export history
file layouts). A file is read in three steps, none of which builds the file as one string:

1. :func:`read_lines` streams its records into a TEMP table of lines with DuckDB's CSV reader
   (one VARCHAR column, no delimiter, no quoting); the table's ``rowid`` follows file order, so
   ``rowid + 1`` is the exact record number. LF and CRLF line ends are both accepted.
2. :func:`typed_select` is the SQL that types every field of a layout from that table and checks
   it with cheap expressions (record length, required fields, digits, patterns). A record that
   fails them stops the statement with a DuckDB error carrying :data:`BAD_RECORD`; nothing is
   sorted and nothing is scanned twice.
3. Only then, :func:`first_problem` runs the exact per-field checks over the lines in record
   order and returns the first bad record as a :class:`CensusLayoutError` (file, record, field,
   value, reason).

The fast checks accept exactly what the exact checks accept, so a file either loads or gets the
error of its first bad record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import product
from pathlib import Path

import duckdb

from orchestration.census.layouts import Field, Layout
from orchestration.census.parse import CensusLayoutError, sql_literal

#: Marker of the DuckDB error a bad record raises inside :func:`typed_select`.
BAD_RECORD = "ATP_BAD_FIXED_WIDTH_RECORD"
#: Characters DuckDB's integer cast tolerates that a Census number may not hold.
_CAST_TOLERATED = ("+", "-", ".", "e", "E", "_", "x", "X", "b", "B", "\t", "\x0b", "\x0c")
#: A character no Census record holds (ASCII control codes; a tab inside a record included), as a
#: regular expression for DuckDB.
CONTROL_CHARACTERS = "[\\x00-\\x1f\\x7f]"
#: Longest record the reader accepts (bytes); a longer one is not a fixed-width file.
MAX_RECORD_BYTES = 1 << 20


def record_lengths(path: Path) -> Counter[int]:
    """How many records of each length (line ends excluded) ``path`` holds; for error messages."""
    with path.open("rb") as handle:
        return Counter(len(line.rstrip(b"\r\n")) for line in handle if line.strip(b"\r\n"))


def _expected(layouts: Sequence[Layout]) -> str:
    return " or ".join(f"{layout.record_length} ({layout.name})" for layout in layouts)


def _found(path: Path) -> str:
    lengths = record_lengths(path)
    return ", ".join(
        f"{length} ({count:,} record{'s' if count != 1 else ''})" for length, count in sorted(lengths.items())
    )


def choose_layout(path: Path, source_file: str, layouts: Sequence[Layout]) -> Layout:
    """The layout of ``layouts`` whose record length equals that of the file's first record.

    Used for the concordance, which comes as ``CONCORD.TXT`` (245) or as the Schedule B
    ``exp-code.txt`` / ``imp-code.txt`` (278); line ends (LF or CRLF) do not count. Raises
    ``FileNotFoundError`` when the file is missing and :class:`CensusLayoutError` naming the file,
    record 1, the record lengths found in the file and the lengths expected when no layout fits.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    with path.open("rb") as handle:
        first = handle.readline()
    length = len(first.rstrip(b"\r\n")) if first else None
    if length is None:
        raise CensusLayoutError(source_file, 0, "file", "", f"file has no records (expected {_expected(layouts)})")
    for layout in layouts:
        if layout.record_length == length:
            return layout
    raise CensusLayoutError(
        source_file,
        1,
        "record length",
        str(length),
        f"record has {length} characters, expected {_expected(layouts)}; lengths found: {_found(path)}",
    )


def _first_c1_byte(path: Path) -> tuple[int, int, int] | None:
    """(record, 1-based byte position, byte) of the first byte 0x80-0x9F in ``path``: the bytes
    DuckDB's Latin-1 decoder refuses (C1 control codes; in a UTF-8 file, part of a letter)."""
    with path.open("rb") as handle:
        for record, line in enumerate(handle, start=1):
            at = next((i for i, byte in enumerate(line) if 0x80 <= byte <= 0x9F), None)
            if at is not None:
                return record, at + 1, line[at]
    return None


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, source_file: str, target: str) -> int:
    """Stream the records of the text file ``path`` into the TEMP table ``target`` (one column
    ``line``; an empty line is NULL; ``rowid + 1`` is the record number) and return how many.

    Census fixed-width files are ASCII, with Latin-1 (ISO-8859-1) letters in older descriptions
    and country names ("COTE D'IVOIRE" spelt with an accented O). They are decoded as Latin-1:
    one byte is one character, so layout positions stay byte positions, and an accented letter
    in a description loads as that letter. A byte outside a text field is caught by the field's
    own check (a code or number pattern) with the file, record and positions.

    Raises ``FileNotFoundError`` when the file is missing and :class:`CensusLayoutError` naming the
    file for an empty file, a byte 0x80-0x9F (not Latin-1 text) or a control character (a NUL, a
    tab; with its record and position), or a record longer than :data:`MAX_RECORD_BYTES` (with the
    file's size: not a file of text lines).
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    with path.open("rb") as handle:
        head = handle.read(MAX_RECORD_BYTES)
    lone_cr = re.search(rb"\r(?!\n|$)", head)  # a CR last in the head may be half of a CRLF the read cut
    if lone_cr is not None:
        raise CensusLayoutError(
            source_file,
            head.count(b"\n", 0, lone_cr.start()) + 1,
            "line end",
            "CR",
            "a line ending in CR alone (a classic Mac OS file?): Census files end lines with CRLF or LF; "
            "convert the line ends",
        )
    reader = (
        f"read_csv({sql_literal(str(path))}, columns = {{'line': 'VARCHAR'}}, header = false, "
        "delim = '\x01', quote = '', escape = '', auto_detect = false, strict_mode = false, "
        f"new_line = '\\r\\n', encoding = 'latin-1', max_line_size = {MAX_RECORD_BYTES})"
    )
    try:
        con.execute(f"create or replace temp table {target} as select line from {reader}")
    except duckdb.Error as error:
        control = _first_c1_byte(path)
        if control is not None:
            record, position, byte = control
            raise CensusLayoutError(
                source_file,
                record,
                f"position {position}",
                f"0x{byte:02x}",
                "not Latin-1 text (bytes 0x80-0x9F are control codes there; a UTF-8 or Windows-1252 file?): "
                "Census fixed-width files are ASCII, with Latin-1 letters in older descriptions",
            ) from None
        size = path.stat().st_size
        raise CensusLayoutError(
            source_file,
            0,
            "file",
            f"{size:,} bytes",
            f"cannot be read as lines of text (a record over {MAX_RECORD_BYTES:,} bytes, or line ends other "
            f"than LF or CRLF?): {str(error).splitlines()[0]}",
        ) from None
    rows, control = con.execute(
        f"select count(*), min(rowid) filter (where regexp_matches(line, '{CONTROL_CHARACTERS}')) from {target}"
    ).fetchone()
    if rows == 0:
        raise CensusLayoutError(source_file, 0, "file", "", "file has no records")
    if control is not None:
        line = con.execute(f"select line from {target} where rowid = {control}").fetchone()[0]
        at = next(i for i, c in enumerate(line) if ord(c) < 0x20 or ord(c) == 0x7F)
        raise CensusLayoutError(
            source_file,
            control + 1,
            f"position {at + 1}",
            f"0x{ord(line[at]):02x}",
            "a control character (not text): Census fixed-width records hold letters, digits, blanks and "
            "punctuation only",
        )
    return rows


def _slice(field: Field) -> str:
    return f"substr(line, {field.start}, {field.width})"


def _digit_strings(pattern: str, width: int) -> list[str] | None:
    """Every string of 1 to ``width`` digits that fully matches ``pattern``, when the pattern can
    only match digits (so an IN list on the trimmed value checks it without a regular
    expression); None for a wider field or a pattern that may match other characters."""
    if width > 2:
        return None
    candidates = ["".join(d) for n in range(1, width + 1) for d in product("0123456789", repeat=n)]
    probes = [c * n for c in " +-.aAxX_" for n in range(1, width + 1)]
    if any(re.fullmatch(pattern, p) for p in probes):
        return None
    return [c for c in candidates if re.fullmatch(pattern, c)]


def _is_digits_pattern(field: Field) -> bool:
    return field.pattern == f"[0-9]{{{field.width}}}" or (field.width == 1 and field.pattern == "[0-9]")


def _fast_checks(layout: Layout) -> list[str]:
    """SQL conditions over the slices ``s_<field>`` and typed columns of :func:`typed_select`,
    true for a record that may be bad; together they accept exactly the records
    :func:`_exact_checks` accepts (a test corrupts every position of a record to check it)."""
    checks = [f"coalesce(length(line), 0) <> {layout.record_length}"]
    numeric_runs: list[list[int]] = []
    for field in layout.fields:
        value = f"s_{field.name}"
        blank = sql_literal(" " * field.width)
        if field.kind == "skip":
            continue
        if field.kind == "blank":
            checks.append(f"{value} <> {blank}")
            continue
        if field.required:
            checks.append(f"{value} = {blank}")
        numeric = field.kind in ("int", "usd") or _is_digits_pattern(field)
        if field.kind in ("int", "usd"):
            # the typed column is NULL for a blank field or one DuckDB cannot read as a number
            checks.append(f"({field.name} is null and {value} <> {blank})")
        if field.pattern and _is_digits_pattern(field):
            if field.kind not in ("int", "usd"):
                checks.append(f"({value} <> {blank} and try_cast({value} as ubigint) is null)")
            checks.append(f"({value} <> {blank} and contains({value}, ' '))")
        elif field.pattern:
            allowed = _digit_strings(field.pattern, field.width)
            condition = (
                f"trim({value}) not in ({', '.join(sql_literal(a) for a in allowed)})"
                if allowed is not None
                else f"not regexp_full_match(trim({value}), {sql_literal(field.pattern)})"
            )
            checks.append(f"(trim({value}) <> '' and {condition})")
        if numeric:
            if numeric_runs and numeric_runs[-1][1] == field.start - 1:
                numeric_runs[-1][1] = field.end
            else:
                numeric_runs.append([field.start, field.end])
    for start, end in numeric_runs:
        run = f"substr(line, {start}, {end - start + 1})"
        checks.extend(f"contains({run}, {sql_literal(c)})" for c in _CAST_TOLERATED)
    return checks


def typed_select(layout: Layout, lines: str, source_file: str, extra: str = "", guard: bool = True) -> str:
    """SQL that types the records of the TEMP lines table ``lines`` in ``layout``: one column per
    loaded field (codes and text VARCHAR with blanks as NULL, ``int``/``usd`` BIGINT, USD whole
    dollars), ``extra`` columns, ``source_file`` and ``source_record`` (``rowid + 1``). With
    ``guard``, a record that may be bad makes the statement fail with a DuckDB error carrying
    :data:`BAD_RECORD` (then call :func:`first_problem` for the exact error); without it, the
    records must have been checked already. Each field is sliced once and cast once."""
    names = ", ".join(f.name for f in layout.fields if f.is_loaded)
    record = "record"
    if guard:
        record = f"case when {' or '.join(_fast_checks(layout))} then error({sql_literal(BAD_RECORD)}) else record end"
    return f"""
        select {names}{extra}, {sql_literal(source_file)} as source_file, cast({record} as integer) as source_record
        from (
            select *, {_typed_columns(layout)}
            from (select {_slices(layout)}, line, rowid + 1 as record from {lines})
        )
    """


def _slices(layout: Layout) -> str:
    """SQL: each field's positions of the record, as ``s_<field>``."""
    return ", ".join(f"{_slice(f)} as s_{f.name}" for f in layout.fields if f.kind != "skip")


def _typed_columns(layout: Layout) -> str:
    """SQL: each loaded field typed from its slice (``int``/``usd`` BIGINT, blanks NULL; codes
    and text trimmed, blanks NULL)."""
    return ", ".join(
        f"try_cast(s_{f.name} as bigint) as {f.name}"
        if f.kind in ("int", "usd")
        else f"nullif(trim(s_{f.name}), '') as {f.name}"
        for f in layout.fields
        if f.is_loaded
    )


def _exact_checks(layout: Layout) -> list[tuple[str, str, str]]:
    """(field name, SQL condition true when the field is wrong, reason) in field order: the
    rules of the Census layouts, checked record by record for the error message."""
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


def first_problem(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    layout: Layout,
    source_file: str,
    path: Path,
    candidates: Sequence[Layout] = (),
) -> CensusLayoutError | None:
    """The first bad record of the TEMP lines table ``lines`` in record order, as the error to
    raise: a record of the wrong length (naming the lengths found in the file and the lengths
    expected; ``candidates`` are the layouts the file could have had), or the first field of the
    first record that breaks the layout. None when every record is good."""
    bad_length = con.execute(
        f"select rowid + 1, coalesce(line, '') from {lines} where coalesce(length(line), 0) <> {layout.record_length} "
        "order by rowid limit 1"
    ).fetchone()
    if bad_length:
        record, line = bad_length
        expected = f"{layout.name} records have {layout.record_length}"
        if len(candidates) > 1:
            expected = f"expected {_expected(candidates)}, and record 1 is a {layout.name} record"
        return CensusLayoutError(
            source_file,
            record,
            "record length",
            line if len(line) <= 40 else line[:40] + "...",
            f"record has {len(line)} characters, {expected}; lengths found: {_found(path)}",
        )
    checks = _exact_checks(layout)
    case = "case " + " ".join(f"when {cond} then {i}" for i, (_, cond, _) in enumerate(checks)) + " end"
    problem = con.execute(
        f"select rowid + 1, line, {case} as problem from {lines} where ({case}) is not null order by rowid limit 1"
    ).fetchone()
    if not problem:
        return None
    record, line, index = problem
    name, _, reason = checks[index]
    field = next(f for f in layout.fields if f.name == name)
    return CensusLayoutError(
        source_file, record, f"{name} (positions {field.start}-{field.end})", line[field.start - 1 : field.end], reason
    )


def is_bad_record_error(error: BaseException) -> bool:
    """Whether a DuckDB error is the one :func:`typed_select` raises for a bad record."""
    return isinstance(error, duckdb.Error) and BAD_RECORD in str(error)


def parse_fixed_width(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source_file: str,
    layout: Layout | Sequence[Layout],
    target: str,
) -> int:
    """Parse the fixed-width file ``path`` into the TEMP table ``target`` and return its row count.

    ``layout`` is one layout, or several that the file may come in (chosen by the first record's
    length, :func:`choose_layout`). Columns: one per loaded field (:attr:`Layout.columns`), then
    ``source_file`` and ``source_record``. Line ends may be LF or CRLF; a final empty line is
    ignored. For a small file or a check; the loader inserts :func:`typed_select` straight into
    the warehouse instead of building this table.

    Raises ``FileNotFoundError`` when ``path`` is missing and :class:`CensusLayoutError` for an
    empty file, a byte that is not text (naming record and position), or the first record (in
    file order) with a wrong length (naming the lengths found and expected), a blank required
    field, a non-blank gap, a non-numeric number or a code outside its pattern.
    """
    candidates = (layout,) if isinstance(layout, Layout) else tuple(layout)
    chosen = choose_layout(path, source_file, candidates) if len(candidates) > 1 else candidates[0]
    lines = f"_atp_lines_{target}"
    read_lines(con, path, source_file, lines)
    try:
        con.execute(f"create or replace temp table {target} as {typed_select(chosen, lines, source_file)}")
    except duckdb.Error as error:
        if not is_bad_record_error(error):
            raise
        problem = first_problem(con, lines, chosen, source_file, path, candidates)
        if problem is not None:
            raise problem from None
        # the cheap checks are stricter than the Census rules here: type the checked records
        con.execute(f"create or replace temp table {target} as {typed_select(chosen, lines, source_file, guard=False)}")
    finally:
        con.execute(f"drop table if exists {lines}")
    return con.execute(f"select count(*) from {target}").fetchone()[0]
