"""Improvement commands: projects (charter, measures, people, the model for improvement, stages, closure) and
their PDSA cycles. Each loads one aggregate, calls one method and saves it with its expected version; the project
is only read when a cycle is planned or recorded (for the rules)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from uuid import uuid4

from domain.errors import NotFound
from domain.improvement.cycle import CyclePlan, PdsaCycle, ProjectFacts
from domain.improvement.project import Charter, Project
from service.auth.identity import Principal
from service.auth.permissions import allowed, authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on, require_team, service_today
from service.ids import valid_uuid


async def linkable_measures(services: Services, principal: Principal, team_id: str,
                            measure_ids: Sequence[str]) -> dict[str, str]:
    """Those of `measure_ids` a project of the team may link, with each one's kind: the team's own measures, and
    another team's that the caller may read. Read from the log (a measure's team and kind never change)."""
    ids = [m for m in measure_ids if valid_uuid(m)]
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT e.stream_id, e.team_id, convert_from(e.data, 'UTF8')::jsonb "
                                "-> 'definition' ->> 'kind' FROM events e JOIN streams s USING (stream_id) "
                                "WHERE e.stream_id = ANY($1) AND e.version = 1 AND s.type = 'Measure'", ids)
    return {r[0]: r[2] for r in rows if r[1] == team_id or allowed(principal, "measure.read", r[1])}


# -- projects -------------------------------------------------------------------------------------------
async def create_project(services: Services, ctx: CommandContext, team_id: str, title: str, aim: str,
                         measure_ids: Sequence[str], planned_end: date | None,
                         opportunity_id: str | None = None) -> tuple[str, int]:
    authorize(ctx.principal, "project.create", team_id)
    await require_team(services, team_id)
    project = Project.create(project_id=uuid4(), team_id=team_id, title=title, aim=aim, measures=measure_ids,
                             linkable=await linkable_measures(services, ctx.principal, team_id, measure_ids),
                             planned_end=planned_end, created_by=ctx.principal.subject, opportunity_id=opportunity_id)
    saved = await services.repository.save(project, ctx.meta(team_id=team_id))
    return str(project.id), saved.position


async def on_project(services: Services, ctx: CommandContext, project_id: str, permission: str,
                     decide: Callable[[Project], Any], reason: str | None = None) -> int:
    async def work(project: Project) -> int:
        authorize(ctx.principal, permission, project.team_id)
        result = decide(project)
        if inspect.isawaitable(result):
            await result
        saved = await services.repository.save(project, ctx.meta(team_id=project.team_id, reason=reason))
        return saved.position

    return await on(services, Project, project_id, "projectId", work)


async def revise_charter(services: Services, ctx: CommandContext, project_id: str, charter: Charter) -> int:
    return await on_project(services, ctx, project_id, "project.decide", lambda p: p.revise_charter(charter),
                            charter.reason.strip())


async def link_project_measures(services: Services, ctx: CommandContext, project_id: str,
                                links: Sequence[tuple[str, str | None]], reason: str) -> int:
    async def decide(project: Project) -> None:
        linkable = await linkable_measures(services, ctx.principal, project.team_id, [m for m, _ in links])
        project.link(links, linkable, reason)

    return await on_project(services, ctx, project_id, "project.decide", decide, reason.strip())


async def sponsor_project(services: Services, ctx: CommandContext, project_id: str) -> int:
    return await on_project(services, ctx, project_id, "project.sponsor",
                            lambda p: p.sponsor_by(ctx.principal.subject))


async def add_project_member(services: Services, ctx: CommandContext, project_id: str, subject: str, name: str,
                             role: str) -> int:
    return await on_project(services, ctx, project_id, "project.decide", lambda p: p.add_member(subject, name, role))


async def state_model_for_improvement(services: Services, ctx: CommandContext, project_id: str, accomplish: str,
                                      know: str, changes: Sequence[str]) -> int:
    return await on_project(services, ctx, project_id, "project.decide",
                            lambda p: p.state_model(accomplish, know, changes))


async def move_project_stage(services: Services, ctx: CommandContext, project_id: str, stage: str,
                             reason: str) -> int:
    return await on_project(services, ctx, project_id, "project.decide", lambda p: p.move_to(stage, reason),
                            reason.strip())


async def close_project(services: Services, ctx: CommandContext, project_id: str, summary: str,
                        lessons: Sequence[str]) -> int:
    today = service_today(services)
    return await on_project(services, ctx, project_id, "project.decide", lambda p: p.close(summary, lessons, today))


# -- PDSA cycles ----------------------------------------------------------------------------------------
async def load_project(services: Services, project_id: str, field: str = "projectId") -> Project:
    """The project, read for the rules of a command on another aggregate (a cycle, a diagram)."""
    project = await services.repository.load(project_id) if valid_uuid(project_id) else None
    if not isinstance(project, Project):
        raise NotFound(f"No project has id {project_id}.", field=field)
    return project


async def plan_cycle(services: Services, ctx: CommandContext, project_id: str, plan: CyclePlan,
                     previous_cycle_id: str | None) -> tuple[str, int]:
    project = await load_project(services, project_id)
    authorize(ctx.principal, "cycle.plan", project.team_id)
    previous = None
    if previous_cycle_id is not None:
        found = await services.repository.load(previous_cycle_id) if valid_uuid(previous_cycle_id) else None
        previous = found if isinstance(found, PdsaCycle) else None
    facts = ProjectFacts(str(project.id), project.team_id, project.closed, project.measure_ids)
    cycle = PdsaCycle.plan(cycle_id=uuid4(), project=facts, plan=plan, previous=previous,
                           previous_cycle_id=previous_cycle_id)
    saved = await services.repository.save(cycle, ctx.meta(team_id=project.team_id))
    return str(cycle.id), saved.position


async def _on_cycle(services: Services, ctx: CommandContext, cycle_id: str, permission: str,
                    decide: Callable[[PdsaCycle, bool], None]) -> int:
    async def work(cycle: PdsaCycle) -> int:
        authorize(ctx.principal, permission, cycle.team_id)
        project = await load_project(services, cycle.project_id)
        decide(cycle, project.closed)
        return (await services.repository.save(cycle, ctx.meta(team_id=cycle.team_id))).position

    return await on(services, PdsaCycle, cycle_id, "cycleId", work)


async def detail_cycle_plan(services: Services, ctx: CommandContext, cycle_id: str, who: str | None,
                            what: str | None, when: str | None, data: str | None) -> int:
    return await _on_cycle(services, ctx, cycle_id, "cycle.plan",
                           lambda c, closed: c.detail(who, what, when, data, closed))


async def record_cycle_do(services: Services, ctx: CommandContext, cycle_id: str, observations: str) -> int:
    return await _on_cycle(services, ctx, cycle_id, "cycle.record", lambda c, closed: c.do(observations, closed))


async def record_cycle_study(services: Services, ctx: CommandContext, cycle_id: str, findings: str) -> int:
    return await _on_cycle(services, ctx, cycle_id, "cycle.record", lambda c, closed: c.study(findings, closed))


async def record_cycle_act(services: Services, ctx: CommandContext, cycle_id: str, decision: str,
                           notes: str | None) -> int:
    return await _on_cycle(services, ctx, cycle_id, "cycle.act", lambda c, closed: c.act(decision, notes, closed))
