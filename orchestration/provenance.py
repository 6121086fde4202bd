"""Which inputs of which years are real Census data, which SYNTHETIC and which unverified, read
from ``raw.source_files``: the one place the origins are named, and the one place the console
summary, the figure captions and the asset metadata take them from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

#: The origin of an input file (``raw.source_files.origin``), decided when it is loaded
#: (:func:`orchestration.census.input_manifest.file_origin`): Census data (no entry in the input folder's
#: ``manifest.json``, or an entry ``census`` whose sha256 the file matches) ...
CENSUS = "census"
#: ... the SYNTHETIC bundled sample (an entry ``synthetic`` whose sha256 the file matches; its
#: rows get ``is_synthetic = true``) ...
SYNTHETIC = "synthetic"
#: ... or neither known: the manifest lists the file but its bytes differ from the entry's
#: sha256, or the entry has none (its rows get ``is_synthetic = false``).
UNVERIFIED = "unverified"
#: Every origin, in the order they are listed.
ORIGINS = (CENSUS, SYNTHETIC, UNVERIFIED)
#: The origins a ``manifest.json`` entry may state.
MANIFEST_ORIGINS = (CENSUS, SYNTHETIC)


@dataclass(frozen=True)
class OriginWords:
    """How one origin is written: ``label`` in the console summary and the captions,
    ``description`` in asset metadata (``data_origin``) and the summary, ``table_value`` in the
    ``data_origin`` column (and Parquet metadata) of a figure table."""

    label: str
    description: str
    table_value: str


#: Every origin's words, the one place they are spelled.
ORIGIN_WORDS = {
    CENSUS: OriginWords("Census", "Census", "census"),
    SYNTHETIC: OriginWords("SYNTHETIC", "SYNTHETIC sample (not Census data)", "synthetic sample"),
    UNVERIFIED: OriginWords(
        "UNVERIFIED",
        "UNVERIFIED (differs from its manifest entry: not known to be Census data or the sample)",
        "unverified",
    ),
}


def origin_description(origin: str) -> str:
    """How ``origin`` (one of :data:`ORIGINS`) is described in metadata and the summary."""
    return ORIGIN_WORDS[origin].description


def origin_table_value(origin: str) -> str:
    """How ``origin`` is written in the ``data_origin`` column of a figure table."""
    return ORIGIN_WORDS[origin].table_value


def describe_origins(origins: Iterable[str]) -> str:
    """``data_origin`` metadata of the files behind an asset: each origin's description, in the
    order of :data:`ORIGINS`, joined by ``, ``; ``no file`` when there is none."""
    present = set(origins)
    return ", ".join(origin_description(o) for o in ORIGINS if o in present) or "no file"


#: Raw tables a reader of a figure cares about, with the words used for them.
TABLE_LABELS = {
    "export_history": "export history",
    "atp_concordance": "ATP list",
    "countries": "country list",
    "country_trade": "country table",
}
#: The inputs the console summary lists by year (:func:`origin_lines`): those of the figures and
#: the import side (the general imports by HTS code and country of origin, the HTS import ATP list).
SUMMARY_TABLE_LABELS = TABLE_LABELS | {
    "import_history": "import history",
    "import_concordance": "import ATP list",
}


CENSUS_CAPTION = (
    "Data: U.S. Census Bureau, exports of Advanced Technology Products (as published). Built by the ATP warehouse."
)

#: The trade flows of the marts (``trade_flow``): f.a.s. exports to the country of destination and
#: general imports at customs value from the country of origin.
EXPORTS = "exports"
IMPORTS = "imports"
#: The import-side raw tables a figure of imports reads, with the words used for them.
IMPORT_TABLE_LABELS = {"import_history": "import history", "import_concordance": "import ATP list"}
#: The raw tables behind the figures of each flow (the country list and table serve both).
FLOW_TABLES = {
    EXPORTS: tuple(TABLE_LABELS),
    IMPORTS: (*IMPORT_TABLE_LABELS, "countries", "country_trade"),
}
#: Every raw table a caption may name, with its words.
CAPTION_LABELS = TABLE_LABELS | IMPORT_TABLE_LABELS


def year_ranges(years: list[int]) -> str:
    """``[2000, 2001, 2002, 2005]`` -> ``"2000-2002, 2005"``."""
    parts: list[list[int]] = []
    for year in sorted(years):
        if parts and parts[-1][1] == year - 1:
            parts[-1][1] = year
        else:
            parts.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)


def _has_source_files(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'source_files'"
        ).fetchone()[0]
    )


def _origins(
    con: duckdb.DuckDBPyConnection, years: list[int] | None, tables: Iterable[str] = tuple(TABLE_LABELS)
) -> dict[str, dict[str, list[int]]]:
    """table (of ``tables``) -> origins of a year (``census``, ``census + unverified``, ...) -> years."""
    if not _has_source_files(con):
        return {}
    where = f"and year in ({', '.join(str(int(y)) for y in years)})" if years else ""
    rows = con.execute(
        "select raw_table, year, list(distinct origin) from raw.source_files "
        f"where year is not null and raw_table in ({', '.join(repr(t) for t in tables)}) {where} "
        "group by all order by all"
    ).fetchall()
    out: dict[str, dict[str, list[int]]] = {}
    for table, year, origins in rows:
        key = " + ".join(o for o in (*ORIGINS, *sorted(set(origins) - set(ORIGINS))) if o in origins)
        out.setdefault(table, {}).setdefault(key, []).append(year)
    return out


def _label(key: str) -> str:
    """``census + unverified`` -> ``Census + UNVERIFIED``."""
    return " + ".join(ORIGIN_WORDS[o].label if o in ORIGIN_WORDS else o for o in key.split(" + "))


def _years_with(by_origin: dict[str, list[int]], origin: str) -> list[int]:
    """The years of one table that have a file of ``origin``."""
    return sorted(y for key, years in by_origin.items() if origin in key.split(" + ") for y in years)


def unverified_notes(con: duckdb.DuckDBPyConnection, years: list[int] | None = None) -> list[str]:
    """Why each unverified input file of ``years`` (every year: None) is unverified, one line per
    file, as the load said it (``raw.source_files.origin_note``)."""
    if not _has_source_files(con):
        return []
    has_note = con.execute(
        "select count(*) from duckdb_columns() where schema_name = 'raw' and table_name = 'source_files' "
        "and column_name = 'origin_note'"
    ).fetchone()[0]
    note = "origin_note" if has_note else "source_file || ': loaded as unverified'"
    where = f"and (year is null or year in ({', '.join(str(int(y)) for y in years)}))" if years else ""
    rows = con.execute(
        f"select distinct {note}, source_file from raw.source_files where origin = ? {where} order by 2, 1",
        [UNVERIFIED],
    ).fetchall()
    return list(dict.fromkeys(row[0] for row in rows))


def inputs_origin(
    con: duckdb.DuckDBPyConnection, years: list[int] | None = None, flows: Iterable[str] = (EXPORTS,)
) -> str:
    """The origin of the inputs behind ``years`` (every year: None) of the trade ``flows``
    (:data:`FLOW_TABLES`; default: exports) in one word, for a table or a summary that shows one:
    ``synthetic`` if any is synthetic, else ``unverified`` if any is unverified, else ``census``
    (also when nothing is loaded). ``KeyError`` for an unknown flow."""
    tables = _flow_tables(flows)
    present = {o for by in _origins(con, years, tables).values() for key in by for o in key.split(" + ")}
    return next((o for o in (SYNTHETIC, UNVERIFIED) if o in present), CENSUS)


def origin_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per raw table of :data:`SUMMARY_TABLE_LABELS` that has files (the import tables
    only when import files were loaded): which years are Census data, which SYNTHETIC and which
    UNVERIFIED, with the country table's vintage, e.g. ``ATP list: Census 2019; SYNTHETIC
    2000-2018, 2020-2023``; then one line per unverified file saying why
    (:func:`unverified_notes`)."""
    origins = _origins(con, None, SUMMARY_TABLE_LABELS)
    lines = []
    for table, by_origin in origins.items():
        parts = "; ".join(f"{_label(key)} {year_ranges(years)}" for key, years in sorted(by_origin.items()))
        if table == "country_trade":
            vintages = con.execute(
                "select string_agg(distinct source_file || ', vintage ' || vintage, '; ') from raw.source_files "
                "where raw_table = 'country_trade' and vintage is not null"
            ).fetchone()[0]
            parts += f" ({vintages})" if vintages else ""
        lines.append(f"{SUMMARY_TABLE_LABELS[table]}: {parts}")
    return lines + [f"UNVERIFIED: {note}" for note in unverified_notes(con)]


