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

from projections.spc.kernels import PARTIALS, copy_with_sums, fsum, median, screened, variation_table, xmr_stats
from projections.spc.limits import G_MEDIAN_FACTOR, T_EXPONENT
from projections.spc.run_rules import run_rules
from projections.spc.settings import MR_UCL_CONSTANT, RUN, C, P, T, U
from projections.spc.settings import XMR as XMR_KIND
from projections.spc.windows import FALL, PAD, RISE, byte_masks, code_of, paint_words, window_words
from projections.spc.windows import U as IDX

# No fastmath: the comparisons with the mean decide ties exactly, and the compensated sums must stay in order.
_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
# Tiny helpers: LLVM inlines them.
_inline = njit(cache=True, boundscheck=False, error_model="numpy")
# What the loop over series calls per series or per phase: inlined by numba itself. As functions they were called,
# not inlined (each compiled and linked on its own), with every array passed as its seven fields, and the callee
# blind to the caller's buffers; inlined, a plain XmR chart took about 0.6 of the time (cold compile: a few seconds
# more, once, cached).
_always = njit(cache=True, boundscheck=False, error_model="numpy", inline="always")
STATUS = 6  # columns of status
LINES = 8  # rows of seg_lines
ROOTS = 1024  # T charts: whole values below this have their roots remembered


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


@_always
def _transform(x, x0, n, rx, roots, filled):
    """rx[:n] = x[x0:x0 + n] ** (1 / 3.6). Times between events are mostly whole days: when all are, their roots
    come from `roots` (the first `filled` known; answers how many are now), exactly as pow gives them. Otherwise pow
    for every point: with a table lookup in the same loop, LLVM would evaluate pow on every point anyway."""
    whole = True
    top = 0.0
    for q in range(n):
        v = x[IDX(x0 + q)]
        whole &= (v >= 0.0) & (v < ROOTS) & (np.floor(v) == v)
        top = max(top, v)
    if not whole:
        for q in range(n):
            rx[IDX(q)] = x[IDX(x0 + q)] ** (1.0 / T_EXPONENT)
        return filled
    while filled <= top:
        roots[filled] = float(filled) ** (1.0 / T_EXPONENT)
        filled += 1
    for q in range(n):
        rx[IDX(q)] = roots[int(x[IDX(x0 + q)])]
    return filled


@_inline
def _slope(xs, j):
    """RISE or FALL of point j against j - 1."""
    i, h = IDX(j), IDX(j - 1)
    return RISE * np.int64(xs[i] > xs[h]) | FALL * np.int64(xs[i] < xs[h])


@_always
def _phase_ends(days, x0, n, cut_days, cut_counts, t, ends):
    """Where series t's phases end (as the phase loop of chart_all finds them, without a baseline), into ends;
    answers how many."""
    a = 0
    c = 0
    count = 0
    while a < n:
        b = n
        while c < cut_counts[t]:
            cut = _first_on_or_after(days, x0, n, cut_days[t, c])
            c += 1
            if a < cut < n:
                b = cut
                break
        ends[count] = b
        count += 1
        a = b
    return count


