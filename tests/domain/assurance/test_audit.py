"""The Audit aggregate's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.assurance.audit import Audit, AuditCase, Criterion, PreviousAudit
from domain.errors import DomainError, Forbidden, InvalidInput

AT = "2025-05-01T09:00:00+00:00"
CRITERIA = [Criterion("Risk assessed within 6 hours", 0.95), Criterion("Lying and standing BP", 0.8)]


def given_audit(**fields: object) -> Audit:
    values: dict[str, object] = {"team_id": "team-1", "title": "Falls audit", "standard": "NICE NG249 1.2",
                                 "criteria": CRITERIA, "previous": None, "created_by": "lead"}
    values.update(fields)
    audit = Audit.create(audit_id=uuid4(), **values)  # type: ignore[arg-type]
    audit.collect_events()
    return audit


def then_events(audit: Audit) -> list[str]:
    return [type(e).__name__ for e in audit.collect_events()]


def test_an_audit_is_created_with_its_criteria() -> None:
    audit = Audit.create(audit_id=uuid4(), team_id="t", title=" Falls ", standard="NG249", criteria=CRITERIA,
                         previous=None, created_by="lead")
    assert then_events(audit) == ["AuditCreated"]
    assert (audit.title, audit.status, [c["name"] for c in audit.criteria]) == (
        "Falls", "OPEN", ["Risk assessed within 6 hours", "Lying and standing BP"])


@pytest.mark.parametrize("expected", [-0.1, 1.01, float("nan")])
def test_an_expected_compliance_outside_0_to_1_is_invalid_with_its_index(expected: float) -> None:
    with pytest.raises(InvalidInput) as e:
        given_audit(criteria=[CRITERIA[0], Criterion("Other", expected)])
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "expectedCompliance", 1)


def test_a_criterion_named_twice_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_audit(criteria=[CRITERIA[0], CRITERIA[0]])
    assert (e.value.field, e.value.index) == ("name", 1)


def test_a_re_audit_of_another_team_s_audit_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_audit(previous=PreviousAudit("a1", "team-2"))
    assert (e.value.code, e.value.field) == ("INVALID", "previousAuditId")


def test_a_re_audit_names_the_audit_it_repeats() -> None:
    assert given_audit(previous=PreviousAudit("a1", "team-1")).previous_audit_id == "a1"


def test_cases_are_recorded_with_one_result_per_criterion() -> None:
    audit = given_audit()
    audit.record_cases([AuditCase("c1", (True, None)), AuditCase("c2", (False, True))], "lead", True)
    assert then_events(audit) == ["AuditCasesRecorded"]
    assert audit.case_refs == {"c1", "c2"}


def test_a_case_with_the_wrong_number_of_results_is_invalid_and_no_case_of_the_call_is_recorded() -> None:
    audit = given_audit()
    with pytest.raises(InvalidInput) as e:
        audit.record_cases([AuditCase("c1", (True, True)), AuditCase("c2", (True,))], "lead", True)
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "results", 1)
    assert then_events(audit) == []


def test_a_case_recorded_twice_is_invalid() -> None:
    audit = given_audit()
    audit.record_cases([AuditCase("c1", (True, True))], "lead", True)
    with pytest.raises(InvalidInput) as e:
        audit.record_cases([AuditCase("c1", (True, True))], "lead", True)
    assert (e.value.field, e.value.index) == ("caseRef", 0)


def test_only_invited_people_enter_cases_unless_they_run_audits() -> None:
    audit = given_audit()
    with pytest.raises(Forbidden):
        audit.record_cases([AuditCase("c1", (True, True))], "pat", False)
    audit.invite(["pat"])
    audit.record_cases([AuditCase("c1", (True, True))], "pat", False)
    assert then_events(audit) == ["AuditParticipantsInvited", "AuditCasesRecorded"]


def test_cases_on_a_completed_audit_are_invalid_state() -> None:
    audit = given_audit()
    audit.record_cases([AuditCase("c1", (True, True))], "lead", True)
    audit.complete("Good compliance", "lead", AT)
    audit.collect_events()
    with pytest.raises(DomainError) as e:
        audit.record_cases([AuditCase("c2", (True, True))], "lead", True)
    assert e.value.code == "INVALID_STATE"


def test_an_audit_without_cases_is_not_completed() -> None:
    with pytest.raises(DomainError) as e:
        given_audit().complete("Nothing", "lead", AT)
    assert e.value.code == "INVALID_STATE"


def test_a_finding_records_its_severity_who_decided_and_why() -> None:
    audit = given_audit()
    audit.record_finding("f1", "BP not checked at night", "HIGH", "Half the night admissions", "lead", AT,
                         "Lying and standing BP")
    [recorded] = audit.collect_events()
    assert recorded.finding["severity"] == "HIGH" and recorded.finding["decided_by"] == "lead"  # type: ignore[attr-defined]


def test_a_finding_with_an_unknown_severity_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_audit().record_finding("f1", "x", "SEVERE", "why", "lead", AT)
    assert e.value.field == "severity"


def test_the_sample_period_ends_after_it_starts() -> None:
    audit = given_audit()
    with pytest.raises(InvalidInput) as e:
        audit.define_sample("Adult admissions", 40, date(2025, 3, 1), date(2025, 2, 1))
    assert e.value.field == "periodEnd"
    audit.define_sample("Adult admissions", 40, date(2025, 2, 1), date(2025, 3, 1))
    assert then_events(audit) == ["AuditSampleDefined"]
