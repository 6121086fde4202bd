"""The ``census`` source: download a year's files from the Census Bureau into the landing area,
laid out like an input folder, so the same loaders read them.

What is fetched for a year (``<landing>/census/<year>/``):
- ``api/exports_hitech.json``: ``exports/hitech``, every month, ATP group x country;
- ``COUNTRY.TXT``: from ``country_list_url_template`` if set, else derived from the country codes
  and names of ``exports_hitech.json`` (written in the COUNTRY.TXT layout);
- the export concordance from ``concordance_url_template``, landed under the URL's file name
  when it is ``exp-code.txt`` or ``CONCORD.TXT`` (else as ``exp-code.txt``); the Schedule B
  layout (278) and the CONCORD.TXT layout (245) are both accepted, told apart by record length;
  each of ``extra_concordance_url_templates`` (the year's later Schedule B editions) lands as
  ``exp-code-<n>.txt``;
- ``EXP_HIST.TXT`` from ``export_history_url_template`` if set, else
  ``api/exports_hs_df<DF>_<first code>_<digest>.json``: ``exports/hs`` HS10 x country, December
  year to date, restricted to the ATP codes (``hitech`` 01-10) of every list of the year, DF 1
  and 2, one table per request (:func:`hs_file`; tables of an earlier code list are removed);
- imports: the HTS import concordance from ``import_concordance_url_template`` (``imp-code.txt``,
  278, or an imports ``CONCORD.TXT`` (235) landed as ``IMP_CONCORD.TXT``), ``IMP_HIST.TXT`` from
  ``import_history_url_template`` if set, else ``api/imports_hs_<first code>_<digest>.json``:
  ``imports/hs`` HS10 x country, general imports, December year to date, restricted to the
  year's ATP import codes (:func:`imports_hs_file`), and ``api/imports_hitech.json``
  (``imports/hitech``, every month); an empty ``import_concordance_url_template`` lands no
  import file (the import tables are optional for now);
- ``country_trade/country.xlsx`` (shared by all years): the Census workbook from
  ``country_trade_url`` as published (a ``.csv`` URL lands as CSV).
Every file is checked against its layout before it replaces a landed copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import requests

from orchestration.census.fixed_width import parse_fixed_width
from orchestration.census.layouts import (
    CONCORDANCE_LAYOUTS,
    COUNTRY,
    EXPORT_HISTORY,
    IMPORT_CONCORDANCE_LAYOUTS,
    IMPORT_HISTORY,
    Layout,
    format_record,
)
from orchestration.census.parse import read_country_trade
from orchestration.census.tables import (
    API_HITECH_IMPORTS_TABLE,
    API_HITECH_TABLE,
    ATP_CONCORDANCE_TABLE,
    CONCORD_FILE,
    COUNTRIES_TABLE,
    COUNTRY_LIST_FILE,
    COUNTRY_TRADE_FOLDER,
    COUNTRY_TRADE_TABLE,
    COUNTRY_TRADE_WORKBOOK,
    EXPORT_HISTORY_FILE,
    EXPORT_HISTORY_TABLE,
    HITECH_API_FILE,
    HS10_CODE_CHANGES_TABLE,
    HS_API_FILE,
    IMPORT_CODE_CHANGES_TABLE,
    IMPORT_CODES_FILE,
    IMPORT_CONCORD_FILE,
    IMPORT_CONCORDANCE_TABLE,
    IMPORT_HISTORY_FILE,
    IMPORT_HISTORY_TABLE,
    IMPORTS_HITECH_API_FILE,
    IMPORTS_HS_API_FILE,
    SCHEDULE_B_EDITION_FILE,
    SCHEDULE_B_FILE,
    find_files,
    input_file,
)
from orchestration.sources.census_api import (
    HITECH_FIELDS,
    HS_FIELDS,
    IMPORTS_HITECH_FIELDS,
    IMPORTS_HS_FIELDS,
    fetch_table,
    hitech_params,
    hs_params,
    imports_hs_params,
)
from orchestration.sources.http import SourceError
from orchestration.sources.landing import forget, land_bytes, land_url, read_manifest

#: The Census International Trade API and the files' known addresses (as of 2026; Census moves
#: files: override them in the source resource's config).
DEFAULT_API_BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
DEFAULT_CONCORDANCE_URL_TEMPLATE = "https://www.census.gov/foreign-trade/schedules/b/{year}/exp-code.txt"
DEFAULT_IMPORT_CONCORDANCE_URL_TEMPLATE = "https://www.census.gov/foreign-trade/schedules/b/{year}/imp-code.txt"
DEFAULT_COUNTRY_TRADE_URL = "https://www.census.gov/foreign-trade/statistics/country/country.xlsx"
#: The files a year's first concordance may land as, by the URL's file name (others land as the first).
CONCORDANCE_FILES = (SCHEDULE_B_FILE, CONCORD_FILE)
#: Likewise for the import concordance (a ``CONCORD.TXT`` URL lands as ``IMP_CONCORD.TXT``).
IMPORT_CONCORDANCE_FILES = (IMPORT_CODES_FILE, IMPORT_CONCORD_FILE)


def hs_file(year: int, df_code: str, codes: Sequence[str]) -> str:
    """Relative path of the landed ``exports/hs`` table of one request (one DF, some HS10 codes;
    :data:`~orchestration.census.tables.HS_API_FILE`): keyed by the request, not by its position
    in the year's code list, so a changed list never reuses a table landed for other codes:
    ``2010/api/exports_hs_df1_8471300000_<10 hex>.json`` (the first code, then a digest of every
    code of the request)."""
    digest = hashlib.sha256(f"DF={df_code};E_COMMODITY={','.join(codes)}".encode()).hexdigest()[:10]
    return input_file(HS_API_FILE, year, df=df_code, key=f"{codes[0]}_{digest}")


def imports_hs_file(year: int, codes: Sequence[str]) -> str:
    """Relative path of the landed ``imports/hs`` table of one request (some HS10 codes;
    :data:`~orchestration.census.tables.IMPORTS_HS_API_FILE`), keyed by the request like
    :func:`hs_file`: ``2019/api/imports_hs_8471300000_<10 hex>.json``."""
    digest = hashlib.sha256(f"I_COMMODITY={','.join(codes)}".encode()).hexdigest()[:10]
    return input_file(IMPORTS_HS_API_FILE, year, key=f"{codes[0]}_{digest}")


@dataclass(frozen=True)
class CensusSettings:
    """Where and how to download (see :class:`orchestration.resources.SourceResource`)."""

    api_base_url: str
    concordance_url_template: str
    extra_concordance_url_templates: tuple[str, ...]
    country_list_url_template: str
    export_history_url_template: str
    country_trade_url: str
    import_concordance_url_template: str
    import_history_url_template: str
    hs_codes_per_request: int
    timeout_seconds: float
    force: bool
    api_key: str | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], api_key: str | None) -> CensusSettings:
        """The settings of a source configuration (the source resource's fields by name:
        ``extra_concordance_url_templates`` comma-separated, ``force_download``) and the API key
        (never part of a configuration). Raises ``KeyError`` for a missing field."""
        extra = tuple(t.strip() for t in str(config["extra_concordance_url_templates"]).split(",") if t.strip())
        return cls(
            api_base_url=config["api_base_url"],
            concordance_url_template=config["concordance_url_template"],
            extra_concordance_url_templates=extra,
            country_list_url_template=config["country_list_url_template"],
            export_history_url_template=config["export_history_url_template"],
            country_trade_url=config["country_trade_url"],
            import_concordance_url_template=config["import_concordance_url_template"],
            import_history_url_template=config["import_history_url_template"],
            hs_codes_per_request=config["hs_codes_per_request"],
            timeout_seconds=config["timeout_seconds"],
            force=config["force_download"],
            api_key=api_key,
        )


class CensusDownloader:
    """Lands one year's Census files under ``root`` (``<landing_dir>/census``). Every method is
    idempotent: an already landed, unchanged file is not downloaded again unless ``force``."""

    def __init__(self, root: Path, settings: CensusSettings, session: requests.Session) -> None:
        self.root = root
        self.settings = settings
        self.session = session

    def _fetch(
        self, endpoint: str, params: dict, relative: str, expected, year: int, allow_empty: bool = False
    ) -> Path:
        path, _ = fetch_table(
            self.session,
            f"{self.settings.api_base_url.rstrip('/')}/{endpoint}",
            params,
            self.root,
            relative,
            expected,
            year=year,
            force=self.settings.force,
            timeout=self.settings.timeout_seconds,
            secret=self.settings.api_key,
            allow_empty=allow_empty,
        )
        return path

    def _land(
        self,
        template: str,
        relative: str,
        year: int | None,
        layout: Layout | tuple[Layout, ...] | None = None,
        validate: Callable[[Path], None] | None = None,
    ) -> Path:
        """Download a file; it is checked (against ``layout`` for a fixed-width file, or by
        ``validate``) before it replaces the landed copy (a truncated or malformed download raises
        ``CensusLayoutError`` and the landed copy stays)."""
        url = template.format(year=year)

        def check_layout(path: Path) -> None:
            with duckdb.connect() as con:
                parse_fixed_width(con, path, relative, layout, "_landing_check")

        land_url(
            self.session,
            url,
            self.root,
            relative,
            source="census",
            year=year,
            force=self.settings.force,
            timeout=self.settings.timeout_seconds,
            secret=self.settings.api_key,
            validate=check_layout if layout is not None else validate,
        )
        return self.root / relative

    def hitech(self, year: int) -> Path:
        """Land ``exports/hitech`` for every month of ``year``."""
        relative = input_file(HITECH_API_FILE, year)
        return self._fetch("exports/hitech", hitech_params(year), relative, HITECH_FIELDS, year)

    def country_list(self, year: int) -> Path:
        """Land ``COUNTRY.TXT`` (by URL, or derived from the ``exports/hitech`` response)."""
        relative = input_file(COUNTRY_LIST_FILE, year)
        if self.settings.country_list_url_template:
            return self._land(self.settings.country_list_url_template, relative, year, COUNTRY)
        hitech = self.hitech(year)
        if (self.root / relative).is_file() and relative in read_manifest(self.root) and not self.settings.force:
            return self.root / relative
        payload = json.loads(hitech.read_text(encoding="utf-8"))
        header = payload[0]
        code_at, name_at = header.index("CTY_CODE"), header.index("CTY_NAME")
        names: dict[str, str] = {}
        for row in payload[1:]:
            code = (row[code_at] or "").strip()
            if len(code) == 4 and code.isdigit():
                names.setdefault(code, (row[name_at] or "").strip())
        lines = [
            format_record(COUNTRY, {"cty_code": code, "cty_name": name[:30].title()})
            for code, name in sorted(names.items())
        ]
        source_url = read_manifest(self.root)[input_file(HITECH_API_FILE, year)].url
        land_bytes(
            self.root,
            relative,
            "".join(line + "\r\n" for line in lines).encode("latin-1", "replace"),
            url=f"derived from {source_url}",
            status=200,
        )
        return self.root / relative

    def concordance(self, year: int) -> list[Path]:
        """Land the year's export concordance (Schedule B ``exp-code.txt`` or ``CONCORD.TXT``
        layout) and its later editions, if configured; returns their paths."""
        if not self.settings.concordance_url_template:
            raise SourceError(
                "census",
                year,
                "(no URL)",
                "set concordance_url_template: the Schedule B concordance (exp-code.txt) gives each year's ATP list",
            )
        template = self.settings.concordance_url_template
        name = Path(urlsplit(template.format(year=year)).path).name.lower()
        landed = next((f for f in CONCORDANCE_FILES if Path(f).name.lower() == name), CONCORDANCE_FILES[0])
        paths = [self._land(template, input_file(landed, year), year, CONCORDANCE_LAYOUTS)]
        for other in CONCORDANCE_FILES:  # one first list per year: drop one landed under the other name
            stale = input_file(other, year)
            if other != landed and (self.root / stale).is_file():
                (self.root / stale).unlink()
                forget(self.root, stale)
        for number, extra in enumerate(self.settings.extra_concordance_url_templates, start=2):
            relative = input_file(SCHEDULE_B_EDITION_FILE, year, edition=number)
            paths.append(self._land(extra, relative, year, CONCORDANCE_LAYOUTS))
        return paths

    def atp_codes(self, year: int) -> list[str]:
        """The year's ATP HS10 codes (``hitech`` 01-10) in any of its landed lists."""
        self.concordance(year)
        form, relatives = find_files(self.root, ATP_CONCORDANCE_TABLE, year)
        with duckdb.connect() as con:
            form.read(con, self.root, relatives, year, "_codes")
            return [
                r[0]
                for r in con.execute(
                    "select distinct hs10_code from _codes where hitech_code <> '00' order by hs10_code"
                ).fetchall()
            ]

    def export_history(self, year: int) -> list[Path]:
        """Land the year's export history: a file by URL if configured, else ``exports/hs`` chunks
        (HS10 detail, December year to date, DF 1 and 2) over the year's ATP codes."""
        if self.settings.export_history_url_template:
            relative = input_file(EXPORT_HISTORY_FILE, year)
            return [self._land(self.settings.export_history_url_template, relative, year, EXPORT_HISTORY)]
        self.hitech(year)  # fails clearly (204) when the year is not published
        codes = self.atp_codes(year)
        size = max(1, self.settings.hs_codes_per_request)
        paths = []
        for df_code in ("1", "2"):
            for start in range(0, len(codes), size):
                chunk = codes[start : start + size]
                paths.append(
                    self._fetch(
                        "exports/hs",
                        hs_params(year, chunk, df_code),
                        hs_file(year, df_code, chunk),
                        HS_FIELDS,
                        year,
                        allow_empty=True,
                    )
                )
        # tables landed for another code list (an earlier edition of the year's list) would be read
        # with these: remove them
        for stale in sorted(self.root.glob(input_file(HS_API_FILE, year, df="*", key="*"))):
            if stale not in paths:
                stale.unlink()
                forget(self.root, stale.relative_to(self.root).as_posix())
        return paths

    def imports_hitech(self, year: int) -> Path | None:
        """Land ``imports/hitech`` for every month of ``year`` (HTTP 204 is an error, as for
        exports); nothing when imports are off (no ``import_concordance_url_template``)."""
        if not self.settings.import_concordance_url_template:
            return None
        relative = input_file(IMPORTS_HITECH_API_FILE, year)
        return self._fetch(
            "imports/hitech", hitech_params(year, IMPORTS_HITECH_FIELDS), relative, IMPORTS_HITECH_FIELDS, year
        )

    def import_concordance(self, year: int) -> list[Path]:
        """Land the year's HTS import concordance (``imp-code.txt``, 278, or an imports
        ``CONCORD.TXT``, 235, landed as ``IMP_CONCORD.TXT``) from
        ``import_concordance_url_template``; nothing when that setting is empty."""
        template = self.settings.import_concordance_url_template
        if not template:
            return []
        name = Path(urlsplit(template.format(year=year)).path).name.lower()
        landed = IMPORT_CONCORD_FILE if name == "concord.txt" else IMPORT_CODES_FILE
        paths = [self._land(template, input_file(landed, year), year, IMPORT_CONCORDANCE_LAYOUTS)]
        for other in IMPORT_CONCORDANCE_FILES:  # one first list per year
            stale = input_file(other, year)
            if other != landed and (self.root / stale).is_file():
                (self.root / stale).unlink()
                forget(self.root, stale)
        return paths

    def atp_import_codes(self, year: int) -> list[str]:
        """The year's ATP HS10 import codes (``hitech`` 01-10) of its landed import concordance."""
        self.import_concordance(year)
        form, relatives = find_files(self.root, IMPORT_CONCORDANCE_TABLE, year)
        if form is None:
            return []
        with duckdb.connect() as con:
            form.read(con, self.root, relatives, year, "_codes")
            return [
                r[0]
                for r in con.execute(
                    "select distinct hs10_code from _codes where hitech_code <> '00' order by hs10_code"
                ).fetchall()
            ]

    def import_history(self, year: int) -> list[Path]:
        """Land the year's import history: a file by URL if configured, else ``imports/hs`` chunks
        (HS10 detail, general imports, December year to date) over the year's ATP import codes;
        nothing when imports are off (no ``import_concordance_url_template``)."""
        if not self.settings.import_concordance_url_template:
            return []
        if self.settings.import_history_url_template:
            relative = input_file(IMPORT_HISTORY_FILE, year)
            return [self._land(self.settings.import_history_url_template, relative, year, IMPORT_HISTORY)]
        self.imports_hitech(year)  # fails clearly (204) when the year is not published
        codes = self.atp_import_codes(year)
        size = max(1, self.settings.hs_codes_per_request)
        paths = [
            self._fetch(
                "imports/hs",
                imports_hs_params(year, codes[start : start + size]),
                imports_hs_file(year, codes[start : start + size]),
                IMPORTS_HS_FIELDS,
                year,
                allow_empty=True,
            )
            for start in range(0, len(codes), size)
        ]
        for stale in sorted(self.root.glob(input_file(IMPORTS_HS_API_FILE, year, key="*"))):
            if stale not in paths:  # landed for another code list
                stale.unlink()
                forget(self.root, stale.relative_to(self.root).as_posix())
        return paths

    def imports(self, year: int) -> list[Path]:
        """Land the year's import concordance and import history together: each needs the other
        (:attr:`~orchestration.census.tables.RawTable.companions`), and either raw table may load
        first. Nothing when imports are off."""
        return [*self.import_concordance(year), *self.import_history(year)]

    def country_trade(self) -> Path:
        """Land the "U.S. trade in goods by country" table as published (``country.xlsx``, or a
        CSV when the URL names one), checked by parsing it; a copy of another name landed before
        (e.g. by an older version) is removed so the folder holds one table."""
        url = self.settings.country_trade_url
        name = Path(urlsplit(url).path).name
        if not name.lower().endswith((".xlsx", ".csv")):
            name = Path(COUNTRY_TRADE_WORKBOOK).name
        relative = f"{COUNTRY_TRADE_FOLDER}/{name}"
        path = self._land(url, relative, None, validate=lambda p: read_country_trade(p, relative) and None)
        for other in (self.root / COUNTRY_TRADE_FOLDER).iterdir():
            if other.name != name and other.is_file():
                other.unlink()
                forget(self.root, f"{COUNTRY_TRADE_FOLDER}/{other.name}")
        return path

    def land(self, table: str, year: int | None) -> None:
        """Land what the raw table ``table`` reads for ``year`` (:data:`LANDS`). Raises
        ``SourceError`` or ``CensusLayoutError``; raises ``KeyError`` for a table this source does
        not fill."""
        LANDS[table](self, year)


