"""Pareto analysis: sorting, cumulative percentages, the vital few, and the checks on categories. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.pareto import ParetoChart, analyse, failed_criteria


def test_categories_are_sorted_with_cumulative_percentages_and_the_vital_few_within_80_percent() -> None:
    bars = analyse([{"name": "Labelling", "count": 5}, {"name": "Wrong dose", "count": 50},
                    {"name": "Omitted", "count": 30}, {"name": "Timing", "count": 15}])
    assert [(b.name, b.percentage, b.cumulative_percentage, b.vital_few) for b in bars] == [
        ("Wrong dose", 50.0, 50.0, True), ("Omitted", 30.0, 80.0, True), ("Timing", 15.0, 95.0, False),
        ("Labelling", 5.0, 100.0, False)]


def test_the_largest_category_is_vital_even_when_it_alone_passes_80_percent() -> None:
    bars = analyse([{"name": "a", "count": 9}, {"name": "b", "count": 1}])
    assert [b.vital_few for b in bars] == [True, False]


def test_ties_are_ordered_by_name() -> None:
    assert [b.name for b in analyse([{"name": "b", "count": 2}, {"name": "a", "count": 2}])] == ["a", "b"]


@pytest.mark.parametrize("categories", [[], [("a", -1)], [("a", 1), ("A", 2)], [("", 1)], [("a", 0)]])
def test_bad_categories_are_invalid(categories: list[tuple[str, int]]) -> None:
    with pytest.raises(DomainError) as e:
        ParetoChart.record(pareto_id=uuid4(), team_id="t", project_id=None, title="Errors", categories=categories)
    assert (e.value.code, e.value.field) == ("INVALID", "categories")


def test_an_audit_s_failures_are_counted_per_criterion_and_not_applicable_is_not_a_failure() -> None:
    counts = failed_criteria(["a", "b"], [[False, None], [False, True], [True, False]])
    assert counts == [("a", 2), ("b", 1)]
