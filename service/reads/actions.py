"""The action tracker as the API reads it: pages of actions by due date (one team, or every team the caller may
read), filtered by status and overdue, each action's status history, and overdue counts per team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from domain.errors import InvalidInput
from service.auth.identity import Principal
from service.auth.permissions import allowed
from service.ids import valid_uuid
from service.reads.catalog import Page
from service.reads.cursors import check_first, decode_text_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class ActionView:
    id: str
    team_id: str
    title: str
    owner: str
    due_date: date
    status: str
    source_id: str | None
    source_kind: str | None
    measure_id: str | None
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closing_note: str | None
    position: int

    def overdue(self, today: date) -> bool:
        """OPEN and due before today (in the service's time zone)."""
        return self.status == "OPEN" and self.due_date < today


@dataclass(frozen=True, slots=True)
class ActionStepView:
    kind: str
    at: datetime
    actor: str
    owner: str | None
    due_date: date | None
    note: str | None


_COLUMNS = ("action_id, team_id, title, owner, due_date, status, source_id, source_kind, measure_id, created_at, "
            "created_by, closed_at, closing_note, position")


def readable_teams(principal: Principal, permission: str, team_id: str | None) -> list[str] | None:
    """The teams a read may show: [team_id] or nothing for one team; None (every team) or the caller's own."""
    if team_id is not None:
        return [team_id] if valid_uuid(team_id) and allowed(principal, permission, team_id) else []
    return None if allowed(principal, permission, None) else sorted(principal.teams)


async def actions_page(pool: asyncpg.Pool, principal: Principal, team_id: str | None, status: str | None,
                       overdue: bool | None, today: date, first: int, after: str | None) -> Page[ActionView]:
    """Actions by due date (then id), soonest first. overdue true: OPEN and due before today; false: the others."""
    check_first(first)
    due_after, action_id = _after(after)
    teams = readable_teams(principal, "action.read", team_id)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM actions WHERE (due_date, action_id) > ($1, $2) "
            "AND ($3::text[] IS NULL OR team_id = ANY($3)) AND ($4::text IS NULL OR status = $4) "
            "AND ($5::boolean IS NULL OR (status = 'OPEN' AND due_date < $6) = $5) "
            "ORDER BY due_date, action_id LIMIT $7", due_after, action_id, teams, status, overdue, today, first + 1)
    items = [ActionView(*r) for r in rows[:first]]
    cursors = [encode_cursor(f"{a.due_date.isoformat()}\x1f{a.id}", "action") for a in items]
    return Page(items, cursors, len(rows) > first, None)


def _after(after: str | None) -> tuple[date, str]:
    if after is None:
        return date.min, ""
    due, _, action_id = decode_text_cursor(after, "action").partition("\x1f")
    try:
        return date.fromisoformat(due), action_id
    except ValueError as e:
        raise InvalidInput(f"after: {after!r} is not a cursor this API gave out.", field="after",
                           code="INVALID_CURSOR") from e


async def actions_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, ActionView]:
    ids = [i for i in ids if valid_uuid(i)]  # a malformed id names nothing (and may hold a NUL)
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM actions WHERE action_id = ANY($1)", ids)
    return {r[0]: ActionView(*r) for r in rows}


async def actions_by_source(pool: asyncpg.Pool, source_ids: list[str]) -> dict[str, list[ActionView]]:
    """The actions that answer each source (a huddle, a problem, an escalation, ...), by due date."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM actions WHERE source_id = ANY($1) "
                                "ORDER BY due_date, action_id", source_ids)
    found: dict[str, list[ActionView]] = {}
    for r in rows:
        found.setdefault(r[6], []).append(ActionView(*r))
    return found


async def action_steps(pool: asyncpg.Pool, ids: list[str]) -> dict[str, list[ActionStepView]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT action_id, kind, at, actor, owner, due_date, note FROM action_steps "
                                "WHERE action_id = ANY($1) ORDER BY action_id, position", ids)
    found: dict[str, list[ActionStepView]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(ActionStepView(*r[1:]))
    return found


async def overdue_counts(pool: asyncpg.Pool, principal: Principal, today: date) -> list[tuple[str, int, int]]:
    """For each team the caller may read that has open actions: (team id, open, overdue), most overdue first."""
    teams = readable_teams(principal, "action.read", None)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT team_id, count(*), count(*) FILTER (WHERE due_date < $2) FROM actions WHERE status = 'OPEN' "
            "AND ($1::text[] IS NULL OR team_id = ANY($1)) GROUP BY team_id ORDER BY 3 DESC, 2 DESC, 1",
            teams, today)
    return [(r[0], r[1], r[2]) for r in rows]
