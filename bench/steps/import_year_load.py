"""(c2) The project's year load of the import history (IM145/IA245), measured exactly as (c) the
export year's (:mod:`bench.steps.year_load`: :func:`orchestration.census.load.load_table`, parse,
checks, atomic swap, through the warehouse resource's connection and its memory limit). Prints
the rows loaded."""

from __future__ import annotations

from bench.steps import year_load
from orchestration.census.tables import IMPORT_HISTORY_TABLE


def main() -> None:
    """Load the import history of the year named on the command line."""
    year_load.main(IMPORT_HISTORY_TABLE)


if __name__ == "__main__":
    main()
