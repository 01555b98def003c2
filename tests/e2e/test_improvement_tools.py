"""The improvement tools through GraphQL: Pareto charts, process flow charts (current and future state, asOf) and
idea sessions (diverge, then converge), each on a project; bad input gets a typed error and stores nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.conftest import Api
from tests.e2e.improvement_helpers import improver, log_head

PARETO = "id title total projectId categories { name count percentage cumulativePercentage vitalFew }"
FLOW = "id state basedOnId steps { id kind label } connections { fromStepId toStepId label }"


async def test_a_pareto_chart_is_sorted_with_cumulative_percentages_and_the_vital_few(api: Api) -> None:
    t = await improver(api, "Pareto ward")
    project = (await t.create_project([]))["project"]["id"]
    recorded = await t.do("recordParetoChart", "RecordParetoInput", {
        "teamId": t.team, "projectId": project, "title": "Falls by cause", "categories": [
            {"name": "Toileting", "count": 12}, {"name": "Confusion", "count": 40}, {"name": "Footwear", "count": 8},
            {"name": "Bed exit", "count": 28}, {"name": "Other", "count": 12}]}, f"pareto {{ {PARETO} }}", t.member)
    assert recorded["errors"] == []
    chart = recorded["pareto"]
    assert (chart["total"], chart["projectId"]) == (100, project)
    assert [(c["name"], c["cumulativePercentage"], c["vitalFew"]) for c in chart["categories"]] == [
        ("Confusion", 40.0, True), ("Bed exit", 68.0, True), ("Other", 80.0, True), ("Toileting", 92.0, False),
        ("Footwear", 100.0, False)]
    data = await api.gql("query($id: ID!) { project(id: $id) { paretoCharts { id } } }", {"id": project}, **t.leader)
    assert data["project"]["paretoCharts"] == [{"id": chart["id"]}]


async def test_a_pareto_chart_with_a_category_twice_is_invalid_and_stores_nothing(api: Api,
                                                                                 database_url: str) -> None:
    t = await improver(api, "Pareto errors ward")
    before = await log_head(database_url)
    recorded = await t.do("recordParetoChart", "RecordParetoInput", {
        "teamId": t.team, "title": "Errors", "categories": [{"name": "A", "count": 1}, {"name": "a", "count": 2}]},
        "pareto { id }")
    assert [(e["code"], e["field"], e["index"]) for e in recorded["errors"]] == [("INVALID", "categories", 1)]
    assert await log_head(database_url) == before


async def test_a_future_state_flow_chart_starts_from_the_current_state_and_both_show_as_they_stood(
        api: Api) -> None:
    t = await improver(api, "Flow chart ward")
    project = (await t.create_project([]))["project"]["id"]
    current = (await t.do("drawFlowchart", "DrawFlowchartInput", {
        "teamId": t.team, "projectId": project, "title": "Discharge today", "state": "CURRENT"},
        f"flowchart {{ {FLOW} }}"))["flowchart"]["id"]
    for kind, label in (("START", "Decision to discharge"), ("DECISION", "Medicines ready?"), ("END", "Home")):
        await t.do("addFlowStep", "AddFlowStepInput", {"flowchartId": current, "kind": kind, "label": label},
                   "flowchart { id }")
    for a, b, label in (("s1", "s2", None), ("s2", "s3", "yes")):
        done = await t.do("connectFlowSteps", "ConnectFlowStepsInput",
                          {"flowchartId": current, "fromStepId": a, "toStepId": b, "label": label}, "flowchart { id }")
        assert done["errors"] == []
    future = await t.do("drawFlowchart", "DrawFlowchartInput", {
        "teamId": t.team, "projectId": project, "title": "Discharge to be", "state": "FUTURE", "basedOnId": current},
        f"flowchart {{ {FLOW} }}")
    chart = future["flowchart"]
    assert (chart["state"], chart["basedOnId"], len(chart["steps"])) == ("FUTURE", current, 3)
    await asyncio.sleep(0.05)
    then = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    await t.do("relabelFlowStep", "RelabelFlowStepInput", {"flowchartId": chart["id"], "stepId": "s2",
                                                           "label": "Medicines prepared the day before"},
               "flowchart { id }")
    q = "query($id: ID!, $at: DateTime) { flowchart(id: $id, asOf: $at) { steps { label } } }"
    past = (await api.gql(q, {"id": chart["id"], "at": then}, **t.leader))["flowchart"]
    now = (await api.gql(q, {"id": chart["id"], "at": None}, **t.leader))["flowchart"]
    assert past["steps"][1]["label"] == "Medicines ready?"
    assert now["steps"][1]["label"] == "Medicines prepared the day before"
    data = await api.gql("query($id: ID!) { project(id: $id) { flowcharts { state } } }", {"id": project}, **t.leader)
    assert sorted(f["state"] for f in data["project"]["flowcharts"]) == ["CURRENT", "FUTURE"]


async def test_an_idea_session_lists_without_judgement_then_converges_on_change_ideas(
        api: Api, database_url: str) -> None:
    t = await improver(api, "Ideas ward")
    opened = await t.do("openIdeaSession", "OpenIdeaSessionInput",
                        {"teamId": t.team, "prompt": "How could we prevent falls at night?"}, "session { id phase }",
                        t.member)
    session = opened["session"]["id"]
    for who, text in ((t.patient, "Night lights"), (t.member, "Rounding"), (t.leader, "Sensor mats")):
        listed = await t.do("listIdea", "ListIdeaInput", {"sessionId": session, "text": text}, "session { id }", who)
        assert listed["errors"] == []
    before = await log_head(database_url)
    early = await t.do("voteForIdea", "VoteForIdeaInput", {"sessionId": session, "ideaId": "i1"}, "session { id }")
    assert [e["code"] for e in early["errors"]] == ["INVALID_STATE"]
    assert await log_head(database_url) == before
    await t.do("convergeIdeaSession", "IdeaSessionIdInput", {"sessionId": session}, "session { id }")
    await t.do("groupIdeas", "GroupIdeasInput", {"sessionId": session, "name": "Checks", "ideaIds": ["i2", "i3"]},
               "session { id }")
    for who, idea in ((t.patient, "i2"), (t.member, "i2"), (t.leader, "i3")):
        voted = await t.do("voteForIdea", "VoteForIdeaInput", {"sessionId": session, "ideaId": idea},
                           "session { id }", who)
        assert voted["errors"] == []
    closed = await t.do("closeIdeaSession", "CloseIdeaSessionInput",
                        {"sessionId": session, "chosenIdeaIds": ["i2"], "reason": "Most votes"},
                        "session { phase changeIdeas ideas { text votes chosen } groups { name ideaIds } }")
    s = closed["session"]
    assert (s["phase"], s["changeIdeas"]) == ("CLOSED", ["Rounding"])
    assert [(i["text"], i["votes"]) for i in s["ideas"]] == [("Rounding", 2), ("Sensor mats", 1), ("Night lights", 0)]
    assert s["groups"] == [{"name": "Checks", "ideaIds": ["i2", "i3"]}]


async def test_a_pareto_chart_of_an_audit_s_failed_criteria(api: Api) -> None:
    t = await improver(api, "Audit Pareto ward")
    criteria = [{"name": "Falls risk assessed", "expectedCompliance": 0.95},
                {"name": "Lying and standing blood pressure", "expectedCompliance": 0.8},
                {"name": "Call bell within reach", "expectedCompliance": 1.0}]
    made = await api.gql("mutation($i: CreateAuditInput!) { createAudit(input: $i) { audit { id } errors { code } } }",
                         {"i": {"teamId": t.team, "title": "Falls audit", "standard": "NICE NG249",
                                "criteria": criteria}}, **t.leader)
    audit = made["createAudit"]["audit"]["id"]
    cases = [{"caseRef": f"case-{n}", "results": results} for n, results in enumerate(
        [[False, False, True], [True, False, None], [False, False, False], [True, False, True]])]
    recorded = await api.gql("mutation($i: RecordAuditCasesInput!) { recordAuditCases(input: $i) { errors { code } } }",
                             {"i": {"auditId": audit, "cases": cases}}, **t.leader)
    assert recorded["recordAuditCases"]["errors"] == []
    chart = await t.do("recordParetoFromAudit", "ParetoFromAuditInput", {"teamId": t.team, "auditId": audit},
                       f"pareto {{ {PARETO} sourceKind sourceId }}")
    assert chart["errors"] == []
    p = chart["pareto"]
    assert (p["title"], p["total"], p["sourceKind"], p["sourceId"]) == ("Failed criteria: Falls audit", 7, "AUDIT",
                                                                         audit)
    assert [(c["name"], c["count"], c["vitalFew"]) for c in p["categories"]] == [
        ("Lying and standing blood pressure", 4, True), ("Falls risk assessed", 2, False),
        ("Call bell within reach", 1, False)]
    other = await api.create_team("Not the audit's ward")
    elsewhere = await mutate_as_leader_of(api, other, audit)
    assert [(e["code"], e["field"]) for e in elsewhere["errors"]] == [("NOT_FOUND", "auditId")]


async def mutate_as_leader_of(api: Api, team: str, audit: str) -> dict[str, object]:
    data = await api.gql("mutation($i: ParetoFromAuditInput!) { recordParetoFromAudit(input: $i) { "
                         "errors { code field } } }", {"i": {"teamId": team, "auditId": audit}},
                         role="TEAM_LEADER", teams=[team])
    return data["recordParetoFromAudit"]  # type: ignore[no-any-return]
