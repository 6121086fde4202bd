"""Write, audit, publish: the protocol by which a run replaces what users read, on paths only
(the Dagster resource that drives it is :class:`orchestration.resources.WarehouseResource`).

A run never writes the published DuckDB file or the published figures. It builds a **candidate**
in ``<warehouse folder>/.candidates/<run id>/`` (a copy of the published file, or of the kept
candidate of the run it re-executes, and an ``exports/`` folder), and when every step and check
passed the candidate is **published**: its DuckDB file is renamed over the published one (one
atomic rename), then each figure file is renamed into the exports folder. A candidate is marked
(:data:`PUBLISHING_MARKER`) before its first rename, so that a publish cut short (kill -9
between renames) is finished by the next run of any kind, never undone.

Every build of the warehouse is recorded in ``meta.builds`` (one row per run that changed the
DuckDB file): the published build is the newest row, and a figure records the build it was
drawn from.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.census.raw_layer import write_raw_layer
from orchestration.census.year_store import collect_garbage, newest_build, referenced_files

#: Folder (beside the DuckDB file) that holds each run's candidate warehouse and figures.
CANDIDATES_DIR = ".candidates"
#: The report a failed run leaves in its candidate folder.
FAILURE_REPORT = "FAILED.md"
#: Written into a checked candidate just before its files are renamed into place.
PUBLISHING_MARKER = "PUBLISHING"
#: What a candidate is built on (:class:`CandidateInfo`), beside its files.
CANDIDATE_INFO = "CANDIDATE.json"
#: The figures of a candidate, in its folder.
CANDIDATE_EXPORTS = "exports"
#: One row per build of the warehouse file; the newest is the published build.
BUILDS_TABLE = "meta.builds"
#: The key of a figure's warehouse fingerprint (Parquet schema metadata and CSV column).
FIGURE_BUILD_KEY = "warehouse_build"


class PublishError(RuntimeError):
    """A candidate cannot be made or published; the message (one line first) names the file or
    folder and what to do. Nothing published has changed when it is raised."""


@dataclass(frozen=True)
class CandidateInfo:
    """What a run's candidate was built on: the run, the published build it copied (None for a
    first build), and the run whose kept candidate it continues (a re-execution), if any."""

    run_id: str
    based_on_build: str | None
    continues_run: str | None = None

    def write(self, folder: Path) -> None:
        (folder / CANDIDATE_INFO).write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> CandidateInfo | None:
        """The info of a candidate folder; None when it has none (or it is unreadable)."""
        try:
            return cls(**json.loads((folder / CANDIDATE_INFO).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def candidates_dir(database: Path) -> Path:
    """The folder of every run's candidate, beside the published DuckDB file."""
    return database.parent / CANDIDATES_DIR


# --- builds ------------------------------------------------------------------------------------


