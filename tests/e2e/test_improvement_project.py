"""One improvement project end to end through GraphQL: an opportunity chosen by vote; a charter linked to an
outcome measure; a driver diagram; three PDSA cycles (adapt, adapt, adopt) as PDSA annotations on the measure's
chart; observations
after the change that show special-cause improvement; closure with lessons learned."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Api
from tests.e2e.improvement_helpers import Improver, improver

RECORD = """mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted
  errors { code message } } }"""
VIEW = """query($id: ID!) { project(id: $id) {
  title aim stage closed lessonsLearned summary sponsor opportunityId overrun
  measureLinks { role measure { id } }
  members { subject role }
  modelForImprovement { accomplish know changes }
  cycles { changeIdea stage decision startPeriod previous { changeIdea } measureData { points { period } } }
  driverDiagrams { aim primaryDrivers { text } secondaryDrivers { text } changeIdeas { text cycles { decision } } }
  outcome { measure { id } cyclesBegan improved firstImprovement improvementPoints }
} }"""


def months(first: date, n: int) -> list[str]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1).isoformat()
            for i in range(n)]


async def record(api: Api, t: Improver, measure: str, periods: list[str], values: list[float]) -> None:
    data = await api.gql(RECORD, {"i": {"measureId": measure, "observations": [
        {"period": p, "value": v} for p, v in zip(periods, values, strict=True)]}}, **t.member)
    assert data["recordObservations"]["errors"] == [], data


async def chosen_opportunity(t: Improver) -> str:
    proposed = await t.do("proposeOpportunity", "ProposeOpportunityInput",
                          {"teamId": t.team, "title": "Patients fall at night"}, "opportunity { id }", t.patient)
    opportunity = proposed["opportunity"]["id"]
    for who in (t.patient, t.member, t.leader):
        vote = await t.do("voteForOpportunity", "OpportunityIdInput", {"opportunityId": opportunity},
                          "opportunity { votes }", who)
        assert vote["errors"] == []
    chosen = await t.do("chooseOpportunity", "OpportunityDecisionInput",
                        {"opportunityId": opportunity, "reason": "Most votes; serious harm"}, "opportunity { status }")
    assert chosen["opportunity"]["status"] == "CHOSEN"
    return str(opportunity)


async def charter(api: Api, t: Improver, opportunity: str, measure: str, balancing: str) -> str:
    started = await t.do("startProjectFromOpportunity", "StartProjectInput",
                         {"opportunityId": opportunity, "title": "Fewer falls at night", "measureIds": [measure],
                          "aim": "Falls per 1,000 bed days below 4 by March", "plannedEnd": "2099-03-31"},
                         "project { id }")
    project = started["project"]["id"]
    steps: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
        ("reviseProjectCharter", "ReviseCharterInput", {"reason": "Scoping", "problem": "Falls at night",
                                                        "scope": "Ward 7, nights", "target": "below 4"}, None),
        ("linkProjectMeasures", "LinkProjectMeasuresInput", {"reason": "Balancing measure agreed", "measures": [
            {"measureId": measure, "role": "OUTCOME"}, {"measureId": balancing, "role": "BALANCING"}]}, None),
        ("addProjectMember", "AddProjectMemberInput", {"subject": "patient", "name": "Pat",
                                                       "role": "SERVICE_USER"}, None),
        ("stateModelForImprovement", "ModelForImprovementInput", {
            "accomplish": "Fewer falls at night", "know": "Falls per 1,000 bed days on an SPC chart",
            "changes": ["Intentional rounding", "Sensor mats"]}, None),
        ("sponsorProject", "ProjectIdInput", {}, t.director),
        ("moveProjectStage", "MoveProjectStageInput", {"stage": "TESTING", "reason": "First cycles"}, None),
    ]
    for name, input_type, values, who in steps:
        done = await t.do(name, input_type, {"projectId": project, **values}, "project { id }", who)
        assert done["errors"] == [], (name, done)
    return str(project)


async def diagram(t: Improver, project: str) -> tuple[str, str]:
    drawn = await t.do("drawDriverDiagram", "DrawDriverDiagramInput",
                       {"projectId": project, "aim": "Falls below 4 per 1,000 bed days"}, "diagram { id }")
    diagram_id = drawn["diagram"]["id"]
    parent = "aim"
    for kind, text in (("PRIMARY", "A safe environment at night"), ("SECONDARY", "Patients checked often"),
                       ("CHANGE_IDEA", "Intentional rounding")):
        added = await t.do("addDriver", "AddDriverInput", {"diagramId": diagram_id, "kind": kind, "text": text,
                                                           "parentIds": [parent]}, "diagram { nodes { id } }")
        parent = added["diagram"]["nodes"][-1]["id"]
    return str(diagram_id), parent


async def test_an_improvement_project_from_opportunity_to_closure(api: Api) -> None:
    t = await improver(api, "Ward 7 improvement")
    measure = await api.define_measure(t.team, name="Falls per 1,000 bed days", chartType="XMR",
                                       frequency="MONTH")
    balancing = await api.define_measure(t.team, name="Staff time on rounds", kind="BALANCING")
    periods = months(date(2023, 1, 1), 32)
    baseline = [6.1, 5.8, 6.4, 6.0, 5.7, 6.3, 6.2, 5.9, 6.5, 6.0, 5.6, 6.2, 6.1, 5.9, 6.3, 6.0, 5.8, 6.4, 6.1, 6.0]
    await record(api, t, measure, periods[:20], baseline)

    opportunity = await chosen_opportunity(t)
    project = await charter(api, t, opportunity, measure, balancing)
    diagram_id, idea = await diagram(t, project)
    previous = None
    for start, decision, change in ((periods[20], "ADAPT", "Intentional rounding"),
                                    (periods[21], "ADAPT", "Rounding with a checklist"),
                                    (periods[22], "ADOPT", "Rounding with a checklist at handover")):
        previous = await t.full_cycle(project, change, start, decision, previous)
        linked = await t.do("linkChangeIdeaToCycle", "ChangeIdeaCycleInput",
                            {"diagramId": diagram_id, "nodeId": idea, "cycleId": previous}, "diagram { id }")
        assert linked["errors"] == []
    await record(api, t, measure, periods[20:], [4.1, 4.3, 3.9, 4.0, 4.2, 3.8, 4.1, 4.0, 3.9, 4.2, 4.0, 3.9])

    view = (await api.gql(VIEW, {"id": project}, **t.leader))["project"]
    assert (view["opportunityId"], view["stage"], view["sponsor"], view["overrun"]) == (
        opportunity, "TESTING", "director", False)
    assert view["measureLinks"] == [{"role": "OUTCOME", "measure": {"id": measure}},
                                    {"role": "BALANCING", "measure": {"id": balancing}}]
    assert view["members"] == [{"subject": "patient", "role": "SERVICE_USER"}]
    assert view["modelForImprovement"]["changes"] == ["Intentional rounding", "Sensor mats"]
    assert [(c["stage"], c["decision"], c["startPeriod"]) for c in view["cycles"]] == [
        ("ACT", "ADAPT", periods[20]), ("ACT", "ADAPT", periods[21]), ("ACT", "ADOPT", periods[22])]
    assert [c["previous"] for c in view["cycles"]] == [
        None, {"changeIdea": "Intentional rounding"}, {"changeIdea": "Rounding with a checklist"}]
    drawn = view["driverDiagrams"][0]
    assert (drawn["primaryDrivers"], drawn["secondaryDrivers"]) == (
        [{"text": "A safe environment at night"}], [{"text": "Patients checked often"}])
    assert drawn["changeIdeas"] == [{"text": "Intentional rounding", "cycles": [
        {"decision": "ADAPT"}, {"decision": "ADAPT"}, {"decision": "ADOPT"}]}]
    chart = await api.gql("query($id: ID!) { measure(id: $id) { spc { annotations { kind text period } } } }",
                          {"id": measure}, **t.leader)
    notes = [a for a in chart["measure"]["spc"]["annotations"] if a["kind"] == "PDSA"]
    assert [a["period"] for a in notes] == periods[20:23]
    for note, change in zip(notes, ("Intentional rounding", "Rounding with a checklist",
                                    "Rounding with a checklist at handover"), strict=True):
        assert change in note["text"]
    [outcome] = view["outcome"]
    assert (outcome["measure"], outcome["cyclesBegan"], outcome["improved"]) == ({"id": measure}, periods[20], True)
    assert outcome["firstImprovement"] >= periods[20] and outcome["improvementPoints"] >= 8

    closed = await t.do("closeProject", "CloseProjectInput",
                        {"projectId": project, "summary": "Falls fell below 4 and stayed there",
                         "lessonsLearned": ["Test small on nights first", "Involve patients from the start"]},
                        "project { closed closedOn lessonsLearned }")
    assert closed["errors"] == []
    assert closed["project"]["lessonsLearned"] == ["Test small on nights first", "Involve patients from the start"]
