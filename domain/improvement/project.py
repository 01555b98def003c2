"""An improvement project: its charter (problem, aim with a measurable target and date, scope, the outcome,
process and balancing measures it links), a sponsor, a team that includes service users, a planned end, the
model for improvement's three questions, its stage from discovery to sustain, and closure with lessons learned.

Its PDSA cycles are aggregates of their own (domain/improvement/cycle.py) that name the project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.improvement.rules import (
    MAX_TEXT,
    MAX_TITLE,
    calendar_day,
    invalid,
    invalid_state,
    required,
    text_list,
)
from domain.improvement.vocabulary import MeasureRole, ProjectRole, ProjectStage

MAX_MEASURES = 50
MAX_NAME = 200
ROLE_OF_KIND = {"OUTCOME": MeasureRole.OUTCOME, "PROCESS": MeasureRole.PROCESS, "STRUCTURE": MeasureRole.PROCESS,
                "BALANCING": MeasureRole.BALANCING}


@dataclass(frozen=True, slots=True)
class Charter:
    """The parts of the charter a revision replaces; None leaves a part as it is."""

    reason: str
    title: str | None = None
    problem: str | None = None
    aim: str | None = None
    target: str | None = None          # the aim's measurable target ("fewer than 4 falls per 1,000 bed days")
    target_date: date | None = None    # by when
    scope: str | None = None
    planned_end: date | None = None


def link_measures(links: Sequence[tuple[str, str | None]], linkable: Mapping[str, str],
                  field: str) -> list[dict[str, str]]:
    """Each (measure id, role) checked: the measure must be one the project may link (`linkable`: id → the
    measure's kind); a role left out is the one its kind implies."""
    if len(links) > MAX_MEASURES:
        raise invalid(f"{field} has at most {MAX_MEASURES} measures.", field)
    seen: set[str] = set()
    out = []
    for i, (measure_id, role) in enumerate(links):
        kind = linkable.get(measure_id)
        if kind is None:
            raise invalid(f"Measure {measure_id} is not one the project may link: a measure of its team, or of a "
                          "team the caller may read.", field, i)
        if measure_id in seen:
            raise invalid(f"Measure {measure_id} is listed twice.", field, i)
        if role is not None and role not in MeasureRole.__members__:
            raise invalid(f"role {role} is not one of {', '.join(MeasureRole)}.", field, i)
        seen.add(measure_id)
        out.append({"measure_id": measure_id, "role": role or ROLE_OF_KIND.get(kind, MeasureRole.PROCESS).value})
    return out


class Project(Aggregate):
    """One team's improvement project."""

    class ProjectCreated(Aggregate.Created):
        team_id: str
        title: str
        aim: str
        measures: list[dict[str, str]]
        planned_end: str
        created_by: str
        opportunity_id: str | None

    class CharterRevised(Aggregate.Event):
        changes: dict[str, Any]
        reason: str

    class MeasuresLinked(Aggregate.Event):
        measures: list[dict[str, str]]
        reason: str

    class ProjectSponsored(Aggregate.Event):
        sponsor: str

    class ProjectMemberJoined(Aggregate.Event):
        subject: str
        name: str
        role: str

    class ModelForImprovementStated(Aggregate.Event):
        accomplish: str     # what are we trying to accomplish?
        know: str           # how will we know that a change is an improvement?
        changes: list[str]  # what changes can we make that will result in improvement?

    class ProjectStageMoved(Aggregate.Event):
        stage: str
        previous: str
        reason: str

    class ProjectClosed(Aggregate.Event):
        summary: str
        lessons: list[str]
        closed_on: str

    @classmethod
    def create(cls, *, project_id: UUID, team_id: str, title: str, aim: str, measures: Sequence[str],
               linkable: Mapping[str, str], planned_end: date | None, created_by: str,
               opportunity_id: str | None = None) -> Project:
        return cls._create(cls.ProjectCreated, id=project_id, team_id=team_id,
                           title=required(title, "title", MAX_TITLE), aim=required(aim, "aim", MAX_TEXT),
                           measures=link_measures([(m, None) for m in measures], linkable, "measureIds"),
                           planned_end=calendar_day(planned_end, "plannedEnd"), created_by=created_by,
                           opportunity_id=opportunity_id)

    @event(ProjectCreated)
    def __init__(self, team_id: str, title: str, aim: str, measures: list[dict[str, str]], planned_end: str,
                 created_by: str, opportunity_id: str | None) -> None:
        self.team_id = team_id
        self.title = title
        self.planned_end = planned_end
        self.measures = measures
        self.stage = ProjectStage.DISCOVERY.value
        self.sponsor: str | None = None
        self.members: dict[str, str] = {}
        self.closed = False

    @property
    def measure_ids(self) -> list[str]:
        return [m["measure_id"] for m in self.measures]

    def _check_open(self, doing: str) -> None:
        if self.closed:
            raise invalid_state(f"The project is closed: it cannot be {doing}.")

    # -- the charter -------------------------------------------------------------------------------------
    def revise_charter(self, charter: Charter) -> None:
        self._check_open("revised")
        changes: dict[str, Any] = {}
        for name, most in (("title", MAX_TITLE), ("problem", MAX_TEXT), ("aim", MAX_TEXT), ("target", MAX_TEXT),
                           ("scope", MAX_TEXT)):
            value = getattr(charter, name)
            if value is not None:
                changes[name] = required(value, name, most)
        if charter.target_date is not None:
            changes["target_date"] = calendar_day(charter.target_date, "targetDate")
        if charter.planned_end is not None:
            changes["planned_end"] = calendar_day(charter.planned_end, "plannedEnd")
        if not changes:
            raise invalid("A revision changes at least one part of the charter.", "reason")
        self._charter_revised(changes=changes, reason=required(charter.reason, "reason", MAX_TEXT))

    @event(CharterRevised)
    def _charter_revised(self, changes: dict[str, Any], reason: str) -> None:
        self.title = changes.get("title", self.title)
        self.planned_end = changes.get("planned_end", self.planned_end)

    def link(self, links: Sequence[tuple[str, str | None]], linkable: Mapping[str, str], reason: str) -> None:
        """Replace the project's family of measures (each with its role: outcome, process or balancing)."""
        self._check_open("changed")
        self._linked(measures=link_measures(links, linkable, "measures"), reason=required(reason, "reason", MAX_TEXT))

    @event(MeasuresLinked)
    def _linked(self, measures: list[dict[str, str]], reason: str) -> None:
        self.measures = measures

    # -- people ------------------------------------------------------------------------------------------
    def sponsor_by(self, subject: str) -> None:
        self._check_open("sponsored")
        if self.sponsor == subject:
            raise invalid_state(f"{subject} already sponsors the project.")
        self._sponsored(sponsor=subject)

    @event(ProjectSponsored)
    def _sponsored(self, sponsor: str) -> None:
        self.sponsor = sponsor

    def add_member(self, subject: str, name: str, role: str) -> None:
        self._check_open("joined")
        who = required(subject, "subject", MAX_NAME)
        if role not in ProjectRole.__members__:
            raise invalid(f"role {role} is not one of {', '.join(ProjectRole)}.", "role")
        if who in self.members:
            raise invalid(f"{who} is already in the project's team.", "subject")
        self._joined(subject=who, name=required(name, "name", MAX_NAME), role=role)

    @event(ProjectMemberJoined)
    def _joined(self, subject: str, name: str, role: str) -> None:
        self.members[subject] = role

    # -- the model for improvement, stages and closure ---------------------------------------------------
    def state_model(self, accomplish: str, know: str, changes: Sequence[str]) -> None:
        self._check_open("changed")
        self._model(accomplish=required(accomplish, "accomplish", MAX_TEXT), know=required(know, "know", MAX_TEXT),
                    changes=text_list(changes, "changes"))

    @event(ModelForImprovementStated)
    def _model(self, accomplish: str, know: str, changes: list[str]) -> None:
        pass

    def move_to(self, stage: str, reason: str) -> None:
        self._check_open("moved")
        if stage not in ProjectStage.__members__:
            raise invalid(f"stage {stage} is not one of {', '.join(ProjectStage)}.", "stage")
        if stage == self.stage:
            raise invalid_state(f"The project is already at {stage}.")
        self._moved(stage=stage, previous=self.stage, reason=required(reason, "reason", MAX_TEXT))

    @event(ProjectStageMoved)
    def _moved(self, stage: str, previous: str, reason: str) -> None:
        self.stage = stage

    def close(self, summary: str, lessons: Sequence[str], today: date) -> None:
        self._check_open("closed again")
        checked = text_list(lessons, "lessonsLearned")
        if not checked:
            raise invalid("A project closes with at least one lesson learned.", "lessonsLearned")
        self._closed(summary=required(summary, "summary", MAX_TEXT), lessons=checked, closed_on=today.isoformat())

    @event(ProjectClosed)
    def _closed(self, summary: str, lessons: list[str], closed_on: str) -> None:
        self.closed = True
