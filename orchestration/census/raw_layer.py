"""The raw layer in an open format: after each publish, every raw table of the published
warehouse (:data:`~orchestration.census.tables.RAW_TABLES`) is also held as Parquet, so that any
engine (DuckDB, pandas, pyarrow, polars, Spark, Trino) reads the inputs without DuckDB's file.

Layout, under ``$ATP_PARQUET_DIR`` (default: ``parquet/`` beside the DuckDB file, i.e.
``warehouse/parquet/``)::

    <table>/<year>.parquet     one file per table and year (per-year tables: the histories, the
                               lists, the country list and table, the API tables)
    <table>/all.parquet        the tables without years (the code-change files)
    <table>/empty.parquet      a table that holds no rows: its columns, no rows
    _layer.json                the build the files come from, each table's columns and types and
                               each file's rows and fingerprint

The flow is the table (``export_history``, ``import_history``, ...). Each file has the table's
columns and types, ``year`` included (a column of the file, not a ``year=`` folder name: DuckDB
would read such a folder's value as a BIGINT over the file's INTEGER, Spark as an int, and an
empty table would have no schema); each file's Parquet statistics carry its year, so engines skip
other years' files. Read a table as ``read_parquet('<dir>/<table>/*.parquet')`` (DuckDB),
``pyarrow.parquet.read_table('<dir>/<table>')`` or ``spark.read.parquet('<dir>/<table>')``.

A year's file is replaced atomically (written under a temporary name, flushed, renamed), and only
when its content changed: a history year is a copy of the year store's immutable file of that year
(its bytes as they are, no parsing; a copy, not a hard link, so that a tool writing a layer file
in place cannot change the warehouse's own file), made when the store lists a new file for the
year; a small table's year is written again when the md5 of its rows changed. Years no longer
held are removed, then ``_layer.json`` is replaced. A reader may see some years of the previous
build and some of the new one while a publish updates the folder (``_layer.json`` names the
build once it is done).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.census.parse import sql_literal
from orchestration.census.tables import RAW_TABLES, RawTable
from orchestration.census.year_store import fsync_path, newest_build, relation_kind
from orchestration.paths import (
    DEFAULT_DUCKDB_PATH,
    DEFAULT_MEMORY_LIMIT,
    DUCKDB_PATH_ENV,
    MEMORY_LIMIT_ENV,
    PARQUET_DIR_ENV,
    resolve_path,
)

#: The layer's manifest, in the layer's folder.
LAYER_MANIFEST = "_layer.json"


@dataclass(frozen=True)
class LayerResult:
    """What :func:`write_raw_layer` did: the folder, files written (or linked) and removed."""

    folder: Path
    written: int
    removed: int


def layer_folder(database: Path) -> Path:
    """The folder of the Parquet raw layer of the warehouse ``database``: ``$ATP_PARQUET_DIR``
    (a relative path is taken from the repository), else ``parquet/`` beside the DuckDB file."""
    return resolve_path("", PARQUET_DIR_ENV, str(database.parent / "parquet"))


def published_layer() -> tuple[Path, str]:
    """The Parquet raw layer of the warehouse a run publishes (``$ATP_DUCKDB_PATH``, else
    warehouse/atp.duckdb) and the build it holds, as (absolute folder, ``build_id`` of its
    ``_layer.json``): what ``make spark-build`` gives Spark to read. Raises ``FileNotFoundError``
    naming the folder when it holds no ``_layer.json`` (no publish has written it yet: ``make
    run``)."""
    folder = layer_folder(resolve_path("", DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH)).resolve()
    try:
        manifest = json.loads((folder / LAYER_MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = f"no Parquet raw layer in {folder} (no {LAYER_MANIFEST}): run `make run` first"
        raise FileNotFoundError(message) from None
    return folder, str(manifest["build_id"])


def write_raw_layer(database: Path, folder: Path | None = None) -> LayerResult:
    """Bring the Parquet raw layer (``folder``, default :func:`layer_folder`) up to date with the
    published DuckDB file ``database`` (read-only): the layout and rules of this module. Returns
    what changed. Raises ``OSError`` (writing the folder) and ``duckdb.Error`` (reading the
    warehouse); the files already replaced stay, and the next call finishes the job."""
    folder = folder or layer_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(folder)
    tables: dict[str, dict] = {}
    written = removed = 0
    limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    with duckdb.connect(str(database), read_only=True, config={"memory_limit": limit}) as con:
        build = newest_build(con)
        for table in RAW_TABLES:
            if relation_kind(con, table.name) is None:
                continue
            entry, changed, gone = _write_table(con, table, folder / table.name, previous.get(table.name, {}))
            tables[table.name] = entry
            written += changed
            removed += gone
    for stale in sorted(set(previous) - set(tables)):  # a table the warehouse no longer holds
        shutil.rmtree(folder / stale, ignore_errors=True)
        removed += 1
    manifest = {"warehouse": str(database), "build_id": build, "tables": tables}
    partial = folder / f".{LAYER_MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    fsync_path(partial)
    os.replace(partial, folder / LAYER_MANIFEST)
    return LayerResult(folder, written, removed)


def _read_manifest(folder: Path) -> dict[str, dict]:
    """The tables of the layer's manifest; empty when there is none or it cannot be read (every
    file is then checked again)."""
    try:
        return json.loads((folder / LAYER_MANIFEST).read_text(encoding="utf-8"))["tables"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_table(
    con: duckdb.DuckDBPyConnection, table: RawTable, target: Path, previous: dict
) -> tuple[dict, int, int]:
    """Write the files of one raw table into ``target``; returns its manifest entry, how many
    files were written and how many removed."""
    target.mkdir(parents=True, exist_ok=True)
    columns = con.execute(f"select column_name, column_type from (describe raw.{table.name})").fetchall()
    old_files = previous.get("files", {})
    files: dict[str, dict] = {}
    written = 0
    for key, fingerprint, rows, store_file in _parts(con, table):
        name = f"{key}.parquet"
        files[name] = {"rows": rows, "fingerprint": fingerprint}
        if old_files.get(name, {}).get("fingerprint") == fingerprint and (target / name).is_file():
            continue
        partial = target / f".{name}.partial"
        partial.unlink(missing_ok=True)
        if store_file is not None:
            shutil.copyfile(store_file, partial)
        else:
            where = "false" if key == "empty" else ("true" if key == "all" else f"year = {int(key)}")
            con.execute(
                f"copy (select * from raw.{table.name} where {where} order by all) "
                f"to {sql_literal(str(partial))} (format parquet, compression zstd)"
            )
        fsync_path(partial)
        os.replace(partial, target / name)
        written += 1
    removed = 0
    for path in target.iterdir():
        if path.name not in files:  # a year no longer held, or a partial file a crash left
            path.unlink(missing_ok=True)
            removed += 1
    fsync_path(target)
    return {"columns": [[name, kind] for name, kind in columns], "files": files}, written, removed


def _parts(con: duckdb.DuckDBPyConnection, table: RawTable) -> list[tuple[str, str, int, str | None]]:
    """(file key, fingerprint, rows, year store file or None) of each file of ``table``: a year
    store table's year is its listed file (its name is the fingerprint: a reloaded year is a new
    file); another table's year is fingerprinted by the md5 of its rows in text."""
    if table.year_store and relation_kind(con, table.name) == "view":  # else a warehouse from before the store
        listed = con.execute(
            "select year, path, rows from raw.year_store_files where raw_table = ? and path is not null order by year",
            [table.name],
        ).fetchall()
        parts = [(str(year), os.path.basename(path), rows, path) for year, path, rows in listed]
    else:
        group = "year" if table.per_year else "'all'"
        parts = [
            (str(key), digest, rows, None)
            for key, digest, rows in con.execute(
                f"select {group} as part, md5(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar))), "
                f"count(*) from raw.{table.name} as t group by part order by part"
            ).fetchall()
        ]
    if not parts:
        parts = [("empty", "empty", 0, None)]
    return parts
