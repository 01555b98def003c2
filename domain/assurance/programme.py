"""A team's audit programme for a year: the audits it plans, when each is due, and the audit that carries it
out once started. A planned audit's status (PLANNED, IN_PROGRESS, COMPLETED, OVERDUE) is read from the audit it
is linked to; DEFERRED and CANCELLED are decisions recorded here with their reason."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, check_year, invalid_state, required_text

DECISIONS = ("DEFERRED", "CANCELLED")


def programme_id(team_id: str, year: int) -> UUID:
    """One programme per team and year: its id follows from them, so the log itself keeps it unique."""
    return uuid5(NAMESPACE_URL, f"qms:audit-programme:{team_id}:{year}")


class AuditProgramme(Aggregate):
    class ProgrammeEstablished(Aggregate.Created):
        team_id: str
        year: int
        title: str

    @classmethod
    def establish(cls, *, team_id: str, year: int, title: str) -> AuditProgramme:
        year = check_year(year)
        return cls._create(cls.ProgrammeEstablished, id=programme_id(team_id, year), team_id=team_id, year=year,
                           title=required_text(title, "title", MAX_TITLE))

    @event(ProgrammeEstablished)
    def __init__(self, team_id: str, year: int, title: str) -> None:
        self.team_id = team_id
        self.year = year
        self.title = title
        self.entries: dict[str, dict[str, Any]] = {}

    def plan_audit(self, entry_id: str, title: str, standard: str, due: date, reason: str) -> None:
        if len(self.entries) >= MAX_ITEMS:
            raise InvalidInput(f"A programme plans at most {MAX_ITEMS} audits.", field="title", code="INVALID")
        self._audit_planned(entry_id=entry_id, title=required_text(title, "title", MAX_TITLE),
                            standard=required_text(standard, "standard", MAX_TITLE), due=due.isoformat(),
                            reason=required_text(reason, "reason"))

    @event("AuditPlanned")
    def _audit_planned(self, entry_id: str, title: str, standard: str, due: str, reason: str) -> None:
        self.entries = {**self.entries, entry_id: {"audit_id": None, "decision": None}}

    def link_audit(self, entry_id: str, audit_id: str, audit_team_id: str) -> None:
        """The audit that carries out a planned one (an audit of the programme's team, linked once)."""
        entry = self._entry(entry_id)
        if audit_team_id != self.team_id:
            raise InvalidInput("The audit is another team's.", field="auditId", code="INVALID")
        if entry["audit_id"] is not None:
            raise invalid_state("This planned audit already has its audit.")
        if any(e["audit_id"] == audit_id for e in self.entries.values()):
            raise InvalidInput("That audit already carries out another planned audit.", field="auditId",
                               code="INVALID")
        self._linked(entry_id=entry_id, audit_id=audit_id)

    @event("PlannedAuditStarted")
    def _linked(self, entry_id: str, audit_id: str) -> None:
        self.entries = {**self.entries, entry_id: {**self.entries[entry_id], "audit_id": audit_id}}

    def decide(self, entry_id: str, decision: str, reason: str) -> None:
        """Defer or cancel a planned audit that has not started."""
        entry = self._entry(entry_id)
        if decision not in DECISIONS:
            raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}.", field="decision", code="INVALID")
        if entry["audit_id"] is not None or entry["decision"] == "CANCELLED":
            raise invalid_state("Only a planned audit not yet started or cancelled is deferred or cancelled.")
        self._decided(entry_id=entry_id, decision=decision, reason=required_text(reason, "reason"))

    @event("PlannedAuditDecided")
    def _decided(self, entry_id: str, decision: str, reason: str) -> None:
        self.entries = {**self.entries, entry_id: {**self.entries[entry_id], "decision": decision}}

    def _entry(self, entry_id: str) -> dict[str, Any]:
        entry = self.entries.get(entry_id)
        if entry is None:
            raise InvalidInput(f"The programme plans no audit {entry_id!r}.", field="entryId", code="NOT_FOUND")
        return entry
