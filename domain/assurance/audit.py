"""A clinical audit: a standard audited against by reference, criteria with their expected compliance, the
sample and period, the cases collected (one result per criterion), findings, and completion with a summary.

A re-audit names the audit it repeats (of the same team); compliance and its change per criterion are
computed by the assurance projection from the cases, not stored here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.assurance.findings import finding
from domain.errors import Forbidden, InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, invalid_state, required_text, text_list

MAX_CASES_PER_CALL = 1000


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    expected_compliance: float   # 0..1


@dataclass(frozen=True, slots=True)
class AuditCase:
    case_ref: str
    results: tuple[bool | None, ...]   # one per criterion, in order; None = not applicable


@dataclass(frozen=True, slots=True)
class PreviousAudit:
    """What the handler read of the audit a re-audit repeats."""

    audit_id: str
    team_id: str


def check_criteria(criteria: Sequence[Criterion]) -> list[dict[str, Any]]:
    if not criteria:
        raise InvalidInput("An audit has at least one criterion.", field="criteria", code="INVALID")
    if len(criteria) > MAX_ITEMS:
        raise InvalidInput(f"An audit has at most {MAX_ITEMS} criteria.", field="criteria", code="INVALID")
    out: list[dict[str, Any]] = []
    for i, c in enumerate(criteria):
        name = required_text(c.name, "name", MAX_TITLE, index=i)
        if any(o["name"] == name for o in out):
            raise InvalidInput(f"Criterion {name!r} is named twice.", field="name", index=i, code="INVALID")
        expected = c.expected_compliance
        if not (math.isfinite(expected) and 0.0 <= expected <= 1.0):
            raise InvalidInput("expectedCompliance is a proportion from 0 to 1.", field="expectedCompliance",
                               index=i, code="INVALID")
        out.append({"name": name, "expected": float(expected)})
    return out


class Audit(Aggregate):
    """One audit of one team against one standard."""

    class AuditCreated(Aggregate.Created):
        team_id: str
        title: str
        standard: str
        criteria: list[dict[str, Any]]
        previous_audit_id: str | None
        created_by: str

    @classmethod
    def create(cls, *, audit_id: UUID, team_id: str, title: str, standard: str, criteria: Sequence[Criterion],
               previous: PreviousAudit | None, created_by: str) -> Audit:
        if previous is not None and previous.team_id != team_id:
            raise InvalidInput("A re-audit repeats an audit of the same team.", field="previousAuditId",
                               code="INVALID")
        return cls._create(cls.AuditCreated, id=audit_id, team_id=team_id,
                           title=required_text(title, "title", MAX_TITLE),
                           standard=required_text(standard, "standard", MAX_TITLE),
                           criteria=check_criteria(criteria),
                           previous_audit_id=previous.audit_id if previous else None, created_by=created_by)

    @event(AuditCreated)
    def __init__(self, team_id: str, title: str, standard: str, criteria: list[dict[str, Any]],
                 previous_audit_id: str | None, created_by: str) -> None:
        self.team_id = team_id
        self.title = title
        self.standard = standard
        self.criteria = criteria
        self.previous_audit_id = previous_audit_id
        self.created_by = created_by
        self.status = "OPEN"
        self.participants: list[str] = []
        self.case_refs: set[str] = set()

    # -- design ---------------------------------------------------------------------------------------------
    def define_sample(self, description: str, size: int, period_start: date, period_end: date) -> None:
        """The sample (who or what is audited, and how many) and the period the cases come from."""
        self._open("The sample is defined")
        if not 1 <= size <= 100_000:
            raise InvalidInput("size is from 1 to 100000.", field="size", code="INVALID")
        if period_end < period_start:
            raise InvalidInput("The period ends on or after its start.", field="periodEnd", code="INVALID")
        self._sample_defined(description=required_text(description, "description"), size=size,
                             period_start=period_start.isoformat(), period_end=period_end.isoformat())

    @event("AuditSampleDefined")
    def _sample_defined(self, description: str, size: int, period_start: str, period_end: str) -> None:
        pass

    def invite(self, subjects: Sequence[str]) -> None:
        """Name the people (team members, service users) who take part in collecting the cases."""
        self._open("People are invited")
        new = [s for s in dict.fromkeys(text_list(subjects, "subjects", 200)) if s not in self.participants]
        if not new:
            raise InvalidInput("Invite at least one person not yet taking part.", field="subjects", code="INVALID")
        self._invited(subjects=new)

    @event("AuditParticipantsInvited")
    def _invited(self, subjects: list[str]) -> None:
        self.participants = [*self.participants, *subjects]

    # -- data collection ------------------------------------------------------------------------------------
    def record_cases(self, cases: Sequence[AuditCase], recorded_by: str, runs_audits: bool) -> None:
        """Add cases, all or none. Those who run the team's audits enter cases; others only when invited."""
        if not runs_audits and recorded_by not in self.participants:
            raise Forbidden("Only the people invited to this audit, or those who run it, enter its cases.")
        self._open("Cases are recorded")
        if not cases:
            raise InvalidInput("Record at least one case.", field="cases", code="INVALID")
        if len(cases) > MAX_CASES_PER_CALL:
            raise InvalidInput(f"At most {MAX_CASES_PER_CALL} cases a call.", field="cases", code="INVALID")
        seen: set[str] = set()
        out = []
        for i, case in enumerate(cases):
            ref = required_text(case.case_ref, "caseRef", MAX_TITLE, index=i)
            if len(case.results) != len(self.criteria):
                raise InvalidInput(f"A case has one result per criterion ({len(self.criteria)}), not "
                                   f"{len(case.results)}.", field="results", index=i, code="INVALID")
            if ref in self.case_refs or ref in seen:
                raise InvalidInput(f"Case {ref!r} is already recorded.", field="caseRef", index=i, code="INVALID")
            seen.add(ref)
            out.append({"ref": ref, "results": list(case.results)})
        self._cases_recorded(cases=out, recorded_by=recorded_by)

    @event("AuditCasesRecorded")
    def _cases_recorded(self, cases: list[dict[str, Any]], recorded_by: str) -> None:
        self.case_refs = self.case_refs | {c["ref"] for c in cases}

    # -- findings and completion ----------------------------------------------------------------------------
    def record_finding(self, finding_id: str, title: str, severity: str, rationale: str, decided_by: str, at: str,
                       criterion: str | None = None) -> None:
        """A finding, open or after completion (the report's findings), with who decided it and why."""
        if criterion is not None and criterion not in {c["name"] for c in self.criteria}:
            raise InvalidInput(f"The audit has no criterion {criterion!r}.", field="criterion", code="INVALID")
        self._finding_recorded(finding=finding(finding_id, title, severity, rationale, decided_by, at, criterion))

    @event("AuditFindingRecorded")
    def _finding_recorded(self, finding: dict[str, Any]) -> None:
        pass

    def complete(self, summary: str, completed_by: str, at: str) -> None:
        self._open("An audit is completed")
        if not self.case_refs:
            raise invalid_state("An audit is completed once it has cases.")
        self._completed(summary=required_text(summary, "summary"), completed_by=completed_by, completed_at=at)

    @event("AuditCompleted")
    def _completed(self, summary: str, completed_by: str, completed_at: str) -> None:
        self.status = "COMPLETED"

    def _open(self, what: str) -> None:
        if self.status != "OPEN":
            raise invalid_state(f"{what} while the audit is open; this audit is {self.status}.")
