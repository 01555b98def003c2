"""The organisation: its root team, the directorates below it, and its strategy (vision, mission and strategic
priorities) for each planning year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, check_year, required_text
from domain.planning.team import clean_name

ASPECT = Aspect.PLANNING

MAX_CODE = 40


@dataclass(frozen=True, slots=True)
class Priority:
    """A strategic priority; its code (e.g. "SAFE-CARE") stays the same from year to year, so plans link to it."""

    code: str
    title: str
    description: str | None = None


def _checked_priorities(priorities: Sequence[Priority]) -> list[dict[str, Any]]:
    if not 0 < len(priorities) <= MAX_ITEMS:
        raise InvalidInput(f"A strategy has 1 to {MAX_ITEMS} priorities.", field="priorities", code="INVALID")
    out: list[dict[str, Any]] = []
    for i, p in enumerate(priorities):
        code = required_text(p.code, "code", MAX_CODE, index=i).upper()
        if not all(c.isalnum() or c in "-_" for c in code):
            raise InvalidInput("A priority code has letters, digits, '-' and '_' only.", field="code", index=i,
                               code="INVALID")
        if any(o["code"] == code for o in out):
            raise InvalidInput(f"Priority code {code} is used twice.", field="code", index=i, code="INVALID")
        description = required_text(p.description, "description", index=i) if p.description else None
        out.append({"code": code, "title": required_text(p.title, "title", MAX_TITLE, index=i),
                    "description": description})
    return out


class Organisation(Aggregate):
    """An organisation (a trust): the root of a team hierarchy."""

    class OrganisationEstablished(Aggregate.Created):
        name: str
        root_team_id: str

    @classmethod
    def establish(cls, *, organisation_id: UUID, name: str, root_team_id: str) -> Organisation:
        return cls._create(cls.OrganisationEstablished, id=organisation_id, name=clean_name(name),
                           root_team_id=root_team_id)

    @event(OrganisationEstablished)
    def __init__(self, name: str, root_team_id: str) -> None:
        self.name = name
        self.root_team_id = root_team_id
        self.directorates: list[str] = []
        self.strategies: dict[str, dict[str, Any]] = {}   # by year (as text: JSON keys)

    def designate_directorate(self, team_id: str, parent_id: str | None) -> None:
        """A team directly below the organisation's root becomes a directorate: teams are grouped under it."""
        if parent_id != self.root_team_id:
            raise InvalidInput("A directorate is a team directly below the organisation's root team.",
                               field="teamId", code="INVALID")
        if team_id in self.directorates:
            raise InvalidInput("That team is already a directorate.", field="teamId", code="INVALID")
        self._directorate_designated(team_id=team_id)

    @event("DirectorateDesignated")
    def _directorate_designated(self, team_id: str) -> None:
        self.directorates = [*self.directorates, team_id]

    def set_strategy(self, year: int, vision: str, mission: str, priorities: Sequence[Priority],
                     reason: str) -> None:
        """The strategy for a planning year; setting it again for that year revises it (with the reason)."""
        self._strategy_set(year=check_year(year), vision=required_text(vision, "vision"),
                           mission=required_text(mission, "mission"), priorities=_checked_priorities(priorities),
                           reason=required_text(reason, "reason"))

    @event("StrategySet")
    def _strategy_set(self, year: int, vision: str, mission: str, priorities: list[dict[str, Any]],
                      reason: str) -> None:
        self.strategies = {**self.strategies, str(year): {"year": year, "vision": vision, "mission": mission,
                                                          "priorities": priorities}}

    def priority_codes(self, year: int) -> set[str]:
        strategy = self.strategies.get(str(year))
        return {p["code"] for p in strategy["priorities"]} if strategy else set()
