"""The Dagster resources of the code location, one job each: where the warehouse is and how a run
writes it (:class:`WarehouseResource`), where the raw assets read a year's Census files from
(:class:`SourceResource`), and what the figures draw (:class:`FigureSettings`). The paths and
environment variables they fall back to are :mod:`orchestration.paths`; the write, audit, publish
protocol they drive is :mod:`orchestration.candidate` and :mod:`orchestration.publish`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator

from orchestration.candidate import candidate_dir, end_run, kept_candidate, make_candidate, take_run_lock, writer_lock
from orchestration.census.year_store import set_store_folder, store_folder_for
from orchestration.failures import run_problems
from orchestration.figures.options import AS_PUBLISHED, DEFAULT_FLOW, DEFAULT_PARTNER, TRADE_FLOWS
from orchestration.partitions import parse_year_range
from orchestration.paths import (
    DEFAULT_DUCKDB_PATH,
    DEFAULT_EXPORTS_DIR,
    DEFAULT_LANDING_DIR,
    DEFAULT_MEMORY_LIMIT,
    DUCKDB_PATH_ENV,
    EXPORTS_DIR_ENV,
    LANDING_DIR_ENV,
    LOAD_MEMORY_SHARE,
    LOCAL_DIR_ENV,
    MEMORY_LIMIT_ENV,
    REPO_ROOT,
    SAMPLE_DIR,
    SOURCE_ENV,
    resolve_path,
)
from orchestration.publish import CANDIDATE_EXPORTS, PublishError, check_publish_targets, mark_ended, mark_running
from orchestration.settings import (
    SettingError,
    check_choice,
    check_path,
    check_size,
    check_url,
    check_url_list,
    size_bytes,
)
from orchestration.sources.census import (
    DEFAULT_API_BASE_URL,
    DEFAULT_CONCORDANCE_URL_TEMPLATE,
    DEFAULT_COUNTRY_TRADE_URL,
    DEFAULT_IMPORT_CONCORDANCE_URL_TEMPLATE,
)
from orchestration.sources.http import API_KEY_ENV
from orchestration.tags import PARENT_RUN_TAG, PUBLISH_TAG

#: The sources a run can read its inputs from (``SourceResource.source``).
SOURCES = ("sample", "local", "census")


def _path_setting(cls: type, value: str, info: ValidationInfo) -> str:
    """The validator of every path setting of the resources: :func:`orchestration.settings.check_path`
    under the field's name."""
    return check_path(info.field_name, value)


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file and the exports folder (inputs: :class:`SourceResource`).

    Each path is taken from run config, else from its environment variable
    (``ATP_DUCKDB_PATH``, ``ATP_EXPORTS_DIR``), else from the default under ``warehouse/``;
    relative paths are resolved against the repository root. The dbt assets pass the resolved
    DuckDB path to dbt (``--vars duckdb_path``), so both always use the same file.

    **Write, audit, publish** (:mod:`orchestration.candidate`, :mod:`orchestration.publish`). In a
    Dagster run, nothing writes the published file or the published figures. The run's first
    write takes the writer lock (held until the run ends), checks that the publish can be done
    (both folders writable), and copies the published file to a candidate,
    ``<warehouse folder>/.candidates/<run id>/``; a re-execution of a failed run copies that
    run's kept candidate instead, so it continues the same build (refused when another build was
    published since). Every raw load, ``dbt build``,
    asset check and figure of the run works on the candidate. When the run ends
    (:meth:`teardown_after_execution`) without a failed step or a failed blocking check, the
    candidate is published (one rename for the DuckDB file, then one per figure file) and the
    run gets the tag ``atp/publish``; otherwise the published warehouse and figures stay byte for
    byte as they were and the candidate is kept with ``FAILED.md``. Outside a run (the ``atp sql``
    command, tests, the benchmark) the published file is used directly.
    """

    duckdb_path: str = Field(
        default="", description=f"DuckDB file; default ${DUCKDB_PATH_ENV} or {DEFAULT_DUCKDB_PATH}"
    )
    exports_dir: str = Field(
        default="",
        description=f"Folder for figure tables and charts; default ${EXPORTS_DIR_ENV} or {DEFAULT_EXPORTS_DIR}",
    )
    lock_timeout_seconds: float = Field(
        default=3600.0, description="How long a writer waits for another run's write to the DuckDB file"
    )
    memory_limit: str = Field(
        default="",
        description=f"DuckDB memory limit of the warehouse connections and of dbt's; beyond it DuckDB spills to "
        f"disk, so a year of millions of records loads, and every year builds, in bounded memory; default "
        f"${MEMORY_LIMIT_ENV} or {DEFAULT_MEMORY_LIMIT}",
    )

    _paths = field_validator("duckdb_path", "exports_dir")(_path_setting)

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        return check_size("memory_limit", value) if value.strip() else ""

    _run_id: str | None = PrivateAttr(default=None)
    _parent_run_id: str | None = PrivateAttr(default=None)
    _lock: FileLock | None = PrivateAttr(default=None)
    _instance: object | None = PrivateAttr(default=None)
    _candidate_database: bool = PrivateAttr(default=False)
    _candidate_error: str | None = PrivateAttr(default=None)

    def effective_memory_limit(self) -> str:
        """The DuckDB memory limit of this warehouse's connections and of its dbt builds:
        ``memory_limit``, else ``$ATP_MEMORY_LIMIT``, else :data:`DEFAULT_MEMORY_LIMIT`. Raises
        :class:`~orchestration.settings.SettingError` for an environment value that is not a size."""
        if self.memory_limit:
            return self.memory_limit
        return check_size(MEMORY_LIMIT_ENV, os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT)

    def load_memory_limit(self) -> str:
        """DuckDB's memory limit for a year load's connection: :data:`LOAD_MEMORY_SHARE` of
        :meth:`effective_memory_limit`, in bytes (``"500000000B"`` for 1GB). A load streams one
        file through DuckDB, which spills beyond its limit, and DuckDB's untracked buffers (the
        text reader's, the Parquet writer's) come on top: measured on a 6,000,000-record import
        year, peak RSS 1,440 MiB at 1GB, 866 MiB at 512MB, in the same 16 s (docs/benchmarks.md).
        Raises :class:`~orchestration.settings.SettingError` as :meth:`effective_memory_limit`."""
        limit = size_bytes("memory_limit", self.effective_memory_limit())
        return f"{int(limit * LOAD_MEMORY_SHARE)}B"

    def published_database_path(self) -> Path:
        """Absolute path of the published DuckDB file (what readers open)."""
        return resolve_path(self.duckdb_path, DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH)

    def published_exports_path(self) -> Path:
        """Absolute path of the published exports folder."""
        return resolve_path(self.exports_dir, EXPORTS_DIR_ENV, DEFAULT_EXPORTS_DIR)

    def candidate_dir(self, run_id: str | None = None) -> Path | None:
        """The candidate folder of a run (default: this run's); None outside a run."""
        run_id = run_id or self._run_id
        return candidate_dir(self.published_database_path(), run_id) if run_id is not None else None

    def continued_candidate(self) -> Path | None:
        """The kept candidate this run continues: its parent's (a re-execution of a failed run),
        when the parent left one; else None."""
        return kept_candidate(self.published_database_path(), self._parent_run_id)

    def database_path(self) -> Path:
        """The DuckDB file to write: in a run, the run's candidate (made on first use, under the
        writer lock: :func:`orchestration.candidate.make_candidate`); outside a run, the
        published file. Raises :class:`~orchestration.publish.PublishError` when the candidate
        cannot be made (and at once for every later step of the run)."""
        candidate = self.candidate_dir()
        if candidate is None:
            return self.published_database_path()
        self._hold_lock()
        if self._candidate_error is not None:  # failed once already: every later step fails at once
            raise PublishError(self._candidate_error)
        if not self._candidate_database:
            try:
                make_candidate(
                    candidate,
                    self.published_database_path(),
                    self.published_exports_path(),
                    str(self._run_id),
                    self._parent_run_id,
                    self.lock_timeout_seconds,
                )
            except PublishError as error:
                self._candidate_error = str(error)
                raise
            self._candidate_database = True
        return candidate / self.published_database_path().name

    def exports_path(self) -> Path:
        """The folder to write figures to: in a run, the candidate's; outside, the published one."""
        candidate = self.candidate_dir()
        if candidate is None:
            return self.published_exports_path()
        self._hold_lock()
        if self.continued_candidate() is not None and not self._candidate_database:
            self.database_path()  # a re-execution's figures join the continued candidate's
        return candidate / CANDIDATE_EXPORTS

    def _hold_lock(self) -> None:
        """Take the writer lock for the rest of the run (released at teardown), finishing a
        publish another run left cut short (:func:`orchestration.candidate.take_run_lock`), and
        mark failed, in the Dagster instance, the runs of this warehouse whose process died
        without ending them (kill -9): they would stay STARTED in the UI forever."""
        if self._lock is not None:
            return
        # before the first write or read of the run: a publish that cannot be done whole fails here
        check_publish_targets(self.published_database_path(), self.published_exports_path())
        self._lock, dead = take_run_lock(
            self.published_database_path(), self.published_exports_path(), self.lock_timeout_seconds
        )
        for run_id in dead:
            run = self._instance.get_run_by_id(run_id) if self._instance is not None else None
            if run is not None and not run.is_finished:
                reason = f"its process died without ending it (killed?); marked failed by run {self._run_id}"
                self._instance.report_run_failed(run, reason)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the warehouse's writer lock (``<duckdb file>.lock``, an OS file lock).

        DuckDB allows one writing process per file, and a run's candidate must not be built
        from a file another run is about to replace: in a run the lock is taken at the first
        write and held until the run ends; outside a run it is held for the block. Overlapping
        runs wait their turn. Raises ``filelock.Timeout`` after ``lock_timeout_seconds``.
        """
        if self.candidate_dir() is not None:
            self._hold_lock()
            yield
            return
        with writer_lock(self.published_database_path(), self.lock_timeout_seconds):
            yield

    @contextmanager
    def connect(self, memory_limit: str = "") -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write DuckDB connection to :meth:`database_path` (created if missing), under
        :meth:`writer_lock`, with DuckDB's memory limit set to ``memory_limit`` (a size derived from
        the one setting, e.g. :meth:`load_memory_limit`), else :meth:`effective_memory_limit` (it
        spills to a temporary folder beside the file beyond it), given as a connection setting
        (never SQL text: the value was checked by :func:`orchestration.settings.check_size`), and
        the year store of the published file named (:func:`~orchestration.census.year_store.set_store_folder`:
        a run's candidate writes its years beside the published file, not in the candidate)."""
        settings = {"memory_limit": memory_limit or self.effective_memory_limit()}
        with self.writer_lock():
            with DuckDBResource(database=str(self.database_path()), connection_config=settings).get_connection() as con:
                # closed also when the step fails: dagster-duckdb closes it only after a clean exit,
                # and a connection left open (held by the failure's traceback) makes the run's next
                # read-only connection to the file fail ("different configuration")
                try:
                    con.execute("set enable_progress_bar = false")  # progress is reported by the assets
                    set_store_folder(con, store_folder_for(self.published_database_path()))
                    yield con
                finally:
                    con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to what the run sees: its candidate once it has one (or the
        candidate it continues), else the published file (never copied just to be read). In a
        run it takes the writer lock first, so a publish another run left cut short is finished
        before anything is read."""
        path = self.published_database_path()
        candidate = self.candidate_dir()
        if candidate is not None:
            self._hold_lock()  # a publish cut short is finished before anything is read
            if self._candidate_database or self.continued_candidate() is not None:
                path = self.database_path()
        with duckdb.connect(str(path), read_only=True) as con:
            yield con

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Start of a Dagster run: remember its id and the run it re-executes, if any; the
        candidate is made on the first write."""
        run = context.run
        self._run_id = run.run_id if run is not None else None
        self._parent_run_id = run.tags.get(PARENT_RUN_TAG) if run is not None else None
        self._instance = context.instance
        self._lock = None
        self._candidate_database = False
        self._candidate_error = None
        if self._run_id is not None:
            mark_running(self.published_database_path(), self._run_id)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """End of a Dagster run: publish the candidate when every step and blocking check
        passed, else keep it with ``FAILED.md`` (:func:`orchestration.candidate.end_run`); tag
        the run with what happened (``atp/publish``) and say it in the run's log; then release
        the writer lock."""
        candidate = self.candidate_dir()
        try:
            if candidate is None:
                return
            database = candidate / self.published_database_path().name
            problems = []
            if context.instance is not None and context.run is not None:
                problems = run_problems(context.instance, context.run.run_id, database if candidate.exists() else None)
            end_run(
                candidate,
                self.published_database_path(),
                self.published_exports_path(),
                str(self._run_id),
                problems,
                tag=lambda text: _tag(context, text),
                log=lambda message, error: _log(context, message, error),
            )
        finally:
            if self._run_id is not None:
                mark_ended(self.published_database_path(), self._run_id)
            if self._lock is not None:
                self._lock.release()
                self._lock = None


def _tag(context: InitResourceContext, text: str) -> None:
    """Tag the run with what its end published (shown on the run's page and in the runs list)."""
    if context.instance is not None and context.run is not None:
        context.instance.add_run_tags(context.run.run_id, {PUBLISH_TAG: text[:250]})


def _log(context: InitResourceContext, message: str, error: bool) -> None:
    """Say what the end of the run did in the run's log (in the UI), as an error when it failed."""
    if context.log is not None:
        (context.log.error if error else context.log.info)(message)


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
    import_concordance_url_template: str = Field(
        default=DEFAULT_IMPORT_CONCORDANCE_URL_TEMPLATE,
        description="HTS import concordance, imp-code.txt (278) or imports CONCORD.TXT (235); {year}. "
        "Empty: no import file is downloaded",
    )
    import_history_url_template: str = Field(
        default="", description="IM145/IA245 import history file; {year}. Empty: the imports/hs API"
    )
    hs_codes_per_request: int = Field(default=50, gt=0, description="HS10 codes per exports/hs request")
    timeout_seconds: float = Field(default=60.0, gt=0, description="Timeout of one HTTP request")
    max_retries: int = Field(default=4, ge=0, description="Retries on 429, 5xx and connection errors")
    backoff_factor: float = Field(default=1.0, ge=0, description="Backoff between retries: factor * 2 ** (n - 1) s")

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return check_choice("source", value, SOURCES)

    _paths = field_validator("local_dir", "landing_dir")(_path_setting)

    @field_validator("api_base_url", "country_trade_url")
    @classmethod
    def _urls(cls, value: str, info) -> str:
        return check_url(info.field_name, value)

    @field_validator("concordance_url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_url("concordance_url_template", value, needs_year=True)

    @field_validator(
        "country_list_url_template",
        "export_history_url_template",
        "import_concordance_url_template",
        "import_history_url_template",
    )
    @classmethod
    def _optional_templates(cls, value: str, info) -> str:
        return check_url(info.field_name, value, needs_year=True, allow_empty=True)

    @field_validator("extra_concordance_url_templates")
    @classmethod
    def _extra_templates(cls, value: str) -> str:
        return check_url_list("extra_concordance_url_templates", value)

    def kind_name(self) -> str:
        """The name of the selected source (``sample``, ``local`` or ``census``: ``source``, else
        ``$ATP_SOURCE``, else ``sample``); raises ``ValueError`` for an unknown one."""
        kind = self.source or os.environ.get(SOURCE_ENV) or "sample"
        if kind not in SOURCES:
            raise ValueError(f"unknown source {kind!r}: choose one of {', '.join(SOURCES)}")
        return kind

    def input_root(self) -> Path:
        """The folder the loaders read: the sample, the local folder, or the census landing area.

        Raises ``ValueError`` for source=local without a folder.
        """
        kind = self.kind_name()
        if kind == "sample":
            return REPO_ROOT / SAMPLE_DIR
        if kind == "local":
            configured = self.local_dir or os.environ.get(LOCAL_DIR_ENV)
            if not configured:
                raise ValueError(f"source=local needs local_dir (or ${LOCAL_DIR_ENV})")
            return resolve_path(configured, LOCAL_DIR_ENV, "")
        return resolve_path(self.landing_dir, LANDING_DIR_ENV, DEFAULT_LANDING_DIR) / "census"

    def census_downloader(self):
        """A :class:`orchestration.sources.census.CensusDownloader` for this configuration (the
        API key from ``$CENSUS_API_KEY``)."""
        from orchestration.sources.census import CensusDownloader, CensusSettings
        from orchestration.sources.http import build_session

        settings = CensusSettings.from_config(self.model_dump(), api_key=os.environ.get(API_KEY_ENV) or None)
        return CensusDownloader(self.input_root(), settings, build_session(self.max_retries, self.backoff_factor))


class FigureSettings(ConfigurableResource):
    """What the seven figures draw, set once for all of them (the Launchpad's ``resources.figures``;
    ``atp figures`` and ``atp refresh`` options): the partner, the trade flow of figures 1-6
    (exports or imports; figure 7, the balance, draws both), the window of years, the year of
    figures 3 and 6 and the ATP definition. Validated once per run against the warehouse the run
    reads (:meth:`options`)."""

    partner: str = Field(
        default=DEFAULT_PARTNER,
        description="Partner: a Schedule C code (5700 China, 5880 Japan), a partner group code (CN_HK) or an exact "
        "name, case-insensitive ('japan', 'China + Hong Kong'); see dim_partners",
    )
    years: str = Field(
        default="",
        description="Years of figures 1, 2, 4 and 5, one range such as 2000-2008; empty: every complete year held",
    )
    year: int | None = Field(default=None, description="Year of figures 3 and 6; default: the last year of the range")
    flow: str = Field(
        default=DEFAULT_FLOW,
        description="Trade flow of figures 1-6: exports (f.a.s., to the country of destination) or imports "
        "(general imports at customs value, from the country of origin); figure 7, the balance, draws both",
    )
    definition: str = Field(
        default=AS_PUBLISHED,
        description="ATP definition: as_published (each year's own list) or fixed_<base year>, e.g. fixed_2008 "
        "(figure 5 draws the chain-linked series beside them)",
    )

    @field_validator("years")
    @classmethod
    def _years(cls, value: str) -> str:
        if value.strip():
            try:
                parse_year_range(value)
            except ValueError as error:
                raise SettingError("years", str(error)) from None
        return value.strip()

    @field_validator("flow")
    @classmethod
    def _flow(cls, value: str) -> str:
        return check_choice("flow", value.strip(), TRADE_FLOWS, allow_empty=False)

    @field_validator("definition")
    @classmethod
    def _definition(cls, value: str) -> str:
        if not re.fullmatch(r"as_published|fixed_[0-9]{4}", value):
            raise SettingError("definition", f"{value!r} is not as_published or fixed_<base year>, e.g. fixed_2008")
        return value

    @field_validator("partner")
    @classmethod
    def _partner(cls, value: str) -> str:
        if not value.strip() or re.search(r'[;"\\\x00-\x1f\x7f]', value):
            raise SettingError(
                "partner",
                f"{value!r}: give a partner code or name (no semicolon, double quote or backslash), "
                "e.g. 5700, CN_HK or japan",
            )
        return value.strip()

    _resolved: object | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Start of a run: the options are resolved again against what this run reads."""
        self._resolved = None

    def options(self, con: duckdb.DuckDBPyConnection):
        """The validated :class:`orchestration.figures.FigureOptions` (resolved once per run, then
        reused by every figure). Raises ``orchestration.figures.FigureOptionError`` (one line
        naming the setting and what is valid)."""
        from orchestration import figures

        if self._resolved is None:
            try:
                self._resolved = figures.resolve_figure_options(
                    con, self.partner, self.years or None, self.year, self.definition, self.flow
                )
            except figures.FigureOptionError as error:  # name the setting of the figures resource
                raise SettingError(error.option, str(error)) from None
        return self._resolved
