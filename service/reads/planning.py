"""Planning reads: plans (now, and as they stood at an instant, from events), the organisation and its
strategy, membership and how it compares with the token's claims, and a senior leader's alignment view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson
from eventsourcing.utils import get_topic

from domain.planning.plan import Plan
from projections.planning.plans import evolve
from service.auth.identity import Principal
from service.auth.permissions import allowed, authorize
from service.bootstrap import Services
from service.ids import valid_uuid

APPROVED_TOPIC = get_topic(Plan.PlanApproved)  # type: ignore[attr-defined]


def planning_year(today: date) -> int:
    """The planning year an instant falls in: years run from 1 April (2025 = 2025/26)."""
    return today.year if today.month >= 4 else today.year - 1


@dataclass(frozen=True, slots=True)
class PlanView:
    doc: dict[str, Any]
    status: str
    superseded_by: str | None = None
    superseded_at: datetime | None = None
    position: int | None = None   # of the read-model row (None for an as-of view): the version answers depend on

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def team_id(self) -> str:
        return str(self.doc["team_id"])


_PLAN_COLUMNS = "document, status, superseded_by, superseded_at, position"


def _plan(row: Sequence[Any]) -> PlanView:
    return PlanView(orjson.loads(row[0]), row[1], row[2], row[3], row[4])


async def plans_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, PlanView]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT plan_id, {_PLAN_COLUMNS} FROM plans WHERE plan_id = ANY($1)", ids)
    return {r[0]: _plan(tuple(r)[1:]) for r in rows}


async def plans_of_team(pool: asyncpg.Pool, team_id: str) -> list[PlanView]:
    """The team's plans, newest planning year first (and, within a year, the latest drafted first)."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE team_id = $1 "
                                "ORDER BY year DESC, document->>'drafted_at' DESC", team_id)
    return [_plan(r) for r in rows]


async def plan_as_of(services: Services, principal: Principal, plan_id: str, as_of: datetime) -> PlanView | None:
    """The plan as it stood at `as_of`: its own events folded (the read model's fold), and SUPERSEDED if a
    later approval for the same team and year was recorded by then."""
    if not valid_uuid(plan_id):
        return None
    records = await services.store.read_stream(plan_id, until=as_of)
    doc: dict[str, Any] | None = None
    approved_at_position = None
    for r in records:
        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
        doc = evolve(doc, event, r.recorded_at)
        if r.topic == APPROVED_TOPIC:
            approved_at_position = r.position
    if doc is None:
        return None
    authorize(principal, "plan.read", doc["team_id"])
    if approved_at_position is None:
        return PlanView(doc, doc["status"])
    async with services.pool.acquire() as conn:
        later = await conn.fetch("SELECT stream_id, topic, data, version, recorded_at FROM events "
                                 "WHERE team_id = $1 AND topic = $2 AND position > $3 AND recorded_at <= $4 "
                                 "ORDER BY position", doc["team_id"], APPROVED_TOPIC, approved_at_position, as_of)
    for r in later:
        approval: Any = services.codec.decode(r["stream_id"], r["version"], r["topic"], r["data"])
        if approval.year == doc["year"] and r["stream_id"] != plan_id:
            return PlanView(doc, "SUPERSEDED", r["stream_id"], r["recorded_at"])
    return PlanView(doc, doc["status"])


# -- the organisation -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: str
    name: str
    root_team_id: str
    directorates: list[str]


@dataclass(frozen=True, slots=True)
class StrategyView:
    organisation_id: str
    year: int
    vision: str
    mission: str
    priorities: list[dict[str, Any]]
    reason: str
    set_by: str
    set_at: datetime


async def organisations(pool: asyncpg.Pool, ids: Sequence[str] | None = None) -> list[OrganisationView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT organisation_id, name, root_team_id, directorates FROM organisations "
                                "WHERE $1::text[] IS NULL OR organisation_id = ANY($1) ORDER BY name",
                                None if ids is None else list(ids))
    return [OrganisationView(r[0], r[1], r[2], list(r[3])) for r in rows]


async def strategies(pool: asyncpg.Pool, organisation_id: str, year: int | None = None) -> list[StrategyView]:
    """The organisation's strategies, newest year first (one year's, if given)."""
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT organisation_id, year, vision, mission, priorities, reason, set_by, set_at "
                                "FROM strategies WHERE organisation_id = $1 AND ($2::int IS NULL OR year = $2) "
                                "ORDER BY year DESC", organisation_id, year)
    return [StrategyView(r[0], r[1], r[2], r[3], orjson.loads(r[4]), r[5], r[6], r[7]) for r in rows]


