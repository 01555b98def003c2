"""POST /ingest/observations: bulk intake for other hospital systems, beside GraphQL, same rules."""

from __future__ import annotations

from typing import Any

import orjson

from domain.control.observations import ObservationIn
from domain.errors import Forbidden
from service.commands.context import CommandContext
from service.commands.intake import record_columns, record_many
from service.commands.results import RecordResult
from service.edge.http import Answer, Call, Endpoint, Refusal
from service.edge.ingest_stream import CSV, NDJSON, ingest_stream
from service.edge.items import ItemError, columns_of, parse_item


def _bad(message: str, status: int = 400, code: str = "BAD_REQUEST") -> Refusal:
    return Refusal(status, code, message)


async def ingest(call: Call) -> Answer:
    kind = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in (CSV, NDJSON):
        return await ingest_stream(call, kind)
    services = call.services
    body = await call.body()
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise _bad(f"The body is not valid JSON: {e}.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("observations"), list):
        raise _bad('The body must be {"idempotencyKey": "...", "observations": [{...}, ...]}.')
    key = payload.get("idempotencyKey")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 200):
        raise _bad("idempotencyKey must be a string of 1 to 200 characters.")
    observations = payload["observations"]
    if len(observations) > services.settings.max_batch_observations:
        raise _bad(f"A batch has at most {services.settings.max_batch_observations} observations, "
                   f"not {len(observations)}.", 413, "TOO_LARGE")
    ctx = CommandContext(call.principal, correlation_id=call.request_id,
                         source=call.request.headers.get("x-source-system") or "ingest")
    groups = columns_of(observations)
    if groups is not None:
        fast = await record_columns(services, ctx, groups, key)
        return _answer(call, fast, fast.errors, len(observations))
    items: list[tuple[int, str, ObservationIn]] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(observations):
        try:
            measure_id, obs = parse_item(raw)
        except ItemError as e:
            errors.append({"index": index, "code": e.code, "message": e.message, "field": e.field})
            continue
        items.append((index, measure_id, obs))
    result = await record_many(services, ctx, items, key)
    return _answer(call, result, sorted(errors + result.errors, key=lambda e: e["index"]), len(items))


def _answer(call: Call, result: RecordResult, errors: list[dict[str, Any]], attempted: int) -> Answer:
    call.metrics.intake(result.accepted + result.corrected, result.duplicates, len(errors))
    denied = [e for e in errors if e["code"] == Forbidden.code]
    if denied and len(denied) == attempted:
        raise _bad(denied[0]["message"], 403, "FORBIDDEN")
    return Answer(orjson.dumps({"accepted": result.accepted, "duplicates": result.duplicates,
                                "corrected": result.corrected, "errors": errors}), position=result.position)


ingest_observations = Endpoint("/ingest/observations", ingest,
                               lambda code, message: {"error": {"code": code, "message": message}})


__all__ = ["columns_of", "ingest_observations", "parse_item"]
