"""A fishbone diagram's events folded into its document (for the read model and asOf alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.assurance.fishbone import Fishbone

Document = dict[str, Any]

FISHBONE_EVENTS = (Fishbone.DiagramDrawn, Fishbone.EffectRestated, Fishbone.CategoryAdded,  # type: ignore[attr-defined]
                   Fishbone.CauseAdded, Fishbone.CauseReworded, Fishbone.CauseRemoved,  # type: ignore[attr-defined]
                   Fishbone.DiagramLinked)  # type: ignore[attr-defined]


def evolve_fishbone(doc: Document | None, event: Any, at: datetime) -> Document | None:
    if isinstance(event, Fishbone.DiagramDrawn):
        return {"id": str(event.originator_id), "team_id": event.team_id, "effect": event.effect,
                "categories": event.categories, "causes": [], "links": [], "drawn_by": event.drawn_by,
                "drawn_at": at.isoformat(), "edits": 0}
    if doc is None:
        return None
    doc = {**doc, "edits": doc["edits"] + 1, "edited_at": at.isoformat()}
    name = type(event).__name__
    if name == "EffectRestated":
        return {**doc, "effect": event.effect}
    if name == "CategoryAdded":
        return {**doc, "categories": [*doc["categories"], event.name]}
    if name == "CauseAdded":
        cause = {"id": event.cause_id, "category": event.category, "text": event.text, "parent_id": event.parent_id}
        return {**doc, "causes": [*doc["causes"], cause]}
    if name == "CauseReworded":
        return {**doc, "causes": [{**c, "text": event.text} if c["id"] == event.cause_id else c
                                  for c in doc["causes"]]}
    if name == "CauseRemoved":
        return {**doc, "causes": [c for c in doc["causes"] if c["id"] not in event.cause_ids]}
    if name == "DiagramLinked":
        link = {"kind": event.kind, "target_id": event.target_id}
        return {**doc, "links": [*doc["links"], link] if link not in doc["links"] else doc["links"]}
    return doc
