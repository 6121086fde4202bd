"""(a) DuckDB reading the lines of one year's export history alone (``read_csv``, one VARCHAR
column): the floor every loader is measured against. Prints the lines read."""

from __future__ import annotations

import duckdb

from bench.steps import step_args
from orchestration.census.tables import EXPORT_HISTORY_FILE, input_file


def main(name: str = EXPORT_HISTORY_FILE) -> None:
    """Count the lines of the year's input file ``name`` (the export history by default)."""
    args = step_args()
    path = args.input_dir / input_file(name, args.year)
    query = (
        f"select count(*) from read_csv('{path}', columns = {{'line': 'VARCHAR'}}, header = false, "
        "delim = '\x01', quote = '', escape = '', auto_detect = false)"
    )
    print(duckdb.connect().execute(query).fetchone()[0])


if __name__ == "__main__":
    main()