def current_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest build id recorded in the connected warehouse (``meta.builds``); None when it
    records none (a file made before builds were recorded, or an empty file). The year store
    reads it too: :func:`orchestration.census.year_store.newest_build`."""
    return newest_build(con)


def published_build(database: Path) -> str | None:
    """The build id of the published DuckDB file (read-only); None when there is no file or it
    records no build. Raises :class:`PublishError` (one line: the file and ``make run``) when
    the file is not a readable DuckDB database."""
    if not database.exists():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return current_build(con)
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PublishError(
            f"{database} is not a readable DuckDB warehouse ({first[:160]}): move it away and rebuild it with "
            "`make run`; nothing was changed"
        ) from None


def fingerprint_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """The content fingerprint of the connected warehouse's build (``meta.builds.content_sha256``
    of its newest build, :func:`record_content`); None when the build records none."""
    if current_build(con) is None:
        return None
    columns = {
        r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = 'builds'").fetchall()
    }
    if "content_sha256" not in columns:
        return None
    row = con.execute(
        f"select content_sha256 from {BUILDS_TABLE} order by built_at desc, build_id desc limit 1"
    ).fetchone()
    return row[0] if row else None


def record_content(con: duckdb.DuckDBPyConnection, settings: dict[str, object], project_sha256: str) -> str:
    """Fingerprint what the newest build's marts are made of and record it in its
    ``meta.builds`` row: sha256 of every input file behind the raw tables (``raw.source_files``:
    table, year, file, sha256, in order), the build's dbt settings (``--vars`` but the file
    path) and the dbt project's checksum (``project_sha256``). The same inputs, settings and
    models give the same fingerprint, whichever run built them; figures carry it (their CSV
    column and Parquet metadata ``warehouse_build``). Returns it."""
    files = con.execute(
        "select raw_table, coalesce(year, 0), source_file, sha256 from raw.source_files order by all"
    ).fetchall()
    text = json.dumps({"inputs": files, "settings": settings, "project": project_sha256}, sort_keys=True, default=str)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists content_sha256 varchar")
    build = current_build(con)
    con.execute(f"update {BUILDS_TABLE} set content_sha256 = ? where build_id = ?", [fingerprint, build])
    return fingerprint


def marts_basis(
    con: duckdb.DuckDBPyConnection, settings: dict[str, object], project_sha256: str, tables: Sequence[str]
) -> str:
    """What every year of the marts is built on besides the year's own inputs, as a sha256: the
    dbt project's checksum, the build's dbt settings, and the sha256 of the files of the raw
    ``tables`` that classify every year (the code-change files). A year-incremental build may
    keep the other years' rows only when this equals the basis of the build it continues."""
    files = con.execute(
        "select raw_table, source_file, sha256 from raw.source_files where list_contains(?, raw_table) order by all",
        [list(tables)],
    ).fetchall()
    text = json.dumps({"files": files, "settings": settings, "project": project_sha256}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def record_marts_basis(con: duckdb.DuckDBPyConnection, basis: str) -> None:
    """Record ``basis`` (:func:`marts_basis`) in the newest build's ``meta.builds`` row."""
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists marts_basis varchar")
    con.execute(f"update {BUILDS_TABLE} set marts_basis = ? where build_id = ?", [basis, current_build(con)])


def previous_marts_basis(con: duckdb.DuckDBPyConnection) -> str | None:
    """The :func:`marts_basis` of the build the newest build copied (its ``based_on_build``); None
    for a first build, or a build recorded before bases were."""
    if current_build(con) is None:
        return None
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists marts_basis varchar")
    row = con.execute(
        f"select previous.marts_basis from {BUILDS_TABLE} as newest join {BUILDS_TABLE} as previous "
        "on previous.build_id = newest.based_on_build where newest.build_id = ?",
        [current_build(con)],
    ).fetchone()
    return row[0] if row else None


def record_build(con: duckdb.DuckDBPyConnection, info: CandidateInfo) -> None:
    """Record the candidate's build (its run id) as the newest row of ``meta.builds``."""
    con.execute("create schema if not exists meta")
    con.execute(
        f"create table if not exists {BUILDS_TABLE} (build_id varchar primary key, based_on_build varchar, "
        "continues_run varchar, built_at timestamp)"
    )
    con.execute(
        f"comment on table {BUILDS_TABLE} is 'One row per run that built this warehouse file (write, audit, "
        "publish): build_id = the Dagster run id, based_on_build = the published build it copied, continues_run = "
        "the failed run whose candidate it continued; the newest row is the build readers see.'"
    )
    con.execute(f"delete from {BUILDS_TABLE} where build_id = ?", [info.run_id])
    con.execute(
        f"insert into {BUILDS_TABLE} (build_id, based_on_build, continues_run, built_at) values (?, ?, ?, ?)",
        [info.run_id, info.based_on_build, info.continues_run, datetime.now(UTC).replace(tzinfo=None)],
    )


# --- making a candidate ------------------------------------------------------------------------


def wait_for_foreign_writer(database: Path, timeout_seconds: float) -> None:
    """Wait (up to ``timeout_seconds``) while another process holds ``database`` open read-write
    (DuckDB's own file lock; e.g. a DuckDB shell): a copy taken then could be torn. Raises
    :class:`PublishError` naming the holder (DuckDB names its PID) and the remedy."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            duckdb.connect(str(database), read_only=True).close()
            return
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                holder = str(error).splitlines()[0]
                raise PublishError(
                    f"{database} is held open read-write by another process ({holder}); a run copies the "
                    "published file and cannot do so while it may change. Close that connection, or open the "
                    "warehouse read-only (duckdb.connect(path, read_only=True); readers never block a run), then "
                    "run again."
                ) from None
            time.sleep(1)


def copy_database(source: Path, target: Path, timeout_seconds: float) -> None:
    """Copy the DuckDB file ``source`` to ``target`` (checkpointed first if a write-ahead log is
    beside it), waiting for a foreign read-write holder (:func:`wait_for_foreign_writer`).
    Raises :class:`PublishError` when the disk is full (with the size needed and where old
    candidates are)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    Path(f"{target}.wal").unlink(missing_ok=True)
    wait_for_foreign_writer(source, timeout_seconds)
    if Path(f"{source}.wal").exists():
        # a log left by a writer that stopped (an older version wrote the file in place)
        with duckdb.connect(str(source)) as con:
            con.execute("checkpoint")
    try:
        shutil.copyfile(source, target)
    except OSError as error:
        target.unlink(missing_ok=True)
        if error.errno != errno.ENOSPC:
            raise
        size = source.stat().st_size
        raise PublishError(
            f"no space left on the disk of {target.parent} for the run's candidate copy of {source} "
            f"({size / 1e6:,.0f} MB): a run builds on a copy and needs about twice the warehouse's size free. "
            f"Free some space (old candidates of failed runs are in {target.parent.parent}), then run again; "
            "the published warehouse is unchanged."
        ) from None


def copy_exports(source: Path, target: Path) -> None:
    """Copy the figure files of a kept candidate's ``exports/`` into a new candidate's."""
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)


