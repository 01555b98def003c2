"""The chart call's output columns, carved from one buffer that its owner (the shared Columns of a cache) keeps from
one call to the next.

A batch of 10,000 charts writes about 17 MB of output. Allocated fresh, those pages are mapped and zeroed by the
kernel on first touch on every call (about 1,900 page faults, a fifth of the call). Kept, they are touched once.
The buffer is reused only when nothing else holds it: a ChartBatch, and each ChartResult taken from it, are views
that keep it alive, so while any is still referenced the next call takes a new buffer and leaves the old one to
them. A caller that keeps its charts therefore never sees them change.
"""

from __future__ import annotations

import sys

import numpy as np

from projections.spc.chart_kernel import LINES, STATUS

_ALIGN = 64  # each column starts on a cache line
# References to an unshared buffer while `take` looks at it: the Outputs' own, the local name, getrefcount's argument.
_UNSHARED = 3


class Outputs:
    """One reusable buffer for the output columns of chart_batch."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = np.empty(0, dtype=np.uint8)

    def take(self, nbytes: int) -> np.ndarray:
        """A buffer of at least nbytes: the kept one if no chart still holds it and it is large enough."""
        buffer = self._buffer
        if buffer.shape[0] < nbytes or sys.getrefcount(buffer) > _UNSHARED:
            buffer = self._buffer = np.empty(nbytes + nbytes // 4, dtype=np.uint8)  # room to grow a little
        return buffer


def _size(nbytes: int) -> int:
    return -(-nbytes // _ALIGN) * _ALIGN


# name, dtype, and the shape's dimensions as (n, s, segments, constant): each is n, s or segments points, rows, or
# a constant. Worked out in plain integers: np.prod and np.dtype per column cost more than the views themselves.
_LAYOUT = (("plotted", np.float64, ("n",)), ("seg_lines", np.float64, (LINES, "segments")),
           ("seg_start", np.int64, ("segments",)), ("seg_end", np.int64, ("segments",)),
           ("seg_offsets", np.int64, ("s1",)), ("status", np.int64, ("s", STATUS)), ("fewest", np.int64, ("s",)),
           ("rules", np.uint8, ("n",)), ("variation", np.int8, ("n",)), ("icons", np.int8, ("s",)),
           ("assurances", np.int8, ("s",)))
_ITEMSIZE: dict[type, int] = {dtype: np.dtype(dtype).itemsize for _, dtype, _ in _LAYOUT}


def columns(n: int, s: int, segments: int, outputs: Outputs | None = None) -> dict[str, np.ndarray]:
    """The output columns of a batch of s series, n points and at most `segments` segments, as views of one buffer
    (from `outputs`, or a new one)."""
    sizes = {"n": n, "s": s, "s1": s + 1, "segments": segments}
    shapes = [tuple(sizes[d] if isinstance(d, str) else d for d in dims) for _, _, dims in _LAYOUT]
    counts = [shape[0] * (shape[1] if len(shape) > 1 else 1) for shape in shapes]
    spans = [_size(count * _ITEMSIZE[dtype]) for count, (_, dtype, _) in zip(counts, _LAYOUT, strict=True)]
    total = sum(spans)
    buffer = outputs.take(total) if outputs is not None else np.empty(total, dtype=np.uint8)
    out = {}
    at = 0
    for (name, dtype, _), shape, count, span in zip(_LAYOUT, shapes, counts, spans, strict=True):
        out[name] = buffer[at : at + count * _ITEMSIZE[dtype]].view(dtype).reshape(shape)
        at += span
    return out
