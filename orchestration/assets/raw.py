"""Raw assets: one per raw table (:mod:`orchestration.census.tables`), loaded into DuckDB schema
``raw``; tables with a year are partitioned by statistical year.

Where a year's files come from is the ``source`` resource (:class:`SourceResource`): the bundled
sample, a local folder laid out like it, or the Census Bureau (downloaded into the landing area
first). Loading is the same for all three (:func:`orchestration.census.load.load_table`).
"""

import sys

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
)
from tqdm import tqdm

from orchestration.assets.run_scope import require_complete_run
from orchestration.census.load import LoadResult, load_table
from orchestration.census.tables import RAW_TABLES, InputFileError, RawTable, missing_inputs
from orchestration.partitions import yearly_asset
from orchestration.provenance import describe_origins
from orchestration.resources import SourceResource, WarehouseResource
from orchestration.sources.landing import read_manifest


def partition_years(context: AssetExecutionContext) -> list[int]:
    """The statistical years this run materializes (one, or a range in a single-run backfill)."""
    return [int(key) for key in context.partition_keys]


def prepare_inputs(source: SourceResource, table: RawTable, years: list[int]) -> None:
    """Make ``table``'s files for ``years`` available under ``source.input_root()``.

    census: download what is missing or changed into the landing area. sample/local: check the
    folder and raise one :class:`InputFileError` listing every missing file of every year.
    """
    kind = source.kind_name()
    if kind == "census":
        downloader = source.census_downloader()
        for year in years if table.per_year and not table.file_has_years else [None]:
            downloader.land(table.name, year)
        return
    problems = missing_inputs(source.input_root(), years, [table])
    if problems:
        raise InputFileError(f"{kind} input folder {source.input_root()}: " + "; ".join(problems))


#: The measures of the country table the revision preview lists: the annual totals of exports
#: (EYR, f.a.s.) and of general imports (IYR, customs value); every changed value, months
#: included, is in ``raw.<table>_revisions``.
REVISION_PREVIEW_MEASURES = ("eyr", "iyr")


def _revision_preview(con: duckdb.DuckDBPyConnection, table: RawTable) -> str:
    """The revisions of the annual exports and imports (:data:`REVISION_PREVIEW_MEASURES`) of the
    latest load of the country table, as a Markdown list: world ATP (0007) first, exports then
    imports of each year, then the ten largest other revisions by absolute difference."""
    key = ", ".join(table.key)
    latest = f"""
        from raw.{table.name}_revisions
        where loaded_at = (select max(loaded_at) from raw.{table.name}_revisions)
          and measure in ({", ".join(f"'{m}'" for m in REVISION_PREVIEW_MEASURES)})
    """
    columns = f"select year, {key}, measure, old_value, new_value, difference"
    world = con.execute(f"{columns} {latest} and {table.key[0]} = '0007' order by year, measure").fetchall()
    largest = con.execute(
        f"{columns} {latest} and {table.key[0]} <> '0007' order by abs(difference) desc, year, {key}, measure limit 10"
    ).fetchall()
    return "\n".join(
        f"- {r[0]} {' '.join(map(str, r[1:-4]))} {r[-4]}: {r[-3]} -> {r[-2]} ({r[-1]:+})" for r in world + largest
    )


def _metadata(table: RawTable, results: list[LoadResult], kind: str, preview: str | None) -> dict:
    dropped: dict[str, int] = {}
    for r in results:
        for name, count in r.dropped.items():
            dropped[name] = dropped.get(name, 0) + count
    origins = sorted({f.origin for r in results for f in r.files})
    metadata = {
        "source": kind,
        "rows_loaded": sum(r.rows_loaded for r in results),
        "years": ", ".join(str(r.year) for r in results if r.year is not None) or "all",
        "source_files": MetadataValue.md(
            "\n".join(
                f"- {r.year if r.year is not None else 'all years'}: `{r.source_file}` ({r.origin}, "
                f"{r.rows_loaded} rows"
                + (f", vintage {r.files[0].vintage}" if r.files and r.files[0].vintage else "")
                + (f", sha256 `{r.files[0].sha256[:12]}`" if r.files else "")
                + ")"
                for r in results
            )
        ),
        "data_origin": describe_origins(origins),
        "table": f"raw.{table.name}",
        **dropped,
    }
    if table.revision_columns:
        metadata["values_revised"] = sum(r.revisions for r in results)
        metadata["revisions"] = MetadataValue.md(preview or "none: no value changed since the last load")
    notes = [note for r in results for note in r.notes]
    if notes:
        metadata["notes"] = MetadataValue.md("\n".join(f"- {n}" for n in notes))
    return metadata


