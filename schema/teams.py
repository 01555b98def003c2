"""Teams: the organisation's hierarchy (parent, children), each team's measures, browsing, and creating teams."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from projections.catalog import CatalogProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.pagination import PageInfo, page_info
from service.commands.teams import create_team
from service.reads.catalog import TeamView, teams_page

if TYPE_CHECKING:
    from schema.measures import Measure
    from schema.planning import Plan
    from schema.signals import Signal

LazyMeasure = Annotated["Measure", strawberry.lazy("schema.measures")]
LazyPlan = Annotated["Plan", strawberry.lazy("schema.planning")]
LazySignal = Annotated["Signal", strawberry.lazy("schema.signals")]


def _latest(views: list[TeamView] | list[object]) -> int | None:
    return max((v.position for v in views), default=None)  # type: ignore[attr-defined]


@strawberry.type
class Team:
    id: strawberry.ID
    name: str
    parent_team_id: strawberry.ID | None = None

    @classmethod
    def from_view(cls, v: TeamView) -> Team:
        return cls(id=strawberry.ID(v.id), name=v.name,
                   parent_team_id=strawberry.ID(v.parent_id) if v.parent_id else None)

    @strawberry.field(description="The team, directorate or organisation this one belongs to.")
    async def parent(self, info: Info[Context, None]) -> Team | None:
        if self.parent_team_id is None:
            return None
        return await load_team(info.context, str(self.parent_team_id))

    @strawberry.field(description="The teams directly under this one, by name.")
    async def children(self, info: Info[Context, None]) -> list[Team]:
        ctx = info.context
        views = await ctx.sub_teams.load(str(self.id)) or []
        ctx.depend(f"teams_of:{self.id}", _latest(views))
        return [Team.from_view(v) for v in views]

    @strawberry.field(description="The team's own measures (not its sub-teams'), by name, those the caller may "
                                  "read.")
    async def measures(self, info: Info[Context, None]) -> list[LazyMeasure]:
        from schema.measures import Measure  # the two types refer to each other

        ctx = info.context
        if not ctx.can("measure.read", str(self.id)):
            return []
        views = await ctx.team_measures.load(str(self.id)) or []
        ctx.depend(f"measures_of:{self.id}", _latest(views))
        return [Measure.from_view(v) for v in views]

    @strawberry.field(description="The team's annual quality plans the caller may read, newest year first.")
    async def plans(self, info: Info[Context, None]) -> list[LazyPlan]:
        from schema.planning import team_plans  # the two types refer to each other

        return await team_plans(info, str(self.id))

    @strawberry.field(description="The team's signals, newest first. open: true = OPEN only, false = ACKNOWLEDGED "
                                  "only, null = all.")
    async def signals(self, info: Info[Context, None], open: bool | None = True) -> list[LazySignal]:
        from schema.signals import team_signals  # the two types refer to each other

        return await team_signals(info.context, str(self.id), open)


async def load_team(ctx: Context, team_id: str) -> Team | None:
    view = await ctx.teams.load(team_id)
    ctx.depend(f"t:{team_id}", view.position if view else None)
    return Team.from_view(view) if view is not None else None


@strawberry.type
class TeamEdge:
    node: Team
    cursor: str


@strawberry.type
class TeamConnection:
    edges: list[TeamEdge]
    page_info: PageInfo


@strawberry.input
class CreateTeamInput:
    name: str
    parent_team_id: strawberry.ID | None = None


@strawberry.type
class CreateTeamPayload:
    team: Team | None
    errors: list[UserError]


@strawberry.type
class TeamQueries:
    @strawberry.field
    async def team(self, info: Info[Context, None], id: strawberry.ID) -> Team | None:
        if not info.context.can("team.read", str(id)):
            return None
        return await load_team(info.context, str(id))

    @strawberry.field(description="Every team the caller may read, by name.")
    async def teams(self, info: Info[Context, None], first: int | None = 50,
                    after: str | None = None) -> TeamConnection:
        ctx = info.context
        page = await teams_page(ctx.services.pool, 50 if first is None else first, after)
        ctx.depend("teams:", page.version)
        readable = [(t, c) for t, c in zip(page.items, page.cursors, strict=True) if ctx.can("team.read", t.id)]
        return TeamConnection(edges=[TeamEdge(node=Team.from_view(t), cursor=c) for t, c in readable],
                              page_info=page_info(page.cursors, page.has_next))


@strawberry.type
class TeamMutations:
    @strawberry.mutation
    async def create_team(self, info: Info[Context, None], input: CreateTeamInput) -> CreateTeamPayload:
        ctx = info.context
        try:
            created = await create_team(ctx.services, ctx.command(), input.name,
                                        str(input.parent_team_id) if input.parent_team_id else None)
        except DomainError as e:
            return CreateTeamPayload(team=None, errors=[user_error(e)])
        await ctx.services.wait_for_projections(ctx.wrote(created.position), (CatalogProjection.name,))
        return CreateTeamPayload(team=Team(id=strawberry.ID(created.team_id), name=created.name,
                                           parent_team_id=input.parent_team_id), errors=[])
