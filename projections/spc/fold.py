"""Pure fold: a measure's events → its series (points in shared columns; phases, baseline, targets, annotations);
and a batch of series → their charts, in one kernel call."""

from __future__ import annotations

import struct
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson

from domain.control.columns import PeriodColumn
from domain.control.measure import Measure
from domain.control.vocabulary import AnnotationKind, ChartType, Direction
from projections.spc.columns import Columns
from projections.spc.engine import ChartBatch, chart_batch
from projections.spc.settings import PARAMS, ChartSettings

_NO_FLOATS = np.zeros(0, dtype=np.float64)
_RATIO = (ChartType.P, ChartType.U)
_HEADER = struct.Struct("<4sII")  # magic, header length, points
_MAGIC = b"SPC2"


def _day(period: str) -> int:
    return int(np.datetime64(period, "D").astype(np.int64))


class Series:
    """What the chart of one measure is computed from. Its points (sorted, one per period) and chart inputs live in
    a Columns shared with the other series of the same cache; the rest is here."""

    __slots__ = ("_settings", "_target_days", "annotations", "baseline_points", "chart_type", "columns",
                 "direction", "ident", "recalculations", "saved", "shift_run_length", "targets", "trend_run_length")

    def __init__(self, chart_type: ChartType, direction: Direction, shift_run_length: int, trend_run_length: int,
                 columns: Columns | None = None) -> None:
        self.chart_type, self.direction = ChartType(chart_type), Direction(direction)
        self.shift_run_length, self.trend_run_length = shift_run_length, trend_run_length
        self.columns = columns if columns is not None else Columns()
        self.ident = self.columns.add_series()
        self.recalculations: list[str] = []
        self.baseline_points = 0
        self.targets: list[tuple[str, float | None]] = []  # (effective from, target), sorted
        self._target_days: list[int] = []
        # What happened to the chart and why, at a period ("" for the whole chart): [period, kind, text, at], oldest
        # first: chart decisions, and notes from other aggregates' events (projections.spc.annotations).
        self.annotations: list[list[str]] = []
        # How many leading points are stored as they are here: a save writes the points from there on only, so a
        # batch that appends costs what it appends, however long the chart (projections.spc.document).
        self.saved = 0
        self._settings = ChartSettings(chart_type=self.chart_type, direction=self.direction,
                                       shift_run_length=shift_run_length, trend_run_length=trend_run_length)
        self.columns.limit_constants[self.ident] = self._settings.limit_constant
        self._sync_params()

    # -- the points, as views of the shared columns --------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self.columns.size[self.ident])

    def _view(self, column: np.ndarray) -> np.ndarray:
        start = self.columns.start[self.ident]
        return column[start : start + self.columns.size[self.ident]]

    @property
    def days(self) -> np.ndarray:
        return self._view(self.columns.days)

    @property
    def values(self) -> np.ndarray:
        return self._view(self.columns.values)

    @property
    def denominators(self) -> np.ndarray:
        return self._view(self.columns.denominators) if self.chart_type in _RATIO else _NO_FLOATS

    def settings(self) -> ChartSettings:
        return self._settings

    def periods(self) -> list[str]:
        return np.datetime_as_string(self.days.astype("datetime64[D]")).tolist()  # type: ignore[no-any-return]

    def last_period(self) -> str:
        return str(np.datetime_as_string(self.days[-1].astype("datetime64[D]")))

    # -- changes -------------------------------------------------------------------------------------------
    def record(self, periods: Sequence[str], values: Sequence[float | None],
               denominators: Sequence[float | None] | None) -> None:
        """`periods`: ISO dates, or a PeriodColumn (a stored run of days reads back as one), whose day numbers are
        taken as they are."""
        if isinstance(periods, PeriodColumn):
            days = periods.days.view(np.int64)
        else:
            days = np.array(periods, dtype="datetime64[D]").astype(np.int64)
        x = np.array(values, dtype=np.float64)  # None becomes NaN, which the chart refuses
        d = np.array(denominators, dtype=np.float64) if denominators is not None else None
        c, i, n, k = self.columns, self.ident, self.size, days.size
        old = self.days
        if (days[1:] > days[:-1]).all() and (not n or not k or days[0] > old[-1]):
            # the usual case, new periods after the last: append
            c.reserve(i, n + k)
            start = c.start[i] + n
            c.days[start : start + k], c.values[start : start + k] = days, x
            if d is not None:
                c.denominators[start : start + k] = d
            c.size[i] = n + k
        else:
            # corrections or periods in between: the last value recorded for a period wins; the stored points
            # from the earliest period recorded on must be written again
            self.saved = min(self.saved, int(np.searchsorted(old, days.min()))) if k else self.saved
            all_days = np.concatenate((old, days))
            order = np.argsort(all_days, kind="stable")
            ordered = all_days[order]
            keep = order[np.append(ordered[1:] != ordered[:-1], True)]
            merged = (all_days[keep], np.concatenate((self.values, x))[keep],
                      np.concatenate((self._view(c.denominators), d))[keep] if d is not None else None)
            c.reserve(i, keep.size)
            start = c.start[i]
            for column, new in zip((c.days, c.values, c.denominators), merged, strict=True):
                if new is not None:
                    column[start : start + keep.size] = new
            c.size[i] = keep.size
        self._sync_target()

    def set_recalculations(self, periods: list[str]) -> None:
        self.recalculations = periods
        self.columns.set_cuts(self.ident, [_day(p) for p in periods])

    def set_baseline(self, points: int) -> None:
        self.baseline_points = points
        self._sync_params()

    def set_targets(self, targets: list[tuple[str, float | None]]) -> None:
        self.targets = targets
        self._target_days = [_day(t[0]) if t[0] else -(1 << 62) for t in targets]
        self._sync_target()

    def annotate(self, period: str, kind: AnnotationKind, text: str, at: str) -> None:
        self.annotations.append([period, kind.value, text, at])

    def _sync_params(self) -> None:
        self.columns.params[self.ident] = self._settings.row(self.baseline_points)

    def _sync_target(self) -> None:
        """The target in force at the last period (NaN: none), where the chart call reads it."""
        value = None
        if self.targets and self.size:
            i = bisect_right(self._target_days, int(self.days[-1])) - 1
            value = self.targets[i][1] if i >= 0 else None
        self.columns.targets[self.ident] = np.nan if value is None else value

    # -- storage -------------------------------------------------------------------------------------------
    def header(self) -> bytes:
        """Everything but the points: settings, recalculations, baseline, targets, annotations (small JSON)."""
        return orjson.dumps({"c": self.chart_type, "d": self.direction, "s": self.shift_run_length,
                             "t": self.trend_run_length, "r": self.recalculations, "b": self.baseline_points,
                             "g": self.targets, "a": self.annotations})

    def to_bytes(self) -> bytes:
        """The whole series in one value (to copy it into other columns; storage keeps it in chunks: document.py)."""
        header = self.header()
        return b"".join((_HEADER.pack(_MAGIC, len(header), self.size), header, self.days.tobytes(),
                         self.values.tobytes(), self.denominators.tobytes()))

    @classmethod
    def from_bytes(cls, data: bytes, columns: Columns | None = None) -> Series:
        magic, size, n = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not a stored SPC series (migration 0006 rebuilds older ones)")
        at = _HEADER.size + size
        ratio = orjson.loads(data[_HEADER.size : at])["c"] in _RATIO
        return cls.from_parts(data[_HEADER.size : at], np.frombuffer(data, np.int64, n, at),
                              np.frombuffer(data, np.float64, n, at + 8 * n),
                              np.frombuffer(data, np.float64, n, at + 16 * n) if ratio else None, columns)

    @classmethod
    def from_parts(cls, header: bytes, days: np.ndarray, values: np.ndarray, denominators: np.ndarray | None,
                   columns: Columns | None = None) -> Series:
        """A series from its header and its points (days since 1970-01-01; denominators for P and U only), all
        counted as saved."""
        o = orjson.loads(header)
        series = cls(ChartType(o["c"]), Direction(o["d"]), o["s"], o["t"], columns)
        c, i, n = series.columns, series.ident, days.shape[0]
        c.reserve(i, n)
        start = c.start[i]
        c.days[start : start + n] = days
        c.values[start : start + n] = values
        if series.chart_type in _RATIO and denominators is not None:
            c.denominators[start : start + n] = denominators
        c.size[i] = n
        series.saved = n
        series.set_recalculations(o["r"])
        series.set_baseline(o["b"])
        series.set_targets([tuple(t) for t in o["g"]])
        series.annotations = o["a"]
        return series


