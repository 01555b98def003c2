"""Best-practice implementation through the real GraphQL endpoint: guidance with its recommendations, a team's
baseline assessment with gaps, a reassessment that closes some, progress over time, asOf, and a status outside
the allowed set answered with a typed error and nothing stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg

from tests.conftest import Api

REGISTER = """mutation($i: RegisterGuidanceInput!) { registerGuidance(input: $i) { guidance { id reference
  recommendations { ref text } } errors { code field index } } }"""
BEGIN = """mutation($i: BeginAssessmentInput!) { beginAssessment(input: $i) { assessment { id }
  errors { code field } } }"""
ASSESSMENT_FIELDS = """id guidanceReference guidance { id } team { id }
  recommendations { recommendation { ref } status evidence { kind reference } rationale reviewDate assessedBy round }
  gaps { recommendation { ref text } status reviewDate rationale gapId actions { id title } }
  progress { round reason assessedBy met partlyMet notMet notApplicable unassessed
    assessed { recommendation { ref } } }"""
ASSESS = f"""mutation($i: AssessRecommendationsInput!) {{ assessRecommendations(input: $i) {{
  assessment {{ {ASSESSMENT_FIELDS} }} errors {{ code field index message }} }} }}"""
ASSESSMENT = f"query($id: ID!, $at: DateTime) {{ assessment(id: $id, asOf: $at) {{ {ASSESSMENT_FIELDS} }} }}"
RECOMMENDATIONS = [
    {"ref": "1.1.1", "text": "Do not offer falls risk prediction tools to predict inpatient falls."},
    {"ref": "1.1.2", "text": "Regard all inpatients aged 65 or older as at risk of falling."},
    {"ref": "1.2.1", "text": "Offer a multifactorial falls risk assessment, including lying and standing BP."},
    {"ref": "1.2.2", "text": "Ensure that the call bell is within reach."},
    {"ref": "1.3.1", "text": "Community falls clinics follow up within 28 days."},
]


async def _world(api: Api, name: str) -> tuple[dict[str, Any], str]:
    team = await api.create_team(name)
    lead = {"token": api.tokens.issue("matron", "TEAM_LEADER", [team])}
    guidance = (await api.gql(REGISTER, {"i": {"teamId": team, "reference": "NICE NG249",
                                               "title": "Falls: assessment and prevention",
                                               "recommendations": RECOMMENDATIONS}}, **lead))["registerGuidance"]
    assert guidance["errors"] == []
    begun = (await api.gql(BEGIN, {"i": {"teamId": team, "guidanceId": guidance["guidance"]["id"]}},
                           **lead))["beginAssessment"]
    assert begun["errors"] == []
    return lead, begun["assessment"]["id"]


def entry(ref: str, status: str, why: str, review: str | None = None, **more: Any) -> dict[str, Any]:
    return {"recommendation": ref, "status": status, "rationale": why, "reviewDate": review, **more}


async def test_a_baseline_with_gaps_and_a_reassessment_that_closes_some(api: Api) -> None:
    lead, assessment = await _world(api, "Guidance ward")
    baseline = (await api.gql(ASSESS, {"i": {"assessmentId": assessment, "reason": "Baseline after publication",
                                             "entries": [
        entry("1.1.1", "MET", "No prediction tool in use", evidence=[{"kind": "DOCUMENT", "reference": "POL-FALLS-3"}]),
        entry("1.1.2", "PARTLY_MET", "Only on the respiratory bay", "2025-09-01"),
        entry("1.2.1", "NOT_MET", "Lying and standing BP missed at night", "2025-07-01",
              evidence=[{"kind": "AUDIT", "reference": "audit-falls-2025"}]),
        entry("1.2.2", "PARTLY_MET", "Spot checks found bells out of reach", "2025-08-01"),
        entry("1.3.1", "NOT_APPLICABLE", "We are an inpatient ward")]}}, **lead))["assessRecommendations"]
    assert baseline["errors"] == []
    doc = baseline["assessment"]
    assert [(g["recommendation"]["ref"], g["status"], g["reviewDate"]) for g in doc["gaps"]] == [
        ("1.2.1", "NOT_MET", "2025-07-01"), ("1.2.2", "PARTLY_MET", "2025-08-01"),
        ("1.1.2", "PARTLY_MET", "2025-09-01")]
    assert doc["recommendations"][2]["evidence"] == [{"kind": "AUDIT", "reference": "audit-falls-2025"}]
    assert doc["recommendations"][0]["assessedBy"] == "matron"
    team = (await api.gql(ASSESSMENT, {"id": assessment}, **lead))["assessment"]["team"]["id"]
    actions = {}
    for gap in doc["gaps"]:
        ref = gap["recommendation"]["ref"]
        made = await api.gql("mutation($i: CreateActionInput!) { createAction(input: $i) { action { id } "
                             "errors { code } } }", {"i": {"teamId": team, "title": f"Close {ref}", "owner": "matron",
                                                          "dueDate": gap["reviewDate"], "sourceId": gap["gapId"]}},
                             **lead)
        actions[gap["recommendation"]["ref"]] = made["createAction"]["action"]["id"]
    gaps = (await api.gql(ASSESSMENT, {"id": assessment}, **lead))["assessment"]["gaps"]
    assert [[a["id"] for a in g["actions"]] for g in gaps] == [[actions["1.2.1"]], [actions["1.2.2"]],
                                                               [actions["1.1.2"]]]
    await asyncio.sleep(0.05)
    after_baseline = datetime.now(UTC)
    await asyncio.sleep(0.05)

    re = (await api.gql(ASSESS, {"i": {"assessmentId": assessment, "reason": "Six-month review", "entries": [
        entry("1.2.1", "MET", "Night checklist; re-audit at 92%",
              evidence=[{"kind": "AUDIT", "reference": "re-audit"}]),
        entry("1.2.2", "MET", "Bell checks on every intentional rounding")]}}, **lead))["assessRecommendations"]
    doc = re["assessment"]
    assert [(g["recommendation"]["ref"], g["status"]) for g in doc["gaps"]] == [("1.1.2", "PARTLY_MET")]
    assert doc["gaps"][0]["actions"] == [{"id": actions["1.1.2"], "title": "Close 1.1.2"}]
    assert [(p["round"], p["met"], p["partlyMet"], p["notMet"], p["notApplicable"], p["unassessed"])
            for p in doc["progress"]] == [(1, 1, 2, 1, 1, 0), (2, 3, 1, 0, 1, 0)]
    assert [a["recommendation"]["ref"] for a in doc["progress"][1]["assessed"]] == ["1.2.1", "1.2.2"]
    assert doc["recommendations"][2]["round"] == 2

    then = (await api.gql(ASSESSMENT, {"id": assessment, "at": after_baseline.isoformat()}, role="AUDITOR"))
    assert len(then["assessment"]["gaps"]) == 3 and len(then["assessment"]["progress"]) == 1
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type actor reason } } } }",
                            {"s": assessment}, role="AUDITOR")
    assert [e["node"]["type"] for e in history["history"]["edges"]] == [
        "AssessmentBegun", "RecommendationsAssessed", "RecommendationsAssessed"]
    assert history["history"]["edges"][2]["node"]["reason"] == "Six-month review"


async def test_an_assessment_status_outside_the_allowed_set_is_invalid_and_nothing_is_stored(
        api: Api, database_url: str) -> None:
    lead, assessment = await _world(api, "Bad status ward")
    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM events")
        answer = (await api.gql(ASSESS, {"i": {"assessmentId": assessment, "reason": "Baseline", "entries": [
            entry("1.1.1", "MET", "ok"), entry("1.1.2", "MOSTLY_MET", "nearly")]}}, **lead))["assessRecommendations"]
        assert answer["assessment"] is None
        assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [("INVALID", "status", 1)]
        assert await conn.fetchval("SELECT count(*) FROM events") == before
    finally:
        await conn.close()
    read = (await api.gql(ASSESSMENT, {"id": assessment}, **lead))["assessment"]
    assert read["progress"] == [] and {r["status"] for r in read["recommendations"]} == {None}


async def test_a_team_assesses_itself_against_a_guidance_once(api: Api) -> None:
    lead, assessment = await _world(api, "Once ward")
    read = (await api.gql(ASSESSMENT, {"id": assessment}, **lead))["assessment"]
    again = await api.gql(BEGIN, {"i": {"teamId": read["team"]["id"], "guidanceId": read["guidance"]["id"]}}, **lead)
    assert again["beginAssessment"]["errors"] == [{"code": "INVALID", "field": "guidanceId"}]
