"""The fast path for plain values decides exactly as the item-by-item path, or steps aside."""

from __future__ import annotations

from datetime import date, timedelta
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


day_periods = st.lists(st.integers(0, 400).map(lambda d: (date(2024, 1, 1) + timedelta(days=d)).isoformat()),
                       min_size=1, max_size=30, unique=True)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["XMR", "RUN", "C", "G", "T"]), day_periods, st.data())
def test_new_plain_values_always_take_the_fast_path_and_agree(chart_type: str, periods: list[str],
                                                              data: st.DataObject) -> None:
    split = data.draw(st.integers(0, len(periods) - 1))
    values = data.draw(st.lists(st.integers(0, 50).map(float), min_size=len(periods), max_size=len(periods)))
    ids = [f"src-{p}" for p in periods] if data.draw(st.booleans()) else None
    fast, slow = measure(chart_type, "DAY"), measure(chart_type, "DAY")
    earlier = [ObservationIn(date.fromisoformat(p), v, source_id=ids[i] if ids else None)
               for i, (p, v) in enumerate(zip(periods[:split], values[:split], strict=True))]
    fast.record(earlier)
    slow.record(earlier)
    rest = slice(split, None)
    outcome = fast.record_values(periods[rest], values[rest], ids[rest] if ids else None)
    expected = slow.record([ObservationIn(date.fromisoformat(p), v, source_id=ids[split + i] if ids else None)
                            for i, (p, v) in enumerate(zip(periods[rest], values[rest], strict=True))])
    assert outcome is not None
    assert (outcome.accepted, outcome.duplicates, outcome.corrected) == (expected.accepted, 0, 0)
    assert fast.points == slow.points and fast.sources == slow.sources


def test_the_fast_paths_event_is_the_one_trigger_event_makes_and_replays_to_the_same_state() -> None:
    from service.eventstore.codec import EventCodec

    m = measure("XMR", "DAY")
    m.record_values(["2024-01-01", "2024-01-02"], [1.0, 2.0], ["a", "b"])
    m.record_values(["2024-01-05"], [3.0], None)
    events = m.collect_events()
    assert [e.originator_version for e in events] == [2, 3] and m.version == 3
    assert m.modified_on == events[-1].timestamp and all(e.originator_id == m.id for e in events)
    # made by trigger_event from the same arguments, the event holds the same fields
    made = measure("XMR", "DAY")
    made.trigger_event(type(events[0]), periods=events[0].periods, values=events[0].values, numerators=None,
                       denominators=None, source_ids=events[0].source_ids, notes=None, corrected=[])
    [same] = made.collect_events()
    assert {k: v for k, v in vars(same).items() if k not in ("originator_id", "timestamp")} == {
        k: v for k, v in vars(events[0]).items() if k not in ("originator_id", "timestamp")}
    # stored and replayed (eventsourcing's own path), the events rebuild the measure as it stands
    codec = EventCodec()
    created = Measure.define(measure_id=m.id, definition=m.definition)
    replayed = None
    for e in [*created.collect_events(), *events]:
        stored = codec.encode(e)
        replayed = codec.decode(str(m.id), stored.originator_version, stored.topic, stored.state).mutate(replayed)
    assert replayed is not None and replayed.version == m.version
    assert replayed.points == m.points and replayed.sources == m.sources
