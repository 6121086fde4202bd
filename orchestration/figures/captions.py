"""The words under every chart and the origin of every table: which inputs of the years shown are
real Census data and which SYNTHETIC (:func:`orchestration.provenance.caption`), of the trade
flows drawn, which loaded years are left out as incomplete, which countries a partner group adds
up, and for the balance what it is."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from orchestration.figures.options import BALANCE_FIGURES, TRADE_FLOWS, FigureOptions, history_name, incomplete_years
from orchestration.figures.style import BALANCE_DEFINITION
from orchestration.provenance import caption, inputs_origin, year_ranges


def _complete_years(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> list[int]:
    """The complete years of ``options.flow``'s history in the options' window."""
    first, last = options.years
    rows = con.execute(
        "select year from int_trade_history_years where trade_flow = $flow and is_complete_year "
        "and year between $first and $last order by 1",
        {"flow": options.flow, "first": first, "last": last},
    ).fetchall()
    return [row[0] for row in rows]


def figure_flows(number: int | None, options: FigureOptions) -> tuple[str, ...]:
    """The trade flows figure ``number`` draws: both for the balance (figure 7), else
    ``options.flow``."""
    return TRADE_FLOWS if number in BALANCE_FIGURES else (options.flow,)


def data_origin(
    con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None, flows: Iterable[str] = TRADE_FLOWS[:1]
) -> str:
    """The origin of the inputs of the trade ``flows`` (default: exports) behind ``years`` of a
    figure (every year: None), one of :data:`orchestration.provenance.ORIGINS`: ``synthetic`` if
    any is, else ``unverified`` if any is, else ``census`` (written in the table as
    :func:`orchestration.provenance.origin_table_value`)."""
    return inputs_origin(con, sorted(set(years)) if years is not None else None, flows)


def figure_caption(
    con: duckdb.DuckDBPyConnection, options: FigureOptions, shown: Iterable[int], number: int | None = None
) -> str:
    """The caption of a chart (figure ``number``; None: one of figures 1-6) that shows the years
    ``shown`` for ``options``: which inputs of those years (of the flows drawn,
    :func:`figure_flows`) are real and which SYNTHETIC; unless the window was given, which loaded
    years are left out as incomplete (for the balance: the years either flow lacks whole); for a
    partner group, its member countries (from ``options.members``, resolved once per run); for
    the balance, what it is. One paragraph, no line breaks."""
    flows = figure_flows(number, options)
    text = caption(con, sorted(set(shown)), flows)
    if not options.years_given:
        left_out = [
            f"{year} ({history_name(flow)} through month {month})"
            for flow in flows
            for year, month in incomplete_years(con, flow).items()
        ]
        if left_out:
            text += " Left out as incomplete: " + ", ".join(left_out) + "."
    if number in BALANCE_FIGURES:
        text += f" {BALANCE_DEFINITION}."
        missing = sorted(set(_complete_years(con, options)) - set(shown))
        if missing:
            others = " or ".join(history_name(flow) for flow in TRADE_FLOWS if flow != options.flow)
            text += f" No balance for {year_ranges(missing)}: no complete {others} for those years."
    if options.members:
        members = " + ".join(f"{member.name} {member.code}" for member in options.members)
        text += f" {options.partner.name} = {members} (Schedule C codes)."
    return text
