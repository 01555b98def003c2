"""The batch chart kernel: every series of a batch, of any chart type, with its phases or baseline, in one call.

Series t is points offsets[t]:offsets[t+1] of the flat input columns; its phase starts are
cuts[cut_offsets[t]:cut_offsets[t+1]] (point indices within the series) and its settings are row t of params
(columns: settings.PARAMS) with the limit constant in ks[t]. Outputs are flat too, written for every point, so
they can come in uninitialised. Per series it writes status[t] = (last point active, and for run charts: useful
observations, longest run, longest-run maximum, crossings, first point of the last phase). The caller adds what
needs exact integer arithmetic (Anhøj's crossings minimum) and the icons.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from projections.spc.kernels import classify, flag_series, fsum, variation_table, xmr_stats, zone_code
from projections.spc.limits import G_MEDIAN_FACTOR, T_EXPONENT
from projections.spc.settings import (
    LONG_RUN,
    MR_UCL_CONSTANT,
    RUN,
    C,
    G,
    P,
    T,
    U,
)
from projections.spc.settings import XMR as XMR_KIND

# No fastmath: the comparisons with the mean decide ties exactly, and the compensated sums must stay in order.
_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
STATUS = 6  # columns of status
_MULTS = (3.0, -3.0, 2.0, -2.0, 1.0, -1.0)  # sigma multiples of the line rows 1..6


@_kernel
def _sigma_lines(kind, x, den, s0, s, e, a, b, lines, active_period):
    """Centre and sigma lines of an attribute chart (P, U, C, G) for points [a, b) from the period [s, e)."""
    if kind == P or kind == U:
        rate = fsum(x, s0 + s, s0 + e) / fsum(den, s0 + s, s0 + e)
        centre = rate
    elif kind == C:
        rate = fsum(x, s0 + s, s0 + e) / (e - s)
        centre = rate
    else:  # G: the centre is the geometric median, the limits come from the mean
        rate = fsum(x, s0 + s, s0 + e) / (e - s)
        centre = G_MEDIAN_FACTOR * rate
    ceiling = 1.0 if kind == P else np.inf
    for i in range(s0 + a, s0 + b):
        lines[0, i] = centre
        if not active_period:
            for r in range(1, 7):
                lines[r, i] = np.nan
            continue
        if kind == P:
            sigma = math.sqrt(rate * (1.0 - rate) / den[i])
        elif kind == U:
            sigma = math.sqrt(rate / den[i])
        elif kind == C:
            sigma = math.sqrt(rate)
        else:
            sigma = math.sqrt(rate * (rate + 1.0))
        for r in range(6):
            if kind == G:
                lines[r + 1, i] = max(rate + _MULTS[r] * sigma, 0.0)
            else:  # np.clip's order: floor, then ceiling
                lines[r + 1, i] = min(max(centre + _MULTS[r] * sigma, 0.0), ceiling)


@_kernel
def _xmr_lines(kind, calc, plotted, s0, s, e, a, b, k, screen, lines, mr, mr_ucl, active_period):
    """XmR (and T, on the transformed scale) lines for points [a, b) from the period [s, e)."""
    mean, mrbar = xmr_stats(calc, s0 + s, s0 + e, screen)
    third = k / 3.0
    # the same expressions, in the same order, as SPC-RULES.md writes them, so limits are reproducible
    w1 = k * mrbar
    w2 = 2.0 * third * mrbar
    w3 = third * mrbar
    for i in range(s0 + a, s0 + b):
        lines[0, i] = mean
        if active_period:
            lines[1, i] = mean + w1
            lines[2, i] = mean - w1
            lines[3, i] = mean + w2
            lines[4, i] = mean - w2
            lines[5, i] = mean + w3
            lines[6, i] = mean - w3
        else:
            for r in range(1, 7):
                lines[r, i] = np.nan
        if kind == XMR_KIND:
            mr[i] = abs(plotted[i] - plotted[i - 1]) if i > s0 + a else np.nan
            mr_ucl[i] = MR_UCL_CONSTANT * mrbar if active_period else np.nan


@_kernel
def _run_rules(plotted, lines, s0, n, a, table, rules, variation, status_row):
    """Anhøj rules on the last phase [a, n) of a run chart: long runs flagged on their useful points."""
    useful = 0
    longest = 0
    crossings = 0
    length = 0
    side_prev = 0
    for i in range(s0 + a, s0 + n):
        d = plotted[i] - lines[0, i]
        side = 1 if d > 0 else (-1 if d < 0 else 0)
        if side == 0:
            continue
        useful += 1
        if side == side_prev:
            length += 1
        else:
            if side_prev != 0:
                crossings += 1
            length = 1
        side_prev = side
        longest = max(longest, length)
    run_max = int(np.rint(math.log2(max(useful, 1)))) + 3  # rint rounds ties to even, as R and Python do
    for i in range(s0, s0 + n):
        rules[i] = 0
    start = -1
    last = -1
    length = 0
    side_prev = 0
    for i in range(s0 + a, s0 + n + 1):
        side = 0
        if i < s0 + n:
            d = plotted[i] - lines[0, i]
            side = 1 if d > 0 else (-1 if d < 0 else 0)
            if side == 0:
                continue  # not useful: neither extends nor breaks a run
        if side != side_prev:  # a run ended at `last` (and at the end, side 0 ends the last run)
            if length > run_max:
                for j in range(start, last + 1):
                    if plotted[j] != lines[0, j]:
                        rules[j] |= LONG_RUN
            start = i
            length = 0
            side_prev = side
        length += 1
        last = i
    for i in range(s0, s0 + n):
        above = np.int64(plotted[i] > lines[0, i])
        flagged = np.int64(rules[i] != 0)
        variation[i] = table[flagged * above + 2 * flagged * (1 - above) + 4 * above]
    status_row[1] = useful
    status_row[2] = longest
    status_row[3] = run_max
    status_row[4] = crossings


@_kernel
def chart_all(x, den, offsets, cuts, cut_offsets, params, ks,
              plotted, lines, mr, mr_ucl, rules, variation, status):
    """Chart every series of the batch (see the module docstring); answers the number of bad inputs (non-finite
    values, denominators not positive and finite), with nothing else to trust when it is not zero."""
    bad = 0
    longest = 0
    for t in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[t + 1] - offsets[t])
    rx = np.empty(x.shape[0])  # the values on the scale the rules see (T charts: transformed)
    z = np.zeros(longest, dtype=np.uint8)
    hi = np.zeros(longest, dtype=np.uint8)
    lo = np.zeros(longest, dtype=np.uint8)
    brk_run = np.zeros(longest, dtype=np.bool_)
    brk_trend = np.zeros(longest, dtype=np.bool_)
    active = np.zeros(longest, dtype=np.bool_)
    tables = np.empty((6, 8), dtype=np.int8)  # by direction (-1, 0, 1) and whether improvement wins
    for direction in range(-1, 2):
        for wins in range(2):
            tables[2 * (direction + 1) + wins] = variation_table(direction, wins == 1)
    for t in range(offsets.shape[0] - 1):
        s0 = offsets[t]
        n = offsets[t + 1] - s0
        kind = params[t, 0]
        table = tables[2 * (params[t, 1] + 1) + params[t, 6]]
        for c in range(STATUS):
            status[t, c] = 0
        ratio = kind == P or kind == U
        for i in range(s0, s0 + n):
            # checked here, in the pass that reads them anyway: a separate test would read the batch twice
            bad += np.int64(not np.isfinite(x[i])) + np.int64(ratio and not (np.isfinite(den[i]) and den[i] > 0))
            v = x[i] / den[i] if ratio else x[i]
            plotted[i] = v
            rx[i] = x[i] ** (1.0 / T_EXPONENT) if kind == T else v
            mr[i] = np.nan
            mr_ucl[i] = np.nan
        if n == 0 or bad:
            continue
        calc = rx if kind == T else x
        # phases: [s, e) computes the lines of points [a, b); a baseline is one period applied to all points
        baseline = params[t, 9]
        bound = 0
        c = cut_offsets[t]
        last_a = 0
        while bound < n:
            a = bound
            if baseline > 0:
                b = n
                s, e = 0, min(baseline, n)
            else:
                b = n
                while c < cut_offsets[t + 1]:
                    cut = cuts[c]
                    c += 1
                    if a < cut < n:
                        b = cut
                        break
                s, e = a, b
            last_a = a
            ok = e - s >= params[t, 4]  # too few points to trust limits: the centre line only, no rules
            for i in range(a, b):
                active[i] = ok and kind != RUN
                brk_run[i] = False
            if ok and a > 0 and params[t, 8] == 0:
                brk_run[a] = True
            if kind == RUN:
                centre = np.median(plotted[s0 + s : s0 + e])
                for i in range(s0 + a, s0 + b):
                    lines[0, i] = centre
                    for r in range(1, 7):
                        lines[r, i] = np.nan
            elif kind == XMR_KIND or kind == T:
                _xmr_lines(kind, calc, plotted, s0, s, e, a, b, ks[t], params[t, 7], lines, mr, mr_ucl, ok)
            else:
                _sigma_lines(kind, x, den, s0, s, e, a, b, lines, ok)
            bound = b
        status[t, 5] = last_a
        if kind == RUN:
            _run_rules(plotted, lines, s0, n, last_a, table, rules, variation, status[t])
            continue
        xs = rx[s0 : s0 + n]
        beyond = params[t, 5] == 1
        for j in range(n):
            i = s0 + j
            z[j] = zone_code(xs[j], lines[0, i], lines[1, i], lines[2, i], lines[3, i], lines[4, i],
                             beyond) if active[j] else 0
            # inactive points break every run; only shifts and two-of-three may be kept from crossing phases
            brk_trend[j] = not active[j] or (j > 0 and not active[j - 1])
            brk_run[j] = brk_run[j] or brk_trend[j]
            hi[j] = 0
            lo[j] = 0
        flag_series(xs, z, brk_run, brk_trend, 0, n, params[t, 2], params[t, 3], hi, lo)
        for j in range(n):
            if not active[j]:
                hi[j] = 0
                lo[j] = 0
        classify(hi, lo, z, 0, n, table, rules[s0 : s0 + n], variation[s0 : s0 + n])
        status[t, 0] = 1 if active[n - 1] else 0
        if kind == T:  # lines back on the time scale; below zero on the transformed scale shows as zero
            for r in range(7):
                for i in range(s0, s0 + n):
                    v = lines[r, i]
                    if not np.isnan(v):
                        lines[r, i] = max(v, 0.0) ** T_EXPONENT
    return bad
