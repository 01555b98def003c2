"""The action tracker's commands: create, complete, cancel, reassign and reschedule an action."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.control.action import Action, ActionSource
from domain.control.huddle import Huddle, problem_huddle
from domain.control.rules import invalid
from domain.errors import NotFound
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on, require_team, service_today, stream_origin


async def action_source(services: Services, team_id: str, source_id: str | None) -> ActionSource:
    """What the source id names. A stream of another team, or a measure of another team, is INVALID; an id the
    service does not know is kept as given (sources of other aspects may not be streams of their own)."""
    if source_id is None:
        return ActionSource()
    huddle_id = problem_huddle(source_id)
    if huddle_id is not None:
        huddle = await services.repository.load(huddle_id)
        if not isinstance(huddle, Huddle):
            return ActionSource(source_id)
        if huddle.team_id != team_id:
            raise invalid(f"sourceId {source_id} is a problem of another team.", "sourceId")
        if int(source_id.rpartition(".")[2]) not in huddle.solved:
            raise NotFound(f"The huddle has no problem {source_id}.", field="sourceId")
        return ActionSource(source_id, "HuddleProblem")
    origin = await stream_origin(services, source_id)
    if origin is None:
        return ActionSource(source_id)
    kind, source_team = origin
    if source_team is not None and source_team != team_id:
        raise invalid(f"sourceId {source_id} belongs to another team.", "sourceId")
    if kind == "Signal":  # an action on a signal notes its measure's chart
        signal = await services.repository.load(source_id)
        return ActionSource(source_id, kind, getattr(signal, "measure_id", None))
    return ActionSource(source_id, kind, source_id if kind == "Measure" else None)


async def create_action(services: Services, ctx: CommandContext, team_id: str, title: str, owner: str | None,
                        due_date: date | None, source_id: str | None) -> tuple[str, int]:
    authorize(ctx.principal, "action.create", team_id)
    await require_team(services, team_id)
    source = await action_source(services, team_id, source_id)
    action = Action.create(action_id=uuid4(), team_id=team_id, title=title, owner=owner, due_date=due_date,
                           source=source, today=service_today(services))
    saved = await services.repository.save(action, ctx.meta(team_id=team_id))
    return str(action.id), saved.position


async def _decide(services: Services, ctx: CommandContext, action_id: str, permission: str, decide: object,
                  reason: str | None = None) -> int:
    async def work(action: Action) -> int:
        authorize(ctx.principal, permission, action.team_id)
        decide(action)  # type: ignore[operator]
        saved = await services.repository.save(action, ctx.meta(team_id=action.team_id,
                                                                 reason=reason.strip() if reason else None))
        return saved.position

    return await on(services, Action, action_id, "actionId", work)


async def complete_action(services: Services, ctx: CommandContext, action_id: str, evidence: str) -> int:
    today = service_today(services)
    return await _decide(services, ctx, action_id, "action.complete", lambda a: a.complete(evidence, today))


async def cancel_action(services: Services, ctx: CommandContext, action_id: str, reason: str) -> int:
    return await _decide(services, ctx, action_id, "action.cancel", lambda a: a.cancel(reason), reason)


async def reassign_action(services: Services, ctx: CommandContext, action_id: str, owner: str, reason: str) -> int:
    return await _decide(services, ctx, action_id, "action.reassign", lambda a: a.reassign(owner, reason), reason)


async def reschedule_action(services: Services, ctx: CommandContext, action_id: str, due_date: date | None,
                            reason: str) -> int:
    return await _decide(services, ctx, action_id, "action.reschedule", lambda a: a.reschedule(due_date, reason),
                         reason)
