"""Every assurance mutation for every role, inside and outside the caller's team: allowed exactly where the
product's table allows it; a denial is a typed FORBIDDEN error and stores nothing. The table is written out
here independently of service/auth/permissions.py, and checked against it; the cases are generated from it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.auth.identity import Role
from service.auth.permissions import POLICY, Scope
from tests.conftest import Api
from tests.e2e.permission_table import obeys_the_table

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
    **{m: {**RUNNERS, "SENIOR_LEADER": "any"} for m in ("recordInspection", "rateInspectionArea",
                                                       "recordInspectionFinding", "reportInspection",
                                                       "registerGuidance")},
    "beginAssessment": RUNNERS,
    "assessRecommendations": RUNNERS,
    **{m: {**RUNNERS, "TEAM_MEMBER": "own", "SERVICE_USER": "own"} for m in (
        "drawFishbone", "restateFishboneEffect", "addFishboneCategory", "addFishboneCause", "rewordFishboneCause",
        "removeFishboneCause", "linkFishbone")},
}
ACTIONS = {"createAudit": "audit.run", "defineAuditSample": "audit.run", "inviteToAudit": "audit.run",
           "recordAuditCases": "audit.cases.record", "recordAuditFinding": "audit.run", "completeAudit": "audit.run",
           "establishAuditProgramme": "audit.programme.manage", "planAudit": "audit.programme.manage",
           "startPlannedAudit": "audit.programme.manage", "decidePlannedAudit": "audit.programme.manage",
           "recordInspection": "inspection.record", "rateInspectionArea": "inspection.record",
           "recordInspectionFinding": "inspection.record", "reportInspection": "inspection.record",
           "registerGuidance": "guidance.register", "beginAssessment": "assessment.assess",
           "assessRecommendations": "assessment.assess", "drawFishbone": "fishbone.draw",
           "restateFishboneEffect": "fishbone.draw", "addFishboneCategory": "fishbone.draw",
           "addFishboneCause": "fishbone.draw", "rewordFishboneCause": "fishbone.draw",
           "removeFishboneCause": "fishbone.draw", "linkFishbone": "fishbone.draw"}
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
    "recordInspection": ("RecordInspectionInput", "inspection { id }"),
    "rateInspectionArea": ("RateInspectionAreaInput", "inspection { id }"),
    "recordInspectionFinding": ("RecordInspectionFindingInput", "finding { id }"),
    "reportInspection": ("ReportInspectionInput", "inspection { id }"),
    "registerGuidance": ("RegisterGuidanceInput", "guidance { id }"),
    "beginAssessment": ("BeginAssessmentInput", "assessment { id }"),
    "assessRecommendations": ("AssessRecommendationsInput", "assessment { id }"),
    "drawFishbone": ("DrawFishboneInput", "fishbone { id }"),
    "restateFishboneEffect": ("FishboneTextInput", "fishbone { id }"),
    "addFishboneCategory": ("FishboneTextInput", "fishbone { id }"),
    "addFishboneCause": ("AddCauseInput", "fishbone { id }"),
    "rewordFishboneCause": ("RewordCauseInput", "fishbone { id }"),
    "removeFishboneCause": ("RemoveCauseInput", "fishbone { id }"),
    "linkFishbone": ("LinkFishboneInput", "fishbone { id }"),
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
        "recordInspection": {"teamId": w["team"], "kind": "INTERNAL", "body": "Quality team", "visitedOn": "2025-05-01",
                             "inspectors": ["A"], "areas": ["Safe"]},
        "rateInspectionArea": {"inspectionId": w["inspection"], "area": "Safe", "rating": "GOOD", "rationale": "Why"},
        "recordInspectionFinding": {"inspectionId": w["inspection"], "title": f"Finding {n}", "severity": "LOW",
                                    "rationale": "Why"},
        "reportInspection": {"inspectionId": w["reportable"], "summary": "Done"},
        "registerGuidance": {"teamId": w["team"], "reference": f"NG{n}", "title": "Guidance",
                             "recommendations": [{"ref": "1.1", "text": "Do it"}]},
        "beginAssessment": {"teamId": w["team"], "guidanceId": w["guidance"]},
        "assessRecommendations": {"assessmentId": w["assessment"], "reason": "Review", "entries": [
            {"recommendation": "1.1", "status": "MET", "rationale": "Done"}]},
        "drawFishbone": {"teamId": w["team"], "effect": f"Effect {n}"},
        "restateFishboneEffect": {"diagramId": w["fishbone"], "text": f"Effect {n}"},
        "addFishboneCategory": {"diagramId": w["fishbone"], "text": f"Category {n}"},
        "addFishboneCause": {"diagramId": w["fishbone"], "category": "People", "text": f"Cause {n}"},
        "rewordFishboneCause": {"diagramId": w["fishbone"], "causeId": w["cause"], "text": f"Cause {n}"},
        "removeFishboneCause": {"diagramId": w["fishbone"], "causeId": w["cause2"]},
        "linkFishbone": {"diagramId": w["fishbone"], "kind": "SIGNAL", "targetId": w["audit"]},
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
        inspections = []
        for _ in range(2):
            made = await api.gql("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { "
                                 "inspection { id } } }", {"i": {"teamId": team, "kind": "EXTERNAL", "body": "CQC",
                                                                 "visitedOn": "2025-05-01", "inspectors": ["A"],
                                                                 "areas": ["Safe"]}}, **lead)
            inspections.append(made["recordInspection"]["inspection"]["id"])
        made = await api.gql("mutation($i: RegisterGuidanceInput!) { registerGuidance(input: $i) { guidance { id } } }",
                             {"i": {"teamId": team, "reference": "NG1", "title": "Guidance",
                                    "recommendations": [{"ref": "1.1", "text": "Do it"}]}}, **lead)
        guidance = made["registerGuidance"]["guidance"]["id"]
        made = await api.gql("mutation($i: RegisterGuidanceInput!) { registerGuidance(input: $i) { guidance { id } } }",
                             {"i": {"teamId": team, "reference": "NG2", "title": "Other guidance",
                                    "recommendations": [{"ref": "1.1", "text": "Do it"}]}}, **lead)
        made = await api.gql("mutation($i: BeginAssessmentInput!) { beginAssessment(input: $i) { assessment { id } } }",
                             {"i": {"teamId": team, "guidanceId": made["registerGuidance"]["guidance"]["id"]}}, **lead)
        assessment = made["beginAssessment"]["assessment"]["id"]
        made = await api.gql("mutation($i: DrawFishboneInput!) { drawFishbone(input: $i) { fishbone { id } } }",
                             {"i": {"teamId": team, "effect": "Falls"}}, **lead)
        fishbone = made["drawFishbone"]["fishbone"]["id"]
        causes = []
        for text in ("Staffing", "Lighting"):
            made = await api.gql("mutation($i: AddCauseInput!) { addFishboneCause(input: $i) { fishbone { "
                                 "categories { name causes { id text } } } } }",
                                 {"i": {"diagramId": fishbone, "category": "People", "text": text}}, **lead)
            people = made["addFishboneCause"]["fishbone"]["categories"][0]["causes"]
            causes.append(next(c["id"] for c in people if c["text"] == text))
        return {"team": team, "other": await api.create_team("Another assurance ward"), "audit": audits[0],
                "completable": audits[1], "programme": programme, "entry": entries[0], "entry2": entries[1],
                "inspection": inspections[0], "reportable": inspections[1], "guidance": guidance,
                "assessment": assessment, "fishbone": fishbone, "cause": causes[0], "cause2": causes[1]}


CASES = [(m, r, s) for m in MUTATIONS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_an_assurance_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, world: dict[str, str], log: asyncpg.Connection, mutation: str, role: str, scope: str) -> None:
    input_type, selection = MUTATIONS[mutation]
    await obeys_the_table(api, log, mutation, input_type, inputs(mutation, world, CASES.index((mutation, role, scope))),
                          EXPECTED[mutation].get(role), scope, selection=selection, role=role,
                          teams=[world["team"]] if scope == "own" else [world["other"]])


READS = {"audit": "query($id: ID!) { audit(id: $id) { id } }"}


@pytest.mark.parametrize("role", ALL)
async def test_assurance_is_read_by_the_team_s_roles_and_by_senior_leaders_auditors_and_admins(
        api: Api, world: dict[str, str], role: str) -> None:
    rule = POLICY["assurance.read"].get(Role(role))
    for scope, teams in (("own", [world["team"]]), ("other", [world["other"]])):
        readable = rule is Scope.ANY or (rule is Scope.TEAM and scope == "own")
        data = await api.gql("query($id: ID!, $t: ID!, $i: ID!, $a: ID!, $f: ID!) { audit(id: $id) { id } "
                             "audits(teamId: $t) { id } asOf: audit(id: $id, asOf: \"2100-01-01T00:00:00Z\") { id } "
                             "auditProgramme(teamId: $t, year: 2025) { id } inspection(id: $i) { id } "
                             "inspections(teamId: $t) { id } assessment(id: $a) { id } assessments(teamId: $t) { id } "
                             "fishbone(id: $f) { id } fishbones(teamId: $t) { id } }",
                             {"id": world["audit"], "t": world["team"], "i": world["inspection"],
                              "a": world["assessment"], "f": world["fishbone"]}, role=role, teams=teams)
        assert (data["audit"] is not None) == readable, (role, scope)
        assert (data["asOf"] is not None) == readable, (role, scope)
        assert bool(data["audits"]) == readable, (role, scope)
        assert (data["auditProgramme"] is not None) == readable, (role, scope)
        for one, many in (("inspection", "inspections"), ("assessment", "assessments"), ("fishbone", "fishbones")):
            assert (data[one] is not None) == readable, (role, scope, one)
            assert bool(data[many]) == readable, (role, scope, many)
