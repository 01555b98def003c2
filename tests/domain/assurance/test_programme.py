"""The AuditProgramme aggregate's rules, Given/When/Then. No I/O."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assurance.programme import AuditProgramme, programme_id
from domain.errors import DomainError, InvalidInput


def given_programme() -> AuditProgramme:
    programme = AuditProgramme.establish(team_id="t1", year=2025, title="Ward 7 audits 2025/26")
    programme.plan_audit("e1", "Falls audit", "NICE NG249", date(2025, 9, 30), "Falls are our top risk")
    programme.collect_events()
    return programme


def test_a_team_has_one_programme_id_per_year() -> None:
    assert given_programme().id == programme_id("t1", 2025) != programme_id("t1", 2026)


def test_a_planned_audit_is_linked_to_the_audit_that_carries_it_out_once() -> None:
    programme = given_programme()
    programme.link_audit("e1", "a1", "t1")
    assert [type(e).__name__ for e in programme.collect_events()] == ["PlannedAuditStarted"]
    with pytest.raises(DomainError) as e:
        programme.link_audit("e1", "a2", "t1")
    assert e.value.code == "INVALID_STATE"


def test_an_audit_of_another_team_is_not_linked() -> None:
    with pytest.raises(InvalidInput) as e:
        given_programme().link_audit("e1", "a1", "t2")
    assert e.value.field == "auditId"


def test_a_started_audit_is_neither_deferred_nor_cancelled() -> None:
    programme = given_programme()
    programme.decide("e1", "DEFERRED", "Winter pressures")
    programme.link_audit("e1", "a1", "t1")
    with pytest.raises(DomainError) as e:
        programme.decide("e1", "CANCELLED", "No longer needed")
    assert e.value.code == "INVALID_STATE"
