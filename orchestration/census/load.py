"""Load input files into the warehouse's ``raw`` schema, one raw table and year at a time.

What a table reads, and how, is its :class:`~orchestration.census.tables.RawTable`; this module
does what every table shares:

1. find the year's files (:func:`~orchestration.census.tables.find_files`) and read them: into
   a TEMP table, or (fixed width) into TEMP lines tables behind a view that types and checks each
   record as it is read, so that a real year (millions of records) is read and typed once;
2. stage the year's rows as a view with the table's columns;
3. swap in one transaction: delete the year's rows, insert the new ones, check them (the year
   column equals the loaded year, the key is unique: a duplicated record would be counted
   twice), record every file in ``raw.source_files`` (origin, sha256, records, vintage, URL)
   and, for tables that keep revisions, the values that changed since the last load in
   ``raw.<table>_revisions``; then commit.

Any error (a bad record found while inserting, a failed check) rolls the transaction back: the
previous rows of that year stay exactly as they were, and readers never see a half-loaded year.
Each file's origin (:data:`orchestration.provenance.ORIGINS`) comes from the input folder's
``manifest.json`` only when the file's sha256 equals the entry's (:func:`file_origin`): files
marked ``synthetic`` then load with ``is_synthetic = true``; a listed file whose bytes differ
loads as ``unverified``, with a note saying why; a file the manifest does not list is Census data.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.census.fixed_width import is_bad_record_error
from orchestration.census.parse import CensusLayoutError, sql_literal
from orchestration.census.reading import ReadInfo
from orchestration.census.tables import InputFileError, RawTable, find_files, path_key
from orchestration.provenance import CENSUS, MANIFEST_ORIGINS, SYNTHETIC, UNVERIFIED

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
    (``census``, ``synthetic`` or ``unverified``: :func:`file_origin`), sha256, records in the
    file, the URL it was downloaded from (API key redacted; None for local files), its vintage
    (``YYYY-MM``) where known, and for an unverified file why (``origin_note``)."""

    source_file: str
    origin: str
    sha256: str
    file_records: int
    source_url: str | None = None
    vintage: str | None = None
    origin_note: str | None = None


@dataclass(frozen=True)
class LoadResult:
    """What one load of one raw table's year did (for asset metadata and the console).

    ``files`` is empty when an optional table had no file (the year's rows were removed).
    ``revisions`` counts the values that changed since the previous load of the year, and
    ``notes`` says what the user should know (e.g. revised years not loaded in this run).
    """

    table: str
    year: int | None
    files: tuple[SourceFile, ...]
    rows_loaded: int
    dropped: dict[str, int] = field(default_factory=dict)
    revisions: int = 0
    notes: tuple[str, ...] = ()

    @property
    def source_file(self) -> str:
        """The file(s) in one phrase: ``2008/EXP_HIST.TXT``, ``2020/api/... (12 files)`` or ``none``."""
        if not self.files:
            return "none"
        if len(self.files) == 1:
            return self.files[0].source_file
        return f"{self.files[0].source_file} ... ({len(self.files)} files)"

    @property
    def origin(self) -> str:
        """``census``, ``synthetic``, ``unverified``, ``census + synthetic``... or ``none``."""
        return " + ".join(sorted({f.origin for f in self.files})) or "none"


@dataclass(frozen=True)
class ManifestEntry:
    """One file of ``manifest.json``: its path as written, the origin it states (``census`` or
    ``synthetic``), its sha256 (lower-case hex; None when the entry has none) and its place in
    the manifest (``files[n]``, 1-based)."""

    path: str
    origin: str
    sha256: str | None
    number: int


