"""Inspections and fishbone diagrams through the real GraphQL endpoint: an external inspection with ratings
and findings, and a diagram linked to a finding, edited, and shown as it stood before its later edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.conftest import Api

INSPECTION = """id kind body visitedOn inspectors areas summary ratings { area rating rationale decidedBy }
  ratingHistory { area rating } findings { id title severity criterion sourceId }"""
FISHBONE = """id effect edits links { kind targetId }
  categories { name causes { id text subCauses { id text subCauses { id text } } } }"""


async def _inspection(api: Api, team: str, lead: dict[str, str]) -> tuple[str, str]:
    made = await api.gql(f"mutation($i: RecordInspectionInput!) {{ recordInspection(input: $i) {{ "
                         f"inspection {{ {INSPECTION} }} errors {{ code field }} }} }}",
                         {"i": {"teamId": team, "kind": "EXTERNAL", "body": "Care Quality Commission",
                                "visitedOn": "2025-05-14", "inspectors": ["Lead inspector", "Specialist adviser"],
                                "areas": ["Safe", "Effective", "Caring", "Responsive", "Well-led"]}}, **lead)
    inspection = made["recordInspection"]["inspection"]["id"]
    for area, rating, why in (("Safe", "GOOD", "Staffing met"), ("Safe", "REQUIRES_IMPROVEMENT", "Medicines"),
                              ("Caring", "OUTSTANDING", "Feedback"), ("Overall", "GOOD", "Overall view")):
        rated = await api.gql("mutation($i: RateInspectionAreaInput!) { rateInspectionArea(input: $i) { errors { "
                              "code } } }", {"i": {"inspectionId": inspection, "area": area, "rating": rating,
                                                   "rationale": why}}, **lead)
        assert rated["rateInspectionArea"]["errors"] == []
    found = await api.gql("mutation($i: RecordInspectionFindingInput!) { recordInspectionFinding(input: $i) { "
                          "finding { id sourceId severity } errors { code } } }",
                          {"i": {"inspectionId": inspection, "title": "Fridge temperatures not recorded daily",
                                 "severity": "MODERATE", "rationale": "Seven gaps in April", "area": "Safe"}}, **lead)
    finding = found["recordInspectionFinding"]["finding"]
    assert (finding["sourceId"], finding["severity"]) == (inspection, "MODERATE")
    return inspection, finding["id"]


async def test_an_external_inspection_with_ratings_findings_and_its_report(api: Api) -> None:
    team = await api.create_team("Inspected ward")
    lead = {"token": api.tokens.issue("manager", "TEAM_LEADER", [team])}
    inspection, finding = await _inspection(api, team, lead)
    report = await api.gql(f"mutation($i: ReportInspectionInput!) {{ reportInspection(input: $i) {{ "
                           f"inspection {{ {INSPECTION} }} errors {{ code }} }} }}",
                           {"i": {"inspectionId": inspection, "summary": "Good overall"}}, **lead)
    read = report["reportInspection"]["inspection"]
    assert [(r["area"], r["rating"]) for r in read["ratings"]] == [
        ("Safe", "REQUIRES_IMPROVEMENT"), ("Caring", "OUTSTANDING"), ("Overall", "GOOD")]
    assert len(read["ratingHistory"]) == 4 and read["summary"] == "Good overall"
    assert read["findings"][0]["id"] == finding
    late = await api.gql("mutation($i: RateInspectionAreaInput!) { rateInspectionArea(input: $i) { errors { "
                         "code } } }", {"i": {"inspectionId": inspection, "area": "Safe", "rating": "GOOD",
                                              "rationale": "After the report"}}, **lead)
    assert late["rateInspectionArea"]["errors"] == [{"code": "INVALID_STATE"}]
    by_id = await api.gql("query($id: ID!) { finding(id: $id) { title sourceId } }", {"id": finding}, role="AUDITOR")
    assert by_id["finding"] == {"title": "Fridge temperatures not recorded daily", "sourceId": inspection}


async def test_a_fishbone_linked_to_a_finding_is_shown_as_it_stood_before_later_edits(api: Api) -> None:
    team = await api.create_team("Fishbone ward")
    lead = {"token": api.tokens.issue("manager", "TEAM_LEADER", [team])}
    member = {"token": api.tokens.issue("nurse", "TEAM_MEMBER", [team])}
    _, finding = await _inspection(api, team, lead)
    drawn = await api.gql(f"mutation($i: DrawFishboneInput!) {{ drawFishbone(input: $i) {{ fishbone {{ {FISHBONE} }} "
                          f"errors {{ code field }} }} }}",
                          {"i": {"teamId": team, "effect": "Fridge temperatures not recorded",
                                 "categories": ["People", "Equipment", "Methods"], "linkKind": "FINDING",
                                 "linkId": finding}}, **member)
    diagram = drawn["drawFishbone"]["fishbone"]
    assert diagram["links"] == [{"kind": "FINDING", "targetId": finding}]
    add = """mutation($i: AddCauseInput!) { addFishboneCause(input: $i) { fishbone { id categories { name causes {
      id text subCauses { id text } } } } errors { code field } } }"""
    causes = []
    for category, text, parent in (("People", "Agency staff do not know the check", None),
                                   ("Equipment", "Thermometer display broken", None)):
        made = await api.gql(add, {"i": {"diagramId": diagram["id"], "category": category, "text": text,
                                         "parentCauseId": parent}}, **member)
        cat = next(c for c in made["addFishboneCause"]["fishbone"]["categories"] if c["name"] == category)
        causes.append(cat["causes"][-1]["id"])
    sub = await api.gql(add, {"i": {"diagramId": diagram["id"], "category": "People", "text": "No induction sheet",
                                    "parentCauseId": causes[0]}}, **member)
    assert sub["addFishboneCause"]["errors"] == []
    await asyncio.sleep(0.05)
    before = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await api.gql("mutation($i: RemoveCauseInput!) { removeFishboneCause(input: $i) { errors { code } } }",
                  {"i": {"diagramId": diagram["id"], "causeId": causes[0]}}, **member)
    await api.gql("mutation($i: FishboneTextInput!) { restateFishboneEffect(input: $i) { errors { code } } }",
                  {"i": {"diagramId": diagram["id"], "text": "Fridge checks missed on night shifts"}}, **lead)
    query = f"query($id: ID!, $at: DateTime) {{ fishbone(id: $id, asOf: $at) {{ {FISHBONE} }} }}"
    then = (await api.gql(query, {"id": diagram["id"], "at": before.isoformat()}, role="AUDITOR"))["fishbone"]
    now = (await api.gql(query, {"id": diagram["id"]}, role="AUDITOR"))["fishbone"]
    assert then["effect"] == "Fridge temperatures not recorded"
    people = next(c for c in then["categories"] if c["name"] == "People")
    assert [(c["text"], [s["text"] for s in c["subCauses"]]) for c in people["causes"]] == [
        ("Agency staff do not know the check", ["No induction sheet"])]
    assert now["effect"] == "Fridge checks missed on night shifts"
    assert [c["causes"] for c in now["categories"] if c["name"] == "People"] == [[]]
    assert now["edits"] == then["edits"] + 2


async def test_a_fishbone_linked_to_a_finding_that_does_not_exist_is_not_drawn(api: Api) -> None:
    team = await api.create_team("Unlinked ward")
    lead = {"token": api.tokens.issue("manager", "TEAM_LEADER", [team])}
    answer = await api.gql("mutation($i: DrawFishboneInput!) { drawFishbone(input: $i) { fishbone { id } errors { "
                           "code field } } }", {"i": {"teamId": team, "effect": "x", "linkKind": "FINDING",
                                                      "linkId": "00000000-0000-4000-8000-000000000000"}}, **lead)
    assert answer["drawFishbone"] == {"fishbone": None, "errors": [{"code": "NOT_FOUND", "field": "targetId"}]}
    assert (await api.gql("query($t: ID!) { fishbones(teamId: $t) { id } }", {"t": team}, **lead))["fishbones"] == []
