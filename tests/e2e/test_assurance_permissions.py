"""Every assurance mutation for every role, inside and outside the caller's team: allowed exactly where the
product's table allows it; a denial is a typed FORBIDDEN error and stores nothing. The table is written out
here independently of service/auth/permissions.py, and checked against it; the cases are generated from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from service.auth.identity import Role
from service.auth.permissions import POLICY, Scope
from tests.conftest import Api

ALL = [r.value for r in Role]
RUNNERS = {"TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"}
# The product's table: team leaders and senior clinicians run audits (and their programme, assessments);
# team members and service users enter cases they are invited to; inspections are recorded by the team's
# leaders or by senior leaders for any team; guidance is registered by the same; anyone in the team draws
# fishbone diagrams.
EXPECTED: dict[str, dict[str, str]] = {
    "createAudit": RUNNERS,
    "defineAuditSample": RUNNERS,
    "inviteToAudit": RUNNERS,
    "recordAuditCases": {**RUNNERS, "TEAM_MEMBER": "own", "SERVICE_USER": "own"},
    "recordAuditFinding": RUNNERS,
    "completeAudit": RUNNERS,
    "establishAuditProgramme": RUNNERS,
    "planAudit": RUNNERS,
    "startPlannedAudit": RUNNERS,
    "decidePlannedAudit": RUNNERS,
}
ACTIONS = {"createAudit": "audit.run", "defineAuditSample": "audit.run", "inviteToAudit": "audit.run",
           "recordAuditCases": "audit.cases.record", "recordAuditFinding": "audit.run", "completeAudit": "audit.run",
           "establishAuditProgramme": "audit.programme.manage", "planAudit": "audit.programme.manage",
           "startPlannedAudit": "audit.programme.manage", "decidePlannedAudit": "audit.programme.manage"}
MUTATIONS: dict[str, tuple[str, str]] = {
    "createAudit": ("CreateAuditInput", "audit { id }"),
    "defineAuditSample": ("DefineAuditSampleInput", "audit { id }"),
    "inviteToAudit": ("InviteToAuditInput", "audit { id }"),
    "recordAuditCases": ("RecordAuditCasesInput", "audit { id }"),
    "recordAuditFinding": ("RecordAuditFindingInput", "finding { id }"),
    "completeAudit": ("CompleteAuditInput", "audit { id }"),
    "establishAuditProgramme": ("EstablishAuditProgrammeInput", "programme { id }"),
    "planAudit": ("PlanAuditInput", "programme { id }"),
    "startPlannedAudit": ("StartPlannedAuditInput", "programme { id }"),
    "decidePlannedAudit": ("DecidePlannedAuditInput", "programme { id }"),
}


def inputs(name: str, w: dict[str, str], n: int) -> dict[str, Any]:
    return {
        "createAudit": {"teamId": w["team"], "title": f"Audit {n}", "standard": "NICE NG249",
                        "criteria": [{"name": "Assessed", "expectedCompliance": 0.9}]},
        "defineAuditSample": {"auditId": w["audit"], "description": "Admissions", "size": 40,
                              "periodStart": "2025-04-01", "periodEnd": "2025-06-30"},
        "inviteToAudit": {"auditId": w["audit"], "subjects": [f"person-{n}"]},
        "recordAuditCases": {"auditId": w["audit"], "cases": [{"caseRef": f"case-{n}", "results": [True]}]},
        "recordAuditFinding": {"auditId": w["audit"], "title": f"Finding {n}", "severity": "LOW", "rationale": "Why"},
        "completeAudit": {"auditId": w["completable"], "summary": "Done"},
        "establishAuditProgramme": {"teamId": w["team"], "year": 2030 + n % 60, "title": f"Programme {n}"},
        "planAudit": {"programmeId": w["programme"], "title": f"Audit {n}", "standard": "Local", "due": "2026-01-31",
                      "reason": "Priority"},
        "startPlannedAudit": {"programmeId": w["programme"], "plannedAuditId": w["entry"], "auditId": w["audit"]},
        "decidePlannedAudit": {"programmeId": w["programme"], "plannedAuditId": w["entry2"], "decision": "DEFERRED",
                               "reason": "Winter"},
    }[name]


def test_the_written_out_table_is_the_policy_in_force() -> None:
    for mutation, action in ACTIONS.items():
        in_force = {role.value: "any" if scope is Scope.ANY else "own" for role, scope in POLICY[action].items()}
        assert in_force == EXPECTED[mutation], mutation


@pytest.fixture(scope="module")
async def world(server: str, tokens: Any) -> dict[str, str]:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        api = Api(server, tokens, http)
        team = await api.create_team("Assurance permissions ward")
        lead = {"role": "TEAM_LEADER", "teams": [team]}
        audits = []
        for title in ("Open audit", "Audit to complete"):
            made = await api.gql("mutation($i: CreateAuditInput!) { createAudit(input: $i) { audit { id } } }",
                                 {"i": {"teamId": team, "title": title, "standard": "NICE NG249",
                                        "criteria": [{"name": "Assessed", "expectedCompliance": 0.9}]}}, **lead)
            audits.append(made["createAudit"]["audit"]["id"])
        await api.gql("mutation($i: InviteToAuditInput!) { inviteToAudit(input: $i) { errors { code } } }",
                      {"i": {"auditId": audits[0], "subjects": ["tester"]}}, **lead)
        await api.gql("mutation($i: RecordAuditCasesInput!) { recordAuditCases(input: $i) { errors { code } } }",
                      {"i": {"auditId": audits[1], "cases": [{"caseRef": "c", "results": [True]}]}}, **lead)
        made = await api.gql("mutation($i: EstablishAuditProgrammeInput!) { establishAuditProgramme(input: $i) { "
                             "programme { id } } }", {"i": {"teamId": team, "year": 2025, "title": "Audits"}}, **lead)
        programme = made["establishAuditProgramme"]["programme"]["id"]
        entries = []
        for title in ("Planned one", "Planned two"):
            planned = await api.gql("mutation($i: PlanAuditInput!) { planAudit(input: $i) { programme { audits { "
                                    "id title } } } }", {"i": {"programmeId": programme, "title": title,
                                                               "standard": "Local", "due": "2026-01-31",
                                                               "reason": "Priority"}}, **lead)
            entries.append(next(e["id"] for e in planned["planAudit"]["programme"]["audits"] if e["title"] == title))
        return {"team": team, "other": await api.create_team("Another assurance ward"), "audit": audits[0],
                "completable": audits[1], "programme": programme, "entry": entries[0], "entry2": entries[1]}


@pytest.fixture
async def log(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


CASES = [(m, r, s) for m in MUTATIONS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_an_assurance_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, world: dict[str, str], log: asyncpg.Connection, mutation: str, role: str, scope: str) -> None:
    rule = EXPECTED[mutation].get(role)
    allowed = rule == "any" or (rule == "own" and scope == "own")
    teams = [world["team"]] if scope == "own" else [world["other"]]
    input_type, selection = MUTATIONS[mutation]
    before = await log.fetchval("SELECT count(*) FROM events")
    data = await api.gql(f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {selection} errors {{ code }} }} }}",
                         {"i": inputs(mutation, world, CASES.index((mutation, role, scope)))}, role=role,
                         teams=teams)
    codes = [e["code"] for e in data[mutation]["errors"]]
    if allowed:
        assert "FORBIDDEN" not in codes, codes
    else:
        assert codes == ["FORBIDDEN"]
        assert await log.fetchval("SELECT count(*) FROM events") == before


READS = {"audit": "query($id: ID!) { audit(id: $id) { id } }"}


@pytest.mark.parametrize("role", ALL)
async def test_assurance_is_read_by_the_team_s_roles_and_by_senior_leaders_auditors_and_admins(
        api: Api, world: dict[str, str], role: str) -> None:
    rule = POLICY["assurance.read"].get(Role(role))
    for scope, teams in (("own", [world["team"]]), ("other", [world["other"]])):
        readable = rule is Scope.ANY or (rule is Scope.TEAM and scope == "own")
        data = await api.gql("query($id: ID!, $t: ID!) { audit(id: $id) { id } audits(teamId: $t) { id } "
                             "asOf: audit(id: $id, asOf: \"2100-01-01T00:00:00Z\") { id } "
                             "auditProgramme(teamId: $t, year: 2025) { id } }",
                             {"id": world["audit"], "t": world["team"]}, role=role, teams=teams)
        assert (data["audit"] is not None) == readable, (role, scope)
        assert (data["asOf"] is not None) == readable, (role, scope)
        assert bool(data["audits"]) == readable, (role, scope)
        assert (data["auditProgramme"] is not None) == readable, (role, scope)
