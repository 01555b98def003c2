"""Escalation rows: the organisation's levels, and each escalation as it stands with its timestamped steps."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.control.escalation import Escalation, EscalationLevels
from projections.base import ProjectedEvent
from projections.control import huddles

EVENTS = (EscalationLevels.EscalationLevelsSet, EscalationLevels.EscalationLevelsChanged, Escalation.EscalationRaised,
          Escalation.EscalationAcknowledged, Escalation.EscalatedFurther, Escalation.EscalationResolved)

_STEP = ("INSERT INTO escalation_steps (escalation_id, position, kind, at, actor, level, note) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
_SET = "UPDATE escalations SET status = $2, position = $3"


async def apply(conn: asyncpg.Connection, e: ProjectedEvent) -> None:
    ev, eid = e.event, e.stream_id
    if isinstance(ev, EscalationLevels.EscalationLevelsSet | EscalationLevels.EscalationLevelsChanged):
        await conn.execute("DELETE FROM escalation_levels")
        await conn.executemany("INSERT INTO escalation_levels (rank, name, response_minutes, position) "
                               "VALUES ($1, $2, $3, $4)",
                               [(i, lv["name"], lv["response_minutes"], e.position) for i, lv in enumerate(ev.levels)])
        return
    at = datetime.fromisoformat(ev.at)
    if isinstance(ev, Escalation.EscalationRaised):
        await conn.execute(
            "INSERT INTO escalations (escalation_id, team_id, source_id, source_kind, summary, level, "
            "response_minutes, level_since, status, raised_at, raised_by, position) VALUES ($1, $2, $3, $4, $5, $6, "
            "$7, $8, 'OPEN', $8, $9, $10) ON CONFLICT DO NOTHING", eid, ev.team_id, ev.source_id, ev.source_kind,
            ev.summary, ev.level, ev.response_minutes, at, e.actor, e.position)
        await conn.execute(_STEP, eid, e.position, "RAISED", at, e.actor, ev.level, ev.summary)
        if ev.source_kind == "HuddleProblem":
            await huddles.escalated(conn, ev.source_id, eid, e.position)
    elif isinstance(ev, Escalation.EscalationAcknowledged):
        await conn.execute(_SET + " WHERE escalation_id = $1", eid, "ACKNOWLEDGED", e.position)
        await conn.execute(_STEP, eid, e.position, "ACKNOWLEDGED", at, e.actor, ev.level, ev.note)
    elif isinstance(ev, Escalation.EscalatedFurther):
        await conn.execute(_SET + ", level = $4, response_minutes = $5, level_since = $6 WHERE escalation_id = $1",
                           eid, "OPEN", e.position, ev.level, ev.response_minutes, at)
        await conn.execute(_STEP, eid, e.position, "ESCALATED", at, e.actor, ev.level, ev.reason)
    elif isinstance(ev, Escalation.EscalationResolved):
        await conn.execute(_SET + ", resolved_at = $4 WHERE escalation_id = $1", eid, "RESOLVED", e.position, at)
        await conn.execute(_STEP, eid, e.position, "RESOLVED", at, e.actor, None, ev.resolution)
