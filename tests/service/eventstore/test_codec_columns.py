"""An event holding numpy columns (the intake fast path's) is stored as the same JSON as one holding lists, but for a
run of consecutive days, stored compactly and read back as the same periods."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.control.columns import MIN_RUN, PeriodColumn, grouped_periods
from domain.control.measure import Measure, MeasureDefinition
from service.eventstore.codec import EventCodec


def recorded(periods: object, values: object) -> dict:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    m.collect_events()
    assert m.record_values(periods, values, ["a", "b", "c"]) is not None  # type: ignore[arg-type]
    codec = EventCodec()
    stored = codec.encode(m.collect_events()[0])
    decoded = codec.decode(str(m.id), 2, stored.topic, stored.state)
    assert decoded.periods == ["1900-01-01", "2024-02-29", "2100-12-31"] and decoded.values == [0.1, 2.0, 1e20]
    state = orjson.loads(stored.state)
    del state["timestamp"]
    return state


def test_columns_and_lists_are_stored_alike() -> None:
    texts = ["1900-01-01", "2024-02-29", "2100-12-31"]
    assert recorded(PeriodColumn(np.array(texts, dtype="datetime64[D]")), np.array([0.1, 2.0, 1e20])) == \
        recorded(texts, [0.1, 2.0, 1e20])


def stored_and_read(column: PeriodColumn) -> tuple[object, object]:
    codec = EventCodec()
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    m.collect_events()
    assert m.record_values(column, np.arange(len(column), dtype=np.float64), None) is not None
    stored = codec.encode(m.collect_events()[0])
    return orjson.loads(stored.state)["periods"], codec.decode(str(m.id), 2, stored.topic, stored.state).periods


def measured(texts: list[str]) -> PeriodColumn:
    [column] = grouped_periods(np.array(texts, dtype="datetime64[D]"), [0, len(texts)])
    return column


def days_from(first: date, n: int, step: int = 1) -> list[str]:
    return [(first + timedelta(days=step * i)).isoformat() for i in range(n)]


def test_a_run_of_consecutive_days_is_stored_as_its_first_day_and_length_and_read_back_as_the_same_periods() -> None:
    texts = days_from(date(2024, 2, 25), MIN_RUN + 2)  # across a leap day and a month's end
    stored, read = stored_and_read(measured(texts))
    assert stored == {"_type_": "day_run", "_data_": {"first": "2024-02-25", "days": MIN_RUN + 2}}
    assert isinstance(read, PeriodColumn) and read.increasing and read == texts and list(read) == texts
    # a shorter run, days with a gap, and days not measured by a reader are stored as the list of their dates
    for column in (measured(texts[:MIN_RUN - 1]), measured(days_from(date(2024, 1, 1), MIN_RUN + 2, 2)),
                   PeriodColumn(np.array(texts, dtype="datetime64[D]"))):
        stored, read = stored_and_read(column)
        assert stored == column.tolist() and read == column.tolist()


@settings(max_examples=100, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(1, 40), st.integers(1, 3))
def test_any_measured_column_reads_back_as_the_dates_it_holds(first: date, n: int, step: int) -> None:
    texts = [t for t in days_from(first, n, step) if t <= "2100-12-31"]
    stored, read = stored_and_read(measured(texts))
    assert list(read) == texts  # type: ignore[call-overload]
    assert isinstance(stored, list) or (step == 1 and len(texts) >= MIN_RUN)


def test_a_measure_replayed_from_runs_of_days_stands_as_it_was_decided() -> None:
    codec = EventCodec()
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    texts = days_from(date(2024, 1, 1), 30)
    m.record_values(measured(texts[:20]), np.arange(20, dtype=np.float64), [f"s{i}" for i in range(20)])
    m.record_values(measured(texts[20:]), np.arange(10, dtype=np.float64), None)
    replayed = None
    for e in m.collect_events():
        stored = codec.encode(e)
        replayed = codec.decode(str(m.id), stored.originator_version, stored.topic, stored.state).mutate(replayed)
    assert replayed is not None and replayed.version == m.version == 3
    assert replayed.points == m.points and replayed.sources == m.sources and len(m.points) == 30
    # and decides as the measure did: a day already recorded is a duplicate, a new day is new
    assert replayed.record_values(measured(texts[25:]), np.arange(5, dtype=np.float64), None) is None
    assert replayed.record_values(["2024-02-01"], [1.0], None).accepted == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("data", [{"first": "2024-02-30", "days": 3}, {"first": "2024-01-01", "days": 0},
                                  {"first": "2100-12-30", "days": 3}, {"first": "2024-01-01"}, ["2024-01-01", 3],
                                  {"first": "2024-01-01", "days": True}, {"first": "1899-12-31", "days": 2}])
def test_a_malformed_run_of_days_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="run of days"):
        PeriodColumn.from_run(data)

