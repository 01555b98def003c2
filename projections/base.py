"""What every projection is: a name, the event types it reads, a fold into its tables, a way to clear them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import asyncpg


@dataclass(frozen=True, slots=True)
class ProjectedEvent:
    """A domain event with the envelope a projection may need."""

    position: int
    stream_id: str
    recorded_at: datetime
    actor: str
    event: Any                   # None for a projection that reads only each event's class (see Projection)
    role: str = ""               # the actor's role when the event was recorded (the log's envelope)
    team_id: str | None = None   # the team the event concerns, as recorded (None: the organisation's)
    event_type: type | None = None  # the event's class, given when the event itself is not decoded

    @property
    def kind(self) -> type:
        """The event's class, whether or not its data was decoded."""
        return self.event_type if self.event_type is not None else type(self.event)


@dataclass(frozen=True, slots=True)
class VersionedRows:
    """Rows of a read-model table with a `position` column, named "<kind>:<value of column>" by the answers
    built from them (see service/reads/versions.py); column None names the whole table ("<kind>:")."""

    table: str
    column: str | None


class Projection(Protocol):
    """A projection that reads nothing of an event but its class and envelope says so with a class attribute
    `decodes_events = False`: the runner then hands it each event's class (`ProjectedEvent.kind`) without decoding
    its data, which for a bulk intake event is most of the cost of reading it."""

    name: str
    topics: tuple[str, ...] | None      # None: every event
    versioned: dict[str, VersionedRows]  # the rows answers may depend on, by kind (empty: none)

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> Iterable[str] | None:
        """Apply a batch of events to the read model, inside the runner's transaction. It may return the ids of the
        streams whose read-model rows it changed (for live updates); None: those of the events it applied."""

    async def clear(self, conn: asyncpg.Connection) -> None:
        """Empty the read model, for a rebuild from position 0."""

    def forget(self) -> None:
        """Drop any in-memory state (called when this process loses or takes over the projection)."""
