"""Run charts: the median and Anhøj's rules for long runs and few crossings."""

from __future__ import annotations

import numpy as np

from projections.spc import ChartSettings, ChartType, Direction, compute_chart
from projections.spc.runs import crossings_min, longest_run_max

RUN = ChartSettings(chart_type=ChartType.RUN, direction=Direction.INCREASE)
LONG_RUN, FEW_CROSSINGS = 16, 32


def test_the_critical_values_follow_anhoej_for_ten_and_a_hundred_useful_points() -> None:
    # n = 10: round(log2 10) + 3 = 6; Binomial(9, 0.5): P(X <= 1) = 10/512 < 0.05 <= P(X <= 2) = 46/512
    assert (longest_run_max(10), crossings_min(10)) == (6, 2)
    # n = 100: round(6.64) + 3 = 10; 5% quantile of Binomial(99, 0.5) is 41
    assert (longest_run_max(100), crossings_min(100)) == (10, 41)


def test_a_run_chart_centres_on_the_median_and_has_no_limits() -> None:
    r = compute_chart(RUN, np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], dtype=float))
    assert (r.centre == 4.0).all()
    assert np.isnan(r.upper_limit).all() and r.variation_icon is None


def test_points_on_the_median_are_not_useful_and_do_not_break_a_run() -> None:
    # median 5; sides - + - + + (5) + - + - -: the 9, 7, 7 around the 5 make one run of three
    x = np.array([1, 9, 1, 9, 7, 5, 7, 1, 9, 1, 3], dtype=float)
    runs = compute_chart(RUN, x).runs
    assert runs.useful_observations == 10
    assert runs.longest_run == 3
    assert runs.crossings == 6


def test_an_unusually_long_run_is_flagged_on_its_points_with_its_side() -> None:
    # 16 points, median 8.5: the first eight below (run of 8 > round(log2 16) + 3 = 7)
    x = np.array([1, 2, 3, 1, 2, 3, 1, 2, 10, 11, 12, 10, 11, 12, 10, 11], dtype=float)
    r = compute_chart(RUN, x)
    assert r.runs.longest_run == 8 and r.runs.longest_run_max == 7 and r.runs.signal
    assert (r.rules == LONG_RUN | FEW_CROSSINGS).all()  # 1 crossing < crossings_min(16) = 4
    assert (r.variation[:8] == 2).all() and (r.variation[8:] == 1).all()


def test_a_random_looking_series_has_no_signal() -> None:
    x = np.array([5, 7, 4, 8, 6, 3, 9, 5, 7, 4, 6, 8, 3, 7, 5], dtype=float)
    r = compute_chart(RUN, x)
    assert not r.runs.signal and not r.rules.any()
