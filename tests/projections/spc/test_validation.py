"""validate_point: codes the domain layer turns into user errors."""

from __future__ import annotations

import math

import pytest

from projections.spc import ChartType, validate_point


@pytest.mark.parametrize(
    ("chart", "value", "num", "den", "code"),
    [
        (ChartType.P, None, 3.0, None, "MISSING_DENOMINATOR"),
        (ChartType.P, None, None, 10.0, "MISSING_NUMERATOR"),
        (ChartType.P, None, 3.0, 0.0, "ZERO_DENOMINATOR"),
        (ChartType.U, None, 3.0, -2.0, "NEGATIVE_DENOMINATOR"),
        (ChartType.P, None, 11.0, 10.0, "PROPORTION_ABOVE_ONE"),
        (ChartType.U, None, -1.0, 10.0, "NEGATIVE_COUNT"),
        (ChartType.C, -1.0, None, None, "NEGATIVE_COUNT"),
        (ChartType.G, -1.0, None, None, "NEGATIVE_COUNT"),
        (ChartType.T, -0.5, None, None, "NEGATIVE_TIME"),
        (ChartType.XMR, math.nan, None, None, "NOT_FINITE"),
        (ChartType.P, None, 1.0, math.inf, "NOT_FINITE"),
        (ChartType.XMR, None, None, None, "MISSING_VALUE"),
    ],
)
def test_an_invalid_point_gets_its_error_code(chart, value, num, den, code) -> None:
    assert validate_point(chart, value, num, den)[0] == code


def test_valid_points_pass() -> None:
    assert validate_point(ChartType.P, None, 3.0, 10.0) is None
    assert validate_point("U", None, 12.0, 10.0) is None
    assert validate_point(ChartType.XMR, -4.5) is None
    assert validate_point(ChartType.T, 0.0) is None
