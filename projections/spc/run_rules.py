"""Anhøj's rules on a run chart's last phase, as the batch chart kernel (chart_kernel.py) applies them: the counts
the run analysis reports, long runs flagged on their useful points, and each point's variation."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from projections.spc.settings import LONG_RUN
from projections.spc.windows import U

# Inlined by numba into the chart loop (see chart_kernel._always).
_always = njit(cache=True, boundscheck=False, error_model="numpy", inline="always")


@_always
def run_rules(xs, xo, centre, n, a, table, rules, variation, s0, status_row):
    """Anhøj counts on the last phase [a, n) of a run chart (point j: xs[xo + j] against centre[j]); long runs flagged
    on their useful points; rules and variation written at s0.."""
    useful = 0
    longest = 0
    crossings = 0
    length = 0
    side_prev = 0
    for j in range(a, n):
        # without branches: which side a point falls is a coin flip, and mispredictions cost more than the counting
        v = xs[U(xo + j)]
        side = np.int64(v > centre[j]) - np.int64(v < centre[j])
        if side == 0:
            continue  # on the centre: not useful, it neither extends nor breaks a run
        same = np.int64(side == side_prev)
        useful += 1
        crossings += (1 - same) * np.int64(side_prev != 0)
        length = length * same + 1
        side_prev = side
        longest = max(longest, length)
    run_max = int(np.rint(math.log2(max(useful, 1)))) + 3  # rint rounds ties to even, as R and Python do
    for j in range(n):
        rules[U(s0 + j)] = 0
    if longest <= run_max and table[0] == 0 and table[4] == 0:
        # no long run: no point is flagged, so every variation is the table's for an unflagged point, 0 (see
        # kernels.variation_table): a fill, where a lookup per point took a third of a run chart's time
        for j in range(n):
            variation[U(s0 + j)] = 0
    else:
        _flag_long_runs(xs, xo, centre, n, a, run_max, longest, table, rules, variation, s0)
    status_row[1] = useful
    status_row[2] = longest
    status_row[3] = run_max
    status_row[4] = crossings


@_always
def _flag_long_runs(xs, xo, centre, n, a, run_max, longest, table, rules, variation, s0):
    """Flag the useful points of runs longer than run_max in [a, n) (if any), and every point's variation."""
    if longest > run_max:  # rare: only then find the long runs and flag their useful points
        start = -1
        last = -1
        length = 0
        side_prev = 0
        for j in range(a, n + 1):
            side = 0
            if j < n:
                side = np.int64(xs[U(xo + j)] > centre[j]) - np.int64(xs[U(xo + j)] < centre[j])
                if side == 0:
                    continue
            if side != side_prev:  # the run ending at `last` is over (at the end, side 0 ends the last run)
                if length > run_max:
                    for i in range(start, last + 1):
                        if xs[xo + i] != centre[i]:
                            rules[s0 + i] |= LONG_RUN
                start = j
                length = 0
                side_prev = side
            length += 1
            last = j
    for j in range(n):  # only a long run has a side, so only it can be improvement or concern
        above = np.int64(xs[U(xo + j)] > centre[j])
        flagged = np.int64(rules[s0 + j] != 0)
        variation[s0 + j] = table[flagged * above + 2 * flagged * (1 - above) + 4 * above]
