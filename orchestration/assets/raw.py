"""Raw assets: one per Census source table, partitioned by year, loaded into DuckDB schema raw."""

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.census.load import RAW_TABLES, RawTable, load_year
from orchestration.partitions import year_partitions
from orchestration.resources import WarehouseResource


def partition_years(context: AssetExecutionContext) -> list[int]:
    """The statistical years this run materializes (one, or a range in a single-run backfill)."""
    return [int(key) for key in context.partition_keys]


def build_raw_asset(table: RawTable) -> AssetsDefinition:
    """Build the year-partitioned asset ``raw/<table.name>``.

    Each year's file is parsed into a temporary table and swapped in atomically
    (:func:`orchestration.census.load.load_year`): re-materializing a year replaces its rows and
    never duplicates them. Raises the loader's ``FileNotFoundError`` / ``CensusLayoutError``
    (naming file, record and field) for missing or malformed input.
    """

    @asset(
        key=["raw", table.name],
        partitions_def=year_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="census_raw",
        kinds={"duckdb"},
        description=table.description,
    )
    def _raw_asset(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        results = []
        with warehouse.connect() as con:
            for year in partition_years(context):
                result = load_year(con, warehouse.input_path(), table, year)
                context.log.info(
                    f"raw.{table.name} {year}: {result.rows_loaded} rows from {result.source_file} ({result.origin})"
                )
                results.append(result)
        origins = sorted({r.origin for r in results})
        return MaterializeResult(
            metadata={
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
                "table": f"raw.{table.name}",
            }
        )

    return _raw_asset


raw_assets = [build_raw_asset(table) for table in RAW_TABLES]
