"""Source ids as digests: the same for a column reader's bytes as for Python strings, their JSON as the codec's,
and the fast path's duplicate check all-or-nothing and exact (a shared digest costs time, never a wrong answer)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import uuid4

import numpy as np
import orjson
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.control.columns import PeriodColumn, SourceIds
from domain.control.measure import Measure, MeasureDefinition
from domain.control.observations import ObservationIn
from domain.control.sources import SourceIndex, digests, digests_of, json_arrays
from service.eventstore.codec import EventCodec

texts = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(['"', "\\", "\x00", "\x1f\x7f", "é漢", ""])),
                 max_size=40)


def arrow_layout(ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The ids as an Arrow string column lays them out, sliced so that the column does not start at 0."""
    column = pa.array(["lead", *ids])[1:]
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset:column.offset + len(column) + 1]
    return offsets, np.frombuffer(buffers[2] or b"", dtype=np.uint8)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_reader_s_digests_are_the_digests_of_the_strings(ids: list[str]) -> None:
    assert digests_of(*arrow_layout(ids)).tolist() == digests(ids).tolist()
    assert 0 not in digests(ids).tolist()  # 0 marks an empty slot
    assert len(set(digests(list(set(ids))).tolist())) == len(set(ids))  # no two of a few distinct ids share one


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(st.integers(0, 40), max_size=5))
def test_a_reader_s_json_reads_back_as_each_part_s_ids(ids: list[str], cuts: list[int]) -> None:
    parts = [0, *sorted({min(c, len(ids)) for c in cuts}), len(ids)]
    arrays = json_arrays(*arrow_layout(ids), parts)
    assert [orjson.loads(a) for a in arrays] == [ids[a:b] for a, b in itertools.pairwise(parts)]


def test_the_index_adds_a_batch_whole_or_not_at_all() -> None:
    index = SourceIndex()
    assert index.add_new(digests(["a", "b"])) and len(index) == 2
    assert not index.add_new(digests(["c", "d", "a"]))  # "a" is known: nothing of the batch is added
    assert not index.add_new(digests(["e", "f", "e"]))  # repeated within the batch: nothing added
    assert len(index) == 2
    assert index.add_new(digests(["c", "d", "e", "f"])) and len(index) == 6


def test_the_index_keeps_every_id_as_it_grows() -> None:
    index = SourceIndex()
    batches = [[f"lab-{k}-{i}" for i in range(250)] for k in range(400)]  # 100,000 ids: the table doubles often
    for batch in batches:
        assert index.add_new(digests(batch))
    assert len(index) == 100_000
    assert not any(index.add_new(digests([batch[-1]])) for batch in batches)
    assert index.add_new(digests(["lab-new"]))


def measure() -> Measure:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    m.collect_events()
    return m


def days(first: int, n: int) -> PeriodColumn:
    return PeriodColumn(np.datetime64("2024-01-01") + first + np.arange(n))


def test_ids_sharing_a_digest_are_decided_one_by_one_and_all_accepted() -> None:
    m = measure()
    same = np.full(2, 12345, dtype=np.uint64)
    shared = SourceIds(orjson.dumps(["x", "y"]), same, shortest=1, longest=1, nul=False)  # two ids, one digest
    assert m.record_values(days(0, 2), np.array([1.0, 2.0]), shared) is None  # looks repeated: stepped aside
    assert len(m.collect_events()) == 0
    ok = m.record_values(days(5, 1), np.array([3.0]), SourceIds(orjson.dumps(["z"]), same[:1], shortest=1,
                                                                  longest=1, nul=False))
    assert ok is not None and ok.accepted == 1  # the refused batch left nothing behind in the index
    m.collect_events()
    outcome = m.record([ObservationIn(date(2024, 1, 1), 1.0, source_id="x"),
                        ObservationIn(date(2024, 1, 2), 2.0, source_id="y")])
    assert (outcome.accepted, outcome.duplicates) == (2, 0)  # the exact set knows they differ
    assert m.sources == {"x", "y", "z"}


def test_ids_recorded_one_by_one_are_known_to_the_fast_path_and_after_a_replay() -> None:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    assert m.record_values(days(0, 2), np.array([1.0, 2.0]), SourceIds.measured(["a", "b"])) is not None
    m.record([ObservationIn(date(2024, 1, 1) + timedelta(days=10), 1.0, source_id="c")])  # the item-by-item path
    assert m.record_values(days(20, 2), np.array([1.0, 2.0]), SourceIds.measured(["d", "c"])) is None
    assert m.record_values(days(20, 2), np.array([1.0, 2.0]), ["a", "e"]) is None
    codec = EventCodec()  # replayed from the events as stored: the ids come back as lists of strings
    replayed = None
    for event in m.collect_events():
        stored = codec.encode(event)
        replayed = codec.decode(str(stored.originator_id), stored.originator_version, stored.topic,
                                stored.state).mutate(replayed)
    assert isinstance(replayed, Measure)
    assert replayed.record_values(days(30, 1), np.array([1.0]), SourceIds.measured(["b"])) is None
    assert replayed.record_values(days(30, 1), np.array([1.0]), SourceIds.measured(["f"])) is not None
    assert replayed.sources == {"a", "b", "c", "f"}
