"""An inspection of a team, internal (the trust's own quality visit) or external (a regulator's): the date,
the inspectors, the areas inspected, findings with severity, and a rating per area (CQC's four ratings), each
recorded with who decided and why, until the report is issued."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.assurance.findings import finding
from domain.errors import InvalidInput
from domain.planning.rules import MAX_TITLE, invalid_state, required_text, text_list

KINDS = ("INTERNAL", "EXTERNAL")
RATINGS = ("OUTSTANDING", "GOOD", "REQUIRES_IMPROVEMENT", "INADEQUATE")
OVERALL = "Overall"


class Inspection(Aggregate):
    class InspectionRecorded(Aggregate.Created):
        team_id: str
        kind: str
        body: str
        visited_on: str
        inspectors: list[str]
        areas: list[str]

    @classmethod
    def record(cls, *, inspection_id: UUID, team_id: str, kind: str, body: str, visited_on: date,
               inspectors: Sequence[str], areas: Sequence[str]) -> Inspection:
        if kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", field="kind", code="INVALID")
        checked_inspectors = text_list(inspectors, "inspectors", MAX_TITLE)
        if not checked_inspectors:
            raise InvalidInput("Name at least one inspector.", field="inspectors", code="INVALID")
        checked_areas = list(dict.fromkeys(text_list(areas, "areas", MAX_TITLE)))
        if not checked_areas:
            raise InvalidInput("Name at least one area inspected.", field="areas", code="INVALID")
        return cls._create(cls.InspectionRecorded, id=inspection_id, team_id=team_id, kind=kind,
                           body=required_text(body, "body", MAX_TITLE), visited_on=visited_on.isoformat(),
                           inspectors=checked_inspectors, areas=checked_areas)

    @event(InspectionRecorded)
    def __init__(self, team_id: str, kind: str, body: str, visited_on: str, inspectors: list[str],
                 areas: list[str]) -> None:
        self.team_id = team_id
        self.areas = areas
        self.reported = False

    def rate(self, area: str, rating: str, rationale: str, decided_by: str, at: str) -> None:
        """Rate an inspected area, or the whole ("Overall"); a later rating of the same area replaces it."""
        self._open()
        if area != OVERALL and area not in self.areas:
            raise InvalidInput(f"{area!r} was not inspected.", field="area", code="INVALID")
        if rating not in RATINGS:
            raise InvalidInput(f"rating must be one of {', '.join(RATINGS)}.", field="rating", code="INVALID")
        self._rated(area=area, rating=rating, rationale=required_text(rationale, "rationale"), decided_by=decided_by,
                    at=at)

    @event("InspectionAreaRated")
    def _rated(self, area: str, rating: str, rationale: str, decided_by: str, at: str) -> None:
        pass

    def record_finding(self, finding_id: str, title: str, severity: str, rationale: str, decided_by: str, at: str,
                       area: str | None = None) -> None:
        self._open()
        if area is not None and area not in self.areas:
            raise InvalidInput(f"{area!r} was not inspected.", field="area", code="INVALID")
        self._finding_recorded(finding=finding(finding_id, title, severity, rationale, decided_by, at, area))

    @event("InspectionFindingRecorded")
    def _finding_recorded(self, finding: dict[str, Any]) -> None:
        pass

    def report(self, summary: str, reported_by: str, at: str) -> None:
        """Issue the report: the ratings and findings stand from then on."""
        self._open()
        self._reported(summary=required_text(summary, "summary"), reported_by=reported_by, reported_at=at)

    @event("InspectionReported")
    def _reported(self, summary: str, reported_by: str, reported_at: str) -> None:
        self.reported = True

    def _open(self) -> None:
        if self.reported:
            raise invalid_state("The inspection's report is issued; its ratings and findings stand.")
