"""Centre and sigma lines of one calculation period, per chart type, on the scale the rules use."""

from __future__ import annotations

import math

import numpy as np

from projections.spc.kernels import xmr_stats
from projections.spc.settings import MR_UCL_CONSTANT, ChartSettings, ChartType

# Provost & Murray / qicharts2: the g chart's centre line is the theoretical median of the geometric
# distribution, about 0.693 times its mean.
G_MEDIAN_FACTOR = 0.693
T_EXPONENT = 3.6


def period_lines(
    settings: ChartSettings,
    x: np.ndarray,
    den: np.ndarray | None,
    s: int,
    e: int,
    a: int,
    b: int,
) -> tuple[np.ndarray, float, float]:
    """Lines for points [a, b) from the period [s, e): rows centre, ucl, lcl, u2, l2, u1, l1.

    x holds the input values (numerators for P and U; already transformed for T, so T lines are on the
    transformed scale). Also returns the mean moving range and its upper limit (NaN outside XmR/T).
    """
    kind = settings.chart_type
    m = b - a
    out = np.empty((7, m))
    mrbar = math.nan
    if kind in (ChartType.XMR, ChartType.T):
        mean, mrbar = xmr_stats(x, s, e, settings.screen_code)
        # same expressions as the batch kernel so both give identical limits
        k = settings.limit_constant
        third = k / 3.0
        out[0] = mean
        for row, width in zip((1, 3, 5), (k * mrbar, 2.0 * third * mrbar, third * mrbar), strict=True):
            out[row] = mean + width
            out[row + 1] = mean - width
        return out, mrbar, MR_UCL_CONSTANT * mrbar
    elif kind is ChartType.P:
        pbar = math.fsum(x[s:e]) / math.fsum(den[s:e])
        sigma = np.sqrt(pbar * (1.0 - pbar) / den[a:b])
        centre = np.full(m, pbar)
        floor, ceiling = 0.0, 1.0
    elif kind is ChartType.U:
        ubar = math.fsum(x[s:e]) / math.fsum(den[s:e])
        sigma = np.sqrt(ubar / den[a:b])
        centre = np.full(m, ubar)
        floor, ceiling = 0.0, math.inf
    elif kind is ChartType.C:
        cbar = math.fsum(x[s:e]) / (e - s)
        sigma = np.full(m, math.sqrt(cbar))
        centre = np.full(m, cbar)
        floor, ceiling = 0.0, math.inf
    elif kind is ChartType.G:
        gbar = math.fsum(x[s:e]) / (e - s)
        sigma = np.full(m, math.sqrt(gbar * (gbar + 1.0)))
        centre = np.full(m, G_MEDIAN_FACTOR * gbar)
        out[0] = centre
        for row, mult in ((1, 3.0), (2, -3.0), (3, 2.0), (4, -2.0), (5, 1.0), (6, -1.0)):
            out[row] = np.maximum(gbar + mult * sigma, 0.0)
        return out, mrbar, math.nan
    else:
        raise ValueError(f"no limits for {kind}")
    out[0] = centre
    for row, mult in ((1, 3.0), (2, -3.0), (3, 2.0), (4, -2.0), (5, 1.0), (6, -1.0)):
        out[row] = np.clip(centre + mult * sigma, floor, ceiling)
    return out, mrbar, math.nan


def back_transform_t(lines: np.ndarray) -> np.ndarray:
    """T-chart lines back on the time scale; a line below zero on the transformed scale shows as zero."""
    return np.maximum(lines, 0.0) ** T_EXPONENT
