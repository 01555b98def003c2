"""Who sent a command, through which door, and in which conversation of requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from domain.errors import InvalidInput
from domain.planning.integration import source_of
from domain.text import check_text
from service.auth.identity import Principal, Role
from service.eventstore import EventMeta
from service.ids import valid_uuid


@dataclass(frozen=True, slots=True)
class CommandContext:
    principal: Principal
    correlation_id: str = field(default_factory=lambda: uuid4().hex)
    causation_id: str | None = None
    source: str = "graphql"

    def meta(self, team_id: str | None, reason: str | None = None) -> EventMeta:
        return EventMeta(actor=self.principal.subject, role=self.principal.role.value, team_id=team_id,
                         reason=reason, correlation_id=self.correlation_id, causation_id=self.causation_id,
                         source=self._source())

    def _source(self) -> str:
        # an integration's token names the integration as the source system of every event it causes, whatever
        # door it came through or header it sent
        p = self.principal
        if p.role is Role.INTEGRATION and valid_uuid(p.subject):
            return source_of(p.subject)
        return self.source

    def scoped_key(self, key: str | None) -> str | None:
        """Idempotency keys are the client's own: two clients choosing the same key never collide."""
        if key is None:
            return None
        if not 0 < len(check_text(key, "idempotencyKey")) <= 200:
            raise InvalidInput("idempotencyKey must have 1 to 200 characters.", field="idempotencyKey",
                               code="INVALID_INPUT")
        return f"{self.principal.subject}/{key}"
