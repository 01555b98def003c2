"""chart_batch: many measures' charts from flat columns in one kernel call; compute_chart is a batch of one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from domain.control.vocabulary import AssuranceIcon, VariationIcon
from projections.spc.chart_kernel import chart_all
from projections.spc.outputs import Outputs, columns
from projections.spc.runs import RunAnalysis, crossings_min
from projections.spc.settings import (
    CONCERN,
    FEW_CROSSINGS,
    IMPROVEMENT,
    NEITHER_HIGH,
    NEITHER_LOW,
    PARAMS,
    RUN,
    XMR,
    ChartSettings,
    P,
    U,
)

_KIND = PARAMS.index("kind")
# Variation icons by (direction + 1, last point's variation code), as indices into _ICONS (the kernel: -1 for none).
_ICONS = (VariationIcon.COMMON_CAUSE, VariationIcon.IMPROVEMENT_HIGH, VariationIcon.IMPROVEMENT_LOW,
          VariationIcon.CONCERN_HIGH, VariationIcon.CONCERN_LOW, VariationIcon.NEITHER_HIGH,
          VariationIcon.NEITHER_LOW)
_ICON_TABLE = np.zeros((3, 5), dtype=np.int8)
for _d in range(3):
    _high = _d == 2  # direction INCREASE
    _ICON_TABLE[_d, IMPROVEMENT] = 1 if _high else 2
    _ICON_TABLE[_d, CONCERN] = 4 if _high else 3
    _ICON_TABLE[_d, NEITHER_HIGH] = 5
    _ICON_TABLE[_d, NEITHER_LOW] = 6
_ASSURANCES = (AssuranceIcon.CONSISTENT_PASS, AssuranceIcon.CONSISTENT_FAIL, AssuranceIcon.HIT_AND_MISS)


class ChartResult:
    """One measure's chart: its columns are views into its batch's; the moving ranges (not stored) are worked out
    when first asked for."""

    __slots__ = ("_mr", "_phase_starts", "_xmr", "assurance_icon", "lines", "rules", "runs", "values", "variation",
                 "variation_icon")

    def __init__(self, values: np.ndarray, lines: np.ndarray, rules: np.ndarray, variation: np.ndarray,
                 variation_icon: VariationIcon | None, assurance_icon: AssuranceIcon | None, runs: RunAnalysis | None,
                 xmr: bool, phase_starts: np.ndarray) -> None:
        self.values, self.lines, self.rules, self.variation = values, lines, rules, variation
        self.variation_icon, self.assurance_icon, self.runs = variation_icon, assurance_icon, runs
        self._xmr, self._phase_starts = xmr, phase_starts
        self._mr: np.ndarray | None = None

    centre = property(lambda self: self.lines[0])
    upper_limit = property(lambda self: self.lines[1])
    lower_limit = property(lambda self: self.lines[2])
    upper_two_sigma = property(lambda self: self.lines[3])
    lower_two_sigma = property(lambda self: self.lines[4])
    upper_one_sigma = property(lambda self: self.lines[5])
    lower_one_sigma = property(lambda self: self.lines[6])
    moving_range_ucl = property(lambda self: self.lines[7])

    @property
    def moving_range(self) -> np.ndarray:
        """XmR charts: |x[i] - x[i-1]| within each phase; a phase's first point has none."""
        if self._mr is None:
            mr = np.full(self.values.shape[0], np.nan)
            if self._xmr and mr.size:
                mr[1:] = np.abs(np.diff(self.values))
                mr[self._phase_starts] = np.nan
            self._mr = mr
        return self._mr


