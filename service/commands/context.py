"""Who sent a command, through which door, and in which conversation of requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from domain.errors import InvalidInput
from domain.text import check_text
from service.auth.identity import Principal
from service.eventstore import EventMeta


@dataclass(frozen=True, slots=True)
class CommandContext:
    principal: Principal
    correlation_id: str = field(default_factory=lambda: uuid4().hex)
    causation_id: str | None = None
    source: str = "graphql"

    def meta(self, team_id: str | None, reason: str | None = None) -> EventMeta:
        return EventMeta(actor=self.principal.subject, role=self.principal.role.value, team_id=team_id,
                         reason=reason, correlation_id=self.correlation_id, causation_id=self.causation_id,
                         source=self.source)

    def scoped_key(self, key: str | None) -> str | None:
        """Idempotency keys are the client's own: two clients choosing the same key never collide."""
        if key is None:
            return None
        if not 0 < len(check_text(key, "idempotencyKey")) <= 200:
            raise InvalidInput("idempotencyKey must have 1 to 200 characters.", field="idempotencyKey",
                               code="INVALID_INPUT")
        return f"{self.principal.subject}/{key}"
