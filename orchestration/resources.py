"""Dagster resources: where the warehouse lives and where its inputs and exports are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, DagsterEventType, InitResourceContext
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field, PrivateAttr

from orchestration.publish import (
    CANDIDATE_EXPORTS,
    CANDIDATE_INFO,
    CandidateInfo,
    PublishError,
    candidates_dir,
    check_publish_targets,
    copy_database,
    copy_exports,
    finish_interrupted_publish,
    publish,
    published_build,
    record_build,
    wait_for_foreign_writer,
    write_failure_report,
)
from orchestration.reporting import failure_line

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
    (``ATP_DUCKDB_PATH``, ``ATP_EXPORTS_DIR``), else from the default under ``warehouse/``;
    relative paths are resolved against the repository root. The dbt assets pass the resolved
    DuckDB path to dbt (``--vars duckdb_path``), so both always use the same file.

    **Write, audit, publish** (:mod:`orchestration.publish`). In a Dagster run, nothing writes
    the published file or the published figures. The run's first write takes the writer lock
    (held until the run ends), checks that the publish can be done (both folders writable), and
    copies the published file to a candidate, ``<warehouse folder>/.candidates/<run id>/``; a
    re-execution of a failed run copies that run's kept candidate instead, so it continues the
    same build (refused when another build was published since). Every raw load, ``dbt build``,
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
        default="512MB",
        description="DuckDB memory limit of the warehouse connections; beyond it DuckDB spills to disk, so a "
        "year of millions of records loads in bounded memory",
    )

    _run_id: str | None = PrivateAttr(default=None)
    _parent_run_id: str | None = PrivateAttr(default=None)
    _lock: FileLock | None = PrivateAttr(default=None)
    _candidate_database: bool = PrivateAttr(default=False)
    _candidate_error: str | None = PrivateAttr(default=None)

    def published_database_path(self) -> Path:
        """Absolute path of the published DuckDB file (what readers open)."""
        return _resolve(self.duckdb_path, DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH)

    def published_exports_path(self) -> Path:
        """Absolute path of the published exports folder."""
        return _resolve(self.exports_dir, EXPORTS_DIR_ENV, DEFAULT_EXPORTS_DIR)

    def candidate_dir(self, run_id: str | None = None) -> Path | None:
        """The candidate folder of a run (default: this run's); None outside a run."""
        run_id = run_id or self._run_id
        if run_id is None:
            return None
        return candidates_dir(self.published_database_path()) / run_id

    def continued_candidate(self) -> Path | None:
        """The kept candidate this run continues: its parent's (a re-execution of a failed run),
        when the parent left one; else None."""
        if self._parent_run_id is None:
            return None
        folder = self.candidate_dir(self._parent_run_id)
        return folder if folder is not None and (folder / CANDIDATE_INFO).exists() else None

    def database_path(self) -> Path:
        """The DuckDB file to write: in a run, the run's candidate (made on first use, under the
        writer lock: :meth:`_make_candidate`); outside a run, the published file."""
        candidate = self.candidate_dir()
        if candidate is None:
            return self.published_database_path()
        self._hold_lock()
        if self._candidate_error is not None:  # failed once already: every later step fails at once
            raise PublishError(self._candidate_error)
        if not self._candidate_database:
            try:
                self._make_candidate(candidate)
            except PublishError as error:
                self._candidate_error = str(error)
                raise
            self._candidate_database = True
        return candidate / self.published_database_path().name

    def _make_candidate(self, candidate: Path) -> None:
        """Check the publish targets, then copy the published file (or the continued candidate's
        file and figures) into ``candidate`` and record the build in it (``meta.builds``).
        Raises :class:`PublishError` when a target cannot be written, when the continued
        candidate was built on another published build, or when the disk is full."""
        published = self.published_database_path()
        check_publish_targets(published, self.published_exports_path())
        if published.exists():
            wait_for_foreign_writer(published, self.lock_timeout_seconds)
        base = published_build(published)
        source, continues = published, None
        parent = self.continued_candidate()
        if parent is not None:
            info = CandidateInfo.read(parent)
            if info is None or info.based_on_build != base:
                raise PublishError(
                    f"run {self._parent_run_id}, which this run re-executes, built on another warehouse than the "
                    f"published one (build {base}): re-executing it would publish its tables over newer ones. "
                    "Launch the years again instead."
                )
            source, continues = parent / published.name, self._parent_run_id
            copy_exports(parent / CANDIDATE_EXPORTS, candidate / CANDIDATE_EXPORTS)
        database = candidate / published.name
        candidate.mkdir(parents=True, exist_ok=True)
        if source.exists():
            copy_database(source, database, self.lock_timeout_seconds)
        info = CandidateInfo(run_id=str(self._run_id), based_on_build=base, continues_run=continues)
        with duckdb.connect(str(database)) as con:
            record_build(con, info)
        info.write(candidate)

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
        """Take the writer lock for the rest of the run (released at teardown), then finish a
        publish another run left cut short (:func:`finish_interrupted_publish`)."""
        if self._lock is None:
            path = self.published_database_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(f"{path}.lock", timeout=self.lock_timeout_seconds)
            lock.acquire()
            self._lock = lock
            finish_interrupted_publish(path, self.published_exports_path())

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
        path = self.published_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=self.lock_timeout_seconds):
            yield

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write DuckDB connection to :meth:`database_path` (created if missing), under
        :meth:`writer_lock`, with DuckDB's memory limit set to ``memory_limit`` (it spills to a
        temporary folder beside the file beyond it)."""
        with self.writer_lock():
            with DuckDBResource(database=str(self.database_path())).get_connection() as con:
                con.execute(f"set memory_limit = '{self.memory_limit}'")
                con.execute("set enable_progress_bar = false")  # progress is reported by the assets
                yield con

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to what the run sees: its candidate once it has one (or the
        candidate it continues), else the published file (never copied just to be read)."""
        path = self.published_database_path()
        candidate = self.candidate_dir()
        if candidate is not None and (self._candidate_database or self.continued_candidate() is not None):
            path = self.database_path()
        with duckdb.connect(str(path), read_only=True) as con:
            yield con

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Start of a Dagster run: remember its id and the run it re-executes, if any; the
        candidate is made on the first write."""
        run = context.run
        self._run_id = run.run_id if run is not None else None
        self._parent_run_id = run.tags.get(PARENT_RUN_TAG) if run is not None else None
        self._lock = None
        self._candidate_database = False
        self._candidate_error = None

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """End of a Dagster run: publish the candidate when every step and blocking check
        passed, else keep it with ``FAILED.md``; tag the run with what happened
        (``atp/publish``); then release the writer lock."""
        candidate = self.candidate_dir()
        try:
            if candidate is None:
                return
            if not candidate.exists():  # the run wrote nothing: a figures run of no figure, or it failed first
                why = "the run failed before it wrote anything" if run_problems(context) else "the run wrote nothing"
                _tag(context, f"nothing published: {why}")
                return
            problems = run_problems(context, candidate / self.published_database_path().name)
            if problems:
                write_failure_report(candidate, str(self._run_id), problems)
                failures = len([p for p in problems if not p.startswith("  ")])
                _tag(context, f"nothing published: {failures} failed step(s) or check(s), listed in FAILED.md")
                if context.log is not None:  # the run's log in the UI: the same failures and rows
                    context.log.error(
                        f"nothing published: {failures} failed step(s) or check(s), below and in {candidate}/FAILED.md "
                        "(the failed candidate is kept there)\n" + "\n".join(problems)
                    )
                return
            try:
                published = publish(candidate, self.published_database_path(), self.published_exports_path())
            except OSError as error:
                _tag(context, f"FAILED to publish: {error}")
                raise
            _tag(context, "published " + ("; ".join(published) or "nothing new"))
            if context.log is not None:
                context.log.info(f"published {'; '.join(published) or 'nothing new'}")
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None


#: Dagster's tag naming the run a re-execution re-executes.
PARENT_RUN_TAG = "dagster/parent_run_id"
#: The tag a run gets when it ends: what it published, or why nothing.
PUBLISH_TAG = "atp/publish"


def _tag(context: InitResourceContext, text: str) -> None:
    """Tag the run with what its end published (shown on the run's page and in the runs list)."""
    if context.instance is not None and context.run is not None:
        context.instance.add_run_tags(context.run.run_id, {PUBLISH_TAG: text[:250]})


def run_problems(context: InitResourceContext, database: Path | None = None) -> list[str]:
    """The failed steps and failed blocking (error-severity) checks of the context's run, one
    line each with the step or check and its message; for a failed dbt test, up to 10 of the
    rows behind it in ``database`` (the run's candidate) follow, indented."""
    from orchestration.audit import offending_rows

    if context.instance is None or context.run is None:
        return []
    problems = []
    records = context.instance.all_logs(
        context.run.run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.ASSET_CHECK_EVALUATION}
    )
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_FAILURE:
            problems.append(f"step {event.step_key} failed: {failure_line(event).split(': ', 1)[1]}")
            continue
        evaluation = event.asset_check_evaluation_data
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            problems.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
            if database is not None:
                problems.extend(f"  - {row}" for row in offending_rows(database, evaluation.check_name))
    return problems


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


class FigureSettings(ConfigurableResource):
    """What the six figures draw, set once for all of them (the Launchpad's ``resources.figures``;
    ``atp figures`` and ``atp refresh`` options): the partner, the window of years, the year of
    figures 3 and 6 and the ATP definition. Validated once per run against the warehouse the run
    reads (:meth:`options`)."""

    partner: str = Field(
        default="5700",
        description="Partner: a Schedule C code (5700 China, 5880 Japan), a partner group code (CN_HK) or an exact "
        "name, case-insensitive ('japan', 'China + Hong Kong'); see dim_partners",
    )
    years: str = Field(
        default="",
        description="Years of figures 1, 2, 4 and 5, one range such as 2000-2008; empty: every complete year held",
    )
    year: int | None = Field(default=None, description="Year of figures 3 and 6; default: the last year of the range")
    definition: str = Field(
        default="as_published",
        description="ATP definition: as_published (each year's own list) or fixed_<base year>, e.g. fixed_2008 "
        "(figure 5 draws the chain-linked series beside them)",
    )

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
            self._resolved = figures.resolve_figure_options(
                con, self.partner, self.years or None, self.year, self.definition
            )
        return self._resolved
