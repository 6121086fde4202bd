"""Swapping a year of a raw table in, in one transaction: delete the year's rows, insert the
staged ones, check them (the year column equals the loaded year, the key is unique), record every
input file in ``raw.source_files`` (origin, sha256, records, vintage, URL) and, for tables that
keep revisions, the values that changed since the last load in ``raw.<table>_revisions``; then
commit. Any error rolls back: the previous rows of the year stay exactly as they were, and
readers never see a half-loaded year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.census import year_store
from orchestration.census.parse import CensusLayoutError, sql_literal
from orchestration.census.tables import RawTable
from orchestration.provenance import SYNTHETIC

#: Appended to every raw table comment.
PROVENANCE_NOTE = (
    " Every row keeps source_file and source_record; is_synthetic = true marks rows from the "
    "SYNTHETIC bundled sample (not Census data): files the input folder's manifest.json marks synthetic "
    "and whose sha256 matches it (raw.source_files.origin; 'unverified' files load with is_synthetic = false)."
)

SOURCE_FILES_COLUMNS = (
    ("year", "integer"),
    ("raw_table", "varchar"),
    ("source_file", "varchar"),
    ("origin", "varchar"),
    ("sha256", "varchar"),
    ("file_records", "integer"),
    ("rows_loaded", "integer"),
    ("loaded_at", "timestamp"),
    ("source_url", "varchar"),
    ("vintage", "varchar"),
    ("previous_sha256", "varchar"),
    ("origin_note", "varchar"),
)
SOURCE_FILES_DESCRIPTION = (
    "Every input file behind each loaded year of each raw table: path relative to the input folder, origin "
    "('census'; 'synthetic': the SYNTHETIC sample; 'unverified': listed in the folder's manifest.json but its "
    "sha256 differs from the entry's, or the entry has none), sha256, records in the file, rows loaded for the "
    "year, when, the URL it was downloaded from (API key redacted), its vintage (YYYY-MM, the last month with "
    "data, for the country table), the sha256 of the file it replaced (null for a first load; equal to sha256 "
    "when the file did not change) and, for an unverified file, why (origin_note)."
)


def ensure_source_files(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw`` and ``raw.source_files`` if missing (adding the columns a table made
    by an older version lacks)."""
    con.execute("create schema if not exists raw")
    _ensure_table(con, "raw.source_files", SOURCE_FILES_COLUMNS)
    con.execute(f"comment on table raw.source_files is {sql_literal(SOURCE_FILES_DESCRIPTION)}")


