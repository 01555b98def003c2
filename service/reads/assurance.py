"""Assurance reads: audits, programmes, inspections, guidance, assessments and fishbone diagrams as their read
models hold them, and as they stood at an instant (their events folded by the projection's own folds); the
findings of audits and inspections by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from projections.assurance.projection import KINDS, TABLES
from service.auth.identity import Principal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.ids import valid_uuid


@dataclass(frozen=True, slots=True)
class DocView:
    """A read-model document; position None for an as-of view (not cacheable)."""

    doc: dict[str, Any]
    position: int | None = None

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def team_id(self) -> str:
        return str(self.doc["team_id"])


def _table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"{table} is not an assurance read model")
    return table


async def by_id(pool: asyncpg.Pool, table: str, ids: Sequence[str]) -> dict[str, DocView]:
    ids = [i for i in ids if valid_uuid(i)]
    if not ids:
        return {}
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT id, document, position FROM {_table(table)} WHERE id = ANY($1)", ids)
    return {r[0]: DocView(orjson.loads(r[1]), r[2]) for r in rows}


async def one(pool: asyncpg.Pool, table: str, doc_id: str) -> DocView | None:
    return (await by_id(pool, table, [doc_id])).get(doc_id)


async def of_team(pool: asyncpg.Pool, table: str, team_id: str) -> list[DocView]:
    """The team's documents, the latest changed first."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT document, position FROM {_table(table)} WHERE team_id = $1 "
                                "ORDER BY position DESC", team_id)
    return [DocView(orjson.loads(r[0]), r[1]) for r in rows]


async def everything(pool: asyncpg.Pool, table: str) -> list[DocView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT document, position FROM {_table(table)} ORDER BY position DESC")
    return [DocView(orjson.loads(r[0]), r[1]) for r in rows]


async def as_of(services: Services, principal: Principal, stream_id: str, table: str, at: datetime,
                action: str = "assurance.read") -> DocView | None:
    """The document as it stood at `at`: the stream's events recorded by then, folded by the projection's fold;
    None when it did not exist then or is not of that kind. Forbidden for a caller who may not read it."""
    if not valid_uuid(stream_id):
        return None
    doc: dict[str, Any] | None = None
    for r in await services.store.read_stream(stream_id, until=at):
        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
        kind = KINDS.get(type(event))
        if kind is None or kind[0] != table:
            return None
        doc = kind[1](doc, event, r.recorded_at)
    if doc is None:
        return None
    authorize(principal, action, doc["team_id"])
    return DocView(doc)


async def findings_by_id(pool: asyncpg.Pool, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, source_id, source_kind, team_id, document, position "
                                "FROM assurance_findings WHERE id = ANY($1)",
                                [i for i in ids if "\x00" not in i])  # text cannot hold NUL: no such id exists
    return {r[0]: {**orjson.loads(r[4]), "source_id": r[1], "source_kind": r[2], "team_id": r[3],
                   "position": r[5]} for r in rows}
