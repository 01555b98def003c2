"""Property tests: invariances of the XmR rules and agreement with the plain-Python reference."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from projections.spc import (
    RULE_NAMES,
    VARIATION_NAMES,
    ChartSettings,
    Direction,
    compute_chart,
)

from .reference import reference_flags, reference_lines, reference_variation

# Whole numbers in quarters keep sums exact, so the mean is the same however it is summed.
series = st.lists(st.integers(-400, 400).map(lambda v: v / 4), min_size=13, max_size=60)
MIRROR = {1: 1, 2: 2, 0: 0}


def clear_of_lines(values: list[float]) -> bool:
    """True unless a point sits within rounding distance of a limit or two-sigma line."""
    line = reference_lines(values)
    edges = [line[k] for k in ("ucl", "lcl", "u2", "l2")]
    return all(abs(v - e) > 1e-9 * (1 + abs(e)) for v in values for e in edges)


@settings(max_examples=150, deadline=None)
@given(series, st.integers(-1000, 1000))
def test_adding_a_constant_moves_the_limits_and_keeps_every_flag(values, shift) -> None:
    assume(clear_of_lines(values))
    x = np.array(values)
    base = compute_chart(ChartSettings(direction=Direction.INCREASE), x)
    moved = compute_chart(ChartSettings(direction=Direction.INCREASE), x + shift)
    assert np.allclose(moved.upper_limit, base.upper_limit + shift)
    assert np.array_equal(moved.rules, base.rules)
    assert np.array_equal(moved.variation, base.variation)


@settings(max_examples=150, deadline=None)
@given(series, st.sampled_from([Direction.INCREASE, Direction.DECREASE]))
def test_negating_values_and_flipping_direction_mirrors_the_flags(values, direction) -> None:
    flipped = Direction.DECREASE if direction is Direction.INCREASE else Direction.INCREASE
    x = np.array(values)
    base = compute_chart(ChartSettings(direction=direction), x)
    mirror = compute_chart(ChartSettings(direction=flipped), -x)
    assert np.array_equal(mirror.rules, base.rules)
    assert np.array_equal(mirror.variation, base.variation)  # improvement stays improvement
    assert base.variation_icon == mirror.variation_icon or {base.variation_icon, mirror.variation_icon} in (
        {"IMPROVEMENT_HIGH", "IMPROVEMENT_LOW"},
        {"CONCERN_HIGH", "CONCERN_LOW"},
    )


@settings(max_examples=200, deadline=None)
@given(
    series,
    st.sampled_from(list(Direction)),
    st.integers(6, 8),
    st.integers(6, 8),
    st.booleans(),
)
def test_the_numba_rules_equal_the_plain_python_reference(values, direction, shift_n, trend_n, count) -> None:
    assume(clear_of_lines(values))
    chart = ChartSettings(
        direction=direction,
        shift_run_length=shift_n,
        trend_run_length=trend_n,
        two_sigma_counts_beyond_limits=count,
    )
    result = compute_chart(chart, np.array(values))
    high, low = reference_flags(values, shift_n, trend_n, count_beyond=count)
    line = reference_lines(values)
    assert result.centre[0] == line["mean"]
    assert np.isclose(result.upper_limit[0], line["ucl"])
    assert np.isclose(result.lower_two_sigma[0], line["l2"])
    for i, v in enumerate(values):
        names = {name for bit, name in enumerate(RULE_NAMES) if result.rules[i] & (1 << bit)}
        assert names == high[i] | low[i], i
        got = VARIATION_NAMES[result.variation[i]]
        expected = reference_variation(high[i], low[i], direction.value)
        if direction is Direction.NEITHER and high[i] and low[i]:
            expected = "NEITHER_HIGH" if v > line["mean"] else "NEITHER_LOW"
        assert got == expected, i