def _ensure_table(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[tuple[str, str]]) -> None:
    con.execute(f"create table if not exists {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
    for column, kind in columns:
        con.execute(f"alter table {name} add column if not exists {column} {kind}")


@dataclass(frozen=True)
class SourceFile:
    """A file a year's rows come from: path relative to the input (or landing) folder, origin
    (``census``, ``synthetic`` or ``unverified``:
    :func:`~orchestration.census.input_manifest.file_origin`), sha256, records in the file, the
    URL it was downloaded from (API key redacted; None for local files), its vintage
    (``YYYY-MM``) where known, and for an unverified file why (``origin_note``)."""

    source_file: str
    origin: str
    sha256: str
    file_records: int
    source_url: str | None = None
    vintage: str | None = None
    origin_note: str | None = None


def _check(con: duckdb.DuckDBPyConnection, table: RawTable, year: int | None, loaded: str | None = None) -> None:
    """Raise :class:`CensusLayoutError` for the first loaded record of another year, or the first
    duplicated key, among the rows of ``year`` just inserted (inside the swap's transaction), or
    among the rows of the TEMP table ``loaded`` (a year store table's year)."""
    rows = loaded or f"(select * from raw.{table.name} where {f'year = {int(year)}' if table.per_year else 'true'})"
    if table.year_column:
        wrong = con.execute(
            f"select source_file, source_record, {table.year_column} from {rows} "
            f"where {table.year_column} is distinct from year order by source_file, source_record limit 1"
        ).fetchone()
        if wrong:
            raise CensusLayoutError(
                wrong[0], wrong[1], table.year_column, str(wrong[2]), f"record belongs to {wrong[2]}, loaded as {year}"
            )
    if table.key:
        scope = ["source_file"] if table.key_scope == "file" else []
        group = ", ".join(scope + list(table.key))
        if not con.execute(
            f"select count(*) from (select 1 from {rows} group by {group} having count(*) > 1)"
        ).fetchone()[0]:
            return
        dupe = con.execute(
            f"select min(source_file), list(source_record order by source_file, source_record), count(*), "
            f"{', '.join(table.key)} from {rows} group by {group} having count(*) > 1 "
            "order by min(source_file), min(source_record) limit 1"
        ).fetchone()
        source_file, records, count, *values = dupe
        where = "the year's list" if table.key_scope == "file" else f"{table.name} {year}"
        raise CensusLayoutError(
            source_file,
            records[1],
            ", ".join(table.key),
            " ".join("" if v is None else str(v) for v in values),
            f"duplicate: {count} records of {where} have this key (records {', '.join(map(str, records[:5]))})",
        )


def _revision_columns(table: RawTable) -> list[tuple[str, str]]:
    kinds = dict(table.columns)
    value_type = kinds[table.revision_columns[0]]
    return [
        ("loaded_at", "timestamp"),
        ("year", "integer"),
        *((k, kinds[k]) for k in table.key),
        ("measure", "varchar"),
        ("old_value", value_type),
        ("new_value", value_type),
        ("difference", value_type),
        ("old_source_file", "varchar"),
        ("old_sha256", "varchar"),
        ("old_vintage", "varchar"),
        ("new_source_file", "varchar"),
        ("new_sha256", "varchar"),
        ("new_vintage", "varchar"),
    ]


def _record_revisions(
    con: duckdb.DuckDBPyConnection, table: RawTable, year: int, staged: str, new: SourceFile, loaded_at: datetime
) -> int:
    """Insert into ``raw.<table>_revisions`` (created if missing, so it exists from the first
    load) every value of ``year`` that differs between the rows held and the rows staged (a key
    present on one side only counts too); returns how many."""
    target = f"raw.{table.name}_revisions"
    _ensure_table(con, target, _revision_columns(table))
    con.execute(
        f"comment on table {target} is "
        + sql_literal(
            f"Revisions of raw.{table.name}: one row per loaded_at x year x key x measure whose value changed when "
            "a newer file was loaded over an older one (old_value, new_value, difference = new - old; units as in "
            f"raw.{table.name})."
        )
    )
    held = con.execute(f"select count(*) from raw.{table.name} where year = ?", [year]).fetchone()[0]
    if not held:
        return 0
    old = con.execute(
        "select source_file, sha256, vintage from raw.source_files where year = ? and raw_table = ? limit 1",
        [year, table.name],
    ).fetchone() or (None, None, None)
    keys = ", ".join(f"coalesce(n.{k}, o.{k}) as {k}" for k in table.key)
    join = " and ".join(f"o.{k} = n.{k}" for k in table.key)
    before = con.execute(f"select count(*) from {target}").fetchone()[0]
    for column in table.revision_columns:
        con.execute(
            f"""
            insert into {target} by name
            select ? as loaded_at, {int(year)} as year, {keys}, {sql_literal(column)} as measure,
                   o.{column} as old_value, n.{column} as new_value,
                   coalesce(n.{column}, 0) - coalesce(o.{column}, 0) as difference,
                   ? as old_source_file, ? as old_sha256, ? as old_vintage,
                   ? as new_source_file, ? as new_sha256, ? as new_vintage
            from (select * from raw.{table.name} where year = {int(year)}) o
            full join {staged} n on {join}
            where o.{column} is distinct from n.{column}
            """,
            [loaded_at, *old, new.source_file, new.sha256, new.vintage],
        )
    return con.execute(f"select count(*) from {target}").fetchone()[0] - before


def swap(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    year: int | None,
    staged: str | None,
    files: Sequence[SourceFile],
) -> tuple[int, int]:
    """Replace ``year``'s rows of ``raw.<table.name>`` (all rows when the table is not per year)
    with the TEMP table or view ``staged`` (None: no rows) in one transaction: delete, insert,
    check (:func:`_check`), record ``files`` in ``raw.source_files`` and, for tables with
    ``revision_columns``, what changed in ``raw.<table>_revisions``. Returns (rows loaded,
    revisions recorded).

    ``staged`` has the table's columns except ``is_synthetic``, which is set from each row's
    ``source_file`` origin. Any error rolls back: the year's previous rows stay as they were. A
    year store table's year is written to a new Parquet file instead (:func:`_swap_year_file`).
    """
    synthetic = [f.source_file for f in files if f.origin == SYNTHETIC]
    synthetic_sql = "false" if not synthetic else f"source_file in ({', '.join(sql_literal(f) for f in synthetic)})"
    year_filter = f"year = {int(year)}" if table.per_year else "true"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ensure_source_files(con)
    columns = ([("year", "integer")] if table.per_year else []) + list(table.columns)
    columns += [("source_file", "varchar"), ("source_record", "integer"), ("is_synthetic", "boolean")]
    if table.year_store:
        return _swap_year_file(con, table, int(year), staged, files, synthetic_sql, columns, loaded_at)
    con.execute("begin transaction")
    try:
        _ensure_table(con, f"raw.{table.name}", columns)
        con.execute(f"comment on table raw.{table.name} is {sql_literal(table.description + PROVENANCE_NOTE)}")
        revisions = 0
        if staged is not None and table.revision_columns and files:
            revisions = _record_revisions(con, table, int(year), staged, files[0], loaded_at)
        con.execute(f"delete from raw.{table.name} where {year_filter}")
        if staged is not None:
            con.execute(f"insert into raw.{table.name} by name select *, {synthetic_sql} as is_synthetic from {staged}")
            _check(con, table, year)
        rows_by_file = _record_files(con, table, year, files, loaded_at)
        rows = sum(rows_by_file.values())
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return rows, revisions


def _swap_year_file(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    year: int,
    staged: str | None,
    files: Sequence[SourceFile],
    synthetic_sql: str,
    columns: Sequence[tuple[str, str]],
    loaded_at: datetime,
) -> tuple[int, int]:
    """:func:`swap` for a year store table (:mod:`~orchestration.census.year_store`): the staged
    rows go to a TEMP table, are checked there, written to a new Parquet file; then one transaction
    lists that file for the year, redefines the view ``raw.<table>`` and records the files (a year
    store table has no revision columns: :class:`~orchestration.census.tables.RawTable`); returns
    (rows loaded, 0 revisions). Any error before the commit leaves the year's previous file listed."""
    description = table.description + PROVENANCE_NOTE
    year_store.move_table_into_store(con, table.name, columns, description)
    loaded = f"_atp_year_{table.name}"
    path, rows = None, 0
    try:
        if staged is not None:
            con.execute(
                f"create or replace temp table {loaded} ({', '.join(f'{name} {kind}' for name, kind in columns)})"
            )
            con.execute(f"insert into {loaded} by name select *, {synthetic_sql} as is_synthetic from {staged}")
            _check(con, table, year, loaded)
            rows = con.execute(f"select count(*) from {loaded}").fetchone()[0]
            path = year_store.write_year_file(con, table.name, year, loaded)
        con.execute("begin transaction")
        try:
            year_store.list_year_file(con, table.name, year, path, rows, year_store.copied_build(con))
            year_store.define_view(con, table.name, columns, description)
            rows_by_file = _record_files(con, table, year, files, loaded_at, loaded if staged is not None else None)
            con.execute("commit")
        except BaseException:
            _rollback(con)
            raise
    finally:
        con.execute(f"drop table if exists {loaded}")
    return sum(rows_by_file.values()), 0


def _record_files(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    year: int | None,
    files: Sequence[SourceFile],
    loaded_at: datetime,
    loaded: str | None = None,
) -> dict[str, int]:
    """Record ``files`` as the input of ``year`` of ``table`` in ``raw.source_files`` (replacing
    the year's rows there; each file's previous sha256 kept), inside the swap's transaction.
    Returns the rows of the year loaded from each file (counted in ``raw.<table>``, or in the
    TEMP table ``loaded`` of a year store table's year)."""
    year_filter = f"year = {int(year)}" if table.per_year else "true"
    source_filter = f"year = {int(year)}" if table.per_year else "year is null"
    counted = loaded or f"raw.{table.name} where {year_filter}"
    rows_by_file = dict(con.execute(f"select source_file, count(*) from {counted} group by 1").fetchall())
    previous = dict(
        con.execute(
            f"select source_file, sha256 from raw.source_files where {source_filter} and raw_table = ?", [table.name]
        ).fetchall()
    )
    con.execute(f"delete from raw.source_files where {source_filter} and raw_table = ?", [table.name])
    for f in files:
        con.execute(
            "insert into raw.source_files by name select ? as year, ? as raw_table, ? as source_file, "
            "? as origin, ? as sha256, ? as file_records, ? as rows_loaded, ? as loaded_at, ? as source_url, "
            "? as vintage, ? as previous_sha256, ? as origin_note",
            [
                year,
                table.name,
                f.source_file,
                f.origin,
                f.sha256,
                f.file_records,
                rows_by_file.get(f.source_file, 0),
                loaded_at,
                f.source_url,
                f.vintage,
                previous.get(f.source_file),
                f.origin_note,
            ],
        )
    return rows_by_file


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if there still is one: a statement that failed on a full
    disk or a failed commit has already ended it, and the error to report is that failure (say,
    "No space left on device" on the write-ahead log), not "no transaction is active"."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:
        pass