def evolve(series: Series | None, event: Any, columns: Columns | None = None) -> Series | None:
    """Apply one Measure event. Never raises for a well-formed event; ignores events of other kinds. A new series
    goes into `columns` (by default, columns of its own)."""
    if isinstance(event, Measure.MeasureDefined):
        d = event.definition
        series = Series(ChartType(d["chart_type"]), Direction(d["direction"]), d["shift_run_length"],
                        d["trend_run_length"], columns)
        if d.get("target") is not None:
            series.set_targets([("", d["target"])])
        return series
    if series is None:
        return None
    at = event.timestamp.isoformat()
    if isinstance(event, Measure.ObservationsRecorded):
        ratio = series.chart_type in _RATIO
        series.record(event.periods, (event.numerators if ratio else event.values) or [None] * len(event.periods),
                      event.denominators if ratio else None)
    elif isinstance(event, Measure.LimitsRecalculated):
        if event.from_period not in series.recalculations:
            series.set_recalculations(sorted([*series.recalculations, event.from_period]))
        series.annotate(event.from_period, AnnotationKind.RECALCULATION, event.reason, at)
    elif isinstance(event, Measure.BaselineSet):
        series.set_baseline(event.points)
        series.annotate("", AnnotationKind.BASELINE, f"{event.points} points: {event.reason}" if event.points
                        else f"baseline removed: {event.reason}", at)
    elif isinstance(event, Measure.TargetSet):
        effective = getattr(event, "effective_from", None) or ""
        kept = [t for t in series.targets if t[0] < effective]
        series.set_targets([*kept, (effective, event.target)])
        series.annotate(effective, AnnotationKind.TARGET, f"target {event.target}: {event.reason}", at)
    return series


