"""Huddle rows: each huddle, and each problem raised at it (SOLVED, OPEN, or ESCALATED once an escalation names
it). A change to a problem moves its huddle's position, the version cached answers check."""

from __future__ import annotations

import asyncpg

from domain.control.huddle import Huddle, problem_id
from projections.base import ProjectedEvent

EVENTS = (Huddle.HuddleHeld, Huddle.ProblemRaised, Huddle.ProblemSolved)

_PROBLEM = ("INSERT INTO huddle_problems (problem_id, huddle_id, number, description, status, resolution, raised_by, "
            "raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")


async def apply(conn: asyncpg.Connection, e: ProjectedEvent) -> None:
    ev, hid = e.event, e.stream_id
    if isinstance(ev, Huddle.HuddleHeld):
        await conn.execute(
            "INSERT INTO huddles (huddle_id, team_id, held_on, attendees, measure_ids, recorded_at, recorded_by, "
            "position) VALUES ($1, $2, $3::text::date, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING", hid, ev.team_id,
            ev.held_on, ev.attendees, ev.measure_ids, e.recorded_at, e.actor, e.position)
        await conn.executemany(_PROBLEM, [
            (problem_id(hid, p["number"]), hid, p["number"], p["description"],
             "OPEN" if p["resolution"] is None else "SOLVED", p["resolution"], e.actor, e.recorded_at)
            for p in ev.problems])
        return
    if isinstance(ev, Huddle.ProblemRaised):
        await conn.execute(_PROBLEM, problem_id(hid, ev.number), hid, ev.number, ev.description,
                           "OPEN" if ev.resolution is None else "SOLVED", ev.resolution, e.actor, e.recorded_at)
    elif isinstance(ev, Huddle.ProblemSolved):
        await conn.execute("UPDATE huddle_problems SET status = 'SOLVED', resolution = $2 WHERE problem_id = $1",
                           problem_id(hid, ev.number), ev.resolution)
    await touch(conn, hid, e.position)


async def touch(conn: asyncpg.Connection, huddle_id: str, position: int) -> None:
    await conn.execute("UPDATE huddles SET position = $2 WHERE huddle_id = $1", huddle_id, position)


async def escalated(conn: asyncpg.Connection, problem: str, escalation_id: str, position: int) -> None:
    """An escalation raised from a huddle problem marks the problem ESCALATED."""
    huddle_id = await conn.fetchval("UPDATE huddle_problems SET status = 'ESCALATED', escalation_id = $2 "
                                    "WHERE problem_id = $1 RETURNING huddle_id", problem, escalation_id)
    if huddle_id is not None:
        await touch(conn, huddle_id, position)
