"""Planning and control commands on measures: define, record observations, and chart decisions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from uuid import uuid4

import orjson

from domain.control.measure import Measure, MeasureDefinition, RecordOutcome
from domain.control.observations import ObservationIn
from domain.errors import DomainError, InvalidInput, NotFound
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.teams import stream_is
from service.ids import valid_uuid

T = TypeVar("T")


@dataclass(slots=True)
class RecordResult:
    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0

    def to_bytes(self) -> bytes:
        return orjson.dumps({"accepted": self.accepted, "duplicates": self.duplicates, "corrected": self.corrected,
                             "errors": self.errors})

    @classmethod
    def from_bytes(cls, data: bytes) -> RecordResult:
        return cls(**orjson.loads(data))

    def add(self, other: RecordResult, index_of: Callable[[int], int] | None = None) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.corrected += other.corrected
        for e in other.errors:
            self.errors.append({**e, "index": index_of(e["index"])} if index_of and e.get("index") is not None
                               else e)
        self.position = max(self.position, other.position)


def error_dict(e: DomainError) -> dict[str, Any]:
    return {"code": e.code, "message": e.message, "field": e.field, "index": e.index}


async def define_measure(services: Services, ctx: CommandContext, definition: MeasureDefinition) -> tuple[str, int]:
    authorize(ctx.principal, "measure.define", definition.team_id)
    if not await stream_is(services, definition.team_id, "Team"):
        raise InvalidInput(f"No team has id {definition.team_id}.", field="teamId", code="NOT_FOUND")
    measure = Measure.define(measure_id=uuid4(), definition=definition)
    result = await services.repository.save(measure, ctx.meta(team_id=definition.team_id))
    return str(measure.id), result.position


async def _on_measure(services: Services, measure_id: str, work: Callable[[Measure], Awaitable[T]]) -> T:
    """Run a command on the measure (see Repository.update), or raise NotFound."""
    if not valid_uuid(measure_id):
        raise NotFound(f"No measure has id {measure_id}.", field="measureId")

    async def checked(measure: Any) -> T:
        if not isinstance(measure, Measure):
            raise NotFound(f"No measure has id {measure_id}.", field="measureId")
        return await work(measure)

    return await services.repository.update(measure_id, checked)


async def record_observations(services: Services, ctx: CommandContext, measure_id: str,
                              observations: list[ObservationIn], idempotency_key: str | None = None,
                              used: dict[str, bytes] | None = None) -> RecordResult:
    """Store a batch for one measure; a retry with the same key answers with the first result."""
    result = await _record(services, ctx, measure_id, idempotency_key, lambda m: m.record(observations), used)
    assert result is not None  # record() always decides
    return result


async def _first_results(services: Services, keys: list[str]) -> dict[str, bytes]:
    """The first results of the (scoped) idempotency keys already used, in one round trip."""
    async with services.pool.acquire() as conn:
        return dict(await conn.fetch("SELECT key, result FROM idempotency_keys WHERE key = ANY($1::text[])", keys))


async def _record(services: Services, ctx: CommandContext, measure_id: str, idempotency_key: str | None,
                  decide: Callable[[Measure], RecordOutcome | None],
                  used: dict[str, bytes] | None = None) -> RecordResult | None:
    """Run one recording decision on the measure and save what it decided; a key already used answers with its
    first result. None when `decide` steps aside (a fast path that needs the item-by-item one). `used`: the keys
    already looked up (see _first_results), so a bulk request asks once for all its parts; a key used after the
    look-up is still caught when the save finds it."""
    key = ctx.scoped_key(idempotency_key)
    if key is not None:
        first = used.get(key) if used is not None else (await _first_results(services, [key])).get(key)
        if first is not None:
            return RecordResult.from_bytes(first)

    async def work(measure: Measure) -> RecordResult | None:
        team_id = measure.definition.team_id
        authorize(ctx.principal, "observations.record", team_id)
        outcome = decide(measure)
        if outcome is None:
            return None
        result = RecordResult(outcome.accepted, outcome.duplicates, outcome.corrected,
                              [error_dict(e) for e in outcome.errors])
        if measure.pending_events:
            saved = await services.repository.save(measure, ctx.meta(team_id=team_id), idempotency_key=key,
                                                   result=result.to_bytes())
            if saved.replayed is not None:
                return RecordResult.from_bytes(saved.replayed)
            result.position = saved.position
        return result

    return await _on_measure(services, measure_id, work)


Columns = tuple[list[int], list[str], list[float], list[str] | None]  # indexes, periods, values, source ids


async def _used_part_keys(services: Services, ctx: CommandContext, idempotency_key: str | None,
                          measure_ids: Iterable[str]) -> dict[str, bytes] | None:
    """A bulk request's key names one part per measure (`key/measureId`); those already used, looked up at once."""
    if idempotency_key is None:
        return None
    keys: list[str | None] = []
    for measure_id in measure_ids:
        with contextlib.suppress(DomainError):  # a key no part can have: that part answers with the error
            keys.append(ctx.scoped_key(_part_key(idempotency_key, measure_id)))
    return await _first_results(services, [k for k in keys if k is not None])


