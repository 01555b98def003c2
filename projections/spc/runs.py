"""Anhøj run-chart rules: the analysis a run chart reports, and the critical values of its two rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class RunAnalysis:
    """The run chart's latest phase, by Anhøj's rules (the kernel counts, the critical values come from here)."""

    useful_observations: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool


def longest_run_max(n_useful: int) -> int:
    """A run longer than this is unusually long: round(log2(n)) + 3 (ties to even, as R rounds)."""
    return round(math.log2(max(n_useful, 1))) + 3


@lru_cache(maxsize=512)
def crossings_min(n_useful: int) -> int:
    """Fewer crossings than this are too few: the 5% quantile of Binomial(n_useful - 1, 0.5) (R qbinom)."""
    trials = max(n_useful - 1, 0)
    # exact integer arithmetic: P(X <= k) >= 0.05  <=>  20 * sum C(trials, i) >= 2**trials
    total = 1 << trials
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if 20 * cumulative >= total:
            return k
    return trials
