"""(a2) DuckDB reading the lines of one year's import history alone, as (a) reads the export
history's (:mod:`bench.steps.line_read`): the floor of the import year load. Prints the lines read."""

from __future__ import annotations

from bench.steps import line_read
from orchestration.census.tables import IMPORT_HISTORY_FILE


def main() -> None:
    """Count the lines of the import history of the year named on the command line."""
    line_read.main(IMPORT_HISTORY_FILE)


if __name__ == "__main__":
    main()
