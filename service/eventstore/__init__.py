"""An async event store on PostgreSQL (asyncpg) with eventsourcing's Mapper for (de)serialisation."""

from service.eventstore.codec import EventCodec
from service.eventstore.store import (
    AppendRequest,
    AppendResult,
    EventMeta,
    EventStore,
    RecordedEvent,
    StreamConflict,
)

__all__ = ["AppendRequest", "AppendResult", "EventCodec", "EventMeta", "EventStore", "RecordedEvent",
           "StreamConflict"]
