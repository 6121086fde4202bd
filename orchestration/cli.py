"""The ``atp`` console command: build the warehouse, regenerate the synthetic sample, summarise."""

from __future__ import annotations

from pathlib import Path

import duckdb
import typer

from orchestration.partitions import parse_years
from orchestration.resources import WarehouseResource

app = typer.Typer(help="U.S. ATP exports warehouse (Dagster + dbt + DuckDB).", no_args_is_help=True)

MARTS = ("fct_atp_exports", "mart_partner_shares", "mart_specialization_gaps")
DEFAULT_YEARS = "2000-2011"


def summary_lines(duckdb_path: Path, exports_dir: Path) -> list[str]:
    """Rows per mart, data origin, and where the DuckDB file and figures are."""
    lines = [f"DuckDB warehouse: {duckdb_path}"]
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for mart in MARTS:
            rows, years = con.execute(f"select count(*), count(distinct year) from {mart}").fetchone()
            lines.append(f"  {mart}: {rows} rows, {years} years")
        synthetic = con.execute("select coalesce(bool_or(is_synthetic), false) from fct_atp_exports").fetchone()[0]
    lines.append("  data origin: " + ("SYNTHETIC sample (not Census ATP data)" if synthetic else "Census"))
    figures = sorted(p.name for p in exports_dir.glob("figure_*.png"))
    lines.append(f"Figures ({len(figures)} charts, each with .csv and .parquet tables): {exports_dir}")
    lines.extend(f"  {name}" for name in figures)
    return lines


@app.command()
def run(
    years: str = typer.Option(DEFAULT_YEARS, help="Years to load, e.g. 2000-2011."),
    log_level: str = typer.Option("warning", help="Dagster console log level (debug, info, warning)."),
) -> None:
    """Materialize every asset for YEARS in one run: raw tables, dbt models and tests, figures."""
    from dagster import DagsterInstance

    from orchestration.project import prepare_manifest

    selected = parse_years(years)
    if selected != list(range(selected[0], selected[-1] + 1)):
        raise typer.BadParameter("give one contiguous range of years for a single run", param_hint="--years")
    prepare_manifest()
    from orchestration.definitions import atp_warehouse_job, defs

    job = defs.resolve_job_def(atp_warehouse_job.name)
    instance = DagsterInstance.get() if _has_dagster_home() else DagsterInstance.ephemeral()
    typer.echo(f"Materializing every asset for {selected[0]}-{selected[-1]} (job {job.name}) ...")
    result = job.execute_in_process(
        instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": log_level.upper()}}}},
        tags={
            "dagster/asset_partition_range_start": str(selected[0]),
            "dagster/asset_partition_range_end": str(selected[-1]),
        },
        raise_on_error=False,
    )
    if not result.success:
        for event in result.all_events:
            if event.is_failure:
                typer.echo(f"FAILED: {event.message}", err=True)
        raise typer.Exit(1)
    warehouse = WarehouseResource()
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path())))


@app.command("generate-sample")
def generate_sample_command(
    seed: int = typer.Option(2009, help="Random seed; the same seed gives byte-identical files."),
) -> None:
    """Regenerate the SYNTHETIC concordances, country lists and export histories of the sample."""
    from orchestration.synthetic.generate import generate_sample

    sample_dir = WarehouseResource().input_path()
    manifest = generate_sample(sample_dir, seed=seed)
    typer.echo(f"wrote {len(manifest['files']) - 1} synthetic files under {sample_dir}")


@app.command()
def summary() -> None:
    """Print rows per mart and where the warehouse file and figures are."""
    warehouse = WarehouseResource()
    typer.echo("\n".join(summary_lines(warehouse.database_path(), warehouse.exports_path())))


@app.command()
def sql(query: str = typer.Argument(..., help="A SQL query against the warehouse (read-only).")) -> None:
    """Run a read-only SQL query against the warehouse and print the result."""
    path = WarehouseResource().database_path()
    if not path.exists():
        raise typer.BadParameter(f"no warehouse at {path}: run `make run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        typer.echo(con.sql(query).df().to_string(index=False))


def _has_dagster_home() -> bool:
    import os

    return bool(os.environ.get("DAGSTER_HOME"))
