"""Fused XmR batch kernel: a statistics pass and three short byte-wise rule passes per series.

The rules are found without run counters or look-back loops, with windows of at most eight points:
a run of N ends at i when the AND of the codes of points i-N+1..i has the bit, and every point of it is
flagged when the OR of the window ends over j..j+N-1 does. Each pass reads only fixed offsets, so LLVM
turns it into SIMD code; the scratch bytes are allocated once per call and padded with zeros, so that
windows need no bounds tests at the ends of a series.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from projections.spc.kernels import _two_product, variation_table, xmr_stats

# No fastmath: the comparisons with the mean decide ties exactly, and the compensated sum must stay in order.
_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
_inline = njit(cache=True, boundscheck=False, error_model="numpy", inline="always")
PAD = 8  # zero codes before and after each series; longest window is eight points
U = np.uint64  # unsigned indices: numba then skips the negative-index wrap-around, which blocks SIMD

# Point code bits (pass 1).
ABOVE, BELOW = 1, 2  # strictly above / below the mean
RISE, FALL = 4, 8  # strictly above / below the previous point
HI2, LO2 = 16, 32  # beyond a two-sigma line and counted by two-of-three
HI3, LO3 = 64, 128  # beyond a process limit
# Window-end bits (pass 2): ABOVE/BELOW = a shift ends here, RISE/FALL = a trend ends here, and
# HI2/LO2 = three points on one side with at least two marked end here.
SIDES = ABOVE | BELOW
SLOPES = RISE | FALL
NEARS = HI2 | LO2


@_kernel
def _byte_masks(shift_n, trend_n):
    """Per window offset k (byte k of each word): bits that must hold at i-k, and bits painted back to j+k."""
    need = 0
    paint = 0
    for k in range(8):
        b = (SIDES if k < shift_n else 0) | (SLOPES if k < trend_n - 1 else 0)  # trend: N points, N-1 rises
        p = (SIDES if k < shift_n else 0) | (SLOPES if k < trend_n else 0) | (NEARS if k < 3 else 0)
        need |= np.int64(255 - b) << (8 * k)  # bits not needed at offset k read as set
        paint |= np.int64(p) << (8 * k)
    return need, paint


@_inline
def _stats(x):
    """Mean and mean moving range of x, rounded exactly as kernels.xmr_stats does (screen off).

    Same Neumaier sum and division fix-up as kernels.mean_of, in the same order, fused with the moving
    ranges so the two dependency chains overlap.
    """
    total = 0.0
    comp = 0.0
    mr = 0.0  # the first term, |x[0] - x[0]| = 0, leaves the sum unchanged
    prev = x[0]
    for i in range(x.shape[0]):
        v = x[i]
        t = total + v
        if abs(total) >= abs(v):
            comp += (total - t) + v
        else:
            comp += (v - t) + total
        total = t
        mr += abs(v - prev)
        prev = v
    n = x.shape[0]
    m = (total + comp) / n
    p, err = _two_product(float(n), m)
    return m + (((total - p) - err) + comp) / n, mr / (n - 1)


@_kernel
def _codes(x, mean, ucl, lcl, u2, l2, beyond, z):
    """Pass 1: z[PAD + i] = code of x[i]; the PAD bytes after the series are cleared."""
    n = x.shape[0]
    for j in range(n):
        i = U(j)
        v = x[i]
        prev = x[U(j - 1)] if j > 0 else v
        h3 = np.int64(v > ucl)
        l3 = np.int64(v < lcl)
        near = np.int64(v > u2) * HI2 | np.int64(v < l2) * LO2
        if not beyond:  # MDC v5: a point beyond a limit does not count for two-of-three
            near &= ~(h3 * HI2 | l3 * LO2)
        z[U(PAD + j)] = (
            np.int64(v > mean) * ABOVE
            | np.int64(v < mean) * BELOW
            | np.int64(v > prev) * RISE
            | np.int64(v < prev) * FALL
            | near
            | h3 * HI3
            | l3 * LO3
        )
    for j in range(PAD):
        z[U(PAD + n + j)] = 0


@_kernel
def _window_ends(z, n, need, w):
    """Pass 2: w[i] = window-end bits at point i - PAD, for each i whose window can reach the series."""
    for i in range(PAD, 2 * PAD + n):
        acc = 255
        for k in range(8):
            acc &= z[U(i - k)] | ((need >> (8 * k)) & 255)
        z0 = z[U(i)]
        z1 = z[U(i - 1)]
        z2 = z[U(i - 2)]
        two_near = (z0 & z1) | (z0 & z2) | (z1 & z2)  # majority of the near bits
        w[U(i)] = (acc & (SIDES | SLOPES)) | ((z0 & z1 & z2 & SIDES) << 4) & two_near


@_kernel
def _paint(z, w, n, paint, table_bits, rules, variation):
    """Pass 3: flag every point of each window found, and write rule bits and variation codes."""
    for j in range(n):
        i = PAD + j
        p = 0
        for k in range(8):
            p |= w[U(i + k)] & ((paint >> (8 * k)) & 255)
        c = z[U(i)]
        p &= SIDES | SLOPES | c  # two-of-three flags only the marked points of a window
        high = (c >> 6) & 1 | (p & ABOVE) << 1 | (p & RISE) | (p & HI2) >> 1
        low = (c >> 7) & 1 | (p & BELOW) | (p & FALL) >> 1 | (p & LO2) >> 2
        rules[U(j)] = high | low
        idx = np.int64(high != 0) | np.int64(low != 0) << 1 | (c & ABOVE) << 2
        variation[U(j)] = (table_bits >> (4 * idx)) & 15


@_kernel
def all_finite(x):
    """No NaN or infinity in x: an integer test of the exponent bits, which SIMD does without a mask array."""
    bits = x.view(np.int64)
    exponent = np.int64(0x7FF0000000000000)
    bad = 0
    for i in range(bits.shape[0]):
        bad |= np.int64((bits[U(i)] & exponent) == exponent)
    return bad == 0


@_kernel
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
    table_bits = 0  # the eight variation codes, four bits each, so the lookup is a shift
    for i in range(8):
        table_bits |= np.int64(table[i]) << (4 * i)
    need, paint = _byte_masks(shift_n, trend_n)
    longest = 0
    for t in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[t + 1] - offsets[t])
    z = np.zeros(longest + 2 * PAD, dtype=np.uint8)
    w = np.zeros(longest + 3 * PAD, dtype=np.uint8)
    third = k / 3.0
    for t in range(offsets.shape[0] - 1):
        s = offsets[t]
        e = offsets[t + 1]
        if e - s < max(min_points, 1):
            continue
        x = values[s:e]
        if screen == 0:
            mean, mrbar = _stats(x)
        else:
            mean, mrbar = xmr_stats(values, s, e, screen)
        ucl = mean + k * mrbar
        lcl = mean - k * mrbar
        u2 = mean + 2.0 * third * mrbar
        l2 = mean - 2.0 * third * mrbar
        _codes(x, mean, ucl, lcl, u2, l2, count_beyond, z)
        _window_ends(z, e - s, need, w)
        _paint(z, w, e - s, paint, table_bits, rules[s:e], variation[s:e])
