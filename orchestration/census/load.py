"""Load one statistical year of Census source files into the warehouse's ``raw`` schema.

Input folder layout (the bundled ``warehouse/sample/`` is the reference example)::

    <input_dir>/<year>/CONCORD.TXT      exports concordance (CONCORD layout, 245)
    <input_dir>/<year>/COUNTRY.TXT      country code list (COUNTRY layout, 51)
    <input_dir>/<year>/EXP_HIST.TXT     annual export history (EM545/EA645 layout, 120)
    <input_dir>/country_trade/*.csv     "U.S. trade in goods by country" table (millions USD)
    <input_dir>/manifest.json           optional: marks files "synthetic" or "census"

Replacing a year is atomic: the files are parsed into TEMP tables first (any layout error is
raised before the warehouse is touched), then one transaction deletes the year's rows and
inserts the new ones, and records the files in ``raw.source_files``. A failure leaves the
previous rows of that year exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.census.layouts import CONCORD, COUNTRY, EXPORT_HISTORY, Layout
from orchestration.census.parse import CensusLayoutError, parse_country_trade, parse_fixed_width, sql_literal


@dataclass(frozen=True)
class RawTable:
    """A raw warehouse table fed by one kind of source file."""

    name: str  # table name in schema raw
    description: str
    layout: Layout | None  # None: the country trade CSV
    file_name: str | None  # per-year file name; None: the country trade CSV


EXPORT_HISTORY_TABLE = RawTable(
    "export_history",
    "Annual export history, EM545/EA645 layout: one row per source record "
    "(DF x HS10 x country x district x month); value_usd in whole USD (f.a.s.).",
    EXPORT_HISTORY,
    "EXP_HIST.TXT",
)
ATP_CONCORDANCE_TABLE = RawTable(
    "atp_concordance",
    "Exports concordance (CONCORD.TXT) of each year: one row per year x HS10 code, with the "
    "ATP group code hitech_code ('00' = not advanced technology).",
    CONCORD,
    "CONCORD.TXT",
)
COUNTRIES_TABLE = RawTable(
    "countries",
    "Country code list (COUNTRY.TXT) of each year: one row per year x Schedule C code, "
    "including the 0xxx grouping codes.",
    COUNTRY,
    "COUNTRY.TXT",
)
COUNTRY_TRADE_TABLE = RawTable(
    "country_trade",
    "Census 'U.S. trade in goods by country' table: one row per year x code; imports (i*) and "
    "exports (e*) in MILLIONS of USD; 0007 = world ATP exports.",
    None,
    None,
)
RAW_TABLES = (EXPORT_HISTORY_TABLE, ATP_CONCORDANCE_TABLE, COUNTRIES_TABLE, COUNTRY_TRADE_TABLE)

#: Appended to every raw table comment.
PROVENANCE_NOTE = (
    " Every row keeps source_file and source_record; is_synthetic = true marks rows from the "
    "SYNTHETIC bundled sample (not Census data)."
)

SOURCE_FILES_DDL = """
create table if not exists raw.source_files (
    year integer, raw_table varchar, source_file varchar, origin varchar, sha256 varchar,
    file_records integer, rows_loaded integer, loaded_at timestamp, source_url varchar
)
"""


def ensure_source_files(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw`` and ``raw.source_files`` if missing (adding ``source_url`` to a
    table made by an older version)."""
    con.execute("create schema if not exists raw")
    con.execute(SOURCE_FILES_DDL)
    con.execute("alter table raw.source_files add column if not exists source_url varchar")


@dataclass(frozen=True)
class SourceFile:
    """A file a year's rows come from: path relative to the input (or landing) folder, origin
    ("synthetic" or "census"), sha256, records in the file, and the URL it was downloaded from
    (API key redacted; None for local files)."""

    source_file: str
    origin: str
    sha256: str
    file_records: int
    source_url: str | None = None


@dataclass(frozen=True)
class LoadResult:
    """What one year's load of one raw table did (for asset metadata)."""

    table: str
    year: int
    source_file: str
    origin: str  # "synthetic" or "census"
    sha256: str
    file_records: int
    rows_loaded: int
    dropped: dict[str, int] | None = None  # aggregate rows dropped (API sources), by kind


def file_origins(input_dir: Path) -> dict[str, str]:
    """Map of relative path -> origin ("synthetic"/"census") from ``manifest.json``, if any."""
    manifest = input_dir / "manifest.json"
    if not manifest.is_file():
        return {}
    return {f["path"]: f["origin"] for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]}