def check_publish_targets(database: Path, exports: Path) -> None:
    """Check, before a run builds anything, that its publish can be done whole: the warehouse
    folder and the exports folder can be written (files created and renamed in them), and an
    existing published file is a file. Raises :class:`PublishError` naming the folder or file
    and the permission; nothing has been written then."""
    if database.exists() and not database.is_file():
        raise PublishError(f"{database} is not a file: remove it or set ATP_DUCKDB_PATH elsewhere")
    for folder, what, setting in (
        (database.parent, "the warehouse", "ATP_DUCKDB_PATH"),
        (exports, "the figures", "ATP_EXPORTS_DIR"),
    ):
        if folder.exists() and not folder.is_dir():
            raise PublishError(f"{folder} is not a folder: {what} cannot be published into it (set {setting})")
        existing = folder if folder.exists() else next((p for p in folder.parents if p.exists()), folder)
        probe = existing / f".atp-publish-probe-{os.getpid()}"
        try:  # what a publish does there: create a file and rename it
            probe.write_bytes(b"")
            os.replace(probe, probe.with_suffix(".renamed"))
            probe.with_suffix(".renamed").unlink()
        except OSError as error:
            probe.unlink(missing_ok=True)
            raise PublishError(
                f"{existing} cannot be written ({error.strerror or error}): {what} could not be published there. "
                f"Make the folder writable (or set {setting} elsewhere), then run again; nothing was changed."
            ) from None


# --- publishing --------------------------------------------------------------------------------


def write_failure_report(candidate: Path, run_id: str, problems: Sequence[str]) -> Path:
    """Write ``FAILED.md`` into a failed run's kept candidate: what failed (with the rows behind
    failed dbt tests) and that nothing was published. Returns its path."""
    report = candidate / FAILURE_REPORT
    report.write_text(
        f"# Run {run_id} failed: nothing was published\n\n"
        + "\n".join(f"- {p}" for p in problems)
        + "\n\nThe published warehouse and figures are unchanged. This folder holds what the run built (open the "
        ".duckdb file read-only to inspect it); a re-execution of the run continues from it, and the next run "
        "that publishes removes it.\n",
        encoding="utf-8",
    )
    return report