def _nothing_to_land(downloader: CensusDownloader, year: int | None) -> None:
    """The code-change concordances are not published by Census: put ``hs10_changes.csv`` (and
    ``hts10_changes.csv`` for imports) in the landing folder yourself."""


#: What the census source lands for each raw table (by its name) and year: every table of
#: :data:`orchestration.census.tables.RAW_TABLES` has an entry (tests/test_census_source.py).
LANDS: dict[str, Callable[[CensusDownloader, int | None], object]] = {
    EXPORT_HISTORY_TABLE.name: CensusDownloader.export_history,
    ATP_CONCORDANCE_TABLE.name: CensusDownloader.concordance,
    COUNTRIES_TABLE.name: CensusDownloader.country_list,
    COUNTRY_TRADE_TABLE.name: lambda downloader, year: downloader.country_trade(),
    API_HITECH_TABLE.name: CensusDownloader.hitech,
    HS10_CODE_CHANGES_TABLE.name: _nothing_to_land,
    IMPORT_HISTORY_TABLE.name: CensusDownloader.imports,
    IMPORT_CONCORDANCE_TABLE.name: CensusDownloader.imports,
    API_HITECH_IMPORTS_TABLE.name: CensusDownloader.imports_hitech,
    IMPORT_CODE_CHANGES_TABLE.name: _nothing_to_land,
}
