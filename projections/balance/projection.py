"""The balance projection: every event of quality work counted by team, UTC day, aspect, event type, and the
actor and role that recorded it, and the days each measure received data. Reads every event type
(domain/aspects.py says which aspect each is in); a batch is summed in memory and written in one statement (two
when it holds observations), so the cost is per touched row, not per event."""

from __future__ import annotations

from collections import Counter
from datetime import date

import asyncpg

from domain.aspects import aspect_of
from projections.base import ProjectedEvent, VersionedRows

OBSERVATIONS = "ObservationsRecorded"
ORGANISATION = ""  # the team_id of events that concern no team


class BalanceProjection:
    name = "balance"
    topics: tuple[str, ...] | None = None
    decodes_events = False  # it counts events by class and envelope: their data is never decoded (see Projection)
    versioned = {"balance": VersionedRows("balance_activity", None)}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE balance_activity, balance_measure_days")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        counts: Counter[tuple[str, date, str, str, str, str]] = Counter()
        measure_days: set[tuple[str, str, date]] = set()
        for e in events:
            aspect = aspect_of(e.kind)
            if aspect is None:
                continue
            team, day, kind = e.team_id or ORGANISATION, e.recorded_at.date(), e.kind.__name__
            counts[team, day, aspect.value, kind, e.actor, e.role] += 1
            if kind == OBSERVATIONS:
                measure_days.add((e.stream_id, team, day))
        if not counts:
            return
        keys = list(counts)
        columns = [[k[i] for k in keys] for i in range(6)]
        await conn.execute(
            "INSERT INTO balance_activity (team_id, day, aspect, event_type, actor, role, events, position) "
            "SELECT t, d, a, k, w, r, n, $8 FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], "
            "$6::text[], $7::int[]) AS u(t, d, a, k, w, r, n) ON CONFLICT (team_id, day, event_type, actor, role) "
            "DO UPDATE SET events = balance_activity.events + EXCLUDED.events, position = EXCLUDED.position",
            *columns, [counts[k] for k in keys], events[-1].position)
        if measure_days:
            m, t, d = (list(c) for c in zip(*measure_days, strict=True))
            await conn.execute("INSERT INTO balance_measure_days (measure_id, team_id, day) "
                               "SELECT * FROM unnest($1::text[], $2::text[], $3::date[]) ON CONFLICT DO NOTHING",
                               m, t, d)

