"""Partitions: one partition per statistical (calendar) year of Census trade data.

Every asset of the code location (raw tables, dbt models, figures) is partitioned by year and
materialized in a single run per backfill (:data:`single_run`), so that a range of years
launched from the Dagster UI (*Materialize all*, a backfill of a group, a job backfill) is one
run that loads the years, rebuilds the marts and redraws the figures once, as ``atp refresh``
does. A run's years are its partition key range (:func:`orchestration.tags.partition_range_tags`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from dagster import BackfillPolicy, BetaWarning, TimeWindowPartitionsDefinition, asset

FIRST_YEAR = 2000

#: Yearly partitions keyed "2000", "2001", ...; a year appears once it has ended.
year_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_YEAR), fmt="%Y", timezone="UTC"
)

#: The backfill policy of every asset: a range of partitions is materialized in one run.
single_run = BackfillPolicy.single_run()


def yearly_asset(**asset_args: Any) -> Callable:
    """``@asset(**asset_args)`` partitioned by year with the single-run backfill policy (as every
    asset of the code location). The policy parameter is marked beta in Dagster 1.13 and would be
    warned about at every import; it is what a range of years needs (one load, one dbt build, one
    publish), so the warning is silenced here, for this decoration only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        return asset(partitions_def=year_partitions, backfill_policy=single_run, **asset_args)


def parse_years(spec: str) -> list[int]:
    """Parse a year range such as ``"2000-2011"``, ``"2008"`` or ``"2000,2003-2004"``.

    Returns the sorted distinct years. Raises ``ValueError`` for malformed input or a range whose
    end precedes its start.
    """
    years: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        start, dash, end = part.partition("-")
        if not start.isdigit() or (dash and not end.isdigit()):
            raise ValueError(f"years {spec!r}: {part!r} is not YYYY or YYYY-YYYY")
        lo, hi = int(start), int(end or start)
        if hi < lo:
            raise ValueError(f"years {spec!r}: range {part!r} ends before it starts")
        years.update(range(lo, hi + 1))
    if not years:
        raise ValueError(f"years {spec!r}: no year given")
    return sorted(years)


def parse_year_range(spec: str) -> tuple[int, int]:
    """Parse one contiguous range of years (``"2000-2008"`` or ``"2008"``) into (first, last).

    Raises ``ValueError`` (one line) for malformed input or years that are not one range.
    """
    years = parse_years(spec)
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"years {spec!r}: give one contiguous range, e.g. {years[0]}-{years[-1]}")
    return years[0], years[-1]
