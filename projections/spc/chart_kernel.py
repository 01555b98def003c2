"""The batch chart kernel: every series of a batch, of any chart type, with its phases or baseline, in one call.

Series t reads n = offsets[t+1] - offsets[t] points from x, days (and den, for P and U) starting at src[t], so
the fold's shared columns are read in place; it writes its points at offsets[t] of the flat outputs. Its phases
start at the first point on or after each of cut_days[t, :cut_counts[t]] (rising), and its settings are row t
of params (columns: settings.PARAMS), with the limit constant in ks[t].

Lines are written per segment, not per point: a segment is a phase of an XmR, T, C, G or run chart (its lines are
constant) or one point of a P or U chart (limits per point). seg_lines rows: centre, upper and lower limit, upper
and lower two-sigma, upper and lower one-sigma, moving-range limit; seg_start is the segment's first output
point; series t's segments are seg_offsets[t]:seg_offsets[t+1]. Writing eight lines per point cost more than
the rules. Per series, status[t] = (last point in a phase with limits; for run charts: useful observations,
longest run, longest-run maximum, crossings; first point of the last phase), and its icons: icons[t] and
assurances[t] index the caller's icon tuples, -1 for none.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from projections.spc.kernels import fsum, variation_table, xmr_stats
from projections.spc.limits import G_MEDIAN_FACTOR, T_EXPONENT
from projections.spc.settings import LONG_RUN, MR_UCL_CONSTANT, RUN, C, P, T, U
from projections.spc.settings import XMR as XMR_KIND
from projections.spc.windows import FALL, PAD, RISE, byte_masks, code_of, paint, table_bits, window_ends
from projections.spc.windows import U as IDX

# No fastmath: the comparisons with the mean decide ties exactly, and the compensated sums must stay in order.
_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
# Small helpers: LLVM inlines them anyway; numba's own (IR) inlining made cold compiles much slower.
_inline = njit(cache=True, boundscheck=False, error_model="numpy")
STATUS = 6  # columns of status
LINES = 8  # rows of seg_lines


@_inline
def _segment(seg_lines, seg_start, k, start, centre, u3, l3, u2, l2, u1, l1, mr_ucl):
    seg_start[k] = start
    seg_lines[0, k] = centre
    seg_lines[1, k] = u3
    seg_lines[2, k] = l3
    seg_lines[3, k] = u2
    seg_lines[4, k] = l2
    seg_lines[5, k] = u1
    seg_lines[6, k] = l1
    seg_lines[7, k] = mr_ucl


@_inline
def _slope(xs, j):
    """RISE or FALL of point j against j - 1."""
    i, h = IDX(j), IDX(j - 1)
    return RISE * np.int64(xs[i] > xs[h]) | FALL * np.int64(xs[i] < xs[h])


@_kernel
def _median(xs, s, e):
    """np.median of xs[s:e] (the mean of the two middle values of an even count), from a sorted copy: numba's own
    median takes several times longer to compile, and every cold start pays for that."""
    v = np.sort(xs[s:e])
    m = e - s
    return v[m // 2] if m % 2 else (v[m // 2 - 1] + v[m // 2]) / 2.0


@_kernel
def _first_on_or_after(days, start, n, day):
    """Index within the series of its first point on or after `day` (np.searchsorted, side left)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if days[start + mid] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


