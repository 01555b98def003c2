"""The balance projection: every event of quality work counted by team, UTC day, aspect and event type, and by
the actor and role that recorded it. Reads every event type (domain/aspects.py says which aspect each is in);
a batch is summed in memory and written in three statements, so the cost is per touched row, not per event."""

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
    versioned = {"balance": VersionedRows("balance_events", None)}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE balance_events, balance_people, balance_measure_days")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        counts: Counter[tuple[str, date, str, str]] = Counter()
        people: Counter[tuple[str, date, str, str, str]] = Counter()
        measure_days: set[tuple[str, str, date]] = set()
        for e in events:
            aspect = aspect_of(type(e.event))
            if aspect is None:
                continue
            team, day, kind = e.team_id or ORGANISATION, e.recorded_at.date(), type(e.event).__name__
            counts[team, day, aspect.value, kind] += 1
            people[team, day, aspect.value, e.actor, e.role] += 1
            if kind == OBSERVATIONS:
                measure_days.add((e.stream_id, team, day))
        if not counts:
            return
        position = events[-1].position
        await conn.execute(
            "INSERT INTO balance_events (team_id, day, aspect, event_type, events, position) "
            "SELECT t, d, a, k, n, $6 FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::int[]) "
            "AS u(t, d, a, k, n) ON CONFLICT (team_id, day, event_type) DO UPDATE SET "
            "events = balance_events.events + EXCLUDED.events, position = EXCLUDED.position",
            *_columns(counts, 4), position)
        await conn.execute(
            "INSERT INTO balance_people (team_id, day, aspect, actor, role, events, position) "
            "SELECT t, d, a, w, r, n, $7 FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], "
            "$6::int[]) AS u(t, d, a, w, r, n) ON CONFLICT (team_id, day, aspect, actor, role) DO UPDATE SET "
            "events = balance_people.events + EXCLUDED.events, position = EXCLUDED.position",
            *_columns(people, 5), position)
        if measure_days:
            m, t, d = (list(c) for c in zip(*measure_days, strict=True))
            await conn.execute("INSERT INTO balance_measure_days (measure_id, team_id, day) "
                               "SELECT * FROM unnest($1::text[], $2::text[], $3::date[]) ON CONFLICT DO NOTHING",
                               m, t, d)


def _columns(counter: Counter[tuple], width: int) -> list[list]:  # type: ignore[type-arg]
    keys = list(counter)
    return [[k[i] for k in keys] for i in range(width)] + [[counter[k] for k in keys]]
