"""The figure tables: one SQL query per figure against the marts, for a resolved
:class:`~orchestration.figures.options.FigureOptions` (the partner is never looked up here).

Source: Hammer, Koopman & Martinez, "U.S. Exports of Advanced Technology Products to China",
USITC executive briefing (2009), figures 1-4, drawn for any partner; figure 5 shows the three ATP
definitions, figure 6 the HS10 products behind the largest specialization gaps, figure 7 the ATP
trade balance with the partner and the world by group.

Figures 1-6 draw one trade flow (``options.flow``, the marts' ``trade_flow``): ``exports``
(f.a.s., to the country of destination) or ``imports`` (general imports at customs value, from
the country of origin); their money columns name it (``partner_atp_exports_usd_billions``,
``partner_atp_imports_usd_billions``). Figure 7 reads both (``fct_atp_trade_balance``).

Money stays exact: USD billions as DECIMAL(18,9) (whole dollars x 1e-9) straight from DuckDB into
Arrow; shares (%), gaps (pp) and indexes are doubles. Only complete years
(``int_trade_history_years.is_complete_year``, of the flow drawn; of both flows for the balance)
of the window are shown.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from orchestration.figures.options import (
    COMPLETE_BALANCE_YEARS,
    COMPLETE_YEARS,
    TRADE_FLOWS,
    FigureOptions,
    check_figure_definition,
)

#: China's accession to the WTO (December 2001): figure 4 starts here, as in the briefing.
WTO_ACCESSION_YEAR = 2001
#: Figure 6 leaves out codes whose contribution to the gap is below this, percentage points
#: (float noise of equal shares; the marts hold contributions to about 1e-12 pp).
NEGLIGIBLE_PP = 1e-9
#: Figure 6: codes shown per gap side.
TOP_CODES = 10

#: SQL filter on ``year``: in the window (``$first``, ``$last``) and complete for the flow ``$flow``.
IN_WINDOW = f"year between $first and $last and year in {COMPLETE_YEARS}"
#: SQL filter on ``year`` of the balance: in the window and complete for both flows.
IN_BALANCE_WINDOW = f"year between $first and $last and year in {COMPLETE_BALANCE_YEARS}"


class FigureNotDrawn(ValueError):
    """A figure that has nothing to draw for options that are valid (figure 7 in a window without
    a year of both flows: the import history is not loaded, or not for these years); the message
    (one line) says why. The figure assets write no file for it and say so."""


def _billions(expression: str) -> str:
    """SQL for whole USD as exact USD billions, DECIMAL(18,9)."""
    return f"cast({expression} as decimal(18, 0)) * 0.000000001"


def _query(con: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, object]) -> pa.Table:
    """Run one figure query (named parameters, only those ``sql`` uses) into an Arrow table."""
    used = {name: value for name, value in parameters.items() if f"${name}" in sql}
    return con.execute(sql, used).to_arrow_table()


def _parameters(options: FigureOptions, first: int | None = None) -> dict[str, object]:
    return {
        "partner": options.partner.code,
        "definition": options.definition,
        "flow": options.flow,
        "first": options.years[0] if first is None else first,
        "last": options.years[1],
        "year": options.year,
    }


def _flow(options: FigureOptions) -> str:
    """The options' trade flow, the word in the money columns' names (``exports``, ``imports``);
    ``ValueError`` for another (options built by hand)."""
    if options.flow not in TRADE_FLOWS:
        raise ValueError(f"flow {options.flow!r} is not one of {', '.join(TRADE_FLOWS)}")
    return options.flow


def _not_empty(table: pa.Table, figure: int, options: FigureOptions) -> pa.Table:
    if table.num_rows == 0:
        partner, (first, last) = options.partner, options.years
        of = "" if options.flow == TRADE_FLOWS[0] else f"ATP {options.flow} from "
        raise ValueError(f"figure {figure}: no complete year of {of}{partner.name} ({partner.code}) in {first}-{last}")
    return table


def figure_1_table(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> pa.Table:
    """Figure 1 of the briefing (ATP exports to China by year), for the options' partner, flow and
    window: one row per complete year of ``fct_atp_growth`` (``hitech_code = 'all'``, any of its
    definitions: as_published, fixed_<base year>, chain_linked).

    Columns: ``year``, ``partner_code``, ``partner_name``, ``definition``; ATP exports to (imports
    from) the partner, the world and the rest of the world (``*_atp_exports_usd_billions``, or
    ``*_atp_imports_usd_billions``; USD billions, current dollars, DECIMAL(18,9)); their indexes
    (``*_index_first_year_100``, the window's first year = 100); ``partner_yoy_growth_pct`` (%,
    empty when the previous year is not shown); ``partner_share_of_world_pct`` (the partner's
    share of world ATP exports, or imports, %).
    Raises ``ValueError`` if the window holds no complete year of the partner.
    """
    flow = _flow(options)
    sql = f"""
        select year, partner_code, partner_name, definition,
               {_billions("partner_value_usd")} as partner_atp_{flow}_usd_billions,
               {_billions("world_value_usd")} as world_atp_{flow}_usd_billions,
               {_billions("rest_of_world_value_usd")} as rest_of_world_atp_{flow}_usd_billions,
               100 * partner_value_usd / first_value(partner_value_usd) over w as partner_index_first_year_100,
               100 * world_value_usd / first_value(world_value_usd) over w as world_index_first_year_100,
               100 * rest_of_world_value_usd / first_value(rest_of_world_value_usd) over w
                   as rest_of_world_index_first_year_100,
               case when lag(year) over w = year - 1 then 100 * partner_yoy_growth end as partner_yoy_growth_pct,
               100 * partner_value_usd / nullif(world_value_usd, 0) as partner_share_of_world_pct
        from fct_atp_growth
        where trade_flow = $flow and partner_code = $partner and definition = $definition and hitech_code = 'all'
            and {IN_WINDOW}
        window w as (order by year)
        order by year
    """
    return _not_empty(_query(con, sql, _parameters(options)), 1, options)


def figure_2_table(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> pa.Table:
    """Figure 2 of the briefing (composition of ATP exports to China by group over time), for the
    options' flow: one row per complete year of the window x ATP group of
    ``fct_specialization_gaps`` (definition as_published or fixed_<base year>):
    ``partner_exports_usd_billions`` (or ``partner_imports_usd_billions``; USD billions, exact)
    and ``partner_composition_share_pct`` (the group's share of ATP exports to, or imports from,
    the partner, %). Raises ``ValueError`` if the window holds no complete year of the partner."""
    flow = _flow(options)
    sql = f"""
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               {_billions("partner_value_usd")} as partner_{flow}_usd_billions,
               100 * partner_composition_share as partner_composition_share_pct
        from fct_specialization_gaps
        where trade_flow = $flow and partner_code = $partner and definition = $definition and {IN_WINDOW}
        order by year, hitech_code
    """
    return _not_empty(_query(con, sql, _parameters(options)), 2, options)


def figure_3_table(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> pa.Table:
    """Figure 3 of the briefing (shares of each group in ATP exports to China vs the rest of the
    world), for the options' flow: one row per ATP group for ``options.year``: ``partner_share_pct`` and
    ``rest_of_world_share_pct`` (%) and ``partner_minus_rest_of_world_pp`` (pp). Raises
    ``ValueError`` if the warehouse holds no row of the partner in that year."""
    sql = """
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               100 * partner_composition_share as partner_share_pct,
               100 * rest_of_world_composition_share as rest_of_world_share_pct,
               gap_pp as partner_minus_rest_of_world_pp
        from fct_specialization_gaps
        where trade_flow = $flow and partner_code = $partner and definition = $definition and year = $year
        order by hitech_code
    """
    return _not_empty(_query(con, sql, _parameters(options)), 3, options)


def figure_4_first_year(options: FigureOptions, first_year: int = WTO_ACCESSION_YEAR) -> int:
    """The first year of figure 4: ``first_year`` (2001, China's WTO accession, as in the
    briefing) or the window's first year if later; a window that ends before ``first_year`` is
    drawn whole."""
    first, last = options.years
    return max(first, first_year) if last >= first_year else first


def figure_4_table(
    con: duckdb.DuckDBPyConnection, options: FigureOptions, first_year: int = WTO_ACCESSION_YEAR
) -> pa.Table:
    """Figure 4 of the briefing (difference in export shares, China minus ROW, by group, since
    WTO accession), for the options' flow: one row per complete year of the window from :func:`figure_4_first_year` x
    ATP group: ``partner_minus_rest_of_world_pp``, the partner's composition share minus the rest
    of the world's (percentage points, ``gap_pp``). Raises ``ValueError`` if no year is left."""
    sql = f"""
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               gap_pp as partner_minus_rest_of_world_pp
        from fct_specialization_gaps
        where trade_flow = $flow and partner_code = $partner and definition = $definition and {IN_WINDOW}
        order by year, hitech_code
    """
    parameters = _parameters(options, figure_4_first_year(options, first_year))
    return _not_empty(_query(con, sql, parameters), 4, options)


