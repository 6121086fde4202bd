"""The ``atp`` console command: build the warehouse, regenerate the synthetic sample, summarise."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import typer

from orchestration.provenance import ORIGIN_DESCRIPTIONS, SYNTHETIC, inputs_origin, origin_lines, year_ranges
from orchestration.publish import fingerprint_of, foreign_figures
from orchestration.resources import REPO_ROOT, WarehouseResource
from orchestration.settings import SettingError, convert

app = typer.Typer(help="U.S. ATP exports warehouse (Dagster + dbt + DuckDB).", no_args_is_help=True)

MARTS = (
    "fct_atp_exports",
    "fct_atp_exports_by_definition",
    "dim_partners",
    "fct_partner_shares",
    "fct_specialization_gaps",
    "fct_atp_growth",
    "fct_atp_reclassification",
    "fct_hs10_gap_contributions",
)
#: Base year of the fixed-definition series when ``--base-year`` is not given (dbt_project.yml).
DEFAULT_BASE_YEAR = 2008
DEFAULT_DAGSTER_HOME = REPO_ROOT / "warehouse" / "dagster_home"
#: The instance settings every instance of this project gets (telemetry and the first-visit modal off).
INSTANCE_SETTINGS = DEFAULT_DAGSTER_HOME / "dagster.yaml"
#: The schedule and the sensor `atp schedule` / `atp sensor` switch (orchestration/schedules.py).
SCHEDULE_NAME = "annual_census_refresh"
SENSOR_NAME = "census_release_sensor"
#: Folder beside the warehouse file where `atp refresh` writes the full dbt and Dagster output of a
#: run (unless --verbose): warehouse/logs by default.
RUN_LOG_DIR_NAME = "logs"


def refuse(option: str, message: str) -> NoReturn:
    """Refuse an option in one line on stderr (``--years: ...``) saying what is valid; exit 2."""
    typer.echo(f"{option}: {message}", err=True)
    raise typer.Exit(2)


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


@app.callback()
def _every_command() -> None:
    """U.S. ATP exports warehouse (Dagster + dbt + DuckDB)."""
    dagster_home()


def summary_lines(duckdb_path: Path, exports_dir: Path, written: list[Path] | None = None) -> list[str]:
    """The years the marts hold, rows per mart, which inputs of which years are real or
    synthetic, and where the DuckDB file and figures are: the charts ``written`` by a run (with
    a count of the other charts in the folder), or every chart in the folder."""
    lines = [f"DuckDB warehouse: {duckdb_path}"]
    with _reader(duckdb_path) as con:
        years = [r[0] for r in con.execute("select distinct year from fct_atp_exports order by 1").fetchall()]
        lines.append(f"  years held: {year_ranges(years) or 'none'}")
        for mart in MARTS:
            if mart == "dim_partners":
                rows, groups = con.execute(
                    "select count(*), count(*) filter (where partner_kind = 'group') from dim_partners"
                ).fetchone()
                lines.append(f"  {mart}: {rows:,} rows ({groups} partner group{'' if groups == 1 else 's'})")
                continue
            rows, years = con.execute(f"select count(*), count(distinct year) from {mart}").fetchone()
            lines.append(f"  {mart}: {rows:,} rows, {years} year{'' if years == 1 else 's'}")
        origin = inputs_origin(con)
        calibrated = ", calibrated to real Census totals" if origin == SYNTHETIC else ""
        lines.append(f"  data origin of the marts: {ORIGIN_DESCRIPTIONS[origin]}{calibrated}")
        lines.append("Inputs by year (raw.source_files):")
        lines.extend(f"  {line}" for line in origin_lines(con))
        fingerprint = fingerprint_of(con)
    every = sorted(exports_dir.glob("figure_*.png"))
    charts = every if written is None else sorted(exports_dir / p.name for p in written)
    others = len(every) - len(charts)
    more = f"; {others} other chart{'s' if others != 1 else ''} in the folder" if others > 0 else ""
    lines.append(f"Figures ({len(charts)} charts, PNG and SVG, with CSV and Parquet tables{more}): {exports_dir}")
    lines.extend(f"  {_with_companions(png)}" for png in charts)
    if (exports_dir / "lineage.md").exists():
        lines.append("  lineage.md (every asset and what it is built from, a Mermaid flowchart)")
    stale = sorted({Path(name).stem for name in foreign_figures(exports_dir, fingerprint)})
    if stale:
        lines.append(
            f"  {len(stale)} figure(s) in the folder were drawn from another build of the warehouse (redraw them with "
            f"`atp figures`): {', '.join(stale[:5])}{' ...' if len(stale) > 5 else ''}"
        )
    return lines


def _with_companions(png: Path) -> str:
    """``figure_1_....png (.svg .csv .parquet)``: the chart and the files written beside it."""
    beside = [suffix for suffix in (".svg", ".csv", ".parquet") if png.with_suffix(suffix).exists()]
    return f"{png.name} ({' '.join(beside)})" if beside else png.name


def _years_for_run(spec: str, held: list[int] | None = None, root: Path | None = None) -> list[int]:
    """Validate ``--years`` once: one contiguous range, held by the input folder ``root`` (its
    year folders ``held``; the census source has none), inside the year partitions."""
    from orchestration.partitions import parse_years, year_partitions

    try:
        selected = parse_years(spec)
    except ValueError as error:
        refuse("--years", str(error))
    if held:  # years the input does not hold: say which it holds
        outside = [year for year in selected if year not in held]
        if outside:
            refuse("--years", f"{outside[0]} is not in {root} (it holds {year_ranges(held)})")
    if selected != list(range(selected[0], selected[-1] + 1)):
        refuse("--years", "give one contiguous range of years for a single run")
    available = year_partitions.get_partition_keys()
    missing = [year for year in (selected[0], selected[-1]) if str(year) not in available]
    if missing:
        refuse("--years", f"{missing[0]} is not a year partition (available: {available[0]}-{available[-1]})")
    return selected


def failure_lines(result, database: Path | None = None) -> list[str]:
    """One line per failed step with the underlying error (not the Dagster wrapper), and one
    per failed asset check (dbt tests included): ``FAILED``, or ``WARNING`` for a check of
    severity warn (``warn_*`` dbt tests), which does not fail the run. With ``database`` (a
    failed run's kept candidate, or the warehouse a successful run published), each failed or
    warning check is followed by up to 10 of the rows behind it (file and record where the test
    selects them)."""
    from dagster import AssetCheckSeverity

    from orchestration.audit import offending_rows
    from orchestration.reporting import failure_line

    lines = []
    steps_by_error: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":  # one line per cause, however many steps it failed
            cause = failure_line(event).split(": ", 1)[1]
            steps_by_error.setdefault(cause, []).append(event.step_key)
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


def _execute(
    job_name: str,
    run_config: dict,
    tags: dict[str, str],
    log_level: str,
    verbose: bool,
    log_name: str,
    summary: Callable[[Any], list[str]] | None = None,
) -> None:
    """Run a job of the code location in this process, recorded in the Dagster instance at
    ``$DAGSTER_HOME`` (so the run shows up in the UI), its dbt and Dagster output in a log file
    under ``logs/`` beside the warehouse file (``warehouse/logs/``) unless ``verbose``; then the
    failures (exit 1), or ``summary`` of the result (default: :func:`summary_lines`)."""
    dagster_home()
    log_dir = WarehouseResource().published_database_path().parent / RUN_LOG_DIR_NAME
    log_path = log_dir / f"{log_name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.log"
    if not verbose:
        typer.echo(f"  full dbt and Dagster output: {log_path}")
    with ExitStack() as stack:
        if not verbose:
            log_dir.mkdir(parents=True, exist_ok=True)
            log = stack.enter_context(log_path.open("w", encoding="utf-8"))
            stack.enter_context(redirect_stdout(log))
            stack.enter_context(redirect_stderr(log))  # Dagster's events; progress bars use the terminal
            caught = stack.enter_context(warnings.catch_warnings(record=True))
        from dagster import DagsterInstance

        from orchestration.project import prepare_manifest

        prepare_manifest()
        from orchestration.definitions import defs

        job = defs.resolve_job_def(job_name)
        result = job.execute_in_process(
            instance=DagsterInstance.get(),
            run_config={"loggers": {"console": {"config": {"log_level": log_level.upper()}}}, **run_config},
            tags=tags,
            raise_on_error=False,
        )
        if not verbose:
            for warning in caught:
                log.write(f"{warning.category.__name__}: {warning.message}\n")
    from dagster import DagsterInstance

    from orchestration.reporting import step_lines

    for line in step_lines(DagsterInstance.get().all_logs(result.run_id)):
        typer.echo(line)
    warehouse = WarehouseResource()
    candidate = warehouse.candidate_dir(result.run_id)
    if not result.success:
        kept_database = candidate / warehouse.published_database_path().name
        for line in failure_lines(result, kept_database if kept_database.exists() else None):
            typer.echo(line, err=True)
        kept = f" The failed candidate is kept for inspection in {candidate}." if candidate.exists() else ""
        typer.echo(
            f"Run {result.run_id} failed: nothing was published, the warehouse and the figures are as they "
            f"were.{kept} Details: {log_path if not verbose else 'above'}, or the run in the Dagster UI.",
            err=True,
        )
        raise typer.Exit(1)
    if candidate.exists():
        typer.echo(_unfinished_publish(result.run_id, candidate, warehouse), err=True)
        raise typer.Exit(1)
    for line in failure_lines(result, warehouse.published_database_path()):  # warnings only: the run succeeded
        typer.echo(line, err=True)
    if summary is not None:
        typer.echo("\n".join(summary(result)))
        return
    written = _written_charts(result)
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path(), written)))


def _written_charts(result: Any) -> list[Path]:
    """The charts a run wrote (the figure assets' ``png`` metadata; a run over a range of years
    records each materialization once per year), each once, in order."""
    return sorted(
        {
            Path(str(event.materialization.metadata["png"].value))
            for event in result.get_asset_materialization_events()
            if "png" in event.materialization.metadata
        }
    )


def _unfinished_publish(run_id: str, candidate: Path, warehouse: WarehouseResource) -> str:
    """What is published after a run whose steps all passed but whose candidate is still there:
    nothing (the publish failed before its first rename), or the warehouse and some figures (it
    was cut short: the rest waits in the candidate, which the next run of any kind finishes)."""
    from orchestration.publish import CANDIDATE_EXPORTS, PUBLISHING_MARKER

    pending = sorted(p.name for p in (candidate / CANDIDATE_EXPORTS).glob("*") if p.is_file())
    database_pending = (candidate / warehouse.published_database_path().name).exists()
    tag = _run_tag(run_id, "atp/publish")
    cause = f" ({tag})" if tag else ""
    if not (candidate / PUBLISHING_MARKER).exists():
        return (
            f"FAILED to publish run {run_id}{cause}: nothing was published; the warehouse and the figures are as "
            f"they were. Its checked candidate is kept in {candidate}."
        )
    done = "nothing renamed yet" if database_pending else f"the warehouse {warehouse.published_database_path()}"
    return (
        f"Publish of run {run_id} cut short{cause}: published so far: {done}; {len(pending)} figure files wait in "
        f"{candidate / CANDIDATE_EXPORTS}. The next run of any kind (e.g. `atp figures`) finishes the publish first."
    )


def _run_tag(run_id: str, key: str) -> str | None:
    """A tag of a run in the instance (e.g. what its end published, ``atp/publish``)."""
    from dagster import DagsterInstance

    run = DagsterInstance.get().get_run_by_id(run_id)
    return run.tags.get(key) if run is not None else None


def written_figure_lines(result: Any) -> list[str]:
    """The charts a run wrote (from the figure assets' ``png`` metadata), one line each."""
    pngs = _written_charts(result)
    if not pngs:
        return ["No figure written."]
    lines = [f"Figures ({len(pngs)} charts, PNG and SVG, with CSV and Parquet tables): {pngs[0].parent}"]
    return lines + [f"  {_with_companions(png)}" for png in pngs]


def dbt_run_config(base_year: int = 2008, max_unlinked_value_share: float = 0.05) -> dict[str, Any]:
    """The ``ops`` run config of the dbt asset (``DbtBuildConfig``): the fixed definition's base
    year and the reclassification coverage threshold, which reach ``dbt build`` as ``--vars``."""
    from orchestration.assets.dbt import atp_dbt_assets

    config = {"atp_base_year": base_year, "max_unlinked_value_share": max_unlinked_value_share}
    return {atp_dbt_assets.op.name: {"config": config}}


def refresh_run_config(
    source_config: dict[str, object], partner: str, base_year: int, max_unlinked_value_share: float
) -> dict[str, Any]:
    """The run config of ``atp refresh``: the source resource, the dbt settings
    (:func:`dbt_run_config`) and the figures' partner (every figure asset's ``FigureConfig``)."""
    from orchestration.assets.exports import figure_run_config

    return {
        "resources": {"source": {"config": source_config}, **figure_run_config(partner)["resources"]},
        "ops": dbt_run_config(base_year, max_unlinked_value_share),
    }


LOG_LEVEL_HELP = "Level of the Dagster events written to the run log (debug, info, warning, error, critical)."
VERBOSE_HELP = "Stream dbt's output and warnings to the console instead of the run log file."


def _check_settings(option: str, resource: type, config: dict[str, object]) -> None:
    """Refuse, in one line naming the setting and what is valid, a configuration the resource's
    own validation refuses (the same check the Launchpad's run config gets at run start)."""
    from pydantic import ValidationError

    try:
        resource(**config)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first.get("msg", "")).removeprefix("Value error, ")
        setting = ".".join(str(part) for part in first.get("loc", ()))
        refuse(option, message if message.startswith(f"{setting}:") else f"{setting}: {message}")


def _prepare_dbt() -> None:
    """Parse the dbt project when its manifest is missing or older than the project (a fresh
    clone, a changed model), before anything loads the dbt assets from the manifest."""
    from orchestration.project import prepare_manifest

    prepare_manifest()


def refresh(
    years: str | None = typer.Option(
        None,
        help="Years to load, one contiguous range, e.g. 2013-2024 [default: the year folders of the sample or "
        "of --local-dir; the census source needs it].",
    ),
    source: str = typer.Option("sample", help="Where the files come from: sample, local or census."),
    local_dir: Path | None = typer.Option(None, help="Input folder for --source local (layout: README)."),
    force: bool = typer.Option(False, "--force", help="census: download again even if a landed copy is unchanged."),
    settings: list[str] = typer.Option(
        [], "--set", help="Source setting KEY=VALUE, e.g. --set concordance_url_template=https://.../{year}/x.txt"
    ),
    partner: str = typer.Option(
        "5700", help="Partner of the figures: a code (5700, 5880, CN_HK) or an exact name (see dim_partners)."
    ),
    base_year: int | None = typer.Option(
        None, help="Base year of the fixed-definition series (fixed_<base year>): its ATP list [default: 2008]."
    ),
    max_unlinked_value_share: float = typer.Option(
        0.05, help="Largest share of a year's ATP exports allowed in codes not linked to the base year's list (0-1)."
    ),
    log_level: str = typer.Option("info", help=LOG_LEVEL_HELP),
    verbose: bool = typer.Option(False, "--verbose", help=VERBOSE_HELP),
) -> None:
    """Materialize every asset for YEARS in one run: raw tables, dbt models and tests, figures.

    Runs are recorded in the Dagster instance at ``$DAGSTER_HOME`` (default
    ``warehouse/dagster_home``), so they show up in the UI. The Census API key, if any, is read
    from ``CENSUS_API_KEY`` and never printed.
    """
    from orchestration.census.tables import missing_inputs
    from orchestration.resources import SAMPLE_DIR, SOURCES, SourceResource

    if source not in SOURCES:
        refuse("--source", f"choose one of {', '.join(SOURCES)}")
    if source == "local" and local_dir is None:
        refuse("--local-dir", "--source local needs --local-dir")
    input_root = {"sample": REPO_ROOT / SAMPLE_DIR, "local": local_dir.resolve() if local_dir else None}.get(source)
    if input_root is not None and not input_root.is_dir():
        refuse("--local-dir", f"{input_root} does not exist (or is not a folder)")
    if years is None:
        years = _years_held(input_root, source)
    selected = _years_for_run(years, _year_folders(input_root) if input_root is not None else None, input_root)
    if not 0 <= max_unlinked_value_share <= 1:
        refuse("--max-unlinked-value-share", "give a share between 0 and 1, e.g. 0.05")
    source_config: dict[str, object] = {"source": source, "force_download": force}
    fields = SourceResource.model_fields
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or key not in fields or key in ("source", "force_download", "local_dir"):
            refuse(
                "--set",
                f"{setting!r}: expected KEY=VALUE with KEY one of "
                f"{', '.join(k for k in fields if k not in ('source', 'force_download', 'local_dir'))}",
            )
        try:
            source_config[key] = convert(key, value, fields[key].annotation)
        except SettingError as error:
            refuse("--set", str(error))
    if local_dir is not None:
        source_config["local_dir"] = str(local_dir.resolve())
    _check_settings("--set", SourceResource, source_config)
    if input_root is not None:  # every input of every year checked before anything runs
        missing = missing_inputs(input_root, selected)
        if missing:
            typer.echo(f"{input_root} lacks {len(missing)} required file(s) or has a conflict:", err=True)
            for problem in missing:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(1)
    _prepare_dbt()
    base_year = _check_partner_and_base_year(partner, base_year, selected)
    typer.echo(f"Materializing every asset for {selected[0]}-{selected[-1]} from source {source} ...")
    from orchestration.jobs import atp_warehouse_job
    from orchestration.tags import partition_range_tags

    _execute(
        atp_warehouse_job.name,
        refresh_run_config(source_config, partner, base_year, max_unlinked_value_share),
        partition_range_tags(selected[0], selected[-1]),
        log_level,
        verbose,
        "refresh",
    )


def _year_folders(root: Path) -> list[int]:
    """The years an input folder holds: its subfolders named by a year, in order."""
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()) if root.is_dir() else []


