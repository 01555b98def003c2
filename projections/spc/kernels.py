"""Numba building blocks of the chart kernel: exact sums and means, XmR statistics, the variation table."""

from __future__ import annotations

import numpy as np
from numba import njit

from projections.spc.settings import CONCERN, IMPROVEMENT, MR_UCL_CONSTANT, NEITHER_HIGH, NEITHER_LOW

U = np.uint64
PARTIALS = 64  # non-overlapping partials of finite doubles: at most ~40

@njit(cache=True)
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
def _two_sum(a, b):
    """a + b as s + err exactly (Knuth's TwoSum). Neumaier's compensated sum adds each addition's error to a second
    sum; it found that error by Fast2Sum with the larger operand first, a comparison and a select per point. The
    error of a rounded addition is one exact number, so TwoSum gives the same bits, in four flops without the
    branch: the summing loops were bound by their instruction count, not by the chains' latency."""
    s = a + b
    z = s - a
    return s, (a - (s - z)) + (b - z)


@njit(cache=True)
def _whole_sum(x, s, e):
    """(True, sum(x[s:e])) when the values are whole numbers whose magnitudes sum below 2**52: then every partial sum
    is exact, whatever the order, and equals the correctly rounded sum. Counts, numerators and denominators mostly
    are. Four sums side by side, so that the additions need not wait for each other."""
    a0 = a1 = a2 = a3 = 0.0
    m0 = m1 = m2 = m3 = 0.0
    whole = True
    i = s
    while i + 4 <= e:
        v0, v1, v2, v3 = x[i], x[i + 1], x[i + 2], x[i + 3]
        whole &= (np.floor(v0) == v0) & (np.floor(v1) == v1) & (np.floor(v2) == v2) & (np.floor(v3) == v3)
        a0 += v0
        a1 += v1
        a2 += v2
        a3 += v3
        m0 += abs(v0)
        m1 += abs(v1)
        m2 += abs(v2)
        m3 += abs(v3)
        i += 4
    while i < e:
        v0 = x[i]
        whole &= np.floor(v0) == v0
        a0 += v0
        m0 += abs(v0)
        i += 1
    # the magnitudes' sum is rounded too, but below 2**52 it is within a factor 1 + 2**-40 of the exact one
    if whole and (m0 + m1) + (m2 + m3) < 4503599627370496.0:
        return True, (a0 + a1) + (a2 + a3)
    return False, 0.0


@njit(cache=True)
def fsum(x, s, e, partials):
    """sum(x[s:e]) correctly rounded, as Python's math.fsum (Shewchuk's partials; finite values only), in `partials`,
    a scratch of PARTIALS floats the caller allocates once per batch.

    P, U, C and G centre lines are pooled sums; exact rounding makes them independent of summation order.
    """
    whole, total = _whole_sum(x, s, e)
    if whole:
        return total
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
def mean_of(x, s, e, keep, masked):
    """Mean of x[s:e] (where keep[i - s] is set, if masked), rounded as if computed exactly.

    Points exactly on the mean must tie as they do in R and Excel, so the sum is compensated (Neumaier's: the
    rounding errors summed apart, see _two_sum) and the division's remainder is folded back in.
    """
    total = 0.0
    comp = 0.0
    n = 0
    for i in range(s, e):
        if masked and not keep[i - s]:
            continue
        v = x[i]
        total, err = _two_sum(total, v)
        comp += err
        n += 1
    if n == 0:
        return np.nan
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return m + (((total - p) - err) + comp) / n


@njit(cache=True)
def _mean_and_moving_ranges(x, s, e):
    """mean_of(x, s, e) (same sum, same order, same fix-up) and the sum of the moving ranges, in one loop so that
    the two dependency chains overlap; the first range, |x[s] - x[s]| = 0, leaves the sum unchanged."""
    total = 0.0
    comp = 0.0
    mr = 0.0
    prev = x[s]
    for i in range(s, e):
        v = x[i]
        total, err = _two_sum(total, v)
        comp += err
        mr += abs(v - prev)
        prev = v
    n = e - s
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return m + (((total - p) - err) + comp) / n, mr


