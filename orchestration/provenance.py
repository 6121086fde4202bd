"""Which inputs of which years are real Census data and which are SYNTHETIC, read from
``raw.source_files``: the one place the console summary, the figure captions and the asset
metadata take it from."""

from __future__ import annotations

import duckdb

#: Raw tables a reader of a figure cares about, with the words used for them.
TABLE_LABELS = {
    "export_history": "export history",
    "atp_concordance": "ATP list",
    "countries": "country list",
    "country_trade": "country table",
}


CENSUS_CAPTION = (
    "Data: U.S. Census Bureau, exports of Advanced Technology Products (as published). Built by the ATP warehouse."
)


def year_ranges(years: list[int]) -> str:
    """``[2000, 2001, 2002, 2005]`` -> ``"2000-2002, 2005"``."""
    parts: list[list[int]] = []
    for year in sorted(years):
        if parts and parts[-1][1] == year - 1:
            parts[-1][1] = year
        else:
            parts.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)


def _origins(con: duckdb.DuckDBPyConnection, years: list[int] | None) -> dict[str, dict[str, list[int]]]:
    """table -> origin label ('Census', 'SYNTHETIC', ...) -> years."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'source_files'"
    ).fetchone()[0]
    if not exists:
        return {}
    where = f"and year in ({', '.join(str(int(y)) for y in years)})" if years else ""
    rows = con.execute(
        "select raw_table, year, string_agg(distinct origin, ' + ' order by origin) from raw.source_files "
        f"where year is not null and raw_table in ({', '.join(repr(t) for t in TABLE_LABELS)}) {where} "
        "group by all order by all"
    ).fetchall()
    out: dict[str, dict[str, list[int]]] = {}
    for table, year, origin in rows:
        label = {"census": "Census", "synthetic": "SYNTHETIC"}.get(origin, origin)
        out.setdefault(table, {}).setdefault(label, []).append(year)
    return out


def origin_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per raw table: which years are Census data and which SYNTHETIC, with the
    country table's vintage, e.g. ``ATP list: Census 2019; SYNTHETIC 2000-2018, 2020-2023``."""
    origins = _origins(con, None)
    lines = []
    for table, by_origin in origins.items():
        parts = "; ".join(f"{origin} {year_ranges(years)}" for origin, years in sorted(by_origin.items()))
        if table == "country_trade":
            vintages = con.execute(
                "select string_agg(distinct source_file || ', vintage ' || vintage, '; ') from raw.source_files "
                "where raw_table = 'country_trade' and vintage is not null"
            ).fetchone()[0]
            parts += f" ({vintages})" if vintages else ""
        lines.append(f"{TABLE_LABELS[table]}: {parts}")
    return lines


def caption(con: duckdb.DuckDBPyConnection, years: list[int]) -> str:
    """A chart caption that says which inputs behind ``years`` are real and which SYNTHETIC."""
    origins = _origins(con, years)
    synthetic = {t for t, by in origins.items() if "SYNTHETIC" in by}
    if not synthetic:
        return CENSUS_CAPTION
    real = [f"{TABLE_LABELS[t]} {year_ranges(by['Census'])}" for t, by in origins.items() if "Census" in by]
    text = (
        "Data: SYNTHETIC sample in Census layouts (export values calibrated to the real Census world ATP "
        "totals), NOT Census ATP data."
    )
    if real:
        text += " Real Census inputs: " + "; ".join(real) + "."
    return text + " Built by the ATP warehouse."
