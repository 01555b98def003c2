"""Feedback from service users (and carers) on a team's service, optionally about one measure.

Personal details (free text, name, contact) arrive sealed: the service encrypts them with a key kept for the
person, so an erasure request deletes the key and the log itself never changes."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.text import check_text

ASPECT = Aspect.CONTROL

MAX_COMMENT = 4000
MAX_DETAIL = 200


def check_feedback(comment: str, rating: int | None, name: str | None, contact: str | None) -> None:
    """The rules on the plain text, checked before it is sealed."""
    for value, field in ((comment, "comment"), (name, "name"), (contact, "contact")):
        if value is not None:
            check_text(value, field)
    if not comment.strip():
        raise InvalidInput("A comment is required.", field="comment", code="REQUIRED")
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"comment has at most {MAX_COMMENT} characters.", field="comment", code="TOO_LONG")
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput(f"rating is from 1 to 5, not {rating}.", field="rating", code="OUT_OF_RANGE")
    for value, field in ((name, "name"), (contact, "contact")):
        if value is not None and len(value) > MAX_DETAIL:
            raise InvalidInput(f"{field} has at most {MAX_DETAIL} characters.", field=field, code="TOO_LONG")


class Feedback(Aggregate):
    """One piece of feedback; the team replies to close the loop."""

    class FeedbackGiven(Aggregate.Created):
        team_id: str
        measure_id: str | None
        rating: int | None
        comment: str          # sealed
        name: str | None      # sealed
        contact: str | None   # sealed

    @classmethod
    def give(cls, *, feedback_id: UUID, team_id: str, measure_id: str | None, rating: int | None, comment: str,
             name: str | None, contact: str | None) -> Feedback:
        return cls._create(cls.FeedbackGiven, id=feedback_id, team_id=team_id, measure_id=measure_id, rating=rating,
                           comment=comment, name=name, contact=contact)

    @event(FeedbackGiven)
    def __init__(self, team_id: str, measure_id: str | None, rating: int | None, comment: str, name: str | None,
                 contact: str | None) -> None:
        self.team_id = team_id
        self.measure_id = measure_id
        self.rating = rating
        self.comment = comment
        self.name = name
        self.contact = contact
