"""Deterministic generator of the SYNTHETIC bundled sample (2000-2023), built around REAL Census
data wherever it exists.

Real inputs (read, never written): ``country_trade/country.xlsx`` (the Census "U.S. trade in
goods by country" table, vintage with data through 2024-06) and ``2019/exp-code.txt`` (the real
Census Schedule B export concordance of 2019, with the ATP group of every code).

Written, SYNTHETIC (the ATP detail by HS10 x country is not reachable without census.gov):

- ``<year>/COUNTRY.TXT``: the codes and names of the year's rows of the real country table,
  0xxx grouping codes included;
- the year's export concordance (``CONCORD.TXT`` 2000-2011, ``exp-code.txt`` 2012-2023 except
  2019, whose list is the real file): lists derived from the real 2019 list by seeded yearly
  changes and splits (:mod:`orchestration.synthetic.lists`);
- ``<year>/EXP_HIST.TXT``: monthly export records (DF 1/2, customs districts, whole USD);
- ``hs10_changes.csv``: one row per old -> new code link of the splits; ``manifest.json``.

Calibration (asserted; :class:`AssertionError` when one fails):

- per year, the sum of ``value_usd`` over real countries (codes not starting with 0) and codes on
  that year's ATP list (groups 01-10) equals the real world ATP total (code 0007, EYR) in whole
  USD, to the dollar;
- exports to a partner (all codes) never exceed its real total exports (EYR); no record for a
  0xxx code; every record's country and code are on that year's lists; months 1-12 all occur;
- China (5700), 2000-2008, follows the USITC briefing's stylized facts within stated tolerances,
  never exactly (the tests in ``tests/test_sample_bundle.py`` check the same tolerances):

  ========================================================  ===============================
  fact (briefing)                                           tolerance
  ========================================================  ===============================
  ATP exports to China grow about 13 % a year 2000-2008     compound rate 13 % +- 1 point
  ATP to China each year on that path (with its wiggles)    +- 1 % (asserted here)
  Electronics $0.922 billion (2000) and $6.6 billion (2008) +- 1 % (asserted here)
  semiconductors (8541, 8542) about 90 % of Electronics     90 % +- 3 points (2008)
  Electronics about half of ATP to China (2008)             50 % +- 5 points
  Electronics about a quarter of ATP to the rest (2008)     25 % +- 5 points
  ========================================================  ===============================

  The noise that keeps them off exact values: China's total and Electronics carry a seeded
  jitter of at most +-0.6 % a year; China's other groups follow the anchor weights times a smooth
  seeded path (about 6 % a year); the product segments' shares of China's groups are moved by at
  most +-0.15 in logit (90 % stays within 88.5-91.3 %); the rest of the world is a sum of noisy
  partners. So no year's composition is a set of round numbers (asserted: some group share is
  not a whole number of tenths of a percent). China 2009-2023 is a SYNTHETIC extension
  (ATP to China about $12.8-32.6 billion a year, a dip in 2019-2020 and a rise after, Electronics
  the largest group), not data;
- other partners: a partner's ATP exports are its real total exports (EYR) times an "ATP
  intensity" that differs by partner and drifts smoothly (:func:`.noise.smooth_path`), its groups
  the rest-of-world composition times smooth partner weights, so partner series move with the
  real country table (no Japan x 3.5 in a year while its real exports fell);
- non-ATP exports: 40 % of what a partner's real total leaves after its ATP codes, spread over the
  1,100 codes never on the ATP list with chapter-based, capped, heavy-tailed weights
  (:mod:`orchestration.synthetic.filler`); per year at least 1,000 non-ATP codes carry value, none
  more than 2 % of the year's non-ATP total, and every code of the universe is shipped (asserted);
  a partner x code x district value is spread over one month per ``MONTH_VALUE_USD`` (scaled with
  the year's size), up to 12, so that no record carries an implausible amount;
- product facts (:data:`orchestration.synthetic.catalog.SEGMENTS`): hard disk drives heavier in
  ICT to China and computers in ICT to the rest of the world, blood fractions and human vaccines
  a larger share of Biotechnology to the rest of the world, airplanes lumpy;
- a code's value is allocated through a fixed "home" group, so a code that enters, leaves or
  moves keeps a continuous trade value (outside ATP in the years it is off the list).

Everything is seeded: the same seed gives byte-identical files. Run ``atp generate-sample``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from orchestration.census.layouts import CONCORD, COUNTRY, EXPORT_HISTORY, SCHEDULE_B, format_record
from orchestration.census.parse import read_country_trade
from orchestration.synthetic.catalog import (
    DEFAULT_SEED,
    DISTRICTS,
    FACT_WEIGHTS,
    FIRST_YEAR,
    GROUPS,
    LAND_DISTRICTS,
    LAST_CONCORD_YEAR,
    LAST_YEAR,
    REAL_LIST_YEAR,
    SEGMENTS,
    SPLITS,
    Segment,
)
from orchestration.synthetic.filler import (
    capped_shares,
    codes_for_budget,
    filler_base_weights,
    spread_over_codes,
)
from orchestration.synthetic.lists import Catalog, Code, build_catalog, read_real_list
from orchestration.synthetic.noise import jitter, lognormal, smooth_path

CHINA = "5700"
WORLD_ATP_CODE = "0007"
COUNTRY_TRADE_FILE = "country_trade/country.xlsx"
REAL_LIST_FILE = f"{REAL_LIST_YEAR}/exp-code.txt"
SYNTHETIC_NOTE = (
    "SYNTHETIC sample generated by orchestration.synthetic.generate (not Census data); built around "
    "the real Census country table (country_trade/country.xlsx) and the real 2019 Schedule B export "
    "concordance (2019/exp-code.txt), calibrated to their totals"
)

# China: total ATP exports and Electronics exports, USD (briefing: ~13 %/yr 2000-2008,
# Electronics $922 million in 2000 and $6.6 billion in 2008, about half of ATP in 2008).
CHINA_ATP_2000_USD = 13.2e9 / 1.13**8
# Year-to-year departures from the smooth paths (2000 and 2008 stay exactly on the stated facts).
CHINA_ATP_WIGGLE = {2001: 1.03, 2002: 0.97, 2003: 1.02, 2004: 1.04, 2005: 0.98, 2006: 1.01, 2007: 0.99}
CHINA_ELECTRONICS_WIGGLE = {2001: 0.96, 2002: 1.04, 2003: 1.01, 2004: 0.97, 2005: 1.03, 2006: 0.99, 2007: 1.02}
# SYNTHETIC extension after 2008 (USD): growth to 2017, a dip in 2019-2020, a rise after.
CHINA_ATP_AFTER_2008_USD = {
    2009: 12.8e9,
    2010: 15.9e9,
    2011: 17.8e9,
    2012: 19.4e9,
    2013: 21.6e9,
    2014: 23.9e9,
    2015: 25.2e9,
    2016: 26.1e9,
    2017: 29.4e9,
    2018: 28.1e9,
    2019: 24.2e9,
    2020: 23.3e9,
    2021: 27.9e9,
    2022: 30.8e9,
    2023: 32.6e9,
}
CHINA_ELECTRONICS_AFTER_2008_USD = {
    2009: 6.1e9,
    2010: 7.6e9,
    2011: 7.9e9,
    2012: 8.6e9,
    2013: 9.7e9,
    2014: 10.8e9,
    2015: 11.5e9,
    2016: 12.0e9,
    2017: 13.6e9,
    2018: 13.2e9,
    2019: 11.4e9,
    2020: 11.5e9,
    2021: 13.6e9,
    2022: 14.9e9,
    2023: 15.3e9,
}

# Relative weights of the groups other than Electronics in ATP exports to China (anchor years,
# linearly interpolated, held after the last anchor); Electronics fills the rest.
CHINA_OTHER_GROUPS = {
    2000: {"01": 0.015, "02": 0.10, "03": 0.03, "04": 0.24, "06": 0.07, "07": 0.03, "08": 0.22, "09": 0.0, "10": 0.04},
    2001: {"01": 0.015, "02": 0.10, "03": 0.03, "04": 0.18, "06": 0.07, "07": 0.03, "08": 0.22, "09": 0.0, "10": 0.04},
    2008: {"01": 0.010, "02": 0.07, "03": 0.02, "04": 0.20, "06": 0.03, "07": 0.01, "08": 0.15, "09": 0.0, "10": 0.01},
    2015: {"01": 0.015, "02": 0.09, "03": 0.025, "04": 0.16, "06": 0.06, "07": 0.01, "08": 0.20, "09": 0.0, "10": 0.01},
    2023: {"01": 0.025, "02": 0.10, "03": 0.03, "04": 0.14, "06": 0.09, "07": 0.01, "08": 0.14, "09": 0.0, "10": 0.005},
}
# Composition of ATP exports to the rest of the world (anchor years, interpolated).
ROW_GROUPS = {
    2000: {
        "01": 0.020,
        "02": 0.08,
        "03": 0.020,
        "04": 0.33,
        "05": 0.26,
        "06": 0.04,
        "07": 0.01,
        "08": 0.220,
        "09": 0.010,
        "10": 0.01,
    },
    2008: {
        "01": 0.045,
        "02": 0.09,
        "03": 0.015,
        "04": 0.23,
        "05": 0.25,
        "06": 0.04,
        "07": 0.01,
        "08": 0.295,
        "09": 0.015,
        "10": 0.01,
    },
    2016: {
        "01": 0.055,
        "02": 0.10,
        "03": 0.015,
        "04": 0.20,
        "05": 0.22,
        "06": 0.05,
        "07": 0.01,
        "08": 0.320,
        "09": 0.020,
        "10": 0.01,
    },
    2023: {
        "01": 0.065,
        "02": 0.11,
        "03": 0.020,
        "04": 0.18,
        "05": 0.25,
        "06": 0.06,
        "07": 0.01,
        "08": 0.275,
        "09": 0.020,
        "10": 0.01,
    },
}
# Airplane sales are lumpy: a multiplier on Aerospace per year (China's group, a third of it on
# the rest of the world's composition) ...
AEROSPACE_LUMPS = {
    2000: 1.0,
    2001: 1.3,
    2002: 0.8,
    2003: 1.2,
    2004: 0.7,
    2005: 1.1,
    2006: 1.4,
    2007: 0.9,
    2008: 1.0,
    2009: 1.2,
    2010: 0.9,
    2011: 1.1,
    2012: 0.8,
    2013: 1.25,
    2014: 0.9,
    2015: 1.15,
    2016: 0.85,
    2017: 1.3,
    2018: 1.05,
    2019: 0.7,
    2020: 0.6,
    2021: 0.9,
    2022: 1.2,
    2023: 1.1,
}
# ... and on the airplanes' (HS4 8802) share of Aerospace.
AIRPLANE_LUMPS = {
    2000: 1.0,
    2001: 1.4,
    2002: 0.75,
    2003: 1.2,
    2004: 0.7,
    2005: 1.15,
    2006: 1.5,
    2007: 0.85,
    2008: 1.1,
    2009: 1.3,
    2010: 0.8,
    2011: 1.15,
    2012: 0.75,
    2013: 1.3,
    2014: 0.85,
    2015: 1.25,
    2016: 0.8,
    2017: 1.4,
    2018: 1.05,
    2019: 0.6,
    2020: 0.5,
    2021: 0.9,
    2022: 1.3,
    2023: 1.15,
}

# Folding thresholds (USD): groups and codes of a small partner under these are folded into its
# largest; each further code of a partner x segment needs this much value.
SMALL_GROUP_USD = 2_000_000
SMALL_CODE_USD = 1_000_000
SMALL_CHINA_CODE_USD = 3_000_000
# The thresholds below grow with the year's world ATP total over this reference, so that the
# number of records stays about the same from year to year.
SIZE_REFERENCE_USD = 250e9
# A partner x segment worth V USD ships at most sqrt(V / ROW_CODE_SCALE_USD) codes.
ROW_CODE_SCALE_USD = 4_000_000
# A partner x code x district value is spread over one month per this much (scaled with the
# year's size), up to 12 months.
MONTH_VALUE_USD = 100_000_000

# Noise that keeps the stated facts within their tolerances (module docstring) while no share
# comes out round: China's ATP total and Electronics within +-0.6 % of their paths, each other
# group of China on a smooth seeded path (about 6 % a year), China's product-segment shares
# moved by up to +-0.15 in logit.
CHINA_TOTAL_JITTER = 0.006
CHINA_ELECTRONICS_JITTER = 0.006
CHINA_GROUP_STEP_SIGMA = 0.06
CHINA_SEGMENT_LOGIT_JITTER = 0.15
# Other partners: ATP exports follow the partner's real total exports times an "ATP intensity"
# that differs by partner (level, log sigma 0.3) and drifts smoothly (about 5 % a year); each
# group's weight in the partner's mix likewise (level 0.35, about 8 % a year). Independent
# draws every year made partner series jump (Japan 2022 -> 2023: x 3.5).
INTENSITY_LEVEL_SIGMA = 0.3
INTENSITY_STEP_SIGMA = 0.05
MIX_LEVEL_SIGMA = 0.35
MIX_STEP_SIGMA = 0.08

# Non-ATP exports: NON_ATP_SHARE of what a partner's real total leaves after its ATP codes,
# spread over the universe of non-ATP codes (orchestration.synthetic.filler); values under
# SMALL_NON_ATP_USD are dropped (USD 2,500 is the Census filing threshold per Schedule B code).
NON_ATP_SHARE = 0.4
NON_ATP_PARTNER_SIGMA = 0.35
SMALL_NON_ATP_USD = 2_500
# Checked every year (AssertionError otherwise): non-ATP value on at least this many codes, and
# no code above this share of the year's non-ATP total.
MIN_NON_ATP_CODES = 1_000
MAX_NON_ATP_CODE_SHARE = 0.02


@dataclass(frozen=True)
class CountryYear:
    """One row of the real country trade table: code, name, total exports in whole USD."""

    cty_code: str
    cty_name: str
    exports_usd: int


def read_country_table(path: Path) -> dict[int, list[CountryYear]]:
    """Read the real Census country table (``country.xlsx``, millions of USD with 6 decimals) into
    whole USD per year x code, exactly (``int(eyr * 1_000_000)`` on decimals, never a float).

    Returns year -> rows in file order (rows without a year are skipped). Raises
    ``FileNotFoundError`` when missing and ``CensusLayoutError`` for a malformed table.
    """
    table = read_country_trade(path, COUNTRY_TRADE_FILE)
    by_year: dict[int, list[CountryYear]] = defaultdict(list)
    for year, code, name, eyr in zip(
        table.column("year").to_pylist(),
        table.column("cty_code").to_pylist(),
        table.column("cty_name").to_pylist(),
        table.column("eyr").to_pylist(),
        strict=True,
    ):
        if year is not None:
            by_year[year].append(CountryYear(code, name, int(eyr * 1_000_000)))
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


class Weights:
    """Relative weight of each code inside its home group, per year and partner kind.

    Real codes: a fixed weight (:data:`FACT_WEIGHTS`, ``filler`` for codes never on the ATP list
    (:func:`orchestration.synthetic.filler.filler_base_weights`), or a seeded log-normal with
    median 1) times a seeded trend; China's weights differ from the rest of the world's by a
    seeded factor per code. A synthetic parent weighs what its children weigh
    together (so a split is continuous); a synthetic child carries a seeded fraction of its
    parent's weight.
    """

    def __init__(self, catalog: Catalog, seed: int, filler: dict[str, tuple[float, float]]) -> None:
        self._base: dict[tuple[str, str], float] = {}
        self._trend: dict[str, float] = {}
        self._children: dict[str, tuple[str, ...]] = {}
        self._parent: dict[str, tuple[str, float]] = {}
        self.unit_price: dict[str, float] = {}
        for hs10_code, code in catalog.codes.items():
            rng = random.Random(f"{seed}-weight-{hs10_code}")
            base = FACT_WEIGHTS.get(hs10_code, math.exp(rng.gauss(0.0, 1.1)))
            china_factor = lognormal(rng, 0.5)
            if hs10_code in filler:
                china_base, row_base = filler[hs10_code]
            else:
                china_base, row_base = base * china_factor, base
            self._base[(hs10_code, "china")] = china_base
            self._base[(hs10_code, "row")] = row_base
            self._trend[hs10_code] = rng.gauss(0.0, 0.03)
            self.unit_price[hs10_code] = _unit_price(code, catalog.home_group[hs10_code]) * lognormal(rng, 0.3)
        for split in SPLITS:
            if split.revision <= REAL_LIST_YEAR:
                self._children[split.parent] = split.children
            else:
                rng = random.Random(f"{seed}-split-{split.parent}")
                parts = [rng.uniform(0.5, 1.5) for _ in split.children]
                for child, part in zip(split.children, parts, strict=True):
                    self._parent[child] = (split.parent, part / sum(parts))
        self._cache: dict[tuple[str, int, str], float] = {}

    def of(self, hs10_code: str, year: int, partner: str) -> float:
        """Weight of ``hs10_code`` in ``year`` for ``partner`` (``'china'`` or ``'row'``)."""
        key = (hs10_code, year, partner)
        if key not in self._cache:
            if hs10_code in self._children:
                value = sum(self.of(child, year, partner) for child in self._children[hs10_code])
            elif hs10_code in self._parent:
                parent, fraction = self._parent[hs10_code]
                value = fraction * self._real(parent, year, partner)
            else:
                value = self._real(hs10_code, year, partner)
            self._cache[key] = value
        return self._cache[key]

    def _real(self, hs10_code: str, year: int, partner: str) -> float:
        return self._base[(hs10_code, partner)] * math.exp(self._trend[hs10_code] * (year - REAL_LIST_YEAR))


def _unit_price(code: Code, group: str | None) -> float:
    """Rough USD per unit of quantity 1 (for the quantity field only)."""
    unit = code.unit_qty1
    if unit == "NO":
        if code.hs10_code.startswith("8802"):
            return 40_000_000.0
        return {"08": 2_000_000.0, "06": 150_000.0, "10": 100_000.0, "02": 20_000.0}.get(group or "", 300.0)
    return {
        "KG": 80.0 if group else 3.0,
        "T": 400.0,
        "GM": 40.0,
        "CGM": 0.4,
        "BBL": 70.0,
        "M3": 0.3,
        "GBQ": 10.0,
        "MBQ": 10.0,
        "FBM": 0.5,
    }.get(unit, 100.0)


def _part_key(group: str, hs10_code: str) -> str:
    """The product segment of ``group`` that ``hs10_code`` belongs to (``'rest'`` if none)."""
    for segment in SEGMENTS:
        if segment.group == group and segment.matches(hs10_code):
            return segment.name
    return "rest"


def _parts(group: str, codes: list[str], year: int, partner: str, seed: int) -> list[tuple[str, list[str], float]]:
    """Split ``codes`` of ``group`` into its product segments and the rest: (segment name or
    ``'rest'``, codes, share of the group); segments without codes are dropped and the shares
    renormalised. Raises ``ValueError`` when the segments take the whole group."""
    members: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        members[_part_key(group, code)].append(code)
    parts = [
        (s.name, members[s.name], segment_share(s, year, partner, seed))
        for s in SEGMENTS
        if s.group == group and members[s.name]
    ]
    taken = sum(share for _, _, share in parts)
    if taken >= 1:
        raise ValueError(f"segments of group {group} take {taken:.2f} of it in {year}")
    if members["rest"]:
        parts.append(("rest", members["rest"], 1 - taken))
    total = sum(share for _, _, share in parts)
    return [(key, part, share / total) for key, part, share in parts]


def _china_values(year: int, catalog: Catalog, weights: Weights, seed: int) -> dict[str, float]:
    """Exports to China per HS10 code, USD (floats).

    Each code gets a raw value from its home group's target, segment share and weight; then the
    codes on the list in group g and segment s are scaled so that they sum exactly to g's target
    times s's share, and codes off the list take the same scale factor as their home group and
    segment (so a code's value does not jump when it enters, leaves or moves; off the list it is
    outside ATP). Small codes are folded into the largest of their segment."""
    targets = china_group_targets(year, seed)
    existing = [c for c in catalog.codes if catalog.codes[c].exists_in(year)]
    raw: dict[str, float] = {}
    for group in GROUPS:
        members = [c for c in existing if catalog.home_group[c] == group]
        for _, part, share in _parts(group, members, year, "china", seed):
            part_weights = {c: weights.of(c, year, "china") for c in part}
            total = sum(part_weights.values())
            for code, weight in part_weights.items():
                raw[code] = targets[group] * share * weight / total
    values: dict[str, float] = {}
    factors: dict[tuple[str, str], float] = {}
    for group in GROUPS:
        listed = [c for c in existing if catalog.codes[c].hitech_in(year) == group]
        if not listed:
            if targets[group] > 0:
                raise ValueError(f"{year}: no code on the list of group {group} for China's target")
            continue
        for key, part, share in _parts(group, listed, year, "china", seed):
            total = sum(raw[c] for c in part)
            if targets[group] == 0:
                continue
            if total <= 0:
                raise ValueError(f"{year}: group {group} codes {part[:3]}... carry no China value")
            factors[(group, key)] = targets[group] * share / total
            part_values = {c: raw[c] * factors[(group, key)] for c in part}
            largest = max(part_values, key=lambda c: (part_values[c], c))
            for code in [c for c, v in part_values.items() if v < SMALL_CHINA_CODE_USD and c != largest]:
                part_values[largest] += part_values.pop(code)
            values.update(part_values)
    for code, value in raw.items():
        if not catalog.codes[code].is_atp(year):
            home = catalog.home_group[code] or ""
            value *= factors.get((home, _part_key(home, code)), 1.0)
            if value >= SMALL_CHINA_CODE_USD:
                values[code] = value
    return values


def _row_values(
    year: int,
    catalog: Catalog,
    weights: Weights,
    countries: list[CountryYear],
    row_target: int,
    rng: random.Random,
    size: float,
    seed: int,
) -> dict[tuple[str, str], float]:
    """Exports to each other partner per HS10 code, USD (floats): on-list ATP codes sum to
    ``row_target``; a partner's value follows its real total exports times its ATP intensity (a
    smooth seeded path per partner), its groups the rest-of-world composition times the partner's
    own smooth group weights, its codes the segment shares and code weights; small partners get
    few groups and codes (folded). Codes off the list keep the value of their home group, outside
    ATP, with the same scale as the codes on it."""
    existing = [c for c in catalog.codes if catalog.codes[c].exists_in(year)]
    group_parts = {g: _parts(g, [c for c in existing if catalog.home_group[c] == g], year, "row", seed) for g in GROUPS}
    composition = row_composition(year)
    country_weights = {
        c.cty_code: c.exports_usd
        * smooth_path(f"{seed}-intensity-{c.cty_code}", INTENSITY_LEVEL_SIGMA, INTENSITY_STEP_SIGMA)[year]
        for c in countries
    }
    weight_total = sum(country_weights.values())
    cells: dict[tuple[str, str], float] = {}
    for country in countries:
        country_value = row_target * country_weights[country.cty_code] / weight_total
        mix = {
            g: s * smooth_path(f"{seed}-mix-{country.cty_code}-{g}", MIX_LEVEL_SIGMA, MIX_STEP_SIGMA)[year]
            for g, s in composition.items()
        }
        biggest = max(mix, key=lambda g: (mix[g], g))
        mix_sum = sum(mix.values())
        for group in [g for g, s in mix.items() if country_value * s / mix_sum < SMALL_GROUP_USD and g != biggest]:
            mix[biggest] += mix.pop(group)
        mix_total = sum(mix.values())
        for group, share in mix.items():
            group_value = country_value * share / mix_total
            noisy_parts = [(part, part_share * lognormal(rng, 0.2)) for _, part, part_share in group_parts[group]]
            parts_total = sum(s for _, s in noisy_parts)
            code_values: dict[str, float] = {}
            for part, part_share in noisy_parts:
                part_value = group_value * part_share / parts_total
                noisy = {c: weights.of(c, year, "row") * lognormal(rng, 0.4) for c in part}
                count = max(1, min(len(part), int(math.sqrt(part_value / (ROW_CODE_SCALE_USD * size)))))
                chosen = sorted(noisy, key=lambda c: (-noisy[c], c))[:count]
                chosen_total = sum(noisy[c] for c in chosen)
                for code in chosen:
                    code_values[code] = part_value * noisy[code] / chosen_total
            largest = max(code_values, key=lambda c: (code_values[c], c))
            for code in [c for c, v in code_values.items() if v < SMALL_CODE_USD and c != largest]:
                code_values[largest] += code_values.pop(code)
            for code, value in code_values.items():
                cells[(country.cty_code, code)] = value
    # one scale for all codes (on the list or not), so that list changes do not make values jump
    on_list = sum(v for (_, code), v in cells.items() if catalog.codes[code].is_atp(year))
    scale = row_target / on_list
    return {k: v * scale for k, v in cells.items()}


def _largest_remainder(values: list[float], total: int) -> list[int]:
    """Whole numbers proportional to ``values`` that sum exactly to ``total``."""
    value_sum = sum(values)
    scaled = [v * total / value_sum for v in values] if value_sum else [0.0] * len(values)
    floors = [math.floor(v) for v in scaled]
    short = total - sum(floors)
    order = sorted(range(len(scaled)), key=lambda i: (scaled[i] - floors[i], -i), reverse=True)
    for i in order[: max(0, short)]:
        floors[i] += 1
    assert sum(floors) == total, (sum(floors), total)
    return floors


@dataclass
class Piece:
    """One export history record before rendering (value in USD, may be fractional)."""

    df_code: str
    hs10_code: str
    cty_code: str
    district_code: str
    month: int
    value: float


def _pieces(rng: random.Random, cty_code: str, hs10_code: str, value: float, size: float) -> list[Piece]:
    """Split a country x code annual value across DF, districts and months (more of them for
    larger values: a district's value is spread over one month per ``MONTH_VALUE_USD``, up to
    12; ``size`` scales the thresholds)."""
    splits: list[tuple[str, float]] = [("1", value)]
    if value > 1e6 and rng.random() < 0.25:
        foreign = value * rng.uniform(0.03, 0.15)
        splits = [("1", value - foreign), ("2", foreign)]
    districts_pool = LAND_DISTRICTS.get(cty_code, DISTRICTS)
    pieces: list[Piece] = []
    for df_code, df_value in splits:
        n_districts = 1 if df_value < 1e8 * size else (2 if df_value < 2e9 * size else 3)
        districts = rng.sample(districts_pool, min(n_districts, len(districts_pool)))
        d_weights = [rng.uniform(0.5, 1.5) for _ in districts]
        for district, d_weight in zip(districts, d_weights, strict=True):
            d_value = df_value * d_weight / sum(d_weights)
            n_months = max(1, min(12, math.ceil(d_value / (MONTH_VALUE_USD * size))))
            months = sorted(rng.sample(range(1, 13), n_months))
            m_weights = [rng.uniform(0.5, 1.5) for _ in months]
            for month, m_weight in zip(months, m_weights, strict=True):
                pieces.append(Piece(df_code, hs10_code, cty_code, district, month, d_value * m_weight / sum(m_weights)))
    return pieces


@dataclass
class YearFiles:
    """The synthetic files of one year, as lists of fixed-width records; ``concord_name`` is
    ``CONCORD.TXT`` or ``exp-code.txt`` (``None`` for 2019, whose list is the real file)."""

    concord_name: str | None
    concord: list[str]
    country: list[str]
    history: list[str]


def _years_ap(year: int, first: int) -> str:
    return "".join(f"{y % 100:02d}" for y in range(max(first, year - 4), year + 1))


def _concordance(year: int, catalog: Catalog) -> tuple[str | None, list[str]]:
    if year == REAL_LIST_YEAR:
        return None, []
    listed = catalog.listed(year)
    if year <= LAST_CONCORD_YEAR:
        return "CONCORD.TXT", [
            format_record(
                CONCORD,
                {
                    "hs10_code": c.hs10_code,
                    "description": c.description,
                    "short_description": c.short_description[:50].rstrip(),
                    "unit_qty1": c.unit_qty1 or None,
                    "unit_qty2": c.unit_qty2 or None,
                    "sitc_code": c.sitc_code or None,
                    "end_use_code": c.end_use_code or None,
                    "naics_code": c.naics_code or None,
                    "usda_code": c.usda_code or None,
                    "hitech_code": c.hitech_in(year),
                    "years_ap": _years_ap(year, c.first_year),
                },
            )
            for c in listed
        ]
    records = []
    for c in listed:
        if c.real_record is not None:  # the real record, with this year's group
            records.append(c.real_record[: SCHEDULE_B.record_length - 2] + c.hitech_in(year))
        else:
            records.append(
                format_record(
                    SCHEDULE_B,
                    {
                        "hs10_code": c.hs10_code,
                        "short_description": c.short_description,
                        "description": c.description,
                        "unit_qty1": c.unit_qty1 or None,
                        "unit_qty2": c.unit_qty2 or None,
                        "sitc_code": c.sitc_code or None,
                        "end_use_code": c.end_use_code or None,
                        "usda_code": c.usda_code or None,
                        "naics_code": c.naics_code or None,
                        "hitech_code": c.hitech_in(year),
                    },
                )
            )
    return "exp-code.txt", records


def generate_year(year: int, countries: list[CountryYear], catalog: Catalog, weights: Weights, seed: int) -> YearFiles:
    """Build the concordance, country list and export history records of one year.

    ``countries`` are the year's rows of the real country table (USD). Raises ``AssertionError``
    when a calibration constraint (world ATP total to the dollar, partner caps, lists, months)
    does not hold, so a bad generator change cannot ship a bad sample.
    """
    rng = random.Random(f"{seed}-{year}")
    world_atp = next(c.exports_usd for c in countries if c.cty_code == WORLD_ATP_CODE)
    real = [c for c in countries if not c.cty_code.startswith("0") and c.exports_usd > 0]
    caps = {c.cty_code: c.exports_usd for c in real}

    china_values = _china_values(year, catalog, weights, seed)
    china_total = round(sum(china_group_targets(year, seed).values()))
    row_countries = [c for c in real if c.cty_code != CHINA and c.exports_usd >= 1_000_000]
    cells = {(CHINA, code): value for code, value in china_values.items()}
    size = world_atp / SIZE_REFERENCE_USD
    cells.update(_row_values(year, catalog, weights, row_countries, world_atp - china_total, rng, size, seed))

    # Records: ATP pieces integerised per half (China, rest of world) so the world total is exact.
    china_pieces: list[Piece] = []
    row_pieces: list[Piece] = []
    other_pieces: list[Piece] = []
    for (cty_code, code), value in sorted(cells.items()):
        pieces = _pieces(rng, cty_code, code, value, size)
        if not catalog.codes[code].is_atp(year):
            other_pieces.extend(pieces)
        elif cty_code == CHINA:
            china_pieces.extend(pieces)
        else:
            row_pieces.extend(pieces)
    integer_values: list[tuple[Piece, int]] = []
    for pieces, total in ((china_pieces, china_total), (row_pieces, world_atp - china_total)):
        integer_values.extend(zip(pieces, _largest_remainder([p.value for p in pieces], total), strict=True))
    integer_values.extend((p, round(p.value)) for p in other_pieces)

    # Non-ATP exports: NON_ATP_SHARE of what the partner's real total leaves after the codes
    # above, spread over the universe of codes never on the ATP list (capped shares, partner noise;
    # the partner with the largest budget ships every code, smaller ones fewer).
    shipped: dict[str, int] = defaultdict(int)
    for piece, value in integer_values:
        shipped[piece.cty_code] += value
    never_atp = [c for c in catalog.codes if catalog.home_group[c] is None and catalog.codes[c].exists_in(year)]
    shares = {
        partner: capped_shares({c: weights.of(c, year, partner) for c in never_atp}) for partner in ("china", "row")
    }
    budgets = {c.cty_code: NON_ATP_SHARE * (c.exports_usd - shipped[c.cty_code]) for c in real}
    budgets = {code: budget for code, budget in budgets.items() if budget >= 50_000}
    largest = max(budgets.values())
    for cty_code, budget in budgets.items():
        count = codes_for_budget(budget, largest, len(never_atp))
        partner_shares = shares["china" if cty_code == CHINA else "row"]
        for code, value in spread_over_codes(budget, partner_shares, count, rng, NON_ATP_PARTNER_SIGMA).items():
            if value >= SMALL_NON_ATP_USD:
                integer_values.extend((p, round(p.value)) for p in _pieces(rng, cty_code, code, value, size))
    integer_values = [(p, v) for p, v in integer_values if v > 0]
    _check_year(year, integer_values, catalog, world_atp, caps, countries, seed)

    history = []
    for piece, value in sorted(
        integer_values,
        key=lambda pv: (pv[0].hs10_code, pv[0].cty_code, pv[0].district_code, pv[0].df_code, pv[0].month),
    ):
        code = catalog.codes[piece.hs10_code]
        quantity = None if code.unit_qty1 in ("X", "") else max(1, round(value / weights.unit_price[code.hs10_code]))
        land = piece.cty_code in LAND_DISTRICTS
        air_share = 0.0 if land else (0.85 if catalog.home_group[code.hs10_code] else 0.1)
        air_value = round(value * air_share)
        vessel_value = 0 if land else value - air_value
        history.append(
            format_record(
                EXPORT_HISTORY,
                {
                    "df_code": piece.df_code,
                    "hs10_code": piece.hs10_code,
                    "cty_code": piece.cty_code,
                    "district_code": piece.district_code,
                    "stat_month": piece.month,
                    "stat_year": year,
                    "qty2": None,
                    "record_count": rng.randint(1, 60),
                    "qty1": quantity,
                    "value_usd": value,
                    "vessel_weight_kg": round(vessel_value / 3) if vessel_value else 0,
                    "vessel_value_usd": vessel_value,
                    "air_weight_kg": round(air_value / 150) if air_value else 0,
                    "air_value_usd": air_value,
                },
            )
        )
    concord_name, concord = _concordance(year, catalog)
    country = [
        format_record(
            COUNTRY,
            {
                "cty_code": c.cty_code,
                "cty_desc": None,
                "cty_name": c.cty_name[:30],
                "years_ap": _years_ap(year, FIRST_YEAR - 4),
            },
        )
        for c in sorted(countries, key=lambda c: c.cty_code)
    ]
    return YearFiles(concord_name=concord_name, concord=concord, country=country, history=history)


def _check_year(
    year: int,
    integer_values: list[tuple[Piece, int]],
    catalog: Catalog,
    world_atp: int,
    caps: dict[str, int],
    countries: list[CountryYear],
    seed: int,
) -> None:
    """Assert the calibration constraints of one year's history (see the module docstring)."""
    atp_total = sum(v for p, v in integer_values if catalog.codes[p.hs10_code].is_atp(year))
    assert atp_total == world_atp, (year, atp_total, world_atp)
    per_partner: dict[str, int] = defaultdict(int)
    for piece, value in integer_values:
        per_partner[piece.cty_code] += value
    over = {code: (value, caps.get(code)) for code, value in per_partner.items() if value > caps.get(code, 0)}
    assert not over, (year, over)
    listed_countries = {c.cty_code for c in countries}
    assert all(p.cty_code in listed_countries and not p.cty_code.startswith("0") for p, _ in integer_values), year
    assert all(catalog.codes[p.hs10_code].exists_in(year) for p, _ in integer_values), year
    assert {p.month for p, _ in integer_values} == set(range(1, 13)), year
    china = china_group_targets(year, seed)
    china_listed = defaultdict(int)
    for piece, value in integer_values:
        if piece.cty_code == CHINA:
            china_listed[catalog.codes[piece.hs10_code].hitech_in(year)] += value
    for group in GROUPS:
        assert abs(china_listed[group] - china[group]) <= 1_000 + 1e-6 * china[group], (year, group)
    # the briefing's facts within the tolerances of the module docstring, never exactly round
    china_atp = sum(china_listed[g] for g in GROUPS)
    path_total, path_electronics = china_paths(year)
    assert abs(china_atp / path_total - 1) <= 0.01, (year, china_atp, path_total)
    assert abs(china_listed["05"] / path_electronics - 1) <= 0.01, (year, china_listed["05"], path_electronics)
    assert any(
        abs(1000 * china_listed[g] / china_atp - round(1000 * china_listed[g] / china_atp)) > 1e-6 for g in GROUPS
    )
    # non-ATP value on many codes, none of them large, every code of the universe shipped
    non_atp: dict[str, int] = defaultdict(int)
    for piece, value in integer_values:
        if not catalog.codes[piece.hs10_code].is_atp(year):
            non_atp[piece.hs10_code] += value
    assert len(non_atp) >= MIN_NON_ATP_CODES, (year, len(non_atp))
    largest = max(non_atp, key=lambda c: (non_atp[c], c))
    assert non_atp[largest] <= MAX_NON_ATP_CODE_SHARE * sum(non_atp.values()), (year, largest, non_atp[largest])
    never_atp = {c for c in catalog.codes if catalog.home_group[c] is None and catalog.codes[c].exists_in(year)}
    assert never_atp <= set(non_atp), (year, sorted(never_atp - set(non_atp))[:5])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\r\n" for line in lines), encoding="ascii", newline="")


