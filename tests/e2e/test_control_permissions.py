"""Every control mutation for every role, inside and outside the caller's team: allowed exactly where the product's
table allows it; a denial is a typed FORBIDDEN error and stores nothing. And who reads the control views."""

from __future__ import annotations

from typing import Any

import pytest

from service.auth.identity import Role
from tests.conftest import Api
from tests.e2e.control_helpers import day, log_head, mutate

ALL = [r.value for r in Role]
LEADS = {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"}
TEAM = {**LEADS, "TEAM_MEMBER": "own"}
HUDDLERS = {"TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own", "TEAM_MEMBER": "own"}
# The product's table, written out independently of service/auth/permissions.py: role -> "any" team or "own" team.
EXPECTED: dict[str, dict[str, str]] = {
    "createAction": TEAM, "completeAction": TEAM,
    "cancelAction": LEADS, "reassignAction": LEADS, "rescheduleAction": LEADS,
    "recordHuddle": HUDDLERS, "raiseProblem": HUDDLERS, "solveProblem": HUDDLERS,
    "raiseEscalation": LEADS, "acknowledgeEscalation": LEADS, "escalateFurther": LEADS, "resolveEscalation": LEADS,
    "configureEscalationLevels": {"SENIOR_LEADER": "any"},
}
MUTATIONS: dict[str, tuple[str, str]] = {
    "createAction": ("CreateActionInput", "action { id }"),
    "completeAction": ("CompleteActionInput", "action { id }"),
    "cancelAction": ("CancelActionInput", "action { id }"),
    "reassignAction": ("ReassignActionInput", "action { id }"),
    "rescheduleAction": ("RescheduleActionInput", "action { id }"),
    "recordHuddle": ("RecordHuddleInput", "huddle { id }"),
    "raiseProblem": ("RaiseProblemInput", "problemId"),
    "solveProblem": ("SolveProblemInput", "problemId"),
    "raiseEscalation": ("RaiseEscalationInput", "escalation { id }"),
    "acknowledgeEscalation": ("AcknowledgeEscalationInput", "escalation { id }"),
    "escalateFurther": ("EscalateFurtherInput", "escalation { id }"),
    "resolveEscalation": ("ResolveEscalationInput", "escalation { id }"),
    "configureEscalationLevels": ("ConfigureEscalationLevelsInput", "levels { name }"),
}
LEVELS = [{"name": "Team", "responseMinutes": 60}, {"name": "Directorate", "responseMinutes": 240}]


def inputs(name: str, w: dict[str, str], n: int) -> dict[str, Any]:
    return {
        "createAction": {"teamId": w["team"], "title": f"Action {n}", "owner": "someone", "dueDate": day(7)},
        "completeAction": {"actionId": w["action"], "evidence": f"Evidence {n}"},
        "cancelAction": {"actionId": w["action"], "reason": f"Reason {n}"},
        "reassignAction": {"actionId": w["action"], "owner": f"owner-{n}", "reason": "Leave"},
        "rescheduleAction": {"actionId": w["action"], "dueDate": day(30 + n), "reason": "Later"},
        "recordHuddle": {"teamId": w["team"], "date": day(0), "attendees": [f"person-{n}"]},
        "raiseProblem": {"huddleId": w["huddle"], "description": f"Problem {n}"},
        "solveProblem": {"problemId": w["problem"], "resolution": f"Solved {n}"},
        "raiseEscalation": {"teamId": w["team"], "sourceId": w["problem"], "summary": f"Escalation {n}"},
        "acknowledgeEscalation": {"escalationId": w["escalation"], "note": f"Seen {n}"},
        "escalateFurther": {"escalationId": w["escalation"], "level": "Directorate", "reason": "Beyond the team"},
        "resolveEscalation": {"escalationId": w["escalation"], "resolution": f"Resolved {n}"},
        "configureEscalationLevels": {"levels": LEVELS, "reason": f"Policy {n}"},
    }[name]


@pytest.fixture(scope="module")
async def world(server: str, tokens: Any) -> dict[str, str]:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        api = Api(server, tokens, http)
        await mutate(api, "configureEscalationLevels", "ConfigureEscalationLevelsInput",
                     {"levels": LEVELS, "reason": "Policy"}, "levels { name }")
        team, other = await api.create_team("Control permissions ward"), await api.create_team("Control other ward")
        member = {"role": "TEAM_MEMBER", "teams": [team]}
        action = await mutate(api, "createAction", "CreateActionInput",
                              {"teamId": team, "title": "Fix it", "owner": "someone", "dueDate": day(7)},
                              "action { id }")
        huddle = await mutate(api, "recordHuddle", "RecordHuddleInput",
                              {"teamId": team, "date": day(0), "attendees": ["a"],
                               "problems": [{"description": "Broken"}, {"description": "Escalate me"}]},
                              "huddle { id problems { id } }", **member)
        problems = huddle["huddle"]["problems"]
        escalation = await mutate(api, "raiseEscalation", "RaiseEscalationInput",
                                  {"teamId": team, "sourceId": problems[1]["id"], "summary": "Too big"},
                                  "escalation { id }")
        return {"team": team, "other": other, "action": action["action"]["id"], "huddle": huddle["huddle"]["id"],
                "problem": problems[0]["id"], "escalation": escalation["escalation"]["id"]}


CASES = [(m, r, s) for m in MUTATIONS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_a_control_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, world: dict[str, str], database_url: str, mutation: str, role: str, scope: str) -> None:
    rule = EXPECTED[mutation].get(role)
    allowed = rule == "any" or (rule == "own" and scope == "own")
    teams = [world["team"]] if scope == "own" else [world["other"]]
    input_type, selection = MUTATIONS[mutation]
    head = await log_head(database_url)
    answer = await mutate(api, mutation, input_type, inputs(mutation, world, CASES.index((mutation, role, scope))),
                          selection, role=role, teams=teams)
    codes = [e["code"] for e in answer["errors"]]
    if allowed:
        assert "FORBIDDEN" not in codes, codes
    else:
        assert codes == ["FORBIDDEN"]
        assert await log_head(database_url) == head


READS = {
    "actions": ("query($t: ID) { actions(teamId: $t) { edges { node { id } } } }",
                lambda d: len(d["actions"]["edges"])),
    "huddles": ("query($t: ID!) { huddles(teamId: $t) { edges { node { id } } } }",
                lambda d: len(d["huddles"]["edges"])),
    "escalations": ("query($t: ID) { escalations(teamId: $t, open: null) { id } }", lambda d: len(d["escalations"])),
}
READERS = {"ADMIN": "any", "SENIOR_LEADER": "any", "AUDITOR": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own",
           "TEAM_MEMBER": "own", "SERVICE_USER": "own", "INTEGRATION": "own"}
READ_CASES = [(q, r, s) for q in READS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("read", "role", "scope"), READ_CASES, ids=[f"{q}-{r}-{s}" for q, r, s in READ_CASES])
async def test_the_control_views_are_read_by_the_team_senior_leaders_and_auditors(
        api: Api, world: dict[str, str], read: str, role: str, scope: str) -> None:
    query, count = READS[read]
    teams = [world["team"]] if scope == "own" else [world["other"]]
    rule = READERS.get(role)
    visible = rule == "any" or (rule == "own" and scope == "own")
    found = count(await api.gql(query, {"t": world["team"]}, role=role, teams=teams))
    assert (found > 0) == visible
