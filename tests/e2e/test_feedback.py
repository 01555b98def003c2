"""Service users feed back their experience; an erasure request makes their details unreadable for good while
the log and its hash chain stay intact."""

from __future__ import annotations

import asyncpg

from service.audit.verify import verify_chain
from tests.conftest import Api

GIVE = """mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedbackId errors { code field } } }"""
LIST = """query($t: ID!) { feedback(teamId: $t) { edges { node { id rating comment name contact } } } }"""
ERASE = """mutation($i: ErasePersonalDataInput!) { erasePersonalData(input: $i) { erased errors { code } } }"""


async def test_feedback_is_read_by_the_team_and_erased_on_request_without_breaking_the_chain(
        api: Api, database_url: str) -> None:
    team = await api.create_team("Outpatients")
    patient = {"role": "SERVICE_USER", "teams": [team]}
    given = await api.gql(GIVE, {"i": {"teamId": team, "comment": "Waited two hours, staff were kind.", "rating": 3,
                                       "name": "A. Patient", "contact": "07700 900123"}}, token=api.tokens.issue(
                                           "patient-17", "SERVICE_USER", [team]))
    assert given["giveFeedback"]["errors"] == []
    seen = (await api.gql(LIST, {"t": team}, role="TEAM_MEMBER", teams=[team]))["feedback"]["edges"]
    assert [e["node"]["comment"] for e in seen] == ["Waited two hours, staff were kind."]
    assert seen[0]["node"]["contact"] == "07700 900123"
    conn = await asyncpg.connect(database_url)
    try:
        raw = await conn.fetchval("SELECT convert_from(data, 'UTF8') FROM events WHERE stream_id = $1",
                                  seen[0]["node"]["id"])
        assert "Waited" not in raw and "07700" not in raw  # sealed at rest, in the log itself
        refused = await api.gql(ERASE, {"i": {"subject": "patient-17", "reason": "Request 42"}}, **patient)
        assert refused["erasePersonalData"]["errors"] == [{"code": "FORBIDDEN"}]
        erased = await api.gql(ERASE, {"i": {"subject": "patient-17", "reason": "Subject access request 42"}},
                               role="ADMIN")
        assert erased["erasePersonalData"] == {"erased": True, "errors": []}
        after = (await api.gql(LIST, {"t": team}, role="TEAM_MEMBER", teams=[team]))["feedback"]["edges"]
        assert (after[0]["node"]["comment"], after[0]["node"]["name"], after[0]["node"]["rating"]) == (
            "[erased]", "[erased]", 3)
        history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { data } } } }",
                                {"s": seen[0]["node"]["id"]}, role="AUDITOR")
        assert "[erased]" in history["history"]["edges"][0]["node"]["data"]
        assert (await verify_chain(conn)).ok
    finally:
        await conn.close()
    again = await api.gql(GIVE, {"i": {"teamId": team, "comment": "Me again"}},
                          token=api.tokens.issue("patient-17", "SERVICE_USER", [team]))
    assert again["giveFeedback"]["errors"] == [{"code": "FORBIDDEN", "field": None}]


async def test_bad_feedback_is_refused_with_the_field_named(api: Api) -> None:
    team = await api.create_team("Clinic")
    patient = {"role": "SERVICE_USER", "teams": [team]}
    for values, field in (({"comment": " "}, "comment"), ({"comment": "ok", "rating": 9}, "rating"),
                          ({"comment": "x" * 4001}, "comment")):
        data = await api.gql(GIVE, {"i": {"teamId": team, **values}}, **patient)
        assert data["giveFeedback"]["errors"][0]["field"] == field
    other = await api.gql(GIVE, {"i": {"teamId": team, "comment": "hello"}}, role="SERVICE_USER", teams=["x"])
    assert other["giveFeedback"]["errors"][0]["code"] == "FORBIDDEN"
    assert (await api.gql(LIST, {"t": team}, role="TEAM_LEADER", teams=[team]))["feedback"]["edges"] == []


async def test_an_erasure_without_a_reason_or_subject_is_refused_and_nothing_is_recorded(api: Api) -> None:
    for values, field in (({"subject": "patient-9", "reason": "  "}, "reason"), ({"subject": " ", "reason": "x"},
                                                                                    "subject")):
        data = await api.gql("""mutation($i: ErasePersonalDataInput!) { erasePersonalData(input: $i) { erased
            errors { code field } } }""", {"i": values}, role="ADMIN")
        assert data["erasePersonalData"] == {"erased": False, "errors": [{"code": "REQUIRED", "field": field}]}
    log = await api.gql('{ auditLog(first: 500, type: "PersonalDataErased", actor: "tester") { edges { node '
                        '{ data } } } }', role="AUDITOR")
    assert all("patient-9" not in e["node"]["data"] for e in log["auditLog"]["edges"])


async def test_a_service_user_cannot_read_other_people_s_feedback(api: Api) -> None:
    team = await api.create_team("Day unit")
    response = await api.http.post(f"{api.base}/graphql", json={"query": LIST, "variables": {"t": team}},
                                   headers={"Authorization": f"Bearer {api.token('SERVICE_USER', [team])}"})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
