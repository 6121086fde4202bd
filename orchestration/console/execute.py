"""Running a job of the code location from the console, in this process: recorded in the Dagster
instance at ``$DAGSTER_HOME`` (so the run shows up in the UI), dbt's and Dagster's output in a
log file under ``logs/`` beside the warehouse file, then the run's step lines and how it ended:
its failures (exit 1), a publish that did not finish (exit 1), or a summary."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from orchestration.paths import DEFAULT_DAGSTER_HOME, RUN_LOG_DIR_NAME

#: The instance settings every instance of this project gets (telemetry and the first-visit modal off).
INSTANCE_SETTINGS = DEFAULT_DAGSTER_HOME / "dagster.yaml"


def dagster_home() -> Path:
    """The Dagster instance of every ``atp`` command: ``$DAGSTER_HOME`` made absolute (Dagster
    refuses a relative one), else ``warehouse/dagster_home``; set in the environment for what runs
    next. A folder without ``dagster.yaml`` gets the project's (telemetry and the first-visit modal
    off), so nothing is written under ``~``."""
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured).expanduser().resolve() if configured else DEFAULT_DAGSTER_HOME
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists() and INSTANCE_SETTINGS.exists():
        shutil.copyfile(INSTANCE_SETTINGS, home / "dagster.yaml")
    return home


def run_log_path(log_name: str, suffix: str = "log") -> Path:
    """``<warehouse folder>/logs/<log_name>-<UTC time>.<suffix>``: where a run's (or ``atp ui``'s)
    full output goes (the folder is not made here)."""
    from orchestration.resources import WarehouseResource

    folder = WarehouseResource().published_database_path().parent / RUN_LOG_DIR_NAME
    return folder / f"{log_name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.{suffix}"


def _check_targets() -> None:
    """Refuse, before the run, when what it would publish cannot be written (the warehouse folder,
    which also holds the run logs, or the exports folder): the cause in one line, then exit 1
    (:func:`orchestration.publish.check_publish_targets`; the run's resource checks the same)."""
    from orchestration.publish import PublishError, check_publish_targets
    from orchestration.resources import WarehouseResource

    warehouse = WarehouseResource()
    try:
        check_publish_targets(warehouse.published_database_path(), warehouse.published_exports_path())
    except PublishError as error:
        typer.echo(str(error), err=True)
        typer.echo("Nothing was run: nothing was published, the warehouse and the figures are as they were.", err=True)
        raise typer.Exit(1) from None


def execute_job(
    job: Any,
    run_config: dict,
    tags: dict[str, str],
    log_level: str,
    verbose: bool,
    log_name: str,
    summary: Callable[[Any], list[str]] | None = None,
) -> None:
    """Run ``job`` (one of :mod:`orchestration.jobs`) in this process with ``run_config`` and
    ``tags``, its dbt and Dagster output in a log file (:func:`run_log_path`) unless ``verbose``;
    print its step lines, then the failures (exit 1), or ``summary`` of the result (default: the
    warehouse summary, :func:`orchestration.console.summary.summary_lines`). The caller has
    prepared the dbt manifest (:func:`orchestration.project.prepare_manifest`): the definitions
    are loaded from it. A warehouse or exports folder that cannot be written is one line on
    stderr before anything runs (exit 1)."""
    _check_targets()
    dagster_home()
    log_path = run_log_path(log_name)
    if not verbose:
        typer.echo(f"  full dbt and Dagster output: {log_path}")
    with ExitStack() as stack:
        if not verbose:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = stack.enter_context(log_path.open("w", encoding="utf-8"))
            stack.enter_context(redirect_stdout(log))
            stack.enter_context(redirect_stderr(log))  # Dagster's events; progress bars use the terminal
            caught = stack.enter_context(warnings.catch_warnings(record=True))
        result = _run(job, run_config, tags, log_level)
        if not verbose:
            for warning in caught:
                log.write(f"{warning.category.__name__}: {warning.message}\n")
    _report(result, log_path if not verbose else None, summary)


def _run(job: Any, run_config: dict, tags: dict[str, str], log_level: str) -> Any:
    """Load the code location and execute ``job`` in this process."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    return defs.resolve_job_def(job.name).execute_in_process(
        instance=DagsterInstance.get(),
        run_config={"loggers": {"console": {"config": {"log_level": log_level.upper()}}}, **run_config},
        tags=tags,
        raise_on_error=False,
    )


def _report(result: Any, log_path: Path | None, summary: Callable[[Any], list[str]] | None) -> None:
    """The step lines of a finished run, then how it ended (``log_path``: its log file, None when
    the output went to the console)."""
    from dagster import DagsterInstance

    from orchestration.console.summary import summary_lines, unfinished_publish, written_charts
    from orchestration.dbt_settings import MANIFEST_PATH
    from orchestration.failures import failure_lines
    from orchestration.marts import mart_names
    from orchestration.reporting import step_lines
    from orchestration.resources import WarehouseResource
    from orchestration.tags import PUBLISH_TAG

    instance = DagsterInstance.get()
    for line in step_lines(instance.all_logs(result.run_id)):
        typer.echo(line)
    warehouse = WarehouseResource()
    published = warehouse.published_database_path()
    candidate = warehouse.candidate_dir(result.run_id)
    if not result.success:
        kept_database = candidate / published.name
        for line in failure_lines(result, kept_database if kept_database.exists() else None):
            typer.echo(line, err=True)
        kept = f" The failed candidate is kept for inspection in {candidate}." if candidate.exists() else ""
        typer.echo(
            f"Run {result.run_id} failed: nothing was published, the warehouse and the figures are as they "
            f"were.{kept} Details: {log_path or 'above'}, or the run in the Dagster UI.",
            err=True,
        )
        raise typer.Exit(1)
    if candidate.exists():
        run = instance.get_run_by_id(result.run_id)
        tag = run.tags.get(PUBLISH_TAG) if run is not None else None
        typer.echo(unfinished_publish(result.run_id, candidate, published, tag), err=True)
        raise typer.Exit(1)
    for line in failure_lines(result, published):  # warnings only: the run succeeded
        typer.echo(line, err=True)
    if summary is not None:
        typer.echo("\n".join(summary(result)))
        return
    marts = mart_names(MANIFEST_PATH)
    lines = summary_lines(warehouse.database_path(), warehouse.exports_path(), marts, written_charts(result))
    typer.echo("\n".join(lines))
