"""An event holding numpy columns (the intake fast path's) is stored as the same JSON as one holding lists."""

from __future__ import annotations

from uuid import uuid4

import numpy as np
import orjson

from domain.control.columns import PeriodColumn
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
