"""The organisation in GraphQL: its root team, directorates and teams, and its strategy by planning year."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.planning.organisation import Priority
from projections.catalog import CatalogProjection
from projections.planning.projection import PlanningProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.teams import Team, load_team
from service.auth.permissions import allowed
from service.commands import planning as commands
from service.reads import planning as reads


@strawberry.type
class StrategicPriority:
    code: str
    title: str
    description: str | None


def priority_type(p: dict[str, Any]) -> StrategicPriority:
    return StrategicPriority(code=p["code"], title=p["title"], description=p.get("description"))


@strawberry.type(description="The organisation's vision, mission and strategic priorities for a planning year.")
class Strategy:
    year: int
    vision: str
    mission: str
    priorities: list[StrategicPriority]
    reason: str
    set_by: str
    set_at: datetime

    @classmethod
    def from_view(cls, s: reads.StrategyView) -> Strategy:
        return cls(year=s.year, vision=s.vision, mission=s.mission, priorities=[priority_type(p) for p in s.priorities],
                   reason=s.reason, set_by=s.set_by, set_at=s.set_at)


async def teams_of(ctx: Context, ids: list[str]) -> list[Team]:
    found = [await load_team(ctx, i) for i in ids]
    return [t for t in found if t is not None]


@strawberry.type(description="An organisation: its root team, the directorates below it, the teams below those.")
class Organisation:
    id: strawberry.ID
    name: str
    _view: strawberry.Private[reads.OrganisationView]

    @strawberry.field
    async def root_team(self, info: Info[Context, None]) -> Team | None:
        return await load_team(info.context, self._view.root_team_id)

    @strawberry.field
    async def directorates(self, info: Info[Context, None]) -> list[Team]:
        return await teams_of(info.context, self._view.directorates)

    @strawberry.field(description="The teams of a directorate (or, without one, those directly below the root).")
    async def teams(self, info: Info[Context, None], directorate_id: strawberry.ID | None = None) -> list[Team]:
        parent = str(directorate_id) if directorate_id else self._view.root_team_id
        children = await reads.child_teams(info.context.services.pool, parent)
        return await teams_of(info.context, [c for c in children if c not in self._view.directorates])

    @strawberry.field(description="Strategies, newest year first; one year's if `year` is given.")
    async def strategies(self, info: Info[Context, None], year: int | None = None) -> list[Strategy]:
        return [Strategy.from_view(s) for s in await reads.strategies(info.context.services.pool, str(self.id), year)]


def organisation_type(v: reads.OrganisationView) -> Organisation:
    return Organisation(id=strawberry.ID(v.id), name=v.name, _view=v)


@strawberry.input
class EstablishOrganisationInput:
    name: str
    root_team_id: strawberry.ID


@strawberry.input
class DesignateDirectorateInput:
    organisation_id: strawberry.ID
    team_id: strawberry.ID


@strawberry.input
class StrategicPriorityInput:
    code: str = strawberry.field(description="Stable from year to year (e.g. SAFE-CARE): plans link to it.")
    title: str
    description: str | None = None


@strawberry.input
class SetStrategyInput:
    organisation_id: strawberry.ID
    year: int
    vision: str
    mission: str
    priorities: list[StrategicPriorityInput]
    reason: str


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


async def _organisation_answer(ctx: Context, organisation_id: str, run: Awaitable[Any]) -> OrganisationPayload:
    try:
        result = await run
    except DomainError as e:
        return OrganisationPayload(organisation=None, errors=[user_error(e)])
    organisation_id, position = result if isinstance(result, tuple) else (organisation_id, result)
    await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name, PlanningProjection.name))
    found = await reads.organisations(ctx.services.pool, [organisation_id])
    return OrganisationPayload(organisation=organisation_type(found[0]) if found else None, errors=[])


@strawberry.type
class OrganisationQueries:
    @strawberry.field
    async def organisations(self, info: Info[Context, None]) -> list[Organisation]:
        info.context.uncacheable()
        if not allowed(info.context.principal, "organisation.read", None):
            return []
        return [organisation_type(v) for v in await reads.organisations(info.context.services.pool)]


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation
    async def establish_organisation(self, info: Info[Context, None],
                                     input: EstablishOrganisationInput) -> OrganisationPayload:
        ctx = info.context
        return await _organisation_answer(ctx, "", commands.establish_organisation(
            ctx.services, ctx.command(), input.name, str(input.root_team_id)))

    @strawberry.mutation
    async def designate_directorate(self, info: Info[Context, None],
                                    input: DesignateDirectorateInput) -> OrganisationPayload:
        ctx = info.context
        return await _organisation_answer(ctx, str(input.organisation_id), commands.designate_directorate(
            ctx.services, ctx.command(), str(input.organisation_id), str(input.team_id)))

    @strawberry.mutation(description="Set (or revise, with the reason) the strategy for a planning year.")
    async def set_strategy(self, info: Info[Context, None], input: SetStrategyInput) -> OrganisationPayload:
        ctx = info.context
        priorities = [Priority(p.code, p.title, p.description) for p in input.priorities]
        return await _organisation_answer(ctx, str(input.organisation_id), commands.set_strategy(
            ctx.services, ctx.command(), str(input.organisation_id), input.year, input.vision, input.mission,
            priorities, input.reason))