class LoadProgress:
    """Progress of a raw table's load, per year and file: a line per year in the Dagster run log
    (records, seconds, records/s) and, on a terminal, a progress bar with records/s (tqdm)."""

    def __init__(self, context: AssetExecutionContext, table: RawTable, years: int) -> None:
        self.context = context
        self.table = table
        terminal = sys.__stderr__  # the console, also when `atp refresh` sends stderr to its run log
        self.bar = tqdm(
            total=years,
            desc=f"raw.{table.name}",
            unit="year",
            file=terminal,
            disable=terminal is None or not terminal.isatty(),
            leave=False,
        )
        self.records = 0
        self.seconds = 0.0

    def __enter__(self) -> "LoadProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def loaded(self, result: LoadResult, seconds: float) -> None:
        self.records += result.rows_loaded
        self.seconds += seconds
        rate = result.rows_loaded / seconds if seconds else 0.0
        where = f" {result.year}" if result.year is not None else ""
        for f in result.files:
            self.context.log.info(
                f"raw.{self.table.name}{where}: {f.file_records:,} records in {f.source_file} ({f.origin})"
            )
        self.context.log.info(
            f"raw.{self.table.name}{where}: {result.rows_loaded:,} rows loaded in {seconds:.1f} s "
            f"({rate:,.0f} records/s)"
        )
        self.bar.set_postfix_str(f"{self.records / self.seconds if self.seconds else 0:,.0f} records/s")
        self.bar.update(1)


#: Why the UI shows some years as missing (in each partitioned raw asset's description).
MISSING_YEARS_NOTE = (
    "Partitions: one per year from 2000 to the last complete year; a year shows as missing until a run "
    "loads its files (the bundled sample holds 2000-2023, so later years stay missing until a local folder or "
    "the census source provides them)."
)
#: The same for a table whose one file holds every year: each run reloads it whole.
WHOLE_FILE_NOTE = (
    "Partitioned like every asset so that a range of years is one run; each run reloads the whole file, "
    "whatever its years."
)


def raw_asset_args(table: RawTable) -> dict:
    """The ``@asset`` arguments of a raw table: key ``raw/<name>``, group ``census_raw``, kind and
    description (partitioned by year as every asset: :func:`orchestration.partitions.yearly_asset`)."""
    note = MISSING_YEARS_NOTE if table.per_year else WHOLE_FILE_NOTE
    return {
        "key": ["raw", table.name],
        "group_name": "census_raw",
        "kinds": {"duckdb"},
        "description": f"{table.description} {note}",
    }


def build_raw_asset(table: RawTable) -> AssetsDefinition:
    """Build the asset ``raw/<table.name>``.

    Before anything is read, the run must rebuild everything built from the table
    (:func:`orchestration.assets.run_scope.require_complete_run`). Each year's files are parsed
    into a temporary table and swapped in atomically (:func:`orchestration.census.swap.swap`):
    re-materializing a year replaces its rows and never duplicates them. Raises
    :class:`InputFileError`, ``CensusLayoutError`` (naming file, record and field),
    ``SourceError`` (naming source, year and URL) or ``IncompleteRunError`` before anything is
    written.
    """

    @yearly_asset(**raw_asset_args(table))
    def _raw_asset(
        context: AssetExecutionContext, warehouse: WarehouseResource, source: SourceResource
    ) -> MaterializeResult:
        require_complete_run(context, warehouse.continued_candidate() is not None)
        years = partition_years(context) if table.per_year else []
        prepare_inputs(source, table, years)
        root = source.input_root()
        urls = {path: row.url for path, row in read_manifest(root).items()}
        preview = None
        with (
            warehouse.connect(warehouse.load_memory_limit()) as con,
            LoadProgress(context, table, len(years) or 1) as progress,
        ):
            results = load_table(con, root, table, years, urls, on_loaded=progress.loaded)
            if any(r.revisions for r in results):
                preview = _revision_preview(con, table)
        for r in results:
            for note in r.notes:
                context.log.warning(note)
        return MaterializeResult(metadata=_metadata(table, results, source.kind_name(), preview))

    return _raw_asset


raw_assets = [build_raw_asset(table) for table in RAW_TABLES]
