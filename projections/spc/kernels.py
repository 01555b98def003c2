"""Numba building blocks of the chart kernel: exact sums and means, XmR statistics, zones, rules, variation."""

from __future__ import annotations

import numpy as np
from numba import njit

from projections.spc.settings import (
    CONCERN,
    IMPROVEMENT,
    MR_UCL_CONSTANT,
    NEITHER_HIGH,
    NEITHER_LOW,
    SHIFT,
    TREND,
    TWO_OF_THREE,
)

_NO_MASK = np.empty(0, dtype=np.bool_)

# Zone bits per point, relative to that point's own centre and lines.
ABOVE = 1  # strictly above the centre
BELOW = 2  # strictly below the centre
HI2 = 4  # beyond the upper two-sigma line and counted by the two-of-three rule
LO2 = 8
HI3 = 16  # strictly beyond the upper process limit
LO3 = 32


@njit(cache=True, inline="always")
def _two_product(a, b):
    """a*b as p + err exactly (Dekker's split), so the residual of a division can be recovered."""
    p = a * b
    t = 134217729.0 * a
    ah = t - (t - a)
    al = a - ah
    t = 134217729.0 * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@njit(cache=True)
def fsum(x, s, e):
    """sum(x[s:e]) correctly rounded, as Python's math.fsum (Shewchuk's partials; finite values only).

    P, U, C and G centre lines are pooled sums; exact rounding makes them independent of summation order.
    """
    partials = np.empty(64, dtype=np.float64)  # non-overlapping partials of finite doubles: at most ~40
    m = 0
    for idx in range(s, e):
        v = x[idx]
        i = 0
        for j in range(m):
            y = partials[j]
            if abs(v) < abs(y):
                v, y = y, v
            hi = v + y
            lo = y - (hi - v)
            if lo != 0.0:
                partials[i] = lo
                i += 1
            v = hi
        m = i
        if v != 0.0:
            partials[m] = v
            m += 1
    hi = 0.0
    if m > 0:
        m -= 1
        hi = partials[m]
        lo = 0.0
        while m > 0:
            v = hi
            m -= 1
            y = partials[m]
            hi = v + y
            lo = y - (hi - v)
            if lo != 0.0:
                break
        # half-way case: make the rounding of hi + lo + (the rest) come out as the exact sum's
        if m > 0 and ((lo < 0.0 and partials[m - 1] < 0.0) or (lo > 0.0 and partials[m - 1] > 0.0)):
            y = lo * 2.0
            v = hi + y
            if y == v - hi:
                hi = v
    return hi


@njit(cache=True)
def mean_of(x, s, e, keep):
    """Mean of x[s:e] (where keep[i - s] is set, unless keep is empty), rounded as if computed exactly.

    Points exactly on the mean must tie as they do in R and Excel, so the sum is compensated (Neumaier)
    and the division's remainder is folded back in.
    """
    masked = keep.shape[0] > 0
    total = 0.0
    comp = 0.0
    n = 0
    for i in range(s, e):
        if masked and not keep[i - s]:
            continue
        v = x[i]
        t = total + v
        if abs(total) >= abs(v):
            comp += (total - t) + v
        else:
            comp += (v - t) + total
        total = t
        n += 1
    if n == 0:
        return np.nan
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return m + (((total - p) - err) + comp) / n


@njit(cache=True)
def xmr_stats(x, s, e, screen):
    """Mean and mean moving range of x[s:e].

    screen 1 drops moving ranges >= 3.267 * mRbar and recomputes mRbar (NHSRplotthedots); screen 2 also
    leaves the point that ends each dropped range out of the mean (MDC SQL).
    """
    n = e - s
    mean = mean_of(x, s, e, _NO_MASK)
    if n < 2:
        return mean, np.nan
    total = 0.0
    for i in range(s + 1, e):
        total += abs(x[i] - x[i - 1])
    mrbar = total / (n - 1)
    if screen > 0:
        keep = np.ones(n, dtype=np.bool_)
        cut = MR_UCL_CONSTANT * mrbar
        total = 0.0
        m = 0
        for i in range(s + 1, e):
            mr = abs(x[i] - x[i - 1])
            if mr < cut:
                total += mr
                m += 1
            else:
                keep[i - s] = False
        mrbar = total / m if m > 0 else 0.0
        if screen == 2:
            mean = mean_of(x, s, e, keep)
    return mean, mrbar


@njit(cache=True, inline="always")
def zone_code(v, centre, ucl, lcl, u2, l2, count_beyond):
    z = 0
    if v > centre:
        z |= ABOVE
    elif v < centre:
        z |= BELOW
    if v > ucl:
        z |= HI3
    if v < lcl:
        z |= LO3
    if v > u2 and (count_beyond or not v > ucl):
        z |= HI2
    if v < l2 and (count_beyond or not v < lcl):
        z |= LO2
    return z