@_always
def _first_on_or_after(days, start, n, day):
    """Index within the series of its first point on or after `day` (np.searchsorted, side left; the days rise).

    The days are read by nothing else, so each load misses the cache, and a binary search's loads wait for each
    other. Periods are mostly evenly spaced: the index is guessed from the first and last days (two loads that
    wait side by side) and checked with one more; only a wrong guess is searched for."""
    if n == 0 or day <= days[start]:
        return 0
    first, last = days[start], days[start + n - 1]
    if day > last:
        return n
    # first < day <= last, so n >= 2 and the index is in [1, n - 1]: rounded up, as for days first + i * step
    guess = min(max(((day - first) * (n - 1) + (last - first) - 1) // (last - first), 1), n - 1)
    if days[start + guess - 1] < day <= days[start + guess]:
        return guess
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if days[start + mid] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


@_always
def _run_phase(xs, xo, s, e, a, b, s0, seg_lines, seg_start, k, centre_pt, buf):
    """A run chart's centre for points [a, b): the median of the period [s, e) (point j: xs[xo + j]); buf: scratch."""
    c = median(xs, xo + s, xo + e, buf)
    nan = np.nan
    _segment(seg_lines, seg_start, k, s0 + a, c, nan, nan, nan, nan, nan, nan, nan)
    for j in range(a, b):
        centre_pt[j] = c
    return k + 1


@_always
def _ratio_phase(kind, xs, xo, calc, co, den, do, s, e, a, b, beyond, ok, joined, s0, seg_lines, seg_start, k, z, zo,
                 partials):
    """P and U charts: the pooled rate of the period [s, e), limits per point of [a, b) (a segment each, from k on)
    and their codes (see _codes). Answers the next free segment."""
    nan = np.nan
    rate = fsum(calc, co + s, co + e, partials) / fsum(den, do + s, do + e, partials)
    if not ok:
        for j in range(a, b):
            _segment(seg_lines, seg_start, k + j - a, s0 + j, rate, nan, nan, nan, nan, nan, nan, nan)
            z[IDX(zo + j)] = 0
        return k + b - a
    ceiling = 1.0 if kind == P else np.inf
    spread = rate * (1.0 - rate) if kind == P else rate  # sigma = sqrt(spread / n), as the rule has it
    for q in range(a, b):
        sigma = math.sqrt(spread / den[IDX(do + q)])
        # np.clip's order: the floor, then the ceiling
        u3 = min(max(rate + 3.0 * sigma, 0.0), ceiling)
        l3 = min(max(rate + -3.0 * sigma, 0.0), ceiling)
        u2 = min(max(rate + 2.0 * sigma, 0.0), ceiling)
        l2 = min(max(rate + -2.0 * sigma, 0.0), ceiling)
        u1 = min(max(rate + 1.0 * sigma, 0.0), ceiling)
        l1 = min(max(rate + -1.0 * sigma, 0.0), ceiling)
        _segment(seg_lines, seg_start, IDX(k + q - a), s0 + q, rate, u3, l3, u2, l2, u1, l1, nan)
        z[IDX(zo + q)] = (code_of(xs[IDX(xo + q)], rate, u3, l3, u2, l2, beyond)
                          | (_slope(xs, xo + q) if q > a or joined else 0))
    return k + b - a


@_always
def _lines(kind, calc, co, s, e, k_lim, screen, keep, partials, known, known_mean, known_mr):
    """XmR, T, C and G charts: centre, upper and lower limit, two-sigma and one-sigma lines and the moving-range
    limit of the period [s, e) (point j: calc[co + j]). known: the period (of an XmR chart, at least two points)
    has mean known_mean and sum of moving ranges known_mr already. keep and partials: scratch."""
    mr_ucl = np.nan
    if kind == XMR_KIND or kind == T:  # noqa: SIM109 - plain comparisons compile to two integer tests in numba
        if known:
            centre, mrbar = screened(calc, co + s, co + e, screen, keep, known_mean, known_mr)
        else:
            centre, mrbar = xmr_stats(calc, co + s, co + e, screen, keep)
        third = k_lim / 3.0
        # the same expressions, in the same order, as SPC-RULES.md writes them, so limits are reproducible
        w3, w2, w1 = k_lim * mrbar, 2.0 * third * mrbar, third * mrbar
        u3, l3, u2, l2, u1, l1 = centre + w3, centre - w3, centre + w2, centre - w2, centre + w1, centre - w1
        if kind == XMR_KIND:
            mr_ucl = MR_UCL_CONSTANT * mrbar
        return centre, u3, l3, u2, l2, u1, l1, mr_ucl
    mean = fsum(calc, co + s, co + e, partials) / (e - s)
    if kind == C:
        centre, sigma = mean, math.sqrt(mean)
    else:  # G: the centre is the geometric median, the limits come from the mean
        centre, sigma = G_MEDIAN_FACTOR * mean, math.sqrt(mean * (mean + 1.0))
    return (centre, max(mean + 3.0 * sigma, 0.0), max(mean + -3.0 * sigma, 0.0), max(mean + 2.0 * sigma, 0.0),
            max(mean + -2.0 * sigma, 0.0), max(mean + 1.0 * sigma, 0.0), max(mean + -1.0 * sigma, 0.0), mr_ucl)


@_always
def _codes(xs, xo, a, b, z, zo, centre, u3, l3, u2, l2, beyond, ok, joined):
    """Codes of points [a, b) (see windows.py) at z[zo + j], point j's value xs[xo + j]; `joined`: point a may
    continue a trend from a - 1. Without limits, code 0: no rule holds such a point."""
    if ok:
        z[zo + a] = code_of(xs[xo + a], centre, u3, l3, u2, l2, beyond) | (_slope(xs, xo + a) if joined else 0)
        for j in range(a + 1, b):
            z[IDX(zo + j)] = code_of(xs[IDX(xo + j)], centre, u3, l3, u2, l2, beyond) | _slope(xs, xo + j)
    else:
        for j in range(a, b):
            z[IDX(zo + j)] = 0


@_inline
def _icons(params, t, last_variation, target, lower, upper, icon_table, icons, assurances):
    """Variation icon from the last point; assurance from the target against the limits in force there (none
    without a direction, a target or limits)."""
    direction = params[t, 1]
    icons[t] = icon_table[direction + 1, last_variation]
    if direction != 0 and np.isfinite(target) and np.isfinite(lower) and np.isfinite(upper):
        on_limit = params[t, 10] == 1  # MDC wording: a target on a limit counts; NHSRplotthedots: it does not
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
    any_t = False
    for t in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[t + 1] - offsets[t])
        any_t |= params[t, 0] == T
    # scratch, allocated once per batch; the loop below binds no array to a name (offsets instead of slices)
    rx = np.empty(longest)  # T charts: the values on the transformed scale the rules and limits see
    centre_pt = np.empty(longest)
    buf = np.empty(2 * longest)
    keep = np.empty(longest, dtype=np.bool_)
    partials = np.empty(PARTIALS)
    ends = np.empty(cut_days.shape[1] + 1, dtype=np.int64)  # XmR: where each phase ends
    sums = np.zeros((cut_days.shape[1] + 1, 2))  # and its mean and sum of moving ranges
    roots = np.empty(ROOTS if any_t else 1)  # T charts: i ** (1 / 3.6) of whole i, worked out once each
    filled = np.int64(0)
    # point codes, padded with zeros (see windows.py), and the rest of the rule passes' buffers: written byte by
    # byte, read as words by the passes, which work on eight points at a time
    words = (longest + 3 * PAD) // 8 + 2
    zw = np.zeros(words, dtype=np.uint64)
    sw = np.zeros(words, dtype=np.uint64)
    ww = np.zeros(words, dtype=np.uint64)
    rw = np.empty(words, dtype=np.uint64)  # a series' rule bits and variation codes, before they are copied out
    vw = np.empty(words, dtype=np.uint64)
    zb = zw.view(np.uint8)
    since = sw.view(np.uint8)
    rb = rw.view(np.uint8)
    vb = vw.view(np.int8)
    tables = np.empty((6, 8), dtype=np.int8)  # by direction (-1, 0, 1) and whether improvement wins
    for direction in range(-1, 2):
        for wins in range(2):
            tables[2 * (direction + 1) + wins] = variation_table(direction, wins == 1)
    needs = np.empty((3, 3), dtype=np.int64)  # by shift and trend run length, 6..8
    paints = np.empty((3, 3), dtype=np.int64)
    for shift_n in range(6, 9):
        for trend_n in range(6, 9):
            needs[shift_n - 6, trend_n - 6], paints[shift_n - 6, trend_n - 6] = byte_masks(shift_n, trend_n)
    k = np.int64(0)
    zero = np.int64(0)  # a literal 0 as an argument would make numba compile the callee a second time
    nan = np.nan
    for t in range(offsets.shape[0] - 1):
        s0 = offsets[t]
        n = offsets[t + 1] - s0
        x0 = src[t]
        seg_offsets[t] = k
        for c in range(STATUS):
            status[t, c] = 0
        icons[t] = -1
        assurances[t] = -1
        kind = params[t, 0]
        ratio = (kind == P) | (kind == U)
        # an XmR chart whose periods are its phases (no baseline): each phase's sums in the copy pass
        known = (kind == XMR_KIND) & (params[t, 9] == 0)
        # checked here, in the pass that reads them anyway: a separate test would read the batch twice
        # (v - v is 0 for a finite v and NaN otherwise: a test that SIMD does without branches)
        if ratio:
            for q in range(n):
                v, d = x[IDX(x0 + q)], den[IDX(x0 + q)]
                bad += np.int64(v - v != 0.0) + np.int64(not (d - d == 0.0 and d > 0))
                plotted[IDX(s0 + q)] = v / d
        elif known:
            a = np.int64(0)
            for ph in range(_phase_ends(days, x0, n, cut_days, cut_counts, t, ends)):
                fault, sums[ph, 0], sums[ph, 1] = copy_with_sums(x, x0 + a, ends[ph] - a, plotted, s0 + a)
                bad += fault
                a = ends[ph]
        else:
            for q in range(n):
                v = x[IDX(x0 + q)]
                bad += np.int64(v - v != 0.0)
                plotted[IDX(s0 + q)] = v
        if n == 0 or bad:
            continue
        if kind == T:
            filled = _transform(x, x0, n, rx, roots, filled)
        trow = 2 * (params[t, 1] + 1) + params[t, 6]
        shift_n, trend_n = params[t, 2], params[t, 3]
        beyond = params[t, 5] == 1
        cross = params[t, 8] == 1
        baseline = params[t, 9]
        # phases: [s, e) computes the lines of points [a, b); a baseline is one period applied to all points
        # (typed int64 from the start: a literal 0 would make numba compile the phase functions a second time)
        a = np.int64(0)
        c = 0
        prev_ok = False  # the phase before had limits
        base = 0  # first point of the current stretch joined for shifts and two-of-three
        ph = 0
        while a < n:
            b = n
            if baseline > 0:
                s, e = np.int64(0), min(baseline, n)
            else:
                while c < cut_counts[t]:
                    cut = _first_on_or_after(days, x0, n, cut_days[t, c])
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
            # each chart type's own small function, with offsets into the batch's arrays rather than slices of
            # them: one function for all of them took more time to call than the rules to run
            if kind == RUN:
                k = _run_phase(plotted, s0, s, e, a, b, s0, seg_lines, seg_start, k, centre_pt, buf)
            elif ratio:
                k = _ratio_phase(kind, plotted, s0, x, x0, den, x0, s, e, a, b, beyond, ok, joined, s0, seg_lines,
                                 seg_start, k, zb, PAD, partials)
            else:
                if kind == T:  # the rules and limits see the transformed values
                    centre, u3, l3, u2, l2, u1, l1, mr_ucl = _lines(kind, rx, zero, s, e, ks[t], params[t, 7], keep,
                                                                    partials, False, 0.0, 0.0)
                    _codes(rx, zero, a, b, zb, PAD, centre, u3, l3, u2, l2, beyond, ok, joined)
                else:
                    centre, u3, l3, u2, l2, u1, l1, mr_ucl = _lines(kind, x, x0, s, e, ks[t], params[t, 7], keep,
                                                                    partials, known & (e - s >= 2), sums[ph, 0],
                                                                    sums[ph, 1])
                    _codes(plotted, s0, a, b, zb, PAD, centre, u3, l3, u2, l2, beyond, ok, joined)
                if ok:
                    _segment(seg_lines, seg_start, k, s0 + a, centre, u3, l3, u2, l2, u1, l1, mr_ucl)
                else:  # too few points to trust limits: the centre line only, and no rules
                    _segment(seg_lines, seg_start, k, s0 + a, centre, nan, nan, nan, nan, nan, nan, nan)
                k += 1
            if not (joined and cross):
                base = a
            for j in range(a, b):
                since[IDX(PAD + j)] = min(j - base, 8) if ok else 0
            prev_ok = ok
            a = b
            ph += 1
        if kind == RUN:
            run_rules(plotted, s0, centre_pt, n, status[t, 5], tables[trow], rules, variation, s0, status[t])
            continue
        for j in range(2 * PAD):
            zb[PAD + n + j] = 0
            since[PAD + n + j] = 0
        sel_s, sel_t = min(max(shift_n, 6), 8) - 6, min(max(trend_n, 6), 8) - 6
        window_words(zw, sw, n, needs[sel_s, sel_t], shift_n, ww)
        paint_words(zw, ww, n, paints[sel_s, sel_t], tables, trow, rw, vw, rb, vb, rules, variation, s0)
        status[t, 0] = 1 if prev_ok else 0
        if kind == T:  # lines back on the time scale; below zero on the transformed scale shows as zero
            for r in range(7):
                for q in range(seg_offsets[t], k):
                    v = seg_lines[r, q]
                    if not np.isnan(v):
                        seg_lines[r, q] = max(v, 0.0) ** T_EXPONENT
        if prev_ok:
            _icons(params, t, variation[s0 + n - 1], targets[t], seg_lines[2, k - 1], seg_lines[1, k - 1],
                   icon_table, icons, assurances)
    seg_offsets[offsets.shape[0] - 1] = k
    return bad
