"""chart_batch: many series of every chart type, with phases, baselines and targets, in one call give exactly what
each gives charted alone; and the batch refuses what it cannot chart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.spc import ChartSettings, ChartType, Direction, chart_batch, compute_chart

ARRAYS = ("values", "centre", "upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma", "upper_one_sigma",
          "lower_one_sigma", "moving_range", "moving_range_ucl", "rules", "variation")


@st.composite
def charts(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(list(ChartType)))
    n = draw(st.integers(0, 40))
    values = draw(st.lists(st.integers(0, 400).map(lambda v: v / 4), min_size=n, max_size=n))
    den = None
    if kind in (ChartType.P, ChartType.U):
        den = [v + draw(st.integers(1, 50)) for v in values]  # a proportion never above one
    return {
        "settings": ChartSettings(chart_type=kind, direction=draw(st.sampled_from(list(Direction))),
                                  shift_run_length=draw(st.integers(6, 8)), trend_run_length=draw(st.integers(6, 8)),
                                  min_points=draw(st.integers(2, 15)),
                                  screen_mr_outliers=draw(st.sampled_from(["off", "mr", "mr_and_mean"])),
                                  rules_cross_recalculation=draw(st.booleans()),
                                  two_sigma_counts_beyond_limits=draw(st.booleans())),
        "values": np.array(values, dtype=np.float64),
        "denominators": None if den is None else np.array(den, dtype=np.float64),
        "phase_starts": sorted(set(draw(st.lists(st.integers(1, max(n - 1, 1)), max_size=3)))),
        "baseline_points": draw(st.sampled_from([0, 0, 2, 5, 20])),
        "target": draw(st.one_of(st.none(), st.floats(0, 120))),
    }


def alone(c: dict):
    targets = None if c["target"] is None else np.full(c["values"].size, c["target"])
    return compute_chart(c["settings"], c["values"], c["denominators"], phase_starts=c["phase_starts"],
                         baseline_points=c["baseline_points"], targets=targets)


def together(many: list[dict]):
    lengths = [c["values"].size for c in many]
    offsets = np.cumsum([0, *lengths]).astype(np.int64)
    values = np.concatenate([c["values"] for c in many])
    den = np.concatenate([c["values"] if c["denominators"] is None else c["denominators"] for c in many])
    cuts = [[p for p in c["phase_starts"] if 0 < p < c["values"].size] for c in many]
    cut_days = np.zeros((len(many), max(map(len, cuts))), dtype=np.int64)
    for row, days in zip(cut_days, cuts, strict=True):
        row[: len(days)] = days
    return chart_batch(values, den, offsets,
                       np.array([c["settings"].row(c["baseline_points"]) for c in many], dtype=np.int64),
                       np.array([c["settings"].limit_constant for c in many]),
                       np.array([np.nan if c["target"] is None or not c["values"].size else c["target"]
                                 for c in many]),
                       cut_days, np.array([len(c) for c in cuts], dtype=np.int64))


@settings(max_examples=150, deadline=None)
@given(st.lists(charts(), min_size=1, max_size=8))
def test_a_batch_gives_each_series_exactly_what_charting_it_alone_gives(many: list[dict]) -> None:
    batch = together(many)
    for t, c in enumerate(many):
        mine, own = batch.result(t), alone(c)
        for name in ARRAYS:
            assert np.array_equal(getattr(mine, name), getattr(own, name), equal_nan=True), (t, name)
        assert (mine.variation_icon, mine.assurance_icon, mine.runs) == (own.variation_icon, own.assurance_icon,
                                                                         own.runs)


def test_an_empty_batch_and_an_empty_series_chart_to_nothing() -> None:
    empty = np.zeros(0)
    assert len(chart_batch(empty, empty, np.array([0]), np.zeros((0, 11), dtype=np.int64), empty, empty)) == 0
    r = compute_chart(ChartSettings(chart_type=ChartType.RUN), empty)
    assert r.values.size == 0 and r.runs is None and r.variation_icon is None


def test_a_value_that_is_not_finite_is_refused_wherever_it_is_in_the_batch() -> None:
    c = ChartSettings()
    values = np.array([1.0] * 20 + [np.inf] + [2.0] * 5)
    with pytest.raises(ValueError):
        chart_batch(values, values, np.array([0, 20, 26]), np.array([c.row(), c.row()]), np.full(2, 2.66),
                    np.full(2, np.nan))


def test_offsets_that_do_not_cover_the_values_are_refused() -> None:
    c = ChartSettings()
    with pytest.raises(ValueError):
        chart_batch(np.ones(10), np.ones(10), np.array([0, 4]), np.array([c.row()]), np.full(1, 2.66),
                    np.full(1, np.nan))
