"""Assurance handlers: who may run an audit and enter its cases, and the re-audit's team (the store faked:
these are decisions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest

from domain.assurance.audit import AuditCase, Criterion
from domain.errors import DomainError, Forbidden
from domain.planning.team import Team
from service.auth.identity import Principal, Role
from service.commands.assurance import audits
from service.commands.context import CommandContext
from tests.service.commands.fakes import FakeRepository, FakeServices

CRITERIA = [Criterion("Assessed", 0.9), Criterion("Documented", 0.8)]


@dataclass
class Repository(FakeRepository):
    async def load(self, stream_id: str) -> Any:
        return self.aggregates.get(stream_id)


@dataclass
class Services(FakeServices):
    repository: FakeRepository = field(default_factory=Repository)


def as_role(role: Role, *teams: str, subject: str = "someone") -> CommandContext:
    return CommandContext(Principal(subject, role, frozenset(teams)))


async def world() -> tuple[Any, str, str]:
    services: Any = Services()
    teams = []
    for name in ("Ward 7", "Ward 8"):
        team = Team.create(team_id=uuid4(), name=name, parent_id=None)
        await services.repository.save(team, None)
        teams.append(str(team.id))
    return services, teams[0], teams[1]


async def test_a_senior_clinician_runs_an_audit_of_their_team_and_the_event_names_the_team() -> None:
    services, ward, _ = await world()
    audit_id, _ = await audits.create_audit(services, as_role(Role.SENIOR_CLINICIAN, ward), ward, "Falls", "NG249",
                                            CRITERIA, None)
    event, meta = services.repository.saved[-1]
    assert (type(event).__name__, meta.team_id, meta.actor, event.created_by) == (
        "AuditCreated", ward, "someone", "someone")
    assert str(event.originator_id) == audit_id


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.SERVICE_USER, Role.AUDITOR, Role.SENIOR_LEADER])
async def test_only_team_leaders_and_senior_clinicians_run_audits(role: Role) -> None:
    services, ward, _ = await world()
    saved = len(services.repository.saved)
    with pytest.raises(Forbidden):
        await audits.create_audit(services, as_role(role, ward), ward, "Falls", "NG249", CRITERIA, None)
    assert len(services.repository.saved) == saved


async def test_a_re_audit_of_another_team_s_audit_is_invalid_even_for_a_leader_of_both() -> None:
    services, ward, other = await world()
    theirs, _ = await audits.create_audit(services, as_role(Role.TEAM_LEADER, other), other, "Falls", "NG249",
                                          CRITERIA, None)
    saved = len(services.repository.saved)
    with pytest.raises(DomainError) as raised:
        await audits.create_audit(services, as_role(Role.TEAM_LEADER, ward, other), ward, "Falls again", "NG249",
                                  CRITERIA, theirs)
    assert (raised.value.code, raised.value.field) == ("INVALID", "previousAuditId")
    assert len(services.repository.saved) == saved


async def test_a_service_user_enters_cases_only_once_invited() -> None:
    services, ward, _ = await world()
    lead = as_role(Role.TEAM_LEADER, ward)
    audit_id, _ = await audits.create_audit(services, lead, ward, "Falls", "NG249", CRITERIA, None)
    rep = as_role(Role.SERVICE_USER, ward, subject="rep")
    with pytest.raises(Forbidden):
        await audits.record_cases(services, rep, audit_id, [AuditCase("c1", (True, None))])
    await audits.invite(services, lead, audit_id, ["rep"])
    await audits.record_cases(services, rep, audit_id, [AuditCase("c1", (True, None))])
    event, meta = services.repository.saved[-1]
    assert (type(event).__name__, event.recorded_by, meta.role) == ("AuditCasesRecorded", "rep", "SERVICE_USER")
