"""The readers of the input files that are not API tables: fixed-width files in a Census layout
(streamed into TEMP lines tables behind a view that types and checks each record), the country
trade table (xlsx or CSV) and the code-change concordance (CSV). Each follows the contract of
:mod:`orchestration.census.reading` (:data:`~orchestration.census.reading.Reader`)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.census.fixed_width import choose_layout, first_problem, read_lines, typed_select
from orchestration.census.layouts import Layout
from orchestration.census.parse import (
    COUNTRY_TRADE_VALUE_COLUMNS,
    CensusLayoutError,
    months_with_data,
    not_utf8_error,
    parse_country_trade,
)
from orchestration.census.reading import Reader, ReadInfo


def fixed_width_reader(layouts: Layout | tuple[Layout, ...], rank_files: bool = False) -> Reader:
    """A reader for fixed-width files in ``layouts`` (the layout chosen per file by record
    length). Each file's records are streamed into a TEMP lines table; ``target`` is a view that
    types and checks them as they are inserted (:func:`fixed_width.typed_select`), so a year is
    read once. With ``rank_files`` each row gets ``list_rank``: 1 for the first file, 2 for the
    next... (a year's January Schedule B list, then its later editions)."""
    candidates = (layouts,) if isinstance(layouts, Layout) else tuple(layouts)

    def read(
        con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
    ) -> ReadInfo:
        records: dict[str, int] = {}
        files: list[tuple[str, str, Layout, str]] = []
        for rank, relative in enumerate(relatives, start=1):
            layout = choose_layout(root / relative, relative, candidates) if len(candidates) > 1 else candidates[0]
            lines = f"{target}_lines_{rank}"
            records[relative] = read_lines(con, root / relative, relative, lines)
            extra = f", cast({rank} as integer) as list_rank" if rank_files else ""
            files.append((relative, lines, layout, extra))

        def create_view(guard: bool) -> None:
            union = " union all ".join(typed_select(lay, lines, rel, extra, guard) for rel, lines, lay, extra in files)
            con.execute(f"create or replace temp view {target} as {union}")

        def diagnose() -> None:
            for relative, lines, layout, _ in files:
                problem = first_problem(con, lines, layout, relative, root / relative, candidates)
                if problem is not None:
                    raise problem
            create_view(guard=False)  # the cheap checks were stricter than the Census rules

        create_view(guard=True)
        return ReadInfo(file_records=records, diagnose=diagnose, temp_tables=tuple(f[1] for f in files))

    return read


def read_country_table(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
) -> ReadInfo:
    """Reader of the country trade table (xlsx or CSV, :func:`parse.read_country_trade`): every
    year of the file, with ``months_reported`` (the year's last month with data: 12 for a
    complete year, fewer for the newest year of a vintage); the file's vintage is its newest
    year and that year's last month with data (``2024-06``)."""
    (relative,) = relatives
    rows = parse_country_trade(con, root / relative, relative, "_atp_country_all")
    months = months_with_data(
        dict(zip(["year", *COUNTRY_TRADE_VALUE_COLUMNS], row, strict=True))
        for row in con.execute(
            f"select year, {', '.join(COUNTRY_TRADE_VALUE_COLUMNS)} from _atp_country_all"
        ).fetchall()
    )
    con.execute("create or replace temp table _atp_country_months (year integer, months_reported integer)")
    con.executemany("insert into _atp_country_months values (?, ?)", sorted(months.items()))
    con.execute(f"""
        create or replace temp table {target} as
        select c.*, m.months_reported from _atp_country_all c left join _atp_country_months m using (year)
    """)
    con.execute("drop table _atp_country_all")
    con.execute("drop table _atp_country_months")
    newest = max(months) if months else None
    vintage = {relative: f"{newest}-{months[newest]:02d}"} if newest is not None else {}
    return ReadInfo(file_records={relative: rows}, vintage=vintage)


CODE_CHANGE_HEADER = ("old_hs10_code", "new_hs10_code", "first_year")


def read_code_changes(
    con: duckdb.DuckDBPyConnection, root: Path, relatives: Sequence[str], year: int | None, target: str
) -> ReadInfo:
    """Reader of the code-change concordance ``hs10_changes.csv`` (a layout of this project:
    ``old_hs10_code,new_hs10_code,first_year``, one row per link; see the README). Raises
    :class:`CensusLayoutError` naming file, line and field for a missing column, a code that is
    not ten digits, or a year that is not four digits."""
    (relative,) = relatives
    rows: list[tuple[str, str, int, str, int]] = []
    try:
        with (root / relative).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in CODE_CHANGE_HEADER if c not in header]
            if missing:
                raise CensusLayoutError(relative, 1, "header", ",".join(header), f"missing columns {missing}")
            at = {c: header.index(c) for c in CODE_CHANGE_HEADER}
            for line, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                values = {c: (row[at[c]].strip() if at[c] < len(row) else "") for c in CODE_CHANGE_HEADER}
                for name, digits in (("old_hs10_code", 10), ("new_hs10_code", 10), ("first_year", 4)):
                    if len(values[name]) != digits or not values[name].isdigit():
                        raise CensusLayoutError(relative, line, name, values[name], f"does not match [0-9]{{{digits}}}")
                rows.append(
                    (values["old_hs10_code"], values["new_hs10_code"], int(values["first_year"]), relative, line)
                )
    except UnicodeDecodeError:
        raise not_utf8_error(root / relative, relative) from None
    con.execute(
        f"create or replace temp table {target} (old_hs10_code varchar, new_hs10_code varchar, "
        "first_year integer, source_file varchar, source_record integer)"
    )
    if rows:
        con.executemany(f"insert into {target} values (?, ?, ?, ?, ?)", rows)
    return ReadInfo(file_records={relative: len(rows)})
