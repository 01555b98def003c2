"""The improvement tools' commands: Pareto charts, process flow charts (current and future state) and idea
sessions (list without judgement, then group, vote and choose). Each belongs to a team and, optionally, one of
its projects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from domain.errors import NotFound
from domain.improvement.flowchart import Flowchart
from domain.improvement.ideas import IdeaSession
from domain.improvement.pareto import ParetoChart, failed_criteria
from domain.improvement.rules import invalid
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on, require_team
from service.commands.improvement import load_project
from service.ids import valid_uuid


async def _check_owner(services: Services, team_id: str, project_id: str | None) -> None:
    await require_team(services, team_id)
    if project_id is not None and (await load_project(services, project_id)).team_id != team_id:
        raise invalid(f"Project {project_id} is not one of the team's.", "projectId")


async def _create(services: Services, ctx: CommandContext, permission: str, team_id: str, project_id: str | None,
                  make: Callable[[], Any]) -> tuple[str, int]:
    authorize(ctx.principal, permission, team_id)
    await _check_owner(services, team_id, project_id)
    aggregate = make()
    saved = await services.repository.save(aggregate, ctx.meta(team_id=team_id))
    return str(aggregate.id), saved.position


async def _edit(services: Services, ctx: CommandContext, kind: type, stream_id: str, field: str, permission: str,
                edit: Callable[[Any], Any]) -> int:
    async def work(aggregate: Any) -> int:
        authorize(ctx.principal, permission, aggregate.team_id)
        edit(aggregate)
        return (await services.repository.save(aggregate, ctx.meta(team_id=aggregate.team_id))).position

    return await on(services, kind, stream_id, field, work)


# -- Pareto charts ----------------------------------------------------------------------------------------
async def record_pareto(services: Services, ctx: CommandContext, team_id: str, project_id: str | None, title: str,
                        categories: Sequence[tuple[str, int]]) -> tuple[str, int]:
    return await _create(services, ctx, "pareto.record", team_id, project_id, lambda: ParetoChart.record(
        pareto_id=uuid4(), team_id=team_id, project_id=project_id, title=title, categories=categories))


async def pareto_from_audit(services: Services, ctx: CommandContext, team_id: str, project_id: str | None,
                            audit_id: str, title: str | None) -> tuple[str, int]:
    """A Pareto chart of an audit's failed criteria, counted from the audit's recorded cases (the log itself)."""
    authorize(ctx.principal, "pareto.record", team_id)
    records = await services.store.read_stream(audit_id) if valid_uuid(audit_id) else []
    events = [services.codec.decode(r.stream_id, r.version, r.topic, r.data) for r in records]
    created = events[0] if events and type(events[0]).__name__ == "AuditCreated" else None
    if created is None or created.team_id != team_id:  # type: ignore[attr-defined]
        raise NotFound(f"The team has no audit {audit_id}.", field="auditId")
    criteria = [c["name"] for c in created.criteria]  # type: ignore[attr-defined]
    results = [c["results"] for e in events if type(e).__name__ == "AuditCasesRecorded"
               for c in e.cases]  # type: ignore[attr-defined]
    counts = failed_criteria(criteria, results)
    name = title or f"Failed criteria: {created.title}"  # type: ignore[attr-defined]
    return await _create(services, ctx, "pareto.record", team_id, project_id, lambda: ParetoChart.record(
        pareto_id=uuid4(), team_id=team_id, project_id=project_id, title=name, categories=counts,
        source=("AUDIT", audit_id)))


async def revise_pareto(services: Services, ctx: CommandContext, pareto_id: str,
                        categories: Sequence[tuple[str, int]], reason: str) -> int:
    return await _edit(services, ctx, ParetoChart, pareto_id, "paretoId", "pareto.record",
                       lambda p: p.revise(categories, reason))


# -- flow charts ------------------------------------------------------------------------------------------
async def draw_flowchart(services: Services, ctx: CommandContext, team_id: str, project_id: str | None, title: str,
                         state: str, based_on_id: str | None) -> tuple[str, int]:
    based_on = None
    if based_on_id is not None:
        found = await services.repository.load(based_on_id) if valid_uuid(based_on_id) else None
        based_on = found if isinstance(found, Flowchart) else None
    return await _create(services, ctx, "flowchart.edit", team_id, project_id, lambda: Flowchart.draw(
        flowchart_id=uuid4(), team_id=team_id, project_id=project_id, title=title, state=state, based_on=based_on,
        based_on_id=based_on_id))


async def edit_flowchart(services: Services, ctx: CommandContext, flowchart_id: str,
                         edit: Callable[[Flowchart], Any]) -> int:
    return await _edit(services, ctx, Flowchart, flowchart_id, "flowchartId", "flowchart.edit", edit)


# -- idea sessions ----------------------------------------------------------------------------------------
async def open_idea_session(services: Services, ctx: CommandContext, team_id: str, project_id: str | None,
                            prompt: str) -> tuple[str, int]:
    return await _create(services, ctx, "ideas.run", team_id, project_id, lambda: IdeaSession.open(
        session_id=uuid4(), team_id=team_id, project_id=project_id, prompt=prompt))


async def run_idea_session(services: Services, ctx: CommandContext, session_id: str,
                           edit: Callable[[IdeaSession], Any]) -> int:
    """Move the session on (converge, group, close): its facilitators."""
    return await _edit(services, ctx, IdeaSession, session_id, "sessionId", "ideas.run", edit)


async def list_idea(services: Services, ctx: CommandContext, session_id: str, text: str) -> int:
    return await _edit(services, ctx, IdeaSession, session_id, "sessionId", "ideas.contribute",
                       lambda s: s.list_idea(text, ctx.principal.subject))


async def vote_for_idea(services: Services, ctx: CommandContext, session_id: str, idea_id: str) -> int:
    return await _edit(services, ctx, IdeaSession, session_id, "sessionId", "ideas.contribute",
                       lambda s: s.vote(idea_id, ctx.principal.subject))
