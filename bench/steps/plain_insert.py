"""(c0) A plain typed insert of one year's export history: every loaded field of the EM545/EA645
record cut from its line (``substr``) and cast to the raw table's type, inserted into a new table
of a new DuckDB file, with no check of any kind (record length, digits, year, key, provenance),
no revisions, no swap: the floor a year load (c) is measured against (issue 21: at most 2x).
Same memory limit as the warehouse connections. Prints the rows inserted."""

from __future__ import annotations

import duckdb

from bench.steps import step_args
from orchestration.census.layouts import EXPORT_HISTORY
from orchestration.census.tables import EXPORT_HISTORY_FILE, EXPORT_HISTORY_TABLE, input_file
from orchestration.resources import WarehouseResource


def main() -> None:
    args = step_args()
    path = args.input_dir / input_file(EXPORT_HISTORY_FILE, args.year)
    kinds = dict(EXPORT_HISTORY_TABLE.columns)
    fields = ", ".join(
        f"cast(substr(line, {f.start}, {f.width}) as {kinds[f.name]}) as {f.name}"
        for f in EXPORT_HISTORY.fields
        if f.is_loaded
    )
    args.warehouse.unlink(missing_ok=True)
    limit = WarehouseResource(duckdb_path=str(args.warehouse)).effective_memory_limit()
    with duckdb.connect(str(args.warehouse), config={"memory_limit": limit}) as con:
        con.execute("set enable_progress_bar = false")
        con.execute(
            f"create table export_history as select {fields} from read_csv('{path}', "
            "columns = {'line': 'VARCHAR'}, header = false, delim = '\x01', quote = '', escape = '', "
            "auto_detect = false)"
        )
        print(con.execute("select count(*) from export_history").fetchone()[0])


if __name__ == "__main__":
    main()
