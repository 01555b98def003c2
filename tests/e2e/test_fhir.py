"""HL7 FHIR R4 intake end to end: Observation, MeasureReport and Bundles through the real HTTP endpoint."""

from __future__ import annotations

from tests.conftest import Api
from tests.e2e.fhir_helpers import (
    FHIR,
    LOINC,
    bundle,
    coded_measure,
    measure_report,
    new_code,
    observation,
    post_fhir,
    values_of,
)


async def test_an_observation_is_stored_on_the_measure_its_code_names_and_answered_with_201(api: Api) -> None:
    team = await api.create_team("FHIR ward")
    code = new_code()
    measure = await coded_measure(api, team, code)
    response = await post_fhir(api, "/fhir/Observation", observation(code, "2024-03-01", 7, "obs-1"), teams=[team])
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith(FHIR)
    stored = response.json()
    assert stored["resourceType"] == "Observation" and stored["id"]
    assert response.headers["Location"] == f"Observation/{stored['id']}"
    assert await values_of(api, measure) == [7]


async def test_a_resent_identifier_answers_200_with_the_stored_resource_and_stores_nothing(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    measure = await coded_measure(api, team, code)
    first = await post_fhir(api, "/fhir/Observation", observation(code, "2024-03-01", 7, "obs-9"), teams=[team])
    again = await post_fhir(api, "/fhir/Observation", observation(code, "2024-03-02", 9, "obs-9"), teams=[team])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert await values_of(api, measure) == [7]


async def test_an_instant_becomes_the_day_it_falls_on_in_the_service_s_time_zone(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    measure = await coded_measure(api, team, code)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time)
    response = await post_fhir(api, "/fhir/Observation", observation(code, "2024-06-30T23:30:00Z", 3), teams=[team])
    assert response.status_code == 201, response.text
    data = await api.gql("query($id: ID!) { measure(id: $id) { spc { points { period } } } }", {"id": measure})
    assert [p["period"] for p in data["measure"]["spc"]["points"]] == ["2024-07-01"]


async def refused(api: Api, team: str, resource: dict, status: int = 422) -> dict:
    response = await post_fhir(api, "/fhir/Observation", resource, teams=[team])
    assert response.status_code == status, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return outcome["issue"][0]


async def test_invalid_observations_are_refused_with_an_operation_outcome_naming_the_field(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    measure = await coded_measure(api, team, code)
    good = observation(code, "2024-03-01", 7)
    missing_code = {k: v for k, v in good.items() if k != "code"}
    issue = await refused(api, team, missing_code, 400)
    assert (issue["severity"], issue["code"], issue["expression"]) == ("error", "required", ["Observation.code"])
    issue = await refused(api, team, observation("no-such-code", "2024-03-01", 7))
    assert issue["code"] == "not-found" and issue["expression"] == ["Observation.code"]
    assert "no-such-code" in issue["diagnostics"]
    issue = await refused(api, team, {**good, "valueString": "seven"}, 400)
    assert "multiple" in issue["diagnostics"]
    issue = await refused(api, team, {k: v for k, v in {**good, "valueString": "7"}.items() if k != "valueQuantity"})
    assert issue["expression"] == ["Observation.value[x]"] and "valueQuantity" in issue["diagnostics"]
    issue = await refused(api, team, {**good, "status": "preliminary"})
    assert issue["expression"] == ["Observation.status"] and "preliminary" in issue["diagnostics"]
    issue = await refused(api, team, {**good, "status": "bogus"})
    assert issue["expression"] == ["Observation.status"]
    issue = await refused(api, team, {**good, "meta": {"profile": ["http://example.org/StructureDefinition/Mine"]}})
    assert issue["code"] == "not-supported" and issue["expression"] == ["Observation.meta.profile[0]"]
    issue = await refused(api, team, {k: v for k, v in good.items() if k != "effectiveDateTime"})
    assert issue["expression"] == ["Observation.effective[x]"]
    assert await values_of(api, measure) == []


async def test_the_base_profile_is_accepted(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    await coded_measure(api, team, code)
    resource = observation(code, "2024-03-01", 7,
                           meta={"profile": ["http://hl7.org/fhir/StructureDefinition/Observation"]})
    response = await post_fhir(api, "/fhir/Observation", resource, teams=[team])
    assert response.status_code == 201, response.text


async def test_a_value_the_measure_s_chart_cannot_take_is_refused_naming_the_field(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    await coded_measure(api, team, code, chartType="C")
    issue = await refused(api, team, observation(code, "2024-03-01", -2))
    assert issue["expression"] == ["Observation.valueQuantity.value"] and "negative" in issue["diagnostics"]


async def test_a_summary_measure_report_is_stored_from_its_score_or_its_populations(api: Api) -> None:
    team = await api.create_team()
    score_code, ratio_code = new_code(), new_code()
    scored = await coded_measure(api, team, score_code)
    ratio = await api.define_measure(team, frequency="MONTH", chartType="P",
                                     codes=[{"system": LOINC, "code": ratio_code}])
    response = await post_fhir(api, "/fhir/MeasureReport", measure_report(score_code, "2024-03-01", score=0.8),
                               teams=[team])
    assert response.status_code == 201, response.text
    report = measure_report(None, "2024-03-01", numerator=30, denominator=50, exclusions=10,
                            measure_url=f"http://example.org/Measure/{ratio_code}")
    response = await post_fhir(api, "/fhir/MeasureReport", report, teams=[team])
    assert response.status_code == 201, response.text
    assert await values_of(api, scored) == [0.8]
    assert await values_of(api, ratio) == [0.75]  # 30 / (50 - 10)


async def test_an_incomplete_or_individual_measure_report_is_refused(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    await coded_measure(api, team, code)
    report = measure_report(code, "2024-03-01", score=1)
    for bad, where in (({**report, "status": "pending"}, "MeasureReport.status"),
                       ({**report, "type": "individual"}, "MeasureReport.type")):
        response = await post_fhir(api, "/fhir/MeasureReport", bad, teams=[team])
        assert response.status_code == 422, response.text
        assert response.json()["issue"][0]["expression"] == [where]


async def test_a_transaction_with_one_bad_entry_stores_nothing_and_names_the_entry(api: Api) -> None:
    team = await api.create_team()
    c1, c2 = new_code(), new_code()
    m1, m2 = await coded_measure(api, team, c1), await coded_measure(api, team, c2)
    resources = [observation(c1, "2024-03-01", 1, "t-1"), observation(c2, "2024-03-01", 2, "t-2"),
                 {**observation(c1, "2024-03-02", 3, "t-3"), "status": "preliminary"}]
    response = await post_fhir(api, "/fhir", bundle("transaction", resources), teams=[team])
    assert response.status_code == 422, response.text
    [issue] = response.json()["issue"]
    assert issue["expression"] == ["Bundle.entry[2].resource.status"]
    assert await values_of(api, m1) == [] and await values_of(api, m2) == []
    good = await post_fhir(api, "/fhir", bundle("transaction", resources[:2]), teams=[team])
    assert good.status_code == 200, good.text
    answer = good.json()
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created", "201 Created"]
    assert await values_of(api, m1) == [1] and await values_of(api, m2) == [2]


async def test_a_batch_stores_the_good_entries_and_answers_each(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    measure = await coded_measure(api, team, code)
    resources = [observation(code, "2024-03-01", 1, "b-1"), observation("unknown-code", "2024-03-02", 2, "b-2"),
                 measure_report(code, "2024-03-03", score=3, ident="b-3"), observation(code, "2024-03-01", 1, "b-1")]
    response = await post_fhir(api, "/fhir", bundle("batch", resources), teams=[team])
    assert response.status_code == 200, response.text
    entries = response.json()["entry"]
    assert response.json()["type"] == "batch-response"
    assert [e["response"]["status"] for e in entries] == ["201 Created", "422", "201 Created", "200 OK"]
    assert entries[1]["response"]["outcome"]["issue"][0]["expression"] == ["Bundle.entry[1].resource.code"]
    assert await values_of(api, measure) == [1, 3]
    again = await post_fhir(api, "/fhir", bundle("batch", [resources[0], resources[2]]), teams=[team])
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK", "200 OK"]
    assert await values_of(api, measure) == [1, 3]


async def test_a_bundle_of_another_type_or_a_non_bundle_is_refused(api: Api) -> None:
    team = await api.create_team()
    response = await post_fhir(api, "/fhir", {**bundle("batch", []), "type": "collection"}, teams=[team])
    assert response.status_code == 422 and response.json()["issue"][0]["expression"] == ["Bundle.type"]
    response = await post_fhir(api, "/fhir", observation("x", "2024-01-01", 1), teams=[team])
    assert response.status_code == 400


async def test_metadata_is_a_capability_statement_for_fhir_4_0_1(api: Api) -> None:
    response = await api.http.get(f"{api.base}/fhir/metadata")
    assert response.status_code == 200 and response.headers["content-type"].startswith(FHIR)
    statement = response.json()
    assert (statement["resourceType"], statement["fhirVersion"]) == ("CapabilityStatement", "4.0.1")
    assert {r["type"] for r in statement["rest"][0]["resource"]} == {"Observation", "MeasureReport"}
    assert {i["code"] for i in statement["rest"][0]["interaction"]} == {"transaction", "batch"}


async def test_a_caller_outside_the_measure_s_team_is_refused_403(api: Api) -> None:
    team, other = await api.create_team(), await api.create_team("Elsewhere")
    code = new_code()
    measure = await coded_measure(api, team, code)
    response = await post_fhir(api, "/fhir/Observation", observation(code, "2024-03-01", 7), teams=[other])
    assert response.status_code == 403, response.text
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert await values_of(api, measure) == []


async def test_a_request_without_a_token_gets_401_as_an_operation_outcome(api: Api) -> None:
    response = await api.http.post(f"{api.base}/fhir/Observation", json={}, headers={"Content-Type": FHIR})
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
