"""Team queries and mutations."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from schema.context import Context
from schema.errors import UserError, user_error
from schema.types import Team, load_team
from service.commands.teams import create_team
from service.permissions import allowed


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
        if not allowed(info.context.principal, "team.read", str(id)):
            return None
        return await load_team(info.context, str(id))


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
        await ctx.services.wait_for_projections(ctx.wrote(created.position), ("catalog",))
        return CreateTeamPayload(team=Team(id=strawberry.ID(created.team_id), name=created.name,
                                           parent_team_id=input.parent_team_id), errors=[])
