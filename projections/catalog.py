"""The catalogue read model: teams and measures as they stand, for lists, lookups and permissions."""

from __future__ import annotations

import asyncpg
from eventsourcing.utils import get_topic

from domain.control.measure import Measure
from domain.planning.team import Team
from projections.base import ProjectedEvent, VersionedRows

TOPICS = tuple(get_topic(c) for c in (Team.TeamCreated, Measure.MeasureDefined,
                                      Measure.TargetSet))


class CatalogProjection:
    name = "catalog"
    topics: tuple[str, ...] | None = TOPICS
    versioned = {
        "t": VersionedRows("teams", "team_id"), "m": VersionedRows("measures", "measure_id"),
        "teams_of": VersionedRows("teams", "parent_id"), "measures_of": VersionedRows("measures", "team_id"),
        "teams": VersionedRows("teams", None), "measures": VersionedRows("measures", None),
    }

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE teams, measures")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:
            ev = e.event
            if isinstance(ev, Team.TeamCreated):
                await conn.execute("INSERT INTO teams (team_id, name, parent_id, created_at, position) "
                                   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", e.stream_id, ev.name,
                                   ev.parent_id, e.recorded_at, e.position)
            elif isinstance(ev, Measure.MeasureDefined):
                d = ev.definition
                await conn.execute(
                    "INSERT INTO measures (measure_id, team_id, name, kind, direction, chart_type, frequency, unit, "
                    "target, shift_run_length, trend_run_length, created_at, position) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
                    e.stream_id, d["team_id"], d["name"], d["kind"], d["direction"], d["chart_type"],
                    d["frequency"], d["unit"], d["target"], d["shift_run_length"], d["trend_run_length"],
                    e.recorded_at, e.position)
            elif isinstance(ev, Measure.TargetSet):
                await conn.execute("UPDATE measures SET target = $2, position = $3 WHERE measure_id = $1",
                                   e.stream_id, ev.target, e.position)
