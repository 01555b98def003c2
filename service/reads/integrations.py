"""Integrations as the API reads them (the integrations read model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

_COLUMNS = "integration_id, name, team_id, measure_ids, retired, registered_by, registered_at, reason, position"


@dataclass(frozen=True, slots=True)
class IntegrationView:
    id: str
    name: str
    team_id: str
    measure_ids: list[str]
    retired: bool
    registered_by: str
    registered_at: datetime
    reason: str | None
    position: int


async def integration(pool: asyncpg.Pool, integration_id: str) -> IntegrationView | None:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM integrations WHERE integration_id = $1", integration_id)
    return IntegrationView(*row) if row else None


async def integrations_of(pool: asyncpg.Pool, team_id: str) -> list[IntegrationView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM integrations WHERE team_id = $1 ORDER BY name, "
                                "integration_id", team_id)
    return [IntegrationView(*r) for r in rows]
