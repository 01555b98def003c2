"""Clinical audit through the real GraphQL endpoint on the real PostgreSQL: a full cycle with a re-audit and
the change per criterion, findings, asOf, the audit programme, and bad input answered with a typed error and
nothing stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg

from tests.conftest import Api

AUDIT_FIELDS = """id title standard status cases team { id } previous { id }
  criteria { name expectedCompliance applicable met compliance change }"""
CREATE = f"""mutation($i: CreateAuditInput!) {{ createAudit(input: $i) {{ audit {{ {AUDIT_FIELDS} }}
  errors {{ code field index message }} }} }}"""
CASES = f"""mutation($i: RecordAuditCasesInput!) {{ recordAuditCases(input: $i) {{ audit {{ {AUDIT_FIELDS} }}
  errors {{ code field index message }} }} }}"""
COMPLETE = """mutation($i: CompleteAuditInput!) { completeAudit(input: $i) { audit { status summary completedBy }
  errors { code field message } } }"""
FINDING = """mutation($i: RecordAuditFindingInput!) { recordAuditFinding(input: $i) {
  finding { id title severity rationale decidedBy criterion } audit { findings { id } } errors { code field } } }"""
AUDIT = f"query($id: ID!, $at: DateTime) {{ audit(id: $id, asOf: $at) {{ {AUDIT_FIELDS} }} }}"
CRITERIA = [{"name": "Falls risk assessed within 6 hours", "expectedCompliance": 0.95},
            {"name": "Lying and standing blood pressure", "expectedCompliance": 0.8},
            {"name": "Call bell within reach", "expectedCompliance": 1.0}]


class Auditor:
    """A team with a leader who runs its audits."""

    def __init__(self, api: Api, team: str) -> None:
        self.api, self.team = api, team
        self.lead = {"token": api.tokens.issue("sister", "TEAM_LEADER", [team])}

    async def create(self, **fields: Any) -> dict[str, Any]:
        values = {"teamId": self.team, "title": "Falls prevention audit", "standard": "NICE NG249 1.2",
                  "criteria": CRITERIA, **fields}
        return (await self.api.gql(CREATE, {"i": values}, **self.lead))["createAudit"]

    async def cases(self, audit: str, cases: list[dict[str, Any]], **who: Any) -> dict[str, Any]:
        return (await self.api.gql(CASES, {"i": {"auditId": audit, "cases": cases}},
                                   **(who or self.lead)))["recordAuditCases"]

    async def complete(self, audit: str, summary: str = "Summary for the governance meeting") -> dict[str, Any]:
        return (await self.api.gql(COMPLETE, {"i": {"auditId": audit, "summary": summary}},
                                   **self.lead))["completeAudit"]


def cases_with(n: int, met: list[int], not_applicable: list[int], prefix: str) -> list[dict[str, Any]]:
    """n cases; criterion k is met in the first met[k] cases, not applicable in the last not_applicable[k]."""
    out = []
    for i in range(n):
        results: list[bool | None] = [i < m for m in met]
        for k, na in enumerate(not_applicable):
            if i >= n - na:
                results[k] = None
        out.append({"caseRef": f"{prefix}-{i:03d}", "results": results})
    return out


async def auditor(api: Api, name: str) -> Auditor:
    return Auditor(api, await api.create_team(name))


async def test_an_audit_cycle_with_a_re_audit_shows_the_change_in_compliance_per_criterion(api: Api) -> None:
    a = await auditor(api, "Audit cycle ward")
    first = (await a.create())["audit"]
    assert (first["status"], first["cases"], first["previous"]) == ("OPEN", 0, None)
    assert [c["compliance"] for c in first["criteria"]] == [None, None, None]
    # 40 cases in two calls: criterion 1 met in 30 of 40; criterion 2 in 20 of 32 applicable; criterion 3 in 40.
    batch = cases_with(40, [30, 20, 40], [0, 8, 0], "first")
    assert (await a.cases(first["id"], batch[:25]))["errors"] == []
    recorded = (await a.cases(first["id"], batch[25:]))["audit"]
    assert recorded["cases"] == 40
    assert [(c["applicable"], c["met"], c["compliance"], c["change"]) for c in recorded["criteria"]] == [
        (40, 30, 0.75, None), (32, 20, 0.625, None), (40, 40, 1.0, None)]
    finding = (await api.gql(FINDING, {"i": {
        "auditId": first["id"], "title": "Lying and standing BP is missed at night", "severity": "HIGH",
        "rationale": "12 of 32 applicable patients had no lying and standing BP; most were night admissions",
        "criterion": "Lying and standing blood pressure"}}, **a.lead))["recordAuditFinding"]
    assert finding["errors"] == []
    assert (finding["finding"]["severity"], finding["finding"]["decidedBy"]) == ("HIGH", "sister")
    assert finding["audit"]["findings"] == [{"id": finding["finding"]["id"]}]
    # The finding raises an action on the tracker; the audit shows it on the finding.
    raised = await api.gql("mutation($i: CreateActionInput!) { createAction(input: $i) { action { id sourceId } "
                           "errors { code field } } }",
                           {"i": {"teamId": a.team, "title": "Night lying and standing BP checklist",
                                  "owner": "sister", "dueDate": "2099-06-30", "sourceId": finding["finding"]["id"]}},
                           **a.lead)
    assert raised["createAction"]["errors"] == []
    shown = await api.gql("query($id: ID!) { audit(id: $id) { findings { id actions { id title status } } } }",
                          {"id": first["id"]}, role="AUDITOR")
    assert shown["audit"]["findings"][0]["actions"] == [{"id": raised["createAction"]["action"]["id"],
                                                         "title": "Night lying and standing BP checklist",
                                                         "status": "OPEN"}]
    completed = (await a.complete(first["id"]))["audit"]
    assert (completed["status"], completed["completedBy"]) == ("COMPLETED", "sister")

    # The re-audit: criteria compared by name (one renamed: no change for it), in another order.
    re_criteria = [CRITERIA[2], CRITERIA[1], {"name": "Falls risk assessed on admission", "expectedCompliance": 0.95}]
    second = (await a.create(title="Falls prevention re-audit", criteria=re_criteria,
                             previousAuditId=first["id"]))["audit"]
    assert second["previous"] == {"id": first["id"]}
    after = (await a.cases(second["id"], cases_with(40, [38, 30, 36], [0, 0, 0], "second")))["audit"]
    assert [(c["name"], c["compliance"], c["change"]) for c in after["criteria"]] == [
        ("Call bell within reach", 0.95, -0.05), ("Lying and standing blood pressure", 0.75, 0.125),
        ("Falls risk assessed on admission", 0.9, None)]
    read = (await api.gql(AUDIT, {"id": second["id"]}, role="AUDITOR"))["audit"]
    assert read["criteria"] == after["criteria"]
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type actor role reason } } } }",
                            {"s": first["id"]}, role="AUDITOR")
    assert [(e["node"]["type"], e["node"]["actor"]) for e in history["history"]["edges"]] == [
        ("AuditCreated", "sister"), ("AuditCasesRecorded", "sister"), ("AuditCasesRecorded", "sister"),
        ("AuditFindingRecorded", "sister"), ("AuditCompleted", "sister")]
    assert history["history"]["edges"][3]["node"]["reason"].startswith("12 of 32 applicable")
    overview = await api.gql("{ audits(status: COMPLETED) { id } all: audits { id } }", role="SENIOR_LEADER")
    assert first["id"] in {x["id"] for x in overview["audits"]} and second["id"] not in {
        x["id"] for x in overview["audits"]}
    assert second["id"] in {x["id"] for x in overview["all"]}
    elsewhere = await api.gql("{ audits { id } }", role="TEAM_LEADER", teams=[await api.create_team("Elsewhere")])
    assert elsewhere["audits"] == []


async def test_an_audit_as_it_stood_before_its_later_cases(api: Api) -> None:
    a = await auditor(api, "Audit asOf ward")
    audit = (await a.create())["audit"]["id"]
    await a.cases(audit, cases_with(10, [10, 5, 10], [0, 0, 0], "early"))
    await asyncio.sleep(0.05)
    between = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await a.cases(audit, cases_with(10, [0, 0, 0], [0, 0, 0], "late"))
    then = (await api.gql(AUDIT, {"id": audit, "at": between.isoformat()}, role="AUDITOR"))["audit"]
    now = (await api.gql(AUDIT, {"id": audit}, role="AUDITOR"))["audit"]
    assert (then["cases"], [c["compliance"] for c in then["criteria"]]) == (10, [1.0, 0.5, 1.0])
    assert (now["cases"], [c["compliance"] for c in now["criteria"]]) == (20, [0.5, 0.25, 0.5])
    before = (await api.gql(AUDIT, {"id": audit, "at": "2000-01-01T00:00:00+00:00"}, role="AUDITOR"))["audit"]
    assert before is None


async def test_an_invited_team_member_enters_cases_and_others_may_not(api: Api) -> None:
    a = await auditor(api, "Audit participants ward")
    audit = (await a.create())["audit"]["id"]
    member = {"token": api.tokens.issue("pat", "TEAM_MEMBER", [a.team])}
    refused = await a.cases(audit, cases_with(1, [1, 1, 1], [0, 0, 0], "pat"), **member)
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    invited = await api.gql("mutation($i: InviteToAuditInput!) { inviteToAudit(input: $i) { audit { participants } "
                            "errors { code } } }", {"i": {"auditId": audit, "subjects": ["pat"]}}, **a.lead)
    assert invited["inviteToAudit"]["audit"]["participants"] == ["pat"]
    assert (await a.cases(audit, cases_with(1, [1, 1, 1], [0, 0, 0], "pat"), **member))["audit"]["cases"] == 1


# -- bad input: a typed error, and nothing stored -------------------------------------------------------------
async def _events(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM events"))
    finally:
        await conn.close()


async def test_cases_on_a_completed_audit_are_invalid_state_and_not_stored(api: Api, database_url: str) -> None:
    a = await auditor(api, "Completed audit ward")
    audit = (await a.create())["audit"]["id"]
    await a.cases(audit, cases_with(5, [5, 5, 5], [0, 0, 0], "c"))
    assert (await a.complete(audit))["errors"] == []
    before = await _events(database_url)
    answer = await a.cases(audit, cases_with(1, [1, 1, 1], [0, 0, 0], "late"))
    assert (answer["audit"], [e["code"] for e in answer["errors"]]) == (None, ["INVALID_STATE"])
    assert (await a.complete(audit))["errors"][0]["code"] == "INVALID_STATE"
    assert await _events(database_url) == before


async def test_a_case_with_the_wrong_number_of_results_stores_no_case_of_that_call(api: Api,
                                                                                   database_url: str) -> None:
    a = await auditor(api, "Wrong results ward")
    audit = (await a.create())["audit"]["id"]
    cases = cases_with(4, [4, 4, 4], [0, 0, 0], "w")
    cases[2]["results"] = [True, None]
    before = await _events(database_url)
    answer = await a.cases(audit, cases)
    assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [("INVALID", "results", 2)]
    assert await _events(database_url) == before
    assert (await api.gql(AUDIT, {"id": audit}, role="AUDITOR"))["audit"]["cases"] == 0


async def test_an_expected_compliance_outside_0_to_1_is_invalid_with_its_index(api: Api, database_url: str) -> None:
    a = await auditor(api, "Bad expected ward")
    before = await _events(database_url)
    answer = await a.create(criteria=[CRITERIA[0], {"name": "Percent by mistake", "expectedCompliance": 95}])
    assert answer["audit"] is None
    assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [("INVALID", "expectedCompliance", 1)]
    assert await _events(database_url) == before


async def test_a_re_audit_of_another_team_s_audit_is_invalid(api: Api, database_url: str) -> None:
    a = await auditor(api, "Re-audit ward A")
    theirs = (await a.create())["audit"]["id"]
    b = await auditor(api, "Re-audit ward B")
    b.lead = {"token": api.tokens.issue("other-sister", "TEAM_LEADER", [a.team, b.team])}
    before = await _events(database_url)
    answer = await b.create(previousAuditId=theirs)
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [("INVALID", "previousAuditId")]
    assert await _events(database_url) == before


# -- the programme ----------------------------------------------------------------------------------------
PROGRAMME = """id year title audits { id title due status audit { id status } decisionReason }"""


async def test_an_audit_programme_shows_its_planned_audits_and_their_status(api: Api) -> None:
    a = await auditor(api, "Programme ward")
    made = await api.gql(f"mutation($i: EstablishAuditProgrammeInput!) {{ establishAuditProgramme(input: $i) {{ "
                         f"programme {{ {PROGRAMME} }} errors {{ code field }} }} }}",
                         {"i": {"teamId": a.team, "year": 2025, "title": "Ward audits 2025/26"}}, **a.lead)
    programme = made["establishAuditProgramme"]["programme"]["id"]
    again = await api.gql("mutation($i: EstablishAuditProgrammeInput!) { establishAuditProgramme(input: $i) { "
                          "errors { code field } } }",
                          {"i": {"teamId": a.team, "year": 2025, "title": "Twice"}}, **a.lead)
    assert again["establishAuditProgramme"]["errors"] == [{"code": "INVALID", "field": "year"}]
    plan = f"""mutation($i: PlanAuditInput!) {{ planAudit(input: $i) {{ programme {{ {PROGRAMME} }}
      errors {{ code }} }} }}"""
    for title, due in (("Falls audit", "2025-06-30"), ("Hand hygiene audit", "2099-01-31"),
                       ("Consent audit", "2099-03-31"), ("Old audit", "2025-01-31")):
        await api.gql(plan, {"i": {"programmeId": programme, "title": title, "standard": "Local policy",
                                   "due": due, "reason": "Trust priority"}}, **a.lead)
    entries = {e["title"]: e for e in (await api.gql(f"query($t: ID!) {{ auditProgramme(teamId: $t, year: 2025) "
                                                     f"{{ {PROGRAMME} }} }}", {"t": a.team}, **a.lead)
                                       )["auditProgramme"]["audits"]}
    audit = (await a.create())["audit"]["id"]
    start = await api.gql(f"mutation($i: StartPlannedAuditInput!) {{ startPlannedAudit(input: $i) {{ "
                          f"programme {{ {PROGRAMME} }} errors {{ code }} }} }}",
                          {"i": {"programmeId": programme, "plannedAuditId": entries["Falls audit"]["id"],
                                 "auditId": audit}}, **a.lead)
    assert start["startPlannedAudit"]["errors"] == []
    await api.gql("mutation($i: DecidePlannedAuditInput!) { decidePlannedAudit(input: $i) { errors { code } } }",
                  {"i": {"programmeId": programme, "plannedAuditId": entries["Consent audit"]["id"],
                         "decision": "DEFERRED", "reason": "Policy under review"}}, **a.lead)
    await a.cases(audit, cases_with(3, [3, 3, 3], [0, 0, 0], "p"))
    await a.complete(audit)
    read = (await api.gql(f"query($t: ID!) {{ auditProgrammes(teamId: $t) {{ {PROGRAMME} }} }}", {"t": a.team},
                          role="SENIOR_LEADER"))["auditProgrammes"]
    assert [(e["title"], e["status"]) for e in read[0]["audits"]] == [
        ("Old audit", "OVERDUE"), ("Falls audit", "COMPLETED"), ("Hand hygiene audit", "PLANNED"),
        ("Consent audit", "DEFERRED")]
    assert read[0]["audits"][1]["audit"] == {"id": audit, "status": "COMPLETED"}
