"""POST /ingest/observations: bulk intake for other hospital systems, beside GraphQL, same rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from domain.control.observations import ObservationIn
from domain.errors import Forbidden
from service.commands.context import CommandContext
from service.commands.intake import Columns, record_columns, record_many
from service.commands.results import RecordResult
from service.edge.http import Answer, Call, Endpoint, Refusal

_KNOWN = frozenset({"measureId", "period", "value", "numerator", "denominator", "sourceId", "note"})


def _bad(message: str, status: int = 400, code: str = "BAD_REQUEST") -> Refusal:
    return Refusal(status, code, message)


class ItemError(ValueError):
    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


_PLAIN = frozenset({"measureId", "period", "value", "sourceId"})


def columns_of(observations: list[Any]) -> dict[str, Columns] | None:
    """The batch as columns per measure when every item is a plain value observation (measureId, a YYYY-MM-DD
    period, a number, maybe a sourceId): the usual shape of a feed, checked a column at a time. None otherwise,
    and the items are then parsed one by one, each error with its index."""
    if not observations or not all(type(o) is dict for o in observations):
        return None
    keys: set[str] = set().union(*observations)
    if not keys <= _PLAIN:
        return None
    measure_ids = [o.get("measureId") for o in observations]
    periods = [o.get("period") for o in observations]
    values = [o.get("value") for o in observations]
    if not (all(type(m) is str and m for m in measure_ids) and all(type(p) is str and len(p) == 10 for p in periods)
            and all(type(v) is float or type(v) is int for v in values)):  # bool, None and text take the slow path
        return None
    sources = [o.get("sourceId") for o in observations] if "sourceId" in keys else None
    if sources is not None and not all(type(s) is str for s in sources):
        return None
    groups: dict[str, Columns] = {}
    for i, measure_id in enumerate(measure_ids):
        part = groups.get(measure_id)
        if part is None:
            part = groups[measure_id] = ([], [], [], [] if sources is not None else None)
        part[0].append(i)
        part[1].append(periods[i])
        part[2].append(values[i])
        if sources is not None:
            part[3].append(sources[i])  # type: ignore[union-attr]
    return groups


def parse_item(item: Any) -> tuple[str, ObservationIn]:
    """One observation of the batch, or ItemError naming what is wrong with it."""
    if not isinstance(item, dict):
        raise ItemError("INVALID_ITEM", "Each observation must be a JSON object.", None)
    if not item.keys() <= _KNOWN:
        unknown = sorted(item.keys() - _KNOWN)
        raise ItemError("UNKNOWN_FIELD", f"Unknown field(s): {', '.join(unknown)}.", unknown[0])
    measure_id = item.get("measureId")
    if not isinstance(measure_id, str) or not measure_id:
        raise ItemError("MISSING_MEASURE", "measureId is required and must be a string.", "measureId")
    period = item.get("period")
    if not isinstance(period, str) or len(period) != 10:
        raise ItemError("INVALID_DATE", f"period {period!r} must be a calendar date written YYYY-MM-DD.", "period")
    try:
        day = date.fromisoformat(period)
    except ValueError:
        raise ItemError("INVALID_DATE", f"period {period!r} is not a calendar date (YYYY-MM-DD).", "period") from None
    value, numerator, denominator = item.get("value"), item.get("numerator"), item.get("denominator")
    for v, name in ((value, "value"), (numerator, "numerator"), (denominator, "denominator")):
        if v is not None and type(v) is not float and (type(v) is not int):  # bool is not a number here
            raise ItemError("NOT_A_NUMBER", f"{name} must be a number, not {type(v).__name__} {v!r}.", name)
    source_id, note = item.get("sourceId"), item.get("note")
    if source_id is not None and not isinstance(source_id, str):
        raise ItemError("NOT_A_STRING", "sourceId must be a string.", "sourceId")
    if note is not None and not isinstance(note, str):
        raise ItemError("NOT_A_STRING", "note must be a string.", "note")
    return measure_id, ObservationIn(day, None if value is None else float(value),
                                     None if numerator is None else float(numerator),
                                     None if denominator is None else float(denominator), source_id, note)


async def ingest(call: Call) -> Answer:
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
        return _answer(fast, fast.errors, len(observations))
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
    return _answer(result, sorted(errors + result.errors, key=lambda e: e["index"]), len(items))


def _answer(result: RecordResult, errors: list[dict[str, Any]], attempted: int) -> Answer:
    denied = [e for e in errors if e["code"] == Forbidden.code]
    if denied and len(denied) == attempted:
        raise _bad(denied[0]["message"], 403, "FORBIDDEN")
    return Answer(orjson.dumps({"accepted": result.accepted, "duplicates": result.duplicates,
                                "corrected": result.corrected, "errors": errors}), position=result.position)


ingest_observations = Endpoint(ingest, lambda code, message: {"error": {"code": code, "message": message}})


__all__ = ["columns_of", "ingest_observations", "parse_item"]
