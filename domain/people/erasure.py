"""An erasure request honoured: from now on nothing sealed for this person can be read."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.planning.team import clean_name
from domain.text import check_text

# Not quality work: honouring an erasure request administers personal data (see domain/aspects.py).
ASPECT: Aspect | None = None


class Erasure(Aggregate):
    class PersonalDataErased(Aggregate.Created):
        subject: str
        reason: str

    @classmethod
    def honour(cls, *, erasure_id: UUID, subject: str, reason: str) -> Erasure:
        subject = clean_name(subject, field="subject")
        if not check_text(reason, "reason").strip():
            raise InvalidInput("A reason is required: say which request is being honoured.", field="reason",
                               code="REQUIRED")
        return cls._create(cls.PersonalDataErased, id=erasure_id, subject=subject, reason=reason.strip())

    @event(PersonalDataErased)
    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
