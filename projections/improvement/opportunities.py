"""An opportunity's events folded into its document (the read model's and `asOf`'s fold)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.improvement.opportunity import Opportunity as O

Document = dict[str, Any]
EVENTS: tuple[type, ...] = (O.OpportunityProposed, O.OpportunityVoted, O.OpportunityChosen, O.OpportunityDeclined)


def evolve(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, O.OpportunityProposed):
        return {"id": str(ev.originator_id), "team_id": ev.team_id, "title": ev.title,
                "description": ev.description, "proposed_by": ev.proposed_by, "role": ev.role, "created_at": when,
                "status": "PROPOSED", "votes": [], "decision": None}
    if doc is None:
        return None
    if isinstance(ev, O.OpportunityVoted):
        return {**doc, "votes": [*doc["votes"], {"voter": ev.voter, "role": ev.role, "at": when}]}
    if isinstance(ev, O.OpportunityChosen):
        return {**doc, "status": "CHOSEN", "decision": {"reason": ev.reason, "by": ev.chosen_by, "at": when}}
    if isinstance(ev, O.OpportunityDeclined):
        return {**doc, "status": "DECLINED", "decision": {"reason": ev.reason, "by": ev.declined_by, "at": when}}
    return doc
