"""Reading FHIR resources: the shape cache's quick check of a resource's leaves decides exactly as the model
library does, and instants become days in the service's time zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.observation import Observation
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from service.edge.fhir import resources
from service.edge.fhir.outcome import FhirError

LONDON = ZoneInfo("Europe/London")


def observation(value: Any = 7, instant: Any = "2024-03-01T10:00:00Z", ident: Any = "a-1", rid: Any = None
                ) -> dict[str, Any]:
    resource = {"resourceType": "Observation", "status": "final",
                "identifier": [{"system": "urn:lab", "value": ident}],
                "code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]},
                "effectiveDateTime": instant, "valueQuantity": {"value": value, "unit": "count"}}
    if rid is not None:
        resource["id"] = rid
    return resource


def library_accepts(raw: dict[str, Any]) -> bool:
    try:
        Observation.model_validate(raw)
    except ValidationError:
        return False
    return True


def quick_accepts(raw: dict[str, Any]) -> bool:
    try:
        resources.validate(raw, "Observation")
    except FhirError:
        return False
    return True


LEAVES = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                   st.none(), st.text(max_size=12), st.sampled_from(["", " ", "\x00", "1e3"]))
INSTANTS = st.one_of(st.sampled_from(["2024-03-01", "2024-03", "2024", "2024-03-01T10:00:00+01:00", "2024-13-01",
                                      "2024-03-01T10:00:00", "2024-03-01T25:00:00Z", "2024-02-30", "",
                                      "2024-03-01T10:00:00.123Z"]), st.text(max_size=25), st.integers())


@settings(max_examples=300, deadline=None)
@example(value=7, instant="2024-02-30", ident="a", rid=None)  # the regular expression alone lets it through
@example(value=7, instant="2023-02-29T10:00:00Z", ident="a", rid=None)
@given(value=LEAVES, instant=INSTANTS, ident=LEAVES, rid=st.one_of(st.none(), st.text(max_size=70)))
def test_the_quick_path_decides_as_the_library_does(value: Any, instant: Any, ident: Any, rid: Any) -> None:
    resources.validate(observation(), "Observation")  # the shape is now known
    raw = observation(value, instant, ident, rid)
    assert quick_accepts(raw) == library_accepts(raw), raw


@pytest.mark.parametrize(("instant", "day"), [("2024-06-30T23:30:00Z", "2024-07-01"),
                                              ("2024-01-31T23:30:00Z", "2024-01-31"),
                                              ("2024-03-05", "2024-03-05"), ("2024-03", "2024-03-01")])
def test_an_instant_becomes_its_day_in_the_service_s_time_zone(instant: str, day: str) -> None:
    assert resources.read_observation(observation(instant=instant), LONDON).period.isoformat() == day


def test_a_year_alone_is_refused_as_too_coarse_for_a_period() -> None:
    with pytest.raises(FhirError) as refused:
        resources.read_observation(observation(instant="2024"), LONDON)
    assert refused.value.issues[0].expression == "Observation.effectiveDateTime"
