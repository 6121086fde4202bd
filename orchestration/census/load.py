"""Load input files into the warehouse's ``raw`` schema, one raw table and year at a time.

What a table reads, and how, is its :class:`~orchestration.census.tables.RawTable`; this module
does what every table shares:

1. find the year's files (:func:`~orchestration.census.tables.find_files`) and read them: into
   a TEMP table, or (fixed width) into TEMP lines tables behind a view that types and checks each
   record as it is read, so that a real year (millions of records) is read and typed once;
2. stage the year's rows as a view with the table's columns;
3. swap them in, in one transaction (:func:`orchestration.census.swap.swap`: delete, insert,
   check, record the files and the revisions, commit).

Any error (a bad record found while inserting, a failed check) rolls the transaction back: the
previous rows of that year stay exactly as they were, and readers never see a half-loaded year.
Each file's origin (:data:`orchestration.provenance.ORIGINS`) comes from the input folder's
``manifest.json`` only when the file's sha256 equals the entry's
(:func:`orchestration.census.input_manifest.file_origin`): files marked ``synthetic`` then load
with ``is_synthetic = true``; a listed file whose bytes differ loads as ``unverified``, with a
note saying why; a file the manifest does not list is Census data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

import duckdb

from orchestration.census.fixed_width import is_bad_record_error
from orchestration.census.input_manifest import ManifestEntry, file_origin, read_input_manifest
from orchestration.census.parse import CensusLayoutError
from orchestration.census.reading import ReadInfo
from orchestration.census.swap import SourceFile, swap
from orchestration.census.tables import InputFileError, RawTable, companion_problems, find_files
from orchestration.census.year_store import relation_kind
from orchestration.files import sha256_of


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


def _unreloaded_revisions(
    con: duckdb.DuckDBPyConnection, table: RawTable, read: str, years: Sequence[int]
) -> list[int]:
    """Years held in ``raw.<table>`` but not loaded now, whose rows the file read into ``read``
    changes (the newer vintage revises them)."""
    if relation_kind(con, table.name) is None:
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


@dataclass
class _TableLoad:
    """One :func:`load_table` call: what it reads from, the TEMP names it uses, and the results
    of the years loaded so far (each reported to ``on_loaded`` with its seconds)."""

    con: duckdb.DuckDBPyConnection
    root: Path
    table: RawTable
    urls: dict[str, str]
    manifest: dict[str, ManifestEntry]
    on_loaded: Callable[[LoadResult, float], None] | None
    results: list[LoadResult] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def read(self) -> str:
        """The TEMP table or view the reader fills."""
        return f"_atp_read_{self.table.name}"

    @property
    def staged(self) -> str:
        """The TEMP view of the year's rows with the table's columns."""
        return f"_atp_staged_{self.table.name}"

    def done(self, result: LoadResult) -> None:
        """Keep a year's result and report it with the seconds since the last one."""
        self.results.append(result)
        if self.on_loaded is not None:
            self.on_loaded(result, time.perf_counter() - self.started)
        self.started = time.perf_counter()

    def sources(self, relatives: Sequence[str], info: ReadInfo) -> list[SourceFile]:
        """The input files read, each with its origin, sha256, records, URL and vintage."""
        files = []
        for relative in relatives:
            sha256 = sha256_of(self.root / relative)
            origin, note = file_origin(relative, sha256, self.manifest)
            records = info.file_records.get(relative, 0)
            vintage = info.vintage.get(relative)
            files.append(SourceFile(relative, origin, sha256, records, self.urls.get(relative), vintage, note))
        return files

    def missing(self, year: int | None) -> NoReturn:
        """Raise the :class:`InputFileError` of a required table without files for ``year``."""
        label = f"{self.table.name} {year}" if year is not None else self.table.name
        raise InputFileError(f"{label}: expected {self.table.describe_files(year)} in {self.root}")

    def swap_checked(self, year: int | None, info: ReadInfo, files: list[SourceFile]) -> tuple[int, int]:
        """Swap the staged view in; when a record fails the reader's checks while inserting, raise
        the exact error of the first bad record (or retry once when there is none)."""
        try:
            return swap(self.con, self.table, year, self.staged, files)
        except duckdb.Error as error:
            if info.diagnose is None or not is_bad_record_error(error):
                raise
            info.diagnose()
            return swap(self.con, self.table, year, self.staged, files)

    def drop(self, info: ReadInfo | None) -> None:
        """Drop the TEMP views and tables of the load."""
        for name in (self.staged, self.read, *(info.temp_tables if info else ())):
            kind = self.con.execute(
                "select 'view' from duckdb_views() where view_name = ? and temporary "
                "union all select 'table' from duckdb_tables() where table_name = ? and temporary",
                [name, name],
            ).fetchone()
            if kind:
                self.con.execute(f"drop {kind[0]} {name}")


