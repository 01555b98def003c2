"""Escalation end to end: levels configured for the organisation, an escalation raised from a huddle problem and
taken up the levels step by step, each step timestamped, and flagged once open past its level's response time."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

import schema.escalations
from service.clock import now
from tests.conftest import Api
from tests.e2e.control_helpers import create_action, day, log_head, mutate

LEVELS = [{"name": "Team", "responseMinutes": 60}, {"name": "Directorate", "responseMinutes": 240},
          {"name": "Executive", "responseMinutes": 1440}]
ESCALATION = ("id sourceId sourceKind summary level status overdue respondBy levelSince "
              "steps { kind at actor level note }")


async def configure(api: Api, levels: list[dict[str, Any]] = LEVELS, **who: Any) -> dict[str, Any]:
    return await mutate(api, "configureEscalationLevels", "ConfigureEscalationLevelsInput",
                        {"levels": levels, "reason": "Trust escalation policy v3"}, "levels { name responseMinutes }",
                        **who)


async def open_problem(api: Api, team: str, resolution: str | None = None) -> str:
    held = await mutate(api, "recordHuddle", "RecordHuddleInput",
                        {"teamId": team, "date": day(0), "attendees": ["sister.jones"],
                         "problems": [{"description": "Two nurses short on nights", "resolution": resolution}]},
                        "huddle { problems { id } }", role="TEAM_MEMBER", teams=[team])
    return held["huddle"]["problems"][0]["id"]


async def escalate(api: Api, team: str, source: str, level: str | None = None) -> dict[str, Any]:
    return await mutate(api, "raiseEscalation", "RaiseEscalationInput",
                        {"teamId": team, "sourceId": source, "summary": "Unsafe staffing on nights", "level": level},
                        f"escalation {{ {ESCALATION} }}", role="TEAM_LEADER", teams=[team])


async def test_only_senior_leaders_configure_the_levels_which_everyone_reads(api: Api) -> None:
    assert (await configure(api))["levels"] == LEVELS
    refused = await configure(api, role="TEAM_LEADER", teams=[])
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    twice = await configure(api, [{"name": "Team", "responseMinutes": 60}, {"name": "team", "responseMinutes": 5}])
    assert [(e["code"], e["field"], e["index"]) for e in twice["errors"]] == [("INVALID", "levels", 1)]
    data = await api.gql("{ escalationLevels { name responseMinutes } }", role="SERVICE_USER")
    assert data["escalationLevels"] == LEVELS


async def test_a_huddle_problem_is_escalated_acknowledged_escalated_further_and_resolved(api: Api) -> None:
    await configure(api)
    team = await api.create_team("Escalation ward")
    problem = await open_problem(api, team)
    raised = await escalate(api, team, problem)
    assert raised["errors"] == []
    escalation = raised["escalation"]
    assert (escalation["level"], escalation["status"], escalation["sourceKind"], escalation["overdue"]) == (
        "Team", "OPEN", "HuddleProblem", False)
    assert datetime.fromisoformat(escalation["respondBy"]) - datetime.fromisoformat(escalation["levelSince"]) == \
        timedelta(minutes=60)
    huddle = await api.gql("query($t: ID!) { lastHuddle(teamId: $t) { problems { status escalation { id } } } }",
                           {"t": team})
    assert huddle["lastHuddle"]["problems"] == [{"status": "ESCALATED", "escalation": {"id": escalation["id"]}}]
    lead = {"role": "TEAM_LEADER", "teams": [team]}
    ack = await mutate(api, "acknowledgeEscalation", "AcknowledgeEscalationInput",
                       {"escalationId": escalation["id"], "note": "Bank staff requested"}, "escalation { status }",
                       **lead)
    assert ack["escalation"]["status"] == "ACKNOWLEDGED"
    up = await mutate(api, "escalateFurther", "EscalateFurtherInput",
                      {"escalationId": escalation["id"], "level": "Directorate", "reason": "No bank staff"},
                      "escalation { level status }", **lead)
    assert up["escalation"] == {"level": "Directorate", "status": "OPEN"}
    action = await create_action(api, team, "Book agency nurse", source=escalation["id"])
    assert action["action"]["sourceKind"] == "Escalation"
    done = await mutate(api, "resolveEscalation", "ResolveEscalationInput",
                        {"escalationId": escalation["id"], "resolution": "Agency nurse booked for the week"},
                        f"escalation {{ {ESCALATION} actions {{ id }} }}", role="SENIOR_LEADER")
    final = done["escalation"]
    assert final["status"] == "RESOLVED" and final["actions"] == [{"id": action["action"]["id"]}]
    assert [(s["kind"], s["level"]) for s in final["steps"]] == [
        ("RAISED", "Team"), ("ACKNOWLEDGED", "Team"), ("ESCALATED", "Directorate"), ("RESOLVED", None)]
    times = [datetime.fromisoformat(s["at"]) for s in final["steps"]]
    assert times == sorted(times) and all(abs(t - now()) < timedelta(minutes=5) for t in times)
    listed = await api.gql("query($t: ID!) { open: escalations(teamId: $t) { id } "
                           "closed: escalations(teamId: $t, open: false) { id } }", {"t": team})
    assert listed == {"open": [], "closed": [{"id": escalation["id"]}]}


async def test_bad_escalations_get_a_typed_error_and_store_nothing(api: Api, database_url: str) -> None:
    await configure(api)
    team, other = await api.create_team("Escalation bad input"), await api.create_team("Escalation other")
    problem, solved = await open_problem(api, team), await open_problem(api, team, "Sorted on the spot")
    theirs = await open_problem(api, other)
    escalation = (await escalate(api, team, problem, "Directorate"))["escalation"]["id"]
    lead = {"role": "TEAM_LEADER", "teams": [team]}
    await mutate(api, "acknowledgeEscalation", "AcknowledgeEscalationInput",
                 {"escalationId": escalation, "note": "Seen"}, "escalation { id }", **lead)
    head = await log_head(database_url)
    cases = [
        (escalate(api, team, problem, "Board"), ("INVALID", "level")),
        (escalate(api, team, solved), ("INVALID_STATE", None)),
        (escalate(api, team, theirs), ("INVALID", "sourceId")),
        (escalate(api, team, str(uuid.uuid4())), ("NOT_FOUND", "sourceId")),
        (mutate(api, "escalateFurther", "EscalateFurtherInput",
                {"escalationId": escalation, "level": "Board", "reason": "x"}, "escalation { id }", **lead),
         ("INVALID", "level")),
        (mutate(api, "escalateFurther", "EscalateFurtherInput",
                {"escalationId": escalation, "level": "Team", "reason": "x"}, "escalation { id }", **lead),
         ("INVALID", "level")),
        (mutate(api, "acknowledgeEscalation", "AcknowledgeEscalationInput",
                {"escalationId": escalation, "note": "Again"}, "escalation { id }", **lead), ("INVALID_STATE", None)),
        (mutate(api, "resolveEscalation", "ResolveEscalationInput",
                {"escalationId": str(uuid.uuid4()), "resolution": "x"}, "escalation { id }"),
         ("NOT_FOUND", "escalationId")),
    ]
    for run, expected in cases:
        answer = await run
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [expected]
    assert await log_head(database_url) == head


async def test_an_escalation_open_past_its_level_s_response_time_is_flagged(api: Api,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await configure(api)
    team = await api.create_team("Escalation overdue ward")
    waiting = (await escalate(api, team, await open_problem(api, team)))["escalation"]["id"]
    seen = (await escalate(api, team, await open_problem(api, team)))["escalation"]["id"]
    await mutate(api, "acknowledgeEscalation", "AcknowledgeEscalationInput", {"escalationId": seen, "note": "On it"},
                 "escalation { id }", role="TEAM_LEADER", teams=[team])
    query = "query($t: ID!) { escalations(teamId: $t) { id overdue } }"
    assert {e["id"]: e["overdue"] for e in (await api.gql(query, {"t": team}))["escalations"]} == {
        waiting: False, seen: False}
    monkeypatch.setattr(schema.escalations, "now", lambda: now() + timedelta(minutes=61))  # an hour later
    assert {e["id"]: e["overdue"] for e in (await api.gql(query, {"t": team}))["escalations"]} == {
        waiting: True, seen: False}
