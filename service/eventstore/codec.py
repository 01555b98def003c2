"""Domain events to stored bytes and back: eventsourcing's Mapper with an orjson transcoder."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

from domain.control.columns import DAY_RUN, PeriodColumn

# numpy arrays (a column parser's values) are written as the JSON lists they hold, at C speed.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_SERIALIZE_NUMPY


def _tag(obj: Any) -> Any:
    json_bytes = getattr(obj, "json_bytes", None)
    if json_bytes is not None:  # a column that writes its own JSON (a batch's periods), spliced in as it is
        return orjson.Fragment(json_bytes())
    if hasattr(obj, "__array__"):  # a column held as a numpy array: written as the JSON list it holds
        return obj.__array__()
    if isinstance(obj, datetime):
        return {"_type_": "datetime_iso", "_data_": obj.isoformat()}
    if isinstance(obj, date):
        return {"_type_": "date_iso", "_data_": obj.isoformat()}
    raise TypeError(f"Object of type {type(obj).__name__} cannot be stored in an event")


def _untag(obj: Any) -> Any:
    if isinstance(obj, dict):
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            kind, data = obj["_type_"], obj["_data_"]
            if kind == DAY_RUN:  # a batch's run of consecutive days, as PeriodColumn.json_bytes writes it
                return PeriodColumn.from_run(data)
            return datetime.fromisoformat(data) if kind == "datetime_iso" else date.fromisoformat(data)
        return {k: _untag(v) for k, v in obj.items()}
    if isinstance(obj, list) and obj and isinstance(obj[0], (dict, list)):
        return [_untag(v) for v in obj]
    return obj


class OrjsonTranscoder(Transcoder):
    """JSON via orjson: several times faster than the standard library on the large numeric lists of
    observation batches; datetimes and dates round-trip through tagged objects as in eventsourcing's own."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_tag, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        return _untag(orjson.loads(data))


def event_type(topic: str) -> str:
    """The past-tense name shown to people: the event class's own name."""
    return topic.rsplit(".", 1)[-1]


class EventCodec:
    """Turns aggregate events into stored events and back (topics, upcasting: eventsourcing's Mapper)."""

    def __init__(self) -> None:
        self.mapper: Mapper[Any] = Mapper(transcoder=OrjsonTranscoder())

    def encode(self, event: DomainEventProtocol[Any]) -> StoredEvent:
        return self.mapper.to_stored_event(event)

    def decode(self, stream_id: str, version: int, topic: str, data: bytes) -> DomainEventProtocol[Any]:
        from uuid import UUID

        return self.mapper.to_domain_event(StoredEvent(UUID(stream_id), version, topic, data))
