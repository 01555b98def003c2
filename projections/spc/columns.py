"""Shared columns for many series: their points in three arrays and their chart inputs one row each, so that a
batch of series is charted where it lies, without copying points or a Python step per series.

Each series owns a slot of the point arrays with room to append into; when it outgrows it, it moves to a slot
twice the size at the end (the old one is left behind: at most about as much as is live, since slots double). The
projection drops its columns with its cache. The columns also keep the chart call's output buffer.
"""

from __future__ import annotations

import numpy as np

from projections.spc.outputs import Outputs
from projections.spc.settings import PARAMS


def _grown(a: np.ndarray, rows: int) -> np.ndarray:
    out = np.empty((rows, *a.shape[1:]), dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


class Columns:
    def __init__(self, points: int = 256, series: int = 16) -> None:
        self.days = np.empty(points, dtype=np.int64)  # days since 1970-01-01
        self.values = np.empty(points)  # values, or numerators of P and U charts
        self.denominators = np.empty(points)  # P and U charts only
        self.end = 0  # first point not in any slot
        # per series
        self.count = 0
        self.start = np.zeros(series, dtype=np.int64)
        self.size = np.zeros(series, dtype=np.int64)
        self.room = np.zeros(series, dtype=np.int64)
        self.params = np.zeros((series, len(PARAMS)), dtype=np.int64)
        self.limit_constants = np.zeros(series)
        self.targets = np.full(series, np.nan)  # the target in force at the series' last point
        self.cut_days = np.zeros((series, 1), dtype=np.int64)  # recalculations, as days; cut_counts per row
        self.cut_counts = np.zeros(series, dtype=np.int64)
        self.outputs = Outputs()  # the chart call's output columns, kept between calls (outputs.py)

    def add_series(self) -> int:
        if self.count == self.start.shape[0]:
            rows = 2 * self.count
            for name in ("start", "size", "room", "params", "limit_constants", "targets", "cut_days", "cut_counts"):
                setattr(self, name, _grown(getattr(self, name), rows))
        i = self.count
        self.start[i] = self.size[i] = self.room[i] = self.cut_counts[i] = 0
        self.targets[i] = np.nan
        self.count += 1
        return i

    def reserve(self, ident: int, points: int) -> None:
        """Make series `ident`'s slot hold at least `points` points, keeping the ones it has."""
        if points <= self.room[ident]:
            return
        room = max(2 * points, 16)
        if self.end + room > self.days.shape[0]:
            size = max(2 * self.days.shape[0], self.end + room)
            self.days, self.values, self.denominators = (_grown(a, size) for a in
                                                         (self.days, self.values, self.denominators))
        old, n, new = int(self.start[ident]), int(self.size[ident]), self.end
        for a in (self.days, self.values, self.denominators):
            a[new : new + n] = a[old : old + n]
        self.start[ident], self.room[ident] = new, room
        self.end += room

    def set_cuts(self, ident: int, days: list[int]) -> None:
        if len(days) > self.cut_days.shape[1]:
            wider = np.zeros((self.cut_days.shape[0], len(days)), dtype=np.int64)
            wider[:, : self.cut_days.shape[1]] = self.cut_days
            self.cut_days = wider
        self.cut_days[ident, : len(days)] = days
        self.cut_counts[ident] = len(days)
