"""compute_xmr_batch: XmR rules for many series in a single numba call."""

from __future__ import annotations

import numpy as np

from projections.spc.fused import all_finite, xmr_batch
from projections.spc.settings import ChartSettings, ChartType


def compute_xmr_batch(
    values: np.ndarray, offsets: np.ndarray, settings: ChartSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Rule bitmask (uint8) and variation code (int8) per point; series i is values[offsets[i]:offsets[i+1]].

    Each series is one phase with no baseline; otherwise the settings mean what they mean in compute_chart.
    """
    if settings.chart_type is not ChartType.XMR:
        raise ValueError("compute_xmr_batch handles XmR charts only")
    x = np.ascontiguousarray(values, dtype=np.float64)
    off = np.ascontiguousarray(offsets, dtype=np.int64)
    if x.ndim != 1 or off.ndim != 1 or off.size < 1:
        raise ValueError("values and offsets must be one-dimensional, offsets non-empty")
    if off[0] != 0 or off[-1] != x.size or np.any(np.diff(off) < 0):
        raise ValueError("offsets must rise from 0 to len(values)")
    if not all_finite(x):
        raise ValueError("values must be finite")
    rules = np.zeros(x.size, dtype=np.uint8)
    variation = np.zeros(x.size, dtype=np.int8)
    xmr_batch(
        x,
        off,
        settings.limit_constant,
        settings.shift_run_length,
        settings.trend_run_length,
        settings.min_points,
        settings.two_sigma_counts_beyond_limits,
        settings.screen_code,
        settings.direction_code,
        settings.improvement_wins_conflict,
        rules,
        variation,
    )
    return rules, variation
