"""Guidance and assessments folded into their documents (for the read models and asOf alike). An assessment's
document holds each recommendation's current rating, every round (the baseline first) with the counts it left
behind, which is the progress over time, and the gaps are read from the current ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.assurance.assessment import STATUSES, Assessment
from domain.assurance.guidance import Guidance

Document = dict[str, Any]

GUIDANCE_EVENTS = (Guidance.GuidanceRegistered,)
ASSESSMENT_EVENTS = (Assessment.AssessmentBegun, Assessment.RecommendationsAssessed)  # type: ignore[attr-defined]


def evolve_guidance(doc: Document | None, event: Any, at: datetime) -> Document | None:
    if isinstance(event, Guidance.GuidanceRegistered):
        return {"id": str(event.originator_id), "team_id": event.team_id, "reference": event.reference,
                "title": event.title, "recommendations": event.recommendations, "registered_by": event.registered_by,
                "registered_at": at.isoformat()}
    return doc


def counts(current: dict[str, Any], refs: list[str]) -> dict[str, int]:
    out = {s: 0 for s in (*STATUSES, "UNASSESSED")}
    for ref in refs:
        out[current[ref]["status"] if ref in current else "UNASSESSED"] += 1
    return out


def evolve_assessment(doc: Document | None, event: Any, at: datetime) -> Document | None:
    if isinstance(event, Assessment.AssessmentBegun):
        return {"id": str(event.originator_id), "team_id": event.team_id, "guidance_id": event.guidance_id,
                "guidance_reference": event.guidance_reference, "recommendations": event.recommendations,
                "current": {}, "rounds": [], "begun_at": at.isoformat()}
    if doc is None:
        return None
    if type(event).__name__ == "RecommendationsAssessed":
        current = dict(doc["current"])
        for e in event.entries:
            current[e["recommendation"]] = {**e, "assessed_by": event.assessed_by, "at": event.at,
                                            "round": event.round}
        refs = [r["ref"] for r in doc["recommendations"]]
        round_ = {"round": event.round, "reason": event.reason, "assessed_by": event.assessed_by, "at": event.at,
                  "entries": event.entries, "counts": counts(current, refs)}
        return {**doc, "current": current, "rounds": [*doc["rounds"], round_]}
    return doc
