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
    <input_dir>/<year>/IMP_HIST.TXT               optional: import history, IM145/IA245 (253)
       or <input_dir>/<year>/api/imports_hs_<key>.json   Census API imports/hs tables
    <input_dir>/<year>/imp-code.txt               optional (with IMP_HIST.TXT, required):
       or <input_dir>/<year>/IMP_CONCORD.TXT      HTS import concordance (278), or the imports
                                                  "imdb" CONCORD.TXT (235) saved under this name
    <input_dir>/<year>/imp-code-<label>.txt       optional: the year's later import lists
       (or IMP_CONCORD-<label>.TXT)
    <input_dir>/<year>/api/imports_hitech.json    optional: Census API imports/hitech table
    <input_dir>/country_trade/country.xlsx        "U.S. trade in goods by country" (millions USD)
       or <input_dir>/country_trade/<name>.csv    the same table as CSV
    <input_dir>/hs10_changes.csv                  optional: HS10 code-change concordance
                                                  (Schedule B codes, exports)
    <input_dir>/hts10_changes.csv                 optional: the same for HTS codes (imports)
    <input_dir>/manifest.json                     optional: each file's origin ("synthetic" or
                                                  "census") and sha256; a file that differs
                                                  loads as "unverified"

An import history without the year's import concordance (or the reverse) is an error naming
both (:attr:`RawTable.companions`). Adding an input type is one :class:`RawTable` here, a reader if its
format is new, a dbt source and a staging model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import partial
from pathlib import Path

from orchestration.census.api_tables import read_exports_hitech, read_exports_hs, read_imports_hitech, read_imports_hs
from orchestration.census.layouts import (
    CONCORDANCE_LAYOUTS,
    COUNTRY,
    EXPORT_HISTORY,
    IMPORT_CONCORDANCE_LAYOUTS,
    IMPORT_HISTORY,
)
from orchestration.census.parse import COUNTRY_TRADE_VALUE_COLUMNS
from orchestration.census.readers import fixed_width_reader, read_code_changes, read_country_table
from orchestration.census.reading import Reader

#: The input files, where they are in an input folder (``{year}`` replaced, ``*`` any text, case
#: ignored): the one place their names are written. The sources land their downloads under these
#: names and the sample generator writes them (:func:`input_file`).
EXPORT_HISTORY_FILE = "{year}/EXP_HIST.TXT"
#: One Census API ``exports/hs`` table per request: its DF (1 or 2) and a key of the request.
HS_API_FILE = "{year}/api/exports_hs_df{df}_{key}.json"
SCHEDULE_B_FILE = "{year}/exp-code.txt"
CONCORD_FILE = "{year}/CONCORD.TXT"
#: The year's later Schedule B lists (e.g. the July edition), read after the first in name order.
SCHEDULE_B_EDITION_FILE = "{year}/exp-code-{edition}.txt"
CONCORD_EDITION_FILE = "{year}/CONCORD-{edition}.TXT"
COUNTRY_LIST_FILE = "{year}/COUNTRY.TXT"
HITECH_API_FILE = "{year}/api/exports_hitech.json"
#: The import inputs: the annual import history (IM145/IA245), one Census API ``imports/hs``
#: table per request (keyed by the request), the HTS import concordance (``imp-code.txt``, or the
#: imports "imdb" ``CONCORD.TXT`` saved as ``IMP_CONCORD.TXT``: a year folder also holds the
#: export ``CONCORD.TXT``), its later editions, and the API ``imports/hitech`` table.
IMPORT_HISTORY_FILE = "{year}/IMP_HIST.TXT"
IMPORTS_HS_API_FILE = "{year}/api/imports_hs_{key}.json"
IMPORT_CODES_FILE = "{year}/imp-code.txt"
IMPORT_CONCORD_FILE = "{year}/IMP_CONCORD.TXT"
IMPORT_CODES_EDITION_FILE = "{year}/imp-code-{edition}.txt"
IMPORT_CONCORD_EDITION_FILE = "{year}/IMP_CONCORD-{edition}.TXT"
IMPORTS_HITECH_API_FILE = "{year}/api/imports_hitech.json"
#: The country trade table's folder (one table for every year) and the name the workbook lands under.
COUNTRY_TRADE_FOLDER = "country_trade"
COUNTRY_TRADE_WORKBOOK = f"{COUNTRY_TRADE_FOLDER}/country.xlsx"
CODE_CHANGES_FILE = "hs10_changes.csv"
#: The HTS (import) code-change concordance: the layout of ``hs10_changes.csv``, HTS codes.
IMPORT_CODE_CHANGES_FILE = "hts10_changes.csv"
#: The input folder's manifest: each file's origin and sha256 (:mod:`orchestration.census.input_manifest`).
INPUT_MANIFEST = "manifest.json"


def input_file(name: str, year: int | str | None = None, **parts: object) -> str:
    """An input file's path relative to the input folder: ``name`` (one of the names above) with
    ``{year}`` and its other parts filled in, e.g. ``input_file(COUNTRY_LIST_FILE, 2019)`` ->
    ``2019/COUNTRY.TXT``. Raises ``KeyError`` for a part ``name`` has and ``parts`` lacks."""
    return name.format(year=year, **parts)


