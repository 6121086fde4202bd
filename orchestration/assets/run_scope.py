"""What a run materializes, and the rule that keeps the published state consistent.

A run publishes its candidate whole (:mod:`orchestration.publish`), so the published marts are
built from exactly the published raw tables, and the published figures from the published marts,
only if every run that rebuilds an asset also rebuilds everything built from it. A launch from
the Dagster UI can select any subset (one raw table, the ``census_raw`` group, one mart), so each
step that writes the warehouse checks, before it writes anything, that its run includes every
asset downstream of it (:func:`require_complete_run`); otherwise it fails with one line saying
what to launch instead, and nothing is published. Runs of the figures alone are always whole:
they read the published marts and write only figures.
"""

from __future__ import annotations

from dagster import AssetExecutionContext, AssetKey, AssetSelection, DagsterEventType, DagsterRunStatus

from orchestration.jobs import atp_warehouse_job
from orchestration.tags import PARENT_RUN_TAG

#: Groups whose assets write the warehouse file (the figures only read it).
WRITING_GROUPS = ("census_raw", "dbt_seeds", "dbt_staging", "dbt_intermediate", "dbt_marts")


class IncompleteRunError(RuntimeError):
    """A run selects an asset without the assets built from it, or re-executes a failed run
    whose work is gone; the message (one line) says what to launch instead."""


def full_asset_graph(context: AssetExecutionContext):
    """The asset graph of the whole job the run belongs to (a run of a selection sees only its
    subset in ``context.job_def``; its parent job has every asset)."""
    job = context.job_def
    selection = job.asset_selection_data
    return (selection.parent_job_def if selection is not None else job).asset_layer.asset_graph


def executing_asset_keys(context: AssetExecutionContext) -> set[AssetKey]:
    """The assets this run materializes: the run's asset selection (the whole job when it has
    none), narrowed to the steps it executes (a re-execution runs some steps only)."""
    keys = set(context.job_def.asset_layer.executable_asset_keys)
    steps = context.run.step_keys_to_execute
    if steps is None:
        return keys
    graph = full_asset_graph(context)
    return {key for key in keys if graph.assets_def_for_key(key).node_def.name in set(steps)}


def _names(keys: set[AssetKey]) -> str:
    shown = sorted(key.to_user_string() for key in keys)
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "")


def require_complete_run(context: AssetExecutionContext, continues_candidate: bool) -> None:
    """Raise :class:`IncompleteRunError` (one line) before a step writes the warehouse when its
    run cannot publish a consistent state:

    - the run does not materialize every asset downstream of the warehouse assets it writes (a
      launch of the raw tables alone, say: its marts and figures would not be rebuilt from them);
      every writing step of such a run refuses, so none copies the warehouse for nothing;
    - the run re-executes a failed run (``continues_candidate`` False: that run's candidate is
      gone) and skips assets the failed run had rebuilt (their work is lost with the candidate).
    """
    graph = full_asset_graph(context)
    running = executing_asset_keys(context)
    writing = {key for key in running if graph.get(key).group_name in WRITING_GROUPS}
    missing = AssetSelection.assets(*writing).downstream().resolve(graph) - running
    if missing:
        incomplete = {key for key in writing if AssetSelection.assets(key).downstream().resolve(graph) - running}
        raise IncompleteRunError(
            f"this run rebuilds {_names(incomplete)} but not what is built from it ({_names(missing)}), so its "
            "result could not be published whole and nothing would be: launch Materialize all for the years (or the "
            f"job {atp_warehouse_job.name}, or `atp refresh --years ...`)"
        )
    parent_id = context.run.tags.get(PARENT_RUN_TAG)
    if parent_id is None or continues_candidate:
        return
    parent = context.instance.get_run_by_id(parent_id)
    if parent is None or parent.status != DagsterRunStatus.FAILURE:
        return
    records = context.instance.get_records_for_run(parent_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records
    rebuilt = {
        record.event_log_entry.dagster_event.asset_key
        for record in records
        if graph.get(record.event_log_entry.dagster_event.asset_key).group_name in WRITING_GROUPS
    }
    if rebuilt - running:
        raise IncompleteRunError(
            f"run {parent_id} rebuilt {_names(rebuilt - running)}, which this re-execution skips, but its candidate "
            "is gone (another run published since): launch the years again"
        )