def _flow_tables(flows: Iterable[str]) -> tuple[str, ...]:
    """The raw tables behind ``flows`` (:data:`FLOW_TABLES`), each once, in the order of
    :data:`CAPTION_LABELS`. ``KeyError`` for an unknown flow."""
    wanted = {table for flow in flows for table in FLOW_TABLES[flow]}
    return tuple(table for table in CAPTION_LABELS if table in wanted)


def caption(con: duckdb.DuckDBPyConnection, years: list[int], flows: Iterable[str] = (EXPORTS,)) -> str:
    """A chart caption that says which inputs behind ``years`` of the trade ``flows`` (default:
    exports; ``("exports", "imports")`` for the balance) are real, which SYNTHETIC and which
    unverified (files that differ from their manifest entry). ``KeyError`` for an unknown flow."""
    shown = [flow for flow in (EXPORTS, IMPORTS) if flow in set(flows)]
    origins = _origins(con, years, _flow_tables(shown))
    nouns = " and ".join(shown)  # "exports", "imports", "exports and imports"
    values = " and ".join(flow.removesuffix("s") for flow in shown)  # "export and import"
    synthetic = any(_years_with(by, SYNTHETIC) for by in origins.values())
    unverified = [
        f"{CAPTION_LABELS[t]} {year_ranges(_years_with(by, UNVERIFIED))}"
        for t, by in origins.items()
        if _years_with(by, UNVERIFIED)
    ]
    if not synthetic and not unverified:
        return CENSUS_CAPTION.replace("exports", nouns, 1)
    real = [
        f"{CAPTION_LABELS[t]} {year_ranges(_years_with(by, CENSUS))}"
        for t, by in origins.items()
        if _years_with(by, CENSUS)
    ]
    if synthetic:
        text = (
            f"Data: SYNTHETIC sample in Census layouts ({values} values calibrated to the real Census world ATP "
            "totals), NOT Census ATP data."
        )
        if real:
            text += " Real Census inputs: " + "; ".join(real) + "."
    else:
        text = f"Data: U.S. Census Bureau, {nouns} of Advanced Technology Products (as published)"
        text += f", Census inputs: {'; '.join(real)}." if real else "."
    if unverified:
        text += (
            " UNVERIFIED inputs (they differ from their manifest entry: not known to be Census data or the "
            "sample): " + "; ".join(unverified) + "."
        )
    return text + " Built by the ATP warehouse."
