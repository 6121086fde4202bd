"""Filler trade of the SYNTHETIC bundled sample: the value a partner's real total leaves outside
the calibrated ATP codes, spread over many real non-ATP HS10 codes with a realistic size
distribution.

Written for exports; synthetic import histories (calibrated to the real 0007 ``IYR``) can reuse
it unchanged: pick a universe with :func:`select_filler_codes`, weigh it with
:func:`filler_base_weights`, cap it per year with :func:`capped_shares`, and split each
partner's budget with :func:`codes_for_budget` and :func:`spread_over_codes`.

Sizes: each HS chapter weighs its share of U.S. exports
(:data:`orchestration.synthetic.catalog.CHAPTER_WEIGHTS`), split among the universe's codes of
the chapter by seeded log-normal factors (sigma :data:`CODE_SIGMA`, cut at 2.5 sigma): a
heavy-tailed distribution in which live animals stay small and machinery, vehicles and fuels
large. Per year the shares are capped (:data:`MAX_CODE_SHARE`) so that no code
carries a large part of the year's non-ATP total. Nothing here is Census data.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable

from orchestration.synthetic.catalog import CHAPTER_WEIGHTS, OTHER_CHAPTER_WEIGHT
from orchestration.synthetic.noise import lognormal, truncated_lognormal

#: Log-normal dispersion of code weights inside a chapter (log points; draws cut at 2.5 sigma, so
#: that no code of a small chapter grows out of its kind).
CODE_SIGMA = 0.8
#: Dispersion of China's weight of a code around the rest of the world's (China buys a different
#: mix: soybeans, scrap, pulp ...); cut at 2.5 sigma too.
CHINA_SIGMA = 0.5
#: A code's share of the universe's weight in a year is capped at this (before partner noise).
MAX_CODE_SHARE = 0.006


def select_filler_codes(real: dict[str, str], taken: Iterable[str], count: int, seed: int | str) -> list[str]:
    """``count`` real non-ATP codes of the 2019 list (``real``: code -> Schedule B record, HITECH
    in the last two characters), drawn uniformly at random without the codes in ``taken``;
    sorted. Raises ``ValueError`` when fewer than ``count`` codes are left."""
    taken = set(taken)
    candidates = sorted(c for c, record in real.items() if record[-2:] == "00" and c not in taken)
    if count > len(candidates):
        raise ValueError(f"only {len(candidates)} real non-ATP codes left, {count} asked for")
    return sorted(random.Random(f"{seed}-filler-codes").sample(candidates, count))


def filler_base_weights(codes: Iterable[str], seed: int) -> dict[str, tuple[float, float]]:
    """Base weight of each code (to China, to the rest of the world): a seeded log-normal factor
    (sigma :data:`CODE_SIGMA`, cut at 2.5 sigma) per code, scaled so that the codes of each HS
    chapter together weigh the chapter's :data:`CHAPTER_WEIGHTS` (whatever the number of codes
    drawn from it); China's weight is the rest of the world's times another factor (sigma
    :data:`CHINA_SIGMA`)."""
    factors: dict[str, tuple[float, float]] = {}
    for code in sorted(codes):
        rng = random.Random(f"{seed}-filler-weight-{code}")
        row = truncated_lognormal(rng, CODE_SIGMA)
        factors[code] = (row * truncated_lognormal(rng, CHINA_SIGMA), row)
    chapter_totals: dict[str, float] = defaultdict(float)
    for code, (_, row) in factors.items():
        chapter_totals[code[:2]] += row
    weights: dict[str, tuple[float, float]] = {}
    for code, (china, row) in factors.items():
        scale = CHAPTER_WEIGHTS.get(code[:2], OTHER_CHAPTER_WEIGHT) / chapter_totals[code[:2]]
        weights[code] = (china * scale, row * scale)
    return weights


def capped_shares(weights: dict[str, float], cap: float = MAX_CODE_SHARE) -> dict[str, float]:
    """Shares of ``weights`` (summing to 1) with no share above ``cap``: capped codes are held at
    ``cap`` and the others scaled up to fill the rest, repeated until none is over. Raises
    ``ValueError`` when ``cap * len(weights) < 1`` (no such shares) or no weight is positive."""
    if cap * len(weights) < 1:
        raise ValueError(f"{len(weights)} codes cannot all stay under a share of {cap}")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("no positive weight")
    shares = {code: weight / total for code, weight in weights.items()}
    capped: set[str] = set()
    while over := {code for code, share in shares.items() if share > cap and code not in capped}:
        capped |= over
        free = sum(weight for code, weight in weights.items() if code not in capped)
        room = 1 - cap * len(capped)
        shares = {code: cap if code in capped else room * weight / free for code, weight in weights.items()}
    return shares


def codes_for_budget(budget: float, largest_budget: float, universe: int) -> int:
    """How many codes a partner with ``budget`` ships: in proportion to its budget, so that the
    partner with the ``largest_budget`` ships every code of the ``universe`` (as Canada buys
    almost every U.S. product), and at least one."""
    return max(1, min(universe, round(universe * budget / largest_budget)))


def spread_over_codes(
    budget: float, shares: dict[str, float], count: int, rng: random.Random, sigma: float = 0.5
) -> dict[str, float]:
    """Split ``budget`` (USD) over ``count`` codes: each code's share times a log-normal partner
    factor (``sigma``, drawn from ``rng`` in code order), the ``count`` largest kept, values in
    proportion to them (floats summing to ``budget``). Deterministic for the same ``rng``
    state."""
    noisy = {code: shares[code] * lognormal(rng, sigma) for code in sorted(shares)}
    chosen = sorted(noisy, key=lambda code: (-noisy[code], code))[:count]
    total = math.fsum(noisy[code] for code in chosen)
    return {code: budget * noisy[code] / total for code in chosen}
