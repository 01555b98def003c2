"""Planning commands: the organisation and its strategy, team membership, the annual quality plan, and the
measures' full definitions.
Each loads one aggregate, calls one method, saves it with its expected version; other aggregates and read
models are only read, for the rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import uuid4

from domain.control.measure import Measure
from domain.errors import InvalidInput, NotFound
from domain.planning.coding import pairs
from domain.planning.membership import Membership
from domain.planning.organisation import Organisation, Priority
from domain.planning.plan import Plan, PlanContext, Revision
from domain.planning.specification import Specification
from domain.planning.team import Team
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.codes import claim_codes, codes_of, release_codes
from service.commands.context import CommandContext
from service.commands.streams import stream_is
from service.ids import valid_uuid

A = TypeVar("A")


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _team_measures(services: Services, team_id: str, measure_ids: Sequence[str]) -> set[str]:
    """Those of `measure_ids` that are the team's measures, from the log itself (a measure's team never
    changes), so a measure defined a moment ago counts even before the catalogue has it."""
    ids = [m for m in measure_ids if valid_uuid(m)]
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT e.stream_id FROM events e JOIN streams s USING (stream_id) "
                                "WHERE e.stream_id = ANY($1) AND e.version = 1 AND s.type = 'Measure' "
                                "AND e.team_id = $2", ids, team_id)
    return {r[0] for r in rows}


async def organisation_of(services: Services, team_id: str) -> str | None:
    """The id of the organisation whose root team is the team or one of its ancestors."""
    async with services.pool.acquire() as conn:
        return await conn.fetchval(
            "WITH RECURSIVE up(team_id, parent_id, depth) AS (SELECT team_id, parent_id, 0 FROM teams "
            "WHERE team_id = $1 UNION ALL SELECT t.team_id, t.parent_id, up.depth + 1 FROM teams t "
            "JOIN up ON t.team_id = up.parent_id WHERE up.depth < 50) "
            "SELECT o.organisation_id FROM up JOIN organisations o ON o.root_team_id = up.team_id LIMIT 1", team_id)


async def _priority_codes(services: Services, team_id: str, year: int) -> set[str]:
    organisation_id = await organisation_of(services, team_id)
    if organisation_id is None:
        return set()
    organisation = await services.repository.load(organisation_id)
    return organisation.priority_codes(year) if isinstance(organisation, Organisation) else set()


async def _on(services: Services, stream_id: str, kind: type[A], field: str, work: Callable[[A], Any]) -> Any:
    """Run a command on an existing aggregate of `kind` (see Repository.update), or raise NotFound."""
    what = kind.__name__.lower()
    if not valid_uuid(stream_id):
        raise NotFound(f"No {what} has id {stream_id}.", field=field)

    async def checked(aggregate: Any) -> Any:
        if not isinstance(aggregate, kind):
            raise NotFound(f"No {what} has id {stream_id}.", field=field)
        return await work(aggregate)

    return await services.repository.update(stream_id, checked)


# -- the plan ---------------------------------------------------------------------------------------------
async def draft_plan(services: Services, ctx: CommandContext, team_id: str, year: int, title: str,
                     needs: Sequence[str], measure_ids: Sequence[str]) -> tuple[str, int]:
    authorize(ctx.principal, "plan.draft", team_id)
    if not await stream_is(services, team_id, "Team"):
        raise InvalidInput(f"No team has id {team_id}.", field="teamId", code="NOT_FOUND")
    plan = Plan.draft(plan_id=uuid4(), team_id=team_id, year=year, title=title, needs=needs,
                      measure_ids=measure_ids, team_measures=await _team_measures(services, team_id, measure_ids),
                      drafted_by=ctx.principal.subject, role=ctx.principal.role.value)
    saved = await services.repository.save(plan, ctx.meta(team_id=team_id))
    return str(plan.id), saved.position


async def _on_plan(services: Services, ctx: CommandContext, plan_id: str, action: str,
                   decide: Callable[[Plan], Any], reason: str | None = None) -> int:
    async def work(plan: Plan) -> int:
        authorize(ctx.principal, action, plan.team_id)
        decide(plan)
        saved = await services.repository.save(plan, ctx.meta(team_id=plan.team_id, reason=reason))
        return saved.position

    return int(await _on(services, plan_id, Plan, "planId", work))


async def revise_plan(services: Services, ctx: CommandContext, plan_id: str, revision: Revision) -> int:
    async def work(plan: Plan) -> int:
        authorize(ctx.principal, "plan.revise", plan.team_id)
        context = PlanContext()
        if revision.measures is not None:
            context = PlanContext(
                team_measures=await _team_measures(services, plan.team_id, [m.measure_id for m in revision.measures]),
                priorities=await _priority_codes(services, plan.team_id, plan.year))
        plan.revise(revision, context)
        saved = await services.repository.save(plan, ctx.meta(team_id=plan.team_id, reason=revision.reason.strip()))
        return saved.position

    return int(await _on(services, plan_id, Plan, "planId", work))


async def raise_need(services: Services, ctx: CommandContext, plan_id: str, text: str) -> int:
    p = ctx.principal
    return await _on_plan(services, ctx, plan_id, "plan.need.raise", lambda plan: plan.raise_need(
        text, p.subject, p.role.value))


async def comment_on_plan(services: Services, ctx: CommandContext, plan_id: str, text: str) -> int:
    p = ctx.principal
    return await _on_plan(services, ctx, plan_id, "plan.comment",
                          lambda plan: plan.comment(text, p.subject, p.role.value, _now()))


async def review_plan(services: Services, ctx: CommandContext, plan_id: str, verdict: str, text: str) -> int:
    return await _on_plan(services, ctx, plan_id, "plan.review",
                          lambda plan: plan.review(ctx.principal.subject, verdict, text, _now()))


async def submit_plan(services: Services, ctx: CommandContext, plan_id: str, reason: str) -> int:
    return await _on_plan(services, ctx, plan_id, "plan.submit",
                          lambda plan: plan.submit(reason, ctx.principal.subject), reason.strip())


async def approve_plan(services: Services, ctx: CommandContext, plan_id: str, reason: str) -> int:
    """Approve a submitted plan. The earlier approved plan of the same team and year is superseded by the
    planning projection, in the transaction that applies this approval (see projections/planning)."""
    return await _on_plan(services, ctx, plan_id, "plan.approve",
                          lambda plan: plan.approve(reason, ctx.principal.subject, _now()), reason.strip())


# -- the organisation -------------------------------------------------------------------------------------
async def _team(services: Services, team_id: str, field: str) -> Team:
    team = await services.repository.load(team_id) if valid_uuid(team_id) else None
    if not isinstance(team, Team):
        raise InvalidInput(f"No team has id {team_id}.", field=field, code="NOT_FOUND")
    return team


async def establish_organisation(services: Services, ctx: CommandContext, name: str,
                                 root_team_id: str) -> tuple[str, int]:
    authorize(ctx.principal, "organisation.establish")
    root = await _team(services, root_team_id, "rootTeamId")
    if root.parent_id is not None:
        raise InvalidInput("An organisation's root team has no parent team.", field="rootTeamId", code="INVALID")
    async with services.pool.acquire() as conn:
        if await conn.fetchval("SELECT 1 FROM organisations WHERE root_team_id = $1", root_team_id):
            raise InvalidInput("That team is already an organisation's root.", field="rootTeamId", code="INVALID")
    organisation = Organisation.establish(organisation_id=uuid4(), name=name, root_team_id=root_team_id)
    saved = await services.repository.save(organisation, ctx.meta(team_id=root_team_id))
    return str(organisation.id), saved.position


async def designate_directorate(services: Services, ctx: CommandContext, organisation_id: str,
                                team_id: str) -> int:
    authorize(ctx.principal, "directorate.designate")
    team = await _team(services, team_id, "teamId")

    async def work(organisation: Organisation) -> int:
        organisation.designate_directorate(team_id, team.parent_id)
        return (await services.repository.save(organisation, ctx.meta(team_id=team_id))).position

    return int(await _on(services, organisation_id, Organisation, "organisationId", work))


async def set_strategy(services: Services, ctx: CommandContext, organisation_id: str, year: int, vision: str,
                       mission: str, priorities: Sequence[Priority], reason: str) -> int:
    authorize(ctx.principal, "strategy.set")

    async def work(organisation: Organisation) -> int:
        organisation.set_strategy(year, vision, mission, priorities, reason)
        meta = ctx.meta(team_id=organisation.root_team_id, reason=reason.strip())
        return (await services.repository.save(organisation, meta)).position

    return int(await _on(services, organisation_id, Organisation, "organisationId", work))


# -- membership -------------------------------------------------------------------------------------------
async def add_member(services: Services, ctx: CommandContext, team_id: str, subject: str, job_role: str,
                     starts: date, ends: date | None) -> tuple[str, int]:
    authorize(ctx.principal, "membership.manage", team_id)
    if not await stream_is(services, team_id, "Team"):
        raise InvalidInput(f"No team has id {team_id}.", field="teamId", code="NOT_FOUND")
    membership = Membership.join(membership_id=uuid4(), team_id=team_id, subject=subject, job_role=job_role,
                                 starts=starts, ends=ends)
    saved = await services.repository.save(membership, ctx.meta(team_id=team_id))
    return str(membership.id), saved.position


async def end_membership(services: Services, ctx: CommandContext, membership_id: str, ends: date,
                         reason: str) -> int:
    async def work(membership: Membership) -> int:
        authorize(ctx.principal, "membership.manage", membership.team_id)
        membership.end(ends, reason)
        meta = ctx.meta(team_id=membership.team_id, reason=reason.strip())
        return (await services.repository.save(membership, meta)).position

    return int(await _on(services, membership_id, Membership, "membershipId", work))


# -- the measures' full definitions -----------------------------------------------------------------------
async def specify_measure(services: Services, ctx: CommandContext, measure_id: str, specification: Specification,
                          reason: str) -> int:
    """Define a measure fully, or change its definition, with the reason (see Measure.specify)."""
    async def work(measure: Measure) -> int:
        team_id = measure.definition.team_id
        authorize(ctx.principal, "measure.specify", team_id)
        async with services.pool.acquire() as conn:
            rows = await conn.fetch("SELECT system, code FROM measure_codes WHERE measure_id <> $1 AND "
                                    "(system, code) IN (SELECT * FROM unnest($2::text[], $3::text[]))", measure_id,
                                    [c.system for c in specification.codes], [c.code for c in specification.codes])
        before = codes_of(measure)
        measure.specify(specification, {(r[0], r[1]) for r in rows}, reason)
        after = pairs(measure.specification["codes"])
        # the read model may lag: the claims decide who holds a pair (see service/commands/codes.py)
        claimed = await claim_codes(services, ctx, measure_id, team_id, [p for p in after if p not in before],
                                    [i for i, p in enumerate(after) if p not in before])
        try:
            saved = await services.repository.save(measure, ctx.meta(team_id=team_id, reason=reason.strip()))
        except BaseException:
            await release_codes(services, ctx, measure_id, team_id, claimed)
            raise
        await release_codes(services, ctx, measure_id, team_id, [p for p in before if p not in after])
        return saved.position

    return int(await _on(services, measure_id, Measure, "measureId", work))
