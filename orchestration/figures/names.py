"""The file names of a figure: a slug of the partner and the figure's options, so that the figures
of different partners, trade flows, windows and definitions sit side by side in one folder."""

from __future__ import annotations

import re
import unicodedata

from orchestration.figures.options import (
    AS_PUBLISHED,
    BALANCE_FIGURES,
    DEFAULT_FLOW,
    FIGURE_NAMES,
    IMPORT_FIGURE_NAMES,
    YEAR_FIGURES,
    FigureOptions,
)


def slug(text: str) -> str:
    """A file-name part: ASCII lower case, runs of other characters as one ``_``
    (``"China + Hong Kong"`` -> ``"china_hong_kong"``, ``"Côte d'Ivoire"`` -> ``"cote_d_ivoire"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def figure_name(number: int, options: FigureOptions) -> str:
    """The name part of figure ``number``'s files: :data:`FIGURE_NAMES` for exports and for the
    balance (figure 7, both flows), :data:`IMPORT_FIGURE_NAMES` for imports (``atp_imports``,
    ``imports_composition``, ...). ``KeyError`` for an unknown figure number."""
    if options.flow == DEFAULT_FLOW or number in BALANCE_FIGURES:
        return FIGURE_NAMES[number]
    return IMPORT_FIGURE_NAMES[number]


def figure_stem(number: int, options: FigureOptions) -> str:
    """The file name (without suffix) of figure ``number`` drawn for ``options``:
    ``figure_<n>_<name>_<partner code>_<slug of the partner's name>`` (the name of the flow
    drawn, :func:`figure_name`), then the year (figures 3 and 6), the window ``<first>_<last>``
    (figures 1, 2, 4, 5 and 7, only when the window was given, so the default files keep their
    names) and the definition unless as published, e.g.
    ``figure_3_composition_shares_5880_japan_2008``, ``figure_1_atp_exports_5700_china_2000_2008``,
    ``figure_1_atp_imports_5700_china_2000_2008``, ``figure_7_trade_balance_5700_china``,
    ``figure_4_specialization_gaps_cn_hk_china_hong_kong_fixed_2008``. ``KeyError`` for an
    unknown figure number."""
    partner = options.partner
    parts = [f"figure_{number}", figure_name(number, options), slug(partner.code), slug(partner.name)]
    if number in YEAR_FIGURES:
        parts.append(str(options.year))
    elif options.years_given:
        parts.extend(str(year) for year in options.years)
    if options.definition != AS_PUBLISHED:
        parts.append(slug(options.definition))
    return "_".join(parts)