@dataclass(frozen=True, slots=True)
class ChartBatch:
    """Flat output columns of a batch (series t is offsets[t]:offsets[t+1]), lines per segment (see chart_kernel),
    icons and run analyses."""

    offsets: np.ndarray
    kinds: np.ndarray
    values: np.ndarray
    rules: np.ndarray
    variation: np.ndarray
    seg_lines: np.ndarray
    seg_start: np.ndarray
    seg_offsets: np.ndarray
    seg_end: np.ndarray
    variation_icons: np.ndarray  # index into _ICONS, -1 for none
    assurance_icons: np.ndarray  # index into _ASSURANCES, -1 for none
    status: np.ndarray  # per series, as chart_kernel writes it
    crossings_min: np.ndarray  # run charts: Anhøj's minimum of crossings; -1 for other charts

    def __len__(self) -> int:
        return self.offsets.shape[0] - 1

    def lines(self, t: int) -> np.ndarray:
        """Series t's lines per point: rows as chart_kernel's seg_lines."""
        a, b = int(self.offsets[t]), int(self.offsets[t + 1])
        k0, k1 = int(self.seg_offsets[t]), int(self.seg_offsets[t + 1])
        if k1 - k0 == b - a:  # a segment per point (P and U charts, or phases of one point)
            return self.seg_lines[:, k0:k1]
        return np.repeat(self.seg_lines[:, k0:k1], self.seg_end[k0:k1] - self.seg_start[k0:k1], axis=1)

    def result(self, t: int) -> ChartResult:
        a, b = int(self.offsets[t]), int(self.offsets[t + 1])
        k0, k1 = int(self.seg_offsets[t]), int(self.seg_offsets[t + 1])
        icon, assurance = int(self.variation_icons[t]), int(self.assurance_icons[t])
        return ChartResult(self.values[a:b], self.lines(t), self.rules[a:b], self.variation[a:b],
                           _ICONS[icon] if icon >= 0 else None, _ASSURANCES[assurance] if assurance >= 0 else None,
                           self.run_analysis(t), bool(self.kinds[t] == XMR), self.seg_start[k0:k1] - a)

    def run_analysis(self, t: int) -> RunAnalysis | None:
        fewest = int(self.crossings_min[t])
        if fewest < 0:
            return None
        _, useful, longest, run_max, crossings, _ = self.status[t].tolist()
        return RunAnalysis(useful, longest, run_max, crossings, fewest, longest > run_max or crossings < fewest)


def chart_batch(values: np.ndarray, denominators: np.ndarray, offsets: np.ndarray, params: np.ndarray,
                limit_constants: np.ndarray, targets: np.ndarray, cut_days: np.ndarray | None = None,
                cut_counts: np.ndarray | None = None, *, sources: np.ndarray | None = None,
                days: np.ndarray | None = None, outputs: Outputs | None = None) -> ChartBatch:
    """Chart every series in one kernel call. Series t has offsets[t+1] - offsets[t] points in period order, read
    from values (numerators for P and U, over denominators; denominators are read for P and U only) and days
    from sources[t] on (default: offsets[t], the columns are the series one after another; days default to each
    point's index). params[t] is its settings' `row`, limit_constants[t] their constant, targets[t] the target in
    force at its last point (NaN: none); its phases start at the first point on or after each of
    cut_days[t, :cut_counts[t]] (rising). The output columns come from `outputs` when given (see outputs.py)."""
    s = offsets.shape[0] - 1
    if cut_days is None or cut_counts is None:
        cut_days, cut_counts = np.zeros((s, 0), dtype=np.int64), np.zeros(s, dtype=np.int64)
    _check(values, denominators, offsets, params, sources)
    src = offsets[:-1] if sources is None else sources
    if days is None:  # a point's index within its series (the columns must then be the series one after another)
        if sources is not None:
            raise ValueError("series read from sources need their days")
        days = np.arange(values.shape[0], dtype=np.int64) - np.repeat(offsets[:-1], np.diff(offsets))
    n = int(offsets[-1])
    kinds = params[:, _KIND]
    sizes = np.diff(offsets)
    # a segment per point of a P or U chart, per phase of the others (at most one more than its recalculations)
    segments = int(np.where((kinds == P) | (kinds == U), sizes, np.minimum(sizes, cut_counts + 1)).sum())
    out = columns(n, s, segments, outputs)
    bad = chart_all(values, denominators, days, src, offsets, cut_days, cut_counts, params, limit_constants,
                    targets, _ICON_TABLE, out["plotted"], out["rules"], out["variation"], out["seg_lines"],
                    out["seg_start"], out["seg_offsets"], out["status"], out["icons"], out["assurances"])
    if bad:
        raise ValueError("values must be finite; denominators (P and U charts) positive and finite")
    rules, status, fewest = out["rules"], out["status"], out["fewest"]
    _run_analyses(kinds, offsets, status, rules, fewest)
    segments = int(out["seg_offsets"][-1])
    seg_start, seg_end = out["seg_start"], out["seg_end"]  # segments cover their series without gaps
    if segments:
        seg_end[: segments - 1], seg_end[segments - 1] = seg_start[1:segments], n
    return ChartBatch(offsets, kinds, out["plotted"], rules, out["variation"], out["seg_lines"][:, :segments],
                      seg_start[:segments], out["seg_offsets"], seg_end[:segments], out["icons"], out["assurances"],
                      status, fewest)


