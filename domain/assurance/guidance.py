"""A guidance document (a NICE guideline or quality standard, a royal college's standard, a local policy) with
its recommendations, registered by reference so that teams can assess themselves against it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, required_text


@dataclass(frozen=True, slots=True)
class Recommendation:
    ref: str      # the guidance's own numbering, e.g. "1.2.3"
    text: str


class Guidance(Aggregate):
    class GuidanceRegistered(Aggregate.Created):
        team_id: str
        reference: str
        title: str
        recommendations: list[dict[str, str]]
        registered_by: str

    @classmethod
    def register(cls, *, guidance_id: UUID, team_id: str, reference: str, title: str,
                 recommendations: Sequence[Recommendation], registered_by: str) -> Guidance:
        if not recommendations or len(recommendations) > MAX_ITEMS:
            raise InvalidInput(f"Guidance has 1 to {MAX_ITEMS} recommendations.", field="recommendations",
                               code="INVALID")
        checked: list[dict[str, str]] = []
        for i, r in enumerate(recommendations):
            ref = required_text(r.ref, "ref", 50, index=i)
            if any(c["ref"] == ref for c in checked):
                raise InvalidInput(f"Recommendation {ref!r} is listed twice.", field="ref", index=i, code="INVALID")
            checked.append({"ref": ref, "text": required_text(r.text, "text", index=i)})
        return cls._create(cls.GuidanceRegistered, id=guidance_id, team_id=team_id,
                           reference=required_text(reference, "reference", MAX_TITLE),
                           title=required_text(title, "title", MAX_TITLE), recommendations=checked,
                           registered_by=registered_by)

    @event(GuidanceRegistered)
    def __init__(self, team_id: str, reference: str, title: str, recommendations: list[dict[str, str]],
                 registered_by: str) -> None:
        self.team_id = team_id
        self.reference = reference
        self.recommendations = recommendations