def _years_held(root: Path | None, source: str) -> str:
    """``--years`` when it is not given: the year folders of the input folder, e.g. ``2000-2023``
    (one contiguous range). The census source has no folder to look at: it needs ``--years``."""
    if root is None:
        refuse("--years", f"the {source} source needs the years to download, e.g. --years 2021-2023")
    held = _year_folders(root)
    if not held:
        refuse("--years", f"{root} has no year folders (e.g. {root}/2023/): give --years")
    if held != list(range(held[0], held[-1] + 1)):
        refuse(
            "--years",
            f"{root} holds the years {', '.join(map(str, held))}, not one range: give --years, e.g. --years {held[-1]}",
        )
    return f"{held[0]}-{held[-1]}"


def _check_partner_and_base_year(partner: str, base_year: int | None, selected: list[int]) -> int:
    """Refuse, in one line before anything runs, a partner the published warehouse does not
    know (a first build cannot check: its partners do not exist yet) and a ``--base-year`` that is
    neither held in the warehouse nor loaded by this run (the fixed-definition series would
    silently vanish); the default base year (2008) missing is a warning. Returns the base year."""
    from orchestration import figures

    path = WarehouseResource().published_database_path()
    held: set[int] = set()
    if path.exists():
        with _reader(path) as con:
            tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
            if "atp_concordance" in tables:
                held = {r[0] for r in con.execute("select distinct year from raw.atp_concordance").fetchall()}
            if "dim_partners" in tables:
                try:
                    figures.resolve_partner(con, partner)
                except figures.FigureOptionError as error:
                    typer.echo(f"--partner: {error}", err=True)
                    raise typer.Exit(2) from error
    chosen = base_year if base_year is not None else DEFAULT_BASE_YEAR
    if chosen not in held | set(selected):
        known = sorted(held | set(selected))
        problem = (
            f"{chosen} is neither in the warehouse nor loaded by this run (years: {known[0]}-{known[-1]}); "
            "its ATP list defines the fixed-definition series"
        )
        if base_year is not None:
            typer.echo(f"--base-year: {problem}", err=True)
            raise typer.Exit(2)
        typer.echo(f"WARNING base year: {problem}, so the marts hold no fixed_{chosen} series", err=True)
    return chosen


