"""A corrective action: one tracker for every source (a signal, an escalation, a huddle problem, and later audit
findings, gaps, inspections, PDSA cycles). Open until done with evidence or cancelled with a reason; its owner and
due date change only with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.control.rules import calendar_day, invalid, invalid_state, required
from domain.control.vocabulary import AnnotationKind

MAX_TITLE = 300
MAX_OWNER = 200
MAX_TEXT = 2000
MAX_SOURCE = 200


class ActionStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"



@dataclass(frozen=True, slots=True)
class ActionSource:
    """What the action answers: the source's id, its kind if the service knows it (a stream type such as
    "Escalation", or "HuddleProblem"), and the measure whose chart it concerns, if any."""

    source_id: str | None = None
    kind: str | None = None
    measure_id: str | None = None


class Action(Aggregate):
    """One action of one team, with an owner and a due date."""

    class ActionCreated(Aggregate.Created):
        team_id: str
        title: str
        owner: str
        due_date: str
        source_id: str | None
        source_kind: str | None
        measure_id: str | None     # set when the source is a measure of the team: the action notes its chart
        created_on: str            # the day it was agreed, in the service's time zone

        def chart_annotation(self) -> tuple[Sequence[str], str, AnnotationKind, str]:
            return ((self.measure_id,) if self.measure_id else (), self.created_on, AnnotationKind.ACTION,
                    f"Action agreed: {self.title} (due {self.due_date})")

    class ActionCompleted(Aggregate.Event):
        evidence: str
        title: str
        measure_id: str | None
        completed_on: str

        def chart_annotation(self) -> tuple[Sequence[str], str, AnnotationKind, str]:
            return ((self.measure_id,) if self.measure_id else (), self.completed_on, AnnotationKind.ACTION,
                    f"Action done: {self.title}. Evidence: {self.evidence}")

    class ActionCancelled(Aggregate.Event):
        reason: str

    class ActionReassigned(Aggregate.Event):
        owner: str
        previous_owner: str
        reason: str

    class ActionRescheduled(Aggregate.Event):
        due_date: str
        previous_due_date: str
        reason: str

    @classmethod
    def create(cls, *, action_id: UUID, team_id: str, title: str, owner: str | None, due_date: date | None,
               source: ActionSource, today: date) -> Action:
        if source.source_id is not None and not 0 < len(source.source_id) <= MAX_SOURCE:
            raise invalid(f"sourceId has 1 to {MAX_SOURCE} characters.", "sourceId")
        return cls._create(cls.ActionCreated, id=action_id, team_id=team_id, title=required(title, "title", MAX_TITLE),
                           owner=required(owner, "owner", MAX_OWNER), due_date=calendar_day(due_date, "dueDate"),
                           source_id=source.source_id, source_kind=source.kind, measure_id=source.measure_id,
                           created_on=today.isoformat())

    @event(ActionCreated)
    def __init__(self, team_id: str, title: str, owner: str, due_date: str, source_id: str | None,
                 source_kind: str | None, measure_id: str | None, created_on: str) -> None:
        self.team_id = team_id
        self.title = title
        self.owner = owner
        self.due_date = due_date
        self.source_id = source_id
        self.measure_id = measure_id
        self.status = "OPEN"

    def _check_open(self, doing: str) -> None:
        if self.status != "OPEN":
            raise invalid_state(f"The action is {self.status}: it cannot be {doing}.")

    def complete(self, evidence: str, today: date) -> None:
        self._check_open("completed")
        self._completed(evidence=required(evidence, "evidence", MAX_TEXT), title=self.title,
                        measure_id=self.measure_id, completed_on=today.isoformat())

    @event(ActionCompleted)
    def _completed(self, evidence: str, title: str, measure_id: str | None, completed_on: str) -> None:
        self.status = "DONE"

    def cancel(self, reason: str) -> None:
        self._check_open("cancelled")
        self._cancelled(reason=required(reason, "reason", MAX_TEXT))

    @event(ActionCancelled)
    def _cancelled(self, reason: str) -> None:
        self.status = "CANCELLED"

    def reassign(self, owner: str | None, reason: str) -> None:
        self._check_open("reassigned")
        new = required(owner, "owner", MAX_OWNER)
        if new == self.owner:
            raise invalid(f"The action is already owned by {new}.", "owner")
        self._reassigned(owner=new, previous_owner=self.owner, reason=required(reason, "reason", MAX_TEXT))

    @event(ActionReassigned)
    def _reassigned(self, owner: str, previous_owner: str, reason: str) -> None:
        self.owner = owner

    def reschedule(self, due_date: date | None, reason: str) -> None:
        self._check_open("rescheduled")
        new = calendar_day(due_date, "dueDate")
        if new == self.due_date:
            raise invalid(f"The action is already due on {new}.", "dueDate")
        self._rescheduled(due_date=new, previous_due_date=self.due_date, reason=required(reason, "reason", MAX_TEXT))

    @event(ActionRescheduled)
    def _rescheduled(self, due_date: str, previous_due_date: str, reason: str) -> None:
        self.due_date = due_date
