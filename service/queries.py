"""Reads: measures, teams and charts from the read models; as-of views and histories from the log."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from domain.control.measure import Measure
from domain.errors import InvalidInput, NotFound
from domain.text import check_text
from projections.spc.document import ChartView, decode, view_of
from projections.spc.fold import evolve
from service.bootstrap import Services
from service.eventstore import RecordedEvent
from service.identity import Principal
from service.ids import valid_uuid
from service.permissions import allowed, authorize
from service.personal_data import is_sealed


@dataclass(frozen=True, slots=True)
class MeasureView:
    id: str
    team_id: str
    name: str
    kind: str
    direction: str
    chart_type: str
    frequency: str
    unit: str | None
    target: float | None
    shift_run_length: int
    trend_run_length: int
    position: int = 0                     # of the catalogue row: the version an answer depends on
    chart: ChartView | None = None        # set for as-of views, computed from the events


_MEASURE_COLUMNS = ("measure_id, team_id, name, kind, direction, chart_type, frequency, unit, target, "
                    "shift_run_length, trend_run_length, position")


async def measures_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, MeasureView]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_MEASURE_COLUMNS} FROM measures WHERE measure_id = ANY($1)", ids)
    return {r[0]: MeasureView(*r) for r in rows}


async def teams_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, dict[str, Any]]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT team_id, name, parent_id, position FROM teams WHERE team_id = ANY($1)", ids)
    return {r[0]: {"id": r[0], "name": r[1], "parent_id": r[2], "position": r[3]} for r in rows}


async def charts_by_measure(pool: asyncpg.Pool, ids: list[str]) -> dict[str, ChartView]:
    """Each stored chart, with the read model's position for it."""
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT measure_id, chart, position FROM spc_series WHERE measure_id = ANY($1)", ids)
    return {r[0]: decode(r[1], r[2]) for r in rows}


async def read_model_versions(pool: asyncpg.Pool, keys: list[str]) -> dict[str, int]:
    """The current positions of read-model rows named "m:<measure>", "s:<measure chart>" or "t:<team>"."""
    by_kind: dict[str, list[str]] = {"m": [], "s": [], "t": []}
    for key in keys:
        by_kind[key[0]].append(key[2:])
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT 'm:' || measure_id, position FROM measures WHERE measure_id = ANY($1) UNION ALL "
            "SELECT 's:' || measure_id, position FROM spc_series WHERE measure_id = ANY($2) UNION ALL "
            "SELECT 't:' || team_id, position FROM teams WHERE team_id = ANY($3)",
            by_kind["m"], by_kind["s"], by_kind["t"])
    return {r[0]: r[1] for r in rows}


async def measure_as_of(services: Services, principal: Principal, measure_id: str,
                        as_of: datetime) -> MeasureView | None:
    """The measure and its chart as they stood at `as_of`, folded from the events recorded until then."""
    if not valid_uuid(measure_id):
        return None
    records = await services.store.read_stream(measure_id, until=as_of)
    if not records:
        return None
    measure: Any = None
    series = None
    for r in records:
        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
        measure = event.mutate(measure)
        series = evolve(series, event)
    if not isinstance(measure, Measure):
        return None
    d = measure.definition
    authorize(principal, "measure.read", d.team_id)
    return MeasureView(measure_id, d.team_id, d.name, d.kind, d.direction, d.chart_type, d.frequency, d.unit,
                       measure.target, d.shift_run_length, d.trend_run_length, records[-1].position,
                       chart=view_of(series) if series is not None else None)


# -- history ---------------------------------------------------------------------------------------------
def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"position:{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "position":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidInput(f"after: {cursor!r} is not a cursor this API gave out.", field="after",
                           code="INVALID_CURSOR") from e


@dataclass(frozen=True, slots=True)
class HistoryPage:
    events: list[RecordedEvent]
    has_next: bool


async def stream_history(services: Services, principal: Principal, stream_id: str, first: int,
                         after: str | None) -> HistoryPage:
    if not 0 <= first <= 500:
        raise InvalidInput("first must be between 0 and 500.", field="first", code="OUT_OF_RANGE")
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
    if not 0 <= first <= 500:
        raise InvalidInput("first must be between 0 and 500.", field="first", code="OUT_OF_RANGE")
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
    return orjson.dumps(fields, default=str).decode()


__all__ = [
    "AuditFilter",
    "HistoryPage",
    "MeasureView",
    "audit_log",
    "charts_by_measure",
    "encode_cursor",
    "event_data_json",
    "measure_as_of",
    "measures_by_id",
    "stream_history",
    "teams_by_id",
]
