"""compute_chart: one measure's centre, limits, rule flags, variation and icons."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from projections.spc.icons import assurance_icon, variation_icon
from projections.spc.kernels import classify, flag_series, variation_table, zones
from projections.spc.limits import T_EXPONENT, back_transform_t, period_lines
from projections.spc.runs import RunAnalysis, analyse_runs
from projections.spc.settings import FEW_CROSSINGS, LONG_RUN, ChartSettings, ChartType


@dataclass(frozen=True, slots=True)
class ChartResult:
    values: np.ndarray
    centre: np.ndarray
    upper_limit: np.ndarray
    lower_limit: np.ndarray
    upper_two_sigma: np.ndarray
    lower_two_sigma: np.ndarray
    upper_one_sigma: np.ndarray
    lower_one_sigma: np.ndarray
    moving_range: np.ndarray
    moving_range_ucl: np.ndarray
    rules: np.ndarray
    variation: np.ndarray
    variation_icon: str | None
    assurance_icon: str | None
    runs: RunAnalysis | None


def _table(settings: ChartSettings) -> np.ndarray:
    return variation_table(settings.direction_code, settings.improvement_wins_conflict)


def _periods(n: int, phase_starts: Sequence[int], baseline_points: int) -> list[tuple[int, int, int, int]]:
    """(calc start, calc end, first point, end point) per phase; a baseline is one period applied to all."""
    if n == 0:
        return []
    if baseline_points > 0:
        return [(0, min(baseline_points, n), 0, n)]
    cuts = sorted({int(p) for p in phase_starts if 0 < int(p) < n})
    bounds = [0, *cuts, n]
    return [(a, b, a, b) for a, b in pairwise(bounds)]


def _checked(settings: ChartSettings, values: np.ndarray, den: np.ndarray | None) -> tuple[np.ndarray, ...]:
    x = np.ascontiguousarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("values must be one-dimensional")
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite")
    if settings.chart_type in (ChartType.P, ChartType.U):
        if den is None:
            raise ValueError(f"{settings.chart_type.value} charts need denominators")
        d = np.ascontiguousarray(den, dtype=np.float64)
        if d.shape != x.shape or not np.all(np.isfinite(d)) or np.any(d <= 0):
            raise ValueError("denominators must be positive, finite and one per value")
        return x, d
    return x, None


def compute_chart(
    settings: ChartSettings,
    values: np.ndarray,
    denominators: np.ndarray | None = None,
    *,
    phase_starts: Sequence[int] = (),
    baseline_points: int = 0,
    targets: np.ndarray | None = None,
) -> ChartResult:
    """Chart one measure whose points are already in period order (see SPC-RULES.md for the rules)."""
    raw, den = _checked(settings, values, denominators)
    n = raw.shape[0]
    kind = settings.chart_type
    plotted = raw / den if den is not None else raw.copy()
    # the rules see T charts on the transformed scale, where the times are roughly symmetric
    rule_x = raw ** (1.0 / T_EXPONENT) if kind is ChartType.T else plotted
    calc_x = rule_x if kind is ChartType.T else raw
    periods = _periods(n, phase_starts, baseline_points)
    if kind is ChartType.RUN:
        return _run_chart(settings, plotted, periods)

    lines = np.full((7, n), np.nan)
    mr = np.full(n, np.nan)
    mr_ucl = np.full(n, np.nan)
    active = np.zeros(n, dtype=bool)
    brk_run = np.zeros(n, dtype=np.bool_)
    for s, e, a, b in periods:
        block, _, ucl_mr = period_lines(settings, calc_x, den, s, e, a, b)
        if kind is ChartType.XMR:
            mr[a + 1 : b] = np.abs(np.diff(plotted[a:b]))
        if e - s < settings.min_points:
            # too few points to trust limits: keep the centre line only, no rules for this period
            lines[0, a:b] = block[0]
            continue
        lines[:, a:b] = block
        active[a:b] = True
        if kind is ChartType.XMR:
            mr_ucl[a:b] = ucl_mr
        if a > 0 and not settings.rules_cross_recalculation:
            brk_run[a] = True

    z = np.zeros(n, dtype=np.uint8)
    zones(rule_x, *lines[:5], settings.two_sigma_counts_beyond_limits, z)
    z[~active] = 0
    # inactive points break every run; only shifts and two-of-three may be kept from crossing phases
    brk_trend = ~active
    brk_trend[1:] |= ~active[:-1]
    brk_run |= brk_trend
    hi = np.zeros(n, dtype=np.uint8)
    lo = np.zeros(n, dtype=np.uint8)
    flag_series(
        rule_x, z, brk_run, brk_trend, 0, n, settings.shift_run_length, settings.trend_run_length, hi, lo
    )
    hi[~active] = 0
    lo[~active] = 0
    rules = np.zeros(n, dtype=np.uint8)
    variation = np.zeros(n, dtype=np.int8)
    classify(hi, lo, z, 0, n, _table(settings), rules, variation)

    if kind is ChartType.T:
        lines = back_transform_t(lines)
    last_active = n > 0 and bool(active[-1])
    target = math.nan if targets is None or n == 0 else float(targets[-1])
    return ChartResult(
        values=plotted,
        centre=lines[0],
        upper_limit=lines[1],
        lower_limit=lines[2],
        upper_two_sigma=lines[3],
        lower_two_sigma=lines[4],
        upper_one_sigma=lines[5],
        lower_one_sigma=lines[6],
        moving_range=mr,
        moving_range_ucl=mr_ucl,
        rules=rules,
        variation=variation,
        variation_icon=variation_icon(settings, int(variation[-1])) if last_active else None,
        assurance_icon=assurance_icon(settings, target, lines[2, -1], lines[1, -1]) if last_active else None,
        runs=None,
    )


def _run_chart(
    settings: ChartSettings, plotted: np.ndarray, periods: list[tuple[int, int, int, int]]
) -> ChartResult:
    """Median centre line per phase; Anhøj rules on the latest phase (the one in force)."""
    n = plotted.shape[0]
    centre = np.full(n, np.nan)
    for s, e, a, b in periods:
        centre[a:b] = np.median(plotted[s:e]) if e > s else np.nan
    rules = np.zeros(n, dtype=np.uint8)
    variation = np.zeros(n, dtype=np.int8)
    runs = None
    if n > 0:
        a = periods[-1][2]
        runs, long_mask = analyse_runs(plotted[a:], centre[a:])
        rules[a:][long_mask] |= LONG_RUN
        if runs.crossings < runs.crossings_min:
            rules[a:] |= FEW_CROSSINGS
        # only a long run has a side, so only it can be improvement or concern
        side = np.where(plotted > centre, 1, 2).astype(np.uint8)
        hi = np.where(((rules & LONG_RUN) != 0) & (side == 1), LONG_RUN, 0).astype(np.uint8)
        lo = np.where(((rules & LONG_RUN) != 0) & (side == 2), LONG_RUN, 0).astype(np.uint8)
        dummy = np.zeros(n, dtype=np.uint8)
        classify(hi, lo, side, 0, n, _table(settings), dummy, variation)
    nan = np.full(n, np.nan)
    return ChartResult(
        values=plotted,
        centre=centre,
        upper_limit=nan,
        lower_limit=nan.copy(),
        upper_two_sigma=nan.copy(),
        lower_two_sigma=nan.copy(),
        upper_one_sigma=nan.copy(),
        lower_one_sigma=nan.copy(),
        moving_range=nan.copy(),
        moving_range_ucl=nan.copy(),
        rules=rules,
        variation=variation,
        variation_icon=None,
        assurance_icon=None,
        runs=runs,
    )
