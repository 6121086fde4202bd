"""What every chart shares: matplotlib set up lazily (no environment variable is set and pyplot
is not imported until a chart is drawn), the table as floats for drawing, the title and caption,
year axes and grids. The charts themselves are in ``chart_totals`` (figures 1 and 5),
``chart_groups`` (figures 2, 3 and 4) and ``chart_products`` (figure 6)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pyarrow as pa

from orchestration.figures.labels import wrap
from orchestration.figures.options import AS_PUBLISHED
from orchestration.figures.style import CAPTION_COLOR, GRID_COLOR, ZERO_LINE_COLOR, definition_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: matplotlib's font cache and settings live in the project, not under ~ (one instance, no setup).
MATPLOTLIB_DIR = Path(__file__).resolve().parents[2] / "warehouse" / ".matplotlib"
#: Years on an axis beyond which the tick labels are rotated (figures 1, 2 and 5).
ROTATE_AFTER_YEARS = 12
NO_BREAK_SPACE = "\u00a0"


def configure_matplotlib() -> None:
    """Point ``MPLCONFIGDIR`` at ``warehouse/.matplotlib`` unless it is set already, and select
    the Agg backend (files only, no display). Called before pyplot is first imported
    (:func:`pyplot`); importing :mod:`orchestration.figures` does neither."""
    os.environ.setdefault("MPLCONFIGDIR", str(MATPLOTLIB_DIR))
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")


def pyplot() -> ModuleType:
    """``matplotlib.pyplot``, imported after :func:`configure_matplotlib`."""
    configure_matplotlib()
    import matplotlib.pyplot as plt

    return plt


def chart_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as a pandas frame for drawing: decimal columns become floats (charts only;
    the exported tables keep the exact decimals)."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            frame[field.name] = frame[field.name].astype(float)
    return frame


def finish(fig: Figure, title: str, caption: str) -> Figure:
    """Title on top, the data caption at the bottom, both wrapped to the figure's width; the
    constrained layout keeps them clear of the axes, their labels and legends."""
    width = fig.get_figwidth()
    fig.suptitle(wrap(title, width, 12.5), fontsize=12)
    fig.supxlabel(wrap(caption, width, 7), x=0.01, ha="left", fontsize=7, color=CAPTION_COLOR)
    return fig


def year_axis(ax: Axes, years: list[int], most: int | None = None) -> None:
    """Every year as a tick (rotated when there are more than :data:`ROTATE_AFTER_YEARS`), or,
    with ``most``, about that many evenly spaced ticks from the first year, and the last year
    when it is far enough past the last tick for the labels not to touch."""
    if most is None:
        ticks, rotation = years, 45 if len(years) > ROTATE_AFTER_YEARS else 0
    else:
        step = max(math.ceil(len(years) / most), 1)
        ticks, rotation = years[::step], 0
        if years[-1] - ticks[-1] >= max(0.6 * step, 2):
            ticks.append(years[-1])
    ax.set_xticks(ticks, [str(y) for y in ticks], rotation=rotation)
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def value_grid(ax: Axes, axis: str = "y") -> None:
    """Light grid lines behind the data along ``axis``."""
    ax.grid(axis=axis, color=GRID_COLOR, linewidth=0.6)
    ax.set_axisbelow(True)


def zero_line(ax: Axes, vertical: bool = False) -> None:
    """The zero line of a signed measure (gaps, contributions, the reclassification effect)."""
    (ax.axvline if vertical else ax.axhline)(0, color=ZERO_LINE_COLOR, linewidth=0.8)


def partner_name(table: pd.DataFrame) -> str:
    """The partner's name, from the table's ``partner_name`` column, with no-break spaces so a
    wrapped title never splits it (``"China + Hong Kong"`` stays on one line)."""
    return str(table["partner_name"].iloc[0]).replace(" ", NO_BREAK_SPACE)


def span(years: list[int]) -> str:
    """``"2000-2008"``, or ``"2008"`` for one year."""
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}-{last}"


def signed(value: float, decimals: int = 1) -> str:
    """``value`` with its sign (``+2.1``, ``-0.8``), and ``0.0`` for what rounds to zero (never ``-0.0``)."""
    text = f"{value:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text


def definition_note(table: pd.DataFrame) -> str:
    """``" (fixed 2008 ATP list)"`` for a table drawn under another definition than as published."""
    definition = str(table["definition"].iloc[0]) if "definition" in table else AS_PUBLISHED
    return "" if definition == AS_PUBLISHED else f" ({definition_label(definition)})"


def bar_values(ax: Axes, bars: object, fmt: str, count: int, limit: int = ROTATE_AFTER_YEARS) -> None:
    """The value at the end of each bar, when there are at most ``limit`` (else they crowd)."""
    if count <= limit:
        ax.bar_label(bars, fmt=fmt, fontsize=7, padding=2)
