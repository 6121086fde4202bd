"""The raw tables, each described once: where its files are in an input folder, which layouts
they come in, its columns, its key, and whether it is required.

An input folder (the bundled ``warehouse/sample/``, a ``local`` folder, or the ``census``
source's landing area) is laid out like this; file names are matched without regard to case::

    <input_dir>/<year>/EXP_HIST.TXT               export history, EM545/EA645 (120)
       or <input_dir>/<year>/api/exports_hs_df<1|2>_<key>.json   Census API exports/hs tables
    <input_dir>/<year>/exp-code.txt               Schedule B concordance (278)
       or <input_dir>/<year>/CONCORD.TXT          historical CONCORD.TXT concordance (245)
    <input_dir>/<year>/exp-code-<label>.txt       optional: the year's later Schedule B lists
       (or CONCORD-<label>.TXT)                   (e.g. the July edition), applied in name order
    <input_dir>/<year>/COUNTRY.TXT                country code list (51)
    <input_dir>/<year>/api/exports_hitech.json    optional: Census API exports/hitech table
    <input_dir>/country_trade/country.xlsx        "U.S. trade in goods by country" (millions USD)
       or <input_dir>/country_trade/<name>.csv    the same table as CSV
    <input_dir>/hs10_changes.csv                  optional: HS10 code-change concordance
    <input_dir>/manifest.json                     optional: each file's origin ("synthetic" or
                                                  "census") and sha256; a file that differs
                                                  loads as "unverified"

Adding an input type (an import concordance, say) is one :class:`RawTable` here, a reader if its
format is new, a dbt source and a staging model.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from orchestration.census.api_tables import read_exports_hitech, read_exports_hs
from orchestration.census.fixed_width import choose_layout, first_problem, read_lines, typed_select
from orchestration.census.layouts import CONCORDANCE_LAYOUTS, COUNTRY, EXPORT_HISTORY, Layout
from orchestration.census.parse import (
    COUNTRY_TRADE_VALUE_COLUMNS,
    CensusLayoutError,
    months_with_data,
    not_utf8_error,
    parse_country_trade,
)
from orchestration.census.reading import Reader, ReadInfo


@dataclass(frozen=True)
class FileForm:
    """One form a raw table's input can take in an input folder.

    ``patterns`` are file names relative to the input folder (``{year}`` replaced, ``*`` a
    wildcard, case ignored). Unless ``many``, exactly one file may match them (two is an error);
    with ``many``, every match is read together. ``extra_patterns`` name further files read
    after the first, in name order (a year's later Schedule B lists).
    """

    label: str
    patterns: tuple[str, ...]
    read: Reader
    many: bool = False
    extra_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawTable:
    """A table of schema ``raw`` and the input files that feed it.

    ``columns`` are (name, DuckDB type) besides ``year`` (for ``per_year`` tables),
    ``source_file``, ``source_record`` and ``is_synthetic``; a reader may leave some out (they
    load as NULL). ``forms`` are tried in order; the first with files wins. ``key`` is unique
    within a year (``key_scope="year"``) or within each file of a year (``"file"``: a code may
    appear in the January and in the July Schedule B list). ``year_column`` must equal the loaded
    year. ``file_has_years``: one file holds every year (the country table); a year's rows are
    taken from it. ``revision_columns`` are compared with the rows already held when a year is
    loaded again; differences go to ``raw.<name>_revisions``.
    """

    name: str
    description: str
    columns: tuple[tuple[str, str], ...]
    forms: tuple[FileForm, ...]
    key: tuple[str, ...] = ()
    key_scope: str = "year"
    required: bool = True
    per_year: bool = True
    file_has_years: bool = False
    year_column: str | None = None
    revision_columns: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def describe_files(self, year: int | None) -> str:
        """The file names this table reads, for messages (``2008/EXP_HIST.TXT or ...``)."""
        return " or ".join(
            " / ".join(p.format(year=year) for p in form.patterns) + f" ({form.label})" for form in self.forms
        )


class InputFileError(FileNotFoundError):
    """An input folder lacks a required file, or holds two files where one is expected."""


def path_key(relative: str) -> str:
    """How an input file's path relative to the input folder is compared, by file discovery
    (:func:`find_files`) and with ``manifest.json`` entries alike: ``/`` between folders (a
    ``\\`` is taken as one), no leading ``./``, case ignored. ``2010/EXP_HIST.TXT``,
    ``2010/exp_hist.txt`` and ``./2010\\Exp_Hist.txt`` are the same file."""
    key = relative.replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key.lower()


def _matches(root: Path, pattern: str) -> list[str]:
    """Relative paths under ``root`` matching ``pattern`` (``*`` wildcard, names compared by
    :func:`path_key`).

    Raises :class:`InputFileError` for a match that is not a readable file: a folder, or a
    symbolic link that leads nowhere (a missing target or a loop), naming it and what it is
    (rather than reporting the file as missing)."""
    folder, _, name = pattern.rpartition("/")
    directory = root / folder if folder else root
    if not directory.is_dir():
        return []
    prefix = f"{folder}/" if folder else ""
    found = []
    for path in sorted(directory.iterdir()):
        if not fnmatch(path_key(path.name), path_key(name)):
            continue
        if path.is_file():
            found.append(prefix + path.name)
        elif path.is_dir():
            raise InputFileError(f"{path} is a folder, not a file: the input {prefix + path.name} must be a file")
        elif path.is_symlink():
            raise InputFileError(
                f"{path} is a symbolic link that leads nowhere (its target is missing, or the links form a loop)"
            )
    return found


def find_files(root: Path, table: RawTable, year: int | None) -> tuple[FileForm | None, list[str]]:
    """The form and the files ``table`` reads for ``year`` under ``root`` (relative paths, in
    reading order), from the first of its forms that has any; ``(None, [])`` when none has.

    Raises :class:`InputFileError` when a single-file form matches two files (e.g. both
    ``CONCORD.TXT`` and ``exp-code.txt`` in one year, or two country tables).
    """
    for form in table.forms:
        found = sorted({m for pattern in form.patterns for m in _matches(root, pattern.format(year=year))})
        if not found:
            continue
        if len(found) > 1 and not form.many:
            raise InputFileError(
                f"{table.name}{f' {year}' if year is not None else ''}: {root} holds {', '.join(found)}; "
                f"expected exactly one ({form.label})"
            )
        extras = sorted(
            {m for pattern in form.extra_patterns for m in _matches(root, pattern.format(year=year))} - set(found)
        )
        return form, found + extras
    return None, []


# --- readers -------------------------------------------------------------------------------


def fixed_width_reader(layouts: Layout | tuple[Layout, ...], rank_files: bool = False) -> Reader:
    """A reader for fixed-width files in ``layouts`` (the layout chosen per file by record
    length). Each file's records are streamed into a TEMP lines table; ``target`` is a view that
    types and checks them as they are inserted (:func:`fixed_width.typed_select`), so a year is
    read once. With ``rank_files`` each row gets ``list_rank``: 1 for the first file, 2 for the
    next... (a year's January Schedule B list, then its later editions)."""
    candidates = (layouts,) if isinstance(layouts, Layout) else tuple(layouts)

    def read(
        con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
    ) -> ReadInfo:
        records: dict[str, int] = {}
        files: list[tuple[str, str, Layout, str]] = []
        for rank, relative in enumerate(relatives, start=1):
            layout = choose_layout(root / relative, relative, candidates) if len(candidates) > 1 else candidates[0]
            lines = f"{target}_lines_{rank}"
            records[relative] = read_lines(con, root / relative, relative, lines)
            extra = f", cast({rank} as integer) as list_rank" if rank_files else ""
            files.append((relative, lines, layout, extra))

        def create_view(guard: bool) -> None:
            union = " union all ".join(typed_select(lay, lines, rel, extra, guard) for rel, lines, lay, extra in files)
            con.execute(f"create or replace temp view {target} as {union}")

        def diagnose() -> None:
            for relative, lines, layout, _ in files:
                problem = first_problem(con, lines, layout, relative, root / relative, candidates)
                if problem is not None:
                    raise problem
            create_view(guard=False)  # the cheap checks were stricter than the Census rules

        create_view(guard=True)
        return ReadInfo(file_records=records, diagnose=diagnose, temp_tables=tuple(f[1] for f in files))

    return read


def read_country_table(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
) -> ReadInfo:
    """Reader of the country trade table (xlsx or CSV, :func:`parse.read_country_trade`): every
    year of the file, with ``months_reported`` (the year's last month with data: 12 for a
    complete year, fewer for the newest year of a vintage); the file's vintage is its newest
    year and that year's last month with data (``2024-06``)."""
    (relative,) = relatives
    rows = parse_country_trade(con, root / relative, relative, "_atp_country_all")
    months = months_with_data(
        dict(zip(["year", *COUNTRY_TRADE_VALUE_COLUMNS], row, strict=True))
        for row in con.execute(
            f"select year, {', '.join(COUNTRY_TRADE_VALUE_COLUMNS)} from _atp_country_all"
        ).fetchall()
    )
    con.execute("create or replace temp table _atp_country_months (year integer, months_reported integer)")
    con.executemany("insert into _atp_country_months values (?, ?)", sorted(months.items()))
    con.execute(f"""
        create or replace temp table {target} as
        select c.*, m.months_reported from _atp_country_all c left join _atp_country_months m using (year)
    """)
    con.execute("drop table _atp_country_all")
    con.execute("drop table _atp_country_months")
    newest = max(months) if months else None
    vintage = {relative: f"{newest}-{months[newest]:02d}"} if newest is not None else {}
    return ReadInfo(file_records={relative: rows}, vintage=vintage)


CODE_CHANGE_HEADER = ("old_hs10_code", "new_hs10_code", "first_year")


def read_code_changes(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
) -> ReadInfo:
    """Reader of the code-change concordance ``hs10_changes.csv`` (a layout of this project:
    ``old_hs10_code,new_hs10_code,first_year``, one row per link; see the README). Raises
    :class:`CensusLayoutError` naming file, line and field for a missing column, a code that is
    not ten digits, or a year that is not four digits."""
    (relative,) = relatives
    rows: list[tuple[str, str, int, str, int]] = []
    try:
        with (root / relative).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in CODE_CHANGE_HEADER if c not in header]
            if missing:
                raise CensusLayoutError(relative, 1, "header", ",".join(header), f"missing columns {missing}")
            at = {c: header.index(c) for c in CODE_CHANGE_HEADER}
            for line, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                values = {c: (row[at[c]].strip() if at[c] < len(row) else "") for c in CODE_CHANGE_HEADER}
                for name, digits in (("old_hs10_code", 10), ("new_hs10_code", 10), ("first_year", 4)):
                    if len(values[name]) != digits or not values[name].isdigit():
                        raise CensusLayoutError(relative, line, name, values[name], f"does not match [0-9]{{{digits}}}")
                rows.append(
                    (values["old_hs10_code"], values["new_hs10_code"], int(values["first_year"]), relative, line)
                )
    except UnicodeDecodeError:
        raise not_utf8_error(root / relative, relative) from None
    con.execute(
        f"create or replace temp table {target} (old_hs10_code varchar, new_hs10_code varchar, "
        "first_year integer, source_file varchar, source_record integer)"
    )
    if rows:
        con.executemany(f"insert into {target} values (?, ?, ?, ?, ?)", rows)
    return ReadInfo(file_records={relative: len(rows)})


# --- the tables ----------------------------------------------------------------------------

_HISTORY_COLUMNS = tuple(
    (f.name, "bigint" if f.kind in ("int", "usd") else "varchar") for f in EXPORT_HISTORY.fields if f.is_loaded
)

EXPORT_HISTORY_TABLE = RawTable(
    name="export_history",
    description="Annual export history: one row per source record (EM545/EA645 file: DF x HS10 x country x "
    "district x month; Census API exports/hs: DF x HS10 x country, annual December year to date); "
    "value_usd in whole USD (f.a.s.).",
    columns=_HISTORY_COLUMNS,
    forms=(
        FileForm(
            "EM545/EA645 fixed width, record length 120", ("{year}/EXP_HIST.TXT",), fixed_width_reader(EXPORT_HISTORY)
        ),
        FileForm(
            "Census API exports/hs tables",
            ("{year}/api/exports_hs_df1_*.json", "{year}/api/exports_hs_df2_*.json"),
            read_exports_hs,
            many=True,
        ),
    ),
    key=("df_code", "hs10_code", "cty_code", "district_code", "stat_month"),
    year_column="stat_year",
)

ATP_CONCORDANCE_TABLE = RawTable(
    name="atp_concordance",
    description="Exports concordance of each year (Schedule B exp-code.txt, record length 278, or the historical "
    "CONCORD.TXT, 245): one row per year x list x HS10 code, with the ATP group code hitech_code ('00' = "
    "not advanced technology); list_rank 1 is the year's first list, 2.. its later editions.",
    columns=(
        ("hs10_code", "varchar"),
        ("description", "varchar"),
        ("short_description", "varchar"),
        ("unit_qty1", "varchar"),
        ("unit_qty2", "varchar"),
        ("sitc_code", "varchar"),
        ("end_use_code", "varchar"),
        ("naics_code", "varchar"),
        ("usda_code", "varchar"),
        ("hitech_code", "varchar"),
        ("years_ap", "varchar"),
        ("list_rank", "integer"),
    ),
    forms=(
        FileForm(
            "Schedule B exp-code.txt (278) or CONCORD.TXT (245)",
            ("{year}/exp-code.txt", "{year}/CONCORD.TXT"),
            fixed_width_reader(CONCORDANCE_LAYOUTS, rank_files=True),
            extra_patterns=("{year}/exp-code-*.txt", "{year}/CONCORD-*.TXT"),
        ),
    ),
    key=("hs10_code",),
    key_scope="file",
)

COUNTRIES_TABLE = RawTable(
    name="countries",
    description="Country code list (COUNTRY.TXT) of each year: one row per year x Schedule C code, "
    "including the 0xxx grouping codes.",
    columns=tuple((f.name, "varchar") for f in COUNTRY.fields),
    forms=(FileForm("COUNTRY.TXT, record length 51", ("{year}/COUNTRY.TXT",), fixed_width_reader(COUNTRY)),),
    key=("cty_code",),
)

COUNTRY_TRADE_TABLE = RawTable(
    name="country_trade",
    description="Census 'U.S. trade in goods by country' table (country.xlsx or CSV): one row per year x code; "
    "imports (i*) and exports (e*) in MILLIONS of USD, DECIMAL(18,6); 0007 = world ATP exports; "
    "months_reported = the year's last month with data in the loaded vintage (12 = complete year).",
    columns=(
        ("cty_code", "varchar"),
        ("cty_name", "varchar"),
        *((c, "decimal(18,6)") for c in COUNTRY_TRADE_VALUE_COLUMNS),
        ("months_reported", "integer"),
    ),
    forms=(
        FileForm(
            "Census country.xlsx or a CSV with its columns",
            ("country_trade/*.xlsx", "country_trade/*.csv"),
            read_country_table,
        ),
    ),
    key=("cty_code",),
    file_has_years=True,
    revision_columns=COUNTRY_TRADE_VALUE_COLUMNS,
)

API_HITECH_TABLE = RawTable(
    name="api_hitech_exports",
    description="Census API exports/hitech: one row per year x country x ATP group (01-10); annual_value_usd is "
    "the year-to-date ALL_VAL_YR of the latest month (December), monthly_sum_usd the sum of ALL_VAL_MO; "
    "whole USD. Aggregate rows (totals, 0xxx groupings, continents, blank or 00 HITECH) are dropped. "
    "Only the census source (or a folder holding its landed tables) fills it.",
    columns=(
        ("cty_code", "varchar"),
        ("cty_name", "varchar"),
        ("hitech_code", "varchar"),
        ("annual_value_usd", "bigint"),
        ("monthly_sum_usd", "bigint"),
        ("months_reported", "integer"),
    ),
    forms=(FileForm("Census API exports/hitech table", ("{year}/api/exports_hitech.json",), read_exports_hitech),),
    key=("cty_code", "hitech_code"),
    required=False,
)

HS10_CODE_CHANGES_TABLE = RawTable(
    name="hs10_code_changes",
    description="HS10 code-change concordance: one row per old code -> new code link, first_year = first year of "
    "the new code (splits: one old code, several rows; merges: several old codes, one new code).",
    columns=(("old_hs10_code", "varchar"), ("new_hs10_code", "varchar"), ("first_year", "integer")),
    forms=(
        FileForm("hs10_changes.csv (old_hs10_code,new_hs10_code,first_year)", ("hs10_changes.csv",), read_code_changes),
    ),
    key=("old_hs10_code", "new_hs10_code"),
    required=False,
    per_year=False,
)

#: Every raw table, in load order.
RAW_TABLES = (
    EXPORT_HISTORY_TABLE,
    ATP_CONCORDANCE_TABLE,
    COUNTRIES_TABLE,
    COUNTRY_TRADE_TABLE,
    API_HITECH_TABLE,
    HS10_CODE_CHANGES_TABLE,
)


def missing_inputs(root: Path, years: Sequence[int], tables: Sequence[RawTable] = RAW_TABLES) -> list[str]:
    """Every problem with the files ``tables`` need for ``years`` under ``root``, one line each:
    a required file that is missing (named with its possible forms) or two files where one is
    expected. Empty when everything is there."""
    if not root.is_dir():
        return [f"{root} (the folder itself)"]
    problems: list[str] = []
    for table in tables:
        for year in years if table.per_year and not table.file_has_years else [None]:
            try:
                _, found = find_files(root, table, year)
            except InputFileError as error:
                problems.append(str(error))
                continue
            if not found and table.required:
                problems.append(table.describe_files(year))
    return list(dict.fromkeys(problems))
