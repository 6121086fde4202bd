"""The ``atp`` console command: build the warehouse, regenerate the synthetic sample, summarise."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import typer

from orchestration.partitions import parse_years
from orchestration.provenance import origin_lines
from orchestration.resources import REPO_ROOT, WarehouseResource

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
DEFAULT_YEARS = "2000-2023"
#: Base year of the fixed-definition series when ``--base-year`` is not given (dbt_project.yml).
DEFAULT_BASE_YEAR = 2008
DEFAULT_DAGSTER_HOME = REPO_ROOT / "warehouse" / "dagster_home"
#: Folder beside the warehouse file where `atp refresh` writes the full dbt and Dagster output of a
#: run (unless --verbose): warehouse/logs by default.
RUN_LOG_DIR_NAME = "logs"


def summary_lines(duckdb_path: Path, exports_dir: Path) -> list[str]:
    """Rows per mart, which inputs of which years are real or synthetic, and where the DuckDB
    file and figures are."""
    lines = [f"DuckDB warehouse: {duckdb_path}"]
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for mart in MARTS:
            if mart == "dim_partners":
                rows, groups = con.execute(
                    "select count(*), count(*) filter (where partner_kind = 'group') from dim_partners"
                ).fetchone()
                lines.append(f"  {mart}: {rows} rows ({groups} partner group{'' if groups == 1 else 's'})")
                continue
            rows, years = con.execute(f"select count(*), count(distinct year) from {mart}").fetchone()
            lines.append(f"  {mart}: {rows} rows, {years} year{'' if years == 1 else 's'}")
        synthetic = con.execute("select coalesce(bool_or(is_synthetic), false) from fct_atp_exports").fetchone()[0]
        lines.append(
            "  data origin of the marts: "
            + ("SYNTHETIC sample (not Census ATP data), calibrated to real Census totals" if synthetic else "Census")
        )
        lines.append("Inputs by year (raw.source_files):")
        lines.extend(f"  {line}" for line in origin_lines(con))
    charts = sorted(exports_dir.glob("figure_*.png"))
    lines.append(f"Figures ({len(charts)} charts, PNG and SVG, with CSV and Parquet tables): {exports_dir}")
    lines.extend(f"  {_with_companions(png)}" for png in charts)
    return lines


def _with_companions(png: Path) -> str:
    """``figure_1_....png (.svg .csv .parquet)``: the chart and the files written beside it."""
    beside = [suffix for suffix in (".svg", ".csv", ".parquet") if png.with_suffix(suffix).exists()]
    return f"{png.name} ({' '.join(beside)})" if beside else png.name


def _years_for_run(spec: str) -> list[int]:
    """Validate ``--years``: one contiguous range inside the year partitions."""
    from orchestration.partitions import year_partitions

    try:
        selected = parse_years(spec)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--years") from error
    if selected != list(range(selected[0], selected[-1] + 1)):
        raise typer.BadParameter("give one contiguous range of years for a single run", param_hint="--years")
    available = year_partitions.get_partition_keys()
    missing = [year for year in (selected[0], selected[-1]) if str(year) not in available]
    if missing:
        raise typer.BadParameter(
            f"{missing[0]} is not a year partition (available: {available[0]}-{available[-1]})", param_hint="--years"
        )
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

    lines = []
    steps_by_error: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        error = event.step_failure_data.error
        messages = []
        while error is not None:
            messages.append(error.message.strip())
            error = error.cause
        steps_by_error.setdefault(messages[-1] if messages else "unknown error", []).append(event.step_key)
    for message, steps in steps_by_error.items():  # one line per cause, however many steps it failed
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
    os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    log_dir = WarehouseResource().published_database_path().parent / RUN_LOG_DIR_NAME
    log_path = log_dir / f"{log_name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.log"
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
    if not verbose:
        typer.echo(f"Run log (dbt and Dagster output): {log_path}")
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
        typer.echo(
            f"FAILED to publish run {result.run_id}: its checked candidate is in {candidate}, the published "
            f"warehouse is unchanged. Details: {log_path if not verbose else 'above'}.",
            err=True,
        )
        raise typer.Exit(1)
    for line in failure_lines(result, warehouse.published_database_path()):  # warnings only: the run succeeded
        typer.echo(line, err=True)
    if summary is not None:
        typer.echo("\n".join(summary(result)))
        return
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path())))


def written_figure_lines(result: Any) -> list[str]:
    """The charts a run wrote (from the figure assets' ``png`` metadata), one line each."""
    pngs = sorted(
        Path(str(event.materialization.metadata["png"].value))
        for event in result.get_asset_materialization_events()
        if "png" in event.materialization.metadata
    )
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
        "resources": {"source": {"config": source_config}},
        "ops": {**dbt_run_config(base_year, max_unlinked_value_share), **figure_run_config(partner)},
    }


LOG_LEVEL_HELP = "Level of the Dagster events written to the run log (debug, info, warning, error, critical)."
VERBOSE_HELP = "Stream dbt's output and warnings to the console instead of the run log file."


def _prepare_dbt() -> None:
    """Parse the dbt project when its manifest is missing or older than the project (a fresh
    clone, a changed model), before anything loads the dbt assets from the manifest."""
    from orchestration.project import prepare_manifest

    prepare_manifest()


