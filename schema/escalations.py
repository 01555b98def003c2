"""Escalation: the organisation's levels, escalations with their timestamped steps (flagged when open past their
level's response time), and the mutations that configure levels and raise, acknowledge, escalate and resolve."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.control.escalation import EscalationStatus, Level
from domain.errors import DomainError
from projections.control.projection import ControlProjection
from schema.actions import Action, person
from schema.context import Context
from schema.errors import UserError, user_error
from schema.huddles import actions_for
from schema.loaders import loader
from schema.teams import Team, load_team
from service.clock import now
from service.commands import escalations as commands
from service.reads.escalations import (
    EscalationView,
    StepView,
    escalation_steps,
    escalations_by_id,
    escalations_of,
    levels,
)

strawberry.enum(EscalationStatus, name="EscalationStatus")


@strawberry.type
class EscalationLevel:
    name: str
    response_minutes: int = strawberry.field(description="How long the level has to acknowledge an escalation.")


@strawberry.type
class EscalationStep:
    kind: str = strawberry.field(description="RAISED, ACKNOWLEDGED, ESCALATED or RESOLVED")
    at: datetime
    actor: str
    level: str | None
    note: str | None = strawberry.field(description="the summary, note, reason or resolution")


@strawberry.type
class Escalation:
    id: strawberry.ID
    source_id: strawberry.ID = strawberry.field(description="The huddle problem or signal escalated.")
    source_kind: str | None
    summary: str
    level: str
    status: EscalationStatus
    raised_at: datetime
    raised_by: str
    level_since: datetime = strawberry.field(description="When it reached its current level.")
    respond_by: datetime = strawberry.field(description="When its current level should have acknowledged it.")
    overdue: bool = strawberry.field(description="OPEN (not acknowledged at its level) past its level's response "
                                                 "time.")
    resolved_at: datetime | None
    team_id: strawberry.Private[str]

    @classmethod
    def of(cls, ctx: Context, v: EscalationView) -> Escalation:
        ctx.uncacheable()  # overdue changes with the clock, not with a read-model row
        return cls(id=strawberry.ID(v.id), source_id=strawberry.ID(v.source_id), source_kind=v.source_kind,
                   summary=v.summary, level=v.level, status=EscalationStatus(v.status), raised_at=v.raised_at,
                   raised_by=person(ctx, v.team_id, v.raised_by), level_since=v.level_since,
                   respond_by=v.respond_by(), overdue=v.overdue(now()), resolved_at=v.resolved_at,
                   team_id=v.team_id)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field(description="Each step, oldest first, with who took it and when.")
    async def steps(self, info: Info[Context, None]) -> list[EscalationStep]:
        ctx = info.context
        steps: list[StepView] = await loader(ctx, escalation_steps).load(str(self.id)) or []
        return [EscalationStep(kind=s.kind, at=s.at, actor=person(ctx, self.team_id, s.actor), level=s.level,
                               note=s.note) for s in steps]

    @strawberry.field(description="The actions agreed for this escalation (actions whose source it is).")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.id)])


async def load_escalation(ctx: Context, escalation_id: str) -> Escalation | None:
    view = await loader(ctx, escalations_by_id).load(escalation_id)
    if view is None or not ctx.can("escalation.read", view.team_id):
        return None
    return Escalation.of(ctx, view)


@strawberry.input
class EscalationLevelInput:
    name: str
    response_minutes: int


@strawberry.input
class ConfigureEscalationLevelsInput:
    levels: list[EscalationLevelInput] = strawberry.field(description="Lowest level first.")
    reason: str


@strawberry.input
class RaiseEscalationInput:
    team_id: strawberry.ID
    source_id: strawberry.ID = strawberry.field(description="A huddle problem's id, or a signal's.")
    summary: str
    level: str | None = strawberry.field(default=None, description="Default: the lowest level.")


@strawberry.input
class AcknowledgeEscalationInput:
    escalation_id: strawberry.ID
    note: str


@strawberry.input
class EscalateFurtherInput:
    escalation_id: strawberry.ID
    level: str
    reason: str


@strawberry.input
class ResolveEscalationInput:
    escalation_id: strawberry.ID
    resolution: str


@strawberry.type
class EscalationLevelsPayload:
    position: strawberry.Private[int]
    errors: list[UserError]

    @strawberry.field
    async def levels(self, info: Info[Context, None]) -> list[EscalationLevel]:
        if self.errors:
            return []
        await info.context.services.wait_for_projections(self.position, (ControlProjection.name,))
        return [EscalationLevel(name=lv.name, response_minutes=lv.response_minutes)
                for lv in await levels(info.context.services.pool)]


@strawberry.type
class EscalationPayload:
    escalation_id: strawberry.Private[str | None]
    position: strawberry.Private[int]
    errors: list[UserError]

    @strawberry.field
    async def escalation(self, info: Info[Context, None]) -> Escalation | None:
        """Read-your-writes: the escalation once the control read model includes this command."""
        if self.escalation_id is None:
            return None
        await info.context.services.wait_for_projections(self.position, (ControlProjection.name,))
        loader(info.context, escalations_by_id).clear_all()
        loader(info.context, escalation_steps).clear_all()
        return await load_escalation(info.context, self.escalation_id)


@strawberry.type
class EscalationQueries:
    @strawberry.field(description="The organisation's escalation levels, lowest first.")
    async def escalation_levels(self, info: Info[Context, None]) -> list[EscalationLevel]:
        ctx = info.context
        found = await levels(ctx.services.pool)
        ctx.depend("levels:", max((lv.position for lv in found), default=None))
        return [EscalationLevel(name=lv.name, response_minutes=lv.response_minutes) for lv in found]

    @strawberry.field(description="Escalations newest first, of one team or of every team the caller may read. "
                                  "open: true = not resolved, false = resolved, null = all.")
    async def escalations(self, info: Info[Context, None], team_id: strawberry.ID | None = None,
                          open: bool | None = True) -> list[Escalation]:
        ctx = info.context
        views = await escalations_of(ctx.services.pool, ctx.principal, str(team_id) if team_id else None, open)
        return [Escalation.of(ctx, v) for v in views]

    @strawberry.field
    async def escalation(self, info: Info[Context, None], id: strawberry.ID) -> Escalation | None:
        return await load_escalation(info.context, str(id))


async def _answer(ctx: Context, run: Awaitable[tuple[str, int]]) -> EscalationPayload:
    try:
        escalation_id, position = await run
    except DomainError as e:
        return EscalationPayload(escalation_id=None, position=0, errors=[user_error(e)])
    return EscalationPayload(escalation_id=escalation_id, position=ctx.wrote(position), errors=[])


@strawberry.type
class EscalationMutations:
    @strawberry.mutation(description="Set the organisation's escalation levels, lowest first (senior leaders).")
    async def configure_escalation_levels(self, info: Info[Context, None],
                                          input: ConfigureEscalationLevelsInput) -> EscalationLevelsPayload:
        ctx = info.context
        try:
            position = await commands.configure_levels(
                ctx.services, ctx.command(), [Level(lv.name, lv.response_minutes) for lv in input.levels],
                input.reason)
        except DomainError as e:
            return EscalationLevelsPayload(position=0, errors=[user_error(e)])
        return EscalationLevelsPayload(position=ctx.wrote(position), errors=[])

    @strawberry.mutation
    async def raise_escalation(self, info: Info[Context, None], input: RaiseEscalationInput) -> EscalationPayload:
        ctx = info.context
        return await _answer(ctx, commands.raise_escalation(ctx.services, ctx.command(), str(input.team_id),
                                                            str(input.source_id), input.summary, input.level))

    @strawberry.mutation
    async def acknowledge_escalation(self, info: Info[Context, None],
                                     input: AcknowledgeEscalationInput) -> EscalationPayload:
        ctx = info.context
        return await _answer(ctx, commands.acknowledge_escalation(ctx.services, ctx.command(),
                                                                  str(input.escalation_id), input.note))

    @strawberry.mutation
    async def escalate_further(self, info: Info[Context, None], input: EscalateFurtherInput) -> EscalationPayload:
        ctx = info.context
        return await _answer(ctx, commands.escalate_further(ctx.services, ctx.command(), str(input.escalation_id),
                                                            input.level, input.reason))

    @strawberry.mutation
    async def resolve_escalation(self, info: Info[Context, None], input: ResolveEscalationInput) -> EscalationPayload:
        ctx = info.context
        return await _answer(ctx, commands.resolve_escalation(ctx.services, ctx.command(), str(input.escalation_id),
                                                              input.resolution))
