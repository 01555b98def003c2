"""Summary icons: variation (from the last point) and assurance (target against the limits in force)."""

from __future__ import annotations

import math

from projections.spc.settings import CONCERN, IMPROVEMENT, NEITHER_HIGH, NEITHER_LOW, ChartSettings, Direction


def variation_icon(settings: ChartSettings, last_variation: int) -> str:
    """Icon name for the last point's variation code."""
    high = settings.direction is Direction.INCREASE
    if last_variation == IMPROVEMENT:
        return "IMPROVEMENT_HIGH" if high else "IMPROVEMENT_LOW"
    if last_variation == CONCERN:
        return "CONCERN_LOW" if high else "CONCERN_HIGH"
    if last_variation == NEITHER_HIGH:
        return "NEITHER_HIGH"
    if last_variation == NEITHER_LOW:
        return "NEITHER_LOW"
    return "COMMON_CAUSE"


def assurance_icon(settings: ChartSettings, target: float, lower: float, upper: float) -> str | None:
    """Whether the process will meet the target: None without a target, limits or a direction."""
    if settings.direction is Direction.NEITHER or not all(map(math.isfinite, (target, lower, upper))):
        return None
    if settings.assurance_target_on_limit_counts:
        below, above = target <= lower, target >= upper
    else:
        below, above = target < lower, target > upper
    if settings.direction is Direction.DECREASE:
        below, above = above, below
    if below:
        return "CONSISTENT_PASS"
    if above:
        return "CONSISTENT_FAIL"
    return "HIT_AND_MISS"
