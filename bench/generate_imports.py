"""The full-size SYNTHETIC import year of ``make bench``: an IM145/IA245 import history
(``IMP_HIST.TXT``, 253-character records, CRLF line ends like the bundle's) of millions of records,
spread from the bundle year's import history so that every total of the bundle year holds, beside
the bundle's other files of that year (its import concordance among them).

A real Census import year is larger than an export year: about 6 million records, 1.5 GB. The
generator takes the bundle year's records, sums every count, quantity and USD field per
HS10 x country x subcode x rate provision (a *cell*), and spreads each sum over the cell's records
in whole units: months 01-12, then districts of entry 01-99, then districts of unlading (the entry
district first, then the others). The CIF values of a record are its value plus its charges, as in
the bundle. The file is written by DuckDB straight to disk, never built in memory.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

import duckdb
import typer

from bench.generate import SAMPLE_DIR
from orchestration.census.fixed_width import parse_fixed_width
from orchestration.census.input_manifest import read_input_manifest
from orchestration.census.layouts import IMPORT_HISTORY
from orchestration.census.parse import sql_literal
from orchestration.census.tables import (
    CODE_CHANGES_FILE,
    COUNTRY_TRADE_FOLDER,
    IMPORT_HISTORY_FILE,
    INPUT_MANIFEST,
    input_file,
    path_key,
)
from orchestration.files import sha256_of
from orchestration.provenance import SYNTHETIC

#: A full-size import year: about 6 million IM145 records (about 1.5 GB with CRLF line ends).
DEFAULT_IMPORT_RECORDS = 6_000_000
#: The fields of a cell: one sum of each count, quantity and USD field per cell.
CELL_FIELDS = ("hs10_code", "cty_code", "cty_subcode", "rate_provision_code")
#: The districts a record's district of entry and of unlading are numbered from (01-99).
DISTRICTS = 99
#: The most records a cell is spread over: 12 months x 99 districts of entry x 99 of unlading.
MAX_PIECES_PER_CELL = 12 * DISTRICTS * DISTRICTS
#: CIF value = customs value + charges, for consumption and general imports (not spread: summed).
CIF_PARTS = {"con_cif_usd": ("con_value_usd", "con_charges_usd"), "gen_cif_usd": ("gen_value_usd", "gen_charges_usd")}
#: The count, quantity and USD fields spread over a cell's records (every ``int``/``usd`` field of
#: the layout but the month and the CIF values).
SPREAD_FIELDS = tuple(
    f.name
    for f in IMPORT_HISTORY.fields
    if f.kind in ("int", "usd") and f.name != "stat_month" and f.name not in CIF_PARTS
)
#: Bytes of one record with its CRLF line end.
RECORD_BYTES = IMPORT_HISTORY.record_length + 2


class ImportYear(NamedTuple):
    """What :func:`generate_import_year` wrote: records, and the totals of general imports and of
    imports for consumption (customs value, whole USD), equal to the bundle year's."""

    records: int
    gen_value_usd: int
    con_value_usd: int


def _spread(field: str) -> str:
    """SQL: the share of ``field`` (a cell sum) of record ``piece`` of ``pieces``, whole units: the
    cell's quotient, plus one for the first ``remainder`` records (sums are kept exactly)."""
    return f"({field} // pieces + case when piece < {field} % pieces then 1 else 0 end)"


def _two_digits(number: str) -> str:
    """SQL: the whole number ``number`` (1-99) as two digits (``01``)."""
    return f"lpad(cast({number} as varchar), 2, '0')"


def import_record_sql() -> str:
    """The SQL expression of one generated IM145 record from a row of a cell's sums, its
    ``pieces`` (records) and the record's ``piece`` (0 to ``pieces - 1``):
    every field of :data:`~orchestration.census.layouts.IMPORT_HISTORY` in order at its width
    (numbers zero-padded on the left, codes blank-padded on the right, fillers blank). Record
    ``piece`` of a cell: month ``piece % 12 + 1``; with ``k = piece // 12``, district of entry
    ``k % 99 + 1`` and of unlading ``(k % 99 + k // 99) % 99 + 1`` (so each record of a cell has
    its own key). Raises ``KeyError`` for a loaded field the generator has no value for."""
    k = "(piece // 12)"
    values = {
        "hs10_code": "hs10_code",
        "cty_code": "cty_code",
        "cty_subcode": "cty_subcode",
        "rate_provision_code": "rate_provision_code",
        "district_entry_code": _two_digits(f"{k} % {DISTRICTS} + 1"),
        "district_unlading_code": _two_digits(f"({k} % {DISTRICTS} + {k} // {DISTRICTS}) % {DISTRICTS} + 1"),
        "stat_month": "piece % 12 + 1",
        **{name: _spread(name) for name in SPREAD_FIELDS},
        **{name: f"{_spread(value)} + {_spread(charges)}" for name, (value, charges) in CIF_PARTS.items()},
    }
    parts = []
    for field in IMPORT_HISTORY.fields:
        if not field.is_loaded:
            parts.append(f"repeat(' ', {field.width})")
        elif field.kind in ("int", "usd"):
            parts.append(f"lpad(cast({values[field.name]} as varchar), {field.width}, '0')")
        else:
            parts.append(f"rpad({values[field.name]}, {field.width}, ' ')")
    return " || ".join(parts)


