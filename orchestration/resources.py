"""Dagster resources: where the warehouse lives and where its inputs and exports are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The one setting that names the DuckDB file; Dagster and the dbt profile both read it.
DUCKDB_PATH_ENV = "ATP_DUCKDB_PATH"
EXPORTS_DIR_ENV = "ATP_EXPORTS_DIR"
DEFAULT_DUCKDB_PATH = "warehouse/atp.duckdb"
SAMPLE_DIR = "warehouse/sample"
DEFAULT_EXPORTS_DIR = "warehouse/exports"


def _resolve(configured: str, env_name: str, default: str) -> Path:
    """Run config value, else the environment variable, else the default; relative paths are
    taken from the repository root so every process (Dagster, dbt, tests) agrees."""
    path = Path(configured or os.environ.get(env_name) or default)
    return path if path.is_absolute() else REPO_ROOT / path


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file and the exports folder (inputs: :class:`SourceResource`).

    Each path is taken from run config, else from its environment variable
    (``ATP_DUCKDB_PATH``, ``ATP_EXPORTS_DIR``), else from the default under
    ``warehouse/``; relative paths are resolved against the repository root. The dbt assets pass
    the resolved DuckDB path to dbt (``--vars duckdb_path``), so both always use the same file.
    """

    duckdb_path: str = Field(
        default="", description=f"DuckDB file; default ${DUCKDB_PATH_ENV} or {DEFAULT_DUCKDB_PATH}"
    )
    exports_dir: str = Field(
        default="",
        description=f"Folder for figure tables and charts; default ${EXPORTS_DIR_ENV} or {DEFAULT_EXPORTS_DIR}",
    )

    def database_path(self) -> Path:
        """Absolute path of the DuckDB file."""
        return _resolve(self.duckdb_path, DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH)

    def exports_path(self) -> Path:
        """Absolute path of the exports folder."""
        return _resolve(self.exports_dir, EXPORTS_DIR_ENV, DEFAULT_EXPORTS_DIR)

    lock_timeout_seconds: float = Field(
        default=3600.0, description="How long a writer waits for another run's write to the DuckDB file"
    )
    memory_limit: str = Field(
        default="512MB",
        description="DuckDB memory limit of the warehouse connections; beyond it DuckDB spills to disk, so a "
        "year of millions of records loads in bounded memory",
    )

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the warehouse's writer lock (``<duckdb file>.lock``, an OS file lock).

        DuckDB allows one writing process per file: every write to the warehouse (the raw loads,
        the whole ``dbt build``, the figure exports) runs under this lock, so overlapping runs
        (two partitions launched from the UI, a schedule tick during a manual run) wait their
        turn instead of failing with a lock error. Raises ``filelock.Timeout`` after
        ``lock_timeout_seconds``.
        """
        path = self.database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=self.lock_timeout_seconds):
            yield

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write DuckDB connection to the warehouse file (created if missing), held under
        :meth:`writer_lock` for as long as it is open, with DuckDB's memory limit set to
        ``memory_limit`` (it spills to a temporary folder beside the file beyond it)."""
        with self.writer_lock():
            with DuckDBResource(database=str(self.database_path())).get_connection() as con:
                con.execute(f"set memory_limit = '{self.memory_limit}'")
                con.execute("set enable_progress_bar = false")  # progress is reported by the assets
                yield con


SOURCE_ENV = "ATP_SOURCE"
LOCAL_DIR_ENV = "ATP_LOCAL_DIR"
LANDING_DIR_ENV = "ATP_LANDING_DIR"
API_KEY_ENV = "CENSUS_API_KEY"
SOURCES = ("sample", "local", "census")
DEFAULT_LANDING_DIR = "warehouse/raw"
DEFAULT_API_BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
#: Known Census addresses (as of 2026; Census moves files: override them in config).
DEFAULT_CONCORDANCE_URL_TEMPLATE = "https://www.census.gov/foreign-trade/schedules/b/{year}/exp-code.txt"
DEFAULT_COUNTRY_TRADE_URL = "https://www.census.gov/foreign-trade/statistics/country/country.xlsx"


