"""The year store: the rows of the large per-year raw tables (the export and import histories,
millions of records a year) kept as one immutable Parquet file per table and year, outside the
DuckDB file, so that a run's candidate copy of the warehouse does not copy them (issue 21:
a publish whose cost does not grow with the warehouse).

In the DuckDB file, ``raw.<table>`` is a **view** over exactly the files listed for it in
``raw.year_store_files`` (one row per table and year: its Parquet file, absolute path). Loading a
year writes a new file under a name never used before
(``<store>/<table>/year=<year>/<uuid>.parquet``), then, in one DuckDB transaction, points the
year's row of ``raw.year_store_files`` at it and redefines the view. Until the candidate file is
published (renamed over the published one), readers of the published file see the old files, which
are never written again; a run killed at any point leaves only files nobody lists.

A file the new build no longer lists is deleted only at the publish after next
(:func:`collect_garbage`: a reader still holding the previous build keeps its files until then):
it is recorded in :data:`RETIRED_TABLE` with the published build the candidate was copied from
(the build whose readers may still read it; a re-execution continuing a failed run's candidate
has the same one). Files nobody lists (a killed or failed run's) are deleted at the next publish.
Paths are compared resolved (``os.path.realpath``), so one warehouse reached by two spellings of
its path (a symbolic link) is one store.

The store folder is ``<warehouse folder>/<warehouse file stem>.years/`` of the published file:
the warehouse resource sets it on each connection (DuckDB variable :data:`STORE_VARIABLE`); a
connection without it uses the folder beside its own DuckDB file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.census.parse import sql_literal
from orchestration.inspector import listed_year_files

#: The DuckDB variable that names the year store's folder on a connection.
STORE_VARIABLE = "atp_year_store"
#: The table listing the Parquet file of each year of each year-store table.
FILES_TABLE = "raw.year_store_files"
#: Files replaced by a build: kept until the publish after next (readers of the previous build).
RETIRED_TABLE = "raw.year_store_retired"

FILES_DESCRIPTION = (
    "The year store: the Parquet file (absolute path) holding each year's rows of the per-year history tables "
    "raw.export_history and raw.import_history, which are views over exactly these files; rows = the file's "
    "rows; written_at = when the year was loaded. Files are immutable: a year loaded again is written to a new "
    "file."
)


def store_folder_for(database: Path) -> Path:
    """The year store folder of the warehouse file ``database``: ``<folder>/<stem>.years``."""
    return database.parent / f"{database.stem}.years"


def store_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """The year store folder of a connection: the variable :data:`STORE_VARIABLE` when set (the
    warehouse resource sets that of the published file), else :func:`store_folder_for` its own
    DuckDB file. Raises ``ValueError`` for an in-memory connection without the variable."""
    folder = con.execute(f"select getvariable('{STORE_VARIABLE}')").fetchone()[0]
    if folder:
        return Path(folder)
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    if not path or path == ":memory:":
        raise ValueError(f"an in-memory DuckDB connection has no year store: set variable {STORE_VARIABLE}")
    return store_folder_for(Path(path).resolve())


def set_store_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Name the year store folder of the connection (:data:`STORE_VARIABLE`)."""
    con.execute(f"set variable {STORE_VARIABLE} = {sql_literal(str(folder))}")


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {FILES_TABLE} (raw_table varchar, year integer, path varchar, rows bigint, "
        "written_at timestamp)"
    )
    con.execute(f"comment on table {FILES_TABLE} is {sql_literal(FILES_DESCRIPTION)}")
    con.execute(f"create table if not exists {RETIRED_TABLE} (path varchar, build_id varchar)")
    con.execute(
        f"comment on table {RETIRED_TABLE} is 'Year store files a build stopped listing (path, the build that "
        "replaced them): kept on disk until the next publish, for readers of the previous build.'"
    )


def relation_kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """``'table'``, ``'view'`` or None: what ``raw.<name>`` is in the connected file."""
    row = con.execute(
        "select 'table' from duckdb_tables() where schema_name = 'raw' and table_name = ? and not temporary "
        "union all select 'view' from duckdb_views() where schema_name = 'raw' and view_name = ? and not temporary",
        [name, name],
    ).fetchone()
    return row[0] if row else None


