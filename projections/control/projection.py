"""The control projection: one fold for the control read models, so an event of one aggregate can update rows of
another's (an escalation raised from a huddle problem marks the problem ESCALATED)."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from projections.base import ProjectedEvent, VersionedRows
from projections.control import actions, escalations, huddles

TOPICS = tuple(get_topic(c) for c in (*actions.EVENTS, *huddles.EVENTS, *escalations.EVENTS))


class ControlProjection:
    name = "control"
    topics: tuple[str, ...] | None = TOPICS
    # Action and escalation answers depend on the clock (overdue, past response time) and are not cached; huddles
    # and the levels are.
    versioned = {"h": VersionedRows("huddles", "huddle_id"), "huddles_of": VersionedRows("huddles", "team_id"),
                 "levels": VersionedRows("escalation_levels", None)}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE actions, action_steps, huddles, huddle_problems, escalation_levels, escalations, "
                           "escalation_steps")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            ev = e.event
            if isinstance(ev, actions.EVENTS):
                await actions.apply(conn, e)
            elif isinstance(ev, huddles.EVENTS):
                await huddles.apply(conn, e)
            elif isinstance(ev, escalations.EVENTS):
                await escalations.apply(conn, e)