_HS_API_NAME = re.compile(r"exports_hs_df([12])_[0-9a-z_]+\.json", re.IGNORECASE)


def hs_api_df(relative: str) -> str:
    """The DF (``"1"`` domestic, ``"2"`` foreign) of a landed ``exports/hs`` table, from its name
    (:data:`HS_API_FILE`; older landings were keyed ``_<NNN>``). Raises ``ValueError`` for another
    name."""
    found = _HS_API_NAME.fullmatch(Path(relative).name)
    if found is None:
        raise ValueError(f"{relative} is not an exports/hs table name ({HS_API_FILE})")
    return found.group(1)


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
    loaded again; differences go to ``raw.<name>_revisions``. ``companions`` name tables whose
    files a year must have whenever it has files of this one (an import history needs the year's
    import concordance, and the reverse): :func:`companion_problems`. ``year_store``: the rows
    live in one Parquet file per year outside the DuckDB file, ``raw.<name>`` being a view over
    them (the large histories: :mod:`orchestration.census.year_store`); such a table has no
    ``revision_columns`` (raises ``ValueError``: a year's file is replaced whole).
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
    companions: tuple[str, ...] = ()
    year_store: bool = False

    def __post_init__(self) -> None:
        if self.year_store and self.revision_columns:
            raise ValueError(f"raw.{self.name}: a year store table records no revisions (revision_columns)")

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
            "EM545/EA645 fixed width, record length 120", (EXPORT_HISTORY_FILE,), fixed_width_reader(EXPORT_HISTORY)
        ),
        FileForm(
            "Census API exports/hs tables",
            tuple(input_file(HS_API_FILE, "{year}", df=df, key="*") for df in ("1", "2")),
            partial(read_exports_hs, df_code_of=hs_api_df),
            many=True,
        ),
    ),
    key=("df_code", "hs10_code", "cty_code", "district_code", "stat_month"),
    year_column="stat_year",
    year_store=True,
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
            (SCHEDULE_B_FILE, CONCORD_FILE),
            fixed_width_reader(CONCORDANCE_LAYOUTS, rank_files=True),
            extra_patterns=tuple(
                input_file(name, "{year}", edition="*") for name in (SCHEDULE_B_EDITION_FILE, CONCORD_EDITION_FILE)
            ),
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
    forms=(FileForm("COUNTRY.TXT, record length 51", (COUNTRY_LIST_FILE,), fixed_width_reader(COUNTRY)),),
    key=("cty_code",),
)

COUNTRY_TRADE_TABLE = RawTable(
    name="country_trade",
    description="Census 'U.S. trade in goods by country' table (country.xlsx or CSV): one row per year x code; "
    "imports (i*) and exports (e*) in MILLIONS of USD, DECIMAL(18,6); 0007 = world ATP (eyr exports, iyr imports); "
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
            (f"{COUNTRY_TRADE_FOLDER}/*.xlsx", f"{COUNTRY_TRADE_FOLDER}/*.csv"),
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
    forms=(FileForm("Census API exports/hitech table", (HITECH_API_FILE,), read_exports_hitech),),
    key=("cty_code", "hitech_code"),
    required=False,
)

_IMPORT_HISTORY_COLUMNS = tuple(
    (f.name, "bigint" if f.kind in ("int", "usd") else "varchar") for f in IMPORT_HISTORY.fields if f.is_loaded
)

IMPORT_HISTORY_TABLE = RawTable(
    name="import_history",
    description="Annual import history: one row per source record (IM145/IA245 file: HS10 x country of origin x "
    "country subcode x district of entry x district of unlading x rate provision x month; Census API "
    "imports/hs: HS10 x country, annual December year to date, stat_month and districts empty, only "
    "gen_value_usd filled). Money in whole USD, quantities in units: gen_value_usd = general imports at "
    "customs value (the basis of published ATP imports), con_value_usd = imports for consumption; *_cif_usd "
    "the CIF values. cty_subcode is text ('00', '01', 'A', 'A*', 'CA', ...). Optional: a year without "
    "import files is loaded as exports only; with it, the year's import concordance is required.",
    columns=_IMPORT_HISTORY_COLUMNS,
    forms=(
        FileForm(
            "IM145/IA245 fixed width, record length 253", (IMPORT_HISTORY_FILE,), fixed_width_reader(IMPORT_HISTORY)
        ),
        FileForm(
            "Census API imports/hs tables",
            (input_file(IMPORTS_HS_API_FILE, "{year}", key="*"),),
            read_imports_hs,
            many=True,
        ),
    ),
    key=(
        "hs10_code",
        "cty_code",
        "cty_subcode",
        "district_entry_code",
        "district_unlading_code",
        "rate_provision_code",
        "stat_month",
    ),
    required=False,
    companions=("import_concordance",),
    year_store=True,
)

