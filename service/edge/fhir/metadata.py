"""GET /fhir/metadata: the CapabilityStatement (FHIR 4.0.1) saying what qms takes and how."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.edge.fhir.outcome import MEDIA_TYPE
from service.edge.fhir.resources import BASE_PROFILES


def _resource(kind: str, doc: str) -> dict[str, Any]:
    return {"type": kind, "profile": BASE_PROFILES[kind], "documentation": doc,
            "interaction": [{"code": "create"}], "conditionalCreate": False,
            "searchParam": []}


CAPABILITY: dict[str, Any] = {
    "resourceType": "CapabilityStatement",
    "status": "active",
    "date": "2026-11-30",
    "kind": "instance",
    "software": {"name": "qms"},
    "implementation": {"description": "qms: measure data for statistical process control charts"},
    "fhirVersion": "4.0.1",
    "format": [MEDIA_TYPE, "json"],
    "rest": [{
        "mode": "server",
        "documentation": "Observations and summary MeasureReports become observations of the measure their code "
                         "names. Bearer token required. A resent identifier (identifier[0] system|value) answers "
                         "200 and stores nothing new.",
        "security": {"description": "OAuth2 bearer tokens (Authorization: Bearer ...)."},
        "resource": [
            _resource("Observation", "status final, amended or corrected; code naming a measure; exactly one "
                      "value[x], valueQuantity; effectiveDateTime, effectiveInstant or effectivePeriod.start."),
            _resource("MeasureReport", "status complete, type summary; measure found by group[0].code or the "
                      "measure URL's last segment; period.start; group[0].measureScore, or numerator and "
                      "denominator populations (less denominator-exclusion)."),
        ],
        "interaction": [{"code": "transaction"}, {"code": "batch"}],
    }],
}
_BODY = orjson.dumps(CAPABILITY)


async def metadata(_: Request) -> Response:
    """Public, as FHIR servers' metadata is: it says what is supported, nothing about the data."""
    return Response(_BODY, media_type=MEDIA_TYPE)
