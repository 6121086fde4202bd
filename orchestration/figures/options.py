"""The options of a run of the figures, checked once before anything is drawn: the partner
(resolved against ``dim_partners``), the trade flow (exports or imports), the window of years,
the single year of figures 3 and 6 and the ATP definition. Every refusal is a
:class:`FigureOptionError` of one line that says what is valid; the figure tables then trust the
resolved :class:`FigureOptions` and never look the partner up again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import duckdb

from orchestration.partitions import parse_years
from orchestration.provenance import EXPORTS, IMPORTS, year_ranges

#: The partner of the briefing, and of every figure unless told otherwise: China.
DEFAULT_PARTNER = "5700"
AS_PUBLISHED = "as_published"
CHAIN_LINKED = "chain_linked"
#: The trade flows a figure of one flow (1-6) draws: ``exports`` (f.a.s. exports to the country of
#: destination, the default) or ``imports`` (general imports at customs value from the country of
#: origin); the marts' ``trade_flow``.
TRADE_FLOWS = (EXPORTS, IMPORTS)
DEFAULT_FLOW = EXPORTS
#: Figure number -> the name part of its asset, and of its files when it draws exports or both
#: flows (``figure_<n>_<name>_<partner>...``).
FIGURE_NAMES = {
    1: "atp_exports",
    2: "composition",
    3: "composition_shares",
    4: "specialization_gaps",
    5: "atp_definitions",
    6: "gap_products",
    7: "trade_balance",
}
#: Figure number -> the name part of its files when it draws imports (figures of one flow only).
IMPORT_FIGURE_NAMES = {
    1: "atp_imports",
    2: "imports_composition",
    3: "imports_composition_shares",
    4: "imports_specialization_gaps",
    5: "imports_atp_definitions",
    6: "imports_gap_products",
}
#: Figures drawn for one year (``FigureOptions.year``); the others draw the window.
YEAR_FIGURES = (3, 6)
#: Figures of ATP totals, the only ones that take the chain-linked definition.
TOTAL_FIGURES = (1, 5)
#: Figures of both flows (the trade balance), drawn alike whatever the flow setting.
BALANCE_FIGURES = (7,)
#: SQL: the years the figures of one flow may show, those whose history of the flow ``$flow`` is
#: complete.
COMPLETE_YEARS = "(select year from int_trade_history_years where trade_flow = $flow and is_complete_year)"
#: SQL: the years the balance may show, those whose export and import histories are both complete.
COMPLETE_BALANCE_YEARS = (
    "(select year from int_trade_history_years where is_complete_year and trade_flow in ('exports', 'imports') "
    "group by year having count(distinct trade_flow) = 2)"
)


class FigureOptionError(ValueError):
    """A partner, flow, window, year or definition the warehouse does not hold; ``option`` names
    which (``"partner"``, ``"flow"``, ``"years"``, ``"year"``, ``"definition"``), the message (one
    line) says what is valid."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class Partner(NamedTuple):
    """A row of ``dim_partners``: ``code`` (Schedule C code, or a group code such as ``CN_HK``)
    and ``name`` (``"Japan"``, ``"China + Hong Kong"``)."""

    code: str
    name: str


@dataclass(frozen=True)
class FigureOptions:
    """The resolved options of a run of the figures (:func:`resolve_figure_options`).

    ``partner``: the ``dim_partners`` row; ``years``: the window (first, last) that figures 1, 2,
    4 and 5 draw; ``year``: the single year of figures 3 and 6 (in the window); ``definition``:
    ``as_published``, ``fixed_<base year>`` (or ``chain_linked``, figures 1 and 5 only);
    ``years_given``: whether the window was asked for (it is then in the file names);
    ``members``: the member countries of a partner group (empty for a country), for the caption;
    ``flow``: the trade flow figures 1-6 draw, ``exports`` or ``imports`` (figure 7 draws both).
    """

    partner: Partner
    years: tuple[int, int]
    year: int
    definition: str
    years_given: bool
    members: tuple[Partner, ...] = ()
    flow: str = DEFAULT_FLOW


def resolve_partner(con: duckdb.DuckDBPyConnection, text: str) -> Partner:
    """The ``dim_partners`` row named by ``text``: a partner code (``"5880"``, ``"cn_hk"``) or an
    exact partner name, both case-insensitive (``"japan"``, ``"China + Hong Kong"``).

    Raises :class:`FigureOptionError` (``option="partner"``; one line: a few valid examples, and
    where the full list is) for an unknown partner, or for a name that several partners carry.
    """
    wanted = str(text).strip()
    by_code = con.execute(
        "select partner_code, partner_name from dim_partners where upper(partner_code) = upper(?)", [wanted]
    ).fetchall()
    if by_code:
        return Partner(*by_code[0])
    by_name = con.execute(
        "select partner_code, partner_name from dim_partners where lower(partner_name) = lower(?) order by 1",
        [wanted],
    ).fetchall()
    if len(by_name) == 1:
        return Partner(*by_name[0])
    if by_name:
        codes = ", ".join(code for code, _ in by_name)
        raise FigureOptionError("partner", f"partner {text!r} names {len(by_name)} partners ({codes}): give the code")
    examples = con.execute(
        """
        select partner_code || ' ' || partner_name from dim_partners
        order by partner_code not in ('5700', '5880', 'CN_HK'), partner_kind = 'country', partner_code limit 3
    """
    ).fetchall()
    count = con.execute("select count(*) from dim_partners").fetchone()[0]
    raise FigureOptionError(
        "partner",
        f"unknown partner {text!r}: give a code or an exact name, e.g. {', '.join(e[0] for e in examples)} "
        f"(all {count}: select partner_code, partner_name from dim_partners)",
    )