#: The marker's second line when the candidate holds a DuckDB file to publish (a figures-only
#: run's holds none): what a publish cut short had published is then told truthfully.
MARKER_WITH_DATABASE = "with the warehouse file"


def _mark(candidate: Path, with_database: bool) -> None:
    with (candidate / PUBLISHING_MARKER).open("w", encoding="utf-8") as handle:
        handle.write("checked; being renamed into place (finished by the next run if cut short)\n")
        handle.write(f"{MARKER_WITH_DATABASE if with_database else 'figures only'}\n")
        handle.flush()
        os.fsync(handle.fileno())


def figure_build(parquet: Path) -> str | None:
    """The warehouse fingerprint a figure was drawn from (its Parquet schema metadata
    :data:`FIGURE_BUILD_KEY`); None when it has none or cannot be read."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(parquet).metadata or {}
    except (OSError, ValueError):
        return None
    value = metadata.get(FIGURE_BUILD_KEY.encode())
    return value.decode() if value else None


def foreign_figures(figures: Path, fingerprint: str | None) -> list[str]:
    """The file names of the figures in ``figures`` drawn from another build than
    ``fingerprint`` (every file of a figure: its ``.csv``, ``.parquet``, ``.png`` and ``.svg``,
    judged by its Parquet); empty when ``fingerprint`` is None (a warehouse without one)."""
    if fingerprint is None or not figures.is_dir():
        return []
    stale = {p.stem for p in figures.glob("figure_*.parquet") if figure_build(p) != fingerprint}
    return sorted(p.name for p in figures.iterdir() if p.is_file() and p.stem in stale)


def _rename_figures(figures: Path, exports: Path, skip: list[str] = ()) -> int:
    """Rename every file of ``figures`` but ``skip`` into ``exports`` (a file that existed keeps
    its mode); returns how many."""
    names = sorted(p.name for p in figures.iterdir() if p.is_file() and p.name not in skip) if figures.is_dir() else []
    if names:
        exports.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = exports / name
        if target.exists():
            os.chmod(figures / name, target.stat().st_mode & 0o7777)
        try:
            os.replace(figures / name, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            temporary = exports / f".{name}.publishing"  # another file system: copy beside, then rename
            shutil.copy2(figures / name, temporary)
            os.replace(temporary, target)
    return len(names)


def publish(candidate: Path, database: Path, exports: Path) -> list[str]:
    """Publish a run's candidate folder: its DuckDB file is checkpointed, the candidate is marked
    (:data:`PUBLISHING_MARKER`), the DuckDB file is renamed over ``database`` (atomic), then each
    figure file is renamed into ``exports`` (each atomic), but a figure drawn from another build
    than the warehouse being published (:func:`foreign_figures`: never a figure of this
    candidate, which it drew from its own file) is not; then every candidate folder is removed.
    Cut short after the mark, it is finished by the next run (:func:`finish_interrupted_publish`);
    before it, nothing was published. Last, the year store files no build reads any more are
    deleted (:func:`~orchestration.census.year_store.collect_garbage`) and the Parquet raw layer
    is brought up to date with the published file
    (:func:`~orchestration.census.raw_layer.write_raw_layer`); both best effort: what is published
    is published, and the next publish finishes what they could not. Returns what was published,
    one phrase each."""
    published: list[str] = []
    built = candidate / database.name
    if built.exists():
        with duckdb.connect(str(built)) as con:
            con.execute("checkpoint")
        Path(f"{built}.wal").unlink(missing_ok=True)
    source = built if built.exists() else database
    fingerprint = None
    if source.exists():
        with duckdb.connect(str(source), read_only=True) as con:
            fingerprint = fingerprint_of(con)
    refused = foreign_figures(candidate / CANDIDATE_EXPORTS, fingerprint)
    store = _store_references(source)
    _mark(candidate, built.exists())  # from here on the candidate is published, whatever happens
    if built.exists():
        os.replace(built, database)
        Path(f"{database}.wal").unlink(missing_ok=True)
        published.append(f"the warehouse {database}")
    count = _rename_figures(candidate / CANDIDATE_EXPORTS, exports, refused)
    if count:
        published.append(f"{count} figure files in {exports}")
    if refused:
        published.append(f"not {len(refused)} figure files drawn from another build ({', '.join(refused[:4])})")
    for old in candidate.parent.iterdir():
        shutil.rmtree(old, ignore_errors=True)
    if isinstance(store, str):
        published.append(store)
    elif store is not None:
        try:  # best effort: what is published is published whatever happens here
            removed = collect_garbage(database, store)
        except OSError as error:
            published.append(f"year store files not cleaned ({error}); the next publish cleans them")
        else:
            if removed:
                published.append(f"{removed} year store files no build reads any more removed")
    if database.exists():
        try:
            layer = write_raw_layer(database)
        except (OSError, duckdb.Error) as error:
            reason = str(error).splitlines()[0][:160]
            published.append(f"the Parquet raw layer not updated ({reason}); the next publish updates it")
        else:
            if layer.written or layer.removed:
                published.append(
                    f"the Parquet raw layer in {layer.folder} ({layer.written} files written, {layer.removed} removed)"
                )
    return published


def _store_references(source: Path) -> set[str] | str | None:
    """What the year store of the warehouse being published (``source``: the candidate's file,
    or the published one when a cut publish is finished) must keep (:func:`referenced_files`),
    read before any rename; None without a file; a phrase saying why nothing is cleaned when it
    cannot be read."""
    if not source.exists():
        return None
    try:
        return referenced_files(source)[1]
    except duckdb.Error as error:
        return f"year store files not cleaned ({str(error).splitlines()[0][:120]}); the next publish cleans them"


def finish_interrupted_publish(database: Path, exports: Path) -> list[str]:
    """Finish the publish of a candidate that was cut short (it holds :data:`PUBLISHING_MARKER`:
    every check had passed): rename what is left of it into place (:func:`publish`). Called by
    every run when it takes the writer lock, before anything else. Returns what was published
    (empty when nothing was interrupted)."""
    folder = candidates_dir(database)
    if not folder.is_dir():
        return []
    for candidate in sorted(folder.iterdir()):
        if (candidate / PUBLISHING_MARKER).exists():
            return publish(candidate, database, exports)
    return []


def marked_with_database(candidate: Path) -> bool:
    """Whether a candidate being published (:data:`PUBLISHING_MARKER`) had a DuckDB file to publish."""
    try:
        return MARKER_WITH_DATABASE in (candidate / PUBLISHING_MARKER).read_text(encoding="utf-8")
    except OSError:
        return False


# --- runs whose process died -------------------------------------------------------------------

#: Folder (beside the DuckDB file) with one file per run in progress: its process id.
RUNNING_DIR = ".runs"


def running_dir(database: Path) -> Path:
    return database.parent / RUNNING_DIR


def mark_running(database: Path, run_id: str) -> None:
    """Record that ``run_id`` runs in this process (``.runs/<run id>`` holds its pid), so that a
    later run can tell when its process died without ending it (:func:`dead_runs`). A folder that
    cannot be written is left to :func:`check_publish_targets`, which names it at the run's first
    step: the record is a convenience, never the reason a run fails."""
    folder = running_dir(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / run_id).write_text(f"{os.getpid()}\n", encoding="utf-8")
    except OSError:
        return


def mark_ended(database: Path, run_id: str) -> None:
    """The run ended (however): forget it (a record that cannot be removed is left to the next
    run's :func:`dead_runs`)."""
    try:
        (running_dir(database) / run_id).unlink(missing_ok=True)
    except OSError:
        return


def dead_runs(database: Path) -> list[str]:
    """The runs recorded as running (:func:`mark_running`) whose process is gone (killed with
    kill -9, a machine that stopped): their ids; their records are removed."""
    folder = running_dir(database)
    dead = []
    for record in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            os.kill(int(record.read_text(encoding="utf-8").split()[0]), 0)
        except ProcessLookupError:
            dead.append(record.name)
            record.unlink(missing_ok=True)
        except (ValueError, IndexError, OSError):
            continue
    return dead
