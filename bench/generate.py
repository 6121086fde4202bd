"""The full-size SYNTHETIC input of ``make bench``: export history years of millions of records in
the EM545/EA645 layout, spread from the bundle's years so that every total (and every check of
the warehouse) of the bundle year holds, beside the bundle's other files of the year."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import typer

from orchestration.census.fixed_width import parse_fixed_width
from orchestration.census.layouts import EXPORT_HISTORY
from orchestration.census.tables import (
    CODE_CHANGES_FILE,
    COUNTRY_TRADE_FOLDER,
    EXPORT_HISTORY_FILE,
    INPUT_MANIFEST,
    input_file,
)
from orchestration.files import sha256_of
from orchestration.paths import REPO_ROOT
from orchestration.paths import SAMPLE_DIR as SAMPLE_DIR_NAME
from orchestration.provenance import SYNTHETIC

SAMPLE_DIR = REPO_ROOT / SAMPLE_DIR_NAME
#: The bundle's years (each generated year is spread from the bundle year of the same number).
BUNDLE_YEARS = range(2000, 2024)
#: The most records a DF x HS10 x country cell is spread over: 99 districts x 12 months.
MAX_PIECES_PER_CELL = 99 * 12


def bench_years(count: int) -> list[int]:
    """``count`` bundle years ending in 2008 (the briefing's last year), or later when more are
    asked for: 3 -> 2006-2008, 24 -> 2000-2023. Raises ``typer.BadParameter`` beyond 24."""
    if not 1 <= count <= len(BUNDLE_YEARS):
        raise typer.BadParameter(f"--years must be 1 to {len(BUNDLE_YEARS)}")
    end = max(2008, BUNDLE_YEARS[0] + count - 1)
    return list(range(end - count + 1, end + 1))


def record_sql(year: int) -> str:
    """The SQL expression of one generated record (the fields of
    :data:`~orchestration.census.layouts.EXPORT_HISTORY` in order, each at its width) from a row
    of ``pieces`` (``df_code``, ``hs10_code``, ``cty_code``, ``value_usd``, ``pieces``,
    ``piece``): district ``piece // 12 + 1``, month ``piece % 12 + 1``, the cell's value spread
    over its pieces in whole USD; quantities, counts and the vessel/air split 0."""
    values = {
        "df_code": "df_code",
        "filler": "' '",
        "hs10_code": "hs10_code",
        "cty_code": "cty_code",
        "district_code": "cast(piece // 12 + 1 as varchar)",
        "stat_month": "cast(piece % 12 + 1 as varchar)",
        "stat_year": f"'{int(year)}'",
        "value_usd": "cast(value_usd // pieces + case when piece < value_usd % pieces then 1 else 0 end as varchar)",
    }
    parts = []
    for field in EXPORT_HISTORY.fields:
        expression = values.get(field.name)
        if expression is None:
            parts.append(f"repeat('0', {field.width})")
        elif field.name in ("district_code", "stat_month", "value_usd"):
            parts.append(f"lpad({expression}, {field.width}, '0')")
        else:
            parts.append(expression)
    return " || ".join(parts)


def generate_year(sample_dir: Path, year: int, records: int, target: Path) -> int:
    """Write ``target``, a SYNTHETIC EM545/EA645 export history of ``year`` with ``records``
    records: the bundle year's value per DF x HS10 x country spread over months (1-12) and
    customs districts (01, 02, ...) in whole USD, so every such total equals the bundle's.
    Quantities and the vessel/air split are 0. Deterministic. Returns the records written.

    Raises ``ValueError`` when ``records`` needs more than 99 districts x 12 months per cell.
    """
    source = input_file(EXPORT_HISTORY_FILE, year)
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        parse_fixed_width(con, sample_dir / source, source, EXPORT_HISTORY, "h")
        cells = con.execute("select count(*) from (select distinct df_code, hs10_code, cty_code from h)").fetchone()[0]
        if records > cells * MAX_PIECES_PER_CELL:
            raise ValueError(
                f"{records:,} records: at most {cells * MAX_PIECES_PER_CELL:,} for {year} ({cells:,} cells)"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"""
            copy (
                with totals as (
                    select df_code, hs10_code, cty_code, sum(value_usd) as value_usd from h group by all
                ),
                cells as (
                    select *, row_number() over (order by df_code, hs10_code, cty_code) - 1 as cell from totals
                ),
                sized as (
                    select *, {records} // {cells} + case when cell < {records} % {cells} then 1 else 0 end as pieces
                    from cells
                ),
                pieces as (select *, unnest(range(pieces)) as piece from sized)
                select {record_sql(year)} || chr(13) as line
                from pieces order by cell, piece
            ) to '{target}' (format csv, header false, quote '', delimiter '\x01')
        """)
    return records


def prepare_input(work: Path, years: list[int], records: int) -> Path:
    """A local input folder under ``work`` with a generated export history for each of ``years``
    and the bundle's other files (lists, country table, code changes); generated once per size."""
    root = work / f"input_{records}"
    marker = root / ".complete"
    wanted = ",".join(map(str, years))
    if marker.is_file() and marker.read_text() == wanted:
        return root
    history = Path(EXPORT_HISTORY_FILE).name
    for year in years:
        folder = root / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for source in (SAMPLE_DIR / str(year)).iterdir():
            if source.name != history:
                shutil.copy(source, folder / source.name)
        typer.echo(f"generating {year}: {records:,} records ...")
        generate_year(SAMPLE_DIR, year, records, root / input_file(EXPORT_HISTORY_FILE, year))
    shutil.copytree(SAMPLE_DIR / COUNTRY_TRADE_FOLDER, root / COUNTRY_TRADE_FOLDER, dirs_exist_ok=True)
    shutil.copy(SAMPLE_DIR / CODE_CHANGES_FILE, root / CODE_CHANGES_FILE)
    generated = [input_file(EXPORT_HISTORY_FILE, year) for year in years]
    manifest = {"files": [{"path": p, "origin": SYNTHETIC, "sha256": sha256_of(root / p)} for p in generated]}
    (root / INPUT_MANIFEST).write_text(json.dumps(manifest))
    marker.write_text(wanted)
    return root
