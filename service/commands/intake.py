"""Bulk intake: a request's observations across measures become one command per measure, run together so they
share group commits, each part under its own derived idempotency key."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from domain.control.columns import PeriodColumn
from domain.control.observations import ObservationIn
from domain.errors import DomainError
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.idempotency import part_key, used_part_keys
from service.commands.integrations import integration_writes
from service.commands.measures import record_decision, record_observations
from service.commands.results import RecordResult, error_dict

# One measure's plain values: the items' indexes in the request (a list, or an index array), periods (ISO strings,
# or a column parser's checked days), values (floats, or a float64 array), source ids (or None).
Columns = tuple[Sequence[int] | np.ndarray, PeriodColumn | list[str], Sequence[float] | np.ndarray, list[str] | None]
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
        result.errors = [{**e, "index": int(indexes[e["index"]])} for e in result.errors]
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