async def teams_below(pool: asyncpg.Pool, root_team_id: str) -> list[dict[str, Any]]:
    """Every team below the root (not the root itself), with its parent, ordered by name."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "WITH RECURSIVE down(team_id, depth) AS (SELECT team_id, 0 FROM teams WHERE parent_id = $1 "
            "UNION ALL SELECT t.team_id, down.depth + 1 FROM teams t JOIN down ON t.parent_id = down.team_id "
            "WHERE down.depth < 50) SELECT t.team_id, t.name, t.parent_id FROM down JOIN teams t USING (team_id) "
            "ORDER BY t.name, t.team_id", root_team_id)
    return [{"id": r[0], "name": r[1], "parent_id": r[2]} for r in rows]


async def child_teams(pool: asyncpg.Pool, team_id: str) -> list[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT team_id FROM teams WHERE parent_id = $1 ORDER BY name, team_id", team_id)
    return [r[0] for r in rows]


# -- membership -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MembershipView:
    id: str
    team_id: str
    subject: str
    job_role: str
    starts: date
    ends: date | None

    def current(self, today: date) -> bool:
        return self.starts <= today and (self.ends is None or today <= self.ends)


async def memberships(pool: asyncpg.Pool, *, team_id: str | None = None,
                      subject: str | None = None) -> list[MembershipView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT membership_id, team_id, subject, job_role, starts, ends FROM memberships "
                                "WHERE ($1::text IS NULL OR team_id = $1) AND ($2::text IS NULL OR subject = $2) "
                                "ORDER BY starts, subject, membership_id", team_id, subject)
    return [MembershipView(*r) for r in rows]


@dataclass(frozen=True, slots=True)
class CallerView:
    """The caller as the token claims them, beside their membership as the organisation records it."""

    principal: Principal
    memberships: list[MembershipView]
    claimed_without_membership: list[str]   # teams the token claims, of which the subject is not a current member
    membership_without_claim: list[str]     # teams the subject is a current member of, not claimed by the token


async def caller(services: Services, principal: Principal, today: date) -> CallerView:
    mine = await memberships(services.pool, subject=principal.subject)
    current = {m.team_id for m in mine if m.current(today)}
    return CallerView(principal, mine, sorted(principal.teams - current), sorted(current - principal.teams))


# -- alignment --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class PriorityAlignment:
    priority: dict[str, Any]
    team_ids: list[str] = field(default_factory=list)
    measure_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AlignmentView:
    organisation: OrganisationView
    year: int
    strategy: StrategyView | None
    priorities: list[PriorityAlignment]
    teams_without_approved_plan: list[str]


async def alignment(services: Services, principal: Principal, organisation_id: str,
                    year: int) -> AlignmentView | None:
    """Per strategic priority of the year, the teams and measures whose approved plans serve it; and the teams
    (below the directorates, or directly below the root) that have no approved plan for the year."""
    authorize(principal, "alignment.read")
    found = await organisations(services.pool, [organisation_id]) if valid_uuid(organisation_id) else []
    if not found:
        return None
    org = found[0]
    strategy = next(iter(await strategies(services.pool, org.id, year)), None)
    teams = [t for t in await teams_below(services.pool, org.root_team_id) if t["id"] not in org.directorates]
    team_ids = [t["id"] for t in teams]
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT team_id, document FROM plans WHERE year = $1 AND status = 'APPROVED' "
                                "AND team_id = ANY($2) ORDER BY team_id", year, team_ids)
    by_code = {p["code"]: PriorityAlignment(p) for p in (strategy.priorities if strategy else [])}
    for team_id, document in rows:
        for link in orjson.loads(document)["measures"]:
            for code in link["priorities"]:
                served = by_code.get(code)
                if served is None:
                    continue
                if team_id not in served.team_ids:
                    served.team_ids.append(team_id)
                if link["measure_id"] not in served.measure_ids:
                    served.measure_ids.append(link["measure_id"])
    planned = {r[0] for r in rows}
    return AlignmentView(org, year, strategy, list(by_code.values()),
                         [t for t in team_ids if t not in planned])


def may_read_plan(principal: Principal, team_id: str) -> bool:
    return allowed(principal, "plan.read", team_id)


# -- the measures' full definitions -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SpecificationView:
    measure_id: str
    specification: dict[str, Any]
    reason: str
    specified_by: str
    specified_at: datetime
    position: int


async def specifications_by_measure(pool: asyncpg.Pool, ids: list[str]) -> dict[str, SpecificationView]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT measure_id, specification, reason, specified_by, specified_at, position "
                                "FROM measure_specifications WHERE measure_id = ANY($1)", ids)
    return {r[0]: SpecificationView(r[0], orjson.loads(r[1]), r[2], r[3], r[4], r[5]) for r in rows}
