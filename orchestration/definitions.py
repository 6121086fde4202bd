"""The code location: every asset, resource and job of the ATP warehouse."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.assets.dbt import atp_dbt_assets
from orchestration.assets.exports import figure_assets, lineage
from orchestration.assets.raw import raw_assets
from orchestration.checks import (
    api_group_totals_match_fact,
    api_year_to_date_equals_monthly_sum,
    raw_export_history_rows_and_values,
)
from orchestration.project import dbt_resource
from orchestration.resources import SourceResource, WarehouseResource
from orchestration.schedules import annual_census_refresh, census_release_sensor

#: The main job: load the selected years, rebuild the dbt models and tests, export the figures.
atp_warehouse_job = define_asset_job(
    "atp_warehouse_job",
    selection=AssetSelection.all(),
    description="Load the selected years' Census files, build the marts (dbt), export the six figures.",
)

#: The figures only, against the warehouse as it is (``atp figures``; in the UI: the Launchpad of
#: this job, or of the ``figures`` group, with the partner, year and definition as run config).
atp_figures_job = define_asset_job(
    "atp_figures_job",
    selection=AssetSelection.groups("figures"),
    description="Draw the six figures for one partner (run config: partner, year, definition) from the marts.",
)

#: Every run (the main job, a materialization or a backfill launched from the UI) runs its steps
#: in one process: DuckDB takes one writer at a time, so parallel step processes buy nothing and
#: each would import dagster and dagster-dbt anew (issue 9 measured 8 minutes for a 3-year UI
#: backfill that the console runs in 1.5).
defs = Definitions(
    executor=in_process_executor,
    assets=[*raw_assets, atp_dbt_assets, *figure_assets, lineage],
    asset_checks=[api_group_totals_match_fact, api_year_to_date_equals_monthly_sum, raw_export_history_rows_and_values],
    jobs=[atp_warehouse_job, atp_figures_job],
    schedules=[annual_census_refresh],
    sensors=[census_release_sensor],
    resources={
        "warehouse": WarehouseResource(),
        "source": SourceResource(),
        "dbt": dbt_resource(),
    },
)
