"""The action tracker's rows: each action as it stands, and its status history (who, when, why)."""

from __future__ import annotations

import asyncpg

from domain.control.action import Action
from projections.base import ProjectedEvent

EVENTS = (Action.ActionCreated, Action.ActionCompleted, Action.ActionCancelled, Action.ActionReassigned,
          Action.ActionRescheduled)

_STEP = ("INSERT INTO action_steps (action_id, position, kind, at, actor, owner, due_date, note) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8) ON CONFLICT DO NOTHING")


async def apply(conn: asyncpg.Connection, e: ProjectedEvent) -> None:
    ev, aid, at = e.event, e.stream_id, e.recorded_at
    if isinstance(ev, Action.ActionCreated):
        await conn.execute(
            "INSERT INTO actions (action_id, team_id, title, owner, due_date, status, source_id, source_kind, "
            "measure_id, created_at, created_by, position) VALUES ($1, $2, $3, $4, $5::text::date, 'OPEN', $6, $7, "
            "$8, $9, $10, $11) ON CONFLICT DO NOTHING", aid, ev.team_id, ev.title, ev.owner, ev.due_date,
            ev.source_id, ev.source_kind, ev.measure_id, at, e.actor, e.position)
        await conn.execute(_STEP, aid, e.position, "CREATED", at, e.actor, ev.owner, ev.due_date, None)
    elif isinstance(ev, Action.ActionCompleted | Action.ActionCancelled):
        done = isinstance(ev, Action.ActionCompleted)
        note = ev.evidence if isinstance(ev, Action.ActionCompleted) else ev.reason
        await conn.execute("UPDATE actions SET status = $2, closed_at = $3, closing_note = $4, position = $5 "
                           "WHERE action_id = $1", aid, "DONE" if done else "CANCELLED", at, note, e.position)
        await conn.execute(_STEP, aid, e.position, "COMPLETED" if done else "CANCELLED", at, e.actor, None, None,
                           note)
    elif isinstance(ev, Action.ActionReassigned):
        await conn.execute("UPDATE actions SET owner = $2, position = $3 WHERE action_id = $1", aid, ev.owner,
                           e.position)
        await conn.execute(_STEP, aid, e.position, "REASSIGNED", at, e.actor, ev.owner, None, ev.reason)
    elif isinstance(ev, Action.ActionRescheduled):
        await conn.execute("UPDATE actions SET due_date = $2::text::date, position = $3 WHERE action_id = $1", aid,
                           ev.due_date, e.position)
        await conn.execute(_STEP, aid, e.position, "RESCHEDULED", at, e.actor, None, ev.due_date, ev.reason)
