"""Partitions: one partition per statistical (calendar) year of Census trade data."""

from dagster import TimeWindowPartitionsDefinition

FIRST_YEAR = 2000

#: Yearly partitions keyed "2000", "2001", ...; a year appears once it has ended.
year_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_YEAR), fmt="%Y", timezone="UTC"
)


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
