"""P, U, C, G and T charts worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from projections.spc import ChartSettings, ChartType, compute_chart

COUNTS = np.array([3, 5, 2, 4, 6, 3, 2, 5, 4, 3, 4, 2, 5], dtype=float)  # sum 48 over 13 points


def test_a_p_chart_has_limits_per_point_from_the_pooled_proportion_clipped_at_zero() -> None:
    num = np.array([5, 8, 6, 4, 7, 5, 6, 9, 3, 5, 6, 7, 4], dtype=float)  # sum 75
    den = np.array([100] * 12 + [400], dtype=float)  # sum 1600 -> pbar = 75/1600 = 0.046875
    r = compute_chart(ChartSettings(chart_type=ChartType.P), num, den)
    pbar = 75 / 1600
    assert r.values[0] == 0.05 and r.centre[0] == pytest.approx(pbar)
    # n = 100: sigma = sqrt(0.046875 * 0.953125 / 100) = 0.021137 -> 0.046875 +/- 0.063411
    assert r.upper_limit[0] == pytest.approx(pbar + 3 * math.sqrt(pbar * (1 - pbar) / 100))
    assert r.lower_limit[0] == 0.0
    # n = 400 halves sigma: 0.046875 + 0.031706
    assert r.upper_limit[12] == pytest.approx(pbar + 3 * math.sqrt(pbar * (1 - pbar) / 400))
    assert np.isnan(r.moving_range).all()


def test_a_p_chart_upper_limit_is_clipped_at_one() -> None:
    num = np.array([9, 8, 9, 10, 9, 8, 9, 9, 10, 9, 8, 9, 9], dtype=float)
    r = compute_chart(ChartSettings(chart_type=ChartType.P), num, np.full(13, 10.0))
    assert r.upper_limit.max() == 1.0


def test_a_u_chart_has_limits_from_the_pooled_rate_floored_at_zero() -> None:
    # ubar = 48 / 130 = 0.369231; exposure 10: 0.369231 +/- 3 * sqrt(0.0369231) = +/- 0.576461
    r = compute_chart(ChartSettings(chart_type=ChartType.U), COUNTS, np.full(13, 10.0))
    assert r.centre[0] == pytest.approx(48 / 130)
    assert r.upper_limit[0] == pytest.approx(0.945692, abs=1e-6)
    assert r.lower_limit[0] == 0.0


def test_a_c_chart_has_limits_at_the_mean_count_plus_or_minus_three_root_mean() -> None:
    # cbar = 48 / 13 = 3.692308, sqrt = 1.921538 -> UCL 9.456922, LCL below zero -> 0
    r = compute_chart(ChartSettings(chart_type=ChartType.C), COUNTS)
    assert r.centre[0] == pytest.approx(3.692308, abs=1e-6)
    assert r.upper_limit[0] == pytest.approx(9.456922, abs=1e-6)
    assert r.upper_two_sigma[0] == pytest.approx(3.692308 + 2 * 1.921538, abs=1e-5)
    assert r.lower_limit[0] == 0.0


def test_a_g_chart_centres_on_the_geometric_median_with_limits_from_the_mean() -> None:
    # gbar = 250 / 13 = 19.230769; sigma = sqrt(gbar * (gbar + 1)) = sqrt(389.053) = 19.724433
    # centre 0.693 * gbar = 13.326923; UCL gbar + 3 sigma = 78.404068; LCL floored at 0
    gaps = np.array([10, 25, 5, 40, 15, 30, 20, 12, 8, 35, 18, 22, 10], dtype=float)
    r = compute_chart(ChartSettings(chart_type=ChartType.G), gaps)
    assert r.centre[0] == pytest.approx(13.326923, abs=1e-6)
    assert r.upper_limit[0] == pytest.approx(78.404068, abs=1e-5)
    assert r.lower_limit[0] == 0.0
    assert not r.rules.any()


def test_a_t_chart_runs_xmr_on_times_to_the_power_1_over_3_6_and_back_transforms_the_lines() -> None:
    # transformed values 2,3,4,3,2,3,4,3,2,3,4,3,3: mean 3, mRs eleven 1s and a 0 -> mRbar 11/12
    t = np.array([2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 3], dtype=float)
    times = t**3.6
    r = compute_chart(ChartSettings(chart_type=ChartType.T), times)
    assert r.values == pytest.approx(times)
    assert r.centre[0] == pytest.approx(3**3.6)  # 52.196
    assert r.upper_limit[0] == pytest.approx((3 + 2.66 * 11 / 12) ** 3.6)  # 5.43833^3.6 = 445.1
    assert r.lower_limit[0] == pytest.approx((3 - 2.66 * 11 / 12) ** 3.6)  # 0.56167^3.6 = 0.125
    assert np.isnan(r.moving_range).all()


def test_a_t_chart_lower_line_below_zero_on_the_transformed_scale_shows_as_zero() -> None:
    t = np.array([1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1], dtype=float)
    r = compute_chart(ChartSettings(chart_type=ChartType.T), t**3.6)
    assert r.lower_limit[0] == 0.0


def test_p_and_u_charts_refuse_missing_or_non_positive_denominators() -> None:
    with pytest.raises(ValueError):
        compute_chart(ChartSettings(chart_type=ChartType.P), COUNTS)
    with pytest.raises(ValueError):
        compute_chart(ChartSettings(chart_type=ChartType.U), COUNTS, np.zeros(13))
