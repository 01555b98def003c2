"""Integrations in GraphQL: register a hospital system with the measures it may write, change the list, retire
it; read a team's integrations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from projections.integrations import IntegrationProjection
from schema.context import Context
from schema.errors import UserError, user_error
from service.commands import integrations as commands
from service.reads import integrations as reads
from service.reads.integrations import IntegrationView


@strawberry.type(description="A hospital system that posts observations; every event it causes names it as the "
                             "source system (`integration:<id>`).")
class Integration:
    id: strawberry.ID
    name: str
    team_id: strawberry.ID
    measure_ids: list[strawberry.ID] = strawberry.field(description="The measures it may write; others get 403.")
    retired: bool
    registered_by: str
    registered_at: datetime
    reason: str | None = strawberry.field(description="Why it was last registered, changed or retired.")

    @staticmethod
    def from_view(v: IntegrationView) -> Integration:
        return Integration(id=strawberry.ID(v.id), name=v.name, team_id=strawberry.ID(v.team_id),
                           measure_ids=[strawberry.ID(m) for m in v.measure_ids], retired=v.retired,
                           registered_by=v.registered_by, registered_at=v.registered_at, reason=v.reason)


@strawberry.input
class RegisterIntegrationInput:
    name: str
    team_id: strawberry.ID
    measure_ids: list[strawberry.ID]
    reason: str


@strawberry.input
class ChangeIntegrationMeasuresInput:
    integration_id: strawberry.ID
    measure_ids: list[strawberry.ID]
    reason: str


@strawberry.input
class RetireIntegrationInput:
    integration_id: strawberry.ID
    reason: str


@strawberry.type
class IntegrationPayload:
    integration: Integration | None
    errors: list[UserError]


async def _answer(ctx: Context, integration_id: str, position: int) -> IntegrationPayload:
    await ctx.services.wait_for_projections(ctx.wrote(position), (IntegrationProjection.name,))
    view = await reads.integration(ctx.services.pool, integration_id)
    return IntegrationPayload(integration=Integration.from_view(view) if view else None, errors=[])


@strawberry.type
class IntegrationQueries:
    @strawberry.field(description="A team's registered integrations (team leaders and senior leaders).")
    async def integrations(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Integration]:
        ctx = info.context
        ctx.uncacheable()  # few, rarely read: not worth a place in the answer cache
        if not ctx.can("integration.read", str(team_id)):
            return []
        return [Integration.from_view(v) for v in await reads.integrations_of(ctx.services.pool, str(team_id))]


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(description="Register a hospital system with the measures of one team it may write.")
    async def register_integration(self, info: Info[Context, None],
                                   input: RegisterIntegrationInput) -> IntegrationPayload:
        ctx = info.context
        try:
            integration_id, position = await commands.register_integration(
                ctx.services, ctx.command(), input.name, str(input.team_id), [str(m) for m in input.measure_ids],
                input.reason)
        except DomainError as e:
            return IntegrationPayload(integration=None, errors=[user_error(e)])
        return await _answer(ctx, integration_id, position)

    @strawberry.mutation(description="Change the measures an integration may write; the reason is kept.")
    async def change_integration_measures(self, info: Info[Context, None],
                                          input: ChangeIntegrationMeasuresInput) -> IntegrationPayload:
        ctx = info.context
        try:
            position = await commands.change_integration_measures(
                ctx.services, ctx.command(), str(input.integration_id), [str(m) for m in input.measure_ids],
                input.reason)
        except DomainError as e:
            return IntegrationPayload(integration=None, errors=[user_error(e)])
        return await _answer(ctx, str(input.integration_id), position)

    @strawberry.mutation(description="Retire an integration: from then on its writes are refused.")
    async def retire_integration(self, info: Info[Context, None], input: RetireIntegrationInput) -> IntegrationPayload:
        ctx = info.context
        try:
            position = await commands.retire_integration(ctx.services, ctx.command(), str(input.integration_id),
                                                         input.reason)
        except DomainError as e:
            return IntegrationPayload(integration=None, errors=[user_error(e)])
        return await _answer(ctx, str(input.integration_id), position)
