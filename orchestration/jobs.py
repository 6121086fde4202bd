"""The jobs of the code location, defined once: the schedule, the sensor and the ``atp`` command
use these objects (their names are never written again)."""

from dagster import AssetSelection, define_asset_job

#: The main job: load the selected years, rebuild the dbt models and tests, export the figures.
#: Every asset is partitioned by year with a single-run backfill policy, so a range of years (a
#: job backfill, or the Launchpad with a partition range) is one run.
atp_warehouse_job = define_asset_job(
    "atp_warehouse_job",
    selection=AssetSelection.all(),
    description="Load the selected years' Census files, build the marts (dbt), export the six figures, in one run.",
)

#: The figures only, against the warehouse as it is (``atp figures``; in the UI: the Launchpad of
#: this job, with the ``figures`` resource config: partner, years, year, definition).
atp_figures_job = define_asset_job(
    "atp_figures_job",
    selection=AssetSelection.groups("figures"),
    description="Draw the six figures (resource config `figures`: partner, years, year, definition) from the marts.",
)