app.command("refresh")(refresh)
app.command("run", help="Same as refresh (kept for `make run`).")(refresh)


@app.command("figures")
def figures_command(
    partner: str = typer.Option(
        "5700", help="A partner code (5700, 5880, CN_HK) or an exact name ('japan', 'China + Hong Kong')."
    ),
    years: str | None = typer.Option(
        None, help="Years of figures 1, 2, 4 and 5, one range, e.g. 2000-2008 [default: every complete year]."
    ),
    year: int | None = typer.Option(None, help="Year of figures 3 and 6 (default: the last year of --years)."),
    definition: str = typer.Option("as_published", help="ATP definition: as_published or fixed_<base year>."),
    log_level: str = typer.Option("info", help=LOG_LEVEL_HELP),
    verbose: bool = typer.Option(False, "--verbose", help=VERBOSE_HELP),
) -> None:
    """Draw the six figures for one partner from the warehouse as it is (no load, no dbt build).

    Runs ``atp_figures_job`` (the figure assets only) with the ``figures`` resource config the
    UI's Launchpad shows, over the partition range of the years drawn, recorded in the Dagster
    instance like ``atp refresh``. An unknown partner, a range outside the complete years held,
    a year or a definition the warehouse lacks is one line on stderr (exit 2), before anything
    runs."""
    from orchestration import figures

    _prepare_dbt()
    path = WarehouseResource().database_path()
    with _reader(path) as con:
        try:
            options = figures.resolve_figure_options(con, partner, years, year, definition)
        except duckdb.CatalogException as error:
            first_line = str(error).splitlines()[0]
            typer.echo(f"the warehouse at {path} lacks the partner marts ({first_line}): run `make run`", err=True)
            raise typer.Exit(1) from error
        except figures.FigureOptionError as error:
            refuse(f"--{error.option}", str(error))
    from orchestration.assets.exports import figure_run_config
    from orchestration.jobs import atp_figures_job
    from orchestration.tags import partition_range_tags

    first, last = options.years
    typer.echo(f"Drawing figures 1-6 for {options.partner.name} ({options.partner.code}), {first}-{last} ...")
    _execute(
        atp_figures_job.name,
        figure_run_config(options.partner.code, years or "", year, definition),
        partition_range_tags(first, last),
        log_level,
        verbose,
        "figures",
        written_figure_lines,
    )