def source_path(input_dir: Path, table: RawTable, year: int) -> Path:
    """Where ``table``'s file for ``year`` lives under ``input_dir``.

    Raises ``FileNotFoundError`` naming the expected path when it is absent (for the country trade
    table: when ``country_trade/`` holds no CSV, or more than one).
    """
    if table.file_name is not None:
        path = input_dir / str(year) / table.file_name
        if not path.is_file():
            raise FileNotFoundError(f"{table.name} {year}: expected file {path}")
        return path
    candidates = sorted((input_dir / "country_trade").glob("*.csv"))
    if len(candidates) != 1:
        raise FileNotFoundError(
            f"{table.name}: expected exactly one CSV in {input_dir / 'country_trade'}, found {len(candidates)}"
        )
    return candidates[0]


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_year(
    con: duckdb.DuckDBPyConnection, input_dir: Path, table: RawTable, year: int, staged: str
) -> tuple[Path, str, int]:
    path = source_path(input_dir, table, year)
    relative = path.relative_to(input_dir).as_posix()
    if table.layout is None:
        file_records = parse_country_trade(con, path, relative, "_atp_parsed")
        con.execute(
            f"create or replace temp table {staged} as select * from _atp_parsed where year = ? order by source_record",
            [year],
        )
        if con.execute(f"select count(*) from {staged}").fetchone()[0] == 0:
            raise CensusLayoutError(relative, 0, "year", str(year), f"the country trade table has no rows for {year}")
        con.execute("drop table _atp_parsed")
        return path, relative, file_records
    file_records = parse_fixed_width(con, path, relative, table.layout, "_atp_parsed")
    if table is EXPORT_HISTORY_TABLE:
        wrong = con.execute(
            "select source_record, stat_year from _atp_parsed where stat_year <> ? order by source_record limit 1",
            [year],
        ).fetchone()
        if wrong:
            raise CensusLayoutError(
                relative,
                wrong[0],
                "stat_year (positions 21-24)",
                str(wrong[1]),
                f"record belongs to {wrong[1]}, file is loaded as {year}",
            )
    else:
        dupe = con.execute(
            "select min(source_record), count(*) from _atp_parsed "
            f"group by {'hs10_code' if table is ATP_CONCORDANCE_TABLE else 'cty_code'} "
            "having count(*) > 1 order by 1 limit 1"
        ).fetchone()
        if dupe:
            field = "hs10_code" if table is ATP_CONCORDANCE_TABLE else "cty_code"
            raise CensusLayoutError(relative, dupe[0], field, "", f"code appears {dupe[1]} times in one year's list")
    con.execute(
        f"create or replace temp table {staged} as select cast(? as integer) as year, * "
        "from _atp_parsed order by source_record",
        [year],
    )
    con.execute("drop table _atp_parsed")
    return path, relative, file_records


def swap_year(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    description: str,
    year: int,
    staged: str,
    files: list[SourceFile],
) -> int:
    """Replace ``year``'s rows of ``raw.<table_name>`` with the TEMP table ``staged``, in one
    transaction, and record ``files`` in ``raw.source_files``; returns the rows loaded.

    ``staged`` has the table's columns except ``is_synthetic``, which is set from each row's
    ``source_file`` origin. Any error rolls back: the year's previous rows stay as they were.
    """
    synthetic = [f.source_file for f in files if f.origin == "synthetic"]
    synthetic_sql = "false" if not synthetic else f"source_file in ({', '.join(sql_literal(f) for f in synthetic)})"
    ensure_source_files(con)
    con.execute("begin transaction")
    try:
        con.execute(
            f"create table if not exists raw.{table_name} as select *, false as is_synthetic from {staged} limit 0"
        )
        con.execute(f"comment on table raw.{table_name} is {sql_literal(description + PROVENANCE_NOTE)}")
        con.execute(f"delete from raw.{table_name} where year = ?", [year])
        con.execute(f"insert into raw.{table_name} by name select *, {synthetic_sql} as is_synthetic from {staged}")
        rows_by_file = dict(con.execute(f"select source_file, count(*) from {staged} group by 1").fetchall())
        con.execute("delete from raw.source_files where year = ? and raw_table = ?", [year, table_name])
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        for f in files:
            con.execute(
                "insert into raw.source_files by name select ? as year, ? as raw_table, ? as source_file, "
                "? as origin, ? as sha256, ? as file_records, ? as rows_loaded, ? as loaded_at, ? as source_url",
                [
                    year,
                    table_name,
                    f.source_file,
                    f.origin,
                    f.sha256,
                    f.file_records,
                    rows_by_file.get(f.source_file, 0),
                    loaded_at,
                    f.source_url,
                ],
            )
        rows = con.execute(f"select count(*) from raw.{table_name} where year = ?", [year]).fetchone()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"drop table if exists {staged}")
    return rows


def load_year(
    con: duckdb.DuckDBPyConnection, input_dir: Path, table: RawTable, year: int, source_url: str | None = None
) -> LoadResult:
    """Replace ``year``'s rows of ``raw.<table.name>`` with the parsed source file, atomically.

    Rows get ``is_synthetic`` from the input folder's manifest. Raises ``FileNotFoundError`` or
    :class:`CensusLayoutError` (naming file, record and field) before anything is written; any
    error inside the swap rolls the transaction back (:func:`swap_year`).
    """
    staged = f"_atp_staged_{table.name}"
    path, relative, file_records = _parse_year(con, input_dir, table, year, staged)
    origin = file_origins(input_dir).get(relative, "census")
    source = SourceFile(relative, origin, sha256_of(path), file_records, source_url)
    rows = swap_year(con, table.name, table.description, year, staged, [source])
    return LoadResult(table.name, year, relative, origin, source.sha256, file_records, rows)
