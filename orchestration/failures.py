"""A run's failures in lines, the same words wherever they are shown: the console after ``atp
refresh`` / ``atp figures`` (:func:`failure_lines`, from the result of the run), a failed run's
``FAILED.md`` and its log in the UI (:func:`run_problems`, from the Dagster instance's event log),
and the step lines (:func:`failure_line`). A failed dbt test is followed by the rows behind it
(:func:`orchestration.audit.offending_rows`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagster import AssetCheckSeverity, DagsterEventType

from orchestration.audit import offending_rows


def failure_line(event: Any) -> str:
    """``FAILED step <key>: <the underlying error's first line>`` of a STEP_FAILURE event (the
    cause, not Dagster's wrapper)."""
    error = event.step_failure_data.error
    innermost = None
    while error is not None:
        innermost, error = error, error.cause
    if innermost is None or not innermost.message.strip():
        return f"FAILED step {event.step_key}: unknown error"
    if innermost.cls_name == "DagsterDbtCliRuntimeError":  # its first line is half a sentence
        return f"FAILED step {event.step_key}: dbt build failed (the failed dbt tests are named with their rows)"
    return f"FAILED step {event.step_key}: {innermost.message.strip().splitlines()[0]}"


def _cause(event: Any) -> str:
    """The cause of a failed step, without ``FAILED step <key>: ``."""
    return failure_line(event).split(": ", 1)[1]


def run_problems(instance: Any, run_id: str, database: Path | None = None) -> list[str]:
    """The failed steps and failed blocking (error-severity) checks of the run ``run_id`` in the
    Dagster ``instance``, one line each with the step or check and its message; for a failed dbt
    test, up to 10 of the rows behind it in ``database`` (the run's candidate) follow, indented."""
    problems = []
    records = instance.all_logs(
        run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.ASSET_CHECK_EVALUATION}
    )
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_FAILURE:
            problems.append(f"step {event.step_key} failed: {_cause(event)}")
            continue
        evaluation = event.asset_check_evaluation_data
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
            problems.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
            if database is not None:
                problems.extend(f"  - {row}" for row in offending_rows(database, evaluation.check_name))
    return problems


def failure_lines(result: Any, database: Path | None = None) -> list[str]:
    """The console's lines for a run's ``result`` (``execute_in_process``): one per failed step
    with the underlying error (one line per cause, however many steps it failed), and one per
    failed asset check (dbt tests included): ``FAILED``, or ``WARNING`` for a check of severity
    warn (``warn_*`` dbt tests), which does not fail the run. With ``database`` (a failed run's
    kept candidate, or the warehouse a successful run published), each failed or warning check is
    followed by up to 10 of the rows behind it (file and record where the test selects them)."""
    lines = []
    steps_by_error: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            steps_by_error.setdefault(_cause(event), []).append(event.step_key)
    for message, steps in steps_by_error.items():
        label = f"step {steps[0]}" if len(steps) == 1 else f"steps {', '.join(steps)}"
        lines.append(f"FAILED {label}: {message}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            key = evaluation.asset_check_key
            label = "WARNING" if evaluation.severity == AssetCheckSeverity.WARN else "FAILED"
            lines.append(f"{label} check {key.asset_key.to_user_string()}:{key.name}")
            if database is not None:
                lines.extend(f"    {row}" for row in offending_rows(database, key.name))
    return lines
