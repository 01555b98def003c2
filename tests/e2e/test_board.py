"""controlBoard(teamId): the team's measures with their icons, open signals, open escalations, overdue actions
and the last huddle in one query; service users see it without people's names."""

from __future__ import annotations

from tests.conftest import Api
from tests.e2e.control_helpers import create_action, day, mutate
from tests.e2e.test_signals import given_a_concern

BOARD = """query($t: ID!) { controlBoard(teamId: $t) {
  team { name }
  measures { measure { id name } latestPeriod latestValue latestVariation variationIcon assurance target }
  openSignals { id kind }
  openEscalations { id summary raisedBy }
  overdueActions { id title owner overdue }
  lastHuddle { date attendees }
} }"""


async def test_the_board_shows_the_teams_control_in_one_query(api: Api) -> None:
    team, measure, signal = await given_a_concern(api, "Board ward")
    await mutate(api, "configureEscalationLevels", "ConfigureEscalationLevelsInput",
                 {"levels": [{"name": "Team", "responseMinutes": 60}, {"name": "Directorate", "responseMinutes": 240}],
                  "reason": "Policy"}, "levels { name }")
    escalated = await mutate(api, "raiseEscalation", "RaiseEscalationInput",
                             {"teamId": team, "sourceId": signal, "summary": "Falls doubled"}, "escalation { id }",
                             role="TEAM_LEADER", teams=[team])
    assert escalated["errors"] == []
    late = await create_action(api, team, "Order bed sensors", due=day(-3), role="TEAM_LEADER", teams=[team])
    await create_action(api, team, "Not yet due", due=day(7), role="TEAM_LEADER", teams=[team])
    await mutate(api, "recordHuddle", "RecordHuddleInput",
                 {"teamId": team, "date": day(0), "attendees": ["sister.jones", "dr.patel"]}, "huddle { id }",
                 role="TEAM_MEMBER", teams=[team])

    board = (await api.gql(BOARD, {"t": team}, role="TEAM_MEMBER", teams=[team]))["controlBoard"]
    assert board["team"]["name"] == "Board ward"
    [row] = board["measures"]
    assert (row["measure"]["id"], row["latestPeriod"], row["latestValue"], row["latestVariation"],
            row["variationIcon"]) == (measure, "2021-01-01", 30.0, "CONCERN", "CONCERN_HIGH")
    assert board["openSignals"] == [{"id": signal, "kind": "CONCERN"}]
    assert [e["summary"] for e in board["openEscalations"]] == ["Falls doubled"]
    assert [(a["id"], a["overdue"]) for a in board["overdueActions"]] == [(late["action"]["id"], True)]
    assert board["lastHuddle"]["attendees"] == ["sister.jones", "dr.patel"]

    seen = (await api.gql(BOARD, {"t": team}, role="SERVICE_USER", teams=[team]))["controlBoard"]
    assert seen["lastHuddle"]["attendees"] == []
    assert seen["overdueActions"][0]["owner"] == "(withheld)"
    assert seen["openEscalations"][0]["raisedBy"] == "(withheld)"
    assert seen["measures"] == board["measures"] and seen["openSignals"] == board["openSignals"]


async def test_a_team_the_caller_may_not_read_has_no_board(api: Api) -> None:
    team = await api.create_team("Board other ward")
    data = await api.gql(BOARD, {"t": team}, role="TEAM_MEMBER", teams=["another"])
    assert data["controlBoard"] is None
