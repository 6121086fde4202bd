"""Charts of ATP totals with the partner, of one trade flow: figure 1 (exports or imports and the
partner's share of the world's) and figure 5 (the three ATP definitions and the reclassification
effect)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from orchestration.figures.charts import (
    bar_values,
    chart_frame,
    definition_note,
    finish,
    partner_name,
    pyplot,
    span,
    value_grid,
    year_axis,
    zero_line,
)
from orchestration.figures.style import (
    CHAIN_LINKED_COLOR,
    FIXED_DEFINITION_COLOR,
    PARTNER_COLOR,
    RECLASSIFICATION_COLOR,
    RECLASSIFICATION_EDGE_COLOR,
    USD_BILLIONS_AXIS,
    definition_label,
    flow_words,
)
from orchestration.provenance import EXPORTS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def growth_note(years: list[int], values: list[float]) -> str:
    """``"; compound annual growth 2000-2008: +13.2 % a year"`` (floats, for the chart only;
    empty for one year or a zero start)."""
    if len(years) < 2 or not values[0] or values[0] <= 0 or values[-1] <= 0:
        return ""
    rate = (values[-1] / values[0]) ** (1 / (years[-1] - years[0])) - 1
    return f"; compound annual growth {span(years)}: {100 * rate:+.1f} % a year"


def _panels(bottom_height: float) -> tuple[Figure, tuple[Axes, Axes]]:
    """A chart of two panels on one year axis: the series on top (3 high), a second measure below
    (``bottom_height`` high)."""
    return pyplot().subplots(
        2, 1, figsize=(9, 7.5), sharex=True, height_ratios=[3, bottom_height], layout="constrained"
    )


def _finish_panels(fig: Figure, panels: tuple[Axes, Axes], years: list[int], title: str, caption: str) -> Figure:
    """The year axis under the bottom panel, a value grid in both panels, the title and the caption."""
    top, bottom = panels
    bottom.set_xlabel("Year")
    year_axis(bottom, years)
    for ax in (top, bottom):
        value_grid(ax)
    return finish(fig, title, caption)


def chart_1(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 1 of the briefing from :func:`~orchestration.figures.tables.figure_1_table`, two
    panels on one year axis: ATP exports to (``flow="imports"``: imports from) the partner (bars,
    USD billions, current dollars, with the compound annual growth over the years shown) and the
    partner's share of U.S. ATP exports to (imports from) the world (%, a line)."""
    words = flow_words(flow)
    table = chart_frame(table)
    name, years = partner_name(table), table["year"].tolist()
    values = table[f"partner_atp_{flow}_usd_billions"]
    fig, (top, bottom) = _panels(bottom_height=2)
    bars = top.bar(years, values, width=0.7, color=PARTNER_COLOR, label=name)
    bar_values(top, bars, "%.1f", len(years))
    top.set_ylim(0, max(values.max(), 1e-9) * 1.12)
    top.set_ylabel(USD_BILLIONS_AXIS, fontsize=9)
    top.set_title(f"ATP {words.with_partner(name)}{growth_note(years, values.tolist())}", fontsize=10, loc="left")
    share = table["partner_share_of_world_pct"]
    bottom.plot(years, share, color=PARTNER_COLOR, marker="o", markersize=4, linewidth=1.6)
    if len(years) <= 12:
        for year, value in zip(years, share, strict=True):
            bottom.annotate(
                f"{value:.1f}", (year, value), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=8
            )
    bottom.set_ylim(0, max(share.max(), 1e-9) * 1.3)
    bottom.set_ylabel(f"Share of world\nATP {words.noun}, %", fontsize=9)
    bottom.set_title(
        f"Share of U.S. ATP {words.with_partner('the world')} that {words.world_verb} {name}, %",
        fontsize=10,
        loc="left",
    )
    title = f"Figure 1. U.S. ATP {words.with_partner(name)} ({words.basis}), {span(years)}{definition_note(table)}"
    return _finish_panels(fig, (top, bottom), years, title, caption)


def _definition_lines(ax: object, table: object, fixed_label: str) -> None:
    """Figure 5's three series of ATP exports to (imports from) the partner (as published drawn last, dashed
    and hollow, so it shows where the others lie under it)."""
    years = table["year"].tolist()
    series = [
        (
            "fixed_definition_usd_billions",
            FIXED_DEFINITION_COLOR,
            "s",
            7,
            "-",
            2.2,
            f"Fixed definition ({fixed_label.removeprefix('fixed ')})",
        ),
        ("chain_linked_usd_billions", CHAIN_LINKED_COLOR, "^", 6.5, ":", 2.0, "Chain-linked (first year's level)"),
        ("as_published_usd_billions", PARTNER_COLOR, "o", 4, "--", 1.4, "As published (each year's own list)"),
    ]
    for order, (column, color, marker, size, style, width, label) in enumerate(series, start=2):
        ax.plot(
            years,
            table[column],
            color=color,
            marker=marker,
            markersize=size,
            linestyle=style,
            linewidth=width,
            label=label,
            zorder=order,
            markerfacecolor="white" if column == "as_published_usd_billions" else color,
        )


def chart_5(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 5 (not in the briefing; the reason its growth rate is an estimate) from
    :func:`~orchestration.figures.tables.figure_5_table`: ATP exports to (``flow="imports"``:
    imports from) the partner under the three definitions (lines, USD billions, current dollars) on top, the
    reclassification effect (as published minus fixed, USD billions) as bars below on its own
    scale, with a zero line and a legend."""
    words = flow_words(flow)
    table = chart_frame(table)
    name, years = partner_name(table), table["year"].tolist()
    has_fixed = table["fixed_definition"].notna().any()
    fixed_label = (
        definition_label(str(table["fixed_definition"].dropna().iloc[0]))
        if has_fixed
        else "not in the warehouse: its base year's ATP list is not loaded"
    )
    fig, (top, bottom) = _panels(bottom_height=1.7)
    _definition_lines(top, table, fixed_label)
    highest = table[["as_published_usd_billions", "fixed_definition_usd_billions", "chain_linked_usd_billions"]].max()
    top.set_ylim(0, max(highest.max(), 1e-9) * 1.3)  # room for the legend above the lines
    top.set_ylabel(USD_BILLIONS_AXIS, fontsize=9)
    top.set_title(f"ATP {words.with_partner(name)}", fontsize=10, loc="left")
    top.legend(fontsize=8, loc="upper left")
    effect = table["reclassification_effect_usd_billions"].fillna(0)
    effect_label = f"As published minus {fixed_label}" if has_fixed else "No fixed definition: no effect"
    bottom.bar(
        years,
        effect,
        width=0.7,
        color=RECLASSIFICATION_COLOR,
        edgecolor=RECLASSIFICATION_EDGE_COLOR,
        linewidth=0.7,
        label=effect_label,
    )
    zero_line(bottom)
    low, high = min(effect.min(), 0), max(effect.max(), 0)
    pad = (high - low) * 0.15 or 0.001
    bottom.set_ylim(low - pad, high + pad * 2.2)
    bottom.set_ylabel(USD_BILLIONS_AXIS, fontsize=9)
    bottom.set_title("Reclassification effect", fontsize=10, loc="left")
    bottom.legend(fontsize=8, loc="upper left")
    title = f"Figure 5. U.S. ATP {words.with_partner(name)} ({words.basis}) under three ATP definitions, {span(years)}"
    return _finish_panels(fig, (top, bottom), years, title, caption)