def refresh(
    years: str | None = typer.Option(
        None, help="Years to load, one contiguous range, e.g. 2013-2024 (default for the sample: 2000-2023)."
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
    from orchestration.resources import SOURCES, SourceResource

    _prepare_dbt()
    if source not in SOURCES:
        raise typer.BadParameter(f"choose one of {', '.join(SOURCES)}", param_hint="--source")
    if years is None and source != "sample":
        raise typer.BadParameter(f"give the years to load from the {source} source", param_hint="--years")
    selected = _years_for_run(years or DEFAULT_YEARS)
    if not 0 <= max_unlinked_value_share <= 1:
        raise typer.BadParameter("give a share between 0 and 1, e.g. 0.05", param_hint="--max-unlinked-value-share")
    if source == "local" and local_dir is None:
        raise typer.BadParameter("--source local needs --local-dir", param_hint="--local-dir")
    source_config: dict[str, object] = {"source": source, "force_download": force}
    fields = SourceResource.model_fields
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or key not in fields or key in ("source", "force_download", "local_dir"):
            raise typer.BadParameter(
                f"{setting!r}: expected KEY=VALUE with KEY one of "
                f"{', '.join(k for k in fields if k not in ('source', 'force_download', 'local_dir'))}",
                param_hint="--set",
            )
        annotation = fields[key].annotation
        source_config[key] = annotation(value) if annotation in (int, float) else value
    if local_dir is not None:
        from orchestration.census.tables import missing_inputs

        source_config["local_dir"] = str(local_dir.resolve())
        missing = missing_inputs(local_dir.resolve(), selected)
        if missing:
            typer.echo(
                f"{local_dir} lacks {len(missing)} required file(s) or has a conflict: " + "; ".join(missing), err=True
            )
            raise typer.Exit(1)
    base_year = _check_partner_and_base_year(partner, base_year, selected)
    typer.echo(f"Materializing every asset for {selected[0]}-{selected[-1]} from source {source} ...")
    _execute(
        "atp_warehouse_job",
        refresh_run_config(source_config, partner, base_year, max_unlinked_value_share),
        {
            "dagster/asset_partition_range_start": str(selected[0]),
            "dagster/asset_partition_range_end": str(selected[-1]),
        },
        log_level,
        verbose,
        "refresh",
    )


def _check_partner_and_base_year(partner: str, base_year: int | None, selected: list[int]) -> int:
    """Refuse, in one line before anything runs, a partner the published warehouse does not
    know (a first build cannot check: its partners do not exist yet) and a ``--base-year`` that is
    neither held in the warehouse nor loaded by this run (the fixed-definition series would
    silently vanish); the default base year (2008) missing is a warning. Returns the base year."""
    from orchestration import figures

    path = WarehouseResource().published_database_path()
    held: set[int] = set()
    if path.exists():
        with duckdb.connect(str(path), read_only=True) as con:
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
    year: int | None = typer.Option(None, help="Year of figures 3 and 6 (default: the latest complete year)."),
    definition: str = typer.Option("as_published", help="ATP definition: as_published or fixed_<base year>."),
    log_level: str = typer.Option("info", help=LOG_LEVEL_HELP),
    verbose: bool = typer.Option(False, "--verbose", help=VERBOSE_HELP),
) -> None:
    """Draw the six figures for one partner from the warehouse as it is (no load, no dbt build).

    Runs ``atp_figures_job`` (the figure assets only) with the run config the UI's Launchpad
    gives them, recorded in the Dagster instance like ``atp refresh``. An unknown partner, year
    or definition is one line on stderr (exit 2), before anything runs."""
    from orchestration import figures

    _prepare_dbt()
    path = WarehouseResource().database_path()
    if not path.exists():
        typer.echo(f"no warehouse at {path}: run `make run` first", err=True)
        raise typer.Exit(1)
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            found = figures.validate_figure_options(con, partner, year, definition)
        except duckdb.CatalogException as error:
            first_line = str(error).splitlines()[0]
            typer.echo(f"the warehouse at {path} lacks the partner marts ({first_line}): run `make run`", err=True)
            raise typer.Exit(1) from error
        except figures.FigureOptionError as error:
            typer.echo(f"--{error.option}: {error}", err=True)
            raise typer.Exit(2) from error
    from orchestration.assets.exports import figure_run_config

    typer.echo(f"Drawing figures 1-6 for {found.name} ({found.code}) ...")
    _execute(
        "atp_figures_job",
        {"ops": figure_run_config(found.code, year, definition)},
        {},
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
def sql(query: str = typer.Argument(..., help="A SQL query against the warehouse (read-only).")) -> None:
    """Run a read-only SQL query against the warehouse and print the result as a table."""
    from tabulate import tabulate

    path = WarehouseResource().database_path()
    if not path.exists():
        raise typer.BadParameter(f"no warehouse at {path}: run `make run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            typer.echo(f"SQL error: {error}", err=True)
            raise typer.Exit(1) from error
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    typer.echo(tabulate(rows, headers=columns, disable_numparse=True))
