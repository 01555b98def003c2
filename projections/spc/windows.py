"""The four control-chart rules as short byte-wise passes over point codes, without run counters or look-back loops.

A run of N ends at point i when the AND of the codes of points i-N+1..i has the bit, and every point of it is
flagged when the OR of the run ends over j..j+N-1 does. Each pass reads fixed offsets, so LLVM makes SIMD code of
it; the codes sit in a buffer padded with PAD zeros at both ends, so windows need no bounds tests.

Phases: a point of a phase without limits has code 0, so no window holds it; a trend that may not join the point
before loses its RISE/FALL bit; and `since[i]` (how many points before i join it, at most 8) lets a shift or a
two-of-three window end at i only if all its points are joined, for the setting where those rules stop at a
recalculation.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
# Small helpers: LLVM inlines them anyway; numba's own (IR) inlining made cold compiles much slower.
_inline = njit(cache=True, boundscheck=False, error_model="numpy")
PAD = 8  # zero codes before and after each series; the longest window is eight points
U = np.uint64  # unsigned indices: numba then skips the negative-index wrap-around, which blocks SIMD

# Point code bits.
ABOVE, BELOW = 1, 2  # strictly above / below the centre
RISE, FALL = 4, 8  # strictly above / below the previous point, and joined to it for trends
HI2, LO2 = 16, 32  # beyond a two-sigma line and counted by two-of-three
HI3, LO3 = 64, 128  # beyond a process limit
# Window-end bits: ABOVE/BELOW = a shift ends here, RISE/FALL = a trend ends here, HI2/LO2 = three points on one
# side with at least two marked end here.
SIDES = ABOVE | BELOW
SLOPES = RISE | FALL
NEARS = HI2 | LO2


@_inline
def code_of(v, centre, ucl, lcl, u2, l2, beyond):
    """A point's code against its own lines (without RISE/FALL)."""
    h3 = np.int64(v > ucl)
    l3 = np.int64(v < lcl)
    near = np.int64(v > u2) * HI2 | np.int64(v < l2) * LO2
    if not beyond:  # MDC v5: a point beyond a limit does not count for two-of-three
        near &= ~(h3 * HI2 | l3 * LO2)
    return np.int64(v > centre) * ABOVE | np.int64(v < centre) * BELOW | near | h3 * HI3 | l3 * LO3


@_kernel
def byte_masks(shift_n, trend_n):
    """Per window offset k (byte k of each word): bits that must hold at i-k, and bits painted back to j+k."""
    need = 0
    paint = 0
    for k in range(8):
        b = (SIDES if k < shift_n else 0) | (SLOPES if k < trend_n - 1 else 0)  # trend: N points, N-1 rises
        p = (SIDES if k < shift_n else 0) | (SLOPES if k < trend_n else 0) | (NEARS if k < 3 else 0)
        need |= np.int64(255 - b) << (8 * k)  # bits not needed at offset k read as set
        paint |= np.int64(p) << (8 * k)
    return need, paint


@_kernel
def table_bits(table):
    """The eight variation codes, four bits each, so that the lookup is a shift."""
    bits = 0
    for i in range(8):
        bits |= np.int64(table[i]) << (4 * i)
    return bits


@_kernel
def window_ends(z, since, n, need, shift_n, w):
    """w[i] = window-end bits at point i - PAD, for each i whose window can reach the series."""
    for i in range(PAD, 2 * PAD + n):
        acc = 255
        for k in range(8):
            acc &= z[U(i - k)] | ((need >> (8 * k)) & 255)
        z0 = z[U(i)]
        z1 = z[U(i - 1)]
        z2 = z[U(i - 2)]
        joined = since[U(i)]
        two_near = (z0 & z1) | (z0 & z2) | (z1 & z2)  # majority of the near bits
        w[U(i)] = ((acc & SIDES) * np.int64(joined >= shift_n - 1) | (acc & SLOPES)
                   | (((z0 & z1 & z2 & SIDES) << 4) & two_near) * np.int64(joined >= 2))


@_kernel
def paint(z, w, n, paint_mask, bits, rules, variation, o):
    """Flag every point of each window found; write rule bits and variation codes at o.. of rules and variation."""
    for j in range(n):
        i = PAD + j
        p = 0
        for k in range(8):
            p |= w[U(i + k)] & ((paint_mask >> (8 * k)) & 255)
        c = z[U(i)]
        p &= SIDES | SLOPES | c  # two-of-three flags only the marked points of a window
        high = (c >> 6) & 1 | (p & ABOVE) << 1 | (p & RISE) | (p & HI2) >> 1
        low = (c >> 7) & 1 | (p & BELOW) | (p & FALL) >> 1 | (p & LO2) >> 2
        rules[U(o + j)] = high | low
        idx = np.int64(high != 0) | np.int64(low != 0) << 1 | (c & ABOVE) << 2
        variation[U(o + j)] = (bits >> (4 * idx)) & 15