@njit(cache=True, inline="always")  # inlined into the chart loop, as chart_kernel._always says why
def copy_with_sums(x, x0, n, out, o):
    """out[o:o + n] = x[x0:x0 + n] (n >= 1); answers how many of them are not finite, and, as _mean_and_moving_ranges
    gives them (same sums, same order), their mean and the sum of their moving ranges. One loop: the copy fills the
    time that the sums' dependency chains leave idle. A value that is not finite leaves the sum not finite for good,
    so the values are tested only then (or when finite values overflow it): a test per point cost a fifth of the
    loop."""
    bad = 0
    total = 0.0
    comp = 0.0
    mr = 0.0
    prev = x[x0]
    for q in range(n):
        v = x[U(x0 + q)]  # unsigned: no test for a negative index on each load and store
        out[U(o + q)] = v
        total, err = _two_sum(total, v)
        comp += err
        mr += abs(v - prev)
        prev = v
    if not np.isfinite(total):
        for q in range(n):
            v = x[U(x0 + q)]
            bad += np.int64(v - v != 0.0)
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return bad, m + (((total - p) - err) + comp) / n, mr


@njit(cache=True)
def xmr_stats(x, s, e, screen, keep):
    """Mean and mean moving range of x[s:e]; keep: a scratch of at least e - s flags."""
    if e - s < 2:
        return mean_of(x, s, e, keep, False), np.nan
    mean, total = _mean_and_moving_ranges(x, s, e)
    return screened(x, s, e, screen, keep, mean, total)


@njit(cache=True, inline="always")  # likewise
def screened(x, s, e, screen, keep, mean, total):
    """xmr_stats of x[s:e] (at least two points) from its mean and sum of moving ranges.

    screen 1 drops moving ranges >= 3.267 * mRbar and recomputes mRbar (NHSRplotthedots); screen 2 also
    leaves the point that ends each dropped range out of the mean (MDC SQL).
    """
    n = e - s
    mrbar = total / (n - 1)
    if screen > 0:
        for i in range(n):
            keep[i] = True
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
            mean = mean_of(x, s, e, keep, True)
    return mean, mrbar


@njit(cache=True)
def median(x, s, e, buf):
    """np.median of x[s:e] (the mean of the two middle values of an even count), by selection in `buf` (a scratch of
    at least 2 * (e - s) floats): the same values as sorting, without sorting or allocating."""
    m = e - s
    for i in range(m):
        buf[i] = x[s + i]
    k = m // 2
    hi = _select(buf, m, k)
    if m % 2:
        return hi
    # the lower middle: the largest value below hi if exactly k are below it, else hi itself (a tie)
    below = 0
    lo = -np.inf
    for i in range(s, e):
        v = x[i]
        below += v < hi
        lo = max(lo, v if v < hi else -np.inf)
    if below != k:
        lo = hi
    return (lo + hi) / 2.0


@njit(cache=True)
def _select(buf, m, k):
    """The k-th smallest of buf[:m] (buf holds 2m floats). Each round moves the values of the range that holds k
    below the pivot to its front and those above to its back, in the other half of buf, without branches: which
    side a value falls is a coin flip, and a mispredicted branch per value cost more than the selection."""
    src, dst = 0, m
    lo, hi = 0, m
    while True:
        a0, a1, a2 = buf[src + lo], buf[src + (lo + hi) // 2], buf[src + hi - 1]
        pivot = max(min(a0, a1), min(max(a0, a1), a2))  # the median of three of the range's values
        below, above = lo, hi - 1
        for i in range(lo, hi):
            v = buf[src + i]
            buf[dst + below] = v  # below <= above until the last value (the pivot is in the range)
            buf[dst + above] = v
            below += v < pivot
            above -= v > pivot
        if k < below:
            hi = below
        elif k > above:
            lo = above + 1
        else:  # between the two parts, every value equals the pivot
            return pivot
        src, dst = dst, src


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
