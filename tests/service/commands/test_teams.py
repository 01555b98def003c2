"""Team handlers: who may create a team, and under which parent (the store faked: these are decisions)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import DomainError, Forbidden
from service.auth.identity import Principal, Role
from service.commands.context import CommandContext
from service.commands.teams import create_team
from tests.service.commands.fakes import FakeServices


def as_role(role: Role, teams: tuple[str, ...] = ()) -> CommandContext:
    return CommandContext(Principal("someone", role, frozenset(teams)))


async def test_a_senior_leader_creates_a_team_under_an_existing_parent_and_the_event_names_the_team() -> None:
    services: Any = FakeServices()
    parent = await create_team(services, as_role(Role.SENIOR_LEADER), "Medicine", None)
    child = await create_team(services, as_role(Role.SENIOR_LEADER), "Ward 7", parent.team_id)
    assert services.events() == ["Team.TeamCreated", "Team.TeamCreated"]
    event, meta = services.repository.saved[1]
    assert (event.name, event.parent_id, meta.team_id, meta.actor) == ("Ward 7", parent.team_id, child.team_id,
                                                                       "someone")


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.SERVICE_USER, Role.AUDITOR])
async def test_only_administrators_and_senior_leaders_create_teams(role: Role) -> None:
    services: Any = FakeServices()
    with pytest.raises(Forbidden):
        await create_team(services, as_role(role), "Ward 7", None)
    assert services.events() == []


async def test_a_parent_that_is_not_a_team_is_not_found_and_nothing_is_saved() -> None:
    services: Any = FakeServices()
    with pytest.raises(DomainError) as raised:
        await create_team(services, as_role(Role.SENIOR_LEADER), "Ward 7", "4b0c5a2e-52b5-4b4e-9d0e-2a3c0b1f2e3d")
    assert (raised.value.code, raised.value.field) == ("NOT_FOUND", "parentTeamId")
    assert services.events() == []