_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_input_manifest(input_dir: Path) -> dict[str, ManifestEntry]:
    """The entries of the input folder's ``manifest.json`` (``{"files": [{"path": ..., "origin":
    "census"|"synthetic", "sha256": ...}, ...]}``; other keys are ignored) by
    :func:`~orchestration.census.tables.path_key` of their path, so that they match files the
    way file discovery finds them; empty without a manifest.

    Raises :class:`CensusLayoutError` naming ``manifest.json`` (and the line and column of a JSON
    syntax error) when it is not that JSON, when an origin is neither ``census`` nor
    ``synthetic``, when a sha256 is not 64 hex digits, or when two entries name one file (paths
    equal but for case) with different origins or sha256s.
    """
    manifest = input_dir / "manifest.json"
    if not manifest.is_file():
        return {}
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        raw = [(f["path"], f["origin"], f.get("sha256")) for f in files]
    except json.JSONDecodeError as error:
        raise CensusLayoutError(
            "manifest.json", error.lineno, f"column {error.colno}", "", f"not JSON: {error.msg}"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CensusLayoutError(
            "manifest.json", 0, "files", "", f'expected {{"files": [{{"path": ..., "origin": ...}}]}} ({error!r})'
        ) from None
    entries: dict[str, ManifestEntry] = {}
    for number, (path, origin, sha256) in enumerate(raw, start=1):
        if origin not in MANIFEST_ORIGINS:
            raise CensusLayoutError(
                "manifest.json",
                0,
                f"files[{number}].origin",
                str(origin),
                f"{path}: origin must be one of {MANIFEST_ORIGINS}",
            )
        if sha256 is not None and not (isinstance(sha256, str) and _SHA256.fullmatch(sha256.lower())):
            raise CensusLayoutError(
                "manifest.json", 0, f"files[{number}].sha256", str(sha256), f"{path}: not a sha256 (64 hex digits)"
            )
        entry = ManifestEntry(str(path), origin, sha256.lower() if sha256 else None, number)
        same = entries.setdefault(path_key(entry.path), entry)
        if (same.origin, same.sha256) != (entry.origin, entry.sha256):
            raise CensusLayoutError(
                "manifest.json",
                0,
                f"files[{number}].path",
                entry.path,
                f"names the same file as files[{same.number}] ({same.path}; names are matched without regard to "
                "case) with another origin or sha256",
            )
    return entries


def file_origin(relative: str, sha256: str, manifest: dict[str, ManifestEntry]) -> tuple[str, str | None]:
    """The origin of the input file ``relative`` (found by file discovery) whose bytes hash to
    ``sha256``, given the folder's manifest (:func:`read_input_manifest`), and why it is
    unverified (None otherwise):

    - no entry for the file: ``census`` (a folder of the user's own Census files has no manifest);
    - an entry whose sha256 equals the file's: the entry's origin (``census`` or ``synthetic``);
    - an entry whose sha256 differs, or that has none: ``unverified``, with one line such as
      ``2010/EXP_HIST.TXT differs from its manifest entry (sha256 ab12... expected cd34...): loaded
      as unverified``.
    """
    entry = manifest.get(path_key(relative))
    if entry is None:
        return CENSUS, None
    if entry.sha256 == sha256:
        return entry.origin, None
    named = "its manifest entry" if entry.path == relative else f"its manifest entry {entry.path}"
    if entry.sha256 is None:
        return UNVERIFIED, (
            f"{relative}: {named} (origin {entry.origin}) has no sha256 to check the file against: loaded as "
            f"{UNVERIFIED}"
        )
    return UNVERIFIED, (
        f"{relative} differs from {named} (sha256 {sha256[:12]}... expected {entry.sha256[:12]}...): loaded as "
        f"{UNVERIFIED}"
    )


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stage(con: duckdb.DuckDBPyConnection, table: RawTable, read: str, year: int | None, staged: str) -> None:
    """A TEMP view projecting the reader's rows onto ``table``'s columns (absent ones as NULL)."""
    have = {row[0] for row in con.execute(f"describe {read}").fetchall()}
    columns = [name if name in have else f"cast(null as {kind}) as {name}" for name, kind in table.columns]
    year_column = [f"cast({int(year)} as integer) as year"] if table.per_year else []
    where = f"where year = {int(year)}" if table.file_has_years else ""
    con.execute(
        f"create or replace temp view {staged} as select "
        f"{', '.join(year_column + columns)}, source_file, cast(source_record as integer) as source_record "
        f"from {read} {where}"
    )


def _check(con: duckdb.DuckDBPyConnection, table: RawTable, year: int | None) -> None:
    """Raise :class:`CensusLayoutError` for the first loaded record of another year, or the first
    duplicated key, among the rows of ``year`` just inserted (inside the swap's transaction)."""
    rows = f"(select * from raw.{table.name} where {f'year = {int(year)}' if table.per_year else 'true'})"
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
    ``source_file`` origin. Any error rolls back: the year's previous rows stay as they were.
    """
    synthetic = [f.source_file for f in files if f.origin == SYNTHETIC]
    synthetic_sql = "false" if not synthetic else f"source_file in ({', '.join(sql_literal(f) for f in synthetic)})"
    year_filter = f"year = {int(year)}" if table.per_year else "true"
    source_filter = f"year = {int(year)}" if table.per_year else "year is null"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ensure_source_files(con)
    con.execute("begin transaction")
    try:
        columns = ([("year", "integer")] if table.per_year else []) + list(table.columns)
        _ensure_table(
            con,
            f"raw.{table.name}",
            [*columns, ("source_file", "varchar"), ("source_record", "integer"), ("is_synthetic", "boolean")],
        )
        con.execute(f"comment on table raw.{table.name} is {sql_literal(table.description + PROVENANCE_NOTE)}")
        revisions = 0
        if staged is not None and table.revision_columns and files:
            revisions = _record_revisions(con, table, int(year), staged, files[0], loaded_at)
        con.execute(f"delete from raw.{table.name} where {year_filter}")
        if staged is not None:
            con.execute(f"insert into raw.{table.name} by name select *, {synthetic_sql} as is_synthetic from {staged}")
            _check(con, table, year)
        rows_by_file = dict(
            con.execute(f"select source_file, count(*) from raw.{table.name} where {year_filter} group by 1").fetchall()
        )
        previous = dict(
            con.execute(
                f"select source_file, sha256 from raw.source_files where {source_filter} and raw_table = ?",
                [table.name],
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
        rows = sum(rows_by_file.values())
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return rows, revisions


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if there still is one: a statement that failed on a full
    disk or a failed commit has already ended it, and the error to report is that failure (say,
    "No space left on device" on the write-ahead log), not "no transaction is active"."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:
        pass


def _unreloaded_revisions(
    con: duckdb.DuckDBPyConnection, table: RawTable, read: str, years: Sequence[int]
) -> list[int]:
    """Years held in ``raw.<table>`` but not loaded now, whose rows the file read into ``read``
    changes (the newer vintage revises them)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?", [table.name]
    ).fetchone()[0]
    if not exists:
        return []
    join = " and ".join(f"o.{k} = n.{k}" for k in ("year", *table.key))
    changed = " or ".join(f"o.{c} is distinct from n.{c}" for c in table.revision_columns)
    loaded = ", ".join(str(int(y)) for y in years) or "null"
    return [
        row[0]
        for row in con.execute(
            f"""
            select distinct o.year from raw.{table.name} o join {read} n on {join}
            where o.year not in ({loaded}) and ({changed}) order by 1
            """
        ).fetchall()
    ]