def _notes(files: Sequence[SourceFile]) -> tuple[str, ...]:
    """Why files loaded as unverified, one note each."""
    return tuple(f.origin_note for f in files if f.origin_note)


def load_table(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: RawTable,
    years: Sequence[int] | None,
    urls: dict[str, str] | None = None,
    on_loaded: Callable[[LoadResult, float], None] | None = None,
) -> list[LoadResult]:
    """Load ``table`` for ``years`` (ignored for a table that is not per year) from the input
    folder ``root``; each year is swapped in atomically (:func:`~orchestration.census.swap.swap`).
    ``urls`` maps relative paths to the URL they were downloaded from (the landing manifest).
    ``on_loaded`` is called after each year with its result and the seconds it took (progress
    reporting).

    Each file's origin comes from :func:`~orchestration.census.input_manifest.file_origin`; a
    result's ``notes`` say why a file of its year loaded as ``unverified`` (for a file holding
    every year, the last year's result says it once). A required table without files raises
    :class:`~orchestration.census.tables.InputFileError` naming the files it looked for; an
    optional one has its year's rows removed. A year with files of this table but none of a
    companion table (an import history without its import concordance, or the reverse) raises
    :class:`~orchestration.census.tables.InputFileError` naming both. Raises :class:`CensusLayoutError` (file, record,
    field, value) for a bad record, a duplicated key, a record of another year, or a country
    table without rows for a year.
    """
    load = _TableLoad(con, root, table, urls or {}, read_input_manifest(root), on_loaded)
    if table.file_has_years:
        _load_years_of_one_file(load, years or [])
        return load.results
    for year in years if table.per_year else [None]:
        _load_year(load, year)
    return load.results


def _load_year(load: _TableLoad, year: int | None) -> None:
    """Load one year of a table whose files are per year (or its one file, ``year`` None)."""
    form, relatives = find_files(load.root, load.table, year)
    pairing = companion_problems(load.root, load.table, year)
    if pairing:
        raise InputFileError("; ".join(pairing))
    if form is None:
        if load.table.required:
            load.missing(year)
        rows, _ = swap(load.con, load.table, year, None, [])
        load.done(LoadResult(load.table.name, year, (), rows))
        return
    info = None
    try:
        info = form.read(load.con, load.root, relatives, year, load.read)
        _stage(load.con, load.table, load.read, year, load.staged)
        files = load.sources(relatives, info)
        rows, revisions = load.swap_checked(year, info, files)
    finally:
        load.drop(info)
    load.done(LoadResult(load.table.name, year, tuple(files), rows, info.dropped, revisions, _notes(files)))


def _load_years_of_one_file(load: _TableLoad, years: Sequence[int]) -> None:
    """Load ``years`` from the one file that holds every year (the country table): read once,
    each year staged and swapped in on its own; the revisions the file brings to years held but
    not loaded now are noted on the last year's result."""
    table = load.table
    form, relatives = find_files(load.root, table, None)
    if form is None:
        load.missing(None)
    info = form.read(load.con, load.root, relatives, None, load.read)
    files = load.sources(relatives, info)
    try:
        for year in years:
            _stage(load.con, table, load.read, year, load.staged)
            if not load.con.execute(f"select count(*) from {load.staged}").fetchone()[0]:
                raise CensusLayoutError(relatives[0], 0, "year", str(year), f"the file has no rows for {year}")
            rows, revisions = load.swap_checked(year, info, files)
            load.done(LoadResult(table.name, year, tuple(files), rows, info.dropped, revisions))
        pending = _unreloaded_revisions(load.con, table, load.read, years) if table.revision_columns else []
    finally:
        load.drop(info)
    said = list(_notes(files))  # once for the file, not once per year
    if pending:
        said.append(
            f"{relatives[0]} (vintage {files[0].vintage}) revises {', '.join(map(str, pending))}, held in the "
            "warehouse but not loaded in this run: load those years to take the revision"
        )
    if said and load.results:
        load.results[-1] = replace(load.results[-1], notes=tuple(said))
