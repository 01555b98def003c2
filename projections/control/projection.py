"""The control projection: one fold for the control read models, so an event of one aggregate can update rows of
another's (an escalation raised from a huddle problem marks the problem ESCALATED)."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from projections.base import ProjectedEvent, VersionedRows
from projections.control import actions

TOPICS = tuple(get_topic(c) for c in actions.EVENTS)


class ControlProjection:
    name = "control"
    topics: tuple[str, ...] | None = TOPICS
    versioned: dict[str, VersionedRows] = {}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE actions, action_steps")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            if isinstance(e.event, actions.EVENTS):
                await actions.apply(conn, e)
