"""Signals as the API reads them: a team's (or every readable team's) signals newest first, by id, and those
raised since an instant (live updates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from service.auth.identity import Principal
from service.reads.actions import readable_teams


@dataclass(frozen=True, slots=True)
class SignalView:
    id: str
    team_id: str
    measure_id: str
    period: date
    kind: str
    basis: str
    rules: list[str]
    detail: str
    raised_at: datetime
    status: str
    note: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action_id: str | None
    position: int


_COLUMNS = ("signal_id, team_id, measure_id, period, kind, basis, rules, detail, raised_at, status, note, "
            "acknowledged_at, acknowledged_by, action_id, position")
MAX_LISTED = 500


async def signals_of(pool: asyncpg.Pool, principal: Principal, team_id: str | None,
                     open_only: bool | None) -> list[SignalView]:
    """Newest first. open_only true: OPEN only; false: ACKNOWLEDGED only; None: all."""
    teams = readable_teams(principal, "signal.read", team_id)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM signals WHERE ($1::text[] IS NULL OR team_id = ANY($1)) "
            "AND ($2::boolean IS NULL OR (status = 'OPEN') = $2) ORDER BY raised_at DESC, period DESC, signal_id "
            "LIMIT $3", teams, open_only, MAX_LISTED)
    return [SignalView(*r) for r in rows]


async def signals_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, SignalView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM signals WHERE signal_id = ANY($1)", ids)
    return {r[0]: SignalView(*r) for r in rows}


async def signals_raised_since(pool: asyncpg.Pool, teams: list[str] | None, since: datetime) -> list[SignalView]:
    """Oldest first, in these teams (None: every team): what live updates re-read when a change names too much to
    say which signals it touched. The caller filters by permission."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM signals WHERE ($1::text[] IS NULL OR team_id = ANY($1)) AND raised_at >= $2 "
            "ORDER BY raised_at, signal_id LIMIT $3", teams, since, MAX_LISTED)
    return [SignalView(*r) for r in rows]
