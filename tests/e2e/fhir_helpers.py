"""Helpers for the FHIR tests: resources as hospital systems send them, and posting them."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Api

LOINC = "http://loinc.org"
FHIR = "application/fhir+json"
_codes = itertools.count(1)


def new_code() -> str:
    """A code no other test's measure has (codes are unique across the database)."""
    return f"qms-test-{next(_codes)}-{id(_codes) % 10_000}"


def observation(code: str, day: str, value: float, ident: str | None = None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code, "display": "a measure"}]},
        "effectiveDateTime": day, "valueQuantity": {"value": value, "unit": "count"}}
    if ident is not None:
        resource["identifier"] = [{"system": "urn:ehr:obs", "value": ident}]
    return {**resource, **extra}


def measure_report(code: str | None, start: str, *, score: float | None = None, numerator: int | None = None,
                   denominator: int | None = None, exclusions: int | None = None, ident: str | None = None,
                   measure_url: str | None = None) -> dict[str, Any]:
    group: dict[str, Any] = {}
    if code is not None:
        group["code"] = {"coding": [{"system": LOINC, "code": code}]}
    if score is not None:
        group["measureScore"] = {"value": score}
    populations = [(n, c) for n, c in (("numerator", numerator), ("denominator", denominator),
                                       ("denominator-exclusion", exclusions)) if c is not None]
    if populations:
        group["population"] = [{"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                     "measure-population", "code": n}]}, "count": c}
                               for n, c in populations]
    report: dict[str, Any] = {"resourceType": "MeasureReport", "status": "complete", "type": "summary",
                              "measure": measure_url or "http://example.org/Measure/whatever",
                              "period": {"start": start, "end": start}, "group": [group]}
    if ident is not None:
        report["identifier"] = [{"system": "urn:ehr:mr", "value": ident}]
    return report


def bundle(kind: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind,
            "entry": [{"resource": r, "request": {"method": "POST", "url": r["resourceType"]}} for r in resources]}


async def post_fhir(api: Api, path: str, body: Any, *, token: str | None = None, teams: list[str] | None = None,
                    base: str | None = None) -> Any:
    headers = {"Content-Type": FHIR, "Authorization": f"Bearer {token or api.token('INTEGRATION', teams or [])}"}
    if api.position:
        headers["X-QMS-After"] = str(api.position)
    response = await api.http.post(f"{base or api.base}{path}", json=body, headers=headers)
    api.position = max(api.position, int(response.headers.get("X-QMS-Position", 0)))
    return response


async def coded_measure(api: Api, team: str, code: str, **fields: Any) -> str:
    return await api.define_measure(team, frequency="DAY", codes=[{"system": LOINC, "code": code}], **fields)


async def values_of(api: Api, measure: str) -> list[float]:
    data = await api.gql("query($id: ID!) { measure(id: $id) { spc { points { period value } } } }", {"id": measure})
    return [p["value"] for p in data["measure"]["spc"]["points"]]