@_kernel
def _phase(kind, xs, calc, den, s, e, a, b, k_lim, screen, beyond, ok, joined, s0, seg_lines, seg_start, k, z,
           centre_pt):
    """Lines of points [a, b) from the period [s, e), written as segments from k on; the points' codes (see
    windows.py; `joined`: point a may continue a trend from a - 1). Answers the next free segment."""
    nan = np.nan
    if kind == RUN:
        c = _median(xs, s, e)
        _segment(seg_lines, seg_start, k, s0 + a, c, nan, nan, nan, nan, nan, nan, nan)
        for j in range(a, b):
            centre_pt[j] = c
        return k + 1
    if kind == P or kind == U:  # noqa: SIM109 - plain comparisons compile to two integer tests in numba
        rate = fsum(calc, s, e) / fsum(den, s, e)
        if not ok:
            for j in range(a, b):
                _segment(seg_lines, seg_start, k + j - a, s0 + j, rate, nan, nan, nan, nan, nan, nan, nan)
                z[j] = 0
            return k + b - a
        ceiling = 1.0 if kind == P else np.inf
        spread = rate * (1.0 - rate) if kind == P else rate  # sigma = sqrt(spread / n), as the rule has it
        for q in range(a, b):
            j = IDX(q)
            sigma = math.sqrt(spread / den[j])
            # np.clip's order: the floor, then the ceiling
            u3 = min(max(rate + 3.0 * sigma, 0.0), ceiling)
            l3 = min(max(rate + -3.0 * sigma, 0.0), ceiling)
            u2 = min(max(rate + 2.0 * sigma, 0.0), ceiling)
            l2 = min(max(rate + -2.0 * sigma, 0.0), ceiling)
            u1 = min(max(rate + 1.0 * sigma, 0.0), ceiling)
            l1 = min(max(rate + -1.0 * sigma, 0.0), ceiling)
            _segment(seg_lines, seg_start, IDX(k + q - a), s0 + q, rate, u3, l3, u2, l2, u1, l1, nan)
            z[j] = code_of(xs[j], rate, u3, l3, u2, l2, beyond) | (_slope(xs, q) if q > a or joined else 0)
        return k + b - a
    mr_ucl = nan
    if kind == XMR_KIND or kind == T:  # noqa: SIM109
        centre, mrbar = xmr_stats(calc, s, e, screen)
        third = k_lim / 3.0
        # the same expressions, in the same order, as SPC-RULES.md writes them, so limits are reproducible
        w3, w2, w1 = k_lim * mrbar, 2.0 * third * mrbar, third * mrbar
        u3, l3, u2, l2, u1, l1 = centre + w3, centre - w3, centre + w2, centre - w2, centre + w1, centre - w1
        if kind == XMR_KIND:
            mr_ucl = MR_UCL_CONSTANT * mrbar
    else:
        mean = fsum(calc, s, e) / (e - s)
        if kind == C:
            centre, sigma = mean, math.sqrt(mean)
            u3, l3 = max(mean + 3.0 * sigma, 0.0), max(mean + -3.0 * sigma, 0.0)
            u2, l2 = max(mean + 2.0 * sigma, 0.0), max(mean + -2.0 * sigma, 0.0)
            u1, l1 = max(mean + 1.0 * sigma, 0.0), max(mean + -1.0 * sigma, 0.0)
        else:  # G: the centre is the geometric median, the limits come from the mean
            centre, sigma = G_MEDIAN_FACTOR * mean, math.sqrt(mean * (mean + 1.0))
            u3, l3 = max(mean + 3.0 * sigma, 0.0), max(mean + -3.0 * sigma, 0.0)
            u2, l2 = max(mean + 2.0 * sigma, 0.0), max(mean + -2.0 * sigma, 0.0)
            u1, l1 = max(mean + 1.0 * sigma, 0.0), max(mean + -1.0 * sigma, 0.0)
    if ok:
        _segment(seg_lines, seg_start, k, s0 + a, centre, u3, l3, u2, l2, u1, l1, mr_ucl)
        z[a] = code_of(xs[a], centre, u3, l3, u2, l2, beyond) | (_slope(xs, a) if joined else 0)
        for j in range(a + 1, b):
            z[IDX(j)] = code_of(xs[IDX(j)], centre, u3, l3, u2, l2, beyond) | _slope(xs, j)
    else:  # too few points to trust limits: the centre line only, and no rules
        _segment(seg_lines, seg_start, k, s0 + a, centre, nan, nan, nan, nan, nan, nan, nan)
        for j in range(a, b):
            z[j] = 0
    return k + 1


