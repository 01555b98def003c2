"""compute_xmr_batch: shapes, short series and bad offsets."""

from __future__ import annotations

import numpy as np
import pytest

from projections.spc import ChartSettings, ChartType, Direction, compute_xmr_batch


def test_series_shorter_than_the_minimum_get_no_flags_while_longer_ones_do() -> None:
    short = [1.0] * 5 + [100.0]
    long = [10.0, 11.0] * 8 + [40.0]
    rules, variation = compute_xmr_batch(
        np.array(short + long), np.array([0, 6, 23]), ChartSettings(direction=Direction.INCREASE)
    )
    assert rules.dtype == np.uint8 and variation.dtype == np.int8
    assert not rules[:6].any()
    assert rules[-1] & 1 and variation[-1] == 1


def test_an_empty_batch_returns_empty_arrays() -> None:
    rules, variation = compute_xmr_batch(np.array([]), np.array([0]), ChartSettings())
    assert rules.size == 0 and variation.size == 0


def test_offsets_that_do_not_cover_the_values_are_refused() -> None:
    with pytest.raises(ValueError):
        compute_xmr_batch(np.ones(10), np.array([0, 4]), ChartSettings())
    with pytest.raises(ValueError):
        compute_xmr_batch(np.ones(10), np.array([0, 10]), ChartSettings(chart_type=ChartType.P))
