"""Seeded noise of the SYNTHETIC bundled sample: independent draws and smooth year-to-year paths.

Every function is deterministic for its arguments and does not depend on which other years or
keys are asked for, so one year's files can be generated alone and still come out byte for byte
the same as in a full run.
"""

from __future__ import annotations

import math
import random
from functools import cache

from orchestration.synthetic.catalog import FIRST_YEAR, LAST_YEAR


def lognormal(rng: random.Random, sigma: float) -> float:
    """A log-normal factor with mean 1 (``exp(N(-sigma^2/2, sigma))``) drawn from ``rng``."""
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def truncated_lognormal(rng: random.Random, sigma: float, bound: float = 2.5) -> float:
    """Like :func:`lognormal`, with the normal draw cut to +-``bound`` standard deviations: a heavy
    but finite tail (at most ``exp(bound * sigma)`` times the median)."""
    return math.exp(max(-bound, min(bound, rng.gauss(0.0, 1.0))) * sigma - sigma * sigma / 2)


@cache
def smooth_path(key: str, level_sigma: float, step_sigma: float, persistence: float = 0.8) -> dict[int, float]:
    """A multiplicative factor per year 2000-2023 that drifts smoothly: ``exp(level + a_y)``.

    ``level`` ~ N(0, ``level_sigma``) truncated to +-2 sigma is the key's fixed offset (how far the
    key sits from the average, every year); ``a_y`` is a stationary AR(1) process, ``a_y =
    persistence * a_(y-1) + e_y`` with ``e_y`` ~ N(0, ``step_sigma``) truncated to +-2.5 sigma, so
    that from one year to the next the factor changes by about ``step_sigma`` (log points) and
    never by more than ``2.5 * step_sigma + (1 - persistence) * |a_(y-1)|``. ``key`` seeds
    everything (include the generator's seed in it). Returns year -> factor (> 0).
    """
    rng = random.Random(f"smooth-{key}")
    level = max(-2.0, min(2.0, rng.gauss(0.0, 1.0))) * level_sigma
    stationary = step_sigma / math.sqrt(1 - persistence * persistence)
    state = max(-2.0, min(2.0, rng.gauss(0.0, 1.0))) * stationary
    path: dict[int, float] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        path[year] = math.exp(level + state)
        state = persistence * state + max(-2.5, min(2.5, rng.gauss(0.0, 1.0))) * step_sigma
    return path


def jitter(key: str, half_width: float) -> float:
    """A factor drawn uniformly from ``[1 - half_width, 1 + half_width]``, seeded by ``key``: small
    bounded noise that keeps a calibrated number inside its stated tolerance."""
    return 1.0 + random.Random(f"jitter-{key}").uniform(-half_width, half_width)
