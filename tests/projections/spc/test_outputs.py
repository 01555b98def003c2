"""The chart call's output buffer, kept by the shared columns between calls: reused only while no chart holds it."""

from __future__ import annotations

import numpy as np

from domain.control.vocabulary import ChartType, Direction
from projections.spc.columns import Columns
from projections.spc.fold import Series, chart_series


def _series(columns: Columns, values: list[float]) -> Series:
    s = Series(ChartType.XMR, Direction.INCREASE, 6, 6, columns)
    s.record([f"2024-01-{d + 1:02d}" for d in range(len(values))], values, None)
    return s


def test_a_chart_that_is_kept_is_not_changed_by_the_next_chart_call_on_the_same_columns() -> None:
    columns = Columns()
    first = _series(columns, [float(v) for v in range(20)])
    second = _series(columns, [5.0] * 20)
    kept = chart_series([first]).result(0)
    before = (kept.values.copy(), kept.centre.copy(), kept.rules.copy())
    chart_series([second])
    assert np.array_equal(kept.values, before[0]) and np.array_equal(kept.centre, before[1])
    assert np.array_equal(kept.rules, before[2])


def test_the_next_call_writes_into_the_same_buffer_once_no_chart_holds_it() -> None:
    columns = Columns()
    series = [_series(columns, [float(v % 7) for v in range(30)]) for _ in range(3)]
    chart_series(series)
    buffer = id(columns.outputs._buffer)
    chart_series(series)
    assert id(columns.outputs._buffer) == buffer