def write_year_file(con: duckdb.DuckDBPyConnection, table: str, year: int, relation: str) -> Path:
    """Write the rows of ``relation`` (a TEMP table holding ``year``'s rows of ``raw.<table>``, in
    its column order) to a new Parquet file of the year store; returns its path. Written under a
    temporary name, then renamed: a file with a ``.parquet`` name is whole."""
    folder = store_folder(con) / table / f"year={int(year)}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.parquet"
    partial = path.with_name(f".{path.name}.partial")
    con.execute(f"copy {relation} to {sql_literal(str(partial))} (format parquet, compression zstd)")
    fsync_path(partial)
    os.replace(partial, path)
    fsync_path(folder)  # the rename is on disk before the DuckDB transaction that lists the file
    return path


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def define_view(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[tuple[str, str]], description: str
) -> None:
    """(Re)define the view ``raw.<table>`` over the files listed for it in :data:`FILES_TABLE`
    (``columns``: (name, DuckDB type) in order; no file: no rows, same columns), with
    ``description`` as its comment. Inside the caller's transaction. The files are read with
    ``hive_partitioning = false``: their folders are named ``year=<y>``, and DuckDB would otherwise
    add the folder's ``year`` (a BIGINT) over the file's own column (the declared type), which
    DuckDB 1.5.6 fails on in joins filtered by year (INTERNAL Error: "SetMin or SetMax called with
    Value that does not match statistics' column value"; tests/test_year_store.py)."""
    paths = [
        r[0]
        for r in con.execute(f"select path from {FILES_TABLE} where raw_table = ? order by year", [table]).fetchall()
    ]
    names = ", ".join(name for name, _ in columns)
    if paths:
        files = ", ".join(sql_literal(p) for p in paths)
        body = f"select {names} from read_parquet([{files}], hive_partitioning = false)"
    else:
        body = "select " + ", ".join(f"cast(null as {kind}) as {name}" for name, kind in columns) + " where false"
    con.execute(f"create or replace view raw.{table} as {body}")
    con.execute(f"comment on view raw.{table} is {sql_literal(description)}")


def list_year_file(
    con: duckdb.DuckDBPyConnection, table: str, year: int, path: Path | None, rows: int, build_id: str | None
) -> None:
    """Point ``year`` of ``table`` at ``path`` (None: the year has no rows) in
    :data:`FILES_TABLE`, retiring the file it listed before (:data:`RETIRED_TABLE`, with
    ``build_id``: the published build the candidate was copied from, :func:`copied_build`).
    Inside the caller's transaction."""
    _ensure_tables(con)
    old = con.execute(f"select path from {FILES_TABLE} where raw_table = ? and year = ?", [table, year]).fetchall()
    for (old_path,) in old:
        con.execute(f"insert into {RETIRED_TABLE} values (?, ?)", [old_path, build_id])
    con.execute(f"delete from {FILES_TABLE} where raw_table = ? and year = ?", [table, year])
    if path is not None:
        con.execute(
            f"insert into {FILES_TABLE} values (?, ?, ?, ?, current_timestamp::timestamp)",
            [table, year, str(path), rows],
        )


def move_table_into_store(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[tuple[str, str]], description: str
) -> None:
    """Move a ``raw.<table>`` held as a DuckDB table (a warehouse built before the year store)
    into the store: each year's rows to a file, then the table replaced by the view. Nothing to do
    when it is already a view or does not exist."""
    if relation_kind(con, table) != "table":
        return
    _ensure_tables(con)
    years = [r[0] for r in con.execute(f"select distinct year from raw.{table} order by 1").fetchall()]
    names = ", ".join(name for name, _ in columns)
    written = []
    for year in years:
        con.execute(f"create or replace temp table _atp_move as select {names} from raw.{table} where year = {year}")
        rows = con.execute("select count(*) from _atp_move").fetchone()[0]
        written.append((year, write_year_file(con, table, year, "_atp_move"), rows))
    con.execute("drop table if exists _atp_move")
    con.execute("begin transaction")
    try:
        for year, path, rows in written:
            list_year_file(con, table, year, path, rows, None)
        con.execute(f"drop table raw.{table}")
        define_view(con, table, columns, description)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def newest_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest build recorded in ``meta.builds`` of the connected file; None without one."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'builds'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("select build_id from meta.builds order by built_at desc, build_id desc limit 1").fetchone()
    return row[0] if row else None


def copied_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The published build the connected candidate was copied from (``based_on_build`` of its
    newest ``meta.builds`` row); None for a first build or a file without builds."""
    newest = newest_build(con)
    if newest is None:
        return None
    row = con.execute("select based_on_build from meta.builds where build_id = ?", [newest]).fetchone()
    return row[0] if row else None


def referenced_files(warehouse: Path) -> tuple[str | None, set[str]]:
    """The newest build of the DuckDB file ``warehouse`` and the year store files it lists or
    keeps for readers of the build it replaced (:data:`FILES_TABLE`, and the
    :data:`RETIRED_TABLE` rows of its :func:`copied_build`), resolved
    (``os.path.realpath``)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        build = newest_build(con)
        if relation_kind(con, "year_store_files") is None:
            return build, set()
        listed = set(listed_year_files(con))
        retired = con.execute(f"select path from {RETIRED_TABLE} where build_id = ?", [copied_build(con)])
        return build, {os.path.realpath(p) for p in listed | {r[0] for r in retired.fetchall()}}


def collect_garbage(database: Path, keep: set[str]) -> int:
    """Delete the files of the year store of the published ``database`` that are not in ``keep``
    (resolved paths: what the published build lists or keeps, :func:`referenced_files`, read
    from the candidate before it was renamed); returns how many. Called after a publish, under
    the writer lock."""
    folder = store_folder_for(database)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.rglob("*"):
        if path.is_file() and os.path.realpath(path) not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
