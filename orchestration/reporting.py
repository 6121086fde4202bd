"""The run's steps in a few lines, the same wherever a run is watched: ``atp refresh`` prints
them when its run ends, and ``make ui`` (``atp ui``) prints them as the runs launched from the
UI go (:class:`StepLinesHandler`, a handler of the Dagster instance's logs).

One line per raw input (rows loaded, years), the export and the import table of the same input on
one line (:data:`FLOW_PAIRS`: the analyst compares the two flows side by side, and the run stays
short), one for the Python checks, one for ``dbt build`` (dbt's own counts of models, seeds, data
and unit tests), one for the figures and the lineage, each with its seconds; a failed step says
FAILED and its cause follows.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.failures import failure_line
from orchestration.provenance import year_ranges

#: The environment variable that names the file :class:`StepLinesHandler` appends to (set by
#: ``atp ui`` for the processes of ``dagster dev``; unset, the handler does nothing).
STEP_LINES_ENV = "ATP_STEP_LINES"
#: How the warehouse resource starts the log line that says what a run published (or did not).
PUBLISH_PREFIXES = ("published ", "nothing published")
#: The raw tables of the two trade flows that share a step line: the export table's step, then the
#: import table's (the same input for the other flow: the history, the ATP list, the API totals).
FLOW_PAIRS = (
    ("raw__api_hitech_exports", "raw__api_hitech_imports"),
    ("raw__atp_concordance", "raw__import_concordance"),
    ("raw__export_history", "raw__import_history"),
    ("raw__hs10_code_changes", "raw__import_code_changes"),
)
#: The raw tables only the census source (or a folder of its landed tables) fills.
API_ONLY = ("raw__api_hitech_exports", "raw__api_hitech_imports")


def _flow_partner(key: str) -> str | None:
    """The step whose raw table is the same input for the other trade flow (:data:`FLOW_PAIRS`)."""
    return next((b if key == a else a for a, b in FLOW_PAIRS if key in (a, b)), None)


def _years_text(text: str) -> str:
    """``"2000, 2001, 2002"`` -> ``"2000-2002"`` (other text as it is)."""
    numbers = [int(y) for y in str(text).replace(" ", "").split(",") if y.isdigit()]
    return year_ranges(numbers) if numbers else str(text)


@dataclass
class _Step:
    key: str
    started: float | None = None
    status: str = "STARTED"
    seconds: float = 0.0
    metadata: dict[str, Any] | None = None
    checks: list[bool] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)


def _pair_rank(key: str) -> int:
    """0 for the export table of a flow pair, 1 for the import table: the order on their line."""
    return next((0 if key == a else 1 for a, b in FLOW_PAIRS if key in (a, b)), 0)


def _is_figure(key: str) -> bool:
    return key.startswith("figure_") or key == "lineage"


class StepReport:
    """Turns a run's Dagster events (in order) into the step lines. Raw tables and ``dbt build``
    get their line when they end, the two tables of a flow pair (:data:`FLOW_PAIRS`) one line when
    the second ends; the Python checks and the figures are one line each, given when the run ends
    (:meth:`finish`, which also gives a pair's table whose partner never ended its own line)."""

    def __init__(self) -> None:
        self.steps: dict[str, _Step] = {}
        self.pending: list[str] = []  # check and figure steps not reported yet
        self.waiting: list[str] = []  # raw steps that wait for their flow partner to end
        self.lines: list[str] = []
        self.notes: list[str] = []  # said after the steps (what the run published)

    def add(self, event: Any, timestamp: float | None = None) -> list[str]:
        """Take one ``DagsterEvent`` (and when it happened, Unix seconds: a failed step's
        duration); returns the lines it completes."""
        key, kind = event.step_key, event.event_type_value
        before = len(self.lines)
        if kind == "STEP_START":
            self.steps[key] = _Step(key, started=timestamp)
        elif key in self.steps:
            step = self.steps[key]
            if kind == "ASSET_MATERIALIZATION" and step.metadata is None:
                metadata = event.event_specific_data.materialization.metadata
                step.metadata = {k: v.value for k, v in metadata.items()}
            elif kind == "ASSET_CHECK_EVALUATION":
                evaluation = event.event_specific_data
                step.checks.append(evaluation.passed)
                if not evaluation.passed and evaluation.severity.value == "ERROR":
                    step.failed_checks.append(evaluation.check_name)
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
                step.status = kind
                if kind == "STEP_SUCCESS":
                    step.seconds = (event.event_specific_data.duration_ms or 0) / 1000
                elif timestamp is not None and step.started is not None:
                    step.seconds = timestamp - step.started
                partner = _flow_partner(key)
                if self._grouped(step):
                    self.pending.append(key)
                elif partner is not None and kind == "STEP_SUCCESS":
                    self._pair(step, partner)
                else:  # a failed step says so at once (its cause follows it)
                    if partner in self.waiting:
                        self._release(partner)
                    self._release(key)
        return self.lines[before:]

    def _pair(self, step: _Step, partner: str) -> None:
        """A table of a flow pair has loaded: its line with its partner's if that one is waiting,
        else it waits for it."""
        if partner not in self.waiting:
            self.waiting.append(step.key)
            return
        self.waiting.remove(partner)
        pair = sorted((step, self.steps[partner]), key=lambda s: _pair_rank(s.key))
        self.lines.append(self._pair_line(*pair))
        self.lines.extend(note for s in pair for note in self._notes(s))

    def _release(self, key: str) -> None:
        """The line of one step (and its notes), alone."""
        if key in self.waiting:
            self.waiting.remove(key)
        self.lines.append(self._line(self.steps[key]))
        self.lines.extend(self._notes(self.steps[key]))

    def finish(self) -> list[str]:
        """The lines still due at the end of the run (a flow pair's table whose partner did not
        load, checks, figures); returns them."""
        before = len(self.lines)
        for key in list(self.waiting):
            self._release(key)
        self._flush()
        return self.lines[before:]

    @staticmethod
    def _grouped(step: _Step) -> bool:
        """A figure, or a step of Python checks (check results, nothing materialized)."""
        is_checks = bool(step.checks) and step.metadata is None and step.key != "atp_dbt_assets"
        return _is_figure(step.key) or is_checks

    def _flush(self) -> None:
        checks = [self.steps[k] for k in self.pending if not _is_figure(k)]
        figures = [self.steps[k] for k in self.pending if _is_figure(k)]
        if checks:
            results = [passed for step in checks for passed in step.checks]
            failed = results.count(False) + sum(step.status == "STEP_FAILURE" for step in checks)
            self.lines.append(
                f"  checks: {len(results)} Python checks{f' ({failed} not passed)' if failed else ' passed'}"
            )
        if figures:
            failed = [s.key for s in figures if s.status == "STEP_FAILURE"]
            charts = [s for s in figures if s.key != "lineage"]
            # a figure with nothing to draw (figure 7 without imports) succeeds and writes no file
            skipped = [s.key for s in charts if s.status != "STEP_FAILURE" and (s.metadata or {}).get("not_drawn")]
            drawn = len([s for s in charts if s.status != "STEP_FAILURE"]) - len(skipped)
            lineage = (
                " and the lineage" if any(s.key == "lineage" and s.status != "STEP_FAILURE" for s in figures) else ""
            )
            not_drawn = f" (FAILED: {', '.join(failed)})" if failed else ""
            if skipped:
                not_drawn += f" ({', '.join(skipped)}: no complete year of both flows)"
            total = sum(s.seconds for s in figures)
            self.lines.append(f"  figures: {drawn} of {len(charts)} charts{lineage} written{not_drawn}, {total:.1f} s")
        self.pending = []

    @staticmethod
    def _notes(step: _Step) -> list[str]:
        """What a raw table's load says the user should know (its ``notes`` metadata: an input
        loaded as unverified, revised years not loaded), one indented line each."""
        notes = str((step.metadata or {}).get("notes") or "")
        return [f"    {line.removeprefix('- ')}" for line in notes.splitlines() if line.strip()]

    def _line(self, step: _Step) -> str:
        if step.key == "atp_dbt_assets":
            return self._dbt_line(step)
        if step.status == "STEP_FAILURE":
            return f"  {step.key}: FAILED"
        if step.key.startswith("raw__"):
            values = step.metadata or {}
            rows = values.get("rows_loaded", 0)
            filled = " (only the census source fills it)" if step.key in API_ONLY and not rows else ""
            years = _years_text(values.get("years", ""))
            return f"  raw.{step.key[5:]}: {rows:,} rows ({years}){filled}, {step.seconds:.1f} s"
        return f"  {step.key}: {step.seconds:.1f} s"

    @staticmethod
    def _pair_line(first: _Step, second: _Step) -> str:
        """The export and the import table of one input, both loaded, e.g. ``raw.export_history:
        10 rows, raw.import_history: 8 rows (2000-2023), 4.2 s``: each table's rows, the years
        (after each table when they differ), the seconds of both steps; the API tables both empty
        (any source but census) in a shorter line."""
        pair = [(s.key[5:], s.metadata or {}) for s in (first, second)]
        years = [_years_text(values.get("years", "")) for _, values in pair]
        shared = years[0] == years[1]
        parts = [
            f"raw.{name}: {values.get('rows_loaded', 0):,} rows{'' if shared else f' ({year})'}"
            for (name, values), year in zip(pair, years, strict=True)
        ]
        seconds = f"{first.seconds + second.seconds:.1f} s"
        if shared and all(f"raw__{name}" in API_ONLY and not values.get("rows_loaded") for name, values in pair):
            names = ", ".join(f"raw.{name}" for name, _ in pair)
            return f"  {names}: 0 rows ({years[0]}; only the census source fills them), {seconds}"
        return f"  {', '.join(parts)}{f' ({years[0]})' if shared else ''}, {seconds}"

    @staticmethod
    def _dbt_line(step: _Step) -> str:
        """``dbt build``: dbt's own counts when it ran in this step (its ``run_results.json`` is
        newer than the step's start), the failed tests by name, the seconds."""
        from orchestration.audit import build_counts, counts_phrase
        from orchestration.dbt_settings import RUN_TARGET_DIR

        results = RUN_TARGET_DIR / "run_results.json"
        fresh = results.is_file() and (step.started is None or results.stat().st_mtime >= step.started)
        if step.status != "STEP_FAILURE":
            return f"  dbt build: {counts_phrase(build_counts(RUN_TARGET_DIR))}, {step.seconds:.1f} s"
        if not fresh:
            return f"  dbt build: FAILED before dbt ran, {step.seconds:.1f} s"
        failed = step.failed_checks
        named = f"; failed: {', '.join(failed[:3])}{' ...' if len(failed) > 3 else ''}" if failed else ""
        return f"  dbt build: {counts_phrase(build_counts(RUN_TARGET_DIR))} (FAILED{named}), {step.seconds:.1f} s"


def step_lines(entries: list[Any]) -> list[str]:
    """The step lines of a finished run, from its events in order: Dagster's event log entries
    (with their timestamps: ``DagsterInstance.all_logs``) or bare ``DagsterEvent`` objects."""
    report = StepReport()
    for entry in entries:
        event = getattr(entry, "dagster_event", entry)
        if event is not None:
            report.add(event, getattr(entry, "timestamp", None))
    report.finish()
    return report.lines


class StepLinesHandler(logging.Handler):
    """A handler of the Dagster instance's logs (``python_logs.dagster_handler_config`` in
    ``warehouse/dagster_home/dagster.yaml``) that appends each run's step lines, as they come, to
    the file named by ``$ATP_STEP_LINES``; ``atp ui`` prints that file, so the terminal of the UI
    shows what ``atp refresh`` prints, not every event and dbt's whole output. Without the
    variable (``atp refresh``, tests) it does nothing. Dagster makes a handler per step, so the
    reports of the runs in progress are kept by the class, one per run id."""

    reports: dict[str, StepReport] = {}

    def emit(self, record: logging.LogRecord) -> None:
        target = os.environ.get(STEP_LINES_ENV)
        meta = getattr(record, "dagster_meta", None)
        if not target or not isinstance(meta, dict):
            return
        try:
            lines = self._lines(meta, record.created)
            if lines:
                with Path(target).open("a", encoding="utf-8") as handle:
                    handle.write("".join(f"{line}\n" for line in lines))
        except Exception:  # a report must never break a run
            self.handleError(record)

    def _lines(self, meta: dict[str, Any], record_time: float | None = None) -> list[str]:
        run_id = str(meta.get("run_id") or "")
        event = meta.get("dagster_event")
        if event is None:  # what the run published is said after its steps, at its end
            message = str(meta.get("orig_message") or "")
            if message.startswith(PUBLISH_PREFIXES):
                self.reports.setdefault(run_id, StepReport()).notes.append(message.splitlines()[0])
            return []
        kind = event.event_type_value
        if kind in ("PIPELINE_START", "RUN_START"):
            self.reports[run_id] = StepReport()
            return [f"run {run_id[:8]} of {meta.get('job_name')} started"]
        report = self.reports.setdefault(run_id, StepReport())
        lines = report.add(event, record_time)
        if kind == "STEP_FAILURE":
            lines.append(failure_line(event))
        if kind in ("PIPELINE_SUCCESS", "RUN_SUCCESS", "PIPELINE_FAILURE", "RUN_FAILURE"):
            lines += report.finish()
            lines += [f"run {run_id[:8]}: {note}" for note in report.notes]
            lines.append(f"run {run_id[:8]}: {'SUCCESS' if 'SUCCESS' in kind else 'FAILURE'}")
            self.reports.pop(run_id, None)
        return lines


def terminal() -> Any:
    """The console stream of this process (``sys.__stdout__``), also when stdout is redirected."""
    return sys.__stdout__
