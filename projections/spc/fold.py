"""Pure fold: a measure's events → its series as arrays (days, values, denominators), phases, baseline, targets
and annotations; and a batch of series → flat columns for one kernel call."""

from __future__ import annotations

import struct
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from domain.control.measure import Measure
from domain.control.vocabulary import AnnotationKind, ChartType, Direction
from projections.spc.engine import ChartBatch, chart_batch
from projections.spc.settings import ChartSettings

_NO_FLOATS = np.zeros(0, dtype=np.float64)
_NO_DAYS = np.zeros(0, dtype=np.int64)
_RATIO = (ChartType.P, ChartType.U)
_HEADER = struct.Struct("<4sII")  # magic, header length, points
_MAGIC = b"SPC2"


@dataclass(slots=True)
class Series:
    """What the chart of one measure is computed from: its points as sorted, unique-by-period columns."""

    chart_type: ChartType
    direction: Direction
    shift_run_length: int
    trend_run_length: int
    days: np.ndarray = field(default_factory=lambda: _NO_DAYS)  # days since 1970-01-01, rising
    values: np.ndarray = field(default_factory=lambda: _NO_FLOATS)  # values, or numerators for P and U
    denominators: np.ndarray = field(default_factory=lambda: _NO_FLOATS)  # P and U only
    recalculations: list[str] = field(default_factory=list)
    baseline_points: int = 0
    targets: list[tuple[str, float | None]] = field(default_factory=list)  # (effective from, target), sorted
    # What happened to the chart and why, at a period ("" for the whole chart): [period, kind, text, at], oldest
    # first: chart decisions, and notes from other aggregates' events (projections.spc.annotations).
    annotations: list[list[str]] = field(default_factory=list)
    _periods: list[str] | None = None  # ISO dates of `days`, kept while points only append
    _settings: ChartSettings | None = None

    def settings(self) -> ChartSettings:
        if self._settings is None:
            self._settings = ChartSettings(chart_type=self.chart_type, direction=self.direction,
                                           shift_run_length=self.shift_run_length,
                                           trend_run_length=self.trend_run_length)
        return self._settings

    def periods(self) -> list[str]:
        if self._periods is None:
            self._periods = np.datetime_as_string(self.days.astype("datetime64[D]")).tolist()
        return self._periods

    def phase_starts(self) -> np.ndarray:
        if not self.recalculations:
            return _NO_DAYS
        return np.searchsorted(self.days, np.array(self.recalculations, dtype="datetime64[D]").astype(np.int64))

    def target(self) -> float:
        """The target in force at the last period (NaN: none)."""
        if not self.targets or not self.days.size:
            return np.nan
        i = bisect_right([t[0] for t in self.targets], self.periods()[-1]) - 1
        value = self.targets[i][1] if i >= 0 else None
        return np.nan if value is None else value

    def record(self, periods: list[str], values: Sequence[float | None],
               denominators: Sequence[float | None] | None) -> None:
        days = np.array(periods, dtype="datetime64[D]").astype(np.int64)
        x = np.array(values, dtype=np.float64)  # None becomes NaN, which the chart refuses
        d = np.array(denominators, dtype=np.float64) if denominators is not None else _NO_FLOATS
        ratio = self.chart_type in _RATIO
        if not self.days.size or (days[0] > self.days[-1] and (days[1:] > days[:-1]).all()):
            # the usual case, new periods after the last: append, and the period strings with them
            if self._periods is not None:
                self._periods.extend(periods)
            self.days = np.concatenate((self.days, days))
            self.values = np.concatenate((self.values, x))
            if ratio:
                self.denominators = np.concatenate((self.denominators, d))
            return
        # corrections or periods in between: the last value recorded for a period wins
        all_days = np.concatenate((self.days, days))
        order = np.argsort(all_days, kind="stable")
        ordered = all_days[order]
        keep = order[np.append(ordered[1:] != ordered[:-1], True)]
        self.days = all_days[keep]
        self.values = np.concatenate((self.values, x))[keep]
        if ratio:
            self.denominators = np.concatenate((self.denominators, d))[keep]
        self._periods = None

    def annotate(self, period: str, kind: AnnotationKind, text: str, at: str) -> None:
        self.annotations.append([period, kind.value, text, at])

    def to_bytes(self) -> bytes:
        header = orjson.dumps({"c": self.chart_type, "d": self.direction, "s": self.shift_run_length,
                               "t": self.trend_run_length, "r": self.recalculations, "b": self.baseline_points,
                               "g": self.targets, "a": self.annotations})
        return b"".join((_HEADER.pack(_MAGIC, len(header), self.days.size), header, self.days.tobytes(),
                         self.values.tobytes(), self.denominators.tobytes()))

    @classmethod
    def from_bytes(cls, data: bytes) -> Series:
        magic, size, n = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not a stored SPC series (migration 0006 rebuilds older ones)")
        o = orjson.loads(data[_HEADER.size : _HEADER.size + size])
        at = _HEADER.size + size
        days = np.frombuffer(data, np.int64, n, at)
        values = np.frombuffer(data, np.float64, n, at + 8 * n)
        den = np.frombuffer(data, np.float64, -1, at + 16 * n) if len(data) > at + 16 * n else _NO_FLOATS
        return cls(ChartType(o["c"]), Direction(o["d"]), o["s"], o["t"], days, values, den, o["r"], o["b"],
                   [tuple(t) for t in o["g"]], o["a"])


