"""The figures, for any partner: the briefing's four (figure-ready tables from the marts, and their
charts), a fifth that shows ATP exports under the three ATP definitions, and a sixth that shows
the HS10 products behind the partner's largest positive and negative specialization gaps.

Source of the figures: Hammer, Koopman & Martinez, "U.S. Exports of Advanced Technology Products
to China", USITC executive briefing (2009), figures 1-4, drawn here for any partner of
``dim_partners`` (a Schedule C country or a partner group such as ``CN_HK``, China + Hong Kong;
default 5700, China). Every table carries a ``data_origin`` column and every chart a caption saying
which inputs are real Census data and which SYNTHETIC (:func:`orchestration.provenance.caption`).

Money stays exact: tables are Arrow tables straight from DuckDB, USD billions as DECIMAL(18,9)
(whole dollars), written as such to Parquet and CSV; only the charts draw floats. Years whose
export history is incomplete (``int_export_history_years``) are left out, and the caption says so.
Charts are written as PNG (:data:`PNG_DPI`) and SVG.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import duckdb

# matplotlib's font cache and settings live in the project, not under ~ (one instance, no setup)
os.environ.setdefault("MPLCONFIGDIR", str(Path(__file__).resolve().parent.parent / "warehouse" / ".matplotlib"))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from orchestration.provenance import caption, year_ranges  # noqa: E402

#: Years the figures show: those whose export history is complete.
COMPLETE_YEARS = "(select year from int_export_history_years where is_complete_year)"
#: The partner of the briefing, and of every figure unless told otherwise: China.
DEFAULT_PARTNER = "5700"
AS_PUBLISHED = "as_published"
CHAIN_LINKED = "chain_linked"
#: Resolution of the PNG charts (an SVG is written beside each).
PNG_DPI = 150


def file_mode(target: Path) -> int:
    """Mode of a written file: the mode ``target`` already has, else ``0666 & ~umask`` (what
    ``open()`` gives a new file; not mkstemp's 0600)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


#: Figure number -> the name part of its files and asset (``figure_<n>_<name>_<partner>...``).
FIGURE_NAMES = {
    1: "atp_exports",
    2: "composition",
    3: "composition_shares",
    4: "specialization_gaps",
    5: "atp_definitions",
    6: "gap_products",
}
#: Figure 6 leaves out codes whose contribution to the gap is below this, percentage points
#: (float noise of equal shares; the marts hold contributions to about 1e-12 pp).
NEGLIGIBLE_PP = 1e-9
#: Figures drawn for one year (the year is in their file name).
YEAR_FIGURES = (3, 6)

PARTNER_COLOR = "#b22222"
REST_OF_WORLD_COLOR = "#1f4e79"
WORLD_COLOR = "#333333"


class FigureOptionError(ValueError):
    """A partner, year or definition the warehouse does not hold; ``option`` names which
    (``"partner"``, ``"year"``, ``"definition"``), the message (one line) says what is valid."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class Partner(NamedTuple):
    """A row of ``dim_partners``: ``code`` (Schedule C code, or a group code such as ``CN_HK``)
    and ``name`` (``"Japan"``, ``"China + Hong Kong"``)."""

    code: str
    name: str


def _billions(expression: str) -> str:
    """SQL for whole USD as exact USD billions, DECIMAL(18,9)."""
    return f"cast({expression} as decimal(18, 0)) * 0.000000001"


def slug(text: str) -> str:
    """A file-name part: ASCII lower case, runs of other characters as one ``_``
    (``"China + Hong Kong"`` -> ``"china_hong_kong"``, ``"Côte d'Ivoire"`` -> ``"cote_d_ivoire"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def resolve_partner(con: duckdb.DuckDBPyConnection, text: str) -> Partner:
    """The ``dim_partners`` row named by ``text``: a partner code (``"5880"``, ``"cn_hk"``) or an
    exact partner name, both case-insensitive (``"japan"``, ``"China + Hong Kong"``).

    Raises ``ValueError`` (one line: a few valid examples, and where the full list is) for an
    unknown partner, or for a name that several partners carry.
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


def definition_label(definition: str) -> str:
    """Words for a definition: ``"as published"``, ``"fixed 2008 ATP list"``, ``"chain-linked"``."""
    if definition.startswith("fixed_"):
        return f"fixed {definition.removeprefix('fixed_')} ATP list"
    return {AS_PUBLISHED: "as published", CHAIN_LINKED: "chain-linked"}.get(definition, definition)


def _prefix(figure: int | None) -> str:
    return f"figure {figure}: " if figure else ""


def _check_definition(con: duckdb.DuckDBPyConnection, figure: int | None, relation: str, definition: str) -> None:
    """Raise ``ValueError`` (one line, the valid definitions) unless ``relation`` holds ``definition``."""
    valid = [r[0] for r in con.execute(f"select distinct definition from {relation} order by 1").fetchall()]
    if definition not in valid:
        note = " (chain_linked exists for ATP totals only: figures 1 and 5)" if definition == CHAIN_LINKED else ""
        raise FigureOptionError(
            "definition", f"{_prefix(figure)}definition {definition!r} is not one of {', '.join(valid)}{note}"
        )


def valid_years(con: duckdb.DuckDBPyConnection, partner: str, definition: str = AS_PUBLISHED) -> list[int]:
    """The complete years ``fct_specialization_gaps`` holds for a partner code and definition."""
    return [
        r[0]
        for r in con.execute(
            f"""
            select distinct year from fct_specialization_gaps
            where partner_code = ? and definition = ? and year in {COMPLETE_YEARS} order by 1
        """,
            [partner, definition],
        ).fetchall()
    ]


def _check_year(
    con: duckdb.DuckDBPyConnection, figure: int | None, partner: Partner, year: int | None, definition: str
) -> int:
    """``year``, or the latest complete year when ``None``; ``ValueError`` (one line, the valid
    years) if the year is not in the warehouse for this partner or is incomplete."""
    years = valid_years(con, partner.code, definition)
    if not years:
        raise FigureOptionError(
            "partner", f"{_prefix(figure)}no complete year of {partner.name} ({partner.code}) in the warehouse"
        )
    if year is None:
        return years[-1]
    if int(year) in years:
        return int(year)
    incomplete = con.execute(
        "select last_stat_month from int_export_history_years where year = ? and not is_complete_year", [year]
    ).fetchone()
    why = f"is incomplete (export history through month {incomplete[0]})" if incomplete else "is not in the warehouse"
    raise FigureOptionError(
        "year", f"{_prefix(figure)}year {year} {why}; valid years for {partner.name}: {year_ranges(years)}"
    )


def validate_figure_options(
    con: duckdb.DuckDBPyConnection,
    partner: str = DEFAULT_PARTNER,
    year: int | None = None,
    definition: str = AS_PUBLISHED,
) -> Partner:
    """Check the options of a run of all six figures before it starts: the partner is resolved
    (:func:`resolve_partner`), the definition must be one of the specialization marts
    (``as_published``, ``fixed_<base year>``), the year a complete year of that partner.
    Returns the partner; raises :class:`FigureOptionError` (a ``ValueError``) with one line
    saying what is valid."""
    found = resolve_partner(con, partner)
    _check_definition(con, None, "fct_specialization_gaps", definition)
    if year is not None:
        _check_year(con, None, found, year, definition)
    return found


def data_origin(con: duckdb.DuckDBPyConnection) -> str:
    """``"synthetic sample"`` if any fact row comes from synthetic input, else ``"census"``."""
    synthetic = con.execute("select coalesce(bool_or(is_synthetic), false) from fct_atp_exports").fetchone()[0]
    return "synthetic sample" if synthetic else "census"


def figure_caption(con: duckdb.DuckDBPyConnection, partner: str | None = None) -> str:
    """The caption of every chart: which inputs of the years shown are real and which SYNTHETIC
    (:func:`orchestration.provenance.caption`), which loaded years are left out as incomplete,
    and, for a partner group, its member countries."""
    shown = [r[0] for r in con.execute(f"select year from {COMPLETE_YEARS} order by 1").fetchall()]
    text = caption(con, shown)
    left_out = con.execute(
        "select year, last_stat_month from int_export_history_years where not is_complete_year order by year"
    ).fetchall()
    if left_out:
        text += (
            " Left out as incomplete: "
            + ", ".join(f"{year} (export history through month {month})" for year, month in left_out)
            + "."
        )
    if partner is not None:
        group = con.execute(
            """
            select g.partner_name, string_agg(m.partner_name || ' ' || m.partner_code, ' + ' order by m.partner_code)
            from dim_partners g
            join dim_partners m on m.partner_kind = 'country'
                and list_contains(string_split(g.member_cty_codes, ' '), m.partner_code)
            where upper(g.partner_code) = upper(?) and g.partner_kind = 'group'
            group by g.partner_name
        """,
            [partner],
        ).fetchone()
        if group:
            text += f" {group[0]} = {group[1]} (Schedule C codes)."
    return text


def figure_1_table(
    con: duckdb.DuckDBPyConnection, partner: str = DEFAULT_PARTNER, definition: str = AS_PUBLISHED
) -> pa.Table:
    """One row per complete year: ATP exports (all groups, ``fct_atp_growth`` ``hitech_code =
    'all'``) to the partner, to the world and to the rest of the world (USD billions, exact
    decimals), their indexes (the partner's first year = 100) and the partner's year-over-year
    growth (%, empty when the previous year is not shown). ``definition``: any of
    ``fct_atp_growth`` (as_published, fixed_<base year>, chain_linked)."""
    found = resolve_partner(con, partner)
    _check_definition(con, 1, "fct_atp_growth", definition)
    table = con.execute(
        f"""
        select year, partner_code, partner_name, definition,
               {_billions("partner_value_usd")} as partner_atp_exports_usd_billions,
               {_billions("world_value_usd")} as world_atp_exports_usd_billions,
               {_billions("rest_of_world_value_usd")} as rest_of_world_atp_exports_usd_billions,
               partner_index_first_year_100,
               world_index_first_year_100,
               rest_of_world_index_first_year_100,
               case when lag(year) over (order by year) = year - 1 then 100 * partner_yoy_growth
               end as partner_yoy_growth_pct
        from fct_atp_growth
        where partner_code = ? and definition = ? and hitech_code = 'all' and year in {COMPLETE_YEARS}
        order by year
    """,
        [found.code, definition],
    ).to_arrow_table()
    return _not_empty(table, 1, found)


def _not_empty(table: pa.Table, figure: int, partner: Partner) -> pa.Table:
    if table.num_rows == 0:
        raise ValueError(f"figure {figure}: no complete year of {partner.name} ({partner.code}) in the warehouse")
    return table


def figure_2_table(
    con: duckdb.DuckDBPyConnection, partner: str = DEFAULT_PARTNER, definition: str = AS_PUBLISHED
) -> pa.Table:
    """One row per complete year x ATP group: exports to the partner (USD billions) and the
    group's share of them (%), from ``fct_specialization_gaps`` (``definition`` as_published or
    fixed_<base year>; ``ValueError`` otherwise)."""
    found = resolve_partner(con, partner)
    _check_definition(con, 2, "fct_specialization_gaps", definition)
    table = con.execute(
        f"""
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               {_billions("partner_value_usd")} as partner_exports_usd_billions,
               100 * partner_composition_share as partner_composition_share_pct
        from fct_specialization_gaps
        where partner_code = ? and definition = ? and year in {COMPLETE_YEARS}
        order by year, hitech_code
    """,
        [found.code, definition],
    ).to_arrow_table()
    return _not_empty(table, 2, found)


def figure_3_table(
    con: duckdb.DuckDBPyConnection,
    partner: str = DEFAULT_PARTNER,
    year: int | None = None,
    definition: str = AS_PUBLISHED,
) -> pa.Table:
    """One row per ATP group for ``year`` (default: the latest complete year): the group's share
    (%) of ATP exports to the partner and to the rest of the world, and their difference (pp).
    Raises ``ValueError`` (one line, the valid years) if the year is not in the warehouse for
    the partner or is incomplete, and for a definition other than as_published/fixed_<base year>."""
    found = resolve_partner(con, partner)
    _check_definition(con, 3, "fct_specialization_gaps", definition)
    year = _check_year(con, 3, found, year, definition)
    return con.execute(
        """
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               100 * partner_composition_share as partner_share_pct,
               100 * rest_of_world_composition_share as rest_of_world_share_pct,
               gap_pp as partner_minus_rest_of_world_pp
        from fct_specialization_gaps
        where partner_code = ? and definition = ? and year = ?
        order by hitech_code
    """,
        [found.code, definition, year],
    ).to_arrow_table()


def figure_4_table(
    con: duckdb.DuckDBPyConnection,
    partner: str = DEFAULT_PARTNER,
    definition: str = AS_PUBLISHED,
    first_year: int = 2001,
) -> pa.Table:
    """One row per complete year (from ``first_year``: 2001, China's WTO accession, as in the
    briefing) x ATP group: the partner's composition share minus the rest of the world's,
    percentage points (``gap_pp``)."""
    found = resolve_partner(con, partner)
    _check_definition(con, 4, "fct_specialization_gaps", definition)
    table = con.execute(
        f"""
        select year, partner_code, partner_name, definition, hitech_code, group_name,
               gap_pp as partner_minus_rest_of_world_pp
        from fct_specialization_gaps
        where partner_code = ? and definition = ? and year >= ? and year in {COMPLETE_YEARS}
        order by year, hitech_code
    """,
        [found.code, definition, first_year],
    ).to_arrow_table()
    return _not_empty(table, 4, found)


def figure_5_table(
    con: duckdb.DuckDBPyConnection, partner: str = DEFAULT_PARTNER, definition: str = AS_PUBLISHED
) -> pa.Table:
    """One row per complete year: ATP exports to the partner (all groups) under the three
    definitions, USD billions (as published, fixed base-year list, chain-linked at the first
    year's level), and the reclassification effect, as published minus fixed, USD billions.

    The fixed series is ``definition`` if that is a ``fixed_<base year>`` of ``fct_atp_growth``,
    else the warehouse's fixed definition (the latest base year if it holds several); when the
    warehouse holds none (the base year's list is not loaded), the fixed series and the effect
    are empty."""
    found = resolve_partner(con, partner)
    _check_definition(con, 5, "fct_atp_growth", definition)
    fixed = (
        definition
        if definition.startswith("fixed_")
        else con.execute("select max(definition) from fct_atp_growth where definition like 'fixed_%'").fetchone()[0]
    )
    published = "sum(partner_value_usd) filter (where definition = 'as_published')"
    fixed_sum = "sum(partner_value_usd) filter (where definition = cast($fixed as varchar))"
    chained = "sum(partner_value_usd) filter (where definition = 'chain_linked')"
    table = con.execute(
        f"""
        select year, partner_code, partner_name, cast($fixed as varchar) as fixed_definition,
               {_billions(published)} as as_published_usd_billions,
               {_billions(fixed_sum)} as fixed_definition_usd_billions,
               {_billions(chained)} as chain_linked_usd_billions,
               {_billions(f"{published} - {fixed_sum}")} as reclassification_effect_usd_billions
        from fct_atp_growth
        where partner_code = $partner and hitech_code = 'all' and year in {COMPLETE_YEARS}
        group by year, partner_code, partner_name order by year
    """,
        {"fixed": fixed, "partner": found.code},
    ).to_arrow_table()
    return _not_empty(table, 5, found)


def figure_6_table(
    con: duckdb.DuckDBPyConnection,
    partner: str = DEFAULT_PARTNER,
    year: int | None = None,
    definition: str = AS_PUBLISHED,
    top_n: int = 10,
) -> pa.Table:
    """The products behind the partner's largest positive and largest negative group gap in
    ``year`` (default: the latest complete year): one row per side x HS10 code, the ``top_n``
    codes of the group with the largest absolute contribution (codes that offset the gap
    included), from ``fct_hs10_gap_contributions``.

    Columns: the side (``positive``, ``negative``), the group, its gap and its composition shares
    (%), ``group_code_count`` (codes whose contribution is over :data:`NEGLIGIBLE_PP`), ``contribution_rank`` (1 =
    largest absolute contribution), the code and its description, exports to the partner and to
    the rest of the world (USD billions), the code's share of the group's exports to each (%)
    and its ``contribution_pp`` (the group's codes sum to its gap). A side without a gap of that
    sign is left out. ``ValueError`` as for :func:`figure_3_table`, or if no group has a gap.
    """
    found = resolve_partner(con, partner)
    _check_definition(con, 6, "fct_specialization_gaps", definition)
    year = _check_year(con, 6, found, year, definition)
    table = con.execute(
        f"""
        with gaps as (
            select hitech_code, group_name, gap_pp, partner_composition_share, rest_of_world_composition_share
            from fct_specialization_gaps
            where partner_code = $partner and definition = $definition and year = $year
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
            where contributions.partner_code = $partner and contributions.definition = $definition
                and contributions.year = $year and abs(contributions.contribution_pp) > $negligible
        )

        select year, partner_code, partner_name, definition, gap_side, hitech_code, group_name,
               gap_pp as group_gap_pp,
               100 * group_partner_share as group_partner_share_pct,
               100 * group_rest_of_world_share as group_rest_of_world_share_pct,
               group_code_count, contribution_rank, hs10_code, hs10_description,
               {_billions("partner_value_usd")} as partner_exports_usd_billions,
               {_billions("rest_of_world_value_usd")} as rest_of_world_exports_usd_billions,
               100 * partner_group_share as partner_group_share_pct,
               100 * rest_of_world_group_share as rest_of_world_group_share_pct,
               contribution_pp
        from codes
        where contribution_rank <= $top_n
        order by gap_pp desc, contribution_rank
    """,
        {"partner": found.code, "definition": definition, "year": year, "top_n": top_n, "negligible": NEGLIGIBLE_PP},
    ).to_arrow_table()
    if table.num_rows == 0:
        raise ValueError(f"figure 6: {found.name} ({found.code}) has no specialization gap in {year}")
    return table


def chart_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as a pandas frame for drawing: decimal columns become floats (charts only;
    the exported tables keep the exact decimals)."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            frame[field.name] = frame[field.name].astype(float)
    return frame


def _wrap(text: str, fig: plt.Figure, fontsize: float) -> str:
    """``text`` wrapped to the figure's width at ``fontsize`` points (about 0.55 em a character),
    its lines balanced (no lone last word)."""
    width = int(fig.get_figwidth() * 72 * 0.94 / (0.55 * fontsize))
    out = []
    for part in text.split("\n"):
        lines = len(textwrap.wrap(part, width)) or 1
        balanced = -(-len(part) // lines)
        while len(textwrap.wrap(part, balanced)) > lines:
            balanced += 1
        out.append(textwrap.fill(part, balanced))
    return "\n".join(out)


def _finish(fig: plt.Figure, title: str, caption: str) -> plt.Figure:
    """Title on top, the data caption at the bottom, both wrapped to the figure's width; the
    constrained layout keeps them clear of the axes, their labels and legends."""
    fig.suptitle(_wrap(title, fig, 12.5), fontsize=12)
    fig.supxlabel(_wrap(caption, fig, 7), x=0.01, ha="left", fontsize=7, color="#444444")
    return fig


def _year_axis(ax: plt.Axes, years: list[int]) -> None:
    """Every year as a tick, rotated when there are too many to fit side by side."""
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 12 else 0)
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def _name(table: pd.DataFrame) -> str:
    return str(table["partner_name"].iloc[0])


def _definition_note(table: pd.DataFrame) -> str:
    definition = str(table["definition"].iloc[0]) if "definition" in table else AS_PUBLISHED
    return "" if definition == AS_PUBLISHED else f" ({definition_label(definition)})"


def chart_1(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 1 chart from :func:`figure_1_table`, two panels on one year axis: the partner's
    bars on top, world and rest-of-world lines below, each panel with its own USD billions scale."""
    table = chart_frame(table)
    name, years = _name(table), table["year"].tolist()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True, layout="constrained")
    top.bar(years, table["partner_atp_exports_usd_billions"], width=0.7, color=PARTNER_COLOR, label=name)
    top.set_ylabel(f"To {name},\nUSD billions")
    top.set_title(f"ATP exports to {name}", fontsize=10, loc="left")
    bottom.plot(years, table["world_atp_exports_usd_billions"], color=WORLD_COLOR, marker="o", label="World")
    bottom.plot(
        years,
        table["rest_of_world_atp_exports_usd_billions"],
        color=REST_OF_WORLD_COLOR,
        marker="s",
        markersize=4,
        linestyle="--",
        label=f"Rest of world (world minus {name})",
    )
    bottom.set_ylim(bottom=0)
    bottom.set_ylabel("To the world and the rest\nof the world, USD billions")
    bottom.set_title("ATP exports to the world and to the rest of the world", fontsize=10, loc="left")
    bottom.legend(loc="lower right", fontsize=8)
    bottom.set_xlabel("Year")
    _year_axis(bottom, years)
    for ax in (top, bottom):
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return _finish(fig, f"Figure 1. U.S. ATP exports to {name}, USD billions{_definition_note(table)}", caption)


def chart_2(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 2 chart from :func:`figure_2_table`: stacked composition shares (%) of ATP exports
    to the partner, one bar per year."""
    table = chart_frame(table)
    name = _name(table)
    pivot = table.pivot(index="year", columns="group_name", values="partner_composition_share_pct").fillna(0)
    order = table.drop_duplicates("group_name").sort_values("hitech_code")["group_name"]
    pivot = pivot[[g for g in order if g in pivot.columns]]
    fig, ax = plt.subplots(figsize=(10, 5.8), layout="constrained")
    bottom = pd.Series(0.0, index=pivot.index)
    colors = plt.get_cmap("tab10").colors
    for i, group in enumerate(pivot.columns):
        ax.bar(pivot.index, pivot[group], bottom=bottom, width=0.75, label=group, color=colors[i % 10])
        bottom += pivot[group]
    ax.set_ylabel(f"Share of ATP exports to {name}, %")
    ax.set_ylim(0, 100)
    _year_axis(ax, pivot.index.tolist())
    ax.set_xlabel("Year")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title = f"Figure 2. Composition of U.S. ATP exports to {name} by technology group{_definition_note(table)}"
    return _finish(fig, title, caption)


def chart_3(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 3 chart from :func:`figure_3_table`: shares (%) by group, partner vs rest of world,
    one year, with the values at the bar ends."""
    table = chart_frame(table)
    name, year = _name(table), int(table["year"].iloc[0])
    fig, ax = plt.subplots(figsize=(9, 6), layout="constrained")
    positions = list(range(len(table)))
    partner_bars = ax.barh(
        [p - 0.2 for p in positions], table["partner_share_pct"].fillna(0), height=0.4, color=PARTNER_COLOR, label=name
    )
    row_bars = ax.barh(
        [p + 0.2 for p in positions],
        table["rest_of_world_share_pct"].fillna(0),
        height=0.4,
        color=REST_OF_WORLD_COLOR,
        label="Rest of world",
    )
    for bars in (partner_bars, row_bars):
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
    ax.set_yticks(positions, table["group_name"])
    ax.invert_yaxis()
    ax.set_xlim(0, max(table["partner_share_pct"].max(), table["rest_of_world_share_pct"].max(), 1) * 1.12)
    ax.set_xlabel("Share of ATP exports, %")
    ax.legend(loc="best")
    return _finish(
        fig,
        f"Figure 3. Composition of U.S. ATP exports by group, {name} vs rest of world, {year}{_definition_note(table)}",
        caption,
    )


def chart_4(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 4 chart from :func:`figure_4_table`: partner minus rest-of-world share, pp, one
    line per group."""
    table = chart_frame(table)
    name = _name(table)
    fig, ax = plt.subplots(figsize=(10, 5.8), layout="constrained")
    colors = plt.get_cmap("tab10").colors
    for i, (_, rows) in enumerate(table.groupby("hitech_code")):
        ax.plot(
            rows["year"],
            rows["partner_minus_rest_of_world_pp"],
            marker="o",
            markersize=3,
            label=rows["group_name"].iloc[0],
            color=colors[i % 10],
        )
    ax.axhline(0, color="black", linewidth=0.8)
    _year_axis(ax, sorted(table["year"].unique().tolist()))
    ax.set_xlabel("Year")
    ax.set_ylabel(f"{name} minus rest of world,\npercentage points")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _finish(
        fig,
        f"Figure 4. Difference in ATP export shares, {name} minus rest of world{_definition_note(table)}",
        caption,
    )


def chart_5(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 5 chart from :func:`figure_5_table`: the three series as lines on top (as published
    dashed and drawn last, so it shows where the others overlap it), the reclassification effect
    as bars in its own panel below, on its own scale with a zero line."""
    table = chart_frame(table)
    name, years = _name(table), table["year"].tolist()
    has_fixed = table["fixed_definition"].notna().any()
    fixed_label = (
        definition_label(str(table["fixed_definition"].dropna().iloc[0]))
        if has_fixed
        else "not in the warehouse: its base year's ATP list is not loaded"
    )
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True, height_ratios=[3, 1.6], layout="constrained")
    top.plot(
        years,
        table["fixed_definition_usd_billions"],
        color=REST_OF_WORLD_COLOR,
        marker="s",
        markersize=7,
        linewidth=2.2,
        label=f"Fixed definition ({fixed_label})",
        zorder=2,
    )
    top.plot(
        years,
        table["chain_linked_usd_billions"],
        color="#2e7d32",
        marker="^",
        markersize=6.5,
        linestyle=":",
        linewidth=1.6,
        label="Chain-linked (first year's level)",
        zorder=3,
    )
    top.plot(
        years,
        table["as_published_usd_billions"],
        color=PARTNER_COLOR,
        marker="o",
        markersize=4,
        markerfacecolor="white",
        linestyle="--",
        linewidth=1.4,
        label="As published (each year's own list)",
        zorder=4,
    )
    top.set_ylim(bottom=0)
    top.set_ylabel(f"ATP exports to {name},\nUSD billions")
    top.legend(fontsize=8, loc="upper left")
    effect = table["reclassification_effect_usd_billions"].fillna(0)
    bottom.bar(years, effect, width=0.7, color=[PARTNER_COLOR if v >= 0 else REST_OF_WORLD_COLOR for v in effect])
    bottom.axhline(0, color="black", linewidth=0.8)
    low, high = min(effect.min(), 0), max(effect.max(), 0)
    pad = (high - low) * 0.12 or 0.001
    bottom.set_ylim(low - pad, high + pad)
    bottom.set_ylabel("As published minus\nfixed, USD billions")
    bottom.set_title(
        f"Reclassification effect (as published minus {fixed_label})"
        if has_fixed
        else "Reclassification effect: none without a fixed definition",
        fontsize=9,
        loc="left",
    )
    bottom.set_xlabel("Year")
    _year_axis(bottom, years)
    for ax in (top, bottom):
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return _finish(fig, f"Figure 5. U.S. ATP exports to {name} under three ATP definitions", caption)


def _code_label(code: str, description: object, width: int = 58) -> str:
    text = "" if description is None or pd.isna(description) else " ".join(str(description).split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"{code}  {text}".rstrip()


def chart_6(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 6 chart from :func:`figure_6_table`: one panel per gap side, a horizontal bar per
    HS10 code (its contribution to the group's gap, pp; largest in the gap's direction on top),
    on one scale for both panels, each titled with its group, the group's gap and shares, and
    how much of the gap the codes shown make up."""
    table = chart_frame(table)
    name, year = _name(table), int(table["year"].iloc[0])
    sides = [rows for _, rows in table.groupby("gap_side", sort=False)]
    heights = [len(rows) + 2.2 for rows in sides]
    fig = plt.figure(figsize=(10.5, 1.4 + 0.3 * sum(heights)), layout="constrained")
    panels = fig.subfigures(len(sides), 1, height_ratios=heights) if len(sides) > 1 else [fig.subfigures(1, 1)]
    span = max(table["contribution_pp"].abs().max(), 1e-9)
    low = min(table["contribution_pp"].min(), 0) - 0.18 * span
    high = max(table["contribution_pp"].max(), 0) + 0.18 * span
    for panel, rows in zip(panels, sides, strict=True):
        ax = panel.subplots()
        first = rows.iloc[0]
        rows = rows.sort_values("contribution_pp", ascending=first["gap_side"] != "positive")
        labels = [_code_label(c, d) for c, d in zip(rows["hs10_code"], rows["hs10_description"], strict=True)]
        values = rows["contribution_pp"].tolist()
        bars = ax.barh(
            range(len(rows)), values, color=[PARTNER_COLOR if v >= 0 else REST_OF_WORLD_COLOR for v in values]
        )
        ax.bar_label(bars, labels=[f"{v:+.2f}" for v in values], fontsize=7, padding=2)
        ax.set_yticks(range(len(rows)), labels, fontsize=7.5)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(low, high)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        side = "Largest positive gap" if first["gap_side"] == "positive" else "Largest negative gap"
        panel.suptitle(
            f"{side}: {first['group_name']}, {first['group_gap_pp']:+.2f} pp\n"
            f"{first['group_partner_share_pct']:.1f} % of ATP exports to {name} vs "
            f"{first['group_rest_of_world_share_pct']:.1f} % of those to the rest of the world; "
            f"top {len(rows)} of {int(first['group_code_count'])} HS10 codes by contribution, "
            f"together {sum(values):+.2f} pp",
            x=0.01,
            ha="left",
            fontsize=9,
        )
        ax.set_xlabel(f"Contribution to the group's gap ({name} minus rest of world), percentage points", fontsize=8)
    return _finish(
        fig,
        f"Figure 6. Products behind the largest specialization gaps, {name}, {year}{_definition_note(table)}",
        caption,
    )


@dataclass(frozen=True)
class FigureSpec:
    """How to build one figure: its table from the marts and its chart from the table."""

    number: int
    table: Callable[..., pa.Table]
    chart: Callable[[pa.Table, str], plt.Figure]


FIGURES = {
    1: FigureSpec(1, figure_1_table, chart_1),
    2: FigureSpec(2, figure_2_table, chart_2),
    3: FigureSpec(3, figure_3_table, chart_3),
    4: FigureSpec(4, figure_4_table, chart_4),
    5: FigureSpec(5, figure_5_table, chart_5),
    6: FigureSpec(6, figure_6_table, chart_6),
}


def figure_stem(number: int, partner: Partner, year: int | None = None, definition: str = AS_PUBLISHED) -> str:
    """The file name (without suffix) of a figure: ``figure_<n>_<name>_<partner code>_<slug of the
    partner's name>``, then the year (figures 3 and 6) and the definition unless as published,
    e.g. ``figure_3_composition_shares_5880_japan_2008``,
    ``figure_1_atp_exports_cn_hk_china_hong_kong_fixed_2008``."""
    parts = [f"figure_{number}", FIGURE_NAMES[number], slug(partner.code), slug(partner.name)]
    if number in YEAR_FIGURES and year is not None:
        parts.append(str(year))
    if definition != AS_PUBLISHED:
        parts.append(slug(definition))
    return "_".join(parts)


@dataclass
class DrawnFigure:
    """One figure built from the marts, ready for :func:`write_figure`."""

    number: int
    partner: Partner
    year: int | None
    definition: str
    stem: str
    table: pa.Table
    chart: plt.Figure
    caption: str
    origin: str


def draw_figure(
    con: duckdb.DuckDBPyConnection,
    number: int,
    partner: str = DEFAULT_PARTNER,
    year: int | None = None,
    definition: str = AS_PUBLISHED,
) -> DrawnFigure:
    """Build figure ``number`` (1-6) for a partner (code or name), its table and chart; ``year``
    is used by figures 3 and 6 (default: the latest complete year), ``definition`` by all (see
    each ``figure_<n>_table``). Raises ``ValueError`` (one line) for an unknown partner, year or
    definition."""
    spec = FIGURES[number]
    found = resolve_partner(con, partner)
    if number in YEAR_FIGURES:
        table = spec.table(con, found.code, year=year, definition=definition)
        year = int(table.column("year")[0].as_py())
    else:
        table = spec.table(con, found.code, definition=definition)
        year = None
    caption_text = figure_caption(con, found.code)
    return DrawnFigure(
        number=number,
        partner=found,
        year=year,
        definition=definition,
        stem=figure_stem(number, found, year, definition),
        table=table,
        chart=spec.chart(table, caption_text),
        caption=caption_text,
        origin=data_origin(con),
    )


@dataclass(frozen=True)
class WrittenFigure:
    """Paths written for one figure."""

    csv: Path
    parquet: Path
    png: Path
    svg: Path


def _atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``target``, given the mode a new file gets
    (:func:`file_mode`; the target's own mode when it exists), then renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, file_mode(target))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_text_file(target: Path, text: str) -> None:
    """Write UTF-8 text to ``target`` the way the figures are written (:func:`_atomic_write`)."""
    _atomic_write(target, lambda path: path.write_text(text, encoding="utf-8"))


def round_for_export(table: pa.Table) -> pa.Table:
    """Round the float measures to what they can mean (shares, percentage points and indexes to
    6 decimals; float noise would otherwise show in the CSV). USD columns are exact decimals and
    stay as they are."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_floating(field.type) and field.name.endswith(("_pct", "_pp", "_100")):
            column = pc.round(column, 6)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _csv_field(value: object) -> object:
    """A CSV field: decimals as plain digits (Arrow would write 0.000000500 as ``5.00E-7``),
    empty for null."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _write_csv(table: pa.Table, path: Path) -> None:
    """The CSV of a figure table: a header, then one line per row; fields quoted only when they
    hold a comma, quote or line end; USD decimals with every digit and no exponent."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
            writer.writerow([_csv_field(value) for value in row])


def write_figure(
    table: pa.Table, fig: plt.Figure, exports_dir: Path, stem: str, origin: str, caption_text: str
) -> WrittenFigure:
    """Write ``<stem>.csv``, ``<stem>.parquet``, ``<stem>.png`` (:data:`PNG_DPI`) and ``<stem>.svg``
    under ``exports_dir``, each readable by all (mode 0644).

    Each file is written to a temporary name and renamed, so a failure never leaves a half-written
    figure over the last good one. Float measures are rounded (:func:`round_for_export`), USD
    stays DECIMAL; tables get a ``data_origin`` column; the Parquet schema carries ``data_origin``
    and ``caption`` metadata. The SVG carries no date, so the same figure gives the same file.
    """
    table = round_for_export(table)
    table = table.append_column("data_origin", pa.array([origin] * table.num_rows, pa.string()))
    paths = WrittenFigure(*(exports_dir / f"{stem}.{suffix}" for suffix in ("csv", "parquet", "png", "svg")))
    _atomic_write(paths.csv, lambda p: _write_csv(table, p))
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"data_origin": origin.encode(), b"caption": caption_text.encode()}
    )
    _atomic_write(paths.parquet, lambda p: pq.write_table(table, p))
    try:
        _atomic_write(paths.png, lambda p: fig.savefig(p, dpi=PNG_DPI, format="png"))
        with plt.rc_context({"svg.hashsalt": stem}):
            _atomic_write(paths.svg, lambda p: fig.savefig(p, format="svg", metadata={"Date": None}))
    finally:
        plt.close(fig)
    return paths
