"""(c) The project's year load of the export history (:func:`orchestration.census.load.load_table`:
parse, checks, atomic swap) into the warehouse file, through the warehouse resource's connection
(the load's memory limit, half the one setting). Prints the rows loaded."""

from __future__ import annotations

from bench.steps import step_args
from orchestration.census.load import load_table
from orchestration.census.tables import EXPORT_HISTORY_TABLE, RawTable
from orchestration.resources import WarehouseResource


def main(table: RawTable = EXPORT_HISTORY_TABLE) -> None:
    """Load the year of ``table`` (the export history by default) named on the command line."""
    args = step_args()
    warehouse = WarehouseResource(duckdb_path=str(args.warehouse))
    with warehouse.connect(warehouse.load_memory_limit()) as con:
        (result,) = load_table(con, args.input_dir, table, [args.year])
    print(result.rows_loaded)


if __name__ == "__main__":
    main()