def figure_5_table(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> pa.Table:
    """Figure 5 (not in the briefing: how much the ATP definition matters): one row per complete
    year of the window: ATP exports to (imports from, for the options' flow) the partner (all
    groups) under the three definitions,
    USD billions, exact (``as_published_usd_billions``, ``fixed_definition_usd_billions`` on one
    base year's list, ``chain_linked_usd_billions`` at the first year's level), and
    ``reclassification_effect_usd_billions``, as published minus fixed.

    The fixed series is ``options.definition`` if that is a ``fixed_<base year>``, else the
    warehouse's fixed definition (the latest base year if it holds several), named in
    ``fixed_definition``; when the warehouse holds none (the base year's list is not loaded), the
    fixed series and the effect are empty. Raises ``ValueError`` if the window holds no year."""
    published = "sum(partner_value_usd) filter (where definition = 'as_published')"
    fixed_sum = "sum(partner_value_usd) filter (where definition = (select definition from fixed))"
    chained = "sum(partner_value_usd) filter (where definition = 'chain_linked')"
    sql = f"""
        with fixed as (
            select case when $definition like 'fixed_%' then $definition
                        else (select max(definition) from fct_atp_growth
                              where trade_flow = $flow and definition like 'fixed_%')
                   end as definition
        )
        select year, partner_code, partner_name, (select definition from fixed) as fixed_definition,
               {_billions(published)} as as_published_usd_billions,
               {_billions(fixed_sum)} as fixed_definition_usd_billions,
               {_billions(chained)} as chain_linked_usd_billions,
               {_billions(f"{published} - {fixed_sum}")} as reclassification_effect_usd_billions
        from fct_atp_growth
        where trade_flow = $flow and partner_code = $partner and hitech_code = 'all' and {IN_WINDOW}
        group by year, partner_code, partner_name order by year
    """
    return _not_empty(_query(con, sql, _parameters(options)), 5, options)


FIGURE_6_SQL_TEMPLATE = """
    with gaps as (
        select hitech_code, group_name, gap_pp, partner_composition_share, rest_of_world_composition_share
        from fct_specialization_gaps
        where trade_flow = $flow and partner_code = $partner and definition = $definition and year = $year
    ),

    picked as (
        select 'positive' as gap_side, * from gaps where gap_pp > 0
        qualify row_number() over (order by gap_pp desc, hitech_code) = 1
        union all
        select 'negative' as gap_side, * from gaps where gap_pp < 0
        qualify row_number() over (order by gap_pp asc, hitech_code) = 1
    ),

    codes as (
        select picked.gap_side, picked.gap_pp,
               picked.partner_composition_share as group_partner_share,
               picked.rest_of_world_composition_share as group_rest_of_world_share,
               contributions.*,
               count(*) over (partition by contributions.hitech_code) as group_code_count,
               row_number() over (
                   partition by contributions.hitech_code
                   order by abs(contributions.contribution_pp) desc, contributions.hs10_code
               ) as contribution_rank
        from picked
        join fct_hs10_gap_contributions as contributions
            on contributions.hitech_code = picked.hitech_code
        where contributions.trade_flow = $flow and contributions.partner_code = $partner
            and contributions.definition = $definition and contributions.year = $year
            and abs(contributions.contribution_pp) > $negligible
    )

    select year, partner_code, partner_name, definition, gap_side, hitech_code, group_name,
           gap_pp as group_gap_pp,
           100 * group_partner_share as group_partner_share_pct,
           100 * group_rest_of_world_share as group_rest_of_world_share_pct,
           group_code_count, contribution_rank, hs10_code, hs10_description,
           BILLIONS_PARTNER as partner_FLOW_usd_billions,
           BILLIONS_REST as rest_of_world_FLOW_usd_billions,
           100 * partner_group_share as partner_group_share_pct,
           100 * rest_of_world_group_share as rest_of_world_group_share_pct,
           contribution_pp
    from codes
    where contribution_rank <= $top_n
    order by gap_pp desc, contribution_rank
""".replace("BILLIONS_PARTNER", _billions("partner_value_usd")).replace(
    "BILLIONS_REST", _billions("rest_of_world_value_usd")
)


def figure_6_sql(flow: str) -> str:
    """Figure 6's query, its money columns named for ``flow`` (``partner_exports_usd_billions``,
    ``partner_imports_usd_billions``); ``ValueError`` for another flow."""
    if flow not in TRADE_FLOWS:
        raise ValueError(f"flow {flow!r} is not one of {', '.join(TRADE_FLOWS)}")
    return FIGURE_6_SQL_TEMPLATE.replace("FLOW", flow)


def figure_6_table(con: duckdb.DuckDBPyConnection, options: FigureOptions, top_n: int = TOP_CODES) -> pa.Table:
    """Figure 6 (not in the briefing; its text on hard drives, blood fractions and airplanes):
    the products behind the partner's largest positive and largest negative group gap in
    ``options.year``: one row per side x HS10 code, the ``top_n`` codes of the group with the
    largest absolute contribution (codes that offset the gap included), from
    ``fct_hs10_gap_contributions``.

    Columns: ``gap_side`` (``positive``, ``negative``), the group, its gap (``group_gap_pp``, pp)
    and composition shares (``group_*_share_pct``, %), ``group_code_count`` (codes whose
    contribution is over :data:`NEGLIGIBLE_PP`), ``contribution_rank`` (1 = largest absolute
    contribution), the code and its description, exports to the partner and to the rest of the
    world (``*_exports_usd_billions``, or imports from them, ``*_imports_usd_billions``, for the
    options' flow; USD billions, exact), the code's share of the group's exports (imports) to
    each (%) and its ``contribution_pp`` (pp; the group's codes sum to its gap). A side without a
    gap of that sign is left out. Raises ``ValueError`` if no group has a gap that year."""
    parameters = {**_parameters(options), "top_n": top_n, "negligible": NEGLIGIBLE_PP}
    table = _query(con, figure_6_sql(_flow(options)), parameters)
    if table.num_rows == 0:
        partner = options.partner
        raise ValueError(f"figure 6: {partner.name} ({partner.code}) has no specialization gap in {options.year}")
    return table


def figure_7_table(con: duckdb.DuckDBPyConnection, options: FigureOptions) -> pa.Table:
    """Figure 7 (not in the briefing; Ferrantino, Koopman, Wang & Yinug 2008 compute ATP balances
    with China by group): the U.S. ATP trade balance with the partner and with the world, by ATP
    group and for all groups together, over the window, from ``fct_atp_trade_balance`` (the
    options' definition: as_published or fixed_<base year>; both flows whatever
    ``options.flow``).

    One row per year x ``hitech_code`` (``'01'``-``'10'``, then ``'all'``, group name ``All ATP
    groups``) for the complete years of both flows in the window. Columns: ``year``,
    ``partner_code``, ``partner_name``, ``definition``, ``hitech_code``, ``group_name``; for the
    partner and for the world: ATP exports (f.a.s.), ATP imports (general imports, customs value)
    and the balance, exports minus imports (``partner_exports_usd_billions``,
    ``partner_imports_usd_billions``, ``partner_balance_usd_billions``, ``world_...``; USD
    billions, current dollars, DECIMAL(18,9), exact; a negative balance is a deficit).
    Raises :class:`FigureNotDrawn` (a ``ValueError``) when the window holds no complete year of
    both flows (no import history loaded for it).
    """
    measures = ",\n               ".join(
        f"{_billions(f'{scope}_{measure}_usd')} as {scope}_{measure}_usd_billions"
        for scope in ("partner", "world")
        for measure in ("exports", "imports", "balance")
    )
    sql = f"""
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               {measures}
        from fct_atp_trade_balance
        where partner_code = $partner and definition = $definition and {IN_BALANCE_WINDOW}
        order by year, hitech_code
    """
    table = _query(con, sql, _parameters(options))
    if table.num_rows == 0:
        partner, (first, last) = options.partner, options.years
        raise FigureNotDrawn(
            f"figure 7: no year of {first}-{last} has complete ATP exports and imports for {partner.name} "
            f"({partner.code}): the balance needs both flows' histories loaded and complete (December records) for "
            "a year (int_trade_history_years)"
        )
    return table


TABLES = {
    1: figure_1_table,
    2: figure_2_table,
    3: figure_3_table,
    4: figure_4_table,
    5: figure_5_table,
    6: figure_6_table,
    7: figure_7_table,
}


def figure_table(con: duckdb.DuckDBPyConnection, number: int, options: FigureOptions) -> pa.Table:
    """The table of figure ``number`` (1-7) for ``options`` (see each ``figure_<n>_table``).
    Raises :class:`~orchestration.figures.options.FigureOptionError` for ``chain_linked`` in a
    figure that compares groups (2, 3, 4, 6, 7), :class:`FigureNotDrawn` for figure 7 without a
    year of both flows, ``KeyError`` for an unknown number."""
    table = TABLES[number]
    check_figure_definition(con, number, options.definition)
    return table(con, options)
