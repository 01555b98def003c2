"""Improvement opportunities: propose, vote (each person once), choose or decline with the reason, and start a
project from a chosen one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import uuid4

from domain.errors import NotFound
from domain.improvement.opportunity import Opportunity
from domain.improvement.project import Project
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on, require_team
from service.commands.improvement import linkable_measures
from service.ids import valid_uuid


async def propose_opportunity(services: Services, ctx: CommandContext, team_id: str, title: str,
                              description: str | None) -> tuple[str, int]:
    authorize(ctx.principal, "opportunity.propose", team_id)
    await require_team(services, team_id)
    p = ctx.principal
    opportunity = Opportunity.propose(opportunity_id=uuid4(), team_id=team_id, title=title, description=description,
                                      proposed_by=p.subject, role=p.role.value)
    saved = await services.repository.save(opportunity, ctx.meta(team_id=team_id))
    return str(opportunity.id), saved.position


async def _decide(services: Services, ctx: CommandContext, opportunity_id: str, permission: str,
                  decide: object, reason: str | None = None) -> int:
    async def work(opportunity: Opportunity) -> int:
        authorize(ctx.principal, permission, opportunity.team_id)
        decide(opportunity)  # type: ignore[operator]
        meta = ctx.meta(team_id=opportunity.team_id, reason=reason.strip() if reason else None)
        return (await services.repository.save(opportunity, meta)).position

    return await on(services, Opportunity, opportunity_id, "opportunityId", work)


async def vote_for_opportunity(services: Services, ctx: CommandContext, opportunity_id: str) -> int:
    p = ctx.principal
    return await _decide(services, ctx, opportunity_id, "opportunity.vote", lambda o: o.vote(p.subject, p.role.value))


async def choose_opportunity(services: Services, ctx: CommandContext, opportunity_id: str, reason: str) -> int:
    return await _decide(services, ctx, opportunity_id, "opportunity.choose",
                         lambda o: o.choose(reason, ctx.principal.subject), reason)


async def decline_opportunity(services: Services, ctx: CommandContext, opportunity_id: str, reason: str) -> int:
    return await _decide(services, ctx, opportunity_id, "opportunity.choose",
                         lambda o: o.decline(reason, ctx.principal.subject), reason)


async def start_project(services: Services, ctx: CommandContext, opportunity_id: str, title: str, aim: str,
                        measure_ids: Sequence[str], planned_end: date | None) -> tuple[str, int]:
    """A project of the opportunity's team, from the opportunity the team chose (the opportunity is only read)."""
    opportunity = await services.repository.load(opportunity_id) if valid_uuid(opportunity_id) else None
    if not isinstance(opportunity, Opportunity):
        raise NotFound(f"No opportunity has id {opportunity_id}.", field="opportunityId")
    team_id = opportunity.team_id
    authorize(ctx.principal, "project.create", team_id)
    opportunity.check_can_start_a_project()
    project = Project.create(project_id=uuid4(), team_id=team_id, title=title, aim=aim, measures=measure_ids,
                             linkable=await linkable_measures(services, ctx.principal, team_id, measure_ids),
                             planned_end=planned_end, created_by=ctx.principal.subject, opportunity_id=opportunity_id)
    saved = await services.repository.save(project, ctx.meta(team_id=team_id))
    return str(project.id), saved.position
