"""An Observation or a summary MeasureReport read into what qms stores: the codes that name the measure, the
period, the value (or numerator and denominator) and the source id. The FHIR model library (fhir.resources, R4B
models) validates each resource; then the rules qms relies on are enforced, each refusal naming its field.

A feed sends thousands of resources that differ only in a few leaves (identifier, instant, value). Validating
each with the library costs about 0.2 ms, so a resource whose shape, with those leaves blanked, was already
validated whole is checked only on those leaves, against FHIR's own rules for their types (`_leaves_ok`). Any
other resource, and any leaf that fails the quick check, goes through the library."""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from fhir.resources.R4B.measurereport import MeasureReport
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from service.edge.fhir.outcome import from_validation, refuse

BASE_PROFILES = {"Observation": "http://hl7.org/fhir/StructureDefinition/Observation",
                 "MeasureReport": "http://hl7.org/fhir/StructureDefinition/MeasureReport"}
OBSERVATION_STATUSES = ("final", "amended", "corrected")
MODELS: dict[str, Any] = {"Observation": Observation, "MeasureReport": MeasureReport}
# FHIR R4's regular expressions for the primitive types of the leaves checked without the library
DATE_TIME = re.compile(r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|"
                       r"3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):"
                       r"[0-5][0-9]|14:00)))?)?)?")
STRING = re.compile(r"[ \r\n\t\S]+")
ID = re.compile(r"[A-Za-z0-9\-\.]{1,64}")
SHAPES = 1024  # validated shapes remembered per process


@dataclass(slots=True)
class Reading:
    """One resource as qms reads it."""

    kind: str                                  # Observation or MeasureReport
    codings: list[tuple[str, str]]             # (system, code) candidates for the measure, in order
    bare_code: str | None                      # a MeasureReport's measure URL's last segment
    code_path: str                             # where the code came from, for an unknown-code issue
    period: date
    value: float | None
    numerator: float | None
    denominator: float | None
    source_id: str | None
    resource: dict[str, Any]


_validated: OrderedDict[bytes, None] = OrderedDict()


def _shape(raw: dict[str, Any]) -> tuple[bytes, list[Any]] | None:
    """The Observation with its per-item leaves blanked (the cache key) and those leaves; None when it is not of
    the usual shape (then the library validates it)."""
    identifiers, quantity, instant = raw.get("identifier"), raw.get("valueQuantity"), raw.get("effectiveDateTime")
    if not (type(identifiers) is list and identifiers and type(identifiers[0]) is dict and type(quantity) is dict
            and type(instant) is str):
        return None
    first = identifiers[0]
    blank = {**raw, "identifier": [{**first, "value": ""}, *identifiers[1:]], "valueQuantity": {**quantity, "value": 0},
             "effectiveDateTime": "", "id": ""}
    return orjson.dumps(blank, option=orjson.OPT_SORT_KEYS), [first.get("value"), quantity.get("value"), instant,
                                                               raw.get("id")]


def _real_day(instant: str) -> bool:
    """The regular expression lets 30 February through; the library does not."""
    if len(instant) < 10:
        return True
    try:
        date(int(instant[:4]), int(instant[5:7]), int(instant[8:10]))
    except ValueError:
        return False
    return True


def _leaves_ok(leaves: list[Any]) -> bool:
    value, number, instant, rid = leaves
    return (type(value) is str and STRING.fullmatch(value) is not None
            and (type(number) is float or type(number) is int) and math.isfinite(number)
            and DATE_TIME.fullmatch(instant) is not None and _real_day(instant)
            and (rid is None or (type(rid) is str and ID.fullmatch(rid) is not None)))


def validate(raw: Any, kind: str) -> None:
    """The library's verdict on the resource (FhirError 400 with its findings), from the shape cache when it can."""
    if not isinstance(raw, dict):
        raise refuse(400, "structure", f"The {kind} must be a JSON object.", kind)
    if raw.get("resourceType") != kind:
        raise refuse(400, "invalid", f"resourceType must be {kind}, not {raw.get('resourceType')!r}.",
                     f"{kind}.resourceType")
    shape = _shape(raw) if kind == "Observation" else None
    if shape is not None and shape[0] in _validated and _leaves_ok(shape[1]):
        return
    try:
        MODELS[kind].model_validate(raw)
    except ValidationError as e:
        raise from_validation(e, kind) from None
    if shape is not None:
        _validated[shape[0]] = None
        if len(_validated) > SHAPES:
            _validated.popitem(last=False)


def _profiles(raw: dict[str, Any], kind: str) -> None:
    profiles = (raw.get("meta") or {}).get("profile") or []
    for i, p in enumerate(profiles):
        if p != BASE_PROFILES[kind]:
            raise refuse(422, "not-supported", f"Profile {p} is not supported: only the base {kind} profile "
                         f"({BASE_PROFILES[kind]}) or none.", f"{kind}.meta.profile[{i}]")


