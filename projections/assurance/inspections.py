"""An inspection's events folded into its document (for the read model and asOf alike): the latest rating
of each area, every rating in order, and the findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.assurance.inspection import Inspection

Document = dict[str, Any]

INSPECTION_EVENTS = (Inspection.InspectionRecorded, Inspection.InspectionAreaRated,  # type: ignore[attr-defined]
                     Inspection.InspectionFindingRecorded, Inspection.InspectionReported)  # type: ignore[attr-defined]


def evolve_inspection(doc: Document | None, event: Any, at: datetime) -> Document | None:
    if isinstance(event, Inspection.InspectionRecorded):
        return {"id": str(event.originator_id), "team_id": event.team_id, "kind": event.kind, "body": event.body,
                "visited_on": event.visited_on, "inspectors": event.inspectors, "areas": event.areas,
                "ratings": [], "findings": [], "summary": None, "reported_by": None, "reported_at": None,
                "recorded_at": at.isoformat()}
    if doc is None:
        return None
    name = type(event).__name__
    if name == "InspectionAreaRated":
        rating = {"area": event.area, "rating": event.rating, "rationale": event.rationale,
                  "decided_by": event.decided_by, "at": event.at}
        return {**doc, "ratings": [*doc["ratings"], rating]}
    if name == "InspectionFindingRecorded":
        return {**doc, "findings": [*doc["findings"], event.finding]}
    if name == "InspectionReported":
        return {**doc, "summary": event.summary, "reported_by": event.reported_by, "reported_at": event.reported_at}
    return doc
