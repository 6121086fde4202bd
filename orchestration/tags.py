"""The run tags this project reads and writes, defined once.

Dagster's own tags (a run's partition range, the run a re-execution re-executes) are taken from
Dagster's constants: ``dagster._core.storage.tags`` is not a public module of Dagster 1.13 (the
top-level ``dagster`` package exports no tag constant), but it is where Dagster itself reads them,
so a rename there is seen here at once. The project's own tags are ``atp/...``.
"""

from __future__ import annotations

from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARENT_RUN_ID_TAG,
)

#: The tags that give a run a range of partitions (``dagster/asset_partition_range_start`` and
#: ``_end``: what the UI's single-run backfills and the Launchpad's *Edit tags* set).
RANGE_START_TAG = ASSET_PARTITION_RANGE_START_TAG
RANGE_END_TAG = ASSET_PARTITION_RANGE_END_TAG
#: The tag naming the run a re-execution re-executes (``dagster/parent_run_id``).
PARENT_RUN_TAG = PARENT_RUN_ID_TAG
#: The tag a run gets when it ends: what it published, or why nothing.
PUBLISH_TAG = "atp/publish"
#: What started a run that was not launched by hand (``annual_refresh``: the schedule or the sensor).
TRIGGER_TAG = "atp/trigger"


def partition_range_tags(first: int, last: int) -> dict[str, str]:
    """The tags of one run over the years ``first``..``last`` (a range of year partitions)."""
    return {RANGE_START_TAG: str(first), RANGE_END_TAG: str(last)}
