"""The kernels' building blocks against Python's and numpy's own answers: the median by selection and the
correctly rounded sum, on the inputs where each takes its shortcut and where it does not."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.spc.kernels import PARTIALS, fsum, median

values = st.lists(st.one_of(st.integers(-5, 5).map(float), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1,
                  max_size=120)


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_median_by_selection_is_numpys_median(xs: list[float]) -> None:
    x = np.array(xs)
    assert median(x, 0, x.size, np.empty(2 * x.size)) == np.median(x)


def test_the_median_of_part_of_an_array_reads_only_that_part() -> None:
    x = np.array([100.0, 3.0, 1.0, 2.0, 2.0, -100.0])
    assert median(x, 1, 5, np.empty(8)) == 2.0
    assert median(x, 1, 4, np.empty(6)) == 2.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**6, 10**6).map(float), st.floats(-1e300, 1e300, allow_nan=False),
                          st.just(2.0**52), st.just(-(2.0**53)), st.just(0.1)), min_size=0, max_size=60))
def test_the_sum_is_the_correctly_rounded_sum_whole_numbers_or_not(xs: list[float]) -> None:
    x = np.array(xs, dtype=np.float64)
    assert fsum(x, 0, x.size, np.empty(PARTIALS)) == math.fsum(xs)


def test_whole_numbers_too_large_to_add_exactly_are_summed_correctly_rounded() -> None:
    xs = [2.0**53, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -(2.0**53)]
    x = np.array(xs)
    assert fsum(x, 0, x.size, np.empty(PARTIALS)) == math.fsum(xs) == 7.0