@_kernel
def _run_rules(xs, centre, n, a, table, rules, variation, status_row):
    """Anhøj counts on the last phase [a, n) of a run chart; long runs flagged on their useful points."""
    useful = 0
    longest = 0
    crossings = 0
    length = 0
    side_prev = 0
    for j in range(a, n):
        # without branches: which side a point falls is a coin flip, and mispredictions cost more than the counting
        side = np.int64(xs[j] > centre[j]) - np.int64(xs[j] < centre[j])
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
        rules[j] = 0
    if longest > run_max:  # rare: only then find the long runs and flag their useful points
        start = -1
        last = -1
        length = 0
        side_prev = 0
        for j in range(a, n + 1):
            side = 0
            if j < n:
                side = np.int64(xs[j] > centre[j]) - np.int64(xs[j] < centre[j])
                if side == 0:
                    continue
            if side != side_prev:  # the run ending at `last` is over (at the end, side 0 ends the last run)
                if length > run_max:
                    for i in range(start, last + 1):
                        if xs[i] != centre[i]:
                            rules[i] |= LONG_RUN
                start = j
                length = 0
                side_prev = side
            length += 1
            last = j
    for j in range(n):  # only a long run has a side, so only it can be improvement or concern
        above = np.int64(xs[j] > centre[j])
        flagged = np.int64(rules[j] != 0)
        variation[j] = table[flagged * above + 2 * flagged * (1 - above) + 4 * above]
    status_row[1] = useful
    status_row[2] = longest
    status_row[3] = run_max
    status_row[4] = crossings


@_inline
def _icons(row, last_variation, target, lower, upper, icon_table, icons, assurances, t):
    """Variation icon from the last point; assurance from the target against the limits in force there (none
    without a direction, a target or limits)."""
    direction = row[1]
    icons[t] = icon_table[direction + 1, last_variation]
    if direction != 0 and np.isfinite(target) and np.isfinite(lower) and np.isfinite(upper):
        on_limit = row[10] == 1  # MDC wording: a target on a limit counts; NHSRplotthedots: it does not
        below = target <= lower if on_limit else target < lower
        above = target >= upper if on_limit else target > upper
        if direction < 0:
            below, above = above, below
        assurances[t] = 0 if below else (1 if above else 2)


