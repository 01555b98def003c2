"""The feedback read model: what service users said, per team, with personal details still sealed."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from domain.control.feedback import Feedback
from projections.base import ProjectedEvent, VersionedRows

TOPICS = (get_topic(Feedback.FeedbackGiven),)


class FeedbackProjection:
    name = "feedback"
    topics: tuple[str, ...] | None = TOPICS
    versioned: dict[str, VersionedRows] = {}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE feedback")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        rows = [(e.stream_id, e.event.team_id, e.event.measure_id, e.event.rating, e.event.comment, e.event.name,
                 e.event.contact, e.actor, e.recorded_at, e.position)
                for e in events if isinstance(e.event, Feedback.FeedbackGiven)]
        await conn.executemany(
            "INSERT INTO feedback (feedback_id, team_id, measure_id, rating, comment, name, contact, given_by, "
            "given_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING", rows)
