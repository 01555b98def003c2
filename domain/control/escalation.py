"""Escalation: the organisation's levels (say team, directorate, executive), each with a response time, and each
escalation of a huddle problem or a signal, step by step: raised, acknowledged, escalated further, resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.control.rules import invalid, invalid_state, required

ASPECT = Aspect.CONTROL

LEVELS_ID = uuid5(NAMESPACE_URL, "qms:escalation-levels")  # one ladder per organisation (per deployment)
MAX_LEVELS = 10
MAX_NAME = 100
MAX_RESPONSE_MINUTES = 90 * 24 * 60
MAX_TEXT = 2000


class EscalationStatus(StrEnum):
    OPEN = "OPEN"                   # waiting for its level to acknowledge it
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    response_minutes: int


def _checked_levels(levels: list[Level]) -> list[dict[str, Any]]:
    if not 0 < len(levels) <= MAX_LEVELS:
        raise invalid(f"Configure 1 to {MAX_LEVELS} levels, lowest first.", "levels")
    seen: set[str] = set()
    out = []
    for i, level in enumerate(levels):
        name = required(level.name, "levels", MAX_NAME, i)
        if name.casefold() in seen:
            raise invalid(f"Level {name!r} is named twice.", "levels", i)
        if not 0 < level.response_minutes <= MAX_RESPONSE_MINUTES:
            raise invalid(f"A response time is 1 to {MAX_RESPONSE_MINUTES} minutes, not {level.response_minutes}.",
                          "levels", i)
        seen.add(name.casefold())
        out.append({"name": name, "response_minutes": level.response_minutes})
    return out


class EscalationLevels(Aggregate):
    """The organisation's escalation ladder, lowest level first."""

    class EscalationLevelsSet(Aggregate.Created):
        levels: list[dict[str, Any]]
        reason: str

    class EscalationLevelsChanged(Aggregate.Event):
        levels: list[dict[str, Any]]
        reason: str

    @classmethod
    def set_up(cls, levels: list[Level], reason: str) -> EscalationLevels:
        return cls._create(cls.EscalationLevelsSet, id=LEVELS_ID, levels=_checked_levels(levels),
                           reason=required(reason, "reason", MAX_TEXT))

    @event(EscalationLevelsSet)
    def __init__(self, levels: list[dict[str, Any]], reason: str) -> None:
        self.levels = [Level(lv["name"], lv["response_minutes"]) for lv in levels]

    def change(self, levels: list[Level], reason: str) -> None:
        self._changed(levels=_checked_levels(levels), reason=required(reason, "reason", MAX_TEXT))

    @event(EscalationLevelsChanged)
    def _changed(self, levels: list[dict[str, Any]], reason: str) -> None:
        self.levels = [Level(lv["name"], lv["response_minutes"]) for lv in levels]


def _level(levels: list[Level], name: str | None) -> tuple[int, Level]:
    for rank, level in enumerate(levels):
        if level.name == name:
            return rank, level
    known = ", ".join(lv.name for lv in levels) or "none are configured"
    raise invalid(f"There is no escalation level {name!r} (levels: {known}).", "level")


class Escalation(Aggregate):
    """A problem a team could not solve, taken up the ladder until someone resolves it."""

    class EscalationRaised(Aggregate.Created):
        team_id: str
        source_id: str
        source_kind: str
        summary: str
        level: str
        response_minutes: int
        at: str

    class EscalationAcknowledged(Aggregate.Event):
        level: str
        note: str
        at: str

    class EscalatedFurther(Aggregate.Event):
        level: str
        previous_level: str
        response_minutes: int
        reason: str
        at: str

    class EscalationResolved(Aggregate.Event):
        resolution: str
        at: str

    @classmethod
    def raise_(cls, *, escalation_id: UUID, team_id: str, source_id: str, source_kind: str, summary: str,
               level: str | None, levels: list[Level], now: datetime) -> Escalation:
        """Raise it at `level`, or at the lowest level when none is named."""
        text = required(summary, "summary", MAX_TEXT)
        _, found = _level(levels, level if level is not None or not levels else levels[0].name)
        return cls._create(cls.EscalationRaised, id=escalation_id, team_id=team_id, source_id=source_id,
                           source_kind=source_kind, summary=text, level=found.name,
                           response_minutes=found.response_minutes, at=now.isoformat())

    @event(EscalationRaised)
    def __init__(self, team_id: str, source_id: str, source_kind: str, summary: str, level: str,
                 response_minutes: int, at: str) -> None:
        self.team_id = team_id
        self.source_id = source_id
        self.level = level
        self.status = EscalationStatus.OPEN

    def acknowledge(self, note: str, now: datetime) -> None:
        if self.status is not EscalationStatus.OPEN:
            raise invalid_state(f"The escalation is {self.status.value} at level {self.level}: there is nothing to "
                                "acknowledge.")
        self._acknowledged(level=self.level, note=required(note, "note", MAX_TEXT), at=now.isoformat())

    @event(EscalationAcknowledged)
    def _acknowledged(self, level: str, note: str, at: str) -> None:
        self.status = EscalationStatus.ACKNOWLEDGED

    def escalate(self, level: str, reason: str, levels: list[Level], now: datetime) -> None:
        """Take it to a higher level, which must acknowledge it in its own response time."""
        if self.status is EscalationStatus.RESOLVED:
            raise invalid_state("The escalation is resolved: it cannot be escalated further.")
        rank, found = _level(levels, level)
        current = next((r for r, lv in enumerate(levels) if lv.name == self.level), -1)
        if rank <= current:
            raise invalid(f"Level {found.name!r} is not above the escalation's level {self.level!r}.", "level")
        self._escalated(level=found.name, previous_level=self.level, response_minutes=found.response_minutes,
                        reason=required(reason, "reason", MAX_TEXT), at=now.isoformat())

    @event(EscalatedFurther)
    def _escalated(self, level: str, previous_level: str, response_minutes: int, reason: str, at: str) -> None:
        self.level = level
        self.status = EscalationStatus.OPEN

    def resolve(self, resolution: str, now: datetime) -> None:
        if self.status is EscalationStatus.RESOLVED:
            raise invalid_state("The escalation is already resolved.")
        self._resolved(resolution=required(resolution, "resolution", MAX_TEXT), at=now.isoformat())

    @event(EscalationResolved)
    def _resolved(self, resolution: str, at: str) -> None:
        self.status = EscalationStatus.RESOLVED
