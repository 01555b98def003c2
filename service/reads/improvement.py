"""Improvement reads: the documents of projects, PDSA cycles and the other improvement tools, now (the read model)
and as they stood at an instant (their own events folded through the read model's fold)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from domain.errors import Forbidden
from projections.improvement.folds import FOLDS, Fold, fold_of, replay
from service.auth.identity import Principal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.ids import valid_uuid

FOLD_OF_KIND = {f.kind: f for f in FOLDS}


@dataclass(frozen=True, slots=True)
class DocView:
    kind: str
    doc: dict[str, Any]
    position: int | None = None   # of the read-model row (None for an as-of view): the version answers depend on

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def team_id(self) -> str:
        return str(self.doc["team_id"])


def _view(row: Sequence[Any]) -> DocView:
    return DocView(row[0], orjson.loads(row[1]), row[2])


async def documents_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, DocView]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, kind, document, position FROM improvement_documents WHERE id = ANY($1)",
                                ids)
    return {r[0]: _view(tuple(r)[1:]) for r in rows}


async def documents_of_projects(pool: asyncpg.Pool, project_ids: list[str]) -> dict[str, list[DocView]]:
    """Each project's documents (cycles, diagrams, ...), oldest first."""
    project_ids = [i for i in project_ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT project_id, kind, document, position FROM improvement_documents "
                                "WHERE project_id = ANY($1) ORDER BY project_id, "
                                "coalesce(document->>'planned_at', document->>'created_at'), id", project_ids)
    found: dict[str, list[DocView]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(_view(tuple(r)[1:]))
    return found


async def documents_of_team(pool: asyncpg.Pool, team_id: str, kind: str) -> list[DocView]:
    if not valid_uuid(team_id):
        return []
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT kind, document, position FROM improvement_documents WHERE team_id = $1 "
                                "AND kind = $2 ORDER BY document->>'created_at' DESC NULLS LAST, id", team_id, kind)
    return [_view(r) for r in rows]


async def document_as_of(services: Services, stream_id: str, as_of: datetime,
                         fold: Fold | None = None) -> DocView | None:
    """One aggregate's document as it stood at `as_of`, folded from its events recorded until then."""
    if not valid_uuid(stream_id):
        return None
    records = await services.store.read_stream(stream_id, until=as_of)
    events = []
    for r in records:
        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
        fold = fold or fold_of(event)
        events.append((event, r.recorded_at, r.actor))
    if fold is None or not events:
        return None
    doc = replay(fold, events)
    return DocView(fold.kind, doc) if doc is not None else None


async def readable_as_of(services: Services, principal: Principal, stream_id: str, as_of: datetime,
                         kind: str) -> DocView | None:
    """The document as it stood, if it is of `kind` and the caller may read its team's improvement work."""
    view = await document_as_of(services, stream_id, as_of, FOLD_OF_KIND[kind])
    if view is None:
        return None
    try:
        authorize(principal, "improvement.read", view.team_id)
    except Forbidden:
        return None
    return view


async def project_documents_as_of(services: Services, project_id: str, as_of: datetime) -> list[DocView]:
    """The project's cycles and other documents as they stood at `as_of` (those not yet begun left out)."""
    current = (await documents_of_projects(services.pool, [project_id])).get(project_id, [])
    out = []
    for v in current:
        past = await document_as_of(services, v.id, as_of, FOLD_OF_KIND[v.kind])
        if past is not None:
            out.append(past)
    return out


async def projects_from_opportunities(pool: asyncpg.Pool, ids: list[str]) -> dict[str, list[DocView]]:
    """The projects started from each opportunity."""
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT document->>'opportunity_id', kind, document, position FROM "
                                "improvement_documents WHERE kind = 'project' AND document->>'opportunity_id' = "
                                "ANY($1::text[]) ORDER BY document->>'created_at'", ids)
    found: dict[str, list[DocView]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(_view(tuple(r)[1:]))
    return found
