"""Observation columns: a batch's periods and values as numpy arrays that read, and are stored, as the lists an
event holds; a measure decides on them exactly as on the lists."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import uuid4

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.control.columns import (
    DayIndex,
    PeriodColumn,
    SourceIds,
    ValueColumn,
    canonical_days,
    grouped_periods,
    sorted_days,
)
from domain.control.measure import Measure, MeasureDefinition
from service.eventstore.codec import OrjsonTranscoder

days_in_range = st.lists(st.dates(date(1900, 1, 1), date(2100, 12, 31)), max_size=50)


@given(days_in_range)
def test_a_period_column_is_stored_as_the_json_of_its_iso_dates(days: list[date]) -> None:
    texts = [d.isoformat() for d in days]
    column = PeriodColumn(np.array(texts, dtype="datetime64[D]"))
    assert column.json_bytes() == orjson.dumps(texts)
    assert list(column) == column.tolist() == texts and column == texts and len(column) == len(texts)
    if texts:
        assert column[0] == texts[0] and column[-1:] == texts[-1:]


def test_a_value_column_reads_as_its_floats() -> None:
    column = ValueColumn(np.array([1.5, 2.0, -0.25]))
    assert list(column) == [1.5, 2.0, -0.25] and column == [1.5, 2.0, -0.25] and column[1] == 2.0
    assert np.array(column, dtype=np.float64).tolist() == [1.5, 2.0, -0.25]


def measure(frequency: str = "DAY") -> Measure:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency=frequency))
    m.collect_events()
    return m


day_lists = st.lists(st.integers(0, 300).map(lambda d: (date(2024, 1, 1) + timedelta(days=d)).isoformat()),
                     min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["DAY", "MONTH"]), day_lists, day_lists, st.booleans())
def test_columns_and_lists_take_the_same_decisions(frequency: str, first: list[str], second: list[str],
                                                   with_sources: bool) -> None:
    listed, columned = measure(frequency), measure(frequency)
    for batch in (first, second):
        values = [float(i) for i in range(len(batch))]
        ids = [f"s-{p}" for p in batch] if with_sources else None
        a = listed.record_values(batch, values, ids)
        b = columned.record_values(PeriodColumn(np.array(batch, dtype="datetime64[D]")), np.array(values),
                                   None if ids is None else list(ids))
        assert a == b
        if a is None:  # the item-by-item path decides; both measures then hold the same again
            continue
        assert [e.periods for e in listed.collect_events()] == [e.periods for e in columned.collect_events()]
        assert listed.points == columned.points and listed.sources == columned.sources


@given(st.lists(st.one_of(st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
                          st.tuples(st.integers(1, 9999), st.integers(0, 19), st.integers(0, 39)).map(
                              lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
                          st.text(min_size=8, max_size=11)), min_size=1, max_size=20))
def test_canonical_days_reads_exactly_the_dates_that_exist(periods: list[str]) -> None:
    def exists(text: str) -> bool:
        try:
            return date.fromisoformat(text).isoformat() == text
        except ValueError:
            return False

    days = canonical_days(periods)
    if all(exists(p) for p in periods):
        assert days is not None and days.dtype == np.dtype("datetime64[D]")
        assert [str(d) for d in days] == periods
    else:
        assert days is None


@given(st.lists(st.lists(st.integers(-5_000, 5_000), max_size=30), max_size=12))
def test_a_day_index_stays_sorted_whatever_order_batches_come_in(batches: list[list[int]]) -> None:
    index = DayIndex(np.array([], dtype=np.int64))
    added: list[int] = []
    for batch in batches:
        before, seen = index.days, list(index.days)
        index.add(np.array(batch, dtype=np.int64))
        added += batch
        assert index.days.tolist() == sorted(added)
        assert before.tolist() == seen  # a view taken earlier is not changed by a later addition
        assert index.last == (max(added) if added else None)


@given(st.lists(st.dates(date(1, 1, 1), date(9999, 12, 31)), max_size=30))
def test_sorted_days_are_the_days_in_order_when_all_are_in_range(days: list[date]) -> None:
    column = np.array([d.isoformat() for d in days], dtype="datetime64[D]")
    in_range = all(date(1900, 1, 1) <= d <= date(2100, 12, 31) for d in days)
    ordered = sorted_days(column)
    if in_range:
        assert ordered is not None and ordered.dtype == np.int32
        assert ordered.tolist() == sorted(column.astype(np.int64).tolist())
    else:
        assert ordered is None
    assert sorted_days(np.array(["2024-01-01", "NaT"], dtype="datetime64[D]")) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 400), min_size=1, max_size=15, unique=True), min_size=1, max_size=8))
def test_the_fast_path_refuses_every_known_day_after_batches_in_any_order(batches: list[list[int]]) -> None:
    m = measure()
    known: set[int] = set()
    for batch in batches:
        periods = [(date(2024, 1, 1) + timedelta(days=d)).isoformat() for d in batch]
        outcome = m.record_values(PeriodColumn(np.array(periods, dtype="datetime64[D]")),
                                  np.arange(len(batch), dtype=np.float64), None)
        if known.isdisjoint(batch):
            assert outcome is not None and outcome.accepted == len(batch)
            known |= set(batch)
        else:  # a repeat goes to the item-by-item path, which names duplicates and corrections
            assert outcome is None
    assert sorted(m.points) == sorted((date(2024, 1, 1) + timedelta(days=d)).isoformat() for d in known)


source_lists = st.lists(st.one_of(st.sampled_from(["a", "b", "", "x" * 200, "y" * 201, "n\x00ul"]),
                                  st.text(min_size=1, max_size=8)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(source_lists, source_lists)
def test_measured_source_ids_take_the_decisions_the_plain_list_takes(first: list[str], second: list[str]) -> None:
    listed, measured = measure(), measure()
    for k, ids in enumerate((first, second)):
        days = PeriodColumn(np.datetime64("2024-01-01") + 10 * k + np.arange(len(ids)))
        values = np.arange(len(ids), dtype=np.float64)
        a = listed.record_values(days, values, list(ids))
        b = measured.record_values(days, values, SourceIds.measured(list(ids)))
        assert a == b
        if a is None:
            continue
        assert listed.sources == measured.sources
        assert [e.source_ids for e in listed.collect_events()] == [e.source_ids for e in measured.collect_events()]


def test_measured_source_ids_are_stored_as_the_plain_list() -> None:
    m = measure()
    m.record_values(PeriodColumn(np.array(["2024-01-01"], dtype="datetime64[D]")), np.array([1.0]),
                    SourceIds.measured(["lab-1"]))
    [event] = m.collect_events()
    assert OrjsonTranscoder().encode({"source_ids": event.source_ids}) == b'{"source_ids":["lab-1"]}'



# Days around both ends of the range, NaT among them, and runs of consecutive days; groups of any sizes.
grouped_days = st.lists(st.one_of(st.integers(-25_570, -25_560), st.integers(19_000, 19_040),
                                  st.integers(47_480, 47_490), st.none()), max_size=40)


@settings(max_examples=300, deadline=None)
@given(grouped_days, st.lists(st.integers(1, 8), max_size=12))
def test_grouped_periods_measure_what_the_fast_path_checks(numbers: list[int | None], sizes: list[int]) -> None:
    days = np.array(["NaT" if n is None else n for n in numbers], dtype="datetime64[D]")
    starts = [0]
    for size in sizes:
        if starts[-1] < len(days):
            starts.append(min(starts[-1] + size, len(days)))
    if starts[-1] != len(days):
        starts.append(len(days))
    groups = grouped_periods(days, starts) if len(days) else []
    assert len(groups) == len(starts) - 1 if len(days) else groups == []
    for column, (a, b) in zip(groups, itertools.pairwise(starts), strict=True):
        part = days[a:b]
        plain = PeriodColumn(part)
        ordered = sorted_days(part)  # None when some day is out of range
        increasing = ordered is not None and bool((part[1:] > part[:-1]).all())  # as sent
        assert column.days.view(np.int64).tolist() == part.view(np.int64).tolist()  # NaT too
        assert column.increasing == increasing
        if increasing:
            assert column.ordered is not None and column.ordered.tolist() == ordered.tolist()
            assert _read(column.json_bytes()) == _read(plain.json_bytes())  # a run may be stored compactly


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 60), min_size=1, max_size=10), min_size=1, max_size=6))
def test_measured_periods_take_the_decisions_unmeasured_ones_take(batches: list[list[int]]) -> None:
    plain, measured = measure(), measure()
    for batch in batches:
        days = np.datetime64("2024-01-01") + np.array(batch)
        values = np.arange(len(batch), dtype=np.float64)
        [grouped] = grouped_periods(days, [0, len(batch)])
        a = plain.record_values(PeriodColumn(days), values, None)
        b = measured.record_values(grouped, values, None)
        assert a == b
        if a is not None:
            assert [e.periods for e in plain.collect_events()] == [e.periods for e in measured.collect_events()]
    assert plain.points == measured.points


def _read(stored: bytes) -> list[str]:
    from service.eventstore.codec import OrjsonTranscoder

    return list(OrjsonTranscoder().decode(b'{"p":' + stored + b"}")["p"])
