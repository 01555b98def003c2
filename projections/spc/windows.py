"""The four control-chart rules as short word-wise passes over point codes, without run counters or look-back loops.

Each point has a byte of code bits (below). A run of N ends at point i when the AND of the codes of points
i-N+1..i has the bit, and every point of it is flagged when the OR of the run ends over j..j+N-1 does. The passes
work on eight points at a time: the codes sit one per byte in 64-bit words, a word shifted by 8k bits holds in
each byte the code k points before (or after), and no operation carries from one byte into the next, so each byte
lane does for its point what a byte-wise pass would. The buffers are padded with PAD zero codes at both ends, so
windows need no bounds tests.

Phases: a point of a phase without limits has code 0, so no window holds it; a trend that may not join the point
before loses its RISE/FALL bit; and `since[i]` (how many points before i join it, at most 8) lets a shift or a
two-of-three window end at i only if all its points are joined, for the setting where those rules stop at a
recalculation.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_kernel = njit(cache=True, boundscheck=False, error_model="numpy")
# Tiny helpers: LLVM inlines them.
_inline = njit(cache=True, boundscheck=False, error_model="numpy")
# The two passes, inlined by numba into the chart loop (see chart_kernel._always).
_always = njit(cache=True, boundscheck=False, error_model="numpy", inline="always")
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


ONES = U(0x0101010101010101)  # one in every byte of a word


@_inline
def _each(byte):
    """A byte value in every byte of a word."""
    return ONES * U(byte & 255)


@_inline
def _full(ones):
    """0xFF in each byte where `ones` (0 or 1 per byte) has a one: ones * 255 modulo 2**64, as a shift and a
    subtraction. The byte-wise selects were 64-bit multiplications, which SIMD does in three micro-ops with fifteen
    cycles' latency (a multiply per select cost about a tenth of the paint pass)."""
    return (ones << U(8)) - ones


@_always
def window_words(zw, sw, n, need, shift_n, ww):
    """ww[m] = the window-end bits of the eight points of word m, for each word whose windows can reach the n
    points: zw, sw and ww are the code, since and window-end buffers as words (byte b of word m is point
    8m + b - PAD)."""
    sides, slopes = _each(SIDES), _each(SLOPES)
    top = _each(0x80)
    shift_ok = _each(0x80 - (shift_n - 1))  # since <= 8, so since + this sets a byte's top bit iff since >= N - 1
    two_ok = _each(0x80 - 2)
    for m in range(1, (2 * PAD + n - 1) // 8 + 1):
        cur, prev = zw[m], zw[m - 1]
        z1 = (cur << U(8)) | (prev >> U(56))
        z2 = (cur << U(16)) | (prev >> U(48))
        acc = (cur | _each(need)) & (z1 | _each(need >> 8)) & (z2 | _each(need >> 16))
        for k in range(3, 8):
            acc &= (cur << U(8 * k)) | (prev >> U(64 - 8 * k)) | _each(need >> (8 * k))
        s = sw[m]
        shift_mask = (((s + shift_ok) & top) >> U(7)) * U(255)
        two_mask = (((s + two_ok) & top) >> U(7)) * U(255)
        two_near = (cur & z1) | (cur & z2) | (z1 & z2)
        ww[m] = (acc & sides & shift_mask) | (acc & slopes) | (((cur & z1 & z2 & sides) << U(4)) & two_near & two_mask)


@_always
def paint_words(zw, ww, n, paint_mask, tables, row, rw, vw, rb, vb, rules, variation, o):
    """Flag every point of each window found (buffers as in window_words); write rule bits, and variation codes
    from tables[row] (see kernels.variation_table) by byte-wise selects, at o.. of rules and variation. rw and vw
    (words) are scratch, rb and vb the same as bytes: a word per eight points goes there, then the bytes are copied
    out in a loop that LLVM vectorises. Stored byte by byte into the outputs, which might alias each other, the
    sixteen stores per word cost more than the rules."""
    keep = _each(SIDES | SLOPES)
    # variation of a point flagged high only, low only, both (below or above the centre), in every byte
    v_high, v_low = _each(tables[row, 1]), _each(tables[row, 2])
    v_both_below, v_both_above = _each(tables[row, 3]), _each(tables[row, 7])
    for m in range(1, (PAD + n - 1) // 8 + 1):
        cur, nxt = ww[m], ww[m + 1]
        p = cur & _each(paint_mask)
        for k in range(1, 8):
            p |= ((cur >> U(8 * k)) | (nxt << U(64 - 8 * k))) & _each(paint_mask >> (8 * k))
        c = zw[m]
        p &= keep | c  # two-of-three flags only the marked points of a window
        high = ((c >> U(6)) & ONES) | ((p & _each(ABOVE)) << U(1)) | (p & _each(RISE)) | ((p & _each(HI2)) >> U(1))
        low = ((c >> U(7)) & ONES) | (p & _each(BELOW)) | ((p & _each(FALL)) >> U(1)) | ((p & _each(LO2)) >> U(2))
        h = (high | (high >> U(1)) | (high >> U(2)) | (high >> U(3))) & ONES  # 1 in each byte flagged high
        lo = (low | (low >> U(1)) | (low >> U(2)) | (low >> U(3))) & ONES
        both = h & lo
        above = c & ONES  # ABOVE is bit 0
        rw[m - 1] = high | low
        vw[m - 1] = ((_full(h ^ both) & v_high) | (_full(lo ^ both) & v_low) | (_full(both & above) & v_both_above)
                     | (_full(both ^ (both & above)) & v_both_below))  # each byte gets at most one of them
    for j in range(n):
        rules[U(o + j)] = rb[U(j)]
    for j in range(n):
        variation[U(o + j)] = vb[U(j)]