class SourceResource(ConfigurableResource):
    """Where the raw assets read a year's Census files from.

    ``source``: ``sample`` (the bundled folder ``warehouse/sample``, the default), ``local`` (a
    folder laid out like it: ``local_dir``), or ``census`` (downloads from the Census Bureau into
    ``landing_dir/census``; see :mod:`orchestration.sources.census`). Unset fields fall back to the
    environment (``ATP_SOURCE``, ``ATP_LOCAL_DIR``, ``ATP_LANDING_DIR``). The optional API key
    comes only from the environment (``CENSUS_API_KEY``): it is never part of run config, and it
    is redacted from every message and stored URL.
    """

    source: str = Field(default="", description=f"sample | local | census; default ${SOURCE_ENV} or sample")
    local_dir: str = Field(default="", description=f"Input folder for source=local; default ${LOCAL_DIR_ENV}")
    landing_dir: str = Field(
        default="", description=f"Download area; default ${LANDING_DIR_ENV} or {DEFAULT_LANDING_DIR}"
    )
    force_download: bool = Field(default=False, description="Download again even when a landed copy is unchanged")
    api_base_url: str = Field(default=DEFAULT_API_BASE_URL, description="Census International Trade API base URL")
    concordance_url_template: str = Field(
        default=DEFAULT_CONCORDANCE_URL_TEMPLATE,
        description="Export concordance, Schedule B exp-code.txt (278) or CONCORD.TXT (245) layout; {year}",
    )
    extra_concordance_url_templates: str = Field(
        default="",
        description="Later Schedule B editions of the same year (e.g. July), comma-separated URL templates; {year}",
    )
    country_list_url_template: str = Field(
        default="", description="COUNTRY.TXT layout file; {year}. Empty: derived from the exports/hitech response"
    )
    export_history_url_template: str = Field(
        default="", description="EM545/EA645 export history file; {year}. Empty: the exports/hs API"
    )
    country_trade_url: str = Field(default=DEFAULT_COUNTRY_TRADE_URL, description="Country trade table (CSV or XLSX)")
    hs_codes_per_request: int = Field(default=50, description="HS10 codes per exports/hs request")
    timeout_seconds: float = Field(default=60.0, description="Timeout of one HTTP request")
    max_retries: int = Field(default=4, description="Retries on 429, 5xx and connection errors")
    backoff_factor: float = Field(default=1.0, description="Backoff between retries: factor * 2 ** (n - 1) s")

    def kind(self) -> str:
        """The selected source; raises ``ValueError`` for an unknown one."""
        kind = self.source or os.environ.get(SOURCE_ENV) or "sample"
        if kind not in SOURCES:
            raise ValueError(f"unknown source {kind!r}: choose one of {', '.join(SOURCES)}")
        return kind

    def input_root(self) -> Path:
        """The folder the loaders read: the sample, the local folder, or the census landing area.

        Raises ``ValueError`` for source=local without a folder.
        """
        kind = self.kind()
        if kind == "sample":
            return REPO_ROOT / SAMPLE_DIR
        if kind == "local":
            configured = self.local_dir or os.environ.get(LOCAL_DIR_ENV)
            if not configured:
                raise ValueError(f"source=local needs local_dir (or ${LOCAL_DIR_ENV})")
            return _resolve(configured, LOCAL_DIR_ENV, "")
        return _resolve(self.landing_dir, LANDING_DIR_ENV, DEFAULT_LANDING_DIR) / "census"

    def census_downloader(self):
        """A :class:`orchestration.sources.census.CensusDownloader` for this configuration."""
        from orchestration.sources.census import CensusDownloader, CensusSettings
        from orchestration.sources.http import build_session

        settings = CensusSettings(
            api_base_url=self.api_base_url,
            concordance_url_template=self.concordance_url_template,
            extra_concordance_url_templates=tuple(
                t.strip() for t in self.extra_concordance_url_templates.split(",") if t.strip()
            ),
            country_list_url_template=self.country_list_url_template,
            export_history_url_template=self.export_history_url_template,
            country_trade_url=self.country_trade_url,
            hs_codes_per_request=self.hs_codes_per_request,
            timeout_seconds=self.timeout_seconds,
            force=self.force_download,
            api_key=os.environ.get(API_KEY_ENV) or None,
        )
        return CensusDownloader(self.input_root(), settings, build_session(self.max_retries, self.backoff_factor))
