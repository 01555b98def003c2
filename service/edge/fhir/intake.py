"""POST /fhir/Observation, /fhir/MeasureReport and /fhir (a transaction or batch Bundle of either): read and check
each resource, then store the observations through the same command path as /ingest/observations (one command
per measure, resends found by identifier as the measure's source ids). Answers in FHIR's form."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from service.commands.context import CommandContext
from service.commands.intake import ListedColumns, record_columns, record_many
from service.commands.streams import current
from service.edge.fhir.checks import Checked, Checker
from service.edge.fhir.outcome import MEDIA_TYPE, FhirError, Issue, operation_outcome, refuse
from service.edge.fhir.resources import READERS, Reading
from service.edge.http import Answer, Call, Endpoint

_CREATED, _OK = "201 Created", "200 OK"


def _answer(status: int, body: dict[str, Any], position: int = 0, location: str | None = None) -> Answer:
    return Answer(orjson.dumps(body), status=status, position=position, media_type=MEDIA_TYPE,
                  headers={"Location": location} if location else None)


def _failed(e: FhirError) -> Answer:
    return _answer(e.status, operation_outcome(e.issues))


async def _payload(call: Call) -> Any:
    kind = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in (MEDIA_TYPE, "application/json"):
        raise refuse(415, "not-supported", f"Content-Type must be {MEDIA_TYPE}, not {kind or 'missing'}.")
    body = await call.body(call.services.settings.max_fhir_bytes)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise refuse(400, "structure", f"The body is not valid JSON: {e}.") from None


def _read(raw: Any, tz: ZoneInfo, kind: str | None = None) -> Reading | FhirError:
    resource_type = raw.get("resourceType") if isinstance(raw, dict) else None
    reader = READERS.get(kind or resource_type or "")
    if reader is None:
        return refuse(422, "not-supported", f"resourceType {resource_type!r} is not taken here: only Observation "
                      "and MeasureReport.", "resourceType")
    try:
        return reader(raw, tz)
    except FhirError as e:
        return e
    except (ValueError, TypeError) as e:  # a value the library let through that qms cannot read (an odd instant)
        return refuse(422, "value", f"The {reader.__name__.removeprefix('read_')} cannot be read: {e}.")


def _location(r: Reading, c: Checked) -> tuple[str, dict[str, Any]]:
    key = r.source_id or c.observation.period.isoformat()
    # a valid FHIR id (32 hex digits), the same for every resend; blake2b is several times cheaper than uuid5
    rid = hashlib.blake2b(f"{c.measure.measure_id}|{key}".encode(), digest_size=16).hexdigest()
    return f"{r.kind}/{rid}", {**r.resource, "id": rid}


def _columns(items: list[tuple[int, Checked]]) -> dict[str, ListedColumns] | None:
    """Plain values (the usual feed) as columns per measure, for the measure's column path (as the JSON body's);
    None when any needs the item-by-item path (a ratio, or identifiers on only some of a measure's items)."""
    groups: dict[str, ListedColumns] = {}
    for i, c in items:
        o = c.observation
        if o.value is None or o.numerator is not None or o.denominator is not None:
            return None
        part = groups.get(c.measure.measure_id)
        if part is None:
            part = groups[c.measure.measure_id] = ([], [], [], [] if o.source_id is not None else None)
        if (part[3] is None) != (o.source_id is None):
            return None
        part[0].append(i)
        part[1].append(o.period.isoformat())
        part[2].append(o.value)
        if part[3] is not None and o.source_id is not None:
            part[3].append(o.source_id)
    return groups


async def _store(call: Call, items: list[tuple[int, Checked]]) -> tuple[Any, list[bool]]:
    """Record the checked observations; whether each was already stored before (a resend: 200, not 201)."""
    services = call.services
    ctx = CommandContext(call.principal, correlation_id=call.request_id,
                         source=call.request.headers.get("x-source-system") or "fhir")
    # the source ids each measure already holds, to answer each resent entry 200 (the command counts only totals);
    # loading also warms the repository's cache, so the commands below read nothing more
    with_sources = sorted({c.measure.measure_id for _, c in items if c.observation.source_id is not None})
    loaded = await asyncio.gather(*(current(services, m) for m in with_sources))
    # the measures' own sets, not copies (a copy costs the measure's whole history on every request): read below
    # before anything awaits, so no command changes them meanwhile
    known = {m: getattr(measure, "sources", ()) for m, measure in zip(with_sources, loaded, strict=True)}
    seen: set[tuple[str, str]] = set()
    resent = []
    for _, c in items:
        sid, m = c.observation.source_id, c.measure.measure_id
        resent.append(sid is not None and (sid in known.get(m, ()) or (m, sid) in seen))
        if sid is not None:
            seen.add((m, sid))
    key = call.request.headers.get("idempotency-key")
    groups = _columns(items)
    if groups is not None:
        result = await record_columns(services, ctx, groups, key)
    else:
        result = await record_many(services, ctx, [(i, c.measure.measure_id, c.observation) for i, c in items], key)
    call.metrics.intake(result.accepted + result.corrected, result.duplicates, len(result.errors))
    return result, resent


async def _single(call: Call, kind: str) -> Answer:
    try:
        raw = await _payload(call)
        reading = _read(raw, ZoneInfo(call.services.settings.time_zone), kind)
        if isinstance(reading, FhirError):
            raise reading
        [checked] = await Checker(call.services, call.principal).check([reading])
        if isinstance(checked, FhirError):
            raise checked
        result, _ = await _store(call, [(0, checked)])
    except FhirError as e:
        return _failed(e)
    if result.errors:
        return _failed(FhirError(422, [Issue("business-rule", e["message"]) for e in result.errors]))
    location, stored = _location(reading, checked)
    return _answer(201 if result.accepted + result.corrected else 200, stored, result.position, location)


async def observation(call: Call) -> Answer:
    return await _single(call, "Observation")


async def measure_report(call: Call) -> Answer:
    return await _single(call, "MeasureReport")


def _entries(raw: Any, limit: int) -> tuple[str, list[Any]]:
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise refuse(400, "invalid", "POST /fhir takes a Bundle.", "Bundle.resourceType")
    kind = raw.get("type")
    if kind not in ("transaction", "batch"):
        raise refuse(422, "not-supported", f"Bundle.type {kind!r} is not supported: transaction or batch.",
                     "Bundle.type")
    entries = raw.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise refuse(400, "structure", "Bundle.entry must be a list of objects.", "Bundle.entry")
    if len(entries) > limit:
        raise refuse(413, "too-costly", f"A Bundle has at most {limit} entries, not {len(entries)}.", "Bundle.entry")
    return kind, entries


def _entry_reading(i: int, entry: dict[str, Any], tz: ZoneInfo) -> Reading | FhirError:
    where = f"Bundle.entry[{i}]"
    request = entry.get("request") or {}
    resource = entry.get("resource")
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if request.get("method") != "POST" or str(request.get("url", "")).strip("/") != kind:
        return refuse(422, "not-supported", f"Each entry is a POST of its resource (request.method POST, request.url "
                      f"{kind or 'Observation'}).", f"{where}.request")
    read = _read(resource, tz)
    return FhirError(read.status, [i.within(f"{where}.resource") for i in read.issues]) \
        if isinstance(read, FhirError) else read


async def bundle(call: Call) -> Answer:
    settings = call.services.settings
    try:
        kind, entries = _entries(await _payload(call), settings.max_batch_observations)
    except FhirError as e:
        return _failed(e)
    tz = ZoneInfo(settings.time_zone)
    readings = [_entry_reading(i, e, tz) for i, e in enumerate(entries)]
    checked = await Checker(call.services, call.principal).check(readings)
    failed: list[tuple[int, FhirError]] = [(i, c) for i, c in enumerate(checked) if isinstance(c, FhirError)]
    if kind == "transaction" and failed:  # all or nothing: every problem of every entry, nothing stored
        issues = [i.within(f"Bundle.entry[{n}].resource") if not (i.expression or "").startswith("Bundle") else i
                  for n, e in failed for i in e.issues]
        return _failed(FhirError(failed[0][1].status, issues))
    good = [(i, c) for i, c in enumerate(checked) if isinstance(c, Checked)]
    result, resent = await _store(call, good) if good else (None, [])
    stored_errors = {e["index"]: e for e in result.errors} if result is not None else {}
    if kind == "transaction" and stored_errors:
        return _failed(FhirError(422, [Issue("business-rule", e["message"], f"Bundle.entry[{i}]")
                                       for i, e in sorted(stored_errors.items())]))
    answers: list[dict[str, Any]] = [{}] * len(entries)
    for i, bad in failed:
        outcome = operation_outcome([x.within(f"Bundle.entry[{i}].resource")
                                     if not (x.expression or "").startswith("Bundle") else x for x in bad.issues])
        answers[i] = {"response": {"status": str(bad.status), "outcome": outcome}}
    for (i, c), was_known in zip(good, resent, strict=True):
        error = stored_errors.get(i)
        if error is not None:
            answers[i] = {"response": {"status": "422", "outcome": operation_outcome(
                [Issue("business-rule", error["message"], f"Bundle.entry[{i}]")])}}
            continue
        reading = readings[i]
        assert isinstance(reading, Reading)
        location, _ = _location(reading, c)
        answers[i] = {"response": {"status": _OK if was_known else _CREATED, "location": location}}
    body = {"resourceType": "Bundle", "type": f"{kind}-response", "entry": answers}
    return _answer(200, body, result.position if result is not None else 0)


def _error_body(code: str, message: str) -> dict[str, Any]:
    kind = {"UNAUTHENTICATED": "login", "FORBIDDEN": "forbidden", "TOO_LARGE": "too-costly"}.get(code, "invalid")
    return operation_outcome([Issue(kind, message)])


fhir_observation = Endpoint("/fhir/Observation", observation, _error_body)
fhir_measure_report = Endpoint("/fhir/MeasureReport", measure_report, _error_body)
fhir_bundle = Endpoint("/fhir", bundle, _error_body)
