"""Figure 7's chart: the U.S. ATP trade balance with the partner and with the world, by ATP group,
over the years drawn. Two panels on one year axis (the partner on top, the world below, each on
its own scale): each group's balance a bar in the group's colour (surpluses stacked above zero,
deficits below), the balance of all groups a line with its last value. Negative is a deficit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from orchestration.figures.charts import (
    chart_frame,
    definition_note,
    finish,
    partner_name,
    pyplot,
    signed,
    span,
    value_grid,
    year_axis,
    zero_line,
)
from orchestration.figures.style import CAPTION_COLOR, PARTNER_COLOR, USD_BILLIONS_AXIS, WORLD_COLOR, group_color
from orchestration.provenance import EXPORTS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: ``hitech_code`` of the balance of all groups together in the table, and its legend entries.
ALL_GROUPS = "all"
ALL_GROUPS_LABEL = "All ATP groups"


def _stacked(ax: Axes, pivot: pd.DataFrame, names: dict[str, str]) -> None:
    """One bar per year and group: positive balances stacked upwards from zero, negative ones
    downwards, in code order, each group in its colour (labelled once, for the legend)."""
    above = pd.Series(0.0, index=pivot.index)
    below = pd.Series(0.0, index=pivot.index)
    for code in pivot.columns:
        values = pivot[code]
        positive, negative = values.clip(lower=0), values.clip(upper=0)
        color = group_color(code)
        ax.bar(pivot.index, positive, bottom=above, width=0.75, color=color, label=names[code], linewidth=0)
        ax.bar(pivot.index, negative, bottom=below, width=0.75, color=color, linewidth=0)
        above += positive
        below += negative


def _total(ax: Axes, years: list[int], totals: list[float], color: str, label: str) -> None:
    """The balance of all groups: a line with white-edged markers over the bars, its last value
    written at the right of the panel's title."""
    from matplotlib import patheffects

    ax.plot(
        years,
        totals,
        color=color,
        linewidth=2.2,
        marker="o",
        markersize=4.5,
        markeredgecolor="white",
        markeredgewidth=0.8,
        label=label,
        zorder=5,
        path_effects=[patheffects.withStroke(linewidth=3.6, foreground="white")],
    )
    ax.set_title(f"all groups, {years[-1]}: {signed(totals[-1])}", fontsize=9, color=color, loc="right")


def _limits(ax: Axes, pivot: pd.DataFrame, totals: list[float]) -> None:
    """Room for the stacked bars and the line above and below zero, and the words surplus and
    deficit on their sides of it."""
    high = max(pivot.clip(lower=0).sum(axis=1).max(), max(totals), 0)
    low = min(pivot.clip(upper=0).sum(axis=1).min(), min(totals), 0)
    pad = (high - low) * 0.08 or 0.001
    ax.set_ylim(low - pad, high + pad)
    style = {"transform": ax.get_yaxis_transform(), "fontsize": 7.5, "color": CAPTION_COLOR, "style": "italic"}
    if high > 0:
        ax.text(0.005, high + pad * 0.5, "surplus", va="center", ha="left", **style)
    if low < 0:
        ax.text(0.005, low - pad * 0.5, "deficit", va="center", ha="left", **style)


def _panel(ax: Axes, table: pd.DataFrame, scope: str, color: str, title: str, total_label: str) -> None:
    """One panel: the ``scope`` (``partner`` or ``world``) balance by group and of all groups."""
    column = f"{scope}_balance_usd_billions"
    groups = table[table["hitech_code"] != ALL_GROUPS]
    names = dict(zip(groups["hitech_code"], groups["group_name"], strict=False))
    pivot = groups.pivot(index="year", columns="hitech_code", values=column).fillna(0.0).sort_index(axis=1)
    totals_rows = table[table["hitech_code"] == ALL_GROUPS].sort_values("year")
    years, totals = totals_rows["year"].tolist(), totals_rows[column].tolist()
    _stacked(ax, pivot, names)
    _total(ax, years, totals, color, total_label)
    zero_line(ax)
    _limits(ax, pivot, totals)
    ax.set_ylabel(USD_BILLIONS_AXIS, fontsize=9)
    ax.set_title(title, fontsize=10, loc="left")
    value_grid(ax)


def chart_7(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 7 from :func:`~orchestration.figures.tables.figure_7_table`: the ATP trade balance
    (exports minus imports, USD billions, current dollars; below zero: a deficit) with the
    partner (top) and with the world (below), by year: each group's balance a bar in its colour
    (surpluses stacked above zero, deficits below), the balance of all groups a line (the
    partner's colour on top, the world's below) with its last year's value; one legend of the
    groups. Draws both flows whatever ``flow`` (accepted so every chart is called alike)."""
    frame = chart_frame(table)
    name = partner_name(frame)
    years = sorted(frame["year"].unique().tolist())
    fig, (top, bottom) = pyplot().subplots(
        2, 1, figsize=(11, 8.6), sharex=True, height_ratios=[1, 1], layout="constrained"
    )
    _panel(
        top,
        frame,
        "partner",
        PARTNER_COLOR,
        f"ATP trade balance with {name}",
        f"{ALL_GROUPS_LABEL}, {name} (line)",
    )
    _panel(
        bottom,
        frame,
        "world",
        WORLD_COLOR,
        "ATP trade balance with the world",
        f"{ALL_GROUPS_LABEL}, world (line)",
    )
    # one legend beside the top panel: the two lines of all groups, then the groups in code order
    top_entries = list(zip(*top.get_legend_handles_labels(), strict=True))
    entries = top_entries + list(zip(*bottom.get_legend_handles_labels(), strict=True))
    lines = [entry for entry in entries if entry[1].startswith(ALL_GROUPS_LABEL)]
    bars = [entry for entry in top_entries if not entry[1].startswith(ALL_GROUPS_LABEL)]  # same groups below
    shown = [*lines, *bars]
    top.legend(
        [handle for handle, _ in shown],
        [label for _, label in shown],
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    bottom.set_xlabel("Year")
    year_axis(bottom, years)
    title = (
        f"Figure 7. U.S. ATP trade balance with {name} and with the world, by technology group, "
        f"{span(years)}{definition_note(frame)}"
    )
    return finish(fig, title, caption)
