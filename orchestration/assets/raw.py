"""Raw assets: one per Census source table, partitioned by year, loaded into DuckDB schema raw.

Where a year's files come from is the ``source`` resource (:class:`SourceResource`): the bundled
sample, a local folder laid out like it, or the Census Bureau (downloaded into the landing area
first). Loading is the same for all three (:mod:`orchestration.sources.inputs`).
"""

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.census.code_changes import DESCRIPTION as CODE_CHANGES_DESCRIPTION
from orchestration.census.code_changes import load_code_changes
from orchestration.census.load import (
    ATP_CONCORDANCE_TABLE,
    COUNTRIES_TABLE,
    COUNTRY_TRADE_TABLE,
    EXPORT_HISTORY_TABLE,
    RAW_TABLES,
    LoadResult,
    RawTable,
)
from orchestration.partitions import year_partitions
from orchestration.resources import SourceResource, WarehouseResource
from orchestration.sources.inputs import API_HITECH_TABLE, load_api_hitech, load_table_year, missing_inputs


def partition_years(context: AssetExecutionContext) -> list[int]:
    """The statistical years this run materializes (one, or a range in a single-run backfill)."""
    return [int(key) for key in context.partition_keys]


def prepare_inputs(source: SourceResource, table: RawTable, years: list[int]) -> None:
    """Make ``table``'s files for ``years`` available under ``source.input_root()``.

    census: download what is missing or changed into the landing area. sample/local: check the
    folder and raise one ``FileNotFoundError`` listing every missing file of every year.
    """
    kind = source.kind()
    if kind == "census":
        downloader = source.census_downloader()
        for year in years:
            if table is ATP_CONCORDANCE_TABLE:
                downloader.concordance(year)
            elif table is COUNTRIES_TABLE:
                downloader.country_list(year)
            elif table is EXPORT_HISTORY_TABLE:
                downloader.export_history(year)
            elif table is COUNTRY_TRADE_TABLE:
                downloader.country_trade()
        return
    missing = missing_inputs(source.input_root(), years)
    if missing:
        raise FileNotFoundError(f"{kind} input folder {source.input_root()} lacks: " + "; ".join(missing))


def _metadata(table_name: str, results: list[LoadResult], kind: str) -> dict:
    origins = sorted({r.origin for r in results})
    dropped: dict[str, int] = {}
    for r in results:
        for name, count in (r.dropped or {}).items():
            dropped[name] = dropped.get(name, 0) + count
    return {
        "source": kind,
        "rows_loaded": sum(r.rows_loaded for r in results),
        "years": ", ".join(str(r.year) for r in results),
        "source_files": MetadataValue.md(
            "\n".join(
                f"- {r.year}: `{r.source_file}` ({r.origin}, {r.rows_loaded} rows, sha256 `{r.sha256[:12]}`)"
                for r in results
            )
        ),
        "data_origin": ", ".join(
            "SYNTHETIC sample (not Census data)" if o == "synthetic" else "Census" for o in origins
        ),
        "table": f"raw.{table_name}",
        **dropped,
    }


def raw_asset_args(table: RawTable) -> dict:
    """The ``@asset`` arguments every raw table shares: key ``raw/<name>``, yearly partitions
    materialized in a single run per backfill, group ``census_raw``."""
    return {
        "key": ["raw", table.name],
        "partitions_def": year_partitions,
        "backfill_policy": BackfillPolicy.single_run(),
        "group_name": "census_raw",
        "kinds": {"duckdb"},
        "description": table.description,
    }


def build_raw_asset(table: RawTable) -> AssetsDefinition:
    """Build the year-partitioned asset ``raw/<table.name>``.

    Each year's file is parsed into a temporary table and swapped in atomically
    (:func:`orchestration.census.load.swap_year`): re-materializing a year replaces its rows and
    never duplicates them. Raises ``FileNotFoundError``, ``CensusLayoutError`` (naming file,
    record and field) or ``SourceError`` (naming source, year and URL) before anything is written.
    """

    @asset(**raw_asset_args(table))
    def _raw_asset(
        context: AssetExecutionContext, warehouse: WarehouseResource, source: SourceResource
    ) -> MaterializeResult:
        years = partition_years(context)
        prepare_inputs(source, table, years)
        results = []
        with warehouse.connect() as con:
            for year in years:
                result = load_table_year(con, source.input_root(), table, year)
                context.log.info(f"raw.{table.name} {year}: {result.rows_loaded} rows from {result.source_file}")
                results.append(result)
        return MaterializeResult(metadata=_metadata(table.name, results, source.kind()))

    return _raw_asset


@asset(**raw_asset_args(API_HITECH_TABLE))
def api_hitech_exports(
    context: AssetExecutionContext, warehouse: WarehouseResource, source: SourceResource
) -> MaterializeResult:
    """Census API ATP totals by group and country (exports/hitech), when the source has them."""
    years = partition_years(context)
    if source.kind() == "census":
        downloader = source.census_downloader()
        for year in years:
            downloader.hitech(year)
    results = []
    with warehouse.connect() as con:
        for year in years:
            result = load_api_hitech(con, source.input_root(), year)
            if result is None:
                context.log.info(f"no exports/hitech table for {year} in the {source.kind()} input; nothing loaded")
            else:
                results.append(result)
    return MaterializeResult(metadata=_metadata(API_HITECH_TABLE.name, results, source.kind()))


raw_assets = [build_raw_asset(table) for table in RAW_TABLES] + [api_hitech_exports]


@asset(
    key=["raw", "hs10_code_changes"], group_name="census_raw", kinds={"duckdb"}, description=CODE_CHANGES_DESCRIPTION
)
def hs10_code_changes(warehouse: WarehouseResource, source: SourceResource) -> MaterializeResult:
    """HS10 code-change concordance (old code -> new code, first year) from the input folder."""
    with warehouse.connect() as con:
        rows, source_file = load_code_changes(con, source.input_root())
    return MaterializeResult(
        metadata={
            "rows_loaded": rows,
            "source_file": source_file or "none: no hs10_changes.csv, renumbered codes cannot be linked",
            "table": "raw.hs10_code_changes",
        }
    )


raw_assets.append(hs10_code_changes)