@_kernel
def chart_all(x, den, days, src, offsets, cut_days, cut_counts, params, ks, targets, icon_table,
              plotted, rules, variation, seg_lines, seg_start, seg_offsets, status, icons, assurances):
    """Chart every series of the batch (see the module docstring); answers the number of bad inputs (non-finite
    values, denominators not positive and finite), with nothing else to trust when it is not zero."""
    bad = 0
    longest = 0
    for t in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[t + 1] - offsets[t])
    rx = np.empty(longest)  # T charts: the values on the transformed scale the rules and limits see
    centre_pt = np.empty(longest)
    zb = np.zeros(longest + 2 * PAD, dtype=np.uint8)  # point codes, padded with zeros (see windows.py)
    since = np.zeros(longest + 2 * PAD, dtype=np.uint8)
    w = np.zeros(longest + 3 * PAD, dtype=np.uint8)
    z = zb[PAD:]
    tables = np.empty((6, 8), dtype=np.int8)  # by direction (-1, 0, 1) and whether improvement wins
    bits = np.empty(6, dtype=np.int64)
    for direction in range(-1, 2):
        for wins in range(2):
            tables[2 * (direction + 1) + wins] = variation_table(direction, wins == 1)
            bits[2 * (direction + 1) + wins] = table_bits(tables[2 * (direction + 1) + wins])
    needs = np.empty((3, 3), dtype=np.int64)  # by shift and trend run length, 6..8
    paints = np.empty((3, 3), dtype=np.int64)
    for shift_n in range(6, 9):
        for trend_n in range(6, 9):
            needs[shift_n - 6, trend_n - 6], paints[shift_n - 6, trend_n - 6] = byte_masks(shift_n, trend_n)
    k = np.int64(0)
    for t in range(offsets.shape[0] - 1):
        s0 = offsets[t]
        n = offsets[t + 1] - s0
        seg_offsets[t] = k
        for c in range(STATUS):
            status[t, c] = 0
        icons[t] = -1
        assurances[t] = -1
        kind = params[t, 0]
        ratio = (kind == P) | (kind == U)
        xin = x[src[t] : src[t] + n]
        dn = den[src[t] : src[t] + n]
        out = plotted[s0 : s0 + n]
        # checked here, in the pass that reads them anyway: a separate test would read the batch twice
        # (v - v is 0 for a finite v and NaN otherwise: a test that SIMD does without branches)
        if ratio:
            for q in range(n):
                j = IDX(q)
                bad += np.int64(xin[j] - xin[j] != 0.0) + np.int64(not (dn[j] - dn[j] == 0.0 and dn[j] > 0))
                out[j] = xin[j] / dn[j]
        else:
            for q in range(n):
                j = IDX(q)
                bad += np.int64(xin[j] - xin[j] != 0.0)
                out[j] = xin[j]
        if n == 0 or bad:
            continue
        if kind == T:
            for q in range(n):
                rx[IDX(q)] = xin[IDX(q)] ** (1.0 / T_EXPONENT)
            xs = rx[:n]
            calc = rx[:n]
        else:
            xs = out
            calc = xin
        table = tables[2 * (params[t, 1] + 1) + params[t, 6]]
        shift_n, trend_n = params[t, 2], params[t, 3]
        beyond = params[t, 5] == 1
        cross = params[t, 8] == 1
        baseline = params[t, 9]
        # phases: [s, e) computes the lines of points [a, b); a baseline is one period applied to all points
        # (typed int64 from the start: a literal 0 would make numba compile _phase a second time)
        a = np.int64(0)
        c = 0
        prev_ok = False  # the phase before had limits
        base = 0  # first point of the current stretch joined for shifts and two-of-three
        while a < n:
            b = n
            if baseline > 0:
                s, e = np.int64(0), min(baseline, n)
            else:
                while c < cut_counts[t]:
                    cut = _first_on_or_after(days, src[t], n, cut_days[t, c])
                    c += 1
                    if a < cut < n:
                        b = cut
                        break
                s, e = a, b
            ok = e - s >= params[t, 4] and kind != RUN
            status[t, 5] = a
            # points of a phase without limits break every run; a trend may cross into the next phase, shifts and
            # two-of-three only if the setting says so
            joined = ok and prev_ok
            k = _phase(kind, xs, calc, dn, s, e, a, b, ks[t], params[t, 7], beyond, ok, joined, s0, seg_lines,
                       seg_start, k, z, centre_pt)
            if not (joined and cross):
                base = a
            for j in range(a, b):
                since[IDX(PAD + j)] = min(j - base, 8) if ok else 0
            prev_ok = ok
            a = b
        if kind == RUN:
            _run_rules(xs, centre_pt, n, status[t, 5], table, rules[s0 : s0 + n], variation[s0 : s0 + n],
                       status[t])
            continue
        for j in range(PAD):
            zb[PAD + n + j] = 0
            since[PAD + n + j] = 0
        need = needs[min(max(shift_n, 6), 8) - 6, min(max(trend_n, 6), 8) - 6]
        window_ends(zb, since, n, need, shift_n, w)
        paint(zb, w, n, paints[min(max(shift_n, 6), 8) - 6, min(max(trend_n, 6), 8) - 6],
              bits[2 * (params[t, 1] + 1) + params[t, 6]], rules[s0 : s0 + n], variation[s0 : s0 + n])
        status[t, 0] = 1 if prev_ok else 0
        if kind == T:  # lines back on the time scale; below zero on the transformed scale shows as zero
            for r in range(7):
                for q in range(seg_offsets[t], k):
                    v = seg_lines[r, q]
                    if not np.isnan(v):
                        seg_lines[r, q] = max(v, 0.0) ** T_EXPONENT
        if prev_ok:
            _icons(params[t], variation[s0 + n - 1], targets[t], seg_lines[2, k - 1], seg_lines[1, k - 1],
                   icon_table, icons, assurances, t)
    seg_offsets[offsets.shape[0] - 1] = k
    return bad