def generate_import_year(sample_dir: Path, year: int, records: int, target: Path) -> ImportYear:
    """Write ``target``, a SYNTHETIC IM145/IA245 import history of ``year`` with ``records``
    records (CRLF line ends), spread from ``sample_dir``'s import history of the year: every
    count, quantity and USD sum per HS10 x country x subcode x rate provision equals the
    bundle's (so the year's general imports and imports for consumption do, to the dollar).
    Deterministic: the same arguments write the same bytes. Returns what it wrote.

    Raises ``FileNotFoundError`` when the bundle year has no import history, and ``ValueError``
    when ``records`` is fewer than the bundle year's cells (each cell needs one record) or more
    than 12 months x 99 x 99 districts per cell.
    """
    source = input_file(IMPORT_HISTORY_FILE, year)
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        # one thread writes the records as they are made, in cell order: with more, DuckDB held
        # the whole file in memory (3.3 GB of RSS for 6 million records) to keep that order
        con.execute("set threads = 1")
        con.execute("set preserve_insertion_order = true")
        parse_fixed_width(con, sample_dir / source, source, IMPORT_HISTORY, "h")
        sums = ", ".join(f"coalesce(sum({name}), 0) as {name}" for name in SPREAD_FIELDS)
        keys = ", ".join(CELL_FIELDS)
        con.execute(f"create temp table sums as select {keys}, {sums} from h group by {keys} order by {keys}")
        cells = con.execute("select count(*) from sums").fetchone()[0]
        if not cells <= records <= cells * MAX_PIECES_PER_CELL:
            raise ValueError(
                f"{records:,} records: {year} has {cells:,} cells, so {cells:,} to {cells * MAX_PIECES_PER_CELL:,}"
            )
        con.execute(f"""
            create temp table cells as
            select *, {records} // {cells} + case when cell < {records} % {cells} then 1 else 0 end as pieces
            from (select *, row_number() over (order by {keys}) - 1 as cell from sums)
            order by cell
        """)
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"""
            copy (
                select {import_record_sql()} || chr(13) as line
                from (select *, unnest(range(pieces)) as piece from cells)
            ) to {sql_literal(str(target))} (format csv, header false, quote '', delimiter '\x01')
        """)
        gen, con_value = con.execute("select sum(gen_value_usd), sum(con_value_usd) from sums").fetchone()
    return ImportYear(records, int(gen), int(con_value))


def prepare_import_input(work: Path, year: int, records: int) -> tuple[Path, ImportYear]:
    """A local input folder under ``work`` holding one full-size import ``year`` (generated
    ``IMP_HIST.TXT``, :func:`generate_import_year`) beside the bundle's other files of the year
    (its import concordance, export history, lists), the country table and the code changes; its
    ``manifest.json`` gives the copied files the bundle's entries (SYNTHETIC, the country table
    Census) and marks the generated history SYNTHETIC. Generated once per year and size (a
    ``.complete`` marker); returns the folder and what was generated."""
    root = work / f"input_imports_{records}"
    marker = root / ".complete"
    history = root / input_file(IMPORT_HISTORY_FILE, year)
    if marker.is_file() and json.loads(marker.read_text())["year"] == year:
        return root, ImportYear(**json.loads(marker.read_text())["generated"])
    if root.exists():
        shutil.rmtree(root)
    folder = root / str(year)
    folder.mkdir(parents=True)
    for source in (SAMPLE_DIR / str(year)).iterdir():
        if source.name != history.name:
            shutil.copy(source, folder / source.name)
    shutil.copytree(SAMPLE_DIR / COUNTRY_TRADE_FOLDER, root / COUNTRY_TRADE_FOLDER)
    shutil.copy(SAMPLE_DIR / CODE_CHANGES_FILE, root / CODE_CHANGES_FILE)
    typer.echo(f"generating the import year {year}: {records:,} records ...")
    generated = generate_import_year(SAMPLE_DIR, year, records, history)
    copied = {path_key(str(p.relative_to(root))) for p in root.rglob("*") if p.is_file() and p != history}
    bundle = read_input_manifest(SAMPLE_DIR)
    entries = [{"path": e.path, "origin": e.origin, "sha256": e.sha256} for k, e in bundle.items() if k in copied]
    relative = input_file(IMPORT_HISTORY_FILE, year)
    entries.append({"path": relative, "origin": SYNTHETIC, "sha256": sha256_of(history)})
    (root / INPUT_MANIFEST).write_text(json.dumps({"files": entries}, indent=1))
    marker.write_text(json.dumps({"year": year, "generated": generated._asdict()}))
    return root, generated
