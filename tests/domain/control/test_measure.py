"""The Measure aggregate's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.control.measure import Measure, MeasureDefinition
from domain.control.observations import ObservationIn
from domain.errors import InvalidInput


def given_measure(**fields: object) -> Measure:
    values: dict[str, object] = {"team_id": "team-1", "name": "Falls", "kind": "OUTCOME", "direction": "DECREASE"}
    values.update(fields)
    measure = Measure.define(measure_id=uuid4(), definition=MeasureDefinition(**values))  # type: ignore[arg-type]
    measure.collect_events()
    return measure


def then_events(measure: Measure) -> list[str]:
    return [type(e).__name__ for e in measure.collect_events()]


def test_a_definition_with_a_run_length_outside_6_to_8_is_refused() -> None:
    with pytest.raises(InvalidInput, match="shiftRunLength must be 6, 7 or 8"):
        Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "Falls", "OUTCOME", "DECREASE",
                                                                         shift_run_length=9))


def test_a_blank_name_is_refused() -> None:
    with pytest.raises(InvalidInput, match="name is required"):
        given_measure(name="   ")


def test_new_values_are_recorded_in_one_event() -> None:
    m = given_measure()
    outcome = m.record([ObservationIn(date(2024, 1, 1), 3.0), ObservationIn(date(2024, 2, 1), 4.0)])
    assert (outcome.accepted, outcome.duplicates, outcome.corrected) == (2, 0, 0)
    assert then_events(m) == ["ObservationsRecorded"]


def test_a_batch_of_only_duplicates_records_nothing() -> None:
    m = given_measure()
    m.record([ObservationIn(date(2024, 1, 1), 3.0, source_id="x")])
    m.collect_events()
    outcome = m.record([ObservationIn(date(2024, 1, 1), 3.0), ObservationIn(date(2024, 3, 1), 9.0, source_id="x")])
    assert (outcome.accepted, outcome.duplicates) == (0, 2)
    assert then_events(m) == []


def test_a_new_value_for_a_recorded_period_is_a_correction_and_the_event_says_which() -> None:
    m = given_measure()
    m.record([ObservationIn(date(2024, 1, 1), 3.0)])
    m.collect_events()
    outcome = m.record([ObservationIn(date(2024, 1, 1), 5.0), ObservationIn(date(2024, 2, 1), 1.0)])
    assert (outcome.accepted, outcome.corrected) == (1, 1)
    (event,) = m.collect_events()
    assert event.corrected == [0] and m.points["2024-01-01"] == (5.0, None, None)


def test_each_bad_observation_is_an_error_with_its_index_and_the_rest_are_kept() -> None:
    m = given_measure(chart_type="C")
    outcome = m.record([ObservationIn(date(2024, 1, 1), -1.0), ObservationIn(date(2024, 2, 1), 2.0),
                        ObservationIn(date(2024, 3, 1), None), ObservationIn(date(2024, 4, 1), float("inf"))])
    assert [(e.index, e.code) for e in outcome.errors] == [(0, "NEGATIVE_COUNT"), (2, "MISSING_VALUE"),
                                                           (3, "NOT_FINITE")]
    assert outcome.accepted == 1


def test_a_p_chart_needs_a_numerator_no_larger_than_a_positive_denominator() -> None:
    m = given_measure(chart_type="P")
    outcome = m.record([ObservationIn(date(2024, 1, 1), numerator=5, denominator=4),
                        ObservationIn(date(2024, 2, 1), numerator=5, denominator=-1),
                        ObservationIn(date(2024, 3, 1), numerator=1, denominator=4)])
    assert [e.code for e in outcome.errors] == ["PROPORTION_ABOVE_ONE", "ZERO_DENOMINATOR"]
    assert m.points == {"2024-03-01": (None, 1, 4)}


def test_a_recalculation_needs_a_reason_and_a_period_after_the_first() -> None:
    m = given_measure()
    m.record([ObservationIn(date(2024, 1, 1), 3.0), ObservationIn(date(2024, 2, 1), 4.0)])
    with pytest.raises(InvalidInput, match="reason is required"):
        m.recalculate_limits(date(2024, 2, 1), "")
    with pytest.raises(InvalidInput, match="not after the first observation"):
        m.recalculate_limits(date(2024, 1, 1), "new process")
    m.collect_events()
    m.recalculate_limits(date(2024, 2, 1), "new process")
    assert then_events(m) == ["LimitsRecalculated"]
    with pytest.raises(InvalidInput, match="already recalculated"):
        m.recalculate_limits(date(2024, 2, 1), "again")


def test_replaying_the_events_rebuilds_the_same_state() -> None:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "Falls", "OUTCOME", "DECREASE"))
    m.record([ObservationIn(date(2024, 1, 1), 3.0, source_id="a")])
    m.set_target(2.0, "national standard")
    m.set_baseline(12, "before the change")
    events = m.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    assert replayed is not None
    assert (replayed.points, replayed.sources, replayed.target, replayed.baseline_points) == (
        m.points, m.sources, 2.0, 12)