def evolve(series: Series | None, event: Any) -> Series | None:
    """Apply one Measure event. Never raises for a well-formed event; ignores events of other kinds."""
    if isinstance(event, Measure.MeasureDefined):
        d = event.definition
        targets = [("", d["target"])] if d.get("target") is not None else []
        return Series(ChartType(d["chart_type"]), Direction(d["direction"]), d["shift_run_length"],
                      d["trend_run_length"], targets=targets, _periods=[])
    if series is None:
        return None
    at = event.timestamp.isoformat()
    if isinstance(event, Measure.ObservationsRecorded):
        ratio = series.chart_type in _RATIO
        series.record(event.periods, (event.numerators if ratio else event.values) or [None] * len(event.periods),
                      event.denominators if ratio else None)
    elif isinstance(event, Measure.LimitsRecalculated):
        if event.from_period not in series.recalculations:
            series.recalculations = sorted([*series.recalculations, event.from_period])
        series.annotate(event.from_period, AnnotationKind.RECALCULATION, event.reason, at)
    elif isinstance(event, Measure.BaselineSet):
        series.baseline_points = event.points
        series.annotate("", AnnotationKind.BASELINE, f"{event.points} points: {event.reason}" if event.points
                        else f"baseline removed: {event.reason}", at)
    elif isinstance(event, Measure.TargetSet):
        effective = getattr(event, "effective_from", None) or ""
        kept = [t for t in series.targets if t[0] < effective]
        series.targets = [*kept, (effective, event.target)]
        series.annotate(effective, AnnotationKind.TARGET, f"target {event.target}: {event.reason}", at)
    return series


def chart_series(many: Sequence[Series]) -> ChartBatch:
    """Chart every series in one kernel call: their columns are concatenated, with offsets."""
    lengths = [s.days.size for s in many]
    offsets = np.zeros(len(many) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    values = np.concatenate([s.values for s in many]) if many else _NO_FLOATS
    # denominators are read for P and U only: other series lend their values to keep the columns aligned
    den = np.concatenate([s.denominators if s.chart_type in _RATIO else s.values for s in many]) if many \
        else _NO_FLOATS
    params = np.array([s.settings().row(s.baseline_points) for s in many], dtype=np.int64).reshape(len(many), -1)
    limits = np.array([s.settings().limit_constant for s in many], dtype=np.float64)
    targets = np.array([s.target() for s in many], dtype=np.float64)
    starts = [s.phase_starts() for s in many]
    cut_offsets = np.zeros(len(many) + 1, dtype=np.int64)
    np.cumsum([c.size for c in starts], out=cut_offsets[1:])
    cuts = np.concatenate(starts).astype(np.int64) if cut_offsets[-1] else _NO_DAYS
    return chart_batch(values, den, offsets, params, limits, targets, cuts, cut_offsets)
