"""A JSON body's plain items as columns per measure, checked a column at a time."""

from __future__ import annotations

import numpy as np

from domain.control.columns import PeriodColumn, ValueColumn
from service.edge.items import columns_of


def item(measure: str, period: str, value: float, source: str | None = None) -> dict:
    return {"measureId": measure, "period": period, "value": value, **({"sourceId": source} if source else {})}


def test_plain_items_become_day_and_value_columns_per_measure_in_the_order_sent() -> None:
    groups = columns_of([item("b", "2024-01-02", 1, "x"), item("a", "2024-01-01", 2.5, "y"),
                         item("b", "2024-01-01", 3, "z")])
    assert groups is not None and list(groups) == ["b", "a"]
    indexes, periods, values, sources = groups["b"]
    assert list(indexes) == [0, 2] and isinstance(periods, PeriodColumn) and periods == ["2024-01-02", "2024-01-01"]
    assert isinstance(values, ValueColumn) and values.values.dtype == np.float64 and values.tolist() == [1.0, 3.0]
    assert values.finite  # measured for the batch: the measure need not check again
    assert sources == ["x", "z"] and groups["a"][3] == ["y"]


def test_a_period_that_is_no_date_leaves_each_measures_part_as_sent_for_its_own_checks() -> None:
    groups = columns_of([item("a", "2024-01-01", 1), item("a", "2024-02-30", 2), item("b", "2024-01-03", 3)])
    assert groups is not None
    assert groups["a"] == ([0, 1], ["2024-01-01", "2024-02-30"], [1, 2], None) and groups["b"][1] == ["2024-01-03"]


def test_items_that_are_not_plain_values_are_read_one_by_one() -> None:
    assert columns_of([item("a", "2024-01-01", 1), {**item("a", "2024-01-02", 2), "note": "n"}]) is None
    assert columns_of([item("a", "2024-01-01", True)]) is None  # a bool is not a number here
