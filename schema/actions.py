"""The action tracker: the Action type, the actions connection (per team or for the organisation, overdue
filter), and the mutations that create, complete, cancel, reassign and reschedule an action."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.control.action import ActionStatus
from domain.errors import DomainError
from projections.control.projection import ControlProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.loaders import loader, request_today
from schema.pagination import PageInfo, page_info
from schema.teams import Team, load_team
from service.commands import actions as commands
from service.reads.actions import (
    ActionStepView,
    ActionView,
    action_steps,
    actions_by_id,
    actions_by_source,
    actions_page,
    overdue_counts,
)

if TYPE_CHECKING:
    from schema.measures import Measure

LazyMeasure = Annotated["Measure", strawberry.lazy("schema.measures")]
strawberry.enum(ActionStatus, name="ActionStatus")  # the domain's vocabulary, exposed
WITHHELD = "(withheld)"  # a person's name, for a reader who may not see who is who (service users)


def person(ctx: Context, team_id: str, subject: str) -> str:
    return subject if ctx.can("control.people.read", team_id) else WITHHELD


@strawberry.type
class ActionStep:
    kind: str = strawberry.field(description="CREATED, COMPLETED, CANCELLED, REASSIGNED or RESCHEDULED")
    at: datetime
    actor: str
    owner: str | None = strawberry.field(description="the owner from this step on (CREATED, REASSIGNED)")
    due_date: date | None = strawberry.field(description="the due date from this step on (CREATED, RESCHEDULED)")
    note: str | None = strawberry.field(description="the evidence, or the reason for the change")


@strawberry.type
class Action:
    id: strawberry.ID
    title: str
    owner: str
    due_date: date
    status: ActionStatus
    source_id: strawberry.ID | None
    source_kind: str | None = strawberry.field(
        description="what the source is, when the service knows it: Measure, Huddle, HuddleProblem, Escalation, ...")
    overdue: bool = strawberry.field(description="OPEN and dueDate before today (in the service's time zone)")
    created_at: datetime
    closed_at: datetime | None
    evidence: str | None
    cancel_reason: str | None
    team_id: strawberry.Private[str]
    measure_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, ctx: Context, v: ActionView, today: date) -> Action:
        return cls(id=strawberry.ID(v.id), title=v.title, owner=person(ctx, v.team_id, v.owner), due_date=v.due_date,
                   status=ActionStatus(v.status), source_id=strawberry.ID(v.source_id) if v.source_id else None,
                   source_kind=v.source_kind, overdue=v.overdue(today), created_at=v.created_at, closed_at=v.closed_at,
                   evidence=v.closing_note if v.status == "DONE" else None,
                   cancel_reason=v.closing_note if v.status == "CANCELLED" else None, team_id=v.team_id,
                   measure_id=v.measure_id)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field(description="The measure whose chart the action notes (its source is a measure).")
    async def measure(self, info: Info[Context, None]) -> LazyMeasure | None:
        from schema.measures import Measure

        ctx = info.context
        view = await ctx.measures.load(self.measure_id) if self.measure_id else None
        return Measure.from_view(view) if view is not None and ctx.can("measure.read", view.team_id) else None

    @strawberry.field(description="The status history, oldest first: who did what, when and why.")
    async def history(self, info: Info[Context, None]) -> list[ActionStep]:
        ctx = info.context
        steps: list[ActionStepView] = await loader(ctx, action_steps).load(str(self.id)) or []
        return [ActionStep(kind=s.kind, at=s.at, actor=person(ctx, self.team_id, s.actor),
                           owner=person(ctx, self.team_id, s.owner) if s.owner else None, due_date=s.due_date,
                           note=s.note) for s in steps]


async def load_action(ctx: Context, action_id: str) -> Action | None:
    view = await loader(ctx, actions_by_id).load(action_id)
    if view is None or not ctx.can("action.read", view.team_id):
        return None
    return Action.of(ctx, view, request_today(ctx))


@strawberry.type
class ActionEdge:
    node: Action
    cursor: str


@strawberry.type
class ActionConnection:
    edges: list[ActionEdge]
    page_info: PageInfo


@strawberry.type
class TeamActions:
    team: Team
    open: int
    overdue: int


@strawberry.input
class CreateActionInput:
    team_id: strawberry.ID
    title: str
    owner: str
    due_date: date
    source_id: strawberry.ID | None = None


@strawberry.input
class CompleteActionInput:
    action_id: strawberry.ID
    evidence: str


@strawberry.input
class CancelActionInput:
    action_id: strawberry.ID
    reason: str


@strawberry.input
class ReassignActionInput:
    action_id: strawberry.ID
    owner: str
    reason: str


@strawberry.input
class RescheduleActionInput:
    action_id: strawberry.ID
    due_date: date
    reason: str


@strawberry.type
class ActionPayload:
    action_id: strawberry.Private[str | None]
    position: strawberry.Private[int]
    errors: list[UserError]

    @strawberry.field
    async def action(self, info: Info[Context, None]) -> Action | None:
        """Read-your-writes: the action once the control read model includes this command."""
        if self.action_id is None:
            return None
        await info.context.services.wait_for_projections(self.position, (ControlProjection.name,))
        loader(info.context, actions_by_id).clear_all()
        loader(info.context, action_steps).clear_all()
        loader(info.context, actions_by_source).clear_all()
        return await load_action(info.context, self.action_id)


@strawberry.type
class ActionQueries:
    @strawberry.field(description="Actions by due date, soonest first: of one team, or of every team the caller may "
                                  "read (the organisation's view). overdue: true for OPEN actions due before today.")
    async def actions(self, info: Info[Context, None], team_id: strawberry.ID | None = None,
                      status: ActionStatus | None = None, overdue: bool | None = None, first: int | None = 50,
                      after: str | None = None) -> ActionConnection:
        ctx = info.context
        today = request_today(ctx)
        page = await actions_page(ctx.services.pool, ctx.principal, str(team_id) if team_id else None,
                                  status.value if status else None, overdue, today,
                                  50 if first is None else first, after)
        return ActionConnection(edges=[ActionEdge(node=Action.of(ctx, v, today), cursor=c)
                                       for v, c in zip(page.items, page.cursors, strict=True)],
                                page_info=page_info(page.cursors, page.has_next))

    @strawberry.field
    async def action(self, info: Info[Context, None], id: strawberry.ID) -> Action | None:
        return await load_action(info.context, str(id))

    @strawberry.field(description="Open and overdue actions per team the caller may read, most overdue first.")
    async def action_counts(self, info: Info[Context, None]) -> list[TeamActions]:
        ctx = info.context
        counts = await overdue_counts(ctx.services.pool, ctx.principal, request_today(ctx))
        teams = [await load_team(ctx, team_id) for team_id, _, _ in counts]
        return [TeamActions(team=t or Team(id=strawberry.ID(i), name=""), open=o, overdue=d)
                for t, (i, o, d) in zip(teams, counts, strict=True)]


async def _answer(ctx: Context, run: Awaitable[tuple[str, int]]) -> ActionPayload:
    try:
        action_id, position = await run
    except DomainError as e:
        return ActionPayload(action_id=None, position=0, errors=[user_error(e)])
    return ActionPayload(action_id=action_id, position=ctx.wrote(position), errors=[])


async def _on(action_id: str, run: Awaitable[int]) -> tuple[str, int]:
    return action_id, await run


@strawberry.type
class ActionMutations:
    @strawberry.mutation
    async def create_action(self, info: Info[Context, None], input: CreateActionInput) -> ActionPayload:
        ctx = info.context
        return await _answer(ctx, commands.create_action(
            ctx.services, ctx.command(), str(input.team_id), input.title, input.owner, input.due_date,
            str(input.source_id) if input.source_id is not None else None))

    @strawberry.mutation
    async def complete_action(self, info: Info[Context, None], input: CompleteActionInput) -> ActionPayload:
        ctx, aid = info.context, str(input.action_id)
        return await _answer(ctx, _on(aid, commands.complete_action(ctx.services, ctx.command(), aid, input.evidence)))

    @strawberry.mutation
    async def cancel_action(self, info: Info[Context, None], input: CancelActionInput) -> ActionPayload:
        ctx, aid = info.context, str(input.action_id)
        return await _answer(ctx, _on(aid, commands.cancel_action(ctx.services, ctx.command(), aid, input.reason)))

    @strawberry.mutation
    async def reassign_action(self, info: Info[Context, None], input: ReassignActionInput) -> ActionPayload:
        ctx, aid = info.context, str(input.action_id)
        return await _answer(ctx, _on(aid, commands.reassign_action(ctx.services, ctx.command(), aid, input.owner,
                                                                    input.reason)))

    @strawberry.mutation
    async def reschedule_action(self, info: Info[Context, None], input: RescheduleActionInput) -> ActionPayload:
        ctx, aid = info.context, str(input.action_id)
        return await _answer(ctx, _on(aid, commands.reschedule_action(ctx.services, ctx.command(), aid,
                                                                      input.due_date, input.reason)))
