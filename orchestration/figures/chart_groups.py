"""Charts that compare the ATP groups in one trade flow: figure 2 (composition over time), figure 3
(shares, partner vs rest of world, one year) and figure 4 (the specialization gaps, small
multiples). Every group is drawn in its own colour (:data:`~orchestration.figures.style.GROUP_COLORS`)."""

from __future__ import annotations

import math
import textwrap
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
from orchestration.figures.style import (
    PARTNER_COLOR,
    PERCENTAGE_POINTS,
    REST_OF_WORLD_COLOR,
    flow_words,
    group_color,
)
from orchestration.provenance import EXPORTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Figure 4: panels per row of the small multiples.
PANELS_PER_ROW = 5


def _groups(table: pd.DataFrame) -> pd.DataFrame:
    """The table's groups, one row each (``hitech_code``, ``group_name``), in code order."""
    return table.drop_duplicates("hitech_code").sort_values("hitech_code")[["hitech_code", "group_name"]]


def chart_2(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 2 of the briefing from :func:`~orchestration.figures.tables.figure_2_table`:
    composition of ATP exports to (``flow="imports"``: imports from) the partner, one stacked bar
    per year of the group shares (%, adding up to 100), each group in its colour, the legend in
    stacking order."""
    words = flow_words(flow)
    table = chart_frame(table)
    name = partner_name(table)
    pivot = table.pivot(index="year", columns="hitech_code", values="partner_composition_share_pct").fillna(0)
    fig, ax = pyplot().subplots(figsize=(10, 5.8), layout="constrained")
    bottom = pd.Series(0.0, index=pivot.index)
    for code, group in _groups(table).itertuples(index=False):
        if code in pivot.columns:
            ax.bar(pivot.index, pivot[code], bottom=bottom, width=0.75, label=group, color=group_color(code))
            bottom += pivot[code]
    ax.set_ylabel(f"Share of ATP {words.with_partner(name)}, %")
    ax.set_ylim(0, 100)
    years = pivot.index.tolist()
    year_axis(ax, years)
    ax.set_xlabel("Year")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title = (
        f"Figure 2. Composition of U.S. ATP {words.with_partner(name)} ({words.basis}) by technology group, "
        f"{span(years)}{definition_note(table)}"
    )
    return finish(fig, title, caption)


def chart_3(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 3 of the briefing from :func:`~orchestration.figures.tables.figure_3_table`: the
    share (%) of each group in ATP exports to (``flow="imports"``: imports from) the partner and
    the rest of the world in one year, paired horizontal bars with their values."""
    words = flow_words(flow)
    table = chart_frame(table)
    name, year = partner_name(table), int(table["year"].iloc[0])
    fig, ax = pyplot().subplots(figsize=(9, 6), layout="constrained")
    positions = list(range(len(table)))
    pairs = [
        ("partner_share_pct", -0.2, PARTNER_COLOR, name),
        ("rest_of_world_share_pct", 0.2, REST_OF_WORLD_COLOR, "Rest of world"),
    ]
    for column, offset, color, label in pairs:
        bars = ax.barh([p + offset for p in positions], table[column].fillna(0), height=0.4, color=color, label=label)
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
    ax.set_yticks(positions, table["group_name"])
    ax.invert_yaxis()
    ax.set_xlim(0, max(table["partner_share_pct"].max(), table["rest_of_world_share_pct"].max(), 1) * 1.12)
    ax.set_xlabel(f"Share of ATP {words.noun}, %")
    value_grid(ax, "x")
    ax.legend(loc="lower right")
    title = f"Figure 3. Composition of U.S. ATP {words.noun} ({words.basis}) by group, {name} vs rest of world, {year}"
    return finish(fig, title + definition_note(table), caption)


def chart_4(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 4 of the briefing from :func:`~orchestration.figures.tables.figure_4_table`: the
    partner's share minus the rest of the world's in ATP exports (``flow="imports"``: imports)
    (percentage points) by year, as small
    multiples: one panel per ATP group (2 x 5 for the ten groups), all on one y scale, each with
    a zero line, its group's name and colour, and its last year's gap."""
    words = flow_words(flow)
    table = chart_frame(table)
    name = partner_name(table)
    groups = _groups(table)
    years = sorted(table["year"].unique().tolist())
    columns = min(PANELS_PER_ROW, len(groups))
    rows = math.ceil(len(groups) / columns)
    fig, axes = pyplot().subplots(
        rows, columns, figsize=(12, 1.2 + 2.6 * rows), sharex=True, sharey=True, squeeze=False, layout="constrained"
    )
    panels = axes.flatten()
    values = table["partner_minus_rest_of_world_pp"]
    low, high = min(values.min(), 0), max(values.max(), 0)
    pad = (high - low) * 0.12 or 1.0
    for ax, (code, group) in zip(panels, groups.itertuples(index=False), strict=False):
        rows_of_group = table[table["hitech_code"] == code].sort_values("year")
        gaps = rows_of_group["partner_minus_rest_of_world_pp"]
        color = group_color(code)
        ax.plot(rows_of_group["year"], gaps, color=color, marker="o", markersize=2.5, linewidth=1.6, label=group)
        ax.fill_between(rows_of_group["year"], gaps, 0, color=color, alpha=0.15, linewidth=0)
        zero_line(ax)
        ax.set_title(textwrap.fill(group, 20), fontsize=9, color=color, loc="left")
        ax.set_title(f"{rows_of_group['year'].iloc[-1]}: {signed(gaps.iloc[-1])}", fontsize=8, color=color, loc="right")
        ax.set_ylim(low - pad, high + pad)
        year_axis(ax, years, most=4)
        ax.tick_params(labelsize=7.5)
        value_grid(ax)
    for ax in panels[len(groups) :]:
        ax.set_visible(False)
    fig.supylabel(f"{name} minus rest of world, {PERCENTAGE_POINTS}", fontsize=10)
    title = (
        f"Figure 4. Difference in ATP {words.adjective} shares ({words.basis}) by group, {name} minus rest of world, "
        f"{span(years)}{definition_note(table)}"
    )
    return finish(fig, title, caption)
