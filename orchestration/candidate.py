"""A run's side of write, audit, publish (:mod:`orchestration.publish`), on paths: the warehouse's
writer lock, making the run's candidate, and what the end of the run does with it (publish it,
or keep it with ``FAILED.md``). The Dagster resource that drives it for a run
(:class:`orchestration.resources.WarehouseResource`) passes the paths, the run ids and the run's
problems; nothing here knows the resource."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
from filelock import FileLock

from orchestration.publish import (
    CANDIDATE_EXPORTS,
    CANDIDATE_INFO,
    CandidateInfo,
    PublishError,
    candidates_dir,
    check_publish_targets,
    copy_database,
    copy_exports,
    dead_runs,
    finish_interrupted_publish,
    publish,
    published_build,
    record_build,
    wait_for_foreign_writer,
    write_failure_report,
)


def candidate_dir(database: Path, run_id: str) -> Path:
    """The candidate folder of the run ``run_id`` of the warehouse ``database`` (the published
    DuckDB file): ``<warehouse folder>/.candidates/<run id>``."""
    return candidates_dir(database) / run_id


def kept_candidate(database: Path, run_id: str | None) -> Path | None:
    """The kept candidate of the run ``run_id`` (a failed run a re-execution continues), when
    that run left one (its ``CANDIDATE.json`` is there); else None."""
    if run_id is None:
        return None
    folder = candidate_dir(database, run_id)
    return folder if (folder / CANDIDATE_INFO).exists() else None


def writer_lock(database: Path, timeout_seconds: float) -> FileLock:
    """The warehouse's writer lock (``<duckdb file>.lock``, an OS file lock; its folder is made),
    not taken yet: ``with writer_lock(...)`` or ``acquire()``. Taking it raises
    ``filelock.Timeout`` after ``timeout_seconds``."""
    database.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(f"{database}.lock", timeout=timeout_seconds)


def take_run_lock(database: Path, exports: Path, timeout_seconds: float) -> tuple[FileLock, list[str]]:
    """Take the writer lock for a run (the caller releases it when the run ends), then finish a
    publish another run left cut short (:func:`~orchestration.publish.finish_interrupted_publish`).
    Returns the lock and the ids of the runs of this warehouse whose process died without ending
    them (:func:`~orchestration.publish.dead_runs`: to be marked failed). Raises
    ``filelock.Timeout``."""
    lock = writer_lock(database, timeout_seconds)
    lock.acquire()
    finish_interrupted_publish(database, exports)
    return lock, dead_runs(database)


def make_candidate(
    candidate: Path, database: Path, exports: Path, run_id: str, parent_run_id: str | None, timeout_seconds: float
) -> None:
    """Check the publish targets (``database``, the published DuckDB file, and ``exports``, the
    published figures), then copy the published file (or, for a re-execution, the kept candidate
    of ``parent_run_id``: its file and figures) into ``candidate`` and record the build in it
    (``meta.builds``). Raises :class:`~orchestration.publish.PublishError` when a target cannot be
    written, when the continued candidate was built on another published build, or when the disk
    is full."""
    check_publish_targets(database, exports)
    if database.exists():
        wait_for_foreign_writer(database, timeout_seconds)
    base = published_build(database)
    source, continues = database, None
    parent = kept_candidate(database, parent_run_id)
    if parent is not None:
        info = CandidateInfo.read(parent)
        if info is None or info.based_on_build != base:
            raise PublishError(
                f"run {parent_run_id}, which this run re-executes, built on another warehouse than the "
                f"published one (build {base}): re-executing it would publish its tables over newer ones. "
                "Launch the years again instead."
            )
        source, continues = parent / database.name, parent_run_id
        copy_exports(parent / CANDIDATE_EXPORTS, candidate / CANDIDATE_EXPORTS)
    built = candidate / database.name
    candidate.mkdir(parents=True, exist_ok=True)
    if source.exists():
        copy_database(source, built, timeout_seconds)
    info = CandidateInfo(run_id=run_id, based_on_build=base, continues_run=continues)
    with duckdb.connect(str(built)) as con:
        record_build(con, info)
    info.write(candidate)


def end_run(
    candidate: Path,
    database: Path,
    exports: Path,
    run_id: str,
    problems: list[str],
    tag: Callable[[str], None],
    log: Callable[[str, bool], None],
) -> None:
    """The end of a run that may have written a ``candidate``, given its ``problems`` (failed
    steps and blocking checks, one line each: :func:`orchestration.failures.run_problems`):

    - no candidate: nothing was written, nothing is published;
    - problems: the candidate is kept with ``FAILED.md`` listing them, nothing is published;
    - else the candidate is published (:func:`~orchestration.publish.publish`: the DuckDB file
      over ``database``, the figures into ``exports``).

    What happened is given to ``tag`` (the text of the run's ``atp/publish`` tag) and to ``log``
    (a message for the run's log and whether it is an error). Raises what publishing raises
    (``OSError``), after tagging ``FAILED to publish: ...``."""
    if not candidate.exists():  # the run wrote nothing: a figures run of no figure, or it failed first
        tag(f"nothing published: {'the run failed before it wrote anything' if problems else 'the run wrote nothing'}")
        return
    if problems:
        write_failure_report(candidate, run_id, problems)
        failures = len([p for p in problems if not p.startswith("  ")])
        tag(f"nothing published: {failures} failed step(s) or check(s), listed in FAILED.md")
        log(
            f"nothing published: {failures} failed step(s) or check(s), below and in {candidate}/FAILED.md "
            "(the failed candidate is kept there)\n" + "\n".join(problems),
            True,
        )
        return
    try:
        published = publish(candidate, database, exports)
    except OSError as error:
        tag(f"FAILED to publish: {error}")
        raise
    tag("published " + ("; ".join(published) or "nothing new"))
    log(f"published {'; '.join(published) or 'nothing new'}", False)
