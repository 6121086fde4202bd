"""One figure end to end: its table from the marts, its chart, its caption and data origin,
for options resolved once per run (:func:`~orchestration.figures.options.resolve_figure_options`).
Writing it is :func:`~orchestration.figures.files.write_figure`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from orchestration.figures.captions import data_origin, figure_caption, figure_flows
from orchestration.figures.chart_balance import chart_7
from orchestration.figures.chart_groups import chart_2, chart_3, chart_4
from orchestration.figures.chart_products import chart_6
from orchestration.figures.chart_totals import chart_1, chart_5
from orchestration.figures.names import figure_stem
from orchestration.figures.options import FigureOptions
from orchestration.figures.tables import figure_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Figure number -> its chart, drawn from its table (``tables.TABLES``), caption and trade flow.
CHARTS: dict[int, Callable[[pa.Table, str, str], Figure]] = {
    1: chart_1,
    2: chart_2,
    3: chart_3,
    4: chart_4,
    5: chart_5,
    6: chart_6,
    7: chart_7,
}


@dataclass
class DrawnFigure:
    """One figure built from the marts, ready for :func:`~orchestration.figures.files.write_figure`:
    its ``number`` (1-7), the ``options`` it was drawn for, the file ``stem``, the ``table``
    (Arrow; USD billions exact), the ``chart`` (a matplotlib figure), the ``caption`` under the
    chart and the data ``origin`` of its inputs (``"census"``, ``"synthetic"`` or ``"unverified"``:
    :data:`orchestration.provenance.ORIGINS`)."""

    number: int
    options: FigureOptions
    stem: str
    table: pa.Table
    chart: Figure
    caption: str
    origin: str


def draw_figure(con: duckdb.DuckDBPyConnection, number: int, options: FigureOptions) -> DrawnFigure:
    """Build figure ``number`` (1-7) for resolved ``options``: its table (one query,
    :mod:`orchestration.figures.tables`), its chart (figures 1, 2, 4, 5 and 7 over the window
    ``options.years``, 3 and 6 for ``options.year``; 1-6 of the trade flow ``options.flow``, 7 of
    both), the caption of the years shown and the data origin of the inputs of the flows drawn.
    Never looks the partner up again (no query of ``dim_partners``).

    Source: figures 1-4 of the USITC briefing (Hammer, Koopman & Martinez 2009), for any
    partner and either flow; 5, 6 and 7 extend it. Raises ``KeyError`` for a number outside 1-7,
    :class:`~orchestration.figures.options.FigureOptionError` for ``chain_linked`` in figures 2,
    3, 4, 6 and 7, :class:`~orchestration.figures.tables.FigureNotDrawn` for figure 7 without a
    year of both flows, ``ValueError`` when the window holds no row of the figure.
    """
    chart = CHARTS[number]
    table = figure_table(con, number, options)
    years = table.column("year").to_pylist()
    caption_text = figure_caption(con, options, years, number)
    return DrawnFigure(
        number=number,
        options=options,
        stem=figure_stem(number, options),
        table=table,
        chart=chart(table, caption_text, options.flow),
        caption=caption_text,
        origin=data_origin(con, years, figure_flows(number, options)),
    )
