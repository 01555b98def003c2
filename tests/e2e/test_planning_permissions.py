"""Every planning mutation for every role, inside and outside the caller's team: allowed exactly where the
product's table allows it; a denial is a typed FORBIDDEN error and stores nothing. The table is written out
here independently of service/permissions.py, and checked against it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.auth.identity import Role
from service.auth.permissions import POLICY, Scope
from tests.conftest import Api
from tests.e2e.permission_table import obeys_the_table

ALL = [r.value for r in Role]
LEADS = {"TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own", "TEAM_MEMBER": "own"}
# The product's table: senior leaders approve; team leaders draft and submit; clinicians and members contribute;
# service users raise needs and comment; reviews come from the people the plan names (any taking part).
EXPECTED: dict[str, dict[str, str]] = {
    "draftPlan": {"TEAM_LEADER": "own"},
    "revisePlan": LEADS,
    "raisePlanNeed": {**LEADS, "SERVICE_USER": "own"},
    "commentOnPlan": {**LEADS, "SERVICE_USER": "own", "SENIOR_LEADER": "any"},
    "reviewPlan": {**LEADS, "SERVICE_USER": "own", "SENIOR_LEADER": "any"},
    "submitPlan": {"TEAM_LEADER": "own"},
    "approvePlan": {"SENIOR_LEADER": "any"},
    "establishOrganisation": {"ADMIN": "any", "SENIOR_LEADER": "any"},
    "designateDirectorate": {"ADMIN": "any", "SENIOR_LEADER": "any"},
    "setStrategy": {"SENIOR_LEADER": "any"},
    "addTeamMember": {"ADMIN": "any", "SENIOR_LEADER": "any", "TEAM_LEADER": "own"},
    "endTeamMembership": {"ADMIN": "any", "SENIOR_LEADER": "any", "TEAM_LEADER": "own"},
    "specifyMeasure": {"SENIOR_LEADER": "any", "TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"},
}
ACTIONS = {"draftPlan": "plan.draft", "revisePlan": "plan.revise", "raisePlanNeed": "plan.need.raise",
           "commentOnPlan": "plan.comment", "reviewPlan": "plan.review", "submitPlan": "plan.submit",
           "approvePlan": "plan.approve", "establishOrganisation": "organisation.establish",
           "designateDirectorate": "directorate.designate", "setStrategy": "strategy.set",
           "addTeamMember": "membership.manage", "endTeamMembership": "membership.manage",
           "specifyMeasure": "measure.specify"}
MUTATIONS: dict[str, tuple[str, str]] = {
    "draftPlan": ("DraftPlanInput", "plan { id }"),
    "revisePlan": ("RevisePlanInput", "plan { id }"),
    "raisePlanNeed": ("PlanTextInput", "plan { id }"),
    "commentOnPlan": ("PlanTextInput", "plan { id }"),
    "reviewPlan": ("ReviewPlanInput", "plan { id }"),
    "submitPlan": ("PlanDecisionInput", "plan { id }"),
    "approvePlan": ("PlanDecisionInput", "plan { id }"),
    "establishOrganisation": ("EstablishOrganisationInput", "organisation { id }"),
    "designateDirectorate": ("DesignateDirectorateInput", "organisation { id }"),
    "setStrategy": ("SetStrategyInput", "organisation { id }"),
    "addTeamMember": ("AddTeamMemberInput", "membership { id }"),
    "endTeamMembership": ("EndTeamMembershipInput", "membership { id }"),
    "specifyMeasure": ("SpecifyMeasureInput", "measure { id }"),
}


def inputs(name: str, w: dict[str, str], n: int) -> dict[str, Any]:
    plan = w["plan"] if name != "approvePlan" else w["submitted"]
    return {
        "draftPlan": {"teamId": w["team"], "year": 2025, "title": f"Plan {n}"},
        "revisePlan": {"planId": plan, "reason": "Workshop", "structures": [f"Huddle {n}"]},
        "raisePlanNeed": {"planId": plan, "text": f"Need {n}"},
        "commentOnPlan": {"planId": plan, "text": f"Comment {n}"},
        "reviewPlan": {"planId": plan, "verdict": "SUPPORTED", "text": f"Review {n}"},
        "submitPlan": {"planId": plan, "reason": "Ready"},
        "approvePlan": {"planId": plan, "reason": "Approved"},
        "establishOrganisation": {"name": f"Trust {n}", "rootTeamId": w["root"]},
        "designateDirectorate": {"organisationId": w["org"], "teamId": w["directorate"]},
        "setStrategy": {"organisationId": w["org"], "year": 2025, "vision": "v", "mission": "m", "reason": "r",
                        "priorities": [{"code": "SAFE", "title": "Safe care"}]},
        "addTeamMember": {"teamId": w["team"], "subject": f"person-{n}", "jobRole": "TEAM_MEMBER",
                          "from": "2025-04-01"},
        "endTeamMembership": {"membershipId": w["membership"], "to": "2026-03-31", "reason": "Left"},
        "specifyMeasure": {"measureId": w["measure"], "owner": "lead", "numerator": f"Falls {n}",
                           "dataSource": "Datix", "reason": "Agreed definition"},
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
        root = await api.create_team("Permissions trust")
        made = await api.gql("mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                             {"i": {"name": "Permissions directorate", "parentTeamId": root}})
        directorate = made["createTeam"]["team"]["id"]
        team = await api.create_team("Planning permissions ward")
        leader = {"role": "TEAM_LEADER", "teams": [team]}
        plans = []
        for title in ("Draft plan", "Submitted plan"):
            data = await api.gql("mutation($i: DraftPlanInput!) { draftPlan(input: $i) { plan { id } } }",
                                 {"i": {"teamId": team, "year": 2025, "title": title}}, **leader)
            plans.append(data["draftPlan"]["plan"]["id"])
        await api.gql("mutation($i: RevisePlanInput!) { revisePlan(input: $i) { plan { id } } }",
                      {"i": {"planId": plans[0], "reason": "Name the reviewers", "reviewers": ["tester"]}}, **leader)
        await api.gql("mutation($i: PlanDecisionInput!) { submitPlan(input: $i) { plan { id } } }",
                      {"i": {"planId": plans[1], "reason": "Ready"}}, **leader)
        org = await api.gql("mutation($i: EstablishOrganisationInput!) { establishOrganisation(input: $i) { "
                            "organisation { id } } }", {"i": {"name": "Permissions trust", "rootTeamId": root}})
        member = await api.gql("mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { membership { id } } }",
                               {"i": {"teamId": team, "subject": "pat", "jobRole": "TEAM_MEMBER",
                                      "from": "2025-04-01"}}, **leader)
        measure = await api.define_measure(team, name="Specified measure")
        return {"team": team, "measure": measure, "other": await api.create_team("Another planning ward"),
                "plan": plans[0], "submitted": plans[1], "root": root, "directorate": directorate,
                "org": org["establishOrganisation"]["organisation"]["id"],
                "membership": member["addTeamMember"]["membership"]["id"]}


CASES = [(m, r, s) for m in MUTATIONS for r in ALL for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_a_planning_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, world: dict[str, str], log: asyncpg.Connection, mutation: str, role: str, scope: str) -> None:
    input_type, selection = MUTATIONS[mutation]
    await obeys_the_table(api, log, mutation, input_type, inputs(mutation, world, CASES.index((mutation, role, scope))),
                          EXPECTED[mutation].get(role), scope, selection=selection, role=role,
                          teams=[world["team"]] if scope == "own" else [world["other"]])


@pytest.mark.parametrize("role", ALL)
async def test_a_plan_is_read_by_its_team_s_roles_and_by_leaders_and_auditors(api: Api, world: dict[str, str],
                                                                              role: str) -> None:
    q = "query($id: ID!, $t: ID!) { plan(id: $id) { id } team(id: $t) { plans { id } } }"
    rule = POLICY["plan.read"].get(Role(role))
    for scope, teams in (("own", [world["team"]]), ("other", [world["other"]])):
        data = await api.gql(q, {"id": world["plan"], "t": world["team"]}, role=role, teams=teams)
        readable = rule is Scope.ANY or (rule is Scope.TEAM and scope == "own")
        assert (data["plan"] is not None) == readable, (role, scope)
        assert bool(data["team"]["plans"]) == readable, (role, scope)
