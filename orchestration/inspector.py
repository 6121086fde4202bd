"""Reading the published warehouse from the console (``atp sql``, ``atp tables``, ``atp summary``):
a read-only DuckDB connection that cannot write or escape, query results formatted by Python, and
``--output`` files written atomically, never inside the warehouse's own folders.

The connection (:func:`open_reader`) is opened ``read_only`` with DuckDB's guards for untrusted
SQL (DuckDB docs, "Securing DuckDB"): ``enable_external_access = false`` (no ``COPY ... TO``, no
``ATTACH``, no ``INSTALL``/``LOAD``, no file-reading functions such as ``read_text`` or
``read_csv``), extension autoloading and autoinstalling off, and ``lock_configuration = true``
(a query cannot ``SET`` them back). The only files it may open are the year store's Parquet files
the warehouse lists (``allowed_paths``: what ``raw.export_history`` and ``raw.import_history``
read, :mod:`orchestration.census.year_store`), and :func:`query_text` refuses ``COPY`` and
``EXPORT`` (which could otherwise write over those files).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.files import write_text_file

#: DuckDB settings of every console reader (read-only, no file system, no extensions, locked).
GUARDS = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}
#: ``--format`` of ``atp sql``.
FORMATS = ("table", "csv", "json", "markdown")


class WarehouseUnreadable(RuntimeError):
    """The warehouse file is missing, damaged or not a DuckDB file; the message (one line) names
    it and the command that rebuilds it."""


@contextmanager
def open_reader(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A guarded read-only connection to the DuckDB file ``path`` (:data:`GUARDS`).

    Raises :class:`WarehouseUnreadable` (one line, the file and ``make run``) when the file is
    missing, is a folder, or is not a readable DuckDB database (damaged, truncated, another kind
    of file)."""
    if not path.exists():
        raise WarehouseUnreadable(f"no warehouse at {path}: build it with `make run`")
    if not path.is_file():
        raise WarehouseUnreadable(f"{path} is not a file: remove it, then build the warehouse with `make run`")
    try:
        with duckdb.connect(str(path), read_only=True, config={"enable_external_access": False}) as listing:
            store_files = listed_year_files(listing)
        # allowed_paths must be set while external access is on; then the guards, locked
        guards = {k: v for k, v in GUARDS.items() if k not in ("enable_external_access", "lock_configuration")}
        con = duckdb.connect(str(path), read_only=True, config=guards)
        con.execute("set allowed_paths = $paths", {"paths": store_files})
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise WarehouseUnreadable(
            f"{path} is not a readable DuckDB warehouse ({first[:160]}): move it away and rebuild it with `make run`"
        ) from None
    try:
        yield con
    finally:
        con.close()


def listed_year_files(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The year store files the connected warehouse lists (``raw.year_store_files``); empty for a
    warehouse without a year store."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'year_store_files'"
    ).fetchone()[0]
    return [r[0] for r in con.execute("select path from raw.year_store_files").fetchall()] if exists else []


#: The statement types :func:`query_text` refuses before DuckDB sees them: those that write files
#: (DuckDB's guards refuse every other write, file or extension themselves).
FILE_WRITING_STATEMENTS = ("COPY", "EXPORT")


def _csv_field(value: object) -> object:
    """A CSV field as DuckDB writes it: DECIMAL every digit and no exponent, booleans lower case,
    NULL empty, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return value


def query_text(con: duckdb.DuckDBPyConnection, query: str, output_format: str) -> str:
    """The result of ``query`` as text in ``output_format`` (one of :data:`FORMATS`): ``csv`` (a
    header, codes as text with their zeros, DECIMAL with every digit, NULL empty), ``json`` (an
    array of objects, from DuckDB's own ``to_json``: DECIMAL numbers exact, NULL null), ``table``
    or ``markdown`` (tabulate, numbers as DuckDB prints them). Raises ``duckdb.Error`` for a
    query DuckDB refuses (a write, a file, an extension: see :data:`GUARDS`), and
    ``duckdb.InvalidInputException`` for a statement that writes files
    (:data:`FILE_WRITING_STATEMENTS`: the year store's files are the only ones the reader may open,
    and they must not be written)."""
    for statement in con.extract_statements(query):
        if statement.type.name in FILE_WRITING_STATEMENTS:
            raise duckdb.InvalidInputException(
                f"file system operations are disabled: atp sql runs queries, not {statement.type.name}"
            )
    if output_format == "json":
        rows = con.execute(f"select to_json(result) from ({query}) as result").fetchall()
        return "[" + ",\n".join(row[0] for row in rows) + "]\n"
    cursor = con.execute(query)
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_field(v) for v in row] for row in rows)
        return buffer.getvalue()
    from tabulate import tabulate

    style = "github" if output_format == "markdown" else "simple"
    return tabulate(rows, headers=columns, disable_numparse=True, tablefmt=style) + "\n"


class OutputRefused(ValueError):
    """``--output`` names a place the console may not write (one line: the path and why)."""


def write_output(target: Path, text: str, protected: list[Path]) -> Path:
    """Write ``text`` to ``target`` atomically (:func:`orchestration.files.write_text_file`) and
    return its resolved path. Raises :class:`OutputRefused` when ``target`` (symbolic links
    followed) lies inside one of the ``protected`` folders (the warehouse's folder, the run
    candidates, the exports) or is a folder, and ``OSError`` when it cannot be written."""
    resolved = target.expanduser().resolve()
    for folder in protected:
        root = folder.expanduser().resolve()
        if resolved == root or resolved.is_relative_to(root):
            raise OutputRefused(
                f"{target}: inside {root}, which only runs of the warehouse write; write the result elsewhere"
            )
    if resolved.is_dir():
        raise OutputRefused(f"{target} is a folder: give a file name")
    write_text_file(resolved, text)
    return resolved
