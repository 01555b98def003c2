"""The planning projection: plans (and which are superseded), organisations, strategies, memberships, and the
measures' full definitions with their codes.

Supersession lives here, not in a second command: when a plan is approved, every other APPROVED plan of the
same team and year becomes SUPERSEDED in the same transaction that records the approval's position. The log's
order decides which approval came later, so a rebuild gives the same answer, and read-your-writes on this
projection shows it as soon as the approval is acknowledged."""

from __future__ import annotations

import asyncpg
import orjson
from eventsourcing.utils import get_topic

from domain.control.measure import Measure
from domain.planning.membership import Membership
from domain.planning.organisation import Organisation
from domain.planning.plan import Plan
from projections.base import ProjectedEvent, VersionedRows
from projections.planning.plans import evolve

PLAN_EVENTS = (Plan.PlanDrafted, Plan.PlanRevised, Plan.NeedRaised, Plan.PlanCommented,  # type: ignore[attr-defined]
               Plan.PlanReviewed, Plan.PlanSubmitted, Plan.PlanApproved)  # type: ignore[attr-defined]
ORGANISATION_EVENTS = (Organisation.OrganisationEstablished, Organisation.DirectorateDesignated,  # type: ignore[attr-defined]
                       Organisation.StrategySet)  # type: ignore[attr-defined]
MEMBERSHIP_EVENTS = (Membership.MemberJoined, Membership.MembershipEnded)  # type: ignore[attr-defined]
SPECIFIED = Measure.MeasureSpecified  # type: ignore[attr-defined]
DEFINED = Measure.MeasureDefined  # its codes, when defined with them (a specification replaces them)
TOPICS = tuple(get_topic(c) for c in (*PLAN_EVENTS, *ORGANISATION_EVENTS, *MEMBERSHIP_EVENTS, SPECIFIED, DEFINED))


class PlanningProjection:
    name = "planning"
    topics: tuple[str, ...] | None = TOPICS
    # Plans answer from the cache while their rows stand still; a supersession moves the superseded row too.
    versioned = {"plan": VersionedRows("plans", "plan_id"), "plans_of": VersionedRows("plans", "team_id"),
                 "spec": VersionedRows("measure_specifications", "measure_id")}

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE plans, organisations, strategies, memberships, measure_specifications, "
                           "measure_codes")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        for e in events:  # one at a time: the order of approvals decides supersession
            if isinstance(e.event, PLAN_EVENTS):
                await self._plan(conn, e)
            elif isinstance(e.event, ORGANISATION_EVENTS):
                await self._organisation(conn, e)
            elif isinstance(e.event, MEMBERSHIP_EVENTS):
                await self._membership(conn, e)
            elif isinstance(e.event, SPECIFIED):
                await self._specified(conn, e)
            elif isinstance(e.event, DEFINED) and e.event.definition.get("codes"):
                await conn.executemany("INSERT INTO measure_codes (system, code, measure_id) VALUES ($1, $2, $3) "
                                       "ON CONFLICT DO NOTHING",
                                       [(c["system"], c["code"], e.stream_id) for c in e.event.definition["codes"]])

    async def _plan(self, conn: asyncpg.Connection, e: ProjectedEvent) -> None:
        stored = await conn.fetchval("SELECT document FROM plans WHERE plan_id = $1", e.stream_id)
        doc = evolve(orjson.loads(stored) if stored is not None else None, e.event, e.recorded_at)
        if doc is None:
            return
        approved = type(e.event).__name__ == "PlanApproved"
        await conn.execute(
            "INSERT INTO plans (plan_id, team_id, year, title, status, approved_position, document, position) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8) ON CONFLICT (plan_id) DO UPDATE SET "
            "title = EXCLUDED.title, document = EXCLUDED.document, position = EXCLUDED.position, "
            "approved_position = coalesce(EXCLUDED.approved_position, plans.approved_position), "
            "status = CASE WHEN plans.status = 'SUPERSEDED' THEN plans.status ELSE EXCLUDED.status END",
            e.stream_id, doc["team_id"], doc["year"], doc["title"], doc["status"], e.position if approved else None,
            orjson.dumps(doc).decode(), e.position)
        if approved:
            await conn.execute(
                "UPDATE plans SET status = 'SUPERSEDED', superseded_by = $1, superseded_at = $4, position = $5 "
                "WHERE team_id = $2 AND year = $3 AND status = 'APPROVED' AND plan_id <> $1",
                e.stream_id, doc["team_id"], doc["year"], e.recorded_at, e.position)

    async def _organisation(self, conn: asyncpg.Connection, e: ProjectedEvent) -> None:
        ev = e.event
        if isinstance(ev, Organisation.OrganisationEstablished):
            await conn.execute("INSERT INTO organisations (organisation_id, name, root_team_id, position) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", e.stream_id, ev.name,
                               ev.root_team_id, e.position)
        elif type(ev).__name__ == "DirectorateDesignated":
            await conn.execute("UPDATE organisations SET directorates = array_append(directorates, $2), "
                               "position = $3 WHERE organisation_id = $1 AND NOT $2 = ANY(directorates)",
                               e.stream_id, ev.team_id, e.position)
        elif type(ev).__name__ == "StrategySet":
            await conn.execute(
                "INSERT INTO strategies (organisation_id, year, vision, mission, priorities, reason, set_by, set_at, "
                "position) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9) "
                "ON CONFLICT (organisation_id, year) DO UPDATE SET vision = EXCLUDED.vision, "
                "mission = EXCLUDED.mission, priorities = EXCLUDED.priorities, reason = EXCLUDED.reason, "
                "set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at, position = EXCLUDED.position",
                e.stream_id, ev.year, ev.vision, ev.mission, orjson.dumps(ev.priorities).decode(), ev.reason,
                e.actor, e.recorded_at, e.position)

    async def _specified(self, conn: asyncpg.Connection, e: ProjectedEvent) -> None:
        spec = e.event.specification
        await conn.execute(
            "INSERT INTO measure_specifications (measure_id, specification, reason, specified_by, specified_at, "
            "position) VALUES ($1, $2::text::jsonb, $3, $4, $5, $6) ON CONFLICT (measure_id) DO UPDATE SET "
            "specification = EXCLUDED.specification, reason = EXCLUDED.reason, specified_by = EXCLUDED.specified_by, "
            "specified_at = EXCLUDED.specified_at, position = EXCLUDED.position",
            e.stream_id, orjson.dumps(spec).decode(), e.event.reason, e.actor, e.recorded_at, e.position)
        await conn.execute("DELETE FROM measure_codes WHERE measure_id = $1", e.stream_id)
        await conn.executemany("INSERT INTO measure_codes (system, code, measure_id) VALUES ($1, $2, $3) "
                               "ON CONFLICT DO NOTHING", [(c["system"], c["code"], e.stream_id) for c in spec["codes"]])

    async def _membership(self, conn: asyncpg.Connection, e: ProjectedEvent) -> None:
        ev = e.event
        if isinstance(ev, Membership.MemberJoined):
            await conn.execute("INSERT INTO memberships (membership_id, team_id, subject, job_role, starts, ends, "
                               "position) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                               e.stream_id, ev.team_id, ev.subject, ev.job_role, ev.starts, ev.ends, e.position)
        else:
            await conn.execute("UPDATE memberships SET ends = $2, position = $3 WHERE membership_id = $1",
                               e.stream_id, ev.ends, e.position)
