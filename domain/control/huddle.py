"""A huddle: a team's short regular meeting at its board. Who attended, the measures reviewed, the problems raised
(each solved on the spot, or left open to be escalated) and, through the action tracker, the actions agreed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.control.rules import calendar_day, invalid, invalid_state, required
from domain.errors import NotFound

ASPECT = Aspect.CONTROL

MAX_PEOPLE = 100
MAX_NAME = 200
MAX_TEXT = 2000
MAX_PROBLEMS = 100


class ProblemStatus(StrEnum):
    OPEN = "OPEN"
    SOLVED = "SOLVED"
    ESCALATED = "ESCALATED"     # an escalation names it (the read models know; the huddle does not need to)


@dataclass(frozen=True, slots=True)
class ProblemIn:
    description: str
    resolution: str | None = None   # given: solved on the spot


def problem_id(huddle_id: str, number: int) -> str:
    """A problem's id names its huddle, so a command on the problem loads the one aggregate that holds it."""
    return f"{huddle_id}.{number}"


def problem_huddle(source_id: str) -> str | None:
    """The huddle id inside a problem id, or None if the id is not shaped like one."""
    huddle, dot, number = source_id.rpartition(".")
    return huddle if dot and number.isdigit() and len(huddle) == 36 else None


def _problem(number: int, p: ProblemIn, index: int | None = None) -> dict[str, Any]:
    field = "problems" if index is not None else "description"
    resolution = required(p.resolution, "resolution", MAX_TEXT, index) if p.resolution is not None else None
    return {"number": number, "description": required(p.description, field, MAX_TEXT, index),
            "resolution": resolution}


class Huddle(Aggregate):
    """One huddle of one team on one day."""

    class HuddleHeld(Aggregate.Created):
        team_id: str
        held_on: str
        attendees: list[str]
        measure_ids: list[str]
        problems: list[dict[str, Any]]   # number, description, resolution (None: open)

    class ProblemRaised(Aggregate.Event):
        number: int
        description: str
        resolution: str | None

    class ProblemSolved(Aggregate.Event):
        number: int
        resolution: str

    @classmethod
    def hold(cls, *, huddle_id: UUID, team_id: str, held_on: date | None, attendees: list[str],
             measure_ids: list[str], team_measures: set[str], problems: list[ProblemIn], today: date) -> Huddle:
        day = calendar_day(held_on, "date")
        if held_on is not None and held_on > today:
            raise invalid(f"date {day} is in the future: record a huddle once it has happened.", "date")
        if not attendees:
            raise invalid("A huddle has at least one attendee.", "attendees")
        if len(attendees) > MAX_PEOPLE:
            raise invalid(f"A huddle has at most {MAX_PEOPLE} attendees.", "attendees")
        people = list(dict.fromkeys(required(a, "attendees", MAX_NAME, i) for i, a in enumerate(attendees)))
        for i, m in enumerate(measure_ids):
            if m not in team_measures:
                raise invalid(f"measureIds[{i}] {m} is not a measure of this team.", "measureIds", i)
        if len(problems) > MAX_PROBLEMS:
            raise invalid(f"A huddle records at most {MAX_PROBLEMS} problems.", "problems")
        raised = [_problem(i + 1, p, i) for i, p in enumerate(problems)]
        return cls._create(cls.HuddleHeld, id=huddle_id, team_id=team_id, held_on=day, attendees=people,
                           measure_ids=list(dict.fromkeys(measure_ids)), problems=raised)

    @event(HuddleHeld)
    def __init__(self, team_id: str, held_on: str, attendees: list[str], measure_ids: list[str],
                 problems: list[dict[str, Any]]) -> None:
        self.team_id = team_id
        self.held_on = held_on
        self.solved: dict[int, bool] = {p["number"]: p["resolution"] is not None for p in problems}

    def raise_problem(self, problem: ProblemIn) -> int:
        """Add a problem raised at (or just after) the huddle; answers its number."""
        if len(self.solved) >= MAX_PROBLEMS:
            raise invalid(f"A huddle records at most {MAX_PROBLEMS} problems.", "description")
        number = len(self.solved) + 1
        self._problem_raised(**_problem(number, problem))
        return number

    @event(ProblemRaised)
    def _problem_raised(self, number: int, description: str, resolution: str | None) -> None:
        self.solved[number] = resolution is not None

    def solve_problem(self, number: int, resolution: str) -> None:
        if number not in self.solved:
            raise NotFound(f"The huddle has no problem {number}.", field="problemId")
        if self.solved[number]:
            raise invalid_state(f"Problem {number} is already solved.")
        self._problem_solved(number=number, resolution=required(resolution, "resolution", MAX_TEXT))

    @event(ProblemSolved)
    def _problem_solved(self, number: int, resolution: str) -> None:
        self.solved[number] = True