@njit(cache=True)
def zones(x, centre, ucl, lcl, u2, l2, count_beyond, out):
    """Zone bits for per-point lines (P and U charts have limits per point); NaN lines give no bits."""
    for i in range(x.shape[0]):
        out[i] = zone_code(x[i], centre[i], ucl[i], lcl[i], u2[i], l2[i], count_beyond)


@njit(cache=True)
def flag_series(x, z, brk_run, brk_trend, s, e, shift_n, trend_n, hi, lo):
    """Rule bits on x[s:e], split by side: hi for signals of high values, lo for low.

    brk_run[i] stops shifts and two-of-three windows joining point i to i-1; brk_trend[i] does the same for
    trends (a recalculation may break one and not the other). The counters update without branches:
    above/below and up/down are coin flips on real data, and mispredicted branches cost more than the rules.
    """
    up = 0
    down = 0
    inc = 0
    dec = 0
    ok1 = 0  # point i-1 joins i-2 for two-of-three
    z1 = 0
    z2 = 0
    for i in range(s, e):
        zi = np.int64(z[i])
        hi[i] |= (zi >> 4) & 1  # HI3 -> SINGLE_POINT
        lo[i] |= (zi >> 5) & 1  # LO3 -> SINGLE_POINT
        joins = np.int64(i > s) * (1 - np.int64(brk_run[i]))
        up = (up * joins + 1) * (zi & ABOVE)
        down = (down * joins + 1) * ((zi >> 1) & 1)
        if up >= shift_n:
            if up == shift_n:
                for j in range(i - shift_n + 1, i + 1):
                    hi[j] |= SHIFT
            else:
                hi[i] |= SHIFT
        if down >= shift_n:
            if down == shift_n:
                for j in range(i - shift_n + 1, i + 1):
                    lo[j] |= SHIFT
            else:
                lo[i] |= SHIFT
        trend_joins = np.int64(i > s) * (1 - np.int64(brk_trend[i]))
        prev = x[i - 1] if i > s else x[i]
        inc = inc * trend_joins * np.int64(x[i] > prev) + 1
        dec = dec * trend_joins * np.int64(x[i] < prev) + 1
        if inc >= trend_n:
            if inc == trend_n:
                for j in range(i - trend_n + 1, i + 1):
                    hi[j] |= TREND
            else:
                hi[i] |= TREND
        if dec >= trend_n:
            if dec == trend_n:
                for j in range(i - trend_n + 1, i + 1):
                    lo[j] |= TREND
            else:
                lo[i] |= TREND
        window = ok1 * joins
        near_hi = ((z2 >> 2) & 1) + ((z1 >> 2) & 1) + ((zi >> 2) & 1)
        near_lo = ((z2 >> 3) & 1) + ((z1 >> 3) & 1) + ((zi >> 3) & 1)
        if window * (z2 & z1 & zi & ABOVE) * np.int64(near_hi >= 2):
            for j in range(i - 2, i + 1):
                if z[j] & HI2:
                    hi[j] |= TWO_OF_THREE
        if window * ((z2 & z1 & zi & BELOW) >> 1) * np.int64(near_lo >= 2):
            for j in range(i - 2, i + 1):
                if z[j] & LO2:
                    lo[j] |= TWO_OF_THREE
        ok1 = joins
        z2 = z1
        z1 = zi


@njit(cache=True)
def variation_table(direction, improvement_wins):
    """Variation code by (high?, low?, above the centre?) for an improvement direction (+1, -1, 0).

    With no preferred direction a point flagged both ways takes the side of the centre it is on.
    """
    table = np.zeros(8, dtype=np.int8)
    conflict = IMPROVEMENT if improvement_wins else CONCERN
    for above in range(2):
        if direction == 0:
            table[4 * above + 1] = NEITHER_HIGH
            table[4 * above + 2] = NEITHER_LOW
            table[4 * above + 3] = NEITHER_HIGH if above else NEITHER_LOW
        else:
            table[4 * above + 1] = IMPROVEMENT if direction > 0 else CONCERN
            table[4 * above + 2] = CONCERN if direction > 0 else IMPROVEMENT
            table[4 * above + 3] = conflict
    return table


@njit(cache=True)
def classify(hi, lo, z, s, e, table, rules, variation):
    """Merge side flags into rule bits and a variation code, by lookup rather than branches."""
    for i in range(s, e):
        h = hi[i]
        low = lo[i]
        rules[i] = h | low
        variation[i] = table[np.int64(h != 0) + 2 * np.int64(low != 0) + 4 * np.int64(z[i] & ABOVE)]