def chart_series(many: Sequence[Series]) -> ChartBatch:
    """Chart every series in one kernel call, reading their points where they lie (series in different columns,
    as in tests, are first copied into one)."""
    if not many:
        return chart_batch(_NO_FLOATS, _NO_FLOATS, np.zeros(1, dtype=np.int64), np.zeros((0, len(PARAMS)), np.int64),
                           _NO_FLOATS, _NO_FLOATS)
    c = many[0].columns
    idents = [s.ident for s in many if s.columns is c]
    if len(idents) < len(many):
        return chart_series(_together(many))
    # np.fromiter and take: np.array of a list of ints and fancy indexing cost twice as much, a few per cent of a
    # call that charts 10,000 series
    ids = np.fromiter(idents, np.int64, len(idents))
    offsets = np.zeros(ids.size + 1, dtype=np.int64)
    np.cumsum(c.size.take(ids), out=offsets[1:])
    return chart_batch(c.values, c.denominators, offsets, c.params.take(ids, 0), c.limit_constants.take(ids),
                       c.targets.take(ids), c.cut_days.take(ids, 0), c.cut_counts.take(ids),
                       sources=c.start.take(ids), days=c.days, outputs=c.outputs)


def _together(many: Sequence[Series]) -> list[Series]:
    columns = Columns(sum(s.size for s in many) + 16, len(many))
    return [Series.from_bytes(s.to_bytes(), columns) for s in many]
