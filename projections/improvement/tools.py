"""The improvement tools' events folded into their documents (the read model's and `asOf`'s fold): Pareto
charts, process flow charts and idea sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.improvement.flowchart import Flowchart as F
from domain.improvement.ideas import IdeaSession as S
from domain.improvement.pareto import ParetoChart as P

Document = dict[str, Any]
PARETO_EVENTS: tuple[type, ...] = (P.ParetoRecorded, P.ParetoCountsRevised)
FLOWCHART_EVENTS: tuple[type, ...] = (F.FlowchartDrawn, F.StepAdded, F.StepRelabelled, F.StepRemoved,
                                      F.StepsConnected, F.StepsDisconnected)
SESSION_EVENTS: tuple[type, ...] = (S.IdeaSessionOpened, S.IdeaListed, S.ConvergenceBegun, S.IdeasGrouped,
                                    S.IdeaVoted, S.IdeaSessionClosed)


def evolve_pareto(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, P.ParetoRecorded):
        return {"id": str(ev.originator_id), "team_id": ev.team_id, "project_id": ev.project_id, "title": ev.title,
                "categories": ev.categories, "created_at": when, "recorded_by": actor, "revisions": [],
                "source_kind": ev.source_kind, "source_id": ev.source_id}
    if doc is None:
        return None
    if isinstance(ev, P.ParetoCountsRevised):
        return {**doc, "categories": ev.categories,
                "revisions": [*doc["revisions"], {"reason": ev.reason, "at": when, "by": actor}]}
    return doc


def evolve_flowchart(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, F.FlowchartDrawn):
        return {"id": str(ev.originator_id), "team_id": ev.team_id, "project_id": ev.project_id, "title": ev.title,
                "state": ev.state, "based_on": ev.based_on, "steps": ev.steps, "connections": ev.connections,
                "created_at": when, "edits": [{"edit": "FlowchartDrawn", "at": when, "by": actor}]}
    if doc is None:
        return None
    doc = {**doc, "edits": [*doc["edits"], {"edit": type(ev).__name__, "at": when, "by": actor}]}
    if isinstance(ev, F.StepAdded):
        return {**doc, "steps": [*doc["steps"], {"id": ev.step_id, "kind": ev.kind, "label": ev.label}]}
    if isinstance(ev, F.StepRelabelled):
        return {**doc, "steps": [{**s, "label": ev.label} if s["id"] == ev.step_id else s for s in doc["steps"]]}
    if isinstance(ev, F.StepRemoved):
        return {**doc, "steps": [s for s in doc["steps"] if s["id"] != ev.step_id],
                "connections": [c for c in doc["connections"] if ev.step_id not in (c["from"], c["to"])]}
    if isinstance(ev, F.StepsConnected):
        return {**doc, "connections": [*doc["connections"], {"from": ev.from_step, "to": ev.to_step,
                                                             "label": ev.label}]}
    if isinstance(ev, F.StepsDisconnected):
        return {**doc, "connections": [c for c in doc["connections"]
                                       if (c["from"], c["to"]) != (ev.from_step, ev.to_step)]}
    return doc


def evolve_session(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, S.IdeaSessionOpened):
        return {"id": str(ev.originator_id), "team_id": ev.team_id, "project_id": ev.project_id,
                "prompt": ev.prompt, "phase": "DIVERGE", "ideas": [], "groups": [], "chosen": [], "reason": None,
                "created_at": when}
    if doc is None:
        return None
    if isinstance(ev, S.IdeaListed):
        return {**doc, "ideas": [*doc["ideas"], {"id": ev.idea_id, "text": ev.text, "by": ev.by, "at": when,
                                                 "voters": []}]}
    if isinstance(ev, S.ConvergenceBegun):
        return {**doc, "phase": "CONVERGE"}
    if isinstance(ev, S.IdeasGrouped):
        return {**doc, "groups": [*doc["groups"], {"id": ev.group_id, "name": ev.name, "ideas": ev.idea_ids}]}
    if isinstance(ev, S.IdeaVoted):
        return {**doc, "ideas": [{**i, "voters": [*i["voters"], ev.voter]} if i["id"] == ev.idea_id else i
                                 for i in doc["ideas"]]}
    if isinstance(ev, S.IdeaSessionClosed):
        return {**doc, "phase": "CLOSED", "chosen": ev.chosen, "reason": ev.reason}
    return doc
