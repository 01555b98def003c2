"""Improvement projects and PDSA cycles through the real GraphQL endpoint on the real PostgreSQL: the contract's
operations, asOf, and bad input that gets a typed error and stores nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.conftest import Api
from tests.e2e.control_helpers import mutate
from tests.e2e.improvement_helpers import PROJECT, improver, log_head


async def test_a_project_is_created_with_its_charter_and_cycles_run_plan_do_study_act(api: Api) -> None:
    t = await improver(api, "Improvement ward")
    measure = await api.define_measure(t.team, name="Falls at night")
    created = await t.create_project([measure])
    assert created["errors"] == []
    project = created["project"]
    assert (project["title"], project["plannedEnd"], project["measures"], project["cycles"], project["team"]) == (
        "Fewer falls at night", "2026-03-31", [{"id": measure}], [], {"id": t.team})
    first = await t.full_cycle(project["id"], "Intentional rounding", "2025-06-01", "ADAPT")
    planned = await t.plan_cycle(project["id"], "Rounding with a checklist", "2025-07-01", previous=first,
                                 who=t.member)
    assert planned["errors"] == []
    assert planned["cycle"]["previous"] == {"id": first, "changeIdea": "Intentional rounding"}
    assert (planned["cycle"]["stage"], planned["cycle"]["decision"]) == ("PLAN", None)
    data = await api.gql(f"query($id: ID!) {{ project(id: $id) {{ {PROJECT} }} }}", {"id": project["id"]},
                         **t.leader)
    cycles = data["project"]["cycles"]
    assert [(c["changeIdea"], c["stage"], c["decision"], c["startPeriod"]) for c in cycles] == [
        ("Intentional rounding", "ACT", "ADAPT", "2025-06-01"),
        ("Rounding with a checklist", "PLAN", None, "2025-07-01")]


async def test_a_project_as_of_an_instant_shows_its_cycles_as_they_stood(api: Api) -> None:
    t = await improver(api, "As-of improvement ward")
    project = (await t.create_project([]))["project"]["id"]
    cycle = (await t.plan_cycle(project, "Bed rails check", "2025-06-01"))["cycle"]["id"]
    await asyncio.sleep(0.05)
    then = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    await t.stage("recordCycleDo", cycle, observations="Done on nights")
    await t.plan_cycle(project, "Later idea", "2025-08-01")
    q = "query($id: ID!, $at: DateTime) { project(id: $id, asOf: $at) { cycles { id stage } } }"
    past = await api.gql(q, {"id": project, "at": then}, **t.leader)
    assert past["project"]["cycles"] == [{"id": cycle, "stage": "PLAN"}]
    now = await api.gql(q, {"id": project, "at": None}, **t.leader)
    assert [c["stage"] for c in now["project"]["cycles"]] == ["DO", "PLAN"]


async def test_a_study_before_its_do_is_invalid_state_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Study-first ward")
    project = (await t.create_project([]))["project"]["id"]
    cycle = (await t.plan_cycle(project, "Hourly checks", "2025-06-01"))["cycle"]["id"]
    before = await log_head(database_url)
    studied = await t.stage("recordCycleStudy", cycle, findings="Too soon")
    assert (studied["cycle"], [e["code"] for e in studied["errors"]]) == (None, ["INVALID_STATE"])
    assert await log_head(database_url) == before


async def test_a_second_act_on_a_cycle_is_invalid_state_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Second-act ward")
    project = (await t.create_project([]))["project"]["id"]
    cycle = await t.full_cycle(project, "Sensor mats", "2025-06-01", "ADOPT")
    before = await log_head(database_url)
    again = await t.stage("recordCycleAct", cycle, decision="ABANDON")
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    repeated_do = await t.stage("recordCycleDo", cycle, observations="again")
    assert [e["code"] for e in repeated_do["errors"]] == ["INVALID_STATE"]
    assert await log_head(database_url) == before


async def test_a_project_linking_another_team_s_measure_without_permission_is_invalid_with_field_and_index(
        api: Api, database_url: str) -> None:
    t = await improver(api, "Linking ward")
    own = await api.define_measure(t.team, name="Own falls")
    other_team = await api.create_team("Someone else's ward")
    theirs = await api.define_measure(other_team, name="Their falls")
    before = await log_head(database_url)
    created = await t.create_project([own, theirs])
    assert created["project"] is None
    assert [(e["code"], e["field"], e["index"]) for e in created["errors"]] == [("INVALID", "measureIds", 1)]
    assert await log_head(database_url) == before


async def test_a_cycle_on_a_closed_project_is_invalid_state_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Closed project ward")
    project = (await t.create_project([]))["project"]["id"]
    cycle = (await t.plan_cycle(project, "Call bells in reach", "2025-06-01"))["cycle"]["id"]
    closed = await t.do("closeProject", "CloseProjectInput",
                        {"projectId": project, "summary": "Done", "lessonsLearned": ["Start small"]},
                        "project { closed lessonsLearned closedOn }")
    assert closed["errors"] == [] and closed["project"]["closed"] is True
    before = await log_head(database_url)
    planned = await t.plan_cycle(project, "One more idea", "2025-09-01")
    assert (planned["cycle"], [e["code"] for e in planned["errors"]]) == (None, ["INVALID_STATE"])
    done = await t.stage("recordCycleDo", cycle, observations="late")
    assert [e["code"] for e in done["errors"]] == ["INVALID_STATE"]
    again = await t.do("closeProject", "CloseProjectInput",
                       {"projectId": project, "summary": "Again", "lessonsLearned": ["x"]}, "project { id }")
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    assert await log_head(database_url) == before


async def test_unknown_ids_are_not_found(api: Api) -> None:
    t = await improver(api, "Unknown ids ward")
    planned = await t.plan_cycle("00000000-0000-0000-0000-000000000000", "x", "2025-06-01")
    assert [(e["code"], e["field"]) for e in planned["errors"]] == [("NOT_FOUND", "projectId")]
    done = await t.stage("recordCycleDo", "nope", observations="x")
    assert [(e["code"], e["field"]) for e in done["errors"]] == [("NOT_FOUND", "cycleId")]


async def test_a_driver_diagram_is_shown_as_it_stood_before_later_edits(api: Api) -> None:
    t = await improver(api, "Diagram ward")
    project = (await t.create_project([]))["project"]["id"]
    drawn = await t.do("drawDriverDiagram", "DrawDriverDiagramInput", {"projectId": project, "aim": "Fewer falls"},
                       "diagram { id nodes { id kind } }")
    diagram = drawn["diagram"]["id"]
    assert drawn["diagram"]["nodes"] == [{"id": "aim", "kind": "AIM"}]
    await t.do("addDriver", "AddDriverInput", {"diagramId": diagram, "kind": "PRIMARY", "text": "Staffing",
                                               "parentIds": ["aim"]}, "diagram { id }")
    await asyncio.sleep(0.05)
    then = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    await t.do("rewordDriver", "RewordDriverInput", {"diagramId": diagram, "nodeId": "n1", "text": "Night staffing"},
               "diagram { id }")
    await t.do("addDriver", "AddDriverInput", {"diagramId": diagram, "kind": "SECONDARY", "text": "Cover",
                                               "parentIds": ["n1"]}, "diagram { id }")
    q = "query($id: ID!, $at: DateTime) { driverDiagram(id: $id, asOf: $at) { nodes { id text } edits { edit } } }"
    past = (await api.gql(q, {"id": diagram, "at": then}, **t.member))["driverDiagram"]
    now = (await api.gql(q, {"id": diagram, "at": None}, **t.member))["driverDiagram"]
    assert past["nodes"] == [{"id": "aim", "text": "Fewer falls"}, {"id": "n1", "text": "Staffing"}]
    assert [n["text"] for n in now["nodes"]] == ["Fewer falls", "Night staffing", "Cover"]
    assert [e["edit"] for e in now["edits"]] == ["DRAWN", "DriverAdded", "DriverReworded", "DriverAdded"]


async def test_a_driver_that_skips_a_level_is_invalid_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Diagram levels ward")
    project = (await t.create_project([]))["project"]["id"]
    diagram = (await t.do("drawDriverDiagram", "DrawDriverDiagramInput", {"projectId": project, "aim": "Aim"},
                          "diagram { id }"))["diagram"]["id"]
    before = await log_head(database_url)
    added = await t.do("addDriver", "AddDriverInput", {"diagramId": diagram, "kind": "CHANGE_IDEA", "text": "x",
                                                       "parentIds": ["aim"]}, "diagram { id }")
    assert [(e["code"], e["field"], e["index"]) for e in added["errors"]] == [("INVALID", "parentIds", 0)]
    assert await log_head(database_url) == before


async def test_actions_raised_from_a_cycle_and_a_project_show_on_the_project(api: Api) -> None:
    t = await improver(api, "Actions ward")
    project = (await t.create_project([]))["project"]["id"]
    cycle = (await t.plan_cycle(project, "Sensor mats", "2025-06-01"))["cycle"]["id"]
    for source, title in ((cycle, "Order two more sensor mats"), (project, "Book the celebration")):
        made = await mutate(api, "createAction", "CreateActionInput",
                            {"teamId": t.team, "title": title, "owner": "sister.jones", "dueDate": "2099-01-01",
                             "sourceId": source}, "action { sourceKind }", **t.leader)
        assert made["errors"] == []
    q = "query($id: ID!) { project(id: $id) { actions { title sourceKind } cycles { actions { title } } } }"
    data = (await api.gql(q, {"id": project}, **t.leader))["project"]
    assert sorted((a["title"], a["sourceKind"]) for a in data["actions"]) == [
        ("Book the celebration", "Project"), ("Order two more sensor mats", "PdsaCycle")]
    assert data["cycles"][0]["actions"] == [{"title": "Order two more sensor mats"}]


async def test_a_project_running_past_its_planned_end_shows_as_such(api: Api) -> None:
    t = await improver(api, "Overrun ward")
    late = (await t.create_project([], plannedEnd="2020-01-31"))["project"]["id"]
    on_time = (await t.create_project([], plannedEnd="2099-01-31"))["project"]["id"]
    q = "query($a: ID!, $b: ID!) { a: project(id: $a) { overrun } b: project(id: $b) { overrun } }"
    assert await api.gql(q, {"a": late, "b": on_time}, **t.leader) == {"a": {"overrun": True}, "b": {"overrun": False}}


async def test_each_cycle_notes_the_charts_of_its_project_s_measures_at_its_start_period(api: Api) -> None:
    t = await improver(api, "Chart notes ward")
    outcome = await api.define_measure(t.team, name="Night falls")
    balancing = await api.define_measure(t.team, name="Sickness", kind="BALANCING")
    project = (await t.create_project([outcome, balancing]))["project"]["id"]
    await t.plan_cycle(project, "Night lights in the bays", "2025-06-01")
    q = "query($id: ID!) { measure(id: $id) { spc { annotations { kind text period } } } }"
    for measure in (outcome, balancing):
        notes = (await api.gql(q, {"id": measure}, **t.leader))["measure"]["spc"]["annotations"]
        assert [(n["kind"], n["period"]) for n in notes] == [("PDSA", "2025-06-01")]
        assert "Night lights in the bays" in notes[0]["text"]