def load_table(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: RawTable,
    years: Sequence[int] | None,
    urls: dict[str, str] | None = None,
    on_loaded: Callable[[LoadResult, float], None] | None = None,
) -> list[LoadResult]:
    """Load ``table`` for ``years`` (ignored for a table that is not per year) from the input
    folder ``root``; each year is swapped in atomically (:func:`swap`). ``urls`` maps relative
    paths to the URL they were downloaded from (the landing manifest). ``on_loaded`` is called
    after each year with its result and the seconds it took (progress reporting).

    Each file's origin comes from :func:`file_origin`; a result's ``notes`` say why a file of its
    year loaded as ``unverified`` (for a file holding every year, the last year's result says it
    once). A required table without files raises
    :class:`~orchestration.census.tables.InputFileError` naming the files it looked for; an
    optional one has its year's rows removed. Raises
    :class:`CensusLayoutError` (file, record, field, value) for a bad record, a duplicated key, a
    record of another year, or a country table without rows for a year.
    """
    urls = urls or {}
    manifest = read_input_manifest(root)
    results: list[LoadResult] = []
    started = time.perf_counter()

    def done(result: LoadResult) -> None:
        nonlocal started
        results.append(result)
        if on_loaded is not None:
            on_loaded(result, time.perf_counter() - started)
        started = time.perf_counter()

    def sources(relatives: Sequence[str], info) -> list[SourceFile]:
        files = []
        for relative in relatives:
            sha256 = sha256_of(root / relative)
            origin, note = file_origin(relative, sha256, manifest)
            files.append(
                SourceFile(
                    relative,
                    origin,
                    sha256,
                    info.file_records.get(relative, 0),
                    urls.get(relative),
                    info.vintage.get(relative),
                    note,
                )
            )
        return files

    def notes(files: Sequence[SourceFile]) -> tuple[str, ...]:
        return tuple(f.origin_note for f in files if f.origin_note)

    def missing(year: int | None) -> None:
        label = f"{table.name} {year}" if year is not None else table.name
        raise InputFileError(f"{label}: expected {table.describe_files(year)} in {root}")

    read, staged = f"_atp_read_{table.name}", f"_atp_staged_{table.name}"

    def swap_checked(year: int | None, info: ReadInfo, files: list[SourceFile]) -> tuple[int, int]:
        """Swap the staged view in; when a record fails the reader's checks while inserting, raise
        the exact error of the first bad record (or retry once when there is none)."""
        try:
            return swap(con, table, year, staged, files)
        except duckdb.Error as error:
            if info.diagnose is None or not is_bad_record_error(error):
                raise
            info.diagnose()
            return swap(con, table, year, staged, files)

    def drop(info: ReadInfo | None) -> None:
        for name in (staged, read, *(info.temp_tables if info else ())):
            kind = con.execute(
                "select 'view' from duckdb_views() where view_name = ? and temporary "
                "union all select 'table' from duckdb_tables() where table_name = ? and temporary",
                [name, name],
            ).fetchone()
            if kind:
                con.execute(f"drop {kind[0]} {name}")

    if table.file_has_years:
        form, relatives = find_files(root, table, None)
        if form is None:
            missing(None)
        info = form.read(con, root, relatives, None, read)
        files = sources(relatives, info)
        try:
            for year in years or []:
                _stage(con, table, read, year, staged)
                if not con.execute(f"select count(*) from {staged}").fetchone()[0]:
                    raise CensusLayoutError(relatives[0], 0, "year", str(year), f"the file has no rows for {year}")
                rows, revisions = swap_checked(year, info, files)
                done(LoadResult(table.name, year, tuple(files), rows, info.dropped, revisions))
            pending = _unreloaded_revisions(con, table, read, years or []) if table.revision_columns else []
        finally:
            drop(info)
        said = list(notes(files))  # once for the file, not once per year
        if pending:
            said.append(
                f"{relatives[0]} (vintage {files[0].vintage}) revises {', '.join(map(str, pending))}, held in the "
                "warehouse but not loaded in this run: load those years to take the revision"
            )
        if said and results:
            results[-1] = replace(results[-1], notes=tuple(said))
        return results
    for year in years if table.per_year else [None]:
        form, relatives = find_files(root, table, year)
        if form is None:
            if table.required:
                missing(year)
            rows, _ = swap(con, table, year, None, [])
            done(LoadResult(table.name, year, (), rows))
            continue
        info = None
        try:
            info = form.read(con, root, relatives, year, read)
            _stage(con, table, read, year, staged)
            files = sources(relatives, info)
            rows, revisions = swap_checked(year, info, files)
        finally:
            drop(info)
        done(LoadResult(table.name, year, tuple(files), rows, info.dropped, revisions, notes(files)))
    return results
