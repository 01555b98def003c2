"""A plan's events folded into its document: the same fold serves the read model and `plan(asOf:)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.planning.plan import Plan

Document = dict[str, Any]


def evolve(doc: Document | None, event: Any, at: datetime) -> Document | None:
    """The plan's document after `event`, recorded at `at`; None for an event that is not a plan's."""
    if isinstance(event, Plan.PlanDrafted):
        return {"id": str(event.originator_id), "team_id": event.team_id, "year": event.year, "title": event.title,
                "status": "DRAFT", "needs": [{**n, "at": at.isoformat()} for n in event.needs],
                "measures": event.measures, "pathway": [], "commissioning": None, "structures": [],
                "reviewers": [], "comments": [], "reviews": [], "drafted_by": event.drafted_by,
                "drafted_at": at.isoformat(), "submitted_by": None, "submitted_at": None, "approved_by": None,
                "approved_at": None, "decision_reason": None, "revisions": []}
    if doc is None:
        return None
    name = type(event).__name__
    if name == "PlanRevised":
        changed = {k: getattr(event, k) for k in ("title", "pathway", "commissioning", "structures", "measures",
                                                   "reviewers") if getattr(event, k) is not None}
        return {**doc, **changed,
                "revisions": [*doc["revisions"], {"reason": event.reason, "at": at.isoformat(),
                                                  "parts": sorted(changed)}]}
    if name == "NeedRaised":
        need = {"id": event.need_id, "text": event.text, "raised_by": event.raised_by, "role": event.role,
                "at": at.isoformat()}
        return {**doc, "needs": [*doc["needs"], need]}
    if name == "PlanCommented":
        return {**doc, "comments": [*doc["comments"], {"text": event.text, "author": event.author,
                                                        "role": event.role, "at": event.at}]}
    if name == "PlanReviewed":
        return {**doc, "reviews": [*doc["reviews"], {"reviewer": event.reviewer, "verdict": event.verdict,
                                                      "text": event.text, "at": event.at}]}
    if name == "PlanSubmitted":
        return {**doc, "status": "SUBMITTED", "submitted_by": event.submitted_by, "submitted_at": at.isoformat(),
                "decision_reason": event.reason}
    if name == "PlanApproved":
        return {**doc, "status": "APPROVED", "approved_by": event.approved_by, "approved_at": event.approved_at,
                "decision_reason": event.reason}
    return doc
