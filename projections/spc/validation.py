"""validate_point: why one input point cannot be charted, as a (code, message) pair."""

from __future__ import annotations

import math

from projections.spc.settings import ChartType


def _finite(*numbers: float | None) -> bool:
    return all(v is None or math.isfinite(v) for v in numbers)


def validate_point(
    chart_type: ChartType | str,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
) -> tuple[str, str] | None:
    """None when the point can be charted; otherwise an error code and a message for the user.

    P and U charts read numerator and denominator (value is ignored); the others read value.
    """
    kind = ChartType(chart_type)
    if not _finite(value, numerator, denominator):
        return "NOT_FINITE", "Values must be finite numbers."
    if kind in (ChartType.P, ChartType.U):
        if numerator is None:
            return "MISSING_NUMERATOR", f"A {kind.value} chart point needs a numerator."
        if denominator is None:
            return "MISSING_DENOMINATOR", f"A {kind.value} chart point needs a denominator."
        if denominator == 0:
            return "ZERO_DENOMINATOR", "The denominator must not be zero."
        if denominator < 0:
            return "NEGATIVE_DENOMINATOR", "The denominator must be positive."
        if numerator < 0:
            return "NEGATIVE_COUNT", "The numerator must not be negative."
        if kind is ChartType.P and numerator > denominator:
            return "PROPORTION_ABOVE_ONE", "The numerator must not exceed the denominator."
        return None
    if value is None:
        return "MISSING_VALUE", "The point needs a value."
    if kind in (ChartType.C, ChartType.G) and value < 0:
        return "NEGATIVE_COUNT", "Counts must not be negative."
    if kind is ChartType.T and value < 0:
        return "NEGATIVE_TIME", "Times between events must not be negative."
    return None
