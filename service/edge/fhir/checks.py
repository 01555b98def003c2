"""What a FHIR request's resources need before anything is stored: the measure their code names (the planning
projection's codes, read once per request), the caller's right to write it, and the domain's check of the value
for the measure's chart. A transaction stores nothing unless every entry passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.control.observations import ObservationIn, check_observation
from domain.errors import DomainError, Forbidden
from service.auth.identity import Principal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.integrations import integration_writes
from service.edge.fhir.outcome import FhirError, Issue, refuse
from service.edge.fhir.resources import Reading
from service.reads.codes import CodedMeasure, coded_measures

# where a domain check's field lives in each resource
_FIELDS = {
    "Observation": {"period": "Observation.effective[x]", "value": "Observation.valueQuantity.value",
                    "sourceId": "Observation.identifier[0].value"},
    "MeasureReport": {"period": "MeasureReport.period.start", "value": "MeasureReport.group[0].measureScore",
                      "numerator": "MeasureReport.group[0].population",
                      "denominator": "MeasureReport.group[0].population",
                      "sourceId": "MeasureReport.identifier[0].value"},
}


@dataclass(slots=True)
class Checked:
    measure: CodedMeasure
    observation: ObservationIn


def _target(r: Reading, by_pair: dict[tuple[str, str], CodedMeasure],
            by_code: dict[str, list[CodedMeasure]]) -> CodedMeasure:
    for pair in r.codings:
        found = by_pair.get(pair)
        if found is not None:
            return found
    if r.bare_code is not None:
        candidates = by_code.get(r.bare_code, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise refuse(422, "code-invalid", f"Code {r.bare_code} names {len(candidates)} measures in different "
                         "systems: give group[0].code with its system.", r.code_path)
        raise refuse(422, "not-found", f"No measure has the code {r.bare_code}.", r.code_path)
    named = ", ".join(f"{c} of {s}" for s, c in r.codings)
    raise refuse(422, "not-found", f"No measure has the code {named}.", r.code_path)


class Checker:
    """Checks a request's readings; remembers, for the request, each measure the caller may write."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self.services, self.principal = services, principal
        self._allowed: dict[str, FhirError | None] = {}
        self._writes: Callable[[str], None] | None = None  # the integration's scope, read once for the request

    async def check(self, readings: list[Reading | FhirError]) -> list[Checked | FhirError]:
        pairs = [p for r in readings if isinstance(r, Reading) for p in r.codings]
        bare = [r.bare_code for r in readings if isinstance(r, Reading) and r.bare_code is not None]
        by_pair, by_code = await coded_measures(self.services.pool, pairs, bare)
        out: list[Checked | FhirError] = []
        for r in readings:
            if isinstance(r, FhirError):
                out.append(r)
                continue
            try:
                measure = _target(r, by_pair, by_code)
                await self._may_write(measure)
                obs = ObservationIn(r.period, r.value, r.numerator, r.denominator, r.source_id)
                try:
                    check_observation(obs, measure.chart_type, measure.frequency)
                except DomainError as e:
                    raise refuse(422, "business-rule", e.message,
                                 _FIELDS[r.kind].get(e.field or "", r.kind)) from None
                out.append(Checked(measure, obs))
            except FhirError as e:
                out.append(e)
        return out

    async def _may_write(self, measure: CodedMeasure) -> None:
        if measure.measure_id not in self._allowed:
            try:
                authorize(self.principal, "observations.record", measure.team_id)
                if self._writes is None:
                    self._writes = await integration_writes(self.services, self.principal)
                self._writes(measure.measure_id)
                self._allowed[measure.measure_id] = None
            except Forbidden as e:
                self._allowed[measure.measure_id] = FhirError(403, [Issue("forbidden", e.message)])
        refused = self._allowed[measure.measure_id]
        if refused is not None:
            raise refused
