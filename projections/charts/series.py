"""Pure fold: a measure's events → its series (current values, phases, baseline, targets) → its chart."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from domain.control.measure import Measure
from projections.spc import ChartSettings, compute_chart

Triple = tuple[float | None, float | None, float | None]


@dataclass(slots=True)
class Series:
    """What the chart of one measure is computed from."""

    chart_type: str
    direction: str
    shift_run_length: int
    trend_run_length: int
    points: dict[str, Triple] = field(default_factory=dict)
    recalculations: list[str] = field(default_factory=list)
    baseline_points: int = 0
    targets: list[tuple[str, float | None]] = field(default_factory=list)  # (effective from, target), sorted
    # What happened to the chart and why, at a period ("" for the whole chart): [period, kind, text, at]. Chart
    # decisions now; PDSA cycles, escalations and corrective actions linked to the measure join them later.
    annotations: list[list[str]] = field(default_factory=list)

    def settings(self) -> ChartSettings:
        return ChartSettings(chart_type=self.chart_type, direction=self.direction,
                             shift_run_length=self.shift_run_length, trend_run_length=self.trend_run_length)

    def to_bytes(self) -> bytes:
        return orjson.dumps({"c": self.chart_type, "d": self.direction, "s": self.shift_run_length,
                             "t": self.trend_run_length, "p": list(self.points), "v": list(self.points.values()),
                             "r": self.recalculations, "b": self.baseline_points, "g": self.targets,
                             "a": self.annotations})

    @classmethod
    def from_bytes(cls, data: bytes) -> Series:
        o = orjson.loads(data)
        return cls(o["c"], o["d"], o["s"], o["t"], dict(zip(o["p"], map(tuple, o["v"]), strict=True)), o["r"], o["b"],
                   [tuple(t) for t in o["g"]], o.get("a", []))


def evolve(series: Series | None, event: Any) -> Series | None:
    """Apply one Measure event. Never raises for a well-formed event; ignores events of other kinds."""
    if isinstance(event, Measure.MeasureDefined):
        d = event.definition
        targets = [("", d["target"])] if d.get("target") is not None else []
        return Series(d["chart_type"], d["direction"], d["shift_run_length"], d["trend_run_length"], targets=targets)
    if series is None:
        return None
    if isinstance(event, Measure.ObservationsRecorded):
        n = len(event.periods)
        empty = [None] * n
        series.points.update(zip(event.periods, zip(event.values or empty, event.numerators or empty,
                                                    event.denominators or empty, strict=True), strict=True))
    elif isinstance(event, Measure.LimitsRecalculated):
        if event.from_period not in series.recalculations:
            series.recalculations = sorted([*series.recalculations, event.from_period])
        _annotate(series, event, event.from_period, "RECALCULATION", event.reason)
    elif isinstance(event, Measure.BaselineSet):
        series.baseline_points = event.points
        _annotate(series, event, "", "BASELINE", f"{event.points} points: {event.reason}" if event.points
                  else f"baseline removed: {event.reason}")
    elif isinstance(event, Measure.TargetSet):
        effective = getattr(event, "effective_from", None) or ""
        kept = [t for t in series.targets if t[0] < effective]
        series.targets = [*kept, (effective, event.target)]
        _annotate(series, event, effective, "TARGET", f"target {event.target}: {event.reason}")
    return series


def _annotate(series: Series, event: Any, period: str, kind: str, text: str) -> None:
    series.annotations.append([period, kind, text, event.timestamp.isoformat()])


def _column(triples: list[Triple], i: int) -> np.ndarray:
    column = [t[i] for t in triples]
    try:
        return np.array(column, dtype=np.float64)
    except TypeError:  # a None among them (a column the chart type does not use)
        return np.array([math.nan if v is None else v for v in column], dtype=np.float64)


def chart_document(series: Series) -> dict[str, Any]:
    """The chart as the API serves it: one list per column, NaN for 'no value' (JSON null); per-point variation
    and rules as codes (see projections.spc VARIATION_NAMES and RULE_NAMES), named by the API."""
    periods = sorted(series.points)
    triples = [series.points[p] for p in periods]
    ratio = series.chart_type in ("P", "U")
    values = _column(triples, 1 if ratio else 0)
    denominators = _column(triples, 2) if ratio else None
    phase_starts = [i for i in (bisect_left(periods, r) for r in series.recalculations) if 0 < i < len(periods)]
    targets = None
    if series.targets:
        starts = [t[0] for t in series.targets]
        targets = np.array([_target_at(series.targets, starts, p) for p in periods], dtype=np.float64)
    result = compute_chart(series.settings(), values, denominators, phase_starts=phase_starts,
                           baseline_points=series.baseline_points, targets=targets)
    return {
        "chartType": series.chart_type,
        "variationIcon": result.variation_icon,
        "assurance": result.assurance_icon,
        "runs": None if result.runs is None else {
            "usefulObservations": result.runs.useful_observations, "longestRun": result.runs.longest_run,
            "longestRunMax": result.runs.longest_run_max, "crossings": result.runs.crossings,
            "crossingsMin": result.runs.crossings_min, "signal": bool(result.runs.signal)},
        "period": periods,
        "value": result.values,
        "centre": result.centre,
        "upl": result.upper_limit,
        "lpl": result.lower_limit,
        "u2s": result.upper_two_sigma,
        "l2s": result.lower_two_sigma,
        "variation": result.variation,      # codes: index into VARIATION_NAMES
        "rules": result.rules,              # bitmasks over RULE_NAMES
        "target": series.targets[-1][1] if series.targets else None,
        "annotations": series.annotations,
    }


def _target_at(targets: list[tuple[str, float | None]], starts: list[str], period: str) -> float:
    i = bisect_right(starts, period) - 1
    value = targets[i][1] if i >= 0 else None
    return math.nan if value is None else value


def encode_chart(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
