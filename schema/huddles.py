"""Huddles: the Huddle type with its problems and the actions agreed, a team's huddles newest first, its last
huddle, and the mutations that record a huddle and raise and solve its problems."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.control.huddle import ProblemIn, ProblemStatus
from domain.errors import DomainError
from projections.control.projection import ControlProjection
from schema.actions import WITHHELD, Action, person
from schema.context import Context
from schema.errors import UserError, user_error
from schema.loaders import loader, request_today
from schema.pagination import PageInfo, page_info
from schema.teams import Team, load_team
from service.commands import huddles as commands
from service.reads.actions import actions_by_source
from service.reads.huddles import HuddleView, ProblemView, huddles_by_id, huddles_page, problems_by_huddle

if TYPE_CHECKING:
    from schema.escalations import Escalation
    from schema.measures import Measure

LazyMeasure = Annotated["Measure", strawberry.lazy("schema.measures")]
LazyEscalation = Annotated["Escalation", strawberry.lazy("schema.escalations")]
strawberry.enum(ProblemStatus, name="ProblemStatus")


async def actions_for(ctx: Context, source_ids: list[str]) -> list[Action]:
    """The actions agreed for these sources (a huddle, its problems), by due date."""
    found = await loader(ctx, actions_by_source).load_many(source_ids)
    today = request_today(ctx)
    views = sorted((v for vs in found if vs for v in vs), key=lambda v: (v.due_date, v.id))
    return [Action.of(ctx, v, today) for v in views if ctx.can("action.read", v.team_id)]


@strawberry.type
class HuddleProblem:
    id: strawberry.ID
    number: int
    description: str
    status: ProblemStatus
    resolution: str | None
    raised_by: str
    raised_at: datetime
    escalation_id: strawberry.Private[str | None]

    @strawberry.field(description="The escalation raised from this problem, if any.")
    async def escalation(self, info: Info[Context, None]) -> LazyEscalation | None:
        from schema.escalations import load_escalation

        return await load_escalation(info.context, self.escalation_id) if self.escalation_id else None

    @strawberry.field(description="The actions agreed for this problem.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.id)])


@strawberry.type
class Huddle:
    id: strawberry.ID
    date: date
    attendees: list[str] = strawberry.field(description="Who attended; empty for a reader who may not see names.")
    recorded_at: datetime
    recorded_by: str
    team_id: strawberry.Private[str]
    measure_ids: strawberry.Private[list[str]]

    @classmethod
    def of(cls, ctx: Context, v: HuddleView) -> Huddle:
        names = ctx.can("control.people.read", v.team_id)
        return cls(id=strawberry.ID(v.id), date=v.held_on, attendees=list(v.attendees) if names else [],
                   recorded_at=v.recorded_at, recorded_by=v.recorded_by if names else WITHHELD, team_id=v.team_id,
                   measure_ids=list(v.measure_ids))

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field(description="The measures reviewed, those the caller may read.")
    async def measures(self, info: Info[Context, None]) -> list[LazyMeasure]:
        from schema.measures import Measure

        ctx = info.context
        views = await ctx.measures.load_many(self.measure_ids)
        for measure_id, view in zip(self.measure_ids, views, strict=True):
            ctx.depend(f"m:{measure_id}", view.position if view else None)
        return [Measure.from_view(v) for v in views if v is not None and ctx.can("measure.read", v.team_id)]

    @strawberry.field(description="The problems raised, in the order they were raised.")
    async def problems(self, info: Info[Context, None]) -> list[HuddleProblem]:
        ctx = info.context
        views: list[ProblemView] = await loader(ctx, problems_by_huddle).load(str(self.id)) or []
        return [HuddleProblem(id=strawberry.ID(p.id), number=p.number, description=p.description,
                              status=ProblemStatus(p.status), resolution=p.resolution,
                              raised_by=person(ctx, self.team_id, p.raised_by), raised_at=p.raised_at,
                              escalation_id=p.escalation_id) for p in views]

    @strawberry.field(description="The actions agreed at the huddle and for its problems, by due date.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        ctx = info.context
        problems: list[ProblemView] = await loader(ctx, problems_by_huddle).load(str(self.id)) or []
        return await actions_for(ctx, [str(self.id), *(p.id for p in problems)])


async def load_huddle(ctx: Context, huddle_id: str) -> Huddle | None:
    view = await loader(ctx, huddles_by_id).load(huddle_id)
    ctx.depend(f"h:{huddle_id}", view.position if view else None)
    if view is None or not ctx.can("huddle.read", view.team_id):
        return None
    return Huddle.of(ctx, view)


@strawberry.type
class HuddleEdge:
    node: Huddle
    cursor: str


@strawberry.type
class HuddleConnection:
    edges: list[HuddleEdge]
    page_info: PageInfo


@strawberry.input
class HuddleProblemInput:
    description: str
    resolution: str | None = strawberry.field(default=None, description="Given: solved on the spot.")


@strawberry.input
class RecordHuddleInput:
    team_id: strawberry.ID
    date: date
    attendees: list[str]
    measure_ids: list[strawberry.ID] | None = None
    problems: list[HuddleProblemInput] | None = None


@strawberry.input
class RaiseProblemInput:
    huddle_id: strawberry.ID
    description: str
    resolution: str | None = None


@strawberry.input
class SolveProblemInput:
    problem_id: strawberry.ID
    resolution: str


@strawberry.type
class HuddlePayload:
    huddle_id: strawberry.Private[str | None]
    position: strawberry.Private[int]
    problem_id: strawberry.ID | None = strawberry.field(description="The problem raised (raiseProblem).")
    errors: list[UserError]

    @strawberry.field
    async def huddle(self, info: Info[Context, None]) -> Huddle | None:
        """Read-your-writes: the huddle once the control read model includes this command."""
        if self.huddle_id is None:
            return None
        await info.context.services.wait_for_projections(self.position, (ControlProjection.name,))
        loader(info.context, huddles_by_id).clear_all()
        loader(info.context, problems_by_huddle).clear_all()
        return await load_huddle(info.context, self.huddle_id)


def _problems(items: list[HuddleProblemInput] | None) -> list[ProblemIn]:
    return [ProblemIn(p.description, p.resolution) for p in items or []]


async def team_huddles(ctx: Context, team_id: str, first: int, after: str | None) -> HuddleConnection:
    if not ctx.can("huddle.read", team_id):
        return HuddleConnection(edges=[], page_info=page_info([], False))
    page = await huddles_page(ctx.services.pool, team_id, first, after)
    ctx.depend(f"huddles_of:{team_id}", page.version)
    return HuddleConnection(edges=[HuddleEdge(node=Huddle.of(ctx, v), cursor=c)
                                   for v, c in zip(page.items, page.cursors, strict=True)],
                            page_info=page_info(page.cursors, page.has_next))


@strawberry.type
class HuddleQueries:
    @strawberry.field(description="A team's huddles, newest first.")
    async def huddles(self, info: Info[Context, None], team_id: strawberry.ID, first: int | None = 50,
                      after: str | None = None) -> HuddleConnection:
        return await team_huddles(info.context, str(team_id), 50 if first is None else first, after)

    @strawberry.field(description="The team's most recent huddle.")
    async def last_huddle(self, info: Info[Context, None], team_id: strawberry.ID) -> Huddle | None:
        page = await team_huddles(info.context, str(team_id), 1, None)
        return page.edges[0].node if page.edges else None

    @strawberry.field
    async def huddle(self, info: Info[Context, None], id: strawberry.ID) -> Huddle | None:
        return await load_huddle(info.context, str(id))


@strawberry.type
class HuddleMutations:
    @strawberry.mutation
    async def record_huddle(self, info: Info[Context, None], input: RecordHuddleInput) -> HuddlePayload:
        ctx = info.context
        try:
            huddle_id, position = await commands.record_huddle(
                ctx.services, ctx.command(), str(input.team_id), input.date, list(input.attendees),
                [str(m) for m in input.measure_ids or []], _problems(input.problems))
        except DomainError as e:
            return HuddlePayload(huddle_id=None, position=0, problem_id=None, errors=[user_error(e)])
        return HuddlePayload(huddle_id=huddle_id, position=ctx.wrote(position), problem_id=None, errors=[])

    @strawberry.mutation(description="Raise a problem at a huddle already recorded.")
    async def raise_problem(self, info: Info[Context, None], input: RaiseProblemInput) -> HuddlePayload:
        ctx = info.context
        try:
            problem_id, position = await commands.raise_problem(ctx.services, ctx.command(), str(input.huddle_id),
                                                                ProblemIn(input.description, input.resolution))
        except DomainError as e:
            return HuddlePayload(huddle_id=None, position=0, problem_id=None, errors=[user_error(e)])
        return HuddlePayload(huddle_id=str(input.huddle_id), position=ctx.wrote(position),
                             problem_id=strawberry.ID(problem_id), errors=[])

    @strawberry.mutation
    async def solve_problem(self, info: Info[Context, None], input: SolveProblemInput) -> HuddlePayload:
        ctx = info.context
        try:
            huddle_id, position = await commands.solve_problem(ctx.services, ctx.command(), str(input.problem_id),
                                                               input.resolution)
        except DomainError as e:
            return HuddlePayload(huddle_id=None, position=0, problem_id=None, errors=[user_error(e)])
        return HuddlePayload(huddle_id=huddle_id, position=ctx.wrote(position), problem_id=input.problem_id,
                             errors=[])
