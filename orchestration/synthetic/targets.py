"""The targets the SYNTHETIC export history is calibrated to: the real country table's totals per
year and partner (whole USD), China's ATP total and groups on the briefing's paths with seeded
noise, the rest of the world's composition, and the product segments' shares of their groups."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from orchestration.census.parse import read_country_trade
from orchestration.census.tables import COUNTRY_TRADE_WORKBOOK
from orchestration.synthetic.calibration import (
    AEROSPACE_LUMPS,
    AIRPLANE_LUMPS,
    CHINA_ATP_2000_USD,
    CHINA_ATP_AFTER_2008_USD,
    CHINA_ATP_WIGGLE,
    CHINA_ELECTRONICS_AFTER_2008_USD,
    CHINA_ELECTRONICS_JITTER,
    CHINA_ELECTRONICS_WIGGLE,
    CHINA_GROUP_STEP_SIGMA,
    CHINA_OTHER_GROUPS,
    CHINA_SEGMENT_LOGIT_JITTER,
    CHINA_TOTAL_JITTER,
    ROW_GROUPS,
)
from orchestration.synthetic.catalog import DEFAULT_SEED, GROUPS, Segment
from orchestration.synthetic.noise import jitter, smooth_path


@dataclass(frozen=True)
class CountryYear:
    """One row of the real country trade table: code, name, total exports (EYR) and total general
    imports (IYR) in whole USD."""

    cty_code: str
    cty_name: str
    exports_usd: int
    imports_usd: int = 0


def read_country_table(path: Path) -> dict[int, list[CountryYear]]:
    """Read the real Census country table (``country.xlsx``, millions of USD with 6 decimals) into
    whole USD per year x code, exactly (``int(eyr * 1_000_000)`` on decimals, never a float; the
    same for ``iyr``).

    Returns year -> rows in file order (rows without a year are skipped). Raises
    ``FileNotFoundError`` when missing and ``CensusLayoutError`` for a malformed table.
    """
    table = read_country_trade(path, COUNTRY_TRADE_WORKBOOK)
    by_year: dict[int, list[CountryYear]] = defaultdict(list)
    for year, code, name, eyr, iyr in zip(
        table.column("year").to_pylist(),
        table.column("cty_code").to_pylist(),
        table.column("cty_name").to_pylist(),
        table.column("eyr").to_pylist(),
        table.column("iyr").to_pylist(),
        strict=True,
    ):
        if year is not None:
            by_year[year].append(CountryYear(code, name, int(eyr * 1_000_000), int((iyr or 0) * 1_000_000)))
    return by_year


def interpolate(anchors: dict[int, float], year: int) -> float:
    """Linear interpolation between anchor years; flat outside them."""
    years = sorted(anchors)
    if year <= years[0]:
        return anchors[years[0]]
    if year >= years[-1]:
        return anchors[years[-1]]
    for lo, hi in zip(years, years[1:], strict=False):
        if lo <= year <= hi:
            t = (year - lo) / (hi - lo)
            return anchors[lo] * (1 - t) + anchors[hi] * t
    raise AssertionError("unreachable")


def _anchor_vector(anchors: dict[int, dict[str, float]], year: int) -> dict[str, float]:
    keys = next(iter(anchors.values())).keys()
    return {key: interpolate({y: v[key] for y, v in anchors.items()}, year) for key in keys}


def china_paths(year: int) -> tuple[float, float]:
    """China's ATP total and Electronics, USD, before noise: the briefing's stylized facts for
    2000-2008 (13 % a year; Electronics $0.922 billion to $6.6 billion), the SYNTHETIC extension
    after. Raises ``KeyError`` outside 2000-2023."""
    if year <= 2008:
        total = CHINA_ATP_2000_USD * 1.13 ** (year - 2000) * CHINA_ATP_WIGGLE.get(year, 1.0)
        electronics = 0.922e9 * (6.6 / 0.922) ** ((year - 2000) / 8) * CHINA_ELECTRONICS_WIGGLE.get(year, 1.0)
        return total, electronics
    return CHINA_ATP_AFTER_2008_USD[year], CHINA_ELECTRONICS_AFTER_2008_USD[year]


def china_group_targets(year: int, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """ATP exports to China by group, USD, for ``year``: :func:`china_paths` with seeded noise
    (total and Electronics within +-0.6 %, the other groups on smooth paths), so that the
    composition is never a set of round numbers. Raises ``KeyError`` outside 2000-2023."""
    total, electronics = china_paths(year)
    total *= jitter(f"{seed}-china-total-{year}", CHINA_TOTAL_JITTER)
    electronics *= jitter(f"{seed}-china-05-{year}", CHINA_ELECTRONICS_JITTER)
    weights = _anchor_vector(CHINA_OTHER_GROUPS, year)
    weights["08"] *= AEROSPACE_LUMPS[year]
    for group in weights:
        weights[group] *= smooth_path(f"{seed}-china-{group}", 0.0, CHINA_GROUP_STEP_SIGMA)[year]
    scale = (total - electronics) / sum(weights.values())
    targets = {group: weight * scale for group, weight in weights.items()}
    targets["05"] = electronics
    return {group: targets[group] for group in GROUPS}


def row_composition(year: int) -> dict[str, float]:
    """Target composition (fractions summing to 1) of ATP exports to the rest of the world."""
    shares = _anchor_vector(ROW_GROUPS, year)
    shares["08"] *= 1 + (AEROSPACE_LUMPS[year] - 1) / 3
    total = sum(shares.values())
    return {group: share / total for group, share in shares.items()}


def segment_share(segment: Segment, year: int, partner: str, seed: int = DEFAULT_SEED) -> float:
    """A segment's share of its group's exports to ``partner`` (``'china'`` or ``'row'``); China's
    is moved by a seeded +-0.15 in logit (0.90 stays within 0.885-0.913), the rest of the world's
    gets its noise partner by partner."""
    share = interpolate(segment.china if partner == "china" else segment.row, year)
    if partner == "china":
        shift = (jitter(f"{seed}-china-segment-{segment.name}-{year}", 1.0) - 1.0) * CHINA_SEGMENT_LOGIT_JITTER
        share = 1 / (1 + math.exp(-(math.log(share / (1 - share)) + shift)))
    if segment.lumpy:
        lump = AIRPLANE_LUMPS[year]
        share = share * lump / (share * lump + 1 - share)
    return share
