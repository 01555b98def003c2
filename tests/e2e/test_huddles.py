"""Huddles end to end: who came, the measures reviewed, problems solved on the spot or escalated, the actions
agreed, a team's huddles newest first and its last huddle; a huddle in the future is refused and stores nothing."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.e2e.control_helpers import create_action, day, log_head, mutate

HUDDLE = """id date attendees recordedBy team { id } measures { id }
  problems { id number description status resolution raisedBy actions { id } } actions { id title }"""


async def record(api: Api, team: str, date: str, **fields: object) -> dict:
    values = {"teamId": team, "date": date, "attendees": ["sister.jones", "dr.patel"], **fields}
    return await mutate(api, "recordHuddle", "RecordHuddleInput", values, f"huddle {{ {HUDDLE} }}",
                        role="TEAM_LEADER", teams=[team])


async def test_a_huddle_records_attendees_measures_problems_and_the_actions_agreed(api: Api) -> None:
    team = await api.create_team("Huddle ward")
    falls = await api.define_measure(team, name="Falls")
    held = await record(api, team, day(0), measureIds=[falls], problems=[
        {"description": "Hoist broken", "resolution": "Borrowed one from ward 8"},
        {"description": "Two nurses short on nights"}])
    assert held["errors"] == []
    huddle = held["huddle"]
    assert huddle["attendees"] == ["sister.jones", "dr.patel"] and huddle["measures"] == [{"id": falls}]
    assert [(p["number"], p["status"], p["resolution"]) for p in huddle["problems"]] == [
        (1, "SOLVED", "Borrowed one from ward 8"), (2, "OPEN", None)]
    short = huddle["problems"][1]["id"]
    agreed = await create_action(api, team, "Ask for bank staff", source=short)
    assert agreed["action"]["sourceKind"] == "HuddleProblem"
    no_such = await create_action(api, team, "No such problem", source=f"{huddle['id']}.9")
    assert [(e["code"], e["field"]) for e in no_such["errors"]] == [("NOT_FOUND", "sourceId")]
    general = await create_action(api, team, "Re-stock the resus trolley", source=huddle["id"])
    assert general["action"]["sourceKind"] == "Huddle"
    again = (await api.gql(f"query($id: ID!) {{ huddle(id: $id) {{ {HUDDLE} }} }}", {"id": huddle["id"]}))["huddle"]
    assert {a["id"] for a in again["actions"]} == {agreed["action"]["id"], general["action"]["id"]}
    assert again["problems"][1]["actions"] == [{"id": agreed["action"]["id"]}]
    raised = await mutate(api, "raiseProblem", "RaiseProblemInput",
                          {"huddleId": huddle["id"], "description": "Sharps bin full"},
                          "problemId huddle { problems { number status } }", role="TEAM_MEMBER", teams=[team])
    assert raised["huddle"]["problems"][-1] == {"number": 3, "status": "OPEN"}
    solved = await mutate(api, "solveProblem", "SolveProblemInput",
                          {"problemId": raised["problemId"], "resolution": "Porter called"},
                          "huddle { problems { status } }", role="TEAM_MEMBER", teams=[team])
    assert solved["huddle"]["problems"][-1]["status"] == "SOLVED"


async def test_a_team_s_huddles_are_newest_first_and_the_last_one_is_the_newest(api: Api) -> None:
    team = await api.create_team("Huddle history ward")
    ids = {offset: (await record(api, team, day(offset)))["huddle"]["id"] for offset in (-2, 0, -1)}
    data = await api.gql("query($t: ID!) { huddles(teamId: $t) { edges { node { id date } } } "
                         "lastHuddle(teamId: $t) { id } }", {"t": team})
    assert [e["node"]["id"] for e in data["huddles"]["edges"]] == [ids[0], ids[-1], ids[-2]]
    assert data["lastHuddle"] == {"id": ids[0]}
    later = (await record(api, team, day(0)))["huddle"]["id"]
    data = await api.gql("query($t: ID!) { lastHuddle(teamId: $t) { id date } }", {"t": team})  # cached before
    assert data["lastHuddle"]["date"] == day(0) and data["lastHuddle"]["id"] in {ids[0], later}
    page = await api.gql("query($t: ID!) { huddles(teamId: $t, first: 2) { edges { node { id } } "
                         "pageInfo { hasNextPage endCursor } } }", {"t": team})
    rest = await api.gql("query($t: ID!, $a: String) { huddles(teamId: $t, first: 10, after: $a) { "
                         "edges { node { id } } } }", {"t": team, "a": page["huddles"]["pageInfo"]["endCursor"]})
    seen = [e["node"]["id"] for e in page["huddles"]["edges"] + rest["huddles"]["edges"]]
    assert sorted(seen) == sorted([*ids.values(), later])


async def test_bad_huddles_get_a_typed_error_and_store_nothing(api: Api, database_url: str) -> None:
    team, other = await api.create_team("Huddle bad input"), await api.create_team("Huddle other")
    foreign = await api.define_measure(other, name="Not ours")
    head = await log_head(database_url)
    cases = [({"date": day(1)}, ("INVALID", "date", None)),
             ({"date": day(0), "attendees": []}, ("INVALID", "attendees", None)),
             ({"date": day(0), "measureIds": [foreign]}, ("INVALID", "measureIds", 0)),
             ({"date": day(0), "problems": [{"description": "ok"}, {"description": " "}]}, ("INVALID", "problems", 1))]
    for fields, expected in cases:
        answer = await mutate(api, "recordHuddle", "RecordHuddleInput",
                              {"teamId": team, "attendees": ["a"], **fields}, "huddle { id }", role="TEAM_MEMBER",
                              teams=[team])
        assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [expected], fields
        assert answer["huddle"] is None
    nowhere = str(uuid.uuid4())
    unknown = await mutate(api, "recordHuddle", "RecordHuddleInput",
                           {"teamId": nowhere, "date": day(0), "attendees": ["a"]}, "huddle { id }",
                           role="TEAM_MEMBER", teams=[nowhere])
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "teamId")]
    nothing = await mutate(api, "solveProblem", "SolveProblemInput", {"problemId": "nope", "resolution": "x"},
                           "huddle { id }")
    assert [e["code"] for e in nothing["errors"]] == ["NOT_FOUND"]
    assert await log_head(database_url) == head


async def test_a_service_user_sees_the_team_s_huddles_without_names(api: Api) -> None:
    team = await api.create_team("Huddle service user ward")
    await record(api, team, day(0), problems=[{"description": "Call bells slow"}])
    data = await api.gql("query($t: ID!) { lastHuddle(teamId: $t) { attendees recordedBy problems { raisedBy } } }",
                         {"t": team}, role="SERVICE_USER", teams=[team])
    assert data["lastHuddle"] == {"attendees": [], "recordedBy": "(withheld)",
                                  "problems": [{"raisedBy": "(withheld)"}]}
    assert (await api.gql("query($t: ID!) { lastHuddle(teamId: $t) { id } }", {"t": team}, role="TEAM_MEMBER",
                          teams=[str(uuid.uuid4())]))["lastHuddle"] is None


async def test_a_cached_huddle_shows_a_problem_solved_or_escalated_after_it(api: Api) -> None:
    team = await api.create_team("Huddle cache ward")
    held = (await record(api, team, day(0), problems=[{"description": "Hoist broken"}, {"description": "Short"}]))
    huddle, problems = held["huddle"]["id"], [p["id"] for p in held["huddle"]["problems"]]
    query = "query($id: ID!) { huddle(id: $id) { problems { status } } }"
    assert (await api.gql(query, {"id": huddle}))["huddle"]["problems"] == [{"status": "OPEN"}] * 2
    assert (await api.gql(query, {"id": huddle}))["huddle"]["problems"] == [{"status": "OPEN"}] * 2  # cached
    await mutate(api, "solveProblem", "SolveProblemInput", {"problemId": problems[0], "resolution": "Fixed"},
                 "problemId", role="TEAM_MEMBER", teams=[team])
    await mutate(api, "configureEscalationLevels", "ConfigureEscalationLevelsInput",
                 {"levels": [{"name": "Team", "responseMinutes": 60}, {"name": "Directorate", "responseMinutes": 240}],
                  "reason": "Policy"}, "levels { name }")
    await mutate(api, "raiseEscalation", "RaiseEscalationInput",
                 {"teamId": team, "sourceId": problems[1], "summary": "Short"}, "escalation { id }")
    assert (await api.gql(query, {"id": huddle}))["huddle"]["problems"] == [{"status": "SOLVED"},
                                                                           {"status": "ESCALATED"}]
