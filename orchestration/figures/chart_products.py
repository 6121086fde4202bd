"""Figure 6's chart: the HS10 products behind the partner's largest positive and negative
specialization gaps, one panel per gap, each in its group's colour, every code labelled so that
codes with the same long description prefix read differently (:func:`~orchestration.figures.labels.code_labels`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from orchestration.figures.charts import (
    chart_frame,
    definition_note,
    finish,
    partner_name,
    pyplot,
    signed,
    value_grid,
    zero_line,
)
from orchestration.figures.labels import code_labels
from orchestration.figures.style import PERCENTAGE_POINTS, FlowWords, flow_words, group_color
from orchestration.provenance import EXPORTS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

#: Height of one bar's row (inches): two lines of label at 7.5 points, with air.
ROW_INCHES = 0.42


def _panel_title(first: pd.Series, name: str, count: int, total: float, words: FlowWords) -> str:
    side = "Largest positive gap" if first["gap_side"] == "positive" else "Largest negative gap"
    return (
        f"{side}: {first['group_name']}, {signed(first['group_gap_pp'], 2)} pp\n"
        f"{first['group_partner_share_pct']:.1f} % of ATP {words.with_partner(name)} vs "
        f"{first['group_rest_of_world_share_pct']:.1f} % of those {words.preposition} the rest of the world; "
        f"top {count} of {int(first['group_code_count'])} HS10 codes by contribution, together {signed(total, 2)} pp"
    )


def _panel(panel: SubFigure, rows: pd.DataFrame, name: str, limits: tuple[float, float], words: FlowWords) -> Axes:
    """One gap's panel: a bar per code (largest in the gap's direction on top), in the group's
    colour, its contribution at the bar's end."""
    ax = panel.subplots()
    first = rows.iloc[0]
    rows = rows.sort_values("contribution_pp", ascending=first["gap_side"] != "positive")
    values = rows["contribution_pp"].tolist()
    bars = ax.barh(range(len(rows)), values, color=group_color(first["hitech_code"]), label=first["group_name"])
    ax.bar_label(bars, labels=[signed(v, 2) for v in values], fontsize=7, padding=2)
    labels = code_labels(rows["hs10_code"].tolist(), rows["hs10_description"].tolist())
    ax.set_yticks(range(len(rows)), labels, fontsize=7.5, multialignment="left")
    ax.invert_yaxis()
    ax.set_ylim(len(rows) - 0.4, -0.6)
    zero_line(ax, vertical=True)
    ax.set_xlim(*limits)
    value_grid(ax, "x")
    panel.suptitle(_panel_title(first, name, len(rows), sum(values), words), x=0.01, ha="left", fontsize=9)
    ax.set_xlabel(f"Contribution to the group's gap ({name} minus rest of world), {PERCENTAGE_POINTS}", fontsize=8)
    return ax


def chart_6(table: pa.Table, caption: str, flow: str = EXPORTS) -> Figure:
    """Figure 6 (not in the briefing; the products its text names) from
    :func:`~orchestration.figures.tables.figure_6_table`, for ATP exports (``flow="imports"``:
    imports): one panel per gap side,
    a horizontal bar per HS10 code (its contribution to the group's gap, percentage points), on
    one scale for both panels, each titled with its group, the group's gap and shares, and how
    much of the gap the codes shown make up."""
    words = flow_words(flow)
    table = chart_frame(table)
    name, year = partner_name(table), int(table["year"].iloc[0])
    sides = [rows for _, rows in table.groupby("gap_side", sort=False)]
    heights = [ROW_INCHES * len(rows) + 1.3 for rows in sides]
    fig = pyplot().figure(figsize=(11, 1.3 + sum(heights)), layout="constrained")
    panels = fig.subfigures(len(sides), 1, height_ratios=heights) if len(sides) > 1 else [fig.subfigures(1, 1)]
    reach = max(table["contribution_pp"].abs().max(), 1e-9)
    contributions = table["contribution_pp"]
    limits = (min(contributions.min(), 0) - 0.2 * reach, max(contributions.max(), 0) + 0.2 * reach)
    for panel, rows in zip(panels, sides, strict=True):
        _panel(panel, rows, name, limits, words)
    title = (
        f"Figure 6. Products behind the largest specialization gaps in U.S. ATP {words.with_partner(name)} "
        f"({words.basis}), {year}{definition_note(table)}"
    )
    return finish(fig, title, caption)
