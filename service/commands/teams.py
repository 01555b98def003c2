"""Planning commands on teams."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from domain.errors import InvalidInput
from domain.planning.team import Team
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.streams import stream_is


@dataclass(frozen=True, slots=True)
class TeamCreated:
    team_id: str
    name: str
    position: int


async def create_team(services: Services, ctx: CommandContext, name: str, parent_id: str | None) -> TeamCreated:
    authorize(ctx.principal, "team.create")
    if parent_id is not None and not await stream_is(services, parent_id, "Team"):
        raise InvalidInput(f"No team has id {parent_id}.", field="parentTeamId", code="NOT_FOUND")
    team = Team.create(team_id=uuid4(), name=name, parent_id=parent_id)
    result = await services.repository.save(team, ctx.meta(team_id=str(team.id)))
    return TeamCreated(str(team.id), team.name, result.position)
