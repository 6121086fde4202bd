"""Export assets: the seven figures (the briefing's four, figure 5 with the three ATP definitions,
figure 6 with the products behind the largest gaps, each of one trade flow, and figure 7 with the
ATP trade balance by group) for one partner, as CSV + Parquet tables and PNG + SVG charts. What
they draw (partner, flow, years, year, definition) is set once for all seven by the ``figures``
resource (:class:`orchestration.resources.FigureSettings`; its run config:
:func:`orchestration.run_config.figure_run_config`), so the Launchpad shows one form; the default
run draws ATP exports to China (5700) and the balance over every complete year. Figure 7 writes
no file when the years drawn hold no complete year of both flows (no import history loaded): its
asset says why in its metadata (``not_drawn``)."""

from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue
from dagster_dbt import get_asset_key_for_model

from orchestration import figures
from orchestration.assets.dbt import atp_dbt_assets, dbt_project
from orchestration.assets.run_scope import full_asset_graph
from orchestration.lineage import lineage_markdown
from orchestration.marts import exposure_models
from orchestration.partitions import yearly_asset
from orchestration.provenance import describe_origins
from orchestration.publish import FIGURE_BUILD_KEY, current_build, fingerprint_of
from orchestration.resources import FigureSettings, WarehouseResource


def _model(name: str) -> AssetKey:
    return get_asset_key_for_model([atp_dbt_assets], name)


#: The dbt models each figure reads, by figure asset name: the figures' dbt exposures
#: (dbt_project/models/_figures__exposures.yml), declared there once.
FIGURE_MODELS = exposure_models(dbt_project.manifest_path)
DESCRIPTIONS = {
    1: "Figure 1: ATP exports to (or imports from) the partner by year (top) and the partner's share of world "
    "ATP exports (imports) (below), current U.S. dollars.",
    2: "Figure 2: composition of ATP exports to (or imports from) the partner by group and year, %.",
    3: "Figure 3: ATP export (or import) shares by group, partner vs rest of world, one year (default: the last "
    "of the range).",
    4: "Figure 4: partner minus rest-of-world share by group and year, pp, 2001 on, one panel per group.",
    5: "Figure 5: ATP exports to (or imports from) the partner as published, fixed-definition and chain-linked, "
    "and the reclassification effect, current U.S. dollars.",
    6: "Figure 6: the HS10 products behind the partner's largest positive and negative gaps in one year, pp.",
    7: "Figure 7: the ATP trade balance (exports f.a.s. minus general imports) with the partner (top) and the "
    "world (below) by group and year, current U.S. dollars; not drawn without a complete year of both flows.",
}
#: How the partitions of a figure read (in each figure asset's description).
FIGURE_PARTITIONS_NOTE = (
    "Partitioned like every asset so that a range of years is one run; what a figure draws is set by the "
    "figures resource (partner, flow, years, year, definition), not by the partitions of the run."
)


def figure_asset_name(number: int) -> str:
    """The asset (and op) name of figure ``number``, e.g. ``figure_1_atp_exports``."""
    return f"figure_{number}_{figures.FIGURE_NAMES[number]}"


def _export(
    context: AssetExecutionContext, number: int, settings: FigureSettings, warehouse: WarehouseResource
) -> MaterializeResult:
    with warehouse.read() as con:
        options = settings.options(con)
        try:
            drawn = figures.draw_figure(con, number, options)
        except figures.FigureNotDrawn as reason:
            context.log.warning(f"{figure_asset_name(number)} not drawn: {reason}")
            return MaterializeResult(metadata={**_option_metadata(number, options), "not_drawn": str(reason)})
        build = current_build(con)
        fingerprint = fingerprint_of(con)
    written = figures.write_figure(drawn, warehouse.exports_path(), {FIGURE_BUILD_KEY: fingerprint or "unknown"})
    # the run writes to its candidate folder; the metadata names where the files are published
    published = warehouse.published_exports_path()
    context.log.info(f"wrote {written.png.name} (.csv .parquet .svg); published to {published} when the run succeeds")
    metadata: dict[str, Any] = {
        **_option_metadata(number, options),
        "rows": drawn.table.num_rows,
        "build_id": build or "none",
        FIGURE_BUILD_KEY: fingerprint or "unknown",
        "csv": MetadataValue.path(str(published / written.csv.name)),
        "parquet": MetadataValue.path(str(published / written.parquet.name)),
        "png": MetadataValue.path(str(published / written.png.name)),
        "svg": MetadataValue.path(str(published / written.svg.name)),
        "data_origin": describe_origins([drawn.origin]),
        "caption": drawn.caption,
        "preview": MetadataValue.md(drawn.table.slice(0, 12).to_pandas().to_markdown(index=False)),
    }
    return MaterializeResult(metadata=metadata)


def _option_metadata(number: int, options: figures.FigureOptions) -> dict[str, Any]:
    """What figure ``number`` was asked to draw: partner, trade flow (both for the balance),
    definition, window (and the year of figures 3 and 6)."""
    flow = "exports and imports" if number in figures.BALANCE_FIGURES else options.flow
    metadata: dict[str, Any] = {
        "partner_code": options.partner.code,
        "partner_name": options.partner.name,
        "trade_flow": flow,
        "definition": options.definition,
        "years": f"{options.years[0]}-{options.years[1]}",
    }
    if number in figures.YEAR_FIGURES:
        metadata["year"] = options.year
    return metadata


def _figure_asset(number: int) -> AssetsDefinition:
    deps = [_model(name) for name in FIGURE_MODELS[figure_asset_name(number)]]

    @yearly_asset(
        name=figure_asset_name(number),
        deps=deps,
        group_name="figures",
        kinds={"python", "pandas"},
        description=f"{DESCRIPTIONS[number]} {FIGURE_PARTITIONS_NOTE}",
    )
    def _asset(
        context: AssetExecutionContext, figures: FigureSettings, warehouse: WarehouseResource
    ) -> MaterializeResult:
        return _export(context, number, figures, warehouse)

    return _asset


figure_assets = [_figure_asset(number) for number in figures.FIGURE_NAMES]


#: File name of the static lineage written beside the figures.
LINEAGE_FILE = "lineage.md"


@yearly_asset(
    name="lineage",
    deps=[figure.key for figure in figure_assets],
    group_name="figures",
    kinds={"python"},
    description="The lineage of every asset (raw tables -> dbt models -> figures) as a Mermaid flowchart in "
    f"{LINEAGE_FILE}, exported with the figures (a static copy of the graph the UI shows).",
)
def lineage(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Write ``lineage.md`` (Markdown with a Mermaid flowchart, :func:`orchestration.lineage.lineage_markdown`)
    of the run's whole asset graph into the exports folder; published with the figures."""
    graph = full_asset_graph(context)
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
