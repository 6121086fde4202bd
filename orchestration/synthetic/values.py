"""The SYNTHETIC trade values before they become records: each code's weight inside its home
group (:class:`Weights`), exports to China per HS10 code, exports to every other partner per
partner x code, and whole dollars that sum exactly to a total (:func:`largest_remainder`)."""

from __future__ import annotations

import math
import random
from collections import defaultdict

from orchestration.synthetic.calibration import (
    INTENSITY_LEVEL_SIGMA,
    INTENSITY_STEP_SIGMA,
    MIX_LEVEL_SIGMA,
    MIX_STEP_SIGMA,
    ROW_CODE_SCALE_USD,
    SMALL_CHINA_CODE_USD,
    SMALL_CODE_USD,
    SMALL_GROUP_USD,
)
from orchestration.synthetic.catalog import FACT_WEIGHTS, GROUPS, REAL_LIST_YEAR, SEGMENTS, SPLITS
from orchestration.synthetic.lists import Catalog, Code
from orchestration.synthetic.noise import lognormal, smooth_path
from orchestration.synthetic.targets import CountryYear, china_group_targets, row_composition, segment_share


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


def china_values(year: int, catalog: Catalog, weights: Weights, seed: int) -> dict[str, float]:
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


def row_values(
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


def largest_remainder(values: list[float], total: int) -> list[int]:
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
