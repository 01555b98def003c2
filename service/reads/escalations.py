"""Escalations as the API reads them: the levels, a team's (or the organisation's) escalations newest first,
each with its steps, and whether it has waited past its level's response time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from service.auth.identity import Principal
from service.ids import valid_uuid
from service.reads.actions import readable_teams


@dataclass(frozen=True, slots=True)
class LevelView:
    name: str
    response_minutes: int
    position: int


@dataclass(frozen=True, slots=True)
class EscalationView:
    id: str
    team_id: str
    source_id: str
    source_kind: str | None
    summary: str
    level: str
    response_minutes: int
    level_since: datetime
    status: str
    raised_at: datetime
    raised_by: str
    resolved_at: datetime | None

    def respond_by(self) -> datetime:
        return self.level_since + timedelta(minutes=self.response_minutes)

    def overdue(self, now: datetime) -> bool:
        """Still waiting for its level to acknowledge it after the level's response time."""
        return self.status == "OPEN" and now > self.respond_by()


@dataclass(frozen=True, slots=True)
class StepView:
    kind: str
    at: datetime
    actor: str
    level: str | None
    note: str | None


_COLUMNS = ("escalation_id, team_id, source_id, source_kind, summary, level, response_minutes, level_since, status, "
            "raised_at, raised_by, resolved_at")
MAX_LISTED = 500


async def levels(pool: asyncpg.Pool) -> list[LevelView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT name, response_minutes, position FROM escalation_levels ORDER BY rank")
    return [LevelView(*r) for r in rows]


async def escalations_of(pool: asyncpg.Pool, principal: Principal, team_id: str | None,
                         open_only: bool | None) -> list[EscalationView]:
    """Newest first. open_only true: not yet resolved; false: resolved; None: all."""
    teams = readable_teams(principal, "escalation.read", team_id)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM escalations WHERE ($1::text[] IS NULL OR team_id = ANY($1)) "
            "AND ($2::boolean IS NULL OR (status <> 'RESOLVED') = $2) ORDER BY raised_at DESC, escalation_id "
            "LIMIT $3", teams, open_only, MAX_LISTED)
    return [EscalationView(*r) for r in rows]


async def escalations_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, EscalationView]:
    ids = [i for i in ids if valid_uuid(i)]  # a malformed id names nothing (and may hold a NUL)
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM escalations WHERE escalation_id = ANY($1)", ids)
    return {r[0]: EscalationView(*r) for r in rows}


async def escalation_steps(pool: asyncpg.Pool, ids: list[str]) -> dict[str, list[StepView]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT escalation_id, kind, at, actor, level, note FROM escalation_steps "
                                "WHERE escalation_id = ANY($1) ORDER BY escalation_id, position", ids)
    found: dict[str, list[StepView]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(StepView(*r[1:]))
    return found
