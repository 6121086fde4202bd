"""The file names of a figure: a slug of the partner and the figure's options, so that the figures
of different partners, windows and definitions sit side by side in one folder."""

from __future__ import annotations

import re
import unicodedata

from orchestration.figures.options import AS_PUBLISHED, FIGURE_NAMES, YEAR_FIGURES, FigureOptions


def slug(text: str) -> str:
    """A file-name part: ASCII lower case, runs of other characters as one ``_``
    (``"China + Hong Kong"`` -> ``"china_hong_kong"``, ``"Côte d'Ivoire"`` -> ``"cote_d_ivoire"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def figure_stem(number: int, options: FigureOptions) -> str:
    """The file name (without suffix) of figure ``number`` drawn for ``options``:
    ``figure_<n>_<name>_<partner code>_<slug of the partner's name>``, then the year (figures 3
    and 6), the window ``<first>_<last>`` (figures 1, 2, 4 and 5, only when the window was
    given, so the default files keep their names) and the definition unless as published, e.g.
    ``figure_3_composition_shares_5880_japan_2008``, ``figure_1_atp_exports_5700_china_2000_2008``,
    ``figure_4_specialization_gaps_cn_hk_china_hong_kong_fixed_2008``. ``KeyError`` for an
    unknown figure number."""
    partner = options.partner
    parts = [f"figure_{number}", FIGURE_NAMES[number], slug(partner.code), slug(partner.name)]
    if number in YEAR_FIGURES:
        parts.append(str(options.year))
    elif options.years_given:
        parts.extend(str(year) for year in options.years)
    if options.definition != AS_PUBLISHED:
        parts.append(slug(options.definition))
    return "_".join(parts)
