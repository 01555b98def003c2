"""Anhøj run-chart rules: unusually long runs and too few crossings of the median."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True, slots=True)
class RunAnalysis:
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


def analyse_runs(values: np.ndarray, centre: np.ndarray) -> tuple[RunAnalysis, np.ndarray]:
    """Anhøj analysis of values against centre; also returns a mask of points in an unusually long run.

    Points exactly on the centre are not useful: they neither extend nor break a run.
    """
    side = np.sign(values - centre)
    useful = np.flatnonzero(side != 0)
    n = useful.size
    long_mask = np.zeros(values.shape[0], dtype=bool)
    run_max = longest_run_max(n)
    cross_min = crossings_min(n)
    if n == 0:
        return RunAnalysis(0, 0, run_max, 0, cross_min, False), long_mask
    s = side[useful]
    change = np.flatnonzero(s[1:] != s[:-1]) + 1
    starts = np.concatenate(([0], change))
    lengths = np.diff(np.concatenate((starts, [n])))
    longest = int(lengths.max())
    for start, length in zip(starts[lengths > run_max], lengths[lengths > run_max], strict=True):
        long_mask[useful[start : start + length]] = True
    crossings = int(change.size)
    signal = longest > run_max or crossings < cross_min
    return RunAnalysis(n, longest, run_max, crossings, cross_min, signal), long_mask
