"""Carries out honoured erasure requests: deletes the person's key (crypto-shredding), exactly once, even
across crashes, because the deletion commits with the projection's position."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from domain.people.erasure import Erasure
from projections.base import ProjectedEvent, VersionedRows

TOPICS = (get_topic(Erasure.PersonalDataErased),)


class ErasureProjection:
    name = "erasures"
    topics: tuple[str, ...] | None = TOPICS
    versioned: dict[str, VersionedRows] = {}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        """Keys once deleted stay deleted; the record of erasures is rebuilt from the log."""
        await conn.execute("TRUNCATE erased_subjects")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            if isinstance(e.event, Erasure.PersonalDataErased):
                await conn.execute("DELETE FROM person_keys WHERE subject = $1", e.event.subject)
                await conn.execute(
                    "INSERT INTO erased_subjects (subject, erased_by, reason, erased_at) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (subject) DO NOTHING", e.event.subject, e.actor, e.event.reason, e.recorded_at)
