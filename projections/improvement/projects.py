"""A project's and a PDSA cycle's events folded into their documents: the same fold serves the read model and
`project(asOf:)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.improvement.cycle import PdsaCycle
from domain.improvement.project import Project

Document = dict[str, Any]
P, C = Project, PdsaCycle
PROJECT_EVENTS: tuple[type, ...] = (P.ProjectCreated, P.CharterRevised, P.MeasuresLinked, P.ProjectSponsored,
                                    P.ProjectMemberJoined, P.ModelForImprovementStated, P.ProjectStageMoved,
                                    P.ProjectClosed)
CYCLE_EVENTS: tuple[type, ...] = (C.CyclePlanned, C.CyclePlanDetailed, C.CycleDone, C.CycleStudied, C.CycleActed)


def evolve_project(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, P.ProjectCreated):
        return {"id": str(ev.originator_id), "team_id": ev.team_id, "title": ev.title, "aim": ev.aim,
                "problem": None, "scope": None, "target": None, "target_date": None, "planned_end": ev.planned_end,
                "measures": ev.measures, "sponsor": None, "members": [], "model": None, "stage": "DISCOVERY",
                "stages": [{"stage": "DISCOVERY", "previous": None, "reason": None, "at": when, "by": actor}],
                "closed": False, "closed_on": None, "summary": None, "lessons": [], "created_by": ev.created_by,
                "created_at": when, "opportunity_id": ev.opportunity_id, "revisions": []}
    if doc is None:
        return None
    if isinstance(ev, P.CharterRevised):
        return {**doc, **ev.changes, "revisions": [*doc["revisions"], {"reason": ev.reason, "at": when, "by": actor,
                                                                      "parts": sorted(ev.changes)}]}
    if isinstance(ev, P.MeasuresLinked):
        return {**doc, "measures": ev.measures, "revisions": [
            *doc["revisions"], {"reason": ev.reason, "at": when, "by": actor, "parts": ["measures"]}]}
    if isinstance(ev, P.ProjectSponsored):
        return {**doc, "sponsor": ev.sponsor}
    if isinstance(ev, P.ProjectMemberJoined):
        return {**doc, "members": [*doc["members"], {"subject": ev.subject, "name": ev.name, "role": ev.role,
                                                     "at": when}]}
    if isinstance(ev, P.ModelForImprovementStated):
        return {**doc, "model": {"accomplish": ev.accomplish, "know": ev.know, "changes": ev.changes}}
    if isinstance(ev, P.ProjectStageMoved):
        return {**doc, "stage": ev.stage, "stages": [*doc["stages"], {"stage": ev.stage, "previous": ev.previous,
                                                                      "reason": ev.reason, "at": when, "by": actor}]}
    if isinstance(ev, P.ProjectClosed):
        return {**doc, "closed": True, "closed_on": ev.closed_on, "summary": ev.summary, "lessons": ev.lessons}
    return doc


def evolve_cycle(doc: Document | None, ev: Any, at: datetime, actor: str) -> Document | None:
    when = at.isoformat()
    if isinstance(ev, C.CyclePlanned):
        return {"id": str(ev.originator_id), "project_id": ev.project_id, "team_id": ev.team_id,
                "change_idea": ev.change_idea, "question": ev.question, "prediction": ev.prediction,
                "start_period": ev.start_period, "who": ev.who, "what": ev.what, "when": ev.when, "data": ev.data,
                "previous_cycle_id": ev.previous_cycle_id, "measure_ids": ev.measure_ids, "stage": "PLAN",
                "decision": None, "planned_at": when, "created_at": when, "planned_by": actor, "do": None,
                "study": None, "act": None}
    if doc is None:
        return None
    if isinstance(ev, C.CyclePlanDetailed):
        return {**doc, **{k: getattr(ev, k) for k in ("who", "what", "when", "data") if getattr(ev, k) is not None}}
    if isinstance(ev, C.CycleDone):
        return {**doc, "stage": "DO", "do": {"text": ev.observations, "at": when, "by": actor}}
    if isinstance(ev, C.CycleStudied):
        return {**doc, "stage": "STUDY", "study": {"text": ev.findings, "at": when, "by": actor}}
    if isinstance(ev, C.CycleActed):
        return {**doc, "stage": "ACT", "decision": ev.decision,
                "act": {"text": ev.notes, "decision": ev.decision, "at": when, "by": actor}}
    return doc