@app.command("generate-sample")
def generate_sample_command(
    seed: int = typer.Option(2009, help="Random seed; the same seed gives byte-identical files."),
) -> None:
    """Regenerate the SYNTHETIC concordances, country lists and export histories of the sample."""
    from orchestration.resources import SAMPLE_DIR
    from orchestration.synthetic.generate import generate_sample

    sample_dir = REPO_ROOT / SAMPLE_DIR
    manifest = generate_sample(sample_dir, seed=seed)
    synthetic = sum(1 for f in manifest["files"] if f["origin"] == "synthetic")
    typer.echo(f"wrote {synthetic} SYNTHETIC files under {sample_dir} (the real Census files are left as they are)")


@app.command()
def summary() -> None:
    """Print rows per mart and where the warehouse file and figures are."""
    warehouse = WarehouseResource()
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path())))


@app.command()
def sql(
    query: str | None = typer.Argument(
        None, help="A SQL query (read-only). Without it, --file; without both, the query is read from stdin."
    ),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the query from this file."),
    output_format: str = typer.Option(
        "table", "--format", help="table (aligned text), csv, json (an array of objects) or markdown."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the result to this file (not inside the warehouse's folders)."
    ),
) -> None:
    """Run a read-only SQL query against the published warehouse and print or write the result.

    The connection cannot write or reach files (DuckDB's guards for untrusted SQL: no COPY,
    ATTACH, INSTALL, LOAD or file-reading function); such a query is refused in one line. csv:
    codes stay text with their leading zeros ('0101210000'), DECIMAL money keeps every digit,
    NULL is an empty field; json: an array of objects (DECIMAL exact, NULL null); table and
    markdown are for reading. --output is written by this command, atomically, and never inside
    the warehouse's folder, the run candidates or the exports.
    """
    from orchestration.inspector import FORMATS, OutputRefused, query_text, write_output

    if output_format not in FORMATS:
        refuse("--format", f"choose one of {', '.join(FORMATS)}")
    if query is None:
        query = file.read_text(encoding="utf-8") if file is not None else sys.stdin.read()
    query = query.strip().rstrip(";")
    if not query:
        refuse("QUERY", "give a query: as an argument, with --file, or on stdin")
    warehouse = WarehouseResource()
    with _reader(warehouse.published_database_path()) as con:
        try:
            text = query_text(con, query, output_format)
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            typer.echo(f"SQL error: {first}", err=True)
            raise typer.Exit(1) from None
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    protected = [warehouse.published_database_path().parent, warehouse.published_exports_path()]
    try:
        written = write_output(output, text, protected)
    except OutputRefused as error:
        refuse("--output", str(error))
    except OSError as error:
        typer.echo(f"--output: cannot write {output}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {written}", err=True)


@contextmanager
def _reader(path: Path):
    """A guarded read-only connection to the published warehouse
    (:func:`orchestration.inspector.open_reader`); a missing or damaged file is one line on
    stderr (naming it and `make run`) and exit 1."""
    from orchestration.inspector import WarehouseUnreadable, open_reader

    try:
        with open_reader(path) as con:
            yield con
    except WarehouseUnreadable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


@app.command()
def tables() -> None:
    """List the marts: rows, the first sentence of their dbt description, and their grain."""
    import json
    import re

    from orchestration.project import prepare_manifest

    nodes = json.loads(prepare_manifest().read_text(encoding="utf-8"))["nodes"].values()
    marts = sorted((n for n in nodes if n["resource_type"] == "model" and "marts" in n["fqn"]), key=lambda n: n["name"])
    path = WarehouseResource().database_path()
    held = set()
    if path.exists():
        with _reader(path) as con:
            held = {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() union select view_name from duckdb_views()"
                ).fetchall()
            }
            counts = {
                n["name"]: con.execute(f"select count(*) from {n['name']}").fetchone()[0]
                for n in marts
                if n["name"] in held
            }
    end = r"(?<!e\.g)(?<!i\.e)(?<!U\.S)\.(?:\s|$)"  # a full stop, not the one of "e.g.", "i.e." or "U.S."
    for node in marts:
        text = " ".join(node["description"].split())
        first = re.split(end, text, maxsplit=1)[0]
        grain = re.search(rf"Grain: (.*?){end}", text + " ")
        rows = f"{counts[node['name']]:,} rows" if node["name"] in held else "not built"
        typer.echo(f"{node['name']} ({rows})\n  {first}.\n  Grain: {grain.group(1) if grain else '(not stated)'}.")


