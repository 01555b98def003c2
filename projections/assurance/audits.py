"""An audit's and an audit programme's events folded into their documents: the same folds serve the read models
and `audit(asOf:)`. Compliance per criterion is computed here, as cases arrive: met / applicable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.assurance.audit import Audit
from domain.assurance.programme import AuditProgramme

Document = dict[str, Any]

AUDIT_EVENTS = (Audit.AuditCreated, Audit.AuditSampleDefined, Audit.AuditParticipantsInvited,  # type: ignore[attr-defined]
                Audit.AuditCasesRecorded, Audit.AuditFindingRecorded, Audit.AuditCompleted)  # type: ignore[attr-defined]
PROGRAMME_EVENTS = (AuditProgramme.ProgrammeEstablished, AuditProgramme.AuditPlanned,  # type: ignore[attr-defined]
                    AuditProgramme.PlannedAuditStarted, AuditProgramme.PlannedAuditDecided)  # type: ignore[attr-defined]


def compliance(met: int, applicable: int) -> float | None:
    return met / applicable if applicable else None


def evolve_audit(doc: Document | None, event: Any, at: datetime) -> Document | None:
    """The audit's document after `event`, recorded at `at`."""
    if isinstance(event, Audit.AuditCreated):
        return {"id": str(event.originator_id), "team_id": event.team_id, "title": event.title,
                "standard": event.standard, "status": "OPEN", "previous_audit_id": event.previous_audit_id,
                "criteria": [{**c, "applicable": 0, "met": 0, "compliance": None} for c in event.criteria],
                "cases": 0, "sample": None, "participants": [], "findings": [], "summary": None,
                "created_by": event.created_by, "created_at": at.isoformat(), "completed_by": None,
                "completed_at": None}
    if doc is None:
        return None
    name = type(event).__name__
    if name == "AuditSampleDefined":
        return {**doc, "sample": {"description": event.description, "size": event.size,
                                  "period_start": event.period_start, "period_end": event.period_end}}
    if name == "AuditParticipantsInvited":
        return {**doc, "participants": [*doc["participants"], *event.subjects]}
    if name == "AuditCasesRecorded":
        criteria = [dict(c) for c in doc["criteria"]]
        for case in event.cases:
            for c, result in zip(criteria, case["results"], strict=True):
                if result is not None:
                    c["applicable"] += 1
                    c["met"] += 1 if result else 0
        for c in criteria:
            c["compliance"] = compliance(c["met"], c["applicable"])
        return {**doc, "criteria": criteria, "cases": doc["cases"] + len(event.cases)}
    if name == "AuditFindingRecorded":
        return {**doc, "findings": [*doc["findings"], event.finding]}
    if name == "AuditCompleted":
        return {**doc, "status": "COMPLETED", "summary": event.summary, "completed_by": event.completed_by,
                "completed_at": event.completed_at}
    return doc


def evolve_programme(doc: Document | None, event: Any, at: datetime) -> Document | None:
    if isinstance(event, AuditProgramme.ProgrammeEstablished):
        return {"id": str(event.originator_id), "team_id": event.team_id, "year": event.year, "title": event.title,
                "entries": []}
    if doc is None:
        return None
    name = type(event).__name__
    if name == "AuditPlanned":
        entry = {"id": event.entry_id, "title": event.title, "standard": event.standard, "due": event.due,
                 "reason": event.reason, "audit_id": None, "decision": None, "decision_reason": None,
                 "planned_at": at.isoformat()}
        return {**doc, "entries": [*doc["entries"], entry]}
    if name == "PlannedAuditStarted":
        return _entry(doc, event.entry_id, audit_id=event.audit_id)
    if name == "PlannedAuditDecided":
        return _entry(doc, event.entry_id, decision=event.decision, decision_reason=event.reason)
    return doc


def _entry(doc: Document, entry_id: str, **changes: Any) -> Document:
    return {**doc, "entries": [{**e, **changes} if e["id"] == entry_id else e for e in doc["entries"]]}