IMPORT_CONCORDANCE_TABLE = RawTable(
    name="import_concordance",
    description="Import (HTS) concordance of each year (imp-code.txt, record length 278, the layout of "
    "exp-code.txt, or the imports 'imdb' CONCORD.TXT saved as IMP_CONCORD.TXT, 235): one row per year x list x "
    "HS10 code with the ATP group code hitech_code ('00' = not advanced technology); the columns of "
    "raw.atp_concordance (years_ap empty); list_rank 1 is the year's first list, 2.. its later editions. "
    "Optional: with an import history, required.",
    columns=ATP_CONCORDANCE_TABLE.columns,
    forms=(
        FileForm(
            "HTS imp-code.txt (278) or imports CONCORD.TXT saved as IMP_CONCORD.TXT (235)",
            (IMPORT_CODES_FILE, IMPORT_CONCORD_FILE),
            fixed_width_reader(IMPORT_CONCORDANCE_LAYOUTS, rank_files=True),
            extra_patterns=tuple(
                input_file(name, "{year}", edition="*")
                for name in (IMPORT_CODES_EDITION_FILE, IMPORT_CONCORD_EDITION_FILE)
            ),
        ),
    ),
    key=("hs10_code",),
    key_scope="file",
    required=False,
    companions=("import_history",),
)

API_HITECH_IMPORTS_TABLE = RawTable(
    name="api_hitech_imports",
    description="Census API imports/hitech: one row per year x country x ATP group (01-10); annual_value_usd is "
    "the year-to-date GEN_VAL_YR of the latest month (December), monthly_sum_usd the sum of GEN_VAL_MO; "
    "general imports at customs value, whole USD. Aggregate rows (totals, 0xxx groupings, continents, blank "
    "or 00 HITECH) are dropped. Only the census source (or a folder holding its landed tables) fills it.",
    columns=API_HITECH_TABLE.columns,
    forms=(FileForm("Census API imports/hitech table", (IMPORTS_HITECH_API_FILE,), read_imports_hitech),),
    key=("cty_code", "hitech_code"),
    required=False,
)

HS10_CODE_CHANGES_TABLE = RawTable(
    name="hs10_code_changes",
    description="HS10 code-change concordance: one row per old code -> new code link, first_year = first year of "
    "the new code (splits: one old code, several rows; merges: several old codes, one new code).",
    columns=(("old_hs10_code", "varchar"), ("new_hs10_code", "varchar"), ("first_year", "integer")),
    forms=(
        FileForm("hs10_changes.csv (old_hs10_code,new_hs10_code,first_year)", (CODE_CHANGES_FILE,), read_code_changes),
    ),
    key=("old_hs10_code", "new_hs10_code"),
    required=False,
    per_year=False,
)

IMPORT_CODE_CHANGES_TABLE = RawTable(
    name="import_code_changes",
    description="HTS (import) code-change concordance, the layout of hs10_changes.csv for the HTS codes of the "
    "import lists: one row per old code -> new code link, first_year = first year of the new code.",
    columns=HS10_CODE_CHANGES_TABLE.columns,
    forms=(
        FileForm(
            "hts10_changes.csv (old_hs10_code,new_hs10_code,first_year)",
            (IMPORT_CODE_CHANGES_FILE,),
            read_code_changes,
        ),
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
    IMPORT_HISTORY_TABLE,
    IMPORT_CONCORDANCE_TABLE,
    API_HITECH_IMPORTS_TABLE,
    IMPORT_CODE_CHANGES_TABLE,
)


def companion_problems(root: Path, table: RawTable, year: int | None) -> list[str]:
    """One line per companion of ``table`` (:attr:`RawTable.companions`) that has no file for
    ``year`` under ``root`` while ``table`` has some, naming both tables' files, e.g.
    ``2019/IMP_HIST.TXT is there but not its import concordance (2019/imp-code.txt or ...)``.
    Empty when ``table`` has no file for the year or every companion has. Raises
    :class:`InputFileError` as :func:`find_files` does."""
    if not table.companions:
        return []
    _, found = find_files(root, table, year)
    if not found:
        return []
    problems = []
    for name in table.companions:
        companion = next(t for t in RAW_TABLES if t.name == name)
        if not find_files(root, companion, year)[1]:
            problems.append(
                f"{', '.join(found)} ({table.name}) is there but not the year's {name}: "
                f"{companion.describe_files(year)}; add it, or remove {found[0] if len(found) == 1 else 'those files'}"
            )
    return problems


def missing_inputs(root: Path, years: Sequence[int], tables: Sequence[RawTable] = RAW_TABLES) -> list[str]:
    """Every problem with the files ``tables`` need for ``years`` under ``root``, one line each:
    a required file that is missing (named with its possible forms), two files where one is
    expected, or a file whose companion is missing (an import history without the year's import
    concordance, or the reverse: :func:`companion_problems`). Empty when everything is there."""
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
            problems.extend(companion_problems(root, table, year))
    return list(dict.fromkeys(problems))