def _switch(kind: str, name: str, state: str) -> None:
    """Start or stop a schedule or sensor in the instance at ``$DAGSTER_HOME`` with Dagster's own
    command (``dagster schedule start ...``); saying so when it already was."""
    if state not in ("on", "off"):
        refuse("STATE", "give on or off")
    _prepare_dbt()
    dagster = Path(sys.executable).parent / "dagster"
    verb = "start" if state == "on" else "stop"
    completed = subprocess.run(
        [str(dagster), kind, verb, name, "-w", str(REPO_ROOT / "workspace.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    said = (completed.stdout + completed.stderr).strip()
    already = "already" in said.lower() or "not running" in said.lower() or "is not" in said.lower()
    if completed.returncode != 0 and not already:
        typer.echo(f"dagster {kind} {verb} {name} failed:\n{said[-2000:]}", err=True)
        raise typer.Exit(1)
    runs = "runs while the Dagster daemon runs (`make ui` starts one)" if state == "on" else "will not run"
    typer.echo(f"{kind} {name} is {state} in the instance at {os.environ['DAGSTER_HOME']}: it {runs}.")


@app.command("ui")
def ui_command(
    host: str = typer.Option("127.0.0.1", help="Address the UI listens on."),
    port: int = typer.Option(3000, help="Port of the UI."),
) -> None:
    """Serve the Dagster UI (``dagster dev``: webserver and daemon) on the project's instance and
    print the steps of every run it launches, as ``atp refresh`` does; Dagster's and dbt's full
    output goes to a log file under ``warehouse/logs/`` (named on the first line). Ctrl-C stops it."""
    import time
    import urllib.request

    from orchestration.reporting import STEP_LINES_ENV

    _prepare_dbt()
    log_dir = WarehouseResource().published_database_path().parent / RUN_LOG_DIR_NAME
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path, steps_path = log_dir / f"ui-{stamp}.log", log_dir / f"ui-{stamp}.steps"
    steps_path.write_text("", encoding="utf-8")
    url = f"http://{host}:{port}"
    typer.echo(f"Dagster UI: {url} (Ctrl-C stops it); full Dagster and dbt output: {log_path}")
    venv_bin = Path(sys.executable).parent  # dbt and dagster of this environment, also for dagster-dbt
    env = {**os.environ, STEP_LINES_ENV: str(steps_path), "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
    command = [str(venv_bin / "dagster"), "dev", "-w", str(REPO_ROOT / "workspace.yaml")]
    with log_path.open("w", encoding="utf-8") as log, steps_path.open(encoding="utf-8") as steps:
        # dagster dev and everything it starts (webserver, daemon, code servers, run workers) in a
        # process group of their own, ended together whatever ends this command
        server = subprocess.Popen(
            [*command, "-h", host, "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        ready = False
        stopping = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` and a closed terminal stop it like Ctrl-C
        signal.signal(signal.SIGHUP, _interrupt)
        try:
            while server.poll() is None:
                if not ready:
                    try:
                        urllib.request.urlopen(f"{url}/server_info", timeout=2).read()
                        ready = True
                        typer.echo("ready: runs launched from the UI print their steps here")
                    except OSError:
                        pass
                for line in steps.readlines():
                    typer.echo(line, nl=False)
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, stopping)
            _stop_group(server)
    if server.returncode not in (0, -15, -2, -9) and not ready:
        tail = log_path.read_text(encoding="utf-8").splitlines()[-15:]
        typer.echo("dagster dev stopped:\n" + "\n".join(tail), err=True)
        raise typer.Exit(1)


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _stop_group(server: subprocess.Popen, grace_seconds: float = 15) -> None:
    """End ``dagster dev`` and every process of its group: SIGTERM, then SIGKILL what is left
    after ``grace_seconds`` (Dagster's services can take minutes to stop on their own)."""
    import time

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline:
            server.poll()  # reap the leader, so that only live processes keep the group
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        else:
            continue
        break
    server.wait(timeout=30)


@app.command("schedule")
def schedule_command(state: str = typer.Argument(..., help="on or off")) -> None:
    """Switch the annual refresh schedule (annual_census_refresh) on or off."""
    _switch("schedule", SCHEDULE_NAME, state)


@app.command("sensor")
def sensor_command(state: str = typer.Argument(..., help="on or off")) -> None:
    """Switch the Census release sensor (census_release_sensor) on or off."""
    _switch("sensor", SENSOR_NAME, state)
