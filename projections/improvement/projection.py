"""The improvement projection: every improvement aggregate's document (projects, PDSA cycles, ...), each the fold
of its own events (projections/improvement/folds.py), in one table keyed by id with its kind, team and project."""

from __future__ import annotations

import asyncpg
import orjson
from eventsourcing.utils import get_topic

from projections.base import ProjectedEvent, VersionedRows
from projections.improvement.folds import FOLDS, fold_of

TOPICS = tuple(get_topic(c) for fold in FOLDS for c in fold.events)


class ImprovementProjection:
    name = "improvement"
    topics: tuple[str, ...] | None = TOPICS
    # "imp": one document; "imp_of": the documents of one project (its cycles, diagrams, charts); "imp_team": a
    # team's documents (its projects, opportunities). Answers that depend on the clock (overdue) are not cached.
    versioned = {"imp": VersionedRows("improvement_documents", "id"),
                 "imp_of": VersionedRows("improvement_documents", "project_id"),
                 "imp_team": VersionedRows("improvement_documents", "team_id")}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE improvement_documents")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            fold = fold_of(e.event)
            if fold is None:
                continue
            stored = await conn.fetchval("SELECT document FROM improvement_documents WHERE id = $1", e.stream_id)
            doc = fold.evolve(orjson.loads(stored) if stored is not None else None, e.event, e.recorded_at, e.actor)
            if doc is None:
                continue
            await conn.execute(
                "INSERT INTO improvement_documents (id, kind, team_id, project_id, document, position) "
                "VALUES ($1, $2, $3, $4, $5::text::jsonb, $6) ON CONFLICT (id) DO UPDATE SET "
                "project_id = EXCLUDED.project_id, document = EXCLUDED.document, position = EXCLUDED.position",
                e.stream_id, fold.kind, doc["team_id"], doc.get("project_id"), orjson.dumps(doc).decode(),
                e.position)
