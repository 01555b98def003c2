"""A process's projection runners share the decoding of observation batches, and only of those."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import numpy as np
from eventsourcing.utils import get_topic

from domain.control.measure import Measure, MeasureDefinition
from service.eventstore import RecordedEvent
from service.eventstore.codec import EventCodec
from service.eventstore.projection_runner import DecodedEvents
from tests.service.eventstore.test_codec_columns import days_from, measured


def test_the_runners_of_a_process_decode_an_observation_batch_once_and_every_other_event_each_time() -> None:
    codec = EventCodec()
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                       frequency="DAY"))
    m.record_values(measured(days_from(date(2024, 1, 1), 10)), np.arange(10, dtype=np.float64), None)
    defined, batch = (codec.encode(e) for e in m.collect_events())
    assert DecodedEvents.SHARED == get_topic(Measure.ObservationsRecorded) == batch.topic

    def recorded(position: int, stored: object, hash_: bytes = b"h") -> RecordedEvent:
        return RecordedEvent(position, str(m.id), stored.originator_version, stored.topic,  # type: ignore[attr-defined]
                             stored.state, datetime.now(UTC), "a", "r", None, None, None, None, None,  # type: ignore[attr-defined]
                             hash_)

    shared = DecodedEvents(codec, size=2)
    first = shared.decode(recorded(2, batch))
    assert shared.decode(recorded(2, batch)) is first and list(first.periods) == days_from(date(2024, 1, 1), 10)
    assert shared.decode(recorded(2, batch, b"other")) is not first  # another event at that position: a new log
    assert shared.decode(recorded(1, defined)) is not shared.decode(recorded(1, defined))
    shared.decode(recorded(3, batch))
    shared.decode(recorded(4, batch))  # over the bound: the oldest goes
    assert shared.decode(recorded(2, batch)) is not first