def _part_key(idempotency_key: str | None, measure_id: str) -> str | None:
    """A bulk request's key for its part for one measure."""
    return None if idempotency_key is None else f"{idempotency_key}/{measure_id}"


async def record_columns(services: Services, ctx: CommandContext, groups: dict[str, Columns],
                         idempotency_key: str | None) -> RecordResult:
    """Bulk intake of plain values, one command per measure, each on the measure's fast path (see
    Measure.record_values); a measure whose part needs item-by-item decisions takes the usual path."""
    used = await _used_part_keys(services, ctx, idempotency_key, groups)

    async def one(measure_id: str, part: Columns) -> RecordResult:
        indexes, periods, values, source_ids = part
        key = _part_key(idempotency_key, measure_id)

        async def slow() -> RecordResult:
            obs: list[ObservationIn] = []
            kept: list[int] = []
            bad: list[dict[str, Any]] = []
            for i, (p, v) in enumerate(zip(periods, values, strict=True)):
                try:
                    day = date.fromisoformat(p)
                except ValueError:
                    bad.append({"index": i, "code": "INVALID_DATE", "field": "period",
                                "message": f"period {p!r} is not a calendar date (YYYY-MM-DD)."})
                    continue
                obs.append(ObservationIn(day, float(v), source_id=source_ids[i] if source_ids else None))
                kept.append(i)
            result = await record_observations(services, ctx, measure_id, obs, key, used)
            result.errors = [{**e, "index": kept[e["index"]]} for e in result.errors] + bad
            return result

        try:
            result = await _record(services, ctx, measure_id, key,
                                   lambda m: m.record_values(periods, values, source_ids), used) or await slow()
        except DomainError as e:
            result = RecordResult(errors=[{**error_dict(e), "index": i, "field": e.field or "measureId"}
                                          for i in range(len(indexes))])
        result.errors = [{**e, "index": indexes[e["index"]]} for e in result.errors]
        return result

    total = RecordResult()
    for result in await asyncio.gather(*(one(m, part) for m, part in groups.items())):
        total.add(result)
    total.errors.sort(key=lambda e: e["index"])
    return total


async def record_many(services: Services, ctx: CommandContext,
                      items: list[tuple[int, str, ObservationIn]], idempotency_key: str | None) -> RecordResult:
    """Bulk intake across measures: one command per measure, run together so they share group commits.
    Each measure's part has its own derived idempotency key, so a retry after a partial failure stores the
    rest and answers the parts already stored with their first results."""
    groups: dict[str, list[tuple[int, ObservationIn]]] = {}
    for index, measure_id, obs in items:
        groups.setdefault(measure_id, []).append((index, obs))
    total = RecordResult()
    used = await _used_part_keys(services, ctx, idempotency_key, groups)

    async def one(measure_id: str, part: list[tuple[int, ObservationIn]]) -> tuple[RecordResult, list[int]]:
        indexes = [i for i, _ in part]
        try:
            key = _part_key(idempotency_key, measure_id)
            result = await record_observations(services, ctx, measure_id, [o for _, o in part], key, used)
        except DomainError as e:
            result = RecordResult(errors=[{**error_dict(e), "index": i, "field": e.field or "measureId"}
                                          for i in range(len(part))])
        return result, indexes

    for result, indexes in await asyncio.gather(*(one(m, p) for m, p in groups.items())):
        total.add(result, lambda i, ix=indexes: ix[i])  # type: ignore[misc]
    total.errors.sort(key=lambda e: e["index"])
    return total


async def _decide(services: Services, ctx: CommandContext, measure_id: str, action: str,
                  decide: Callable[[Measure], None], reason: str) -> int:
    async def work(measure: Measure) -> int:
        team_id = measure.definition.team_id
        authorize(ctx.principal, action, team_id)
        decide(measure)
        saved = await services.repository.save(measure, ctx.meta(team_id=team_id, reason=reason.strip()))
        return saved.position

    return await _on_measure(services, measure_id, work)


async def recalculate_limits(services: Services, ctx: CommandContext, measure_id: str, from_period: date,
                             reason: str) -> int:
    return await _decide(services, ctx, measure_id, "limits.recalculate",
                         lambda m: m.recalculate_limits(from_period, reason), reason)


async def set_baseline(services: Services, ctx: CommandContext, measure_id: str, points: int, reason: str) -> int:
    return await _decide(services, ctx, measure_id, "baseline.set", lambda m: m.set_baseline(points, reason), reason)


async def set_target(services: Services, ctx: CommandContext, measure_id: str, target: float | None, reason: str,
                     effective_from: date | None = None) -> int:
    return await _decide(services, ctx, measure_id, "target.set",
                         lambda m: m.set_target(target, reason, effective_from), reason)
