"""The fast path for plain values decides exactly as the item-by-item path, or steps aside."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.control.measure import Measure, MeasureDefinition
from domain.control.observations import ObservationIn

periods = st.sampled_from(["2024-01-01", "2024-02-01", "2024-02-15", "2024-03-01", "1899-12-01", "2101-01-01",
                           "2024-04-01", "2024-05-01"])
values = st.one_of(st.integers(-5, 5).map(float), st.sampled_from([float("nan"), float("inf"), 0.5]))
sources = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "x" * 201, "nul\x00"]))
batch = st.lists(st.tuples(periods, values, sources), max_size=8)


def measure(chart_type: str, frequency: str) -> Measure:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       chart_type=chart_type, frequency=frequency))
    m.collect_events()
    return m


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["XMR", "C", "T", "P"]), st.sampled_from(["MONTH", "DAY"]), batch, batch, st.booleans())
def test_the_fast_path_agrees_with_recording_item_by_item(chart_type: str, frequency: str, before: list,
                                                           now: list, with_sources: bool) -> None:
    fast, slow = measure(chart_type, frequency), measure(chart_type, frequency)
    earlier = [ObservationIn(date.fromisoformat(p), v, source_id=s if with_sources else None) for p, v, s in before]
    fast.record(earlier)
    slow.record(earlier)
    ids = [s for _, _, s in now] if with_sources and all(s is not None for _, _, s in now) else None
    outcome = fast.record_values([p for p, _, _ in now], [v for _, v, _ in now], ids)
    expected = slow.record([ObservationIn(date.fromisoformat(p), v, source_id=ids[i] if ids else None)
                            for i, (p, v, _) in enumerate(now)])
    if outcome is None:
        return  # the caller takes the item-by-item path
    assert (outcome.accepted, outcome.duplicates, outcome.corrected, outcome.errors) == (
        expected.accepted, expected.duplicates, expected.corrected, [])
    assert fast.points == slow.points and fast.sources == slow.sources


def test_a_plain_batch_of_new_values_takes_the_fast_path() -> None:
    m = measure("XMR", "DAY")
    outcome = m.record_values(["2024-01-01", "2024-01-02"], [1.0, 2.0], ["a", "b"])
    assert outcome is not None and outcome.accepted == 2
    assert [type(e).__name__ for e in m.collect_events()] == ["ObservationsRecorded"]