def _check(values: np.ndarray, denominators: np.ndarray, offsets: np.ndarray, params: np.ndarray,
           sources: np.ndarray | None) -> None:
    if values.ndim != 1 or denominators.shape != values.shape or offsets.ndim != 1 or offsets.size < 1:
        raise ValueError("values and denominators must be one-dimensional and of one length")
    if offsets[0] != 0 or (np.diff(offsets) < 0).any():
        raise ValueError("offsets must rise from 0")
    if sources is not None and sources.size and (sources.min() < 0 or
                                                 (sources + np.diff(offsets)).max() > values.size):
        raise ValueError("every series must lie within the values")
    if sources is None and offsets[-1] != values.size:
        raise ValueError("offsets must end at len(values)")
    if params.shape[0] != offsets.size - 1:
        raise ValueError("one row of parameters per series")


def _run_analyses(kinds: np.ndarray, offsets: np.ndarray, status: np.ndarray, rules: np.ndarray,
                  fewest: np.ndarray) -> None:
    """Anhøj's crossings minimum is an exact binomial quantile (integers too big for the kernel): one per distinct
    count of useful observations, then too few crossings flagged on the last phase of each run chart. Writes the
    minimum per series into fewest (-1: not a run chart, or an empty one)."""
    fewest.fill(-1)
    run = np.flatnonzero((kinds == RUN) & (np.diff(offsets) > 0))
    if run.size:
        useful = status[run, 1]
        distinct, where = np.unique(useful, return_inverse=True)
        fewest[run] = np.array([crossings_min(int(u)) for u in distinct], dtype=np.int64)[where]
        for t in run[status[run, 4] < fewest[run]].tolist():
            rules[offsets[t] + status[t, 5] : offsets[t + 1]] |= FEW_CROSSINGS


def compute_chart(
    settings: ChartSettings,
    values: np.ndarray,
    denominators: np.ndarray | None = None,
    *,
    phase_starts: Sequence[int] = (),
    baseline_points: int = 0,
    targets: np.ndarray | None = None,
) -> ChartResult:
    """Chart one measure whose points are already in period order (see SPC-RULES.md): a batch of one."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("values must be one-dimensional")
    ratio = settings.chart_type in ("P", "U")
    if ratio and denominators is None:
        raise ValueError(f"{settings.chart_type.value} charts need denominators")
    den = np.ascontiguousarray(denominators, dtype=np.float64) if ratio else x
    n = x.shape[0]
    cuts = np.array([sorted({int(p) for p in phase_starts if 0 < int(p) < n})], dtype=np.int64)
    target = np.nan if targets is None or n == 0 else float(targets[-1])
    batch = chart_batch(x, den, np.array([0, n], dtype=np.int64),
                        np.array([settings.row(baseline_points)], dtype=np.int64),
                        np.array([settings.limit_constant]), np.array([target]), cuts,
                        np.array([cuts.shape[1]], dtype=np.int64))
    return batch.result(0)


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernel now. On a cold cache that takes seconds, which the first
    batch of a projection would otherwise spend while readers wait for their writes."""
    compute_chart(ChartSettings(), np.arange(2.0))
