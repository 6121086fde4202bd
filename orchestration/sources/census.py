"""The ``census`` source: download a year's files from the Census Bureau into the landing area,
laid out like an input folder, so the same loaders read them.

What is fetched for a year (``<landing>/census/<year>/``):
- ``api/exports_hitech.json``: ``exports/hitech``, every month, ATP group x country;
- ``COUNTRY.TXT``: from ``country_list_url_template`` if set, else derived from the country codes
  and names of ``exports_hitech.json`` (written in the COUNTRY.TXT layout);
- ``CONCORD.TXT``: from ``concordance_url_template`` (CONCORD layout, record length 245);
- ``EXP_HIST.TXT`` from ``export_history_url_template`` if set, else
  ``api/exports_hs_df<DF>_<NNN>.json``: ``exports/hs`` HS10 x country, December year to date,
  restricted to that year's ATP codes (``hitech`` 01-10 in CONCORD.TXT), DF 1 and 2;
- ``country_trade/country_trade.csv`` (shared by all years): from ``country_trade_url`` (CSV, or
  XLSX converted to the CSV columns).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import requests

from orchestration.census.layouts import CONCORD, COUNTRY, EXPORT_HISTORY, Layout, format_record
from orchestration.census.parse import COUNTRY_TRADE_VALUE_COLUMNS, parse_fixed_width
from orchestration.sources.census_api import HITECH_FIELDS, HS_FIELDS, fetch_table, hitech_params, hs_params
from orchestration.sources.http import SourceError, get, redact, status_error
from orchestration.sources.landing import land_bytes, land_url, read_manifest

HITECH_FILE = "api/exports_hitech.json"
COUNTRY_TRADE_RELATIVE = "country_trade/country_trade.csv"


def hs_file(df_code: str, chunk: int) -> str:
    """Relative name of one landed ``exports/hs`` chunk."""
    return f"api/exports_hs_df{df_code}_{chunk:03d}.json"


@dataclass(frozen=True)
class CensusSettings:
    """Where and how to download (see :class:`orchestration.resources.SourceResource`)."""

    api_base_url: str
    concordance_url_template: str
    country_list_url_template: str
    export_history_url_template: str
    country_trade_url: str
    hs_codes_per_request: int
    timeout_seconds: float
    force: bool
    api_key: str | None


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

    def _land(self, template: str, relative: str, year: int | None, layout: Layout | None = None) -> Path:
        """Download a file; fixed-width files are checked against ``layout`` before they replace
        the landed copy (a truncated or malformed download raises ``CensusLayoutError``)."""
        url = template.format(year=year)

        def validate(path: Path) -> None:
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
            validate=validate if layout is not None else None,
        )
        return self.root / relative

    def hitech(self, year: int) -> Path:
        """Land ``exports/hitech`` for every month of ``year``."""
        return self._fetch("exports/hitech", hitech_params(year), f"{year}/{HITECH_FILE}", HITECH_FIELDS, year)

    def country_list(self, year: int) -> Path:
        """Land ``COUNTRY.TXT`` (by URL, or derived from the ``exports/hitech`` response)."""
        relative = f"{year}/COUNTRY.TXT"
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
        source_url = read_manifest(self.root)[f"{year}/{HITECH_FILE}"].url
        land_bytes(
            self.root,
            relative,
            "".join(line + "\r\n" for line in lines).encode("ascii", "replace"),
            url=f"derived from {source_url}",
            status=200,
        )
        return self.root / relative

    def concordance(self, year: int) -> Path:
        """Land that year's exports concordance (``CONCORD.TXT`` layout)."""
        if not self.settings.concordance_url_template:
            raise SourceError(
                "census",
                year,
                "(no URL)",
                "set concordance_url_template: the exports concordance (CONCORD.TXT layout) gives each year's ATP list",
            )
        return self._land(self.settings.concordance_url_template, f"{year}/CONCORD.TXT", year, CONCORD)

    def atp_codes(self, year: int) -> list[str]:
        """The year's ATP HS10 codes (``hitech`` 01-10) from its landed concordance."""
        path = self.concordance(year)
        with duckdb.connect() as con:
            parse_fixed_width(con, path, f"{year}/CONCORD.TXT", CONCORD, "_codes")
            return [
                r[0]
                for r in con.execute(
                    "select hs10_code from _codes where hitech_code <> '00' order by hs10_code"
                ).fetchall()
            ]

    def export_history(self, year: int) -> list[Path]:
        """Land the year's export history: a file by URL if configured, else ``exports/hs`` chunks
        (HS10 detail, December year to date, DF 1 and 2) over the year's ATP codes."""
        if self.settings.export_history_url_template:
            relative = f"{year}/EXP_HIST.TXT"
            return [self._land(self.settings.export_history_url_template, relative, year, EXPORT_HISTORY)]
        self.hitech(year)  # fails clearly (204) when the year is not published
        codes = self.atp_codes(year)
        size = max(1, self.settings.hs_codes_per_request)
        paths = []
        for df_code in ("1", "2"):
            for chunk, start in enumerate(range(0, len(codes), size), start=1):
                paths.append(
                    self._fetch(
                        "exports/hs",
                        hs_params(year, codes[start : start + size], df_code),
                        f"{year}/{hs_file(df_code, chunk)}",
                        HS_FIELDS,
                        year,
                        allow_empty=True,
                    )
                )
        return paths

    def country_trade(self) -> Path:
        """Land the "U.S. trade in goods by country" table as CSV (XLSX is converted)."""
        url = self.settings.country_trade_url
        if not url.lower().endswith((".xlsx", ".xls")):
            return self._land(url, COUNTRY_TRADE_RELATIVE, None)
        known = read_manifest(self.root).get(COUNTRY_TRADE_RELATIVE)
        if known and (self.root / COUNTRY_TRADE_RELATIVE).is_file() and not self.settings.force:
            return self.root / COUNTRY_TRADE_RELATIVE
        response = get(self.session, url, source="census", year=None, timeout=self.settings.timeout_seconds)
        if response.status_code != 200:
            raise status_error(response, source="census", year=None, shown_url=redact(url))
        frame = pd.read_excel(io.BytesIO(response.content), dtype=str)
        frame.columns = [str(c).strip() for c in frame.columns]
        wanted = ["year", "CTY_CODE", "CTYNAME"] + [c.upper() for c in COUNTRY_TRADE_VALUE_COLUMNS]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise SourceError("census", None, redact(url), f"country table is missing columns {missing}")
        land_bytes(
            self.root,
            COUNTRY_TRADE_RELATIVE,
            frame[wanted].to_csv(index=False).encode(),
            url=redact(url),
            status=200,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
        return self.root / COUNTRY_TRADE_RELATIVE
