"""Operating the service: health and readiness, the demo organisation, and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from service.auth.identity import TokenService
from service.bootstrap import Services
from service.edge.demo import TRUST, load_demo
from tests.conftest import TEST_SECRET, Api

ROOT = Path(__file__).resolve().parents[2]


async def test_health_needs_no_token_and_readiness_reports_each_projection_s_lag(api: Api) -> None:
    assert (await api.http.get(f"{api.base}/healthz")).json() == {"status": "ok"}
    ready = await api.http.get(f"{api.base}/readyz")
    body = ready.json()
    assert ready.status_code == 200 and body["status"] == "ready"
    assert set(body["lag"]) == {"catalog", "spc", "feedback", "erasures", "planning", "control",
                                 "assurance", "improvement", "balance", "signals", "integrations"}


async def test_the_demo_organisation_loads_once_with_charts_that_have_limits(services: Services, api: Api) -> None:
    ids = await load_demo(services)
    assert len(ids) == 8
    assert await load_demo(services) == {}  # a second run finds it loaded
    await services.wait_for_projections(await services.store.head())
    data = await api.gql("query($id: ID!) { measure(id: $id) { spc { variation points { upperProcessLimit } } } }",
                         {"id": ids["Falls per 1,000 bed days"]}, role="AUDITOR")
    points = data["measure"]["spc"]["points"]
    assert len(points) == 36 and points[-1]["upperProcessLimit"] is not None
    assert data["measure"]["spc"]["variation"] is not None


def qms(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_JWT_SECRET": TEST_SECRET, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "service.edge.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_qms_token_prints_a_token_the_service_accepts() -> None:
    result = qms("token", "--subject", "ana", "--role", "team_leader", "--team", "t1")
    principal = TokenService(TEST_SECRET).verify(result.stdout.strip())
    assert (principal.subject, principal.role.value, principal.teams) == ("ana", "TEAM_LEADER", frozenset({"t1"}))


def test_qms_policy_prints_the_permission_table() -> None:
    out = qms("policy").stdout
    assert out.startswith("| action | ADMIN |") and "| observations.record |" in out


async def test_the_demo_teams_have_huddles_escalations_and_open_overdue_and_closed_actions(services: Services,
                                                                                           api: Api) -> None:
    await load_demo(services)
    await services.wait_for_projections(await services.store.head(), ("control",))
    trust = next(e["node"]["id"] for e in (await api.gql("{ teams(first: 500) { edges { node { id name } } } }"))
                 ["teams"]["edges"] if e["node"]["name"] == TRUST)
    tree = await api.gql("query($id: ID!) { team(id: $id) { children { children { id name } } } }", {"id": trust})
    teams = {t["name"]: t["id"] for d in tree["team"]["children"] for t in d["children"]}  # trust > directorate > team
    for name in ("Emergency Department", "Ward 7 (Respiratory)", "Community Diabetes Service"):
        team = teams[name]
        data = await api.gql("""query($t: ID!) { lastHuddle(teamId: $t) { problems { status } actions { id } }
          escalations(teamId: $t) { status }
          actions(teamId: $t, first: 100) { edges { node { status overdue sourceKind } } } }""", {"t": team})
        assert {p["status"] for p in data["lastHuddle"]["problems"]} == {"SOLVED", "ESCALATED"}
        assert len(data["escalations"]) == 1
        nodes = [e["node"] for e in data["actions"]["edges"]]
        assert any(n["overdue"] for n in nodes) and any(n["status"] == "OPEN" and not n["overdue"] for n in nodes)
        assert "Measure" in {n["sourceKind"] for n in nodes}
    emergency = await api.gql("query($t: ID!) { escalations(teamId: $t) { level status } }",
                              {"t": teams["Emergency Department"]})
    assert emergency["escalations"] == [{"level": "Directorate", "status": "OPEN"}]


async def test_the_demo_ward_has_an_audit_cycle_a_baseline_with_gaps_an_inspection_and_a_fishbone(
        services: Services, api: Api) -> None:
    await load_demo(services)
    await services.wait_for_projections(await services.store.head(), ("catalog", "control", "assurance"))
    trust = next(e["node"]["id"] for e in (await api.gql("{ teams(first: 500) { edges { node { id name } } } }"))
                 ["teams"]["edges"] if e["node"]["name"] == TRUST)
    tree = await api.gql("query($id: ID!) { team(id: $id) { children { children { id name } } } }", {"id": trust})
    ward = next(t["id"] for d in tree["team"]["children"] for t in d["children"] if t["name"] == "Ward 7 (Respiratory)")
    data = await api.gql("""query($t: ID!) {
      auditProgrammes(teamId: $t) { audits { title status audit { id status cases previous { id }
        criteria { compliance change } findings { id actions { status } } } } }
      assessments(teamId: $t) { gaps { gapId actions { id } } progress { round met } }
      inspections(teamId: $t) { ratings { area rating } findings { actions { id } } }
      fishbones(teamId: $t) { links { kind targetId } categories { causes { text subCauses { text } } } } }""",
                         {"t": ward}, role="AUDITOR")
    planned = {a["title"]: a for a in data["auditProgrammes"][0]["audits"]}
    first, re_audit = planned["Falls prevention audit"], planned["Falls prevention re-audit"]
    assert (first["status"], re_audit["status"], planned["Oxygen prescribing audit"]["status"]) == (
        "COMPLETED", "COMPLETED", "DEFERRED")
    assert re_audit["audit"]["previous"] == {"id": first["audit"]["id"]} and re_audit["audit"]["cases"] == 40
    assert all(c["change"] is not None for c in re_audit["audit"]["criteria"])
    assert first["audit"]["findings"][0]["actions"] == [{"status": "DONE"}]
    assessment = data["assessments"][0]
    assert [p["round"] for p in assessment["progress"]] == [1, 2]
    assert assessment["gaps"] and all(g["actions"] for g in assessment["gaps"])
    assert data["inspections"][0]["findings"][0]["actions"]
    fishbone = data["fishbones"][0]
    assert fishbone["links"] == [{"kind": "FINDING", "targetId": first["audit"]["findings"][0]["id"]}]
    assert any(c["subCauses"] for cat in fishbone["categories"] for c in cat["causes"])
