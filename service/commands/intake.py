"""Bulk intake: a request's observations across measures become one command per measure, run together so they
share group commits, each part under its own derived idempotency key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from domain.control.columns import PeriodColumn
from domain.control.measure import Measure
from domain.control.observations import ObservationIn
from domain.errors import Conflict, DomainError
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.idempotency import part_key, used_part_keys
from service.commands.integrations import integration_writes
from service.commands.measures import record_decision, record_observations
from service.commands.results import RecordResult, error_dict
from service.eventstore import EventMeta
from service.ids import valid_uuid
from service.tracing import span

# One measure's plain values: the items' indexes in the request (a list, or an index array), periods (ISO strings,
# or a column parser's checked days), values (floats, or a float64 array), source ids (or None).
Columns = tuple[Sequence[int] | np.ndarray, PeriodColumn | list[str], Sequence[float] | np.ndarray,
                Sequence[str] | None]
# The same, as plain lists while they are gathered item by item.
ListedColumns = tuple[list[int], list[str], list[float], list[str] | None]


async def record_columns(services: Services, ctx: CommandContext, groups: Mapping[str, Columns],
                         idempotency_key: str | None) -> RecordResult:
    """Bulk intake of plain values, one command per measure, each on the measure's fast path (see
    Measure.record_values); a measure whose part needs item-by-item decisions takes the usual path."""
    used = await used_part_keys(services, ctx, idempotency_key, groups)
    may_write = await integration_writes(services, ctx.principal)

    async def one(measure_id: str, part: Columns) -> RecordResult:
        indexes, periods, values, source_ids = part
        key = part_key(idempotency_key, measure_id)

        async def slow() -> RecordResult:
            obs: list[ObservationIn] = []
            kept: list[int] = []
            bad: list[dict[str, Any]] = []
            listed = values.tolist() if isinstance(values, np.ndarray) else values
            for i, (p, v) in enumerate(zip(periods, listed, strict=True)):
                try:
                    day = date.fromisoformat(p)
                except ValueError:
                    bad.append({"index": i, "code": "INVALID_DATE", "field": "period",
                                "message": f"period {p!r} is not a calendar date (YYYY-MM-DD)."})
                    continue
                obs.append(ObservationIn(day, float(v), source_id=source_ids[i] if source_ids else None))
                kept.append(i)
            result = await record_observations(services, ctx, measure_id, obs, key, used, may_write)
            result.errors = [{**e, "index": kept[e["index"]]} for e in result.errors] + bad
            return result

        try:
            result = await record_decision(services, ctx, measure_id, key,
                                           lambda m: m.record_values(periods, values, source_ids), used,
                                           may_write) or await slow()
        except DomainError as e:
            result = RecordResult(errors=[{**error_dict(e), "index": i, "field": e.field or "measureId"}
                                          for i in range(len(indexes))])
        return _in_request(result, indexes)

    total = RecordResult()
    decided, rest = await _record_together(services, ctx, groups, idempotency_key, used, may_write)
    for result in decided:
        total.add(result)
    for result in await asyncio.gather(*(one(m, groups[m]) for m in rest)):
        total.add(result)
    total.errors.sort(key=lambda e: e["index"])
    return total


async def _record_together(services: Services, ctx: CommandContext, groups: Mapping[str, Columns],
                           idempotency_key: str | None, used: dict[str, bytes] | None,
                           may_write: Callable[[str], None]) -> tuple[list[RecordResult], list[str]]:
    """The usual parts decided together, in one pass under every measure's lock, and saved together in one group
    commit: each is the command record_decision would run, without a task, a lock and a queued append of its
    own. The locks are let go once the saves are queued, so the next chunk (of this request or another) is
    decided while these commit (see Repository.submit_many). The parts this pass does not decide, and those whose
    save met a conflict, are left (by measure id) to a command each, which decides them again on fresh state and
    answers with the same errors as ever."""
    keys: dict[str, str | None] = {}
    for measure_id in groups:
        try:
            key = ctx.scoped_key(part_key(idempotency_key, measure_id))
        except DomainError:
            continue
        if valid_uuid(measure_id) and (key is None or used is None or key not in used):
            keys[measure_id] = key
    rest = [m for m in groups if m not in keys]
    results: list[RecordResult] = []
    if not keys:
        return results, rest
    with span("commands", streams=len(keys)):
        async with services.repository.open_many(list(keys)) as measures:
            saves: list[tuple[Measure, EventMeta, str | None, bytes]] = []
            decided: list[tuple[str, RecordResult]] = []
            metas: dict[str, EventMeta] = {}  # one per team: a request's parts share who, why and where from
            for measure_id, key in keys.items():
                measure = measures[measure_id]
                outcome = None
                if isinstance(measure, Measure):
                    team_id = measure.definition.team_id
                    try:
                        may_write(measure_id)
                        authorize(ctx.principal, "observations.record", team_id)
                    except DomainError:
                        pass
                    else:
                        _, periods, values, source_ids = groups[measure_id]
                        outcome = measure.record_values(periods, values, source_ids)
                if outcome is None:
                    rest.append(measure_id)
                    continue
                result = RecordResult(outcome.accepted, outcome.duplicates, outcome.corrected,
                                      [error_dict(e) for e in outcome.errors])
                meta = metas.get(team_id) or metas.setdefault(team_id, ctx.meta(team_id=team_id))
                saves.append((measure, meta, key, result.to_bytes()))
                decided.append((measure_id, result))
            # queued before the measures are let go: the next chunk's decisions build on these while they commit
            submitted = services.repository.submit_many(saves)
        saved = await services.repository.settle(submitted)
    for (measure_id, result), answer in zip(decided, saved, strict=True):
        if isinstance(answer, Conflict):
            rest.append(measure_id)
            continue
        if isinstance(answer, Exception):
            raise answer
        if answer.replayed is not None:
            result = RecordResult.from_bytes(answer.replayed)
        else:
            result.position = answer.position
        results.append(_in_request(result, groups[measure_id][0]))
    return results, rest


def _in_request(result: RecordResult, indexes: Sequence[int] | np.ndarray) -> RecordResult:
    """A part's result with its errors' indexes turned from the part's items into the request's."""
    result.errors = [{**e, "index": int(indexes[e["index"]])} for e in result.errors]
    return result


async def record_many(services: Services, ctx: CommandContext,
                      items: list[tuple[int, str, ObservationIn]], idempotency_key: str | None) -> RecordResult:
    """Bulk intake across measures: one command per measure, run together so they share group commits.
    Each measure's part has its own derived idempotency key, so a retry after a partial failure stores the
    rest and answers the parts already stored with their first results."""
    groups: dict[str, list[tuple[int, ObservationIn]]] = {}
    for index, measure_id, obs in items:
        groups.setdefault(measure_id, []).append((index, obs))
    total = RecordResult()
    used = await used_part_keys(services, ctx, idempotency_key, groups)
    may_write = await integration_writes(services, ctx.principal)

    async def one(measure_id: str, part: list[tuple[int, ObservationIn]]) -> tuple[RecordResult, list[int]]:
        indexes = [i for i, _ in part]
        try:
            key = part_key(idempotency_key, measure_id)
            result = await record_observations(services, ctx, measure_id, [o for _, o in part], key, used, may_write)
        except DomainError as e:
            result = RecordResult(errors=[{**error_dict(e), "index": i, "field": e.field or "measureId"}
                                          for i in range(len(part))])
        return result, indexes

    for result, indexes in await asyncio.gather(*(one(m, p) for m, p in groups.items())):
        total.add(result, lambda i, ix=indexes: ix[i])  # type: ignore[misc]
    total.errors.sort(key=lambda e: e["index"])
    return total
