"""The targets the SYNTHETIC import history is calibrated to: ATP general imports from China by
group, and from every other partner by group, in USD per year.

Real inputs: the world's ATP general imports (code 0007, ``IYR``) and every partner's total
general imports (``IYR``) of the real country table. Everything else is the generator's
calibration, chosen to reproduce the published pattern (Ferrantino, Koopman, Wang & Yinug 2008;
``/work/shared/DOMAIN.md`` section 2f), not data:

- China's ATP imports are a share of its real total imports (:data:`CHINA_ATP_SHARE`, anchors
  interpolated, times a smooth seeded path of about 3 % a year): about 13 % in 2000, 27 % in
  2008, 30 % after 2011;
- China's Electronics (05) and Aerospace (08) are fractions of the SYNTHETIC exports to China of
  the same group (:func:`orchestration.synthetic.targets.china_group_targets`): 05 between 40 and
  70 %, 08 between 10 and 30 % (:data:`CHINA_05_RATIO`, :data:`CHINA_08_RATIO`), so the U.S.
  keeps a surplus with China in both every year; the rest follows :data:`CHINA_GROUPS`, in which
  Information & communications (04) weighs 70-85 %;
- the other partners: a partner's ATP imports are its real total imports times an "ATP
  intensity" (:data:`PARTNER_INTENSITY` for the large suppliers, 1 for the others, times a seeded
  level and a smooth path), scaled so that China plus the rest equal the real world total, none
  above :data:`MAX_ATP_SHARE` of its real total; its groups are :data:`ROW_GROUPS` times smooth
  partner weights.
"""

from __future__ import annotations

from orchestration.synthetic.catalog import GROUPS
from orchestration.synthetic.noise import smooth_path
from orchestration.synthetic.targets import CountryYear, china_group_targets, interpolate

CHINA = "5700"
#: China's ATP general imports as a share of its real total general imports (anchors).
CHINA_ATP_SHARE = {2000: 0.13, 2004: 0.22, 2008: 0.27, 2011: 0.30, 2019: 0.28, 2023: 0.30}
#: Imports from China of a group as a fraction of the SYNTHETIC exports to China of that group:
#: (low, high); the year's fraction is the middle times a smooth path, held inside the bounds.
CHINA_05_RATIO = (0.40, 0.70)
CHINA_08_RATIO = (0.10, 0.30)
#: Relative weights of China's other groups (anchors; 04 dominates).
CHINA_GROUPS = {
    2000: {"01": 0.003, "02": 0.03, "03": 0.12, "04": 0.70, "06": 0.08, "07": 0.005, "09": 0.002, "10": 0.02},
    2008: {"01": 0.002, "02": 0.02, "03": 0.08, "04": 0.84, "06": 0.04, "07": 0.003, "09": 0.002, "10": 0.01},
    2023: {"01": 0.004, "02": 0.03, "03": 0.10, "04": 0.78, "06": 0.06, "07": 0.004, "09": 0.003, "10": 0.015},
}
#: Composition of ATP imports from the other partners (anchors).
ROW_GROUPS = {
    2000: {"01": 0.01, "02": 0.05, "03": 0.04, "04": 0.43, "05": 0.22, "06": 0.07, "07": 0.005, "08": 0.14},
    2008: {"01": 0.03, "02": 0.06, "03": 0.06, "04": 0.33, "05": 0.18, "06": 0.10, "07": 0.005, "08": 0.18},
    2023: {"01": 0.06, "02": 0.07, "03": 0.05, "04": 0.30, "05": 0.18, "06": 0.12, "07": 0.005, "08": 0.17},
}
ROW_OTHER_GROUPS = {"09": 0.01, "10": 0.01}
#: ATP intensity of the large suppliers relative to an average partner (1).
PARTNER_INTENSITY = {
    "5880": 1.6,  # Japan
    "5800": 3.0,  # Korea, South
    "5830": 4.0,  # Taiwan
    "5570": 4.5,  # Malaysia
    "5590": 3.5,  # Singapore
    "5650": 3.0,  # Philippines
    "5490": 1.8,  # Thailand
    "5520": 2.5,  # Vietnam
    "5081": 2.5,  # Israel
    "4190": 2.0,  # Ireland
    "4280": 1.0,  # Germany
    "4279": 1.6,  # France
    "4120": 1.5,  # United Kingdom
    "4419": 1.4,  # Switzerland
    "2010": 1.0,  # Mexico
    "1220": 0.5,  # Canada
}
#: No partner's ATP imports exceed this share of its real total imports.
MAX_ATP_SHARE = 0.8


def _bounded(key: str, bounds: tuple[float, float], year: int) -> float:
    low, high = bounds
    return max(low, min(high, (low + high) / 2 * smooth_path(key, 0.0, 0.08)[year]))


def _anchored(anchors: dict[int, dict[str, float]], year: int) -> dict[str, float]:
    keys = next(iter(anchors.values()))
    return {k: interpolate({y: v[k] for y, v in anchors.items()}, year) for k in keys}


def china_import_targets(year: int, china: CountryYear, seed: int) -> dict[str, float]:
    """ATP general imports from China by group, USD (see the module docstring)."""
    share = interpolate(CHINA_ATP_SHARE, year) * smooth_path(f"{seed}-imports-china", 0.0, 0.03)[year]
    total = china.imports_usd * share
    exports = china_group_targets(year, seed)
    targets = {
        "05": exports["05"] * _bounded(f"{seed}-imports-china-05", CHINA_05_RATIO, year),
        "08": exports["08"] * _bounded(f"{seed}-imports-china-08", CHINA_08_RATIO, year),
    }
    weights = _anchored(CHINA_GROUPS, year)
    for group in weights:
        weights[group] *= smooth_path(f"{seed}-imports-china-{group}", 0.0, 0.05)[year]
    rest = total - targets["05"] - targets["08"]
    assert rest > 0, (year, total, targets)
    targets.update({g: rest * w / sum(weights.values()) for g, w in weights.items()})
    return {g: targets[g] for g in GROUPS}


def partner_totals(year: int, partners: list[CountryYear], budget: float, seed: int) -> dict[str, float]:
    """ATP imports per partner (not China), USD, summing to ``budget``: real total imports times
    the partner's intensity, none above :data:`MAX_ATP_SHARE` of its real total (capped partners
    are held there and the others scaled up)."""
    weights = {
        p.cty_code: p.imports_usd
        * PARTNER_INTENSITY.get(p.cty_code, 1.0)
        * smooth_path(f"{seed}-imports-intensity-{p.cty_code}", 0.5, 0.06)[year]
        for p in partners
    }
    caps = {p.cty_code: MAX_ATP_SHARE * p.imports_usd for p in partners}
    capped: set[str] = set()
    while True:
        free = budget - sum(caps[c] for c in capped)
        free_weight = sum(w for c, w in weights.items() if c not in capped)
        values = {c: caps[c] if c in capped else free * w / free_weight for c, w in weights.items()}
        over = {c for c, v in values.items() if v > caps[c] and c not in capped}
        if not over:
            return values
        capped |= over


def partner_groups(year: int, cty_code: str, seed: int) -> dict[str, float]:
    """A partner's ATP import composition (fractions summing to 1): :data:`ROW_GROUPS` times smooth
    partner weights."""
    shares = {**_anchored(ROW_GROUPS, year), **ROW_OTHER_GROUPS}
    for group in shares:
        shares[group] *= smooth_path(f"{seed}-imports-{cty_code}-{group}", 0.5, 0.08)[year]
    total = sum(shares.values())
    return {g: shares[g] / total for g in GROUPS}
