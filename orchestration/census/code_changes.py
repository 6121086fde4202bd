"""The HS10 code-change concordance: which Schedule B codes replaced which, and from which year.

Plain CSV layout defined by this project (``<input_dir>/hs10_changes.csv``)::

    old_hs10_code,new_hs10_code,first_year
    8542210000,8542310000,2007
    8542210000,8542320000,2007

One row per (old code, new code) link; ``first_year`` is the first statistical year of the new
code (the old code's last year is ``first_year - 1``). A split is one old code with several rows,
a merge several old codes with the same new code, a renumbering one row. Users build it from the
Census Schedule B change notices or from the Pierce & Schott (2012) concordance ("Concording U.S.
Harmonized System Codes over Time", J. Official Statistics), whose code families link codes
across years.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.census.load import PROVENANCE_NOTE, ensure_source_files, file_origins, sha256_of
from orchestration.census.parse import CensusLayoutError, sql_literal

FILE_NAME = "hs10_changes.csv"
COLUMNS = ("old_hs10_code", "new_hs10_code", "first_year")
DESCRIPTION = (
    "HS10 code-change concordance: one row per old code -> new code link, first_year = first year of "
    "the new code (splits: one old code, several rows; merges: several old codes, one new code)."
)


def load_code_changes(con: duckdb.DuckDBPyConnection, input_dir: Path) -> tuple[int, str | None]:
    """Replace ``raw.hs10_code_changes`` with ``input_dir/hs10_changes.csv`` in one transaction.

    Returns (rows loaded, source file or None). Without the file the table is emptied and created
    if missing: no code can then be linked across a renumbering. Raises
    :class:`~orchestration.census.parse.CensusLayoutError` naming file, line and field for a
    missing column, a code that is not ten digits, or a year that is not four digits.
    """
    path = input_dir / FILE_NAME
    ensure_source_files(con)
    if path.is_file():
        con.execute(f"""
            create or replace temp table _atp_changes as
            select *, cast(row_number() over () + 1 as integer) as source_record
            from read_csv({sql_literal(str(path))}, header = true, all_varchar = true)
        """)
        have = [r[0] for r in con.execute("describe _atp_changes").fetchall()]
        missing = [c for c in COLUMNS if c not in have]
        if missing:
            raise CensusLayoutError(FILE_NAME, 1, "header", ",".join(have), f"missing columns {missing}")
        for field, pattern in (
            ("old_hs10_code", "[0-9]{10}"),
            ("new_hs10_code", "[0-9]{10}"),
            ("first_year", "[0-9]{4}"),
        ):
            bad = con.execute(
                f"select source_record, {field} from _atp_changes where not "
                f"regexp_full_match(coalesce({field}, ''), '{pattern}') order by 1 limit 1"
            ).fetchone()
            if bad:
                raise CensusLayoutError(FILE_NAME, bad[0], field, str(bad[1]), f"does not match {pattern}")
        origin = file_origins(input_dir).get(FILE_NAME, "census")
        staged = f"""select old_hs10_code, new_hs10_code, cast(first_year as integer) as first_year,
                     '{FILE_NAME}' as source_file, source_record, {origin == "synthetic"} as is_synthetic
                     from _atp_changes"""
    else:
        staged = """select cast(null as varchar) as old_hs10_code, cast(null as varchar) as new_hs10_code,
                    cast(null as integer) as first_year, cast(null as varchar) as source_file,
                    cast(null as integer) as source_record, false as is_synthetic where false"""
    con.execute("begin transaction")
    try:
        con.execute(f"create table if not exists raw.hs10_code_changes as {staged} limit 0")
        con.execute(f"comment on table raw.hs10_code_changes is {sql_literal(DESCRIPTION + PROVENANCE_NOTE)}")
        con.execute("delete from raw.hs10_code_changes")
        con.execute(f"insert into raw.hs10_code_changes by name {staged}")
        rows = con.execute("select count(*) from raw.hs10_code_changes").fetchone()[0]
        con.execute("delete from raw.source_files where raw_table = 'hs10_code_changes'")
        if path.is_file():
            con.execute(
                "insert into raw.source_files by name select null as year, 'hs10_code_changes' as raw_table, "
                "? as source_file, ? as origin, ? as sha256, ? as file_records, ? as rows_loaded, ? as loaded_at",
                [
                    FILE_NAME,
                    file_origins(input_dir).get(FILE_NAME, "census"),
                    sha256_of(path),
                    rows,
                    rows,
                    datetime.now(UTC).replace(tzinfo=None),
                ],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _atp_changes")
    return rows, FILE_NAME if path.is_file() else None
