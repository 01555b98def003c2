"""Escalation commands: configure the organisation's levels; raise an escalation from a huddle problem or a
signal; acknowledge, escalate further and resolve it."""

from __future__ import annotations

from uuid import uuid4

from domain.control.escalation import LEVELS_ID, Escalation, EscalationLevels, Level
from domain.control.huddle import Huddle, problem_huddle
from domain.control.rules import invalid, invalid_state
from domain.errors import NotFound
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.clock import now
from service.commands.context import CommandContext
from service.commands.control import on, require_team, stream_origin


async def configure_levels(services: Services, ctx: CommandContext, levels: list[Level], reason: str) -> int:
    authorize(ctx.principal, "escalation_levels.configure")

    async def work(ladder: EscalationLevels | None) -> int:
        if ladder is None:
            ladder = EscalationLevels.set_up(levels, reason)
        else:
            ladder.change(levels, reason)
        saved = await services.repository.save(ladder, ctx.meta(team_id=None, reason=reason.strip()))
        return saved.position

    return await services.repository.update(str(LEVELS_ID), work)


async def configured_levels(services: Services) -> list[Level]:
    ladder = await services.repository.load(str(LEVELS_ID))
    return list(ladder.levels) if isinstance(ladder, EscalationLevels) else []


async def escalation_source(services: Services, team_id: str, source_id: str) -> str:
    """The kind of what is escalated: an open problem of one of the team's huddles, or one of its signals."""
    huddle_id = problem_huddle(source_id)
    if huddle_id is not None:
        huddle = await services.repository.load(huddle_id)
        number = int(source_id.rpartition(".")[2])
        if isinstance(huddle, Huddle) and number in huddle.solved:
            if huddle.team_id != team_id:
                raise invalid(f"Problem {source_id} was raised by another team.", "sourceId")
            if huddle.solved[number]:
                raise invalid_state(f"Problem {source_id} was solved: there is nothing to escalate.")
            return "HuddleProblem"
    else:
        origin = await stream_origin(services, source_id)
        if origin is not None and origin[0] == "Signal":
            if origin[1] != team_id:
                raise invalid(f"Signal {source_id} belongs to another team.", "sourceId")
            return "Signal"
    raise NotFound(f"No huddle problem or signal has id {source_id}.", field="sourceId")


async def raise_escalation(services: Services, ctx: CommandContext, team_id: str, source_id: str, summary: str,
                           level: str | None) -> tuple[str, int]:
    authorize(ctx.principal, "escalation.raise", team_id)
    await require_team(services, team_id)
    kind = await escalation_source(services, team_id, source_id)
    escalation = Escalation.raise_(escalation_id=uuid4(), team_id=team_id, source_id=source_id, source_kind=kind,
                                   summary=summary, level=level, levels=await configured_levels(services), now=now())
    saved = await services.repository.save(escalation, ctx.meta(team_id=team_id))
    return str(escalation.id), saved.position


async def _step(services: Services, ctx: CommandContext, escalation_id: str, permission: str, decide: object,
                reason: str | None = None) -> tuple[str, int]:
    async def work(escalation: Escalation) -> tuple[str, int]:
        authorize(ctx.principal, permission, escalation.team_id)
        decide(escalation)  # type: ignore[operator]
        saved = await services.repository.save(escalation, ctx.meta(team_id=escalation.team_id,
                                                                     reason=reason.strip() if reason else None))
        return escalation_id, saved.position

    return await on(services, Escalation, escalation_id, "escalationId", work)


async def acknowledge_escalation(services: Services, ctx: CommandContext, escalation_id: str,
                                 note: str) -> tuple[str, int]:
    at = now()
    return await _step(services, ctx, escalation_id, "escalation.acknowledge", lambda e: e.acknowledge(note, at))


async def escalate_further(services: Services, ctx: CommandContext, escalation_id: str, level: str,
                           reason: str) -> tuple[str, int]:
    levels, at = await configured_levels(services), now()
    return await _step(services, ctx, escalation_id, "escalation.escalate",
                       lambda e: e.escalate(level, reason, levels, at), reason)


async def resolve_escalation(services: Services, ctx: CommandContext, escalation_id: str,
                             resolution: str) -> tuple[str, int]:
    at = now()
    return await _step(services, ctx, escalation_id, "escalation.resolve", lambda e: e.resolve(resolution, at))
