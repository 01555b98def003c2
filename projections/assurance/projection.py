"""The assurance projection: each audit, programme, inspection, guidance document, assessment and fishbone
diagram as a document folded from its events (the folds beside this module, shared with the asOf reads), and
every finding of an audit or inspection in one table, so actions and diagrams can refer to it by id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from eventsourcing.utils import get_topic

from projections.assurance.assessments import (
    ASSESSMENT_EVENTS,
    GUIDANCE_EVENTS,
    evolve_assessment,
    evolve_guidance,
)
from projections.assurance.audits import AUDIT_EVENTS, PROGRAMME_EVENTS, evolve_audit, evolve_programme
from projections.assurance.fishbones import FISHBONE_EVENTS, evolve_fishbone
from projections.assurance.inspections import INSPECTION_EVENTS, evolve_inspection
from projections.base import ProjectedEvent, VersionedRows

Fold = Callable[[dict[str, Any] | None, Any, datetime], dict[str, Any] | None]

# event class -> (table, fold)
KINDS: dict[type, tuple[str, Fold]] = {
    **{c: ("audits", evolve_audit) for c in AUDIT_EVENTS},
    **{c: ("audit_programmes", evolve_programme) for c in PROGRAMME_EVENTS},
    **{c: ("inspections", evolve_inspection) for c in INSPECTION_EVENTS},
    **{c: ("guidance_documents", evolve_guidance) for c in GUIDANCE_EVENTS},
    **{c: ("assessments", evolve_assessment) for c in ASSESSMENT_EVENTS},
    **{c: ("fishbones", evolve_fishbone) for c in FISHBONE_EVENTS},
}
TABLES = tuple(dict.fromkeys(table for table, _ in KINDS.values()))


class AssuranceProjection:
    name = "assurance"
    topics: tuple[str, ...] | None = tuple(get_topic(c) for c in KINDS)
    versioned = {"audit": VersionedRows("audits", "id"), "audits_of": VersionedRows("audits", "team_id"),
                 "audits": VersionedRows("audits", None),
                 "programme": VersionedRows("audit_programmes", "id"),
                 "programmes_of": VersionedRows("audit_programmes", "team_id"),
                 "inspection": VersionedRows("inspections", "id"),
                 "inspections_of": VersionedRows("inspections", "team_id"),
                 "guidance": VersionedRows("guidance_documents", "id"),
                 "guidances": VersionedRows("guidance_documents", None),
                 "assessment": VersionedRows("assessments", "id"),
                 "assessments_of": VersionedRows("assessments", "team_id"),
                 "fishbone": VersionedRows("fishbones", "id"), "fishbones_of": VersionedRows("fishbones", "team_id"),
                 "finding": VersionedRows("assurance_findings", "id"),
                 "findings_of": VersionedRows("assurance_findings", "source_id")}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)}, assurance_findings")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            kind = KINDS.get(type(e.event))
            if kind is None:
                continue
            table, fold = kind
            stored = await conn.fetchval(f"SELECT document FROM {table} WHERE id = $1", e.stream_id)
            doc = fold(orjson.loads(stored) if stored is not None else None, e.event, e.recorded_at)
            if doc is None:
                continue
            await conn.execute(
                f"INSERT INTO {table} (id, team_id, document, position) VALUES ($1, $2, $3::text::jsonb, $4) "
                "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, position = EXCLUDED.position",
                e.stream_id, doc["team_id"], orjson.dumps(doc).decode(), e.position)
            found = getattr(e.event, "finding", None)
            if isinstance(found, dict):
                await conn.execute(
                    "INSERT INTO assurance_findings (id, source_id, source_kind, team_id, document, position) "
                    "VALUES ($1, $2, $3, $4, $5::text::jsonb, $6) ON CONFLICT (id) DO NOTHING",
                    found["id"], e.stream_id, table, doc["team_id"], orjson.dumps(found).decode(), e.position)