def _day(text: str, tz: ZoneInfo, where: str) -> date:
    """A FHIR date or dateTime as a day in the service's time zone (a month alone: its first day)."""
    if len(text) == 7:
        return date(int(text[:4]), int(text[5:7]), 1)
    if len(text) == 10:
        return date.fromisoformat(text)
    if len(text) == 4:
        raise refuse(422, "value", f"{text} names a year; the period needs a month or a day.", where)
    return datetime.fromisoformat(text).astimezone(tz).date()


def _identifier(raw: dict[str, Any], kind: str) -> str | None:
    identifiers = raw.get("identifier") or []
    if not identifiers:
        return None
    first = identifiers[0]
    if not first.get("value"):
        raise refuse(422, "required", "identifier[0] needs a value (system|value is the resend key).",
                     f"{kind}.identifier[0].value")
    return f"{first.get('system') or ''}|{first['value']}"


def _codings(concept: Any, where: str) -> list[tuple[str, str]]:
    codings = [(c.get("system"), c.get("code")) for c in ((concept or {}).get("coding") or [])]
    found = [(s, c) for s, c in codings if s and c]
    if not found:
        raise refuse(422, "required", "A coding with a system and a code is required: it names the measure.",
                     where)
    return found


def read_observation(raw: Any, tz: ZoneInfo) -> Reading:
    validate(raw, "Observation")
    _profiles(raw, "Observation")
    status = raw.get("status")
    if status not in OBSERVATION_STATUSES:
        raise refuse(422, "business-rule", f"status {status!r} is not stored: only final, amended or corrected.",
                     "Observation.status")
    codings = _codings(raw.get("code"), "Observation.code")
    values = [k for k in raw if k.startswith("value")]
    if values != ["valueQuantity"]:
        raise refuse(422, "business-rule", "Exactly one value[x] is required, and it must be valueQuantity"
                     + (f", not {', '.join(values)}." if values else "."), "Observation.value[x]")
    value = raw["valueQuantity"].get("value")
    if value is None:
        raise refuse(422, "required", "valueQuantity.value is required.", "Observation.valueQuantity.value")
    if "effectiveDateTime" in raw:
        when, where = raw["effectiveDateTime"], "Observation.effectiveDateTime"
    elif "effectiveInstant" in raw:
        when, where = raw["effectiveInstant"], "Observation.effectiveInstant"
    elif (raw.get("effectivePeriod") or {}).get("start"):
        when, where = raw["effectivePeriod"]["start"], "Observation.effectivePeriod.start"
    else:
        raise refuse(422, "required", "effectiveDateTime, effectiveInstant or effectivePeriod.start is required: "
                     "it gives the period.", "Observation.effective[x]")
    return Reading("Observation", codings, None, "Observation.code", _day(when, tz, where), float(value), None,
                   None, _identifier(raw, "Observation"), raw)


def _population(group: dict[str, Any], name: str) -> float | None:
    for p in group.get("population") or []:
        if any(c.get("code") == name for c in (p.get("code") or {}).get("coding") or []):
            return float(p.get("count") or 0)
    return None


def read_measure_report(raw: Any, tz: ZoneInfo) -> Reading:
    validate(raw, "MeasureReport")
    _profiles(raw, "MeasureReport")
    if raw.get("status") != "complete":
        raise refuse(422, "business-rule", f"status {raw.get('status')!r} is not stored: only complete.",
                     "MeasureReport.status")
    if raw.get("type") != "summary":
        raise refuse(422, "not-supported", f"type {raw.get('type')!r} is not supported: only summary.",
                     "MeasureReport.type")
    groups = raw.get("group") or []
    if not groups:
        raise refuse(422, "required", "group[0] is required: its measureScore or populations give the value.",
                     "MeasureReport.group")
    group = groups[0]
    codings: list[tuple[str, str]] = []
    bare, code_path = None, "MeasureReport.group[0].code"
    if group.get("code"):
        codings = _codings(group["code"], code_path)
    else:
        measure = str(raw.get("measure") or "").split("|")[0].rstrip("/")
        bare, code_path = measure.rsplit("/", 1)[-1] or None, "MeasureReport.measure"
        if bare is None:
            raise refuse(422, "required", "group[0].code or measure is required: it names the measure.", code_path)
    start = (raw.get("period") or {}).get("start")
    if not start:
        raise refuse(422, "required", "period.start is required: it gives the period.", "MeasureReport.period.start")
    day = _day(start, tz, "MeasureReport.period.start")
    score = (group.get("measureScore") or {}).get("value")
    value = numerator = denominator = None
    if score is not None:
        value = float(score)
    else:
        numerator, denominator = _population(group, "numerator"), _population(group, "denominator")
        if numerator is None or denominator is None:
            raise refuse(422, "required", "group[0] needs a measureScore, or numerator and denominator populations.",
                         "MeasureReport.group[0]")
        denominator -= _population(group, "denominator-exclusion") or 0.0
    return Reading("MeasureReport", codings, bare, code_path, day, value, numerator, denominator,
                   _identifier(raw, "MeasureReport"), raw)


READERS = {"Observation": read_observation, "MeasureReport": read_measure_report}