def generate_sample(
    sample_dir: Path, seed: int = DEFAULT_SEED, years: range = range(FIRST_YEAR, LAST_YEAR + 1)
) -> dict[str, object]:
    """Write the SYNTHETIC files of ``years`` under ``sample_dir``: ``<year>/COUNTRY.TXT``, the
    year's concordance (``CONCORD.TXT`` up to 2011, ``exp-code.txt`` from 2012, none for 2019
    whose list is the real file), ``<year>/EXP_HIST.TXT``; then ``hs10_changes.csv`` (every
    split link) and ``manifest.json`` (each file with origin ``synthetic`` or ``census``, sha256
    and record count). Values in the history are whole USD.

    Reads the real inputs ``sample_dir/country_trade/country.xlsx`` and
    ``sample_dir/2019/exp-code.txt`` (never writes them). The lists of every year are derived
    from the real 2019 list whatever ``years`` holds, so a year's files do not depend on which
    other years are written. Returns the manifest dict. Raises ``FileNotFoundError`` when a real
    input is missing, ``ValueError`` for a year outside 2000-2023 or a malformed input, and
    ``AssertionError`` when a calibration constraint fails.
    """
    if years.start < FIRST_YEAR or years.stop - 1 > LAST_YEAR or years.step != 1:
        raise ValueError(f"years must be a contiguous range inside {FIRST_YEAR}-{LAST_YEAR}, got {years}")
    real_list_path = sample_dir / REAL_LIST_FILE
    real_list = read_real_list(real_list_path)
    by_year = read_country_table(sample_dir / COUNTRY_TRADE_FILE)
    catalog = build_catalog(real_list, seed)
    for hs10_code, code in catalog.codes.items():  # the 2019 list of the universe is the real one
        assert not code.exists_in(REAL_LIST_YEAR) or code.hitech_in(REAL_LIST_YEAR) == real_list[hs10_code][-2:]
    never_atp = [c for c, code in catalog.codes.items() if catalog.home_group[c] is None and not code.is_synthetic]
    weights = Weights(catalog, seed, filler_base_weights(never_atp, seed))
    files: list[dict[str, str]] = []
    for year in years:
        year_files = generate_year(year, by_year[year], catalog, weights, seed)
        folder = sample_dir / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        outputs = [("COUNTRY.TXT", year_files.country), ("EXP_HIST.TXT", year_files.history)]
        if year_files.concord_name is None:
            files.append(
                {
                    "path": REAL_LIST_FILE,
                    "origin": "census",
                    "sha256": _sha256(real_list_path),
                    "records": str(len(real_list)),
                }
            )
        else:
            outputs.insert(0, (year_files.concord_name, year_files.concord))
            stale = "exp-code.txt" if year_files.concord_name == "CONCORD.TXT" else "CONCORD.TXT"
            (folder / stale).unlink(missing_ok=True)
        for name, lines in outputs:
            path = folder / name
            _write_lines(path, lines)
            files.append(
                {"path": f"{year}/{name}", "origin": "synthetic", "sha256": _sha256(path), "records": str(len(lines))}
            )
    changes = catalog.change_rows()
    changes_path = sample_dir / "hs10_changes.csv"
    changes_path.write_text(
        "old_hs10_code,new_hs10_code,first_year\n" + "".join(f"{o},{n},{y}\n" for o, n, y in changes),
        encoding="ascii",
    )
    files.append(
        {
            "path": "hs10_changes.csv",
            "origin": "synthetic",
            "sha256": _sha256(changes_path),
            "records": str(len(changes)),
        }
    )
    files.append(
        {
            "path": COUNTRY_TRADE_FILE,
            "origin": "census",
            "sha256": _sha256(sample_dir / COUNTRY_TRADE_FILE),
            "records": str(sum(len(v) for v in by_year.values())),
        }
    )
    manifest = {
        "note": SYNTHETIC_NOTE,
        "generator": "orchestration.synthetic.generate",
        "seed": seed,
        "years": [years.start, years.stop - 1],
        "files": files,
    }
    (sample_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
