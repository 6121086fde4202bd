"""The code location: every asset, resource and job of the ATP warehouse."""

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import atp_dbt_assets
from orchestration.assets.exports import figure_assets, lineage
from orchestration.assets.raw import raw_assets
from orchestration.checks import (
    api_group_totals_match_fact,
    api_year_to_date_equals_monthly_sum,
    raw_export_history_rows_and_values,
)
from orchestration.jobs import atp_figures_job, atp_warehouse_job
from orchestration.resources import FigureSettings, SourceResource, WarehouseResource
from orchestration.schedules import annual_census_refresh, census_release_sensor

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
        "figures": FigureSettings(),
    },
)
