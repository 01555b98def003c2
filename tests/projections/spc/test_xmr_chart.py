"""XmR (I and MR) charts worked by hand: limits, rules, phases, baselines, screening and icons."""

from __future__ import annotations

import numpy as np
import pytest

from projections.spc import ChartSettings, Direction, compute_chart

# Sum 130 over 13 points -> mean 10. Moving ranges 2,1,2,4,2,1,2,1,2,4,2,0 sum 23 -> mRbar = 23/12.
HAND = np.array([9, 11, 10, 12, 8, 10, 11, 9, 10, 12, 8, 10, 10], dtype=float)
MRBAR = 23 / 12
SHIFT, TREND, TWO_OF_THREE, SINGLE = 2, 4, 8, 1


def test_the_individuals_limits_are_the_mean_plus_or_minus_2_66_moving_ranges() -> None:
    r = compute_chart(ChartSettings(), HAND)
    assert r.centre == pytest.approx(np.full(13, 10.0))
    assert r.upper_limit[0] == pytest.approx(10 + 2.66 * MRBAR)  # 15.0983
    assert r.lower_limit[0] == pytest.approx(10 - 2.66 * MRBAR)  # 4.9017
    assert r.upper_two_sigma[0] == pytest.approx(10 + 2 / 3 * 2.66 * MRBAR)  # 13.3989
    assert r.lower_one_sigma[0] == pytest.approx(10 - 1 / 3 * 2.66 * MRBAR)  # 8.3006


def test_the_moving_range_chart_has_the_ranges_and_an_upper_limit_of_3_267_mean_ranges() -> None:
    r = compute_chart(ChartSettings(), HAND)
    assert np.isnan(r.moving_range[0])
    assert r.moving_range[1:] == pytest.approx([2, 1, 2, 4, 2, 1, 2, 1, 2, 4, 2, 0])
    assert r.moving_range_ucl[0] == pytest.approx(3.267 * MRBAR)  # 6.2618


def test_the_qicharts2_constant_gives_limits_from_three_sigma_over_1_128() -> None:
    r = compute_chart(ChartSettings(limit_constant=3 / 1.128), HAND)
    assert r.upper_limit[0] == pytest.approx(10 + 3 * MRBAR / 1.128)  # 15.0975


def test_a_stable_series_is_common_cause_with_a_common_cause_icon() -> None:
    r = compute_chart(ChartSettings(direction=Direction.INCREASE), HAND)
    assert not r.rules.any() and not r.variation.any()
    assert r.variation_icon == "COMMON_CAUSE"


def test_a_point_exactly_on_the_mean_breaks_a_shift() -> None:
    # sum 130 -> mean 10: points 0-4 and 6 are above, point 5 sits on the mean, 7-12 are below
    x = np.array([12, 12, 12, 12, 12, 10, 12, 8, 8, 8, 7, 8, 9], dtype=float)
    r = compute_chart(ChartSettings(), x)
    assert r.centre[0] == 10.0
    assert not (r.rules[:7] & SHIFT).any()
    assert (r.rules[7:] & SHIFT).all()


def test_a_mean_that_naive_summation_misses_still_ties_with_the_point_on_it() -> None:
    x = np.array([0.1, 0.2, 0.3] * 4 + [0.2])
    assert sum(x.tolist()) / 13 != 0.2  # left-to-right summation lands one ulp above
    assert compute_chart(ChartSettings(), x).centre[0] == 0.2


def test_a_tie_breaks_a_trend() -> None:
    base = [10, 11, 12, 13, 13, 14, 15, 9, 10, 8, 9, 10, 9]
    r = compute_chart(ChartSettings(), np.array(base, dtype=float))
    assert not (r.rules & TREND).any()
    rising = [10, 11, 12, 13, 14, 15, 16, 9, 10, 8, 9, 10, 9]
    assert (compute_chart(ChartSettings(), np.array(rising, dtype=float)).rules[:7] & TREND).all()


def test_a_point_beyond_the_limit_does_not_count_towards_two_of_three_unless_asked() -> None:
    # sum 215 / 19 -> mean 11.316; mRs fifteen 1s, 4, 5, 8 -> mRbar 32/18 = 1.778;
    # two-sigma line 11.316 + 3.152 = 14.468, limit 11.316 + 4.729 = 16.045: 15 is near, 20 beyond
    x = np.array([10, 11] * 8 + [15, 20, 12], dtype=float)
    default = compute_chart(ChartSettings(), x)
    counted = compute_chart(ChartSettings(two_sigma_counts_beyond_limits=True), x)
    assert default.upper_two_sigma[0] == pytest.approx(11.3158 + 2 / 3 * 2.66 * 32 / 18, abs=1e-4)
    assert list(default.rules[-3:]) == [0, SINGLE, 0]
    assert list(counted.rules[-3:]) == [TWO_OF_THREE, SINGLE | TWO_OF_THREE, 0]


