"""Every mutation for every role, inside and outside the caller's team: allowed exactly where the policy table
of the product allows it; a denial is a typed FORBIDDEN error and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from service.auth.identity import Role
from tests.conftest import Api

ALL = [r.value for r in Role]
# The product's table, written out independently of service/permissions.py: role -> "any" team or "own" team.
EXPECTED: dict[str, dict[str, str]] = {
    "createTeam": {"ADMIN": "any", "SENIOR_LEADER": "any"},
    "defineMeasure": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
    "recordObservations": {"TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own", "TEAM_MEMBER": "own",
                           "INTEGRATION": "own"},
    "recalculateLimits": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
    "setBaseline": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
    "setTarget": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
    "giveFeedback": {"SERVICE_USER": "own", "TEAM_MEMBER": "own", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
    "erasePersonalData": {"ADMIN": "any"},
}
MUTATIONS: dict[str, tuple[str, str]] = {
    "createTeam": ("CreateTeamInput", "team { id }"),
    "defineMeasure": ("DefineMeasureInput", "measure { id }"),
    "recordObservations": ("RecordObservationsInput", "accepted"),
    "recalculateLimits": ("RecalculateLimitsInput", "measure { id }"),
    "setBaseline": ("SetBaselineInput", "measure { id }"),
    "setTarget": ("SetTargetInput", "measure { id }"),
    "giveFeedback": ("GiveFeedbackInput", "feedbackId"),
    "erasePersonalData": ("ErasePersonalDataInput", "erased"),
}


def inputs(name: str, team: str, measure: str, n: int) -> dict[str, Any]:
    return {
        "createTeam": {"name": f"Team {n}", "parentTeamId": team},
        "defineMeasure": {"teamId": team, "name": f"Measure {n}", "kind": "PROCESS",
                          "improvementDirection": "INCREASE"},
        "recordObservations": {"measureId": measure, "observations": [{"period": f"20{10 + n % 80:02d}-01-01",
                                                                      "value": n}]},
        "recalculateLimits": {"measureId": measure, "fromPeriod": f"2{100 - n:03d}-01-01", "reason": "Changed"},
        "setBaseline": {"measureId": measure, "points": 13 + n % 50, "reason": "Baseline"},
        "setTarget": {"measureId": measure, "target": n, "reason": "Standard"},
        "giveFeedback": {"teamId": team, "comment": f"Feedback {n}", "rating": 4},
        "erasePersonalData": {"subject": f"someone-{n}", "reason": "Request"},
    }[name]


@pytest.fixture(scope="module")
async def world(server: str, tokens: Any) -> dict[str, str]:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        api = Api(server, tokens, http)
        team = await api.create_team("Permissions ward")
        measure = await api.define_measure(team, name="Permissions measure")
        await api.gql("mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted } }",
                      {"i": {"measureId": measure, "observations": [{"period": "2009-01-01", "value": 1}]}},
                      role="TEAM_MEMBER", teams=[team])
        return {"team": team, "other": await api.create_team("Another ward"), "measure": measure}


async def event_count(api: Api, stream: str) -> int:
    data = await api.gql("query($s: ID!) { history(streamId: $s, first: 500) { edges { cursor } } }", {"s": stream},
                         role="AUDITOR")
    return len(data["history"]["edges"])


CASES = [(m, r, s) for m in MUTATIONS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_a_mutation_is_allowed_exactly_where_the_table_allows_it(api: Api, world: dict[str, str], mutation: str,
                                                                       role: str, scope: str) -> None:
    rule = EXPECTED[mutation].get(role)
    allowed = rule == "any" or (rule == "own" and scope == "own")
    teams = [world["team"]] if scope == "own" else [world["other"]]
    input_type, selection = MUTATIONS[mutation]
    n = CASES.index((mutation, role, scope))
    stream = world["team"] if mutation in ("createTeam", "defineMeasure") else world["measure"]
    before = await event_count(api, stream) if mutation not in ("createTeam", "giveFeedback",
                                                                 "erasePersonalData") else None
    data = await api.gql(f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {selection} errors {{ code }} }} }}",
                         {"i": inputs(mutation, world["team"], world["measure"], n)}, role=role, teams=teams)
    codes = [e["code"] for e in data[mutation]["errors"]]
    if allowed:
        assert "FORBIDDEN" not in codes, codes
    else:
        assert codes == ["FORBIDDEN"]
        if before is not None:
            assert await event_count(api, stream) == before


@pytest.mark.parametrize("role", ["TEAM_MEMBER", "TEAM_LEADER", "SERVICE_USER", "SENIOR_CLINICIAN"])
async def test_a_team_role_reads_its_own_team_s_measure_and_not_another_s(api: Api, world: dict[str, str],
                                                                          role: str) -> None:
    q = "query($id: ID!) { measure(id: $id) { id } }"
    assert (await api.gql(q, {"id": world["measure"]}, role=role, teams=[world["team"]]))["measure"] is not None
    assert (await api.gql(q, {"id": world["measure"]}, role=role, teams=[world["other"]]))["measure"] is None


async def test_only_auditors_leaders_and_the_team_s_leads_read_the_history(api: Api, world: dict[str, str]) -> None:
    q = "query($s: ID!) { history(streamId: $s) { edges { cursor } } }"
    response = await api.http.post(f"{api.base}/graphql", json={"query": q, "variables": {"s": world["measure"]}},
                                   headers={"Authorization": f"Bearer {api.token('TEAM_MEMBER', [world['team']])}"})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
