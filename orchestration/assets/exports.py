"""Export assets: the briefing's four figures and figure 5 (three ATP definitions) as CSV + Parquet
tables and PNG charts."""

from collections.abc import Callable

import duckdb
import pyarrow as pa
from dagster import AssetExecutionContext, AssetsDefinition, Config, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model

from orchestration import figures
from orchestration.assets.dbt import atp_dbt_assets
from orchestration.resources import WarehouseResource

SPECIALIZATION_GAPS = get_asset_key_for_model([atp_dbt_assets], "mart_specialization_gaps")
FACT = get_asset_key_for_model([atp_dbt_assets], "fct_atp_exports")


class Figure3Config(Config):
    """Run config of figure 3."""

    year: int | None = None  # default: the latest year in the marts


def _export(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    stem: str,
    build: Callable[[duckdb.DuckDBPyConnection], pa.Table],
    draw,
) -> MaterializeResult:
    with warehouse.connect() as con:
        origin = figures.data_origin(con)
        caption = figures.figure_caption(con)
        table = build(con)
    written = figures.write_figure(table, draw(table, caption), warehouse.exports_path(), stem, origin, caption)
    context.log.info(f"wrote {written.csv}, {written.parquet}, {written.png}")
    return MaterializeResult(
        metadata={
            "rows": table.num_rows,
            "csv": MetadataValue.path(str(written.csv)),
            "parquet": MetadataValue.path(str(written.parquet)),
            "png": MetadataValue.path(str(written.png)),
            "data_origin": "SYNTHETIC sample (not Census data)" if origin == "synthetic sample" else "Census",
            "caption": caption,
            "preview": MetadataValue.md(table.slice(0, 12).to_pandas().to_markdown(index=False)),
        }
    )


def _figure_asset(stem: str, description: str, build, draw) -> AssetsDefinition:
    @asset(
        name=stem,
        deps=[SPECIALIZATION_GAPS, FACT],
        group_name="figures",
        kinds={"python", "pandas"},
        description=description,
    )
    def _asset(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        return _export(context, warehouse, stem, build, draw)

    return _asset


figure_1_china_atp_exports = _figure_asset(
    "figure_1_china_atp_exports",
    "Figure 1: ATP exports to China by year, USD billions, world on a second axis.",
    figures.figure_1_table,
    figures.chart_1,
)
figure_2_china_composition = _figure_asset(
    "figure_2_china_composition",
    "Figure 2: composition of ATP exports to China by group and year, %.",
    figures.figure_2_table,
    figures.chart_2,
)
figure_4_specialization_gaps = _figure_asset(
    "figure_4_specialization_gaps",
    "Figure 4: China minus rest-of-world share by group and year, pp, 2001 on.",
    figures.figure_4_table,
    figures.chart_4,
)


@asset(deps=[SPECIALIZATION_GAPS, FACT], group_name="figures", kinds={"python", "pandas"})
def figure_3_china_vs_row_shares(
    context: AssetExecutionContext, config: Figure3Config, warehouse: WarehouseResource
) -> MaterializeResult:
    """Figure 3: ATP export shares by group, China vs rest of world, one year (default latest)."""
    return _export(
        context,
        warehouse,
        "figure_3_china_vs_row_shares",
        lambda con: figures.figure_3_table(con, config.year),
        figures.chart_3,
    )


GROWTH = get_asset_key_for_model([atp_dbt_assets], "mart_atp_growth")


@asset(deps=[GROWTH, FACT], group_name="figures", kinds={"python", "pandas"})
def figure_5_china_atp_definitions(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Figure 5: ATP exports to China as published, fixed-definition and chain-linked, with the
    reclassification effect per year, USD billions."""
    return _export(context, warehouse, "figure_5_china_atp_definitions", figures.figure_5_table, figures.chart_5)


figure_assets = [
    figure_1_china_atp_exports,
    figure_2_china_composition,
    figure_3_china_vs_row_shares,
    figure_4_specialization_gaps,
    figure_5_china_atp_definitions,
]
