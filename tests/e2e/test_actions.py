"""The action tracker end to end: one tracker for every source, its status history, overdue views per team and
for the organisation, and bad input that gets a typed error and stores nothing."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.e2e.control_helpers import ACTION, create_action, day, log_head, mutate

ACTIONS = f"""query($teamId: ID, $status: ActionStatus, $overdue: Boolean, $first: Int, $after: String) {{
  actions(teamId: $teamId, status: $status, overdue: $overdue, first: $first, after: $after) {{
    edges {{ cursor node {{ {ACTION} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""


async def ids(api: Api, **variables: object) -> list[str]:
    data = await api.gql(ACTIONS, {"first": 500, **variables})
    return [e["node"]["id"] for e in data["actions"]["edges"]]


async def test_an_action_is_created_open_and_completed_with_evidence(api: Api) -> None:
    team = await api.create_team("Actions ward")
    created = await create_action(api, team, due=day(7))
    assert created["errors"] == []
    action = created["action"]
    assert (action["status"], action["owner"], action["dueDate"], action["overdue"]) == (
        "OPEN", "sister.jones", day(7), False)
    done = await mutate(api, "completeAction", "CompleteActionInput",
                        {"actionId": action["id"], "evidence": "Re-audit: 96% of patients had the bundle"},
                        f"action {{ {ACTION} history {{ kind actor note }} }}")
    assert done["errors"] == []
    assert done["action"]["status"] == "DONE"
    assert done["action"]["evidence"] == "Re-audit: 96% of patients had the bundle"
    assert [s["kind"] for s in done["action"]["history"]] == ["CREATED", "COMPLETED"]
    assert done["action"]["history"][1]["actor"] == "tester"


async def test_owner_and_due_date_change_only_with_a_reason_and_the_history_says_who_and_why(
        api: Api, database_url: str) -> None:
    team = await api.create_team("Actions history ward")
    action = (await create_action(api, team))["action"]["id"]
    moved = await mutate(api, "reassignAction", "ReassignActionInput",
                         {"actionId": action, "owner": "charge.nurse", "reason": "Sister Jones is on leave"},
                         "action { owner }")
    assert moved["action"]["owner"] == "charge.nurse"
    later = await mutate(api, "rescheduleAction", "RescheduleActionInput",
                         {"actionId": action, "dueDate": day(30), "reason": "Trolleys arrive next month"},
                         "action { dueDate history { kind actor owner dueDate note } }")
    steps = later["action"]["history"]
    assert [(s["kind"], s["owner"], s["dueDate"], s["note"]) for s in steps] == [
        ("CREATED", "sister.jones", day(14), None),
        ("REASSIGNED", "charge.nurse", None, "Sister Jones is on leave"),
        ("RESCHEDULED", None, day(30), "Trolleys arrive next month")]
    assert {s["actor"] for s in steps} == {"tester"}
    head = await log_head(database_url)
    blank = await mutate(api, "reassignAction", "ReassignActionInput",
                         {"actionId": action, "owner": "someone", "reason": " "}, "action { id }")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("INVALID", "reason")]
    assert await log_head(database_url) == head


async def test_a_cancelled_action_keeps_its_reason(api: Api) -> None:
    team = await api.create_team("Actions cancel ward")
    action = (await create_action(api, team))["action"]["id"]
    cancelled = await mutate(api, "cancelAction", "CancelActionInput",
                             {"actionId": action, "reason": "Duplicate of the sepsis action"},
                             "action { status cancelReason }")
    assert cancelled["action"] == {"status": "CANCELLED", "cancelReason": "Duplicate of the sepsis action"}


async def test_bad_input_gets_a_typed_error_and_stores_nothing(api: Api, database_url: str) -> None:
    team = await api.create_team("Actions bad input ward")
    done = (await create_action(api, team))["action"]["id"]
    await mutate(api, "completeAction", "CompleteActionInput", {"actionId": done, "evidence": "Done"}, "action { id }")
    cancelled = (await create_action(api, team))["action"]["id"]
    await mutate(api, "cancelAction", "CancelActionInput", {"actionId": cancelled, "reason": "No"}, "action { id }")
    head = await log_head(database_url)
    no_owner = await create_action(api, team, owner="  ")
    assert [(e["code"], e["field"]) for e in no_owner["errors"]] == [("INVALID", "owner")]
    assert no_owner["action"] is None
    for closed in (done, cancelled):
        again = await mutate(api, "completeAction", "CompleteActionInput", {"actionId": closed, "evidence": "x"},
                             "action { id }")
        assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    unknown_team = await create_action(api, str(uuid.uuid4()))
    assert [(e["code"], e["field"]) for e in unknown_team["errors"]] == [("NOT_FOUND", "teamId")]
    for action_id in (str(uuid.uuid4()), "not-an-id", team):
        unknown = await mutate(api, "completeAction", "CompleteActionInput", {"actionId": action_id, "evidence": "x"},
                               "action { id }")
        assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "actionId")]
    assert await log_head(database_url) == head


async def test_an_action_without_a_due_date_is_refused_by_the_schema_and_stores_nothing(
        api: Api, database_url: str) -> None:
    team = await api.create_team("Actions no due date")
    head = await log_head(database_url)
    response = await api.http.post(f"{api.base}/graphql", headers={"Authorization": f"Bearer {api.token()}"}, json={
        "query": "mutation($i: CreateActionInput!) { createAction(input: $i) { errors { code } } }",
        "variables": {"i": {"teamId": team, "title": "No date", "owner": "someone"}}})
    assert "dueDate" in response.json()["errors"][0]["message"]
    assert await log_head(database_url) == head


async def test_overdue_means_open_and_due_before_today_per_team_and_for_the_organisation(api: Api) -> None:
    ours, theirs = await api.create_team("Overdue ward A"), await api.create_team("Overdue ward B")
    late = (await create_action(api, ours, "Late", due=day(-3)))["action"]
    due_today = (await create_action(api, ours, "Due today", due=day(0)))["action"]
    late_done = (await create_action(api, ours, "Late but done", due=day(-10)))["action"]["id"]
    await mutate(api, "completeAction", "CompleteActionInput", {"actionId": late_done, "evidence": "Done"},
                 "action { id }")
    elsewhere = (await create_action(api, theirs, "Late elsewhere", due=day(-1)))["action"]["id"]
    assert late["overdue"] is True and due_today["overdue"] is False
    assert await ids(api, teamId=ours, overdue=True) == [late["id"]]
    assert await ids(api, teamId=ours, overdue=False) == [late_done, due_today["id"]]
    assert await ids(api, teamId=ours, status="DONE") == [late_done]
    organisation = await ids(api, overdue=True)
    assert {late["id"], elsewhere} <= set(organisation) and late_done not in organisation
    member = {"role": "TEAM_MEMBER", "teams": [ours]}
    data = await api.gql(ACTIONS, {"overdue": True, "first": 500}, **member)
    assert [e["node"]["id"] for e in data["actions"]["edges"]] == [late["id"]]
    counts = await api.gql("{ actionCounts { team { id } open overdue } }", **member)
    assert counts["actionCounts"] == [{"team": {"id": ours}, "open": 2, "overdue": 1}]


async def test_the_actions_connection_pages_by_due_date_without_gaps_or_repeats(api: Api) -> None:
    team = await api.create_team("Actions paging ward")
    made = [(await create_action(api, team, f"Step {i}", due=day(i % 4)))["action"]["id"] for i in range(7)]
    seen, after = [], None
    while True:
        page = (await api.gql(ACTIONS, {"teamId": team, "first": 3, "after": after}))["actions"]
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(n["id"] for n in seen) == sorted(made)
    assert [n["dueDate"] for n in seen] == sorted(n["dueDate"] for n in seen)


async def test_an_action_on_a_measure_records_the_measure_for_its_chart_and_another_team_s_is_refused(
        api: Api) -> None:
    team, other = await api.create_team("Actions measure ward"), await api.create_team("Actions other ward")
    measure = await api.define_measure(team, name="Falls")
    foreign = await api.define_measure(other, name="Falls elsewhere")
    action = await create_action(api, team, source=measure)
    assert action["action"]["sourceId"] == measure and action["action"]["sourceKind"] == "Measure"
    data = await api.gql("query($id: ID!) { action(id: $id) { measure { id } } }", {"id": action["action"]["id"]})
    assert data["action"]["measure"] == {"id": measure}
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type data } } } }",
                            {"s": action["action"]["id"]}, role="AUDITOR")
    assert f'"measure_id":"{measure}"' in history["history"]["edges"][0]["node"]["data"]
    refused = await create_action(api, team, source=foreign)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "sourceId")]
    free = await create_action(api, team, source="audit-finding-17")
    assert (free["action"]["sourceId"], free["action"]["sourceKind"]) == ("audit-finding-17", None)