def group_members(con: duckdb.DuckDBPyConnection, partner: Partner) -> tuple[Partner, ...]:
    """The member countries of a partner group (``CN_HK`` -> China 5700, Hong Kong 5820), by
    code, from the bridge ``dim_partner_members``; empty for a country."""
    rows = con.execute(
        """
        select m.partner_code, m.partner_name
        from dim_partners g
        join dim_partner_members b on b.partner_code = g.partner_code
        join dim_partners m on m.partner_code = b.cty_code and m.partner_kind = 'country'
        where g.partner_code = ? and g.partner_kind = 'group'
        order by m.partner_code
    """,
        [partner.code],
    ).fetchall()
    return tuple(Partner(*row) for row in rows)


def held_definitions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The definitions the group marts hold: ``as_published`` and each ``fixed_<base year>``."""
    return [r[0] for r in con.execute("select distinct definition from fct_specialization_gaps order by 1").fetchall()]


def refuse_definition(con: duckdb.DuckDBPyConnection, definition: str, figure: int | None = None) -> None:
    """Raise :class:`FigureOptionError` (``option="definition"``, one line: the valid
    definitions) for ``definition``; ``figure`` prefixes the message (``"figure 3: "``)."""
    note = " (chain_linked exists for ATP totals only: figures 1 and 5)" if definition == CHAIN_LINKED else ""
    prefix = f"figure {figure}: " if figure else ""
    valid = ", ".join(held_definitions(con))
    raise FigureOptionError("definition", f"{prefix}definition {definition!r} is not one of {valid}{note}")


def check_figure_definition(con: duckdb.DuckDBPyConnection, number: int, definition: str) -> None:
    """Refuse ``chain_linked`` for the figures that compare groups (2, 3, 4, 6): the chain-linked
    series exists for ATP totals only. Queries the warehouse only to word the refusal."""
    if definition == CHAIN_LINKED and number not in TOTAL_FIGURES:
        refuse_definition(con, definition, number)


def check_flow(flow: str) -> str:
    """``flow`` if it is one of :data:`TRADE_FLOWS`, else :class:`FigureOptionError`
    (``option="flow"``, one line naming the valid flows)."""
    if flow not in TRADE_FLOWS:
        raise FigureOptionError("flow", f"flow {flow!r} is not one of {', '.join(TRADE_FLOWS)}")
    return flow


def valid_years(
    con: duckdb.DuckDBPyConnection, partner: str, definition: str = AS_PUBLISHED, flow: str = DEFAULT_FLOW
) -> list[int]:
    """The complete years (of the ``flow``'s history) ``fct_specialization_gaps`` holds for a
    partner code, definition and trade flow."""
    rows = con.execute(
        f"""
        select distinct year from fct_specialization_gaps
        where trade_flow = $flow and partner_code = $partner and definition = $definition
            and year in {COMPLETE_YEARS}
        order by 1
    """,
        {"flow": flow, "partner": partner, "definition": definition},
    ).fetchall()
    return [r[0] for r in rows]


def history_name(flow: str) -> str:
    """``"export history"`` or ``"import history"``: the input whose months make a year of
    ``flow`` complete."""
    return f"{flow.removesuffix('s')} history"


def incomplete_years(con: duckdb.DuckDBPyConnection, flow: str = DEFAULT_FLOW) -> dict[int, int]:
    """Loaded years whose history of ``flow`` is incomplete -> the last month it holds."""
    rows = con.execute(
        "select year, last_stat_month from int_trade_history_years "
        "where trade_flow = $flow and not is_complete_year order by year",
        {"flow": flow},
    ).fetchall()
    return dict(rows)


def _why_not(years: list[int], incomplete: dict[int, int], flow: str = DEFAULT_FLOW) -> str:
    """``"2009 is incomplete (export history through month 6)"`` / ``"1995-1999 are not in the
    warehouse"``, joined by ``"; "``."""
    parts = [
        f"{year} is incomplete ({history_name(flow)} through month {incomplete[year]})"
        for year in years
        if year in incomplete
    ]
    absent = [year for year in years if year not in incomplete]
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        parts.append(f"{year_ranges(absent)} {verb} not in the warehouse")
    return "; ".join(parts)


def _valid_for(partner: Partner, flow: str) -> str:
    """``"valid years for Japan"``; for imports ``"valid years of imports from Japan"``."""
    return f"valid years for {partner.name}" if flow == EXPORTS else f"valid years of {flow} from {partner.name}"


def _window(
    con: duckdb.DuckDBPyConnection, spec: str | None, valid: list[int], partner: Partner, flow: str = DEFAULT_FLOW
) -> tuple[int, int]:
    """The window (first, last) asked for by ``spec`` (``"2000-2008"``, ``"2008"``; ``None``:
    every complete year held), which must be one range of complete years held for the partner
    and ``flow``."""
    if spec is None:
        return valid[0], valid[-1]
    hint = f"{_valid_for(partner, flow)}: {year_ranges(valid)}"
    try:
        asked = parse_years(str(spec))
    except ValueError as error:
        raise FigureOptionError("years", f"{error}; {hint}") from error
    if asked != list(range(asked[0], asked[-1] + 1)):
        raise FigureOptionError("years", f"years {spec!r} is not one range of years (e.g. 2000-2008); {hint}")
    missing = [year for year in asked if year not in valid]
    if missing:
        why = _why_not(missing, incomplete_years(con, flow), flow)
        raise FigureOptionError("years", f"years {spec!r}: {why}; {hint}")
    return asked[0], asked[-1]


def _year(
    con: duckdb.DuckDBPyConnection,
    year: int | None,
    window: tuple[int, int],
    valid: list[int],
    partner: Partner,
    flow: str = DEFAULT_FLOW,
) -> int:
    """The single year of figures 3 and 6: ``year``, or the window's last year; it must be a
    complete year held for the partner and ``flow`` and lie in the window."""
    if year is None:
        return window[1]
    year = int(year)
    if year not in valid:
        why = _why_not([year], incomplete_years(con, flow), flow).removeprefix(f"{year} ")
        raise FigureOptionError("year", f"year {year} {why}; {_valid_for(partner, flow)}: {year_ranges(valid)}")
    if not window[0] <= year <= window[1]:
        inside = [y for y in valid if window[0] <= y <= window[1]]
        drawn = f"{window[0]}-{window[1]}"
        raise FigureOptionError(
            "year", f"year {year} is outside the years drawn, {drawn}; valid years: {year_ranges(inside)}"
        )
    return year


def resolve_figure_options(
    con: duckdb.DuckDBPyConnection,
    partner: str = DEFAULT_PARTNER,
    years: str | None = None,
    year: int | None = None,
    definition: str = AS_PUBLISHED,
    flow: str = DEFAULT_FLOW,
) -> FigureOptions:
    """Check the options of a run of the figures before anything is drawn, and resolve them
    once: the partner (a code or an exact name, :func:`resolve_partner`) and its group members;
    the trade ``flow`` of figures 1-6 (``exports``, default, or ``imports``; its years are those
    whose history of that flow is complete; figure 7 draws both flows over the same window);
    the definition (one the group marts hold: ``as_published`` or ``fixed_<base year>``;
    ``chain_linked`` is refused, it exists for figures 1 and 5 only); the window ``years``
    (``"2000-2008"`` or ``"2008"``, one contiguous range of complete years held for the partner
    and definition; default ``None``: every complete year held, "complete" as in
    ``int_trade_history_years.is_complete_year``); the ``year`` of figures 3 and 6 (in the
    window; default: the window's last year).

    Returns a :class:`FigureOptions`; raises :class:`FigureOptionError` (a ``ValueError``) whose
    ``option`` is ``"partner"``, ``"flow"``, ``"years"``, ``"year"`` or ``"definition"`` and whose
    message is one line saying what is valid (e.g. ``year 2009 is incomplete (export history
    through month 6); valid years for Japan: 2007-2008``; ``flow 'imports': the warehouse holds
    no complete year of ATP imports (no import history loaded)``).
    """
    check_flow(flow)
    found = resolve_partner(con, partner)
    if definition not in held_definitions(con):
        refuse_definition(con, definition)
    valid = valid_years(con, found.code, definition, flow)
    if not valid:
        if flow != DEFAULT_FLOW and not _flow_held(con, flow):
            raise FigureOptionError(
                "flow",
                f"flow {flow!r}: the warehouse holds no complete year of ATP {flow} "
                f"(no {history_name(flow)} loaded); valid flows here: {DEFAULT_FLOW}",
            )
        raise FigureOptionError("partner", f"no complete year of {_of(found, flow)} in the warehouse")
    window = _window(con, years, valid, found, flow)
    return FigureOptions(
        partner=found,
        years=window,
        year=_year(con, year, window, valid, found, flow),
        definition=definition,
        years_given=years is not None,
        members=group_members(con, found),
        flow=flow,
    )


def _flow_held(con: duckdb.DuckDBPyConnection, flow: str) -> bool:
    """Whether any year of ``flow``'s history is complete in the warehouse."""
    return bool(
        con.execute(
            "select count(*) from int_trade_history_years where trade_flow = $flow and is_complete_year",
            {"flow": flow},
        ).fetchone()[0]
    )


def _of(partner: Partner, flow: str) -> str:
    """``"Japan (5880)"``; for imports ``"ATP imports from Japan (5880)"``."""
    named = f"{partner.name} ({partner.code})"
    return named if flow == EXPORTS else f"ATP {flow} from {named}"
