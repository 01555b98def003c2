"""Fused XmR batch kernel: per series one statistics pass and one branch-free rules pass, nothing allocated.

The rules pass keeps each point's side flags in one byte of a 64-bit shift register (low nibble: rule bits
for high values, high nibble: low values; byte 0 is the newest point). A run that reaches N points paints
all N bytes at once with a constant mask, so there is no look-back loop; since N <= 8, a byte is final when
it reaches byte 7, and it is written out then.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from projections.spc.kernels import _two_product, variation_table, xmr_stats
from projections.spc.settings import SHIFT, TREND, TWO_OF_THREE

_OPTS = {"cache": True, "boundscheck": False, "error_model": "numpy"}  # no fastmath: ties on the mean are exact
HI_2SD = TWO_OF_THREE * 0x010101  # two-of-three marks of the last three points, high side
LO_2SD = HI_2SD << 4
AT_LEAST_TWO_OF_THREE = 0b11101000  # bit b set when the 3-bit pattern b has two or more bits set


@njit(**_OPTS)
def _paint_mask(bit, n):
    """bit in bytes 0..n-1: the points of a run of n that ends at the newest point."""
    mask = 0
    for k in range(n):
        mask |= np.int64(bit) << (8 * k)
    return mask


@njit(inline="always", **_OPTS)
def _stats(x, s, e):
    """Mean and mean moving range of x[s:e], rounded exactly as kernels.xmr_stats does (screen off).

    Same Neumaier sum and division fix-up as kernels.mean_of, in the same order, fused with the moving
    ranges so the two dependency chains overlap.
    """
    total = 0.0
    comp = 0.0
    mr = 0.0  # the first term, |x[s] - x[s]| = 0, leaves the sum unchanged
    prev = x[s]
    for i in range(s, e):
        v = x[i]
        t = total + v
        if abs(total) >= abs(v):
            comp += (total - t) + v
        else:
            comp += (v - t) + total
        total = t
        mr += abs(v - prev)
        prev = v
    n = e - s
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return m + (((total - p) - err) + comp) / n, mr / (n - 1)


@njit(inline="always", **_OPTS)
def _emit(byte, above, table, rules, variation, i):
    high = byte & 15
    low = byte >> 4
    rules[i] = high | low
    variation[i] = table[np.int64(high != 0) + 2 * np.int64(low != 0) + 4 * above]


@njit(**_OPTS)
def _rules(x, s, e, mean, ucl, lcl, u2, l2, beyond, shift_n, trend_n, masks, table, rules, variation):
    """All four rules on x[s:e] against fixed lines, writing rules and variation in place."""
    shift_hi, shift_lo, trend_hi, trend_lo = masks[0], masks[1], masks[2], masks[3]
    reg = 0  # side flags, one byte per point
    marks = 0  # TWO_OF_THREE on the side(s) where the point counts for two-of-three, aligned with reg
    aboves = 0  # bit k: point i-k strictly above the mean
    belows = 0
    near_hi = 0  # bit k: point i-k counts for two-of-three on the high side (last three only)
    near_lo = 0
    up = 0  # length of the run above the mean ending here
    down = 0
    inc = 0  # length of the strictly rising run ending here
    dec = 0
    prev = x[s]
    for i in range(s, e):
        v = x[i]
        a = np.int64(v > mean)
        b = np.int64(v < mean)
        h3 = np.int64(v > ucl)
        l3 = np.int64(v < lcl)
        h2 = np.int64(v > u2) & (beyond | (1 - h3))
        n2 = np.int64(v < l2) & (beyond | (1 - l3))
        up = (up + 1) * a
        down = (down + 1) * b
        inc = inc * np.int64(v > prev) + 1
        dec = dec * np.int64(v < prev) + 1
        prev = v
        aboves = (aboves << 1) | a
        belows = (belows << 1) | b
        near_hi = ((near_hi << 1) | h2) & 7
        near_lo = ((near_lo << 1) | n2) & 7
        marks = (marks << 8) | (h2 * TWO_OF_THREE) | (n2 * (TWO_OF_THREE << 4))
        reg = (reg << 8) | h3 | (l3 << 4)  # SINGLE_POINT on either side
        reg |= shift_hi & -np.int64(up >= shift_n)
        reg |= shift_lo & -np.int64(down >= shift_n)
        reg |= trend_hi & -np.int64(inc >= trend_n)
        reg |= trend_lo & -np.int64(dec >= trend_n)
        hit_hi = np.int64((aboves & 7) == 7) & (AT_LEAST_TWO_OF_THREE >> near_hi)
        hit_lo = np.int64((belows & 7) == 7) & (AT_LEAST_TWO_OF_THREE >> near_lo)
        reg |= marks & ((HI_2SD & -(hit_hi & 1)) | (LO_2SD & -(hit_lo & 1)))
        if i - 7 >= s:
            _emit((reg >> 56) & 255, (aboves >> 7) & 1, table, rules, variation, i - 7)
    for i in range(max(s, e - 7), e):  # the last (up to) seven points are still in the register
        k = e - 1 - i
        _emit((reg >> (8 * k)) & 255, (aboves >> k) & 1, table, rules, variation, i)


@njit(**_OPTS)
def xmr_batch(
    values,
    offsets,
    k,
    shift_n,
    trend_n,
    min_points,
    count_beyond,
    screen,
    direction,
    improvement_wins,
    rules,
    variation,
):
    """XmR rules for many series in one call; series i is values[offsets[i]:offsets[i+1]].

    rules and variation must come in zeroed: series shorter than min_points are left untouched.
    """
    table = variation_table(direction, improvement_wins)
    masks = np.empty(4, dtype=np.int64)
    masks[0] = _paint_mask(SHIFT, shift_n)
    masks[1] = masks[0] << 4
    masks[2] = _paint_mask(TREND, trend_n)
    masks[3] = masks[2] << 4
    beyond = np.int64(count_beyond)
    third = k / 3.0
    for t in range(offsets.shape[0] - 1):
        s = offsets[t]
        e = offsets[t + 1]
        if e - s < min_points:
            continue
        if screen == 0:
            mean, mrbar = _stats(values, s, e)
        else:
            mean, mrbar = xmr_stats(values, s, e, screen)
        ucl = mean + k * mrbar
        lcl = mean - k * mrbar
        u2 = mean + 2.0 * third * mrbar
        l2 = mean - 2.0 * third * mrbar
        _rules(values, s, e, mean, ucl, lcl, u2, l2, beyond, shift_n, trend_n, masks, table, rules, variation)
