"""The ``atp`` console command: build the warehouse, draw the figures, regenerate the synthetic
sample, summarise, query; serve the UI and switch the schedule and sensor. This module parses the
options (each once) and says what went wrong in one line; the work is done by
:mod:`orchestration.console` (checking options, running a job, the summary, Dagster's processes)
and :mod:`orchestration.run_config` (the jobs' run configs)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import typer

from orchestration.console.common import reader, refuse
from orchestration.console.execute import dagster_home, execute_job, run_log_path
from orchestration.dbt_settings import DEFAULT_BASE_YEAR, DEFAULT_MAX_UNLINKED_VALUE_SHARE
from orchestration.figures.options import AS_PUBLISHED, DEFAULT_FLOW, DEFAULT_PARTNER
from orchestration.paths import REPO_ROOT, SAMPLE_DIR
from orchestration.resources import SOURCES, WarehouseResource
from orchestration.settings import SettingError
from orchestration.synthetic.catalog import DEFAULT_SEED

app = typer.Typer(help="U.S. ATP exports warehouse (Dagster + dbt + DuckDB).", no_args_is_help=True)

LOG_LEVEL_HELP = "Level of the Dagster events written to the run log."
#: The levels Dagster's console logger takes (any case).
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _check_log_level(value: str) -> str:
    if value.lower() not in LOG_LEVELS:
        refuse("--log-level", f"{value!r} is not a level; use one of {', '.join(LOG_LEVELS)}")
    return value.lower()


VERBOSE_HELP = "Stream dbt's output and warnings to the console instead of the run log file."


@app.callback()
def _every_command() -> None:
    """U.S. ATP exports warehouse (Dagster + dbt + DuckDB)."""
    dagster_home()


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
        DEFAULT_PARTNER, help="Partner of the figures: a code (5700, 5880, CN_HK) or an exact name (see dim_partners)."
    ),
    base_year: int | None = typer.Option(
        None,
        help="Base year of the fixed-definition series (fixed_<base year>): its ATP list "
        f"[default: {DEFAULT_BASE_YEAR}].",
    ),
    max_unlinked_value_share: float = typer.Option(
        DEFAULT_MAX_UNLINKED_VALUE_SHARE,
        help="Largest share of a year's ATP exports allowed in codes not linked to the base year's list (0-1).",
    ),
    full_rebuild: bool = typer.Option(
        False,
        "--full-rebuild",
        help="Rebuild every model over every year held, not only YEARS (a run does it by itself when the models, "
        "the settings, the code-change files or the base year changed).",
    ),
    log_level: str = typer.Option("info", help=LOG_LEVEL_HELP, callback=_check_log_level),
    verbose: bool = typer.Option(False, "--verbose", help=VERBOSE_HELP),
) -> None:
    """Materialize every asset for YEARS in one run: raw tables, dbt models and tests, figures.

    Runs are recorded in the Dagster instance at ``$DAGSTER_HOME`` (default
    ``warehouse/dagster_home``), so they show up in the UI. The Census API key, if any, is read
    from ``CENSUS_API_KEY`` and never printed.
    """
    from orchestration.census.tables import missing_inputs
    from orchestration.console.options import check_partner_and_base_year, refresh_years
    from orchestration.jobs import atp_warehouse_job
    from orchestration.run_config import refresh_run_config, source_config
    from orchestration.tags import partition_range_tags

    input_root = _input_root(source, local_dir)
    selected = refresh_years(years, source, input_root)
    if not 0 <= max_unlinked_value_share <= 1:
        refuse("--max-unlinked-value-share", f"give a share between 0 and 1, e.g. {DEFAULT_MAX_UNLINKED_VALUE_SHARE}")
    try:
        config = source_config(source, force, local_dir, settings)
    except SettingError as error:
        refuse(error.setting, error.message)
    if input_root is not None:  # every input of every year checked before anything runs
        missing = missing_inputs(input_root, selected)
        if missing:
            typer.echo(f"{input_root} lacks {len(missing)} required file(s) or has a conflict:", err=True)
            for problem in missing:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(1)
    _manifest()
    base_year = check_partner_and_base_year(partner, base_year, selected)
    typer.echo(f"Materializing every asset for {selected[0]}-{selected[-1]} from source {source} ...")
    execute_job(
        atp_warehouse_job,
        refresh_run_config(config, partner, base_year, max_unlinked_value_share, full_rebuild),
        partition_range_tags(selected[0], selected[-1]),
        log_level,
        verbose,
        "refresh",
    )


def _input_root(source: str, local_dir: Path | None) -> Path | None:
    """The input folder of ``--source`` (the sample, or ``--local-dir``; the census source has
    none before it downloads), refused in one line when the source is unknown or the folder is
    missing."""
    if source not in SOURCES:
        refuse("--source", f"choose one of {', '.join(SOURCES)}")
    if source == "local" and local_dir is None:
        refuse("--local-dir", "--source local needs --local-dir")
    input_root = {"sample": REPO_ROOT / SAMPLE_DIR, "local": local_dir.resolve() if local_dir else None}.get(source)
    if input_root is not None and not input_root.is_dir():
        refuse("--local-dir", f"{input_root} does not exist (or is not a folder)")
    return input_root


app.command("refresh")(refresh)
app.command("run", help="Same as refresh (kept for `make run`).")(refresh)


@app.command("figures")
def figures_command(
    partner: str = typer.Option(
        DEFAULT_PARTNER, help="A partner code (5700, 5880, CN_HK) or an exact name ('japan', 'China + Hong Kong')."
    ),
    years: str | None = typer.Option(
        None, help="Years of figures 1, 2, 4 and 5, one range, e.g. 2000-2008 [default: every complete year]."
    ),
    year: int | None = typer.Option(None, help="Year of figures 3 and 6 (default: the last year of --years)."),
    definition: str = typer.Option(AS_PUBLISHED, help="ATP definition: as_published or fixed_<base year>."),
    flow: str = typer.Option(
        DEFAULT_FLOW,
        help="Trade flow of figures 1-6: exports (f.a.s.) or imports (general imports, customs value, by country "
        "of origin); figure 7, the balance, draws both.",
    ),
    log_level: str = typer.Option("info", help=LOG_LEVEL_HELP, callback=_check_log_level),
    verbose: bool = typer.Option(False, "--verbose", help=VERBOSE_HELP),
) -> None:
    """Draw the seven figures for one partner from the warehouse as it is (no load, no dbt build):
    figures 1-6 of one trade flow (``--flow``), figure 7 the ATP trade balance.

    Runs ``atp_figures_job`` (the figure assets only) with the ``figures`` resource config the
    UI's Launchpad shows, over the partition range of the years drawn, recorded in the Dagster
    instance like ``atp refresh``. An unknown partner or flow, a range outside the complete years
    held (of that flow), a year or a definition the warehouse lacks is one line on stderr (exit
    2), before anything runs."""
    from orchestration import figures
    from orchestration.console.summary import written_figure_lines
    from orchestration.jobs import atp_figures_job
    from orchestration.run_config import figure_run_config
    from orchestration.tags import partition_range_tags

    _manifest()
    path = WarehouseResource().database_path()
    with reader(path) as con:
        try:
            options = figures.resolve_figure_options(con, partner, years, year, definition, flow)
        except duckdb.CatalogException as error:
            first_line = str(error).splitlines()[0]
            typer.echo(f"the warehouse at {path} lacks the partner marts ({first_line}): run `make run`", err=True)
            raise typer.Exit(1) from error
        except figures.FigureOptionError as error:
            refuse(f"--{error.option}", str(error))
    first, last = options.years
    drawn = f"figures 1-{len(figures.FIGURE_NAMES)}"
    if flow != figures.DEFAULT_FLOW:
        drawn = f"figures 1-6 of ATP {flow} and figure 7 (the balance)"
    typer.echo(f"Drawing {drawn} for {options.partner.name} ({options.partner.code}), {first}-{last} ...")
    execute_job(
        atp_figures_job,
        figure_run_config(options.partner.code, years or "", year, definition, flow),
        partition_range_tags(first, last),
        log_level,
        verbose,
        "figures",
        written_figure_lines,
    )


@app.command("generate-sample")
def generate_sample_command(
    seed: int = typer.Option(DEFAULT_SEED, help="Random seed; the same seed gives byte-identical files."),
) -> None:
    """Regenerate the SYNTHETIC concordances, country lists and export histories of the sample."""
    from orchestration.provenance import SYNTHETIC
    from orchestration.synthetic.generate import generate_sample

    sample_dir = REPO_ROOT / SAMPLE_DIR
    manifest = generate_sample(sample_dir, seed=seed)
    synthetic = sum(1 for f in manifest["files"] if f["origin"] == SYNTHETIC)
    typer.echo(f"wrote {synthetic} SYNTHETIC files under {sample_dir} (the real Census files are left as they are)")


@app.command()
def summary() -> None:
    """Print rows per mart and where the warehouse file and figures are."""
    from orchestration.console.summary import summary_lines

    warehouse = WarehouseResource()
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path(), _mart_names())))


def _mart_names() -> list[str]:
    """The marts of the dbt project, from its manifest (parsed first when it is stale)."""
    from orchestration.marts import mart_names

    return mart_names(_manifest())


def _manifest() -> Path:
    """The dbt manifest, after ``dbt parse`` when it is missing or older than the project."""
    from orchestration.dbt_settings import MANIFEST_PATH, manifest_is_current

    if manifest_is_current():
        return MANIFEST_PATH
    from orchestration.project import prepare_manifest

    return prepare_manifest()


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
    with reader(warehouse.published_database_path()) as con:
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


@app.command()
def tables() -> None:
    """List the marts: rows, the first sentence of their dbt description, and their grain."""
    from orchestration.marts import first_sentence, grain, mart_nodes

    marts = mart_nodes(_manifest())
    path = WarehouseResource().database_path()
    held: set[str] = set()
    if path.exists():
        with reader(path) as con:
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
    for node in marts:
        rows = f"{counts[node['name']]:,} rows" if node["name"] in held else "not built"
        typer.echo(
            f"{node['name']} ({rows})\n  {first_sentence(node['description'])}.\n"
            f"  Grain: {grain(node['description']) or '(not stated)'}."
        )


@app.command("ui")
def ui_command(
    host: str = typer.Option("127.0.0.1", help="Address the UI listens on."),
    port: int = typer.Option(3000, help="Port of the UI."),
) -> None:
    """Serve the Dagster UI (``dagster dev``: webserver and daemon) on the project's instance and
    print the steps of every run it launches, as ``atp refresh`` does; Dagster's and dbt's full
    output goes to a log file under ``warehouse/logs/`` (named on the first line). Ctrl-C stops it."""
    from orchestration.console.serve import serve_ui

    _manifest()
    log_path = run_log_path("ui")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    typer.echo(f"Dagster UI: http://{host}:{port} (Ctrl-C stops it); full Dagster and dbt output: {log_path}")
    serve_ui(host, port, log_path, log_path.with_suffix(".steps"))


@app.command("schedule")
def schedule_command(state: str = typer.Argument(..., help="on or off")) -> None:
    """Switch the annual refresh schedule (annual_census_refresh) on or off."""
    from orchestration.schedules import annual_census_refresh

    _switch("schedule", annual_census_refresh.name, state)


@app.command("sensor")
def sensor_command(state: str = typer.Argument(..., help="on or off")) -> None:
    """Switch the Census release sensor (census_release_sensor) on or off."""
    from orchestration.schedules import census_release_sensor

    _switch("sensor", census_release_sensor.name, state)


def _switch(kind: str, name: str, state: str) -> None:
    """``atp schedule`` / ``atp sensor``: ``state`` checked, the manifest prepared (Dagster loads
    the code location), then the switch (:func:`orchestration.console.serve.switch`)."""
    from orchestration.console.serve import switch

    if state not in ("on", "off"):
        refuse("STATE", "give on or off")
    _manifest()
    switch(kind, name, state)
