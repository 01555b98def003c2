"""Huddles as the API reads them: a team's huddles newest first (the first is its last huddle), one huddle by id,
and each huddle's problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from domain.errors import InvalidInput
from service.ids import valid_uuid
from service.reads.catalog import Page
from service.reads.cursors import check_first, decode_text_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class HuddleView:
    id: str
    team_id: str
    held_on: date
    attendees: list[str]
    measure_ids: list[str]
    recorded_at: datetime
    recorded_by: str
    position: int


@dataclass(frozen=True, slots=True)
class ProblemView:
    id: str
    huddle_id: str
    number: int
    description: str
    status: str
    resolution: str | None
    raised_by: str
    raised_at: datetime
    escalation_id: str | None


_COLUMNS = "huddle_id, team_id, held_on, attendees, measure_ids, recorded_at, recorded_by, position"
def _after(after: str | None) -> tuple[date | None, str]:
    if after is None:
        return None, ""
    held, _, huddle_id = decode_text_cursor(after, "huddle").partition("\x1f")
    try:
        return date.fromisoformat(held), huddle_id
    except ValueError as e:
        raise InvalidInput(f"after: {after!r} is not a cursor this API gave out.", field="after",
                           code="INVALID_CURSOR") from e


async def huddles_page(pool: asyncpg.Pool, team_id: str, first: int, after: str | None) -> Page[HuddleView]:
    """The team's huddles, newest first; Page.version is the team's latest huddle position."""
    check_first(first)
    held, huddle_id = _after(after)
    if not valid_uuid(team_id):
        return Page([], [], False, None)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM huddles WHERE team_id = $1 "
            "AND ($2::date IS NULL OR (held_on, huddle_id) < ($2, $3)) ORDER BY held_on DESC, huddle_id DESC "
            "LIMIT $4", team_id, held, huddle_id, first + 1)
        version = await conn.fetchval("SELECT max(position) FROM huddles WHERE team_id = $1", team_id)
    items = [HuddleView(*r) for r in rows[:first]]
    cursors = [encode_cursor(f"{h.held_on.isoformat()}\x1f{h.id}", "huddle") for h in items]
    return Page(items, cursors, len(rows) > first, version)


async def huddles_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, HuddleView]:
    ids = [i for i in ids if valid_uuid(i)]  # a malformed id names nothing (and may hold a NUL)
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM huddles WHERE huddle_id = ANY($1)", ids)
    return {r[0]: HuddleView(*r) for r in rows}


async def problems_by_huddle(pool: asyncpg.Pool, ids: list[str]) -> dict[str, list[ProblemView]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT problem_id, huddle_id, number, description, status, resolution, raised_by, "
                                "raised_at, escalation_id FROM huddle_problems WHERE huddle_id = ANY($1) "
                                "ORDER BY huddle_id, number", ids)
    found: dict[str, list[ProblemView]] = {}
    for r in rows:
        found.setdefault(r[1], []).append(ProblemView(*r))
    return found
