"""Export assets: the six figures (the briefing's four, figure 5 with the three ATP definitions and
figure 6 with the products behind the largest gaps) for one partner, as CSV + Parquet tables and
PNG + SVG charts. The partner, year and definition are run config (:class:`FigureConfig`), so the
Launchpad shows a form; the default run draws China (5700)."""

from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, Config, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model
from pydantic import Field

from orchestration import figures
from orchestration.assets.dbt import atp_dbt_assets
from orchestration.lineage import lineage_markdown
from orchestration.resources import WarehouseResource


def _model(name: str) -> AssetKey:
    return get_asset_key_for_model([atp_dbt_assets], name)


class FigureConfig(Config):
    """Run config of every figure asset: which partner, year and ATP definition to draw."""

    partner: str = Field(
        default=figures.DEFAULT_PARTNER,
        description="Partner: a Schedule C code (5700 China, 5880 Japan), a partner group code (CN_HK) or an "
        "exact name, case-insensitive ('japan', 'China + Hong Kong'); see dim_partners",
    )
    year: int | None = Field(
        default=None,
        description="Year of figures 3 and 6 (the others draw every complete year); default: the latest complete year",
    )
    definition: str = Field(
        default=figures.AS_PUBLISHED,
        description="ATP definition: as_published (each year's own list) or fixed_<base year>, e.g. fixed_2008; "
        "figures 1 and 5 also take chain_linked",
    )


#: The dbt models each figure reads (besides dim_partners, fct_atp_exports for the data origin
#: and int_export_history_years for the complete years).
FIGURE_MODELS = {
    1: ("fct_atp_growth",),
    2: ("fct_specialization_gaps",),
    3: ("fct_specialization_gaps",),
    4: ("fct_specialization_gaps",),
    5: ("fct_atp_growth",),
    6: ("fct_specialization_gaps", "fct_hs10_gap_contributions"),
}
DESCRIPTIONS = {
    1: "Figure 1: ATP exports to the partner by year (top), to the world and the rest of the world (below), USD "
    "billions.",
    2: "Figure 2: composition of ATP exports to the partner by group and year, %.",
    3: "Figure 3: ATP export shares by group, partner vs rest of world, one year (default: the latest complete).",
    4: "Figure 4: partner minus rest-of-world share by group and year, pp, 2001 on.",
    5: "Figure 5: ATP exports to the partner as published, fixed-definition and chain-linked, and the "
    "reclassification effect, USD billions.",
    6: "Figure 6: the HS10 products behind the partner's largest positive and negative gaps in one year, pp.",
}


def figure_asset_name(number: int) -> str:
    """The asset (and op) name of figure ``number``, e.g. ``figure_1_atp_exports``."""
    return f"figure_{number}_{figures.FIGURE_NAMES[number]}"


def figure_run_config(
    partner: str = figures.DEFAULT_PARTNER, year: int | None = None, definition: str = figures.AS_PUBLISHED
) -> dict[str, Any]:
    """The ``ops`` run config that gives every figure asset the same :class:`FigureConfig`
    (what the Launchpad form produces)."""
    config = {"partner": partner, "year": year, "definition": definition}
    return {figure_asset_name(number): {"config": dict(config)} for number in figures.FIGURE_NAMES}


def _export(
    context: AssetExecutionContext, number: int, config: FigureConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    with warehouse.read() as con:
        drawn = figures.draw_figure(con, number, config.partner, config.year, config.definition)
    written = figures.write_figure(
        drawn.table, drawn.chart, warehouse.exports_path(), drawn.stem, drawn.origin, drawn.caption
    )
    # the run writes to its candidate folder; the metadata names where the files are published
    published = warehouse.published_exports_path()
    context.log.info(f"wrote {written.png.name} (.csv .parquet .svg); published to {published} when the run succeeds")
    metadata: dict[str, Any] = {
        "partner_code": drawn.partner.code,
        "partner_name": drawn.partner.name,
        "definition": drawn.definition,
        "rows": drawn.table.num_rows,
        "csv": MetadataValue.path(str(published / written.csv.name)),
        "parquet": MetadataValue.path(str(published / written.parquet.name)),
        "png": MetadataValue.path(str(published / written.png.name)),
        "svg": MetadataValue.path(str(published / written.svg.name)),
        "data_origin": "SYNTHETIC sample (not Census data)" if drawn.origin == "synthetic sample" else "Census",
        "caption": drawn.caption,
        "preview": MetadataValue.md(drawn.table.slice(0, 12).to_pandas().to_markdown(index=False)),
    }
    if drawn.year is not None:
        metadata["year"] = drawn.year
    return MaterializeResult(metadata=metadata)


def _figure_asset(number: int) -> AssetsDefinition:
    deps = [_model(name) for name in (*FIGURE_MODELS[number], "dim_partners", "fct_atp_exports")]

    @asset(
        name=figure_asset_name(number),
        deps=deps,
        group_name="figures",
        kinds={"python", "pandas"},
        description=DESCRIPTIONS[number],
    )
    def _asset(context: AssetExecutionContext, config: FigureConfig, warehouse: WarehouseResource) -> MaterializeResult:
        return _export(context, number, config, warehouse)

    return _asset


figure_1_atp_exports = _figure_asset(1)
figure_2_composition = _figure_asset(2)
figure_3_composition_shares = _figure_asset(3)
figure_4_specialization_gaps = _figure_asset(4)
figure_5_atp_definitions = _figure_asset(5)
figure_6_gap_products = _figure_asset(6)

figure_assets = [
    figure_1_atp_exports,
    figure_2_composition,
    figure_3_composition_shares,
    figure_4_specialization_gaps,
    figure_5_atp_definitions,
    figure_6_gap_products,
]


#: File name of the static lineage written beside the figures.
LINEAGE_FILE = "lineage.md"


@asset(
    name="lineage",
    deps=[figure.key for figure in figure_assets],
    group_name="figures",
    kinds={"python"},
    description="The lineage of every asset (raw tables -> dbt models -> figures) as a Mermaid flowchart in "
    f"{LINEAGE_FILE}, exported with the figures (a static copy of the graph the UI shows).",
)
def lineage(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Write ``lineage.md`` (Markdown with a Mermaid flowchart, :func:`orchestration.lineage.lineage_markdown`)
    into the exports folder; published with the figures when the run succeeds."""
    from orchestration.definitions import defs  # the code location this asset belongs to

    graph = defs.resolve_asset_graph()
    text = lineage_markdown(graph)
    folder = warehouse.exports_path()
    folder.mkdir(parents=True, exist_ok=True)
    figures.write_text_file(folder / LINEAGE_FILE, text)
    published = warehouse.published_exports_path() / LINEAGE_FILE
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(published)),
            "assets": len(graph.get_all_asset_keys()),
            "lineage": MetadataValue.md(text),
        }
    )
