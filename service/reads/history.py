"""The log as auditors read it: a stream's history, the organisation's audit log, and an event's own fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from domain.errors import InvalidInput, NotFound
from domain.text import check_text
from service.audit.personal_data import is_sealed
from service.auth.identity import Principal
from service.auth.permissions import allowed, authorize
from service.bootstrap import Services
from service.eventstore import RecordedEvent
from service.ids import valid_uuid
from service.reads.cursors import check_first, decode_cursor


@dataclass(frozen=True, slots=True)
class HistoryPage:
    events: list[RecordedEvent]
    has_next: bool


async def stream_history(services: Services, principal: Principal, stream_id: str, first: int,
                         after: str | None) -> HistoryPage:
    check_first(first)
    after_position = decode_cursor(after) if after else 0
    if not valid_uuid(stream_id) or await services.store.stream_type(stream_id) is None:
        raise NotFound(f"No stream has id {stream_id}.", field="streamId")
    async with services.pool.acquire() as conn:
        team_id = await conn.fetchval("SELECT team_id FROM events WHERE stream_id = $1 AND version = 1", stream_id)
        authorize(principal, "history.read", team_id)
        rows = await conn.fetch(
            "SELECT position, stream_id, version, topic, data, recorded_at, actor, role, team_id, reason, "
            "correlation_id, causation_id, source, hash FROM events WHERE stream_id = $1 AND position > $2 "
            "ORDER BY position LIMIT $3", stream_id, after_position, first + 1)
    events = [RecordedEvent(*r) for r in rows]
    return HistoryPage(events[:first], len(events) > first)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    event_type: str | None = None
    team_id: str | None = None


async def audit_log(services: Services, principal: Principal, first: int, after: str | None,
                    f: AuditFilter) -> HistoryPage:
    """The organisation's whole log, oldest first, filtered; team-scoped roles must name one of their teams."""
    check_first(first)
    if f.team_id is None and not allowed(principal, "history.read", None):
        authorize(principal, "history.read", None)  # raises, naming why
    if f.team_id is not None:
        authorize(principal, "history.read", f.team_id)
    if f.team_id is not None and not valid_uuid(f.team_id):
        raise InvalidInput(f"teamId {f.team_id!r} is not a team id.", field="teamId", code="INVALID_INPUT")
    if f.actor is not None:
        check_text(f.actor, "actor")
    if f.event_type is not None and not f.event_type.isidentifier():
        raise InvalidInput(f"type {f.event_type!r} is not an event type name.", field="type", code="INVALID_INPUT")
    after_position = decode_cursor(after) if after else 0
    async with services.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT position, stream_id, version, topic, data, recorded_at, actor, role, team_id, reason, "
            "correlation_id, causation_id, source, hash FROM events WHERE position > $1 "
            "AND ($2::timestamptz IS NULL OR recorded_at >= $2) AND ($3::timestamptz IS NULL OR recorded_at < $3) "
            "AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR topic LIKE '%.' || $5) "
            "AND ($6::text IS NULL OR team_id = $6) ORDER BY position LIMIT $7",
            after_position, f.since, f.until, f.actor, f.event_type, f.team_id, first + 1)
    events = [RecordedEvent(*r) for r in rows]
    return HistoryPage(events[:first], len(events) > first)


async def event_data_json(services: Services, event: RecordedEvent) -> str:
    """The event's own fields as JSON, as the domain sees them (after any upcasting), personal details unsealed
    (or "[erased]")."""
    domain_event = services.codec.decode(event.stream_id, event.version, event.topic, event.data)
    fields = {k: v for k, v in vars(domain_event).items()
              if k not in ("originator_id", "originator_version", "timestamp", "originator_topic")}
    sealed = [k for k, v in fields.items() if is_sealed(v)]
    if sealed:
        for k, plain in zip(sealed, await services.vault.unseal_all([fields[k] for k in sealed]), strict=True):
            fields[k] = plain
    return orjson.dumps(fields, default=_plain).decode()


def _plain(value: Any) -> Any:
    """A decoded field orjson does not know: a column (a batch's periods or values) as its list, else as text."""
    tolist = getattr(value, "tolist", None)
    return tolist() if tolist is not None else str(value)