async def test_a_service_user_sees_the_team_s_actions_without_names(api: Api) -> None:
    team = await api.create_team("Actions service user ward")
    action = (await create_action(api, team))["action"]["id"]
    data = await api.gql("query($id: ID!) { action(id: $id) { owner history { actor owner } } }", {"id": action},
                         role="SERVICE_USER", teams=[team])
    assert data["action"] == {"owner": "(withheld)", "history": [{"actor": "(withheld)", "owner": "(withheld)"}]}
    assert (await api.gql("query($id: ID!) { action(id: $id) { id } }", {"id": action}, role="SERVICE_USER",
                          teams=[str(uuid.uuid4())]))["action"] is None


async def test_each_mutation_of_one_request_answers_with_the_action_as_it_left_it(api: Api) -> None:
    team = await api.create_team("Actions one request ward")
    action = (await create_action(api, team))["action"]["id"]
    data = await api.gql("""mutation($id: ID!, $due: Date!) {
      later: rescheduleAction(input: {actionId: $id, dueDate: $due, reason: "Later"}) { action { status dueDate } }
      done: completeAction(input: {actionId: $id, evidence: "Done"}) { action { status history { kind } } } }""",
                         {"id": action, "due": day(40)})
    assert data["later"]["action"] == {"status": "OPEN", "dueDate": day(40)}
    assert data["done"]["action"]["status"] == "DONE"
    assert [s["kind"] for s in data["done"]["action"]["history"]] == ["CREATED", "RESCHEDULED", "COMPLETED"]


async def test_an_action_on_a_measure_is_noted_on_its_chart_when_agreed_and_when_done(api: Api) -> None:
    team = await api.create_team("Actions chart ward")
    measure = await api.define_measure(team)
    created = await create_action(api, team, title="Falls huddle at shift change", source=measure)
    await mutate(api, "completeAction", "CompleteActionInput",
                 {"actionId": created["action"]["id"], "evidence": "Huddle held on every shift for a month"},
                 "action { id }")
    chart = await api.gql("query($id: ID!) { measure(id: $id) { spc { annotations { period kind text } } } }",
                          {"id": measure})
    notes = chart["measure"]["spc"]["annotations"]
    assert [n["kind"] for n in notes] == ["ACTION", "ACTION"]
    assert "Falls huddle at shift change" in notes[0]["text"] and "every shift" in notes[1]["text"]
    assert all(n["period"] for n in notes)
