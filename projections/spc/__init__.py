"""SPC engine: XmR, run and attribute charts with the NHS "Making Data Count" rules (numpy + numba)."""

from __future__ import annotations

from projections.spc.batch import compute_xmr_batch
from projections.spc.engine import ChartResult, compute_chart
from projections.spc.runs import RunAnalysis
from projections.spc.settings import (
    RULE_NAMES,
    VARIATION_NAMES,
    ChartSettings,
    ChartType,
    Direction,
)

__all__ = [
    "RULE_NAMES",
    "VARIATION_NAMES",
    "ChartResult",
    "ChartSettings",
    "ChartType",
    "Direction",
    "RunAnalysis",
    "compute_chart",
    "compute_xmr_batch",
]
