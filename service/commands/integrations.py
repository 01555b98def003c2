"""Integrations: register a hospital system with the measures it may write, change that list, retire it; and the
check every observation write by an integration passes (service/commands/measures.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from domain.control.measure import Measure
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.planning.integration import Integration
from service.auth.identity import Principal, Role
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.streams import current, fresh, stream_is
from service.ids import valid_uuid


async def _team_measures(services: Services, team_id: str, measure_ids: Sequence[str]) -> list[str]:
    """The ids, each checked to be a measure of the team (INVALID naming its index otherwise)."""
    for i, measure_id in enumerate(measure_ids):
        measure = await current(services, measure_id) if valid_uuid(measure_id) else None
        if not isinstance(measure, Measure) or measure.definition.team_id != team_id:
            raise InvalidInput(f"No measure of team {team_id} has id {measure_id}.", field="measureIds", index=i,
                               code="INVALID")
    return list(measure_ids)


async def register_integration(services: Services, ctx: CommandContext, name: str, team_id: str,
                               measure_ids: Sequence[str], reason: str) -> tuple[str, int]:
    authorize(ctx.principal, "integration.register", team_id)
    if not await stream_is(services, team_id, "Team"):
        raise InvalidInput(f"No team has id {team_id}.", field="teamId", code="NOT_FOUND")
    integration = Integration.register(integration_id=uuid4(), name=name, team_id=team_id, reason=reason,
                                       measure_ids=await _team_measures(services, team_id, measure_ids))
    saved = await services.repository.save(integration, ctx.meta(team_id=team_id, reason=reason.strip()))
    return str(integration.id), saved.position


async def change_integration_measures(services: Services, ctx: CommandContext, integration_id: str,
                                      measure_ids: Sequence[str], reason: str) -> int:
    async def work(integration: Any) -> int:
        if not isinstance(integration, Integration):
            raise NotFound(f"No integration has id {integration_id}.", field="integrationId")
        authorize(ctx.principal, "integration.register", integration.team_id)
        integration.change_measures(await _team_measures(services, integration.team_id, measure_ids), reason)
        meta = ctx.meta(team_id=integration.team_id, reason=reason.strip())
        return (await services.repository.save(integration, meta)).position

    return await _update(services, integration_id, work)


async def retire_integration(services: Services, ctx: CommandContext, integration_id: str, reason: str) -> int:
    async def work(integration: Any) -> int:
        if not isinstance(integration, Integration):
            raise NotFound(f"No integration has id {integration_id}.", field="integrationId")
        authorize(ctx.principal, "integration.register", integration.team_id)
        integration.retire(reason)
        meta = ctx.meta(team_id=integration.team_id, reason=reason.strip())
        return (await services.repository.save(integration, meta)).position

    return await _update(services, integration_id, work)


async def _update(services: Services, integration_id: str, work: Any) -> int:
    if not valid_uuid(integration_id):
        raise NotFound(f"No integration has id {integration_id}.", field="integrationId")
    return int(await services.repository.update(integration_id, work))


async def check_integration_writes(services: Services, principal: Principal, measure_id: str) -> None:
    """An integration's token writes only the measures its registration lists (decided on the aggregate, so a
    change or a retirement holds from its commit on). A token of role INTEGRATION whose subject is no id keeps
    the team scope of the policy table (development tokens from `qms token --role INTEGRATION`)."""
    (await integration_writes(services, principal))(measure_id)


async def integration_writes(services: Services, principal: Principal) -> Callable[[str], None]:
    """check_integration_writes for a request's many measures: the integration read once, when the request
    starts (a streamed body: each chunk), then a check per measure that raises Forbidden. A change or a retirement
    committed meanwhile holds from the next request on."""
    if principal.role is not Role.INTEGRATION or not valid_uuid(principal.subject):
        return _any_measure
    integration = await fresh(services, principal.subject)  # a few events; current at every request

    def check(measure_id: str) -> None:
        if not isinstance(integration, Integration):
            raise Forbidden(f"Not allowed: {principal.subject} is not a registered integration.")
        if not integration.may_write(measure_id):
            why = "is retired" if integration.retired else f"may not write measure {measure_id}"
            raise Forbidden(f"Not allowed: integration {integration.name} {why}.")

    return check


def _any_measure(measure_id: str) -> None:
    """Not a registered integration's token: the policy table alone decides."""
