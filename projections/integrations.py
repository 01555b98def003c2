"""The integrations read model: each registered hospital system, its team, the measures it may write."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from domain.planning.integration import Integration
from projections.base import ProjectedEvent, VersionedRows

REGISTERED = Integration.IntegrationRegistered
CHANGED = Integration.IntegrationMeasuresChanged  # type: ignore[attr-defined]
RETIRED = Integration.IntegrationRetired  # type: ignore[attr-defined]
TOPICS = tuple(get_topic(c) for c in (REGISTERED, CHANGED, RETIRED))


class IntegrationProjection:
    name = "integrations"
    topics: tuple[str, ...] | None = TOPICS
    versioned = {"integration": VersionedRows("integrations", "integration_id"),
                 "integrations_of": VersionedRows("integrations", "team_id")}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE integrations")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            ev = e.event
            if isinstance(ev, REGISTERED):
                await conn.execute(
                    "INSERT INTO integrations (integration_id, name, team_id, measure_ids, registered_by, "
                    "registered_at, reason, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    e.stream_id, ev.name, ev.team_id, ev.measure_ids, e.actor, e.recorded_at, ev.reason, e.position)
            elif isinstance(ev, CHANGED):
                await conn.execute("UPDATE integrations SET measure_ids = $2, reason = $3, position = $4 "
                                   "WHERE integration_id = $1", e.stream_id, ev.measure_ids, ev.reason, e.position)
            elif isinstance(ev, RETIRED):
                await conn.execute("UPDATE integrations SET retired = true, reason = $2, position = $3 "
                                   "WHERE integration_id = $1", e.stream_id, ev.reason, e.position)
