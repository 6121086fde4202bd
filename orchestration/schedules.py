"""The annual refresh: a schedule, and a sensor that notices a new Census release.

Both start STOPPED (tests and a fresh clone never run them by themselves); turn them on in the
Dagster UI (Automation) or with ``atp schedule on`` / ``atp sensor on``; they run while the daemon
runs (``make ui`` starts one).

Census publishes each year's annual revision in early June and revises the previous years' goods
data with it, so a refresh loads the newest complete year and re-builds the revised years.
"""

import os
from datetime import datetime

import requests
from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    schedule,
    sensor,
)

from orchestration.jobs import atp_warehouse_job
from orchestration.resources import SourceResource
from orchestration.run_config import source_run_config
from orchestration.tags import TRIGGER_TAG, partition_range_tags

#: Cron and timezone of the annual refresh, read once when the code location loads (Dagster needs
#: them to define the schedule): default 06:00 on 15 June, New York time, a week or so after the
#: Census annual revision is usually out.
REFRESH_CRON = os.environ.get("ATP_REFRESH_CRON", "0 6 15 6 *")
REFRESH_TIMEZONE = os.environ.get("ATP_REFRESH_TIMEZONE", "America/New_York")
#: How many years before the newest one the annual revision touches (re-built with it).
REVISED_YEARS = int(os.environ.get("ATP_REVISED_YEARS", "2"))


def refresh_years(today: datetime, revised_years: int = REVISED_YEARS) -> tuple[int, int]:
    """(first, last) year of an annual refresh run on ``today``: the newest complete year and the
    ``revised_years`` before it. Raises ``ValueError`` for a negative ``revised_years``."""
    if revised_years < 0:
        raise ValueError("revised_years must be 0 or more")
    newest = today.year - 1
    return newest - revised_years, newest


def refresh_run_request(first: int, last: int, run_key: str | None = None) -> RunRequest:
    """A run of the main job over years ``first``..``last`` from the census source, downloading
    every file and API table again (``force_download``): a revision keeps the file names, and an
    API table or a file served without ETag / Last-Modified would otherwise be reused from the
    landed copy and the revision would never arrive. ``raw.source_files`` keeps each replaced
    file's sha256 (``previous_sha256``) and ``raw.country_trade_revisions`` the changed values."""
    return RunRequest(
        run_key=run_key,
        job_name=atp_warehouse_job.name,
        run_config=source_run_config({"source": "census", "force_download": True}),
        tags={**partition_range_tags(first, last), TRIGGER_TAG: "annual_refresh"},
    )


@schedule(
    job=atp_warehouse_job,
    cron_schedule=REFRESH_CRON,
    execution_timezone=REFRESH_TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Annual refresh from the Census Bureau: the newest complete year and the years the annual "
    "revision touches (ATP_REVISED_YEARS, default 2).",
)
def annual_census_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    first, last = refresh_years(context.scheduled_execution_time or datetime.now())
    return refresh_run_request(first, last)


@sensor(
    job=atp_warehouse_job,
    minimum_interval_seconds=24 * 3600,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a refresh when the Census country trade table changes (ETag / Last-Modified of a "
    "HEAD request); without network it logs and skips.",
)
def census_release_sensor(context: SensorEvaluationContext, source: SourceResource):
    url = source.country_trade_url
    try:
        response = requests.head(url, timeout=source.timeout_seconds, allow_redirects=True)
    except requests.RequestException as error:
        return SkipReason(f"could not reach {url}: {type(error).__name__}; will try again")
    if response.status_code != 200:
        return SkipReason(f"HEAD {url} answered HTTP {response.status_code}; will try again")
    marker = response.headers.get("ETag") or response.headers.get("Last-Modified")
    if not marker:
        return SkipReason(f"{url} gives no ETag or Last-Modified to compare")
    if marker == context.cursor:
        return SkipReason(f"no new release ({marker})")
    context.update_cursor(marker)
    first, last = refresh_years(datetime.now())
    return refresh_run_request(first, last, run_key=f"release-{marker}")
