"""SPC: the engine (numba kernels that chart many measures in one call), the fold of a measure's events into its
series, the stored series (spc_series and spc_points) and its read, and the projection that keeps them."""

from __future__ import annotations

from projections.spc.jit_cache import drop_stale

drop_stale()  # before any kernel module loads its cached machine code

from projections.spc.engine import ChartBatch, ChartResult, chart_batch, compute_chart  # noqa: E402
from projections.spc.runs import RunAnalysis  # noqa: E402
from projections.spc.settings import (  # noqa: E402
    RULE_NAMES,
    VARIATION_NAMES,
    ChartSettings,
    ChartType,
    Direction,
)

__all__ = [
    "RULE_NAMES",
    "VARIATION_NAMES",
    "ChartBatch",
    "ChartResult",
    "ChartSettings",
    "ChartType",
    "Direction",
    "RunAnalysis",
    "chart_batch",
    "compute_chart",
]
