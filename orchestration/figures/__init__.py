"""The figures, for any partner, trade flow and window of years: the briefing's four
(figure-ready tables from the marts, and their charts), a fifth that shows ATP trade under the
three ATP definitions, a sixth that shows the HS10 products behind the partner's largest positive
and negative specialization gaps, each for U.S. ATP exports (f.a.s., default) or imports (general
imports at customs value, by country of origin); and a seventh, the ATP trade balance (exports
minus imports) with the partner and with the world by ATP group.

Source of the figures: Hammer, Koopman & Martinez, "U.S. Exports of Advanced Technology Products
to China", USITC executive briefing (2009), figures 1-4 for 2000-2008, drawn here for any
partner of ``dim_partners`` (a Schedule C country or a partner group such as ``CN_HK``, China +
Hong Kong; default 5700, China) and any window of complete years.

A run resolves its options once, then draws and writes each figure::

    options = resolve_figure_options(con, "5700", years="2000-2008", flow="imports")
    for number in FIGURE_NAMES:
        write_figure(draw_figure(con, number, options), exports_dir)

Modules, one job each: ``options`` (validation, partner resolution), ``tables`` (one SQL query
per figure), ``captions`` (caption and data origin), ``charts`` (matplotlib, set up lazily) with
``chart_totals``, ``chart_groups``, ``chart_products`` and ``chart_balance``, ``labels`` (text
that must fit), ``style`` (palette, unit labels and the words of each flow, as data), ``names``
(file names), ``files`` (atomic writes, CSV), ``build`` (one figure end to end).

Money stays exact: USD billions (current dollars) as DECIMAL(18,9) in tables, CSV and Parquet;
only the charts draw floats. Every table carries ``data_origin`` and every chart a caption
saying which inputs are real Census data and which SYNTHETIC.
"""

from orchestration.figures.build import CHARTS, DrawnFigure, draw_figure
from orchestration.figures.captions import data_origin, figure_caption
from orchestration.figures.charts import configure_matplotlib
from orchestration.figures.files import PNG_DPI, WrittenFigure, write_figure
from orchestration.figures.names import figure_stem, slug
from orchestration.figures.options import (
    AS_PUBLISHED,
    BALANCE_FIGURES,
    CHAIN_LINKED,
    DEFAULT_FLOW,
    DEFAULT_PARTNER,
    FIGURE_NAMES,
    IMPORT_FIGURE_NAMES,
    TRADE_FLOWS,
    YEAR_FIGURES,
    FigureOptionError,
    FigureOptions,
    Partner,
    resolve_figure_options,
    resolve_partner,
)
from orchestration.figures.style import definition_label, flow_words
from orchestration.figures.tables import TABLES, FigureNotDrawn, figure_table
from orchestration.files import write_text_file

__all__ = [
    "AS_PUBLISHED",
    "BALANCE_FIGURES",
    "CHAIN_LINKED",
    "CHARTS",
    "DEFAULT_FLOW",
    "DEFAULT_PARTNER",
    "FIGURE_NAMES",
    "IMPORT_FIGURE_NAMES",
    "PNG_DPI",
    "TABLES",
    "TRADE_FLOWS",
    "YEAR_FIGURES",
    "DrawnFigure",
    "FigureNotDrawn",
    "FigureOptionError",
    "FigureOptions",
    "Partner",
    "WrittenFigure",
    "configure_matplotlib",
    "data_origin",
    "definition_label",
    "draw_figure",
    "figure_caption",
    "figure_stem",
    "figure_table",
    "flow_words",
    "resolve_figure_options",
    "resolve_partner",
    "slug",
    "write_figure",
    "write_text_file",
]
