"""A driver diagram's events folded into its document (the read model's and `asOf`'s fold)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.improvement.driver_diagram import AIM_NODE
from domain.improvement.driver_diagram import DriverDiagram as D

Document = dict[str, Any]
EVENTS: tuple[type, ...] = (D.DiagramDrawn, D.DriverAdded, D.DriverReworded, D.DriversLinked, D.DriversUnlinked,
                            D.DriverRemoved, D.ChangeIdeaTested)


def _nodes(doc: Document, node_id: str, change: Any) -> list[dict[str, Any]]:
    return [change(n) if n["id"] == node_id else n for n in doc["nodes"]]


def evolve(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, D.DiagramDrawn):
        return {"id": str(ev.originator_id), "project_id": ev.project_id, "team_id": ev.team_id, "created_at": when,
                "nodes": [{"id": AIM_NODE, "kind": "AIM", "text": ev.aim, "parents": [], "cycles": []}],
                "edits": [{"edit": "DRAWN", "node_id": AIM_NODE, "at": when, "by": actor}]}
    if doc is None:
        return None
    node_id = ev.node_id
    edit = {"edit": type(ev).__name__, "node_id": node_id, "at": when, "by": actor}
    doc = {**doc, "edits": [*doc["edits"], edit]}
    if isinstance(ev, D.DriverAdded):
        return {**doc, "nodes": [*doc["nodes"], {"id": node_id, "kind": ev.kind, "text": ev.text,
                                                 "parents": ev.parents, "cycles": []}]}
    if isinstance(ev, D.DriverReworded):
        return {**doc, "nodes": _nodes(doc, node_id, lambda n: {**n, "text": ev.text})}
    if isinstance(ev, D.DriversLinked):
        return {**doc, "nodes": _nodes(doc, node_id, lambda n: {**n, "parents": [*n["parents"], ev.parent_id]})}
    if isinstance(ev, D.DriversUnlinked):
        return {**doc, "nodes": _nodes(doc, node_id, lambda n: {
            **n, "parents": [p for p in n["parents"] if p != ev.parent_id]})}
    if isinstance(ev, D.DriverRemoved):
        return {**doc, "nodes": [n for n in doc["nodes"] if n["id"] != node_id]}
    if isinstance(ev, D.ChangeIdeaTested):
        return {**doc, "nodes": _nodes(doc, node_id, lambda n: {**n, "cycles": [*n["cycles"], ev.cycle_id]})}
    return doc
