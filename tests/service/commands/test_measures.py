"""Measure handlers: the policy is checked against the measure's own team before the domain decides, and what the
domain decided is what is saved (the store faked: these are decisions; the real store is tested end to end)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from domain.errors import DomainError, Forbidden, NotFound
from service.auth.identity import Principal, Role
from service.commands.context import CommandContext
from service.commands.measures import define_measure, recalculate_limits, record_observations, set_target
from service.commands.teams import create_team
from tests.service.commands.fakes import FakeServices


def as_role(role: Role, teams: tuple[str, ...] = ()) -> CommandContext:
    return CommandContext(Principal("someone", role, frozenset(teams)))


async def a_measure(services: Any) -> tuple[str, str]:
    team = await create_team(services, as_role(Role.SENIOR_LEADER), "Ward 7", None)
    definition = MeasureDefinition(team_id=team.team_id, name="Falls", kind="OUTCOME", direction="DECREASE")
    measure_id, _ = await define_measure(services, as_role(Role.TEAM_LEADER, (team.team_id,)), definition)
    return team.team_id, measure_id


async def test_a_team_leader_defines_a_measure_for_their_own_team_only() -> None:
    services: Any = FakeServices()
    team, _ = await a_measure(services)
    other = await create_team(services, as_role(Role.SENIOR_LEADER), "Ward 8", None)
    with pytest.raises(Forbidden):
        await define_measure(services, as_role(Role.TEAM_LEADER, (team,)),
                             MeasureDefinition(team_id=other.team_id, name="Falls", kind="OUTCOME",
                                               direction="DECREASE"))
    assert services.events().count("Measure.MeasureDefined") == 1


async def test_observations_are_recorded_by_the_team_and_repeats_are_counted_not_stored() -> None:
    services: Any = FakeServices()
    team, measure = await a_measure(services)
    member = as_role(Role.TEAM_MEMBER, (team,))
    first = await record_observations(services, member, measure, [ObservationIn(date(2024, 1, 1), 3.0)])
    again = await record_observations(services, member, measure, [ObservationIn(date(2024, 1, 1), 3.0)])
    assert (first.accepted, again.accepted, again.duplicates) == (1, 0, 1)
    assert services.events().count("Measure.ObservationsRecorded") == 1


async def test_another_teams_member_may_not_record_and_nothing_is_saved() -> None:
    services: Any = FakeServices()
    _, measure = await a_measure(services)
    saved = len(services.events())
    with pytest.raises(Forbidden):
        await record_observations(services, as_role(Role.TEAM_MEMBER, ("another-team",)), measure,
                                  [ObservationIn(date(2024, 1, 1), 3.0)])
    assert len(services.events()) == saved


async def test_chart_decisions_carry_their_reason_and_need_a_chart_decider() -> None:
    services: Any = FakeServices()
    team, measure = await a_measure(services)
    await record_observations(services, as_role(Role.TEAM_MEMBER, (team,)), measure,
                              [ObservationIn(date(2024, m, 1), float(m)) for m in range(1, 13)])
    leader = as_role(Role.TEAM_LEADER, (team,))
    await recalculate_limits(services, leader, measure, date(2024, 6, 1), "  new triage process  ")
    await set_target(services, leader, measure, 2.0, "national standard", date(2024, 7, 1))
    (recalculated, meta), (targeted, _) = services.repository.saved[-2:]
    assert (type(recalculated).__qualname__, meta.reason) == ("Measure.LimitsRecalculated", "new triage process")
    assert type(targeted).__qualname__ == "Measure.TargetSet"
    with pytest.raises(Forbidden):
        await set_target(services, as_role(Role.TEAM_MEMBER, (team,)), measure, 1.0, "why not")


async def test_a_decision_on_something_that_is_not_a_measure_is_not_found() -> None:
    services: Any = FakeServices()
    team, _ = await a_measure(services)
    for missing in ("not-a-uuid", team):  # a team's id names a stream, but not a measure
        with pytest.raises(NotFound):
            await recalculate_limits(services, as_role(Role.SENIOR_LEADER), missing, date(2024, 6, 1), "because")


async def test_an_empty_reason_is_refused_by_the_domain() -> None:
    services: Any = FakeServices()
    _, measure = await a_measure(services)
    with pytest.raises(DomainError):
        await recalculate_limits(services, as_role(Role.SENIOR_LEADER), measure, date(2024, 6, 1), "   ")
