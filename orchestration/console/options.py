"""The console's options checked against what they name, each once, before anything runs: the
years of ``atp refresh`` against the input folder and the year partitions, the partner and the
base year against the published warehouse. A refusal is one line on stderr naming the option and
what is valid (exit 2)."""

from __future__ import annotations

from pathlib import Path

import typer

from orchestration.console.common import reader, refuse
from orchestration.dbt_settings import DEFAULT_BASE_YEAR
from orchestration.provenance import year_ranges


def year_folders(root: Path) -> list[int]:
    """The years an input folder holds: its subfolders named by a year, in order (none when
    ``root`` is not a folder)."""
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()) if root.is_dir() else []


def refresh_years(spec: str | None, source: str, root: Path | None) -> list[int]:
    """The years ``atp refresh`` loads: ``--years`` (``spec``, parsed once), or when it is not given
    the year folders of the input folder ``root`` (the census source has no folder to look at: it
    needs ``--years``). Checked before anything runs: one contiguous range, held by ``root`` (its
    folders listed once), inside the year partitions; otherwise refused in one line (exit 2)."""
    from orchestration.partitions import parse_years, year_partitions

    held = year_folders(root) if root is not None else None
    if spec is None:
        selected = _held_range(held, source, root)
    else:
        try:
            selected = parse_years(spec)
        except ValueError as error:
            refuse("--years", str(error))
        outside = [year for year in selected if year not in held] if held else []
        if outside:  # years the input does not hold: say which it holds
            refuse("--years", f"{outside[0]} is not in {root} (it holds {year_ranges(held)})")
    if selected != list(range(selected[0], selected[-1] + 1)):
        refuse("--years", "give one contiguous range of years for a single run")
    available = year_partitions.get_partition_keys()
    missing = [year for year in (selected[0], selected[-1]) if str(year) not in available]
    if missing:
        refuse("--years", f"{missing[0]} is not a year partition (available: {available[0]}-{available[-1]})")
    return selected


def _held_range(held: list[int] | None, source: str, root: Path | None) -> list[int]:
    """``--years`` when it is not given: the year folders ``held`` by the input folder ``root``,
    e.g. 2000-2023, which must be one contiguous range."""
    if held is None:
        refuse("--years", f"the {source} source needs the years to download, e.g. --years 2021-2023")
    if not held:
        refuse("--years", f"{root} has no year folders (e.g. {root}/2023/): give --years")
    if held != list(range(held[0], held[-1] + 1)):
        refuse(
            "--years",
            f"{root} holds the years {', '.join(map(str, held))}, not one range: give --years, e.g. --years {held[-1]}",
        )
    return held


def check_partner_and_base_year(partner: str, base_year: int | None, selected: list[int]) -> int:
    """Refuse, in one line before anything runs, a partner the published warehouse does not
    know (a first build cannot check: its partners do not exist yet) and a ``--base-year`` that is
    neither held in the warehouse nor loaded by this run (the fixed-definition series would
    silently vanish); the default base year (``dbt_project.yml``) missing is a warning. Returns
    the base year."""
    from orchestration import figures
    from orchestration.resources import WarehouseResource

    path = WarehouseResource().published_database_path()
    held: set[int] = set()
    if path.exists():
        with reader(path) as con:
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
