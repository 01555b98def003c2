"""Every improvement mutation for every role, inside and outside the caller's team: allowed exactly where the
product's table allows it; a denial is a typed FORBIDDEN error and stores nothing. The table is written out here
independently of service/auth/permissions.py, and checked against it."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from service.auth.identity import Role
from service.auth.permissions import POLICY, Scope
from tests.conftest import Api
from tests.e2e.permission_table import obeys_the_table

ALL_ROLES = [r.value for r in Role]
# The product's table: team leaders and senior clinicians create projects and decide; team members and service
# users propose, vote and take part; senior leaders sponsor (and see all); auditors only read.
LEADS = {"TEAM_LEADER": "own", "SENIOR_CLINICIAN": "own"}
STAFF = {**LEADS, "TEAM_MEMBER": "own"}
EVERYONE = {**STAFF, "SERVICE_USER": "own"}
EXPECTED: dict[str, dict[str, str]] = {
    "createProject": LEADS, "reviseProjectCharter": LEADS, "linkProjectMeasures": LEADS, "addProjectMember": LEADS,
    "stateModelForImprovement": LEADS, "moveProjectStage": LEADS, "closeProject": LEADS,
    "sponsorProject": {"SENIOR_LEADER": "any"},
    "planCycle": EVERYONE, "detailCyclePlan": EVERYONE, "recordCycleDo": EVERYONE, "recordCycleStudy": EVERYONE,
    "recordCycleAct": LEADS,
    "proposeOpportunity": {**EVERYONE, "SENIOR_LEADER": "any"}, "voteForOpportunity": EVERYONE,
    "chooseOpportunity": LEADS, "declineOpportunity": LEADS, "startProjectFromOpportunity": LEADS,
    "drawDriverDiagram": STAFF, "addDriver": STAFF, "rewordDriver": STAFF, "linkDrivers": STAFF,
    "unlinkDrivers": STAFF, "removeDriver": STAFF, "linkChangeIdeaToCycle": STAFF,
    "recordParetoChart": STAFF, "reviseParetoChart": STAFF, "recordParetoFromAudit": STAFF,
    "drawFlowchart": STAFF, "addFlowStep": STAFF, "relabelFlowStep": STAFF, "removeFlowStep": STAFF,
    "connectFlowSteps": STAFF, "disconnectFlowSteps": STAFF,
    "openIdeaSession": STAFF, "convergeIdeaSession": STAFF, "groupIdeas": STAFF, "closeIdeaSession": STAFF,
    "listIdea": EVERYONE, "voteForIdea": EVERYONE,
}
ACTIONS = {
    **dict.fromkeys(["reviseProjectCharter", "linkProjectMeasures", "addProjectMember", "stateModelForImprovement",
                     "moveProjectStage", "closeProject"], "project.decide"),
    "createProject": "project.create", "startProjectFromOpportunity": "project.create",
    "sponsorProject": "project.sponsor", "planCycle": "cycle.plan", "detailCyclePlan": "cycle.plan",
    "recordCycleDo": "cycle.record", "recordCycleStudy": "cycle.record", "recordCycleAct": "cycle.act",
    "proposeOpportunity": "opportunity.propose", "voteForOpportunity": "opportunity.vote",
    "chooseOpportunity": "opportunity.choose", "declineOpportunity": "opportunity.choose",
    **dict.fromkeys(["drawDriverDiagram", "addDriver", "rewordDriver", "linkDrivers", "unlinkDrivers",
                     "removeDriver", "linkChangeIdeaToCycle"], "diagram.edit"),
    "recordParetoChart": "pareto.record", "reviseParetoChart": "pareto.record",
    "recordParetoFromAudit": "pareto.record",
    **dict.fromkeys(["drawFlowchart", "addFlowStep", "relabelFlowStep", "removeFlowStep", "connectFlowSteps",
                     "disconnectFlowSteps"], "flowchart.edit"),
    **dict.fromkeys(["openIdeaSession", "convergeIdeaSession", "groupIdeas", "closeIdeaSession"], "ideas.run"),
    "listIdea": "ideas.contribute", "voteForIdea": "ideas.contribute",
}
MUTATIONS: dict[str, str] = {
    "createProject": "CreateProjectInput", "reviseProjectCharter": "ReviseCharterInput",
    "linkProjectMeasures": "LinkProjectMeasuresInput", "addProjectMember": "AddProjectMemberInput",
    "stateModelForImprovement": "ModelForImprovementInput", "moveProjectStage": "MoveProjectStageInput",
    "closeProject": "CloseProjectInput", "sponsorProject": "ProjectIdInput", "planCycle": "PlanCycleInput",
    "detailCyclePlan": "DetailCyclePlanInput", "recordCycleDo": "CycleDoInput",
    "recordCycleStudy": "CycleStudyInput", "recordCycleAct": "CycleActInput",
    "proposeOpportunity": "ProposeOpportunityInput", "voteForOpportunity": "OpportunityIdInput",
    "chooseOpportunity": "OpportunityDecisionInput", "declineOpportunity": "OpportunityDecisionInput",
    "startProjectFromOpportunity": "StartProjectInput", "drawDriverDiagram": "DrawDriverDiagramInput",
    "addDriver": "AddDriverInput", "rewordDriver": "RewordDriverInput", "linkDrivers": "DriverLinkInput",
    "unlinkDrivers": "DriverLinkInput", "removeDriver": "DriverNodeInput",
    "linkChangeIdeaToCycle": "ChangeIdeaCycleInput",
    "recordParetoChart": "RecordParetoInput", "reviseParetoChart": "ReviseParetoInput",
    "recordParetoFromAudit": "ParetoFromAuditInput",
    "drawFlowchart": "DrawFlowchartInput", "addFlowStep": "AddFlowStepInput",
    "relabelFlowStep": "RelabelFlowStepInput", "removeFlowStep": "FlowStepInput",
    "connectFlowSteps": "ConnectFlowStepsInput", "disconnectFlowSteps": "ConnectFlowStepsInput",
    "openIdeaSession": "OpenIdeaSessionInput", "convergeIdeaSession": "IdeaSessionIdInput",
    "groupIdeas": "GroupIdeasInput", "closeIdeaSession": "CloseIdeaSessionInput", "listIdea": "ListIdeaInput",
    "voteForIdea": "VoteForIdeaInput",
}


def inputs(name: str, w: dict[str, str], n: int) -> dict[str, Any]:
    p, c, d = w["project"], w["cycle"], w["diagram"]
    return {
        "createProject": {"teamId": w["team"], "title": f"Project {n}", "aim": "Aim", "measureIds": [],
                          "plannedEnd": "2099-01-01"},
        "reviseProjectCharter": {"projectId": p, "reason": "r", "problem": f"Problem {n}"},
        "linkProjectMeasures": {"projectId": p, "reason": "r", "measures": [{"measureId": w["measure"],
                                                                            "role": "OUTCOME"}]},
        "addProjectMember": {"projectId": p, "subject": f"person-{n}", "name": "P", "role": "SERVICE_USER"},
        "stateModelForImprovement": {"projectId": p, "accomplish": "a", "know": "k", "changes": [f"c{n}"]},
        "moveProjectStage": {"projectId": p, "stage": "TESTING" if n % 2 else "DISCOVERY", "reason": "r"},
        "closeProject": {"projectId": w["closable"], "summary": "s", "lessonsLearned": ["l"]},
        "sponsorProject": {"projectId": p},
        "planCycle": {"projectId": p, "changeIdea": f"Idea {n}", "question": "q", "prediction": "p",
                      "startPeriod": "2025-06-01"},
        "detailCyclePlan": {"cycleId": w["planned"], "who": f"Person {n}"},
        "recordCycleDo": {"cycleId": c, "observations": "o"},
        "recordCycleStudy": {"cycleId": c, "findings": "f"},
        "recordCycleAct": {"cycleId": c, "decision": "ADOPT"},
        "proposeOpportunity": {"teamId": w["team"], "title": f"Opportunity {n}"},
        "voteForOpportunity": {"opportunityId": w["opportunity"]},
        "chooseOpportunity": {"opportunityId": w["opportunity"], "reason": "r"},
        "declineOpportunity": {"opportunityId": w["opportunity"], "reason": "r"},
        "startProjectFromOpportunity": {"opportunityId": w["chosen"], "title": f"From opportunity {n}", "aim": "a",
                                        "measureIds": [], "plannedEnd": "2099-01-01"},
        "drawDriverDiagram": {"projectId": p, "aim": f"Aim {n}"},
        "addDriver": {"diagramId": d, "kind": "PRIMARY", "text": f"Driver {n}", "parentIds": ["aim"]},
        "rewordDriver": {"diagramId": d, "nodeId": "n1", "text": f"Reworded {n}"},
        "linkDrivers": {"diagramId": d, "nodeId": "n3", "parentId": "n2"},
        "unlinkDrivers": {"diagramId": d, "nodeId": "n3", "parentId": "n1"},
        "removeDriver": {"diagramId": d, "nodeId": "n4"},
        "linkChangeIdeaToCycle": {"diagramId": d, "nodeId": "n3", "cycleId": w["planned"]},
        "recordParetoChart": {"teamId": w["team"], "title": f"Pareto {n}", "categories": [{"name": "a", "count": 1}]},
        "recordParetoFromAudit": {"teamId": w["team"], "auditId": w["audit"], "title": f"From audit {n}"},
        "reviseParetoChart": {"paretoId": w["pareto"], "reason": "r", "categories": [{"name": "b", "count": n}]},
        "drawFlowchart": {"teamId": w["team"], "title": f"Map {n}", "state": "CURRENT"},
        "addFlowStep": {"flowchartId": w["flowchart"], "kind": "STEP", "label": f"Step {n}"},
        "relabelFlowStep": {"flowchartId": w["flowchart"], "stepId": "s1", "label": f"Label {n}"},
        "removeFlowStep": {"flowchartId": w["flowchart"], "stepId": "s3"},
        "connectFlowSteps": {"flowchartId": w["flowchart"], "fromStepId": "s1", "toStepId": "s2"},
        "disconnectFlowSteps": {"flowchartId": w["flowchart"], "fromStepId": "s1", "toStepId": "s2"},
        "openIdeaSession": {"teamId": w["team"], "prompt": f"Prompt {n}"},
        "convergeIdeaSession": {"sessionId": w["session"]},
        "groupIdeas": {"sessionId": w["converging"], "name": f"Group {n}", "ideaIds": ["i1"]},
        "closeIdeaSession": {"sessionId": w["closable_session"], "chosenIdeaIds": ["i1"], "reason": "r"},
        "listIdea": {"sessionId": w["session"], "text": f"Idea {n}"},
        "voteForIdea": {"sessionId": w["converging"], "ideaId": "i1"},
    }[name]


def test_the_written_out_table_is_the_policy_in_force() -> None:
    for mutation, action in ACTIONS.items():
        in_force = {role.value: "any" if scope is Scope.ANY else "own" for role, scope in POLICY[action].items()}
        assert in_force == EXPECTED[mutation], mutation


def test_every_improvement_action_of_the_policy_is_covered() -> None:
    improvement = {a for a in POLICY if a.split(".")[0] in ("project", "cycle", "opportunity", "diagram", "pareto",
                                                            "flowchart", "ideas")}
    assert improvement <= set(ACTIONS.values())


async def _call(api: Api, name: str, input_type: str, values: dict[str, Any], selection: str,
                **who: Any) -> dict[str, Any]:
    data = await api.gql(f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {selection} errors {{ code }} }} }}",
                         {"i": values}, **who)
    assert data[name]["errors"] == [], (name, data)
    return data[name]


@pytest.fixture(scope="module")
async def world(server: str, tokens: Any) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=30) as http:
        api = Api(server, tokens, http)
        team = await api.create_team("Improvement permissions ward")
        lead = {"role": "TEAM_LEADER", "teams": [team]}
        measure = await api.define_measure(team, name="Permissions outcome")
        projects = []
        for title in ("Permissions project", "Closable project"):
            made = await _call(api, "createProject", "CreateProjectInput",
                               {"teamId": team, "title": title, "aim": "a", "measureIds": [],
                                "plannedEnd": "2099-01-01"}, "project { id }", **lead)
            projects.append(made["project"]["id"])
        cycles = []
        for idea in ("Tested idea", "Planned idea"):
            made = await _call(api, "planCycle", "PlanCycleInput",
                               {"projectId": projects[0], "changeIdea": idea, "question": "q", "prediction": "p",
                                "startPeriod": "2025-06-01"}, "cycle { id }", **lead)
            cycles.append(made["cycle"]["id"])
        opportunities = []
        for title in ("Open opportunity", "Chosen opportunity"):
            made = await _call(api, "proposeOpportunity", "ProposeOpportunityInput", {"teamId": team, "title": title},
                               "opportunity { id }", **lead)
            opportunities.append(made["opportunity"]["id"])
        await _call(api, "chooseOpportunity", "OpportunityDecisionInput",
                    {"opportunityId": opportunities[1], "reason": "r"}, "opportunity { id }", **lead)
        diagram = (await _call(api, "drawDriverDiagram", "DrawDriverDiagramInput",
                               {"projectId": projects[0], "aim": "a"}, "diagram { id }", **lead))["diagram"]["id"]
        for kind, parents in (("PRIMARY", ["aim"]), ("PRIMARY", ["aim"]), ("CHANGE_IDEA", ["n1"]),
                              ("PRIMARY", ["aim"])):
            await _call(api, "addDriver", "AddDriverInput", {"diagramId": diagram, "kind": kind, "text": "t",
                                                             "parentIds": parents}, "diagram { id }", **lead)
        pareto = await _call(api, "recordParetoChart", "RecordParetoInput",
                             {"teamId": team, "title": "p", "categories": [{"name": "a", "count": 1}]},
                             "pareto { id }", **lead)
        flowchart = (await _call(api, "drawFlowchart", "DrawFlowchartInput",
                                 {"teamId": team, "title": "f", "state": "CURRENT"}, "flowchart { id }",
                                 **lead))["flowchart"]["id"]
        for _ in range(3):
            await _call(api, "addFlowStep", "AddFlowStepInput", {"flowchartId": flowchart, "kind": "STEP",
                                                                 "label": "x"}, "flowchart { id }", **lead)
        audit = await _call(api, "createAudit", "CreateAuditInput", {
            "teamId": team, "title": "a", "standard": "s", "criteria": [{"name": "c", "expectedCompliance": 1.0}]},
            "audit { id }", **lead)
        await _call(api, "recordAuditCases", "RecordAuditCasesInput", {
            "auditId": audit["audit"]["id"], "cases": [{"caseRef": "r1", "results": [False]}]}, "audit { id }", **lead)
        sessions = []
        for converge in (False, True, True):
            sid = (await _call(api, "openIdeaSession", "OpenIdeaSessionInput", {"teamId": team, "prompt": "p"},
                               "session { id }", **lead))["session"]["id"]
            await _call(api, "listIdea", "ListIdeaInput", {"sessionId": sid, "text": "t"}, "session { id }", **lead)
            if converge:
                await _call(api, "convergeIdeaSession", "IdeaSessionIdInput", {"sessionId": sid}, "session { id }",
                            **lead)
            sessions.append(sid)
        return {"pareto": pareto["pareto"]["id"], "audit": audit["audit"]["id"], "flowchart": flowchart,
                "session": sessions[0], "converging": sessions[1], "closable_session": sessions[2],
                "team": team, "other": await api.create_team("Another improvement ward"), "measure": measure,
                "project": projects[0], "closable": projects[1], "cycle": cycles[0], "planned": cycles[1],
                "opportunity": opportunities[0], "chosen": opportunities[1], "diagram": diagram}


CASES = [(m, r, s) for m in MUTATIONS for r in ALL_ROLES for s in ("own", "other")]


@pytest.mark.parametrize(("mutation", "role", "scope"), CASES, ids=[f"{m}-{r}-{s}" for m, r, s in CASES])
async def test_an_improvement_mutation_is_allowed_exactly_where_the_table_allows_it(
        api: Api, world: dict[str, str], log: asyncpg.Connection, mutation: str, role: str, scope: str) -> None:
    teams = [world["team"]] if scope == "own" else [world["other"]]
    n = CASES.index((mutation, role, scope))
    await obeys_the_table(api, log, mutation, MUTATIONS[mutation], inputs(mutation, world, n),
                          EXPECTED[mutation].get(role), scope, token=api.tokens.issue(f"{role}-{n}", role, teams))


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_projects_are_read_by_their_team_and_by_leaders_and_auditors(api: Api, world: dict[str, str],
                                                                           role: str) -> None:
    q = ("query($id: ID!, $t: ID!, $o: ID!) { project(id: $id) { id } projects(teamId: $t) { id } "
         "opportunity(id: $o) { id } }")
    rule = POLICY["improvement.read"].get(Role(role))
    for scope, teams in (("own", [world["team"]]), ("other", [world["other"]])):
        data = await api.gql(q, {"id": world["project"], "t": world["team"], "o": world["opportunity"]}, role=role,
                             teams=teams)
        readable = rule is Scope.ANY or (rule is Scope.TEAM and scope == "own")
        assert (data["project"] is not None) == readable, (role, scope)
        assert bool(data["projects"]) == readable, (role, scope)
        assert (data["opportunity"] is not None) == readable, (role, scope)
