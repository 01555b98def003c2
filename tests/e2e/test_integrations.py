"""Registered integrations end to end: who may register one, the measures it may write (403 elsewhere, on
/ingest/observations and on /fhir), and the source system every event it causes names."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from service.auth.identity import Role
from service.auth.permissions import POLICY, Scope
from tests.conftest import Api
from tests.e2e.fhir_helpers import coded_measure, new_code, observation, post_fhir, values_of
from tests.e2e.permission_table import obeys_the_table

REGISTER = """mutation($i: RegisterIntegrationInput!) { registerIntegration(input: $i) {
  integration { id name teamId measureIds retired registeredBy reason } errors { code field index message } } }"""
CHANGE = """mutation($i: ChangeIntegrationMeasuresInput!) { changeIntegrationMeasures(input: $i) {
  integration { measureIds } errors { code field } } }"""
RETIRE = """mutation($i: RetireIntegrationInput!) { retireIntegration(input: $i) {
  integration { retired } errors { code } } }"""


async def register(api: Api, team: str, measures: list[str], **who: Any) -> dict[str, Any]:
    data = await api.gql(REGISTER, {"i": {"name": "Theatre system", "teamId": team, "measureIds": measures,
                                          "reason": "Theatre utilisation feed"}},
                         **(who or {"role": "TEAM_LEADER", "teams": [team]}))
    return data["registerIntegration"]


def integration_token(api: Api, integration: str, team: str) -> str:
    return api.tokens.issue(integration, Role.INTEGRATION, [team])


async def ingest(api: Api, token: str, measure: str, day: str, value: float) -> Any:
    response = await api.http.post(f"{api.base}/ingest/observations", headers={"Authorization": f"Bearer {token}"},
                                   json={"observations": [{"measureId": measure, "period": day, "value": value}]})
    api.position = max(api.position, int(response.headers.get("X-QMS-Position", 0)))
    return response


async def test_a_team_leader_registers_an_integration_with_its_measures(api: Api) -> None:
    team = await api.create_team("Integrations ward")
    measure = await api.define_measure(team)
    answer = await register(api, team, [measure])
    assert answer["errors"] == []
    i = answer["integration"]
    assert (i["name"], i["teamId"], i["measureIds"], i["retired"], i["reason"]) == (
        "Theatre system", team, [measure], False, "Theatre utilisation feed")
    data = await api.gql("query($t: ID!) { integrations(teamId: $t) { id } }", {"t": team}, role="TEAM_LEADER",
                         teams=[team])
    assert data["integrations"] == [{"id": i["id"]}]


async def test_an_integration_cannot_be_registered_for_another_team_s_measure(api: Api) -> None:
    team, other = await api.create_team(), await api.create_team("Other")
    theirs = await api.define_measure(other)
    answer = await register(api, team, [theirs])
    assert answer["integration"] is None
    assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [("INVALID", "measureIds", 0)]


async def test_an_integration_writes_its_measures_and_is_refused_403_elsewhere_on_both_doors(
        api: Api, log: asyncpg.Connection) -> None:
    team = await api.create_team()
    c1, c2 = new_code(), new_code()
    mine, not_mine = await coded_measure(api, team, c1), await coded_measure(api, team, c2)
    integration = (await register(api, team, [mine]))["integration"]["id"]
    token = integration_token(api, integration, team)
    assert (await ingest(api, token, mine, "2024-01-01", 5)).status_code == 200
    fhir = await post_fhir(api, "/fhir/Observation", observation(c1, "2024-01-02", 6, "i-1"), token=token)
    assert fhir.status_code == 201, fhir.text
    refused = await ingest(api, token, not_mine, "2024-01-01", 5)
    assert refused.status_code == 403, refused.text
    refused = await post_fhir(api, "/fhir/Observation", observation(c2, "2024-01-02", 6, "i-2"), token=token)
    assert refused.status_code == 403 and refused.json()["issue"][0]["code"] == "forbidden"
    assert await values_of(api, not_mine) == []
    sources = await log.fetch("SELECT DISTINCT source FROM events WHERE stream_id = $1 AND topic LIKE "
                              "'%ObservationsRecorded'", mine)
    assert [r[0] for r in sources] == [f"integration:{integration}"]


async def test_changing_the_measures_or_retiring_takes_effect_at_once(api: Api) -> None:
    team = await api.create_team()
    m1, m2 = await api.define_measure(team, frequency="DAY"), await api.define_measure(team, frequency="DAY")
    integration = (await register(api, team, [m1]))["integration"]["id"]
    token = integration_token(api, integration, team)
    assert (await ingest(api, token, m2, "2024-01-01", 1)).status_code == 403
    changed = await api.gql(CHANGE, {"i": {"integrationId": integration, "measureIds": [m1, m2],
                                           "reason": "Now also sends m2"}}, role="TEAM_LEADER", teams=[team])
    assert changed["changeIntegrationMeasures"]["integration"]["measureIds"] == [m1, m2]
    assert (await ingest(api, token, m2, "2024-01-01", 1)).status_code == 200
    retired = await api.gql(RETIRE, {"i": {"integrationId": integration, "reason": "Replaced"}},
                            role="SENIOR_LEADER")
    assert retired["retireIntegration"]["integration"]["retired"] is True
    assert (await ingest(api, token, m1, "2024-01-02", 1)).status_code == 403


async def test_a_token_naming_no_registered_integration_writes_nothing(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team, frequency="DAY")
    token = integration_token(api, "00000000-0000-4000-8000-000000000001", team)
    assert (await ingest(api, token, measure, "2024-01-01", 1)).status_code == 403


# -- the permission table for the integration mutations --------------------------------------------------------
ALL = [r.value for r in Role]
EXPECTED = {"registerIntegration": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own"},
            "changeIntegrationMeasures": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own"},
            "retireIntegration": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own"}}
INPUTS = {"registerIntegration": "RegisterIntegrationInput",
          "changeIntegrationMeasures": "ChangeIntegrationMeasuresInput", "retireIntegration": "RetireIntegrationInput"}


def test_the_written_out_table_is_the_policy_in_force() -> None:
    in_force = {role.value: "any" if scope is Scope.ANY else "own"
                for role, scope in POLICY["integration.register"].items()}
    assert all(in_force == rule for rule in EXPECTED.values())


CASES = [(m, r, s) for m in EXPECTED for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_an_integration_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, log: asyncpg.Connection, mutation: str, role: str, scope: str) -> None:
    team, other = await api.create_team("Integration permissions"), await api.create_team("Elsewhere")
    measure = await api.define_measure(team)
    integration = (await register(api, team, [measure]))["integration"]["id"]
    variables = {"registerIntegration": {"name": "Feed", "teamId": team, "measureIds": [measure], "reason": "r"},
                 "changeIntegrationMeasures": {"integrationId": integration, "measureIds": [measure], "reason": "r"},
                 "retireIntegration": {"integrationId": integration, "reason": "r"}}[mutation]
    await obeys_the_table(api, log, mutation, INPUTS[mutation], variables, EXPECTED[mutation].get(role), scope,
                          role=role, teams=[team] if scope == "own" else [other])


async def test_qms_token_for_an_integration_writes_as_that_integration(api: Api, database_url: str,
                                                                          tmp_path: Any) -> None:
    import subprocess
    import sys

    from tests.service.edge.test_cli import ROOT, qms_env

    team = await api.create_team()
    measure = await api.define_measure(team, frequency="DAY")
    integration = (await register(api, team, [measure]))["integration"]["id"]
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "service.edge.cli", "token",
                                                      "--integration", integration],
                                     env=qms_env(database_url, tmp_path), cwd=ROOT, capture_output=True, text=True,
                                     timeout=120)
    assert result.returncode == 0, result.stderr
    principal = api.tokens.verify(result.stdout.strip())
    assert (principal.subject, principal.role, principal.teams) == (integration, Role.INTEGRATION, frozenset([team]))
    assert (await ingest(api, result.stdout.strip(), measure, "2024-01-01", 1)).status_code == 200
