"""A hospital system registered to post observations: the team it serves and the measures it may write.
Every event a command of the integration causes names it as the source system."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, invalid_state, required_text

# Deciding where a team's measures get their data is part of planning them (like a measure's data source).
ASPECT = Aspect.PLANNING
SOURCE_PREFIX = "integration:"


def source_of(integration_id: str) -> str:
    """The source system that events caused by this integration name."""
    return f"{SOURCE_PREFIX}{integration_id}"


def _measures(measure_ids: Sequence[str]) -> list[str]:
    if not measure_ids:
        raise InvalidInput("An integration writes at least one measure.", field="measureIds", code="INVALID")
    if len(measure_ids) > MAX_ITEMS:
        raise InvalidInput(f"An integration writes at most {MAX_ITEMS} measures.", field="measureIds",
                           code="INVALID")
    seen: list[str] = []
    for i, m in enumerate(measure_ids):
        if m in seen:
            raise InvalidInput(f"Measure {m} is listed twice.", field="measureIds", index=i, code="INVALID")
        seen.append(m)
    return seen


class Integration(Aggregate):
    class IntegrationRegistered(Aggregate.Created):
        name: str
        team_id: str
        measure_ids: list[str]
        reason: str

    @classmethod
    def register(cls, *, integration_id: UUID, name: str, team_id: str, measure_ids: Sequence[str],
                 reason: str) -> Integration:
        """`measure_ids` must already be checked to be the team's measures (the command does)."""
        return cls._create(cls.IntegrationRegistered, id=integration_id, name=required_text(name, "name", MAX_TITLE),
                           team_id=team_id, measure_ids=_measures(measure_ids),
                           reason=required_text(reason, "reason"))

    @event(IntegrationRegistered)
    def __init__(self, name: str, team_id: str, measure_ids: list[str], reason: str) -> None:
        self.name, self.team_id, self.measure_ids = name, team_id, list(measure_ids)
        self.retired = False

    def may_write(self, measure_id: str) -> bool:
        return not self.retired and measure_id in self.measure_ids

    def change_measures(self, measure_ids: Sequence[str], reason: str) -> None:
        if self.retired:
            raise invalid_state("A retired integration cannot be changed.")
        self._measures_changed(measure_ids=_measures(measure_ids), reason=required_text(reason, "reason"))

    @event("IntegrationMeasuresChanged")
    def _measures_changed(self, measure_ids: list[str], reason: str) -> None:
        self.measure_ids = list(measure_ids)

    def retire(self, reason: str) -> None:
        """From now on the integration writes nothing (its tokens are refused at every write)."""
        if self.retired:
            raise invalid_state("The integration is already retired.")
        self._retired(reason=required_text(reason, "reason"))

    @event("IntegrationRetired")
    def _retired(self, reason: str) -> None:
        self.retired = True
