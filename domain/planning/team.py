"""A team: the unit that plans, controls, assures and improves quality."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.text import check_text

ASPECT = Aspect.PLANNING

MAX_NAME = 200


def clean_name(name: str, field: str = "name") -> str:
    """Return the trimmed name, or raise a clear error for a blank or overlong one."""
    cleaned = check_text(name, field).strip()
    if not cleaned:
        raise InvalidInput("A name is required.", field=field, code="REQUIRED")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"A name has at most {MAX_NAME} characters.", field=field, code="TOO_LONG")
    return cleaned


class Team(Aggregate):
    """A team within an organisation; teams nest through their parent."""

    class TeamCreated(Aggregate.Created):
        name: str
        parent_id: str | None

    @classmethod
    def create(cls, *, team_id: UUID, name: str, parent_id: str | None) -> Team:
        return cls._create(cls.TeamCreated, id=team_id, name=clean_name(name), parent_id=parent_id)

    @event(TeamCreated)
    def __init__(self, name: str, parent_id: str | None) -> None:
        self.name = name
        self.parent_id = parent_id
