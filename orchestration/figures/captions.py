"""The words under every chart and the origin of every table: which inputs of the years shown are
real Census data and which SYNTHETIC (:func:`orchestration.provenance.caption`), which loaded
years are left out as incomplete, and which countries a partner group adds up."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from orchestration.figures.options import FigureOptions
from orchestration.provenance import caption, inputs_origin


def data_origin(con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None) -> str:
    """The origin of the inputs behind ``years`` of a figure (every year: None), one of
    :data:`orchestration.provenance.ORIGINS`: ``synthetic`` if any is, else ``unverified`` if any
    is, else ``census`` (written in the table as :func:`orchestration.provenance.origin_table_value`)."""
    return inputs_origin(con, sorted(set(years)) if years is not None else None)


def figure_caption(con: duckdb.DuckDBPyConnection, options: FigureOptions, shown: Iterable[int]) -> str:
    """The caption of a chart that shows the years ``shown`` for ``options``: which inputs of
    those years are real and which SYNTHETIC; unless the window was given, which loaded years
    are left out as incomplete; for a partner group, its member countries (from
    ``options.members``, resolved once per run). One paragraph, no line breaks."""
    text = caption(con, sorted(set(shown)))
    if not options.years_given:
        left_out = con.execute(
            "select year, last_stat_month from int_trade_history_years where trade_flow = 'exports' and not is_complete_year order by year"
        ).fetchall()
        if left_out:
            text += (
                " Left out as incomplete: "
                + ", ".join(f"{year} (export history through month {month})" for year, month in left_out)
                + "."
            )
    if options.members:
        members = " + ".join(f"{member.name} {member.code}" for member in options.members)
        text += f" {options.partner.name} = {members} (Schedule C codes)."
    return text
