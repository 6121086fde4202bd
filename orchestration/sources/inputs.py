"""Loading a year from an input folder, whichever source filled it (sample, local, census).

An input folder holds, per year, ``CONCORD.TXT``, ``COUNTRY.TXT`` and the export history either
as ``EXP_HIST.TXT`` (EM545/EA645 layout) or as ``api/exports_hs_df<DF>_<NNN>.json`` (Census API
``exports/hs`` tables), optionally ``api/exports_hitech.json``, plus one country trade CSV in
``country_trade/``. Both export history forms land in the same ``raw.export_history`` columns, so
staging and marts do not care where a year came from.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from orchestration.census.load import (
    EXPORT_HISTORY_TABLE,
    LoadResult,
    RawTable,
    SourceFile,
    file_origins,
    load_year,
    sha256_of,
    swap_year,
)
from orchestration.sources.census import HITECH_FILE
from orchestration.sources.census_api import AggregateCounts, stage_hitech, stage_hs
from orchestration.sources.landing import read_manifest

API_HITECH_TABLE = RawTable(
    "api_hitech_exports",
    "Census API exports/hitech: one row per year x country x ATP group (01-10); annual_value_usd is "
    "the year-to-date ALL_VAL_YR of the latest month (December), monthly_sum_usd the sum of ALL_VAL_MO; "
    "whole USD. Aggregate rows (totals, 0xxx groupings, continents, blank or 00 HITECH) are dropped.",
    None,
    None,
)
_HS_NAME = re.compile(r"exports_hs_df([12])_\d{3}\.json")


def api_hs_files(root: Path, year: int) -> list[tuple[str, str]]:
    """Landed ``exports/hs`` tables of ``year`` as (relative path, DF code), in name order."""
    folder = root / str(year) / "api"
    if not folder.is_dir():
        return []
    return [
        (f"{year}/api/{p.name}", _HS_NAME.fullmatch(p.name).group(1))
        for p in sorted(folder.iterdir())
        if _HS_NAME.fullmatch(p.name)
    ]


def missing_inputs(root: Path, years: list[int]) -> list[str]:
    """Every file the raw assets need for ``years`` that ``root`` lacks (relative paths)."""
    missing = []
    if not root.is_dir():
        return [f"{root} (the folder itself)"]
    if len(list((root / "country_trade").glob("*.csv"))) != 1:
        missing.append("country_trade/<exactly one>.csv")
    for year in years:
        for name in ("CONCORD.TXT", "COUNTRY.TXT"):
            if not (root / str(year) / name).is_file():
                missing.append(f"{year}/{name}")
        if not (root / str(year) / "EXP_HIST.TXT").is_file() and not api_hs_files(root, year):
            missing.append(f"{year}/EXP_HIST.TXT (or {year}/api/exports_hs_df*_*.json)")
    return missing


def _urls(root: Path) -> dict[str, str]:
    return {path: row.url for path, row in read_manifest(root).items()}


def load_table_year(con: duckdb.DuckDBPyConnection, root: Path, table: RawTable, year: int) -> LoadResult:
    """Load ``table``'s rows for ``year`` from the input folder ``root`` (atomic per table-year).

    The export history comes from ``EXP_HIST.TXT`` when present, else from the API tables.
    Raises ``FileNotFoundError`` or :class:`~orchestration.census.parse.CensusLayoutError`.
    """
    urls = _urls(root)
    if table is EXPORT_HISTORY_TABLE and not (root / str(year) / "EXP_HIST.TXT").is_file():
        files = api_hs_files(root, year)
        if files:
            return load_api_export_history(con, root, year, files, urls)
    relative = f"{year}/{table.file_name}" if table.file_name else None
    return load_year(
        con,
        root,
        table,
        year,
        source_url=urls.get(relative)
        if relative
        else next((u for p, u in urls.items() if p.startswith("country_trade/")), None),
    )


def load_api_export_history(
    con: duckdb.DuckDBPyConnection, root: Path, year: int, files: list[tuple[str, str]], urls: dict[str, str]
) -> LoadResult:
    """Swap in ``year``'s export history from landed ``exports/hs`` tables (one row per DF x
    HS10 x country, annual USD); aggregate rows are dropped and counted in ``dropped``."""
    staged = "_atp_staged_export_history"
    counts = stage_hs(con, root, files, year, staged)
    origins = file_origins(root)
    sources = [
        SourceFile(rel, origins.get(rel, "census"), sha256_of(root / rel), _records(root / rel), urls.get(rel))
        for rel, _ in files
    ]
    rows = swap_year(con, EXPORT_HISTORY_TABLE.name, EXPORT_HISTORY_TABLE.description, year, staged, sources)
    return LoadResult(
        EXPORT_HISTORY_TABLE.name,
        year,
        f"{year}/api/exports_hs_*.json ({len(files)} tables)",
        sources[0].origin,
        sources[0].sha256,
        sum(s.file_records for s in sources),
        rows,
        dropped=counts.as_metadata(),
    )


def load_api_hitech(con: duckdb.DuckDBPyConnection, root: Path, year: int) -> LoadResult | None:
    """Swap in ``year``'s ``exports/hitech`` totals if ``api/exports_hitech.json`` is there;
    returns None (and changes nothing) when it is not."""
    relative = f"{year}/{HITECH_FILE}"
    if not (root / relative).is_file():
        return None
    staged = "_atp_staged_api_hitech"
    counts: AggregateCounts = stage_hitech(con, root, relative, year, staged)
    source = SourceFile(
        relative,
        file_origins(root).get(relative, "census"),
        sha256_of(root / relative),
        _records(root / relative),
        _urls(root).get(relative),
    )
    rows = swap_year(con, API_HITECH_TABLE.name, API_HITECH_TABLE.description, year, staged, [source])
    return LoadResult(
        API_HITECH_TABLE.name,
        year,
        relative,
        source.origin,
        source.sha256,
        source.file_records,
        rows,
        dropped=counts.as_metadata(),
    )


def _records(path: Path) -> int:
    import json

    return max(0, len(json.loads(path.read_text(encoding="utf-8"))) - 1)