def test_fewer_than_thirteen_points_gives_no_limits_no_flags_and_no_icons() -> None:
    x = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100], dtype=float)
    r = compute_chart(ChartSettings(direction=Direction.INCREASE), x, targets=np.full(12, 5.0))
    assert np.isnan(r.upper_limit).all() and not r.rules.any() and not r.variation.any()
    assert r.variation_icon is None and r.assurance_icon is None


def test_each_phase_gets_its_own_mean_and_limits() -> None:
    x = np.concatenate([HAND, HAND + 20])
    r = compute_chart(ChartSettings(), x, phase_starts=[13])
    assert r.centre[:13] == pytest.approx(10.0) and r.centre[13:] == pytest.approx(30.0)
    assert r.upper_limit[20] == pytest.approx(30 + 2.66 * MRBAR)
    assert np.isnan(r.moving_range[13])
    assert not r.rules.any()


def test_a_phase_too_short_for_limits_keeps_its_mean_but_gets_no_limits_or_icons() -> None:
    x = np.concatenate([HAND, [30.0, 31, 32, 33, 34]])
    r = compute_chart(ChartSettings(direction=Direction.INCREASE), x, phase_starts=[13])
    assert r.centre[13:] == pytest.approx(32.0)
    assert np.isnan(r.upper_limit[13:]).all() and not r.rules[13:].any()
    assert r.variation_icon is None


def test_a_baseline_sets_the_limits_for_every_later_point_and_wins_over_phases() -> None:
    x = np.concatenate([HAND, [16.0, 11, 10]])
    r = compute_chart(ChartSettings(direction=Direction.DECREASE), x, baseline_points=13, phase_starts=[14])
    assert r.centre == pytest.approx(np.full(16, 10.0))
    assert r.upper_limit[15] == pytest.approx(10 + 2.66 * MRBAR)
    assert r.rules[13] & SINGLE and r.variation[13] == 2  # 16 > 15.098: concern when lower is better
    assert r.moving_range[14] == 5.0


def test_screening_moving_ranges_recomputes_the_mean_range_and_optionally_the_mean() -> None:
    # mRs 1,1,1,1,1,1,20,20,1,1,1,1: mRbar 50/12 = 4.1667, cut 3.267 * 4.1667 = 13.61 drops both 20s
    x = np.array([10, 11, 10, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10], dtype=float)
    off = compute_chart(ChartSettings(), x)
    mr = compute_chart(ChartSettings(screen_mr_outliers="mr"), x)
    both = compute_chart(ChartSettings(screen_mr_outliers="mr_and_mean"), x)
    assert off.moving_range_ucl[0] == pytest.approx(3.267 * 50 / 12)
    assert mr.moving_range_ucl[0] == pytest.approx(3.267 * 1.0)
    assert mr.centre[0] == pytest.approx(155 / 13)
    # the points whose moving range was dropped (the 30 and the 10 after it) leave the mean too
    assert both.centre[0] == pytest.approx(115 / 11)


@pytest.mark.parametrize(
    ("direction", "target", "icon"),
    [
        (Direction.INCREASE, 4.0, "CONSISTENT_PASS"),
        (Direction.INCREASE, 16.0, "CONSISTENT_FAIL"),
        (Direction.INCREASE, 10.0, "HIT_AND_MISS"),
        (Direction.DECREASE, 16.0, "CONSISTENT_PASS"),
        (Direction.DECREASE, 4.0, "CONSISTENT_FAIL"),
        (Direction.NEITHER, 4.0, None),
        (Direction.INCREASE, float("nan"), None),
    ],
)
def test_the_assurance_icon_compares_the_target_with_the_limits(direction, target, icon) -> None:
    r = compute_chart(ChartSettings(direction=direction), HAND, targets=np.full(13, target))
    assert r.assurance_icon == icon


def test_a_target_exactly_on_a_limit_is_hit_and_miss_unless_the_inclusive_setting_is_on() -> None:
    lcl = compute_chart(ChartSettings(), HAND).lower_limit[-1]
    targets = np.full(13, lcl)
    strict = compute_chart(ChartSettings(direction=Direction.INCREASE), HAND, targets=targets)
    inclusive = ChartSettings(direction=Direction.INCREASE, assurance_target_on_limit_counts=True)
    assert strict.assurance_icon == "HIT_AND_MISS"
    assert compute_chart(inclusive, HAND, targets=targets).assurance_icon == "CONSISTENT_PASS"


def test_improvement_wins_a_conflict_unless_the_measure_says_concern_wins() -> None:
    # falls for 8 points (a falling trend) from far above the limit: both ways on the first points
    x = np.array([43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22.0])
    wins = compute_chart(ChartSettings(direction=Direction.INCREASE), x)
    loses = compute_chart(ChartSettings(direction=Direction.INCREASE, improvement_wins_conflict=False), x)
    assert wins.variation[0] == 1 and loses.variation[0] == 2
