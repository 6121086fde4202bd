"""Dagster resources: where the warehouse lives and where its inputs and exports are."""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, DagsterEventType, InitResourceContext
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field, PrivateAttr

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


#: Folder (beside the DuckDB file) that holds each run's candidate warehouse and figures.
CANDIDATES_DIR = ".candidates"
#: The report a failed run leaves in its candidate folder.
FAILURE_REPORT = "FAILED.md"
#: Written into a checked candidate just before its files are renamed into place: a publish cut
#: short (kill -9 between the renames) is finished by the next run (:func:`finish_interrupted_publish`).
PUBLISHING_MARKER = "PUBLISHING"


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file and the exports folder (inputs: :class:`SourceResource`).

    Each path is taken from run config, else from its environment variable
    (``ATP_DUCKDB_PATH``, ``ATP_EXPORTS_DIR``), else from the default under
    ``warehouse/``; relative paths are resolved against the repository root. The dbt assets pass
    the resolved DuckDB path to dbt (``--vars duckdb_path``), so both always use the same file.

    **Write, audit, publish.** In a Dagster run, nothing writes the published file or the
    published figures. The run's first write takes the writer lock (held until the run ends) and
    copies the published file to a candidate, ``<warehouse folder>/.candidates/<run id>/``; every
    raw load, ``dbt build`` (models and tests), asset check and figure of the run works on the
    candidate. When the run ends (:meth:`teardown_after_execution`) without a failed step or a
    failed blocking check, the candidate file is renamed over the published one (one atomic
    rename: a reader sees the old file or the new one, never a mix) and the new figure files are
    renamed into the exports folder; older candidates are removed. Otherwise the published
    warehouse and figures stay byte for byte as they were, and the candidate is kept for
    inspection with ``FAILED.md``, the failed steps and checks. Outside a run (the ``atp sql``
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
        return self.published_database_path().parent / CANDIDATES_DIR / run_id

    def database_path(self) -> Path:
        """The DuckDB file to write: in a run, the run's candidate (copied from the published
        file on first use, under the writer lock); outside a run, the published file."""
        candidate = self.candidate_dir()
        if candidate is None:
            return self.published_database_path()
        self._hold_lock()
        path = candidate / self.published_database_path().name
        if self._candidate_error is not None:  # waited once already: every later step fails at once
            raise RuntimeError(self._candidate_error)
        if not self._candidate_database:
            try:
                self._copy_published(path)
            except RuntimeError as error:
                self._candidate_error = str(error)
                raise
            self._candidate_database = True
        return path

    def exports_path(self) -> Path:
        """The folder to write figures to: in a run, the candidate's; outside, the published one."""
        candidate = self.candidate_dir()
        if candidate is None:
            return self.published_exports_path()
        self._hold_lock()
        return candidate / "exports"

    def _hold_lock(self) -> None:
        """Take the writer lock for the rest of the run (released at teardown)."""
        if self._lock is None:
            path = self.published_database_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(f"{path}.lock", timeout=self.lock_timeout_seconds)
            lock.acquire()
            self._lock = lock

    def _copy_published(self, target: Path) -> None:
        """Copy the published file (checkpointed first if a write-ahead log is beside it) to
        ``target``; an empty candidate when nothing is published yet."""
        published = self.published_database_path()
        finish_interrupted_publish(published.parent / CANDIDATES_DIR, published, self.published_exports_path())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
        if not published.exists():
            return
        self._wait_for_foreign_writer(published)
        if Path(f"{published}.wal").exists():
            # a log left by a writer that stopped (an older version wrote the file in place)
            with duckdb.connect(str(published)) as con:
                con.execute("checkpoint")
        try:
            shutil.copyfile(published, target)
        except OSError as error:
            target.unlink(missing_ok=True)
            if error.errno != errno.ENOSPC:
                raise
            size = published.stat().st_size
            raise RuntimeError(
                f"no space left on the disk of {target.parent} for the run's candidate copy of {published} "
                f"({size / 1e6:,.0f} MB): a run builds on a copy and needs about twice the warehouse's size free. "
                "Free some space (old candidates of failed runs are in "
                f"{target.parent.parent}), then run again; the published warehouse is unchanged."
            ) from None

    def _wait_for_foreign_writer(self, published: Path) -> None:
        """Wait (up to ``lock_timeout_seconds``) while another process holds the published file
        open read-write (DuckDB's own file lock; e.g. a DuckDB shell): a copy taken then could be
        torn. Raises ``RuntimeError`` naming the holder (DuckDB names its PID) and the remedy."""
        deadline = time.monotonic() + self.lock_timeout_seconds
        while True:
            try:
                duckdb.connect(str(published), read_only=True).close()
                return
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() >= deadline:
                    holder = str(error).splitlines()[0]
                    raise RuntimeError(
                        f"{published} is held open read-write by another process ({holder}); a run copies the "
                        "published file and cannot do so while it may change. Close that connection, or open "
                        "the warehouse read-only (duckdb.connect(path, read_only=True); readers never block a "
                        "run), then run again."
                    ) from None
                time.sleep(1)

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
        """A read-only connection to what the run sees: its candidate once it has one, else the
        published file (never copied just to be read)."""
        candidate = self.candidate_dir()
        path = self.published_database_path()
        if candidate is not None and self._candidate_database:
            path = candidate / path.name
        with duckdb.connect(str(path), read_only=True) as con:
            yield con

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Start of a Dagster run: remember its id; the candidate is made on the first write."""
        self._run_id = context.run.run_id if context.run is not None else None
        self._lock = None
        self._candidate_database = False
        self._candidate_error = None

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """End of a Dagster run: publish the candidate when every step and blocking check
        passed, else keep it with ``FAILED.md``; then release the writer lock."""
        candidate = self.candidate_dir()
        try:
            if candidate is None or not candidate.exists():
                return
            problems = run_problems(context, candidate / self.published_database_path().name)
            if problems:
                report = candidate / FAILURE_REPORT
                report.write_text(
                    f"# Run {self._run_id} failed: nothing was published\n\n"
                    + "\n".join(f"- {p}" for p in problems)
                    + "\n\nThe published warehouse and figures are unchanged. This folder holds what the run "
                    "built (open the .duckdb file read-only to inspect it); the next good run removes it.\n"
                )
                if context.log is not None:  # the run's log in the UI: the same failures and rows
                    context.log.error(
                        f"nothing published; the failed candidate is kept in {candidate}:\n" + "\n".join(problems)
                    )
                return
            published = publish(candidate, self.published_database_path(), self.published_exports_path())
            if context.log is not None:
                context.log.info(f"published {', '.join(published) or 'nothing new'}")
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None


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
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error is not None else "failed"
            problems.append(f"step {event.step_key} failed: {message}")
            continue
        evaluation = event.asset_check_evaluation_data
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            problems.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
            if database is not None:
                problems.extend(f"  - {row}" for row in offending_rows(database, evaluation.check_name))
    return problems


def publish(candidate: Path, database: Path, exports: Path) -> list[str]:
    """Publish a run's candidate folder: its DuckDB file is checkpointed, the candidate is marked
    (:data:`PUBLISHING_MARKER`), the DuckDB file is renamed over ``database`` (atomic), then each
    figure file is renamed into ``exports`` (each atomic, the same file system); the candidate
    folder and every older candidate are removed. Cut short after the mark, it is finished by
    the next run; before it, nothing was published. Returns what was published."""
    published: list[str] = []
    built = candidate / database.name
    if built.exists():
        with duckdb.connect(str(built)) as con:
            con.execute("checkpoint")
        Path(f"{built}.wal").unlink(missing_ok=True)
    marker = candidate / PUBLISHING_MARKER
    with marker.open("w", encoding="utf-8") as handle:  # from here on the candidate is published, whatever happens
        handle.write("checked; being renamed into place (finished by the next run if cut short)\n")
        handle.flush()
        os.fsync(handle.fileno())
    if built.exists():
        os.replace(built, database)
        Path(f"{database}.wal").unlink(missing_ok=True)
        published.append(str(database))
    figures = candidate / "exports"
    if figures.is_dir():
        exports.mkdir(parents=True, exist_ok=True)
        names = sorted(p.name for p in figures.iterdir() if p.is_file())
        for name in names:
            target = exports / name
            if target.exists():
                os.chmod(figures / name, target.stat().st_mode & 0o7777)
            try:
                os.replace(figures / name, target)
            except OSError:  # another file system: copy beside the target, then rename
                temporary = exports / f".{name}.publishing"
                shutil.copy2(figures / name, temporary)
                os.replace(temporary, target)
        if names:
            published.append(f"{len(names)} files in {exports}")
    for old in candidate.parent.iterdir():
        shutil.rmtree(old, ignore_errors=True)
    return published


def finish_interrupted_publish(candidates: Path, database: Path, exports: Path) -> list[str]:
    """Finish the publish of a candidate that was cut short (it holds :data:`PUBLISHING_MARKER`:
    every check had passed): rename what is left of it into place (:func:`publish`, which also
    removes the candidates). Called by a run before it copies the warehouse, under the writer
    lock. Returns what was published (empty when nothing was interrupted)."""
    if not candidates.is_dir():
        return []
    for candidate in sorted(candidates.iterdir()):
        if (candidate / PUBLISHING_MARKER).exists():
            return publish(candidate, database, exports)
    return []


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
