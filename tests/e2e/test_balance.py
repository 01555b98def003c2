"""Domain balance through the real GraphQL endpoint on the real PostgreSQL: `balance(teamId, from, to)` for a
team, its directorate and the organisation, contribution by role, periods, the organisation ranking, who may read
what, and a rebuild from zero that gives the same figures as the live projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from service.bootstrap import Services
from service.eventstore.projection_runner import rebuild
from tests.conftest import Api
from tests.e2e.test_contract import observations, record
from tests.e2e.test_planning import Planner

BALANCE = """query($t: ID, $f: Date!, $to: Date!) { balance(teamId: $t, from: $f, to: $to) {
  team { id } from to aspects { aspect events share people serviceUsers }
  indicators { aspect name value state words } score profile } }"""
DETAIL = """query($t: ID, $f: Date!, $to: Date!) { balance(teamId: $t, from: $f, to: $to) {
  contribution { role aspect events people } periods(by: MONTH) { from aspects { aspect events } } } }"""
RANKING = """query($f: Date!, $to: Date!) { balanceRanking(from: $f, to: $to) { rank teamName
  balance { team { id } score } drivers { name state } trend { from to score } } }"""
GIVE = """mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedbackId errors { code } } }"""


def window() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"f": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


async def ward(api: Api) -> tuple[str, str]:
    """A directorate with a ward that plans, records observations, and hears from a patient."""
    directorate = await api.create_team("Medicine")
    data = await api.gql("mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                         {"i": {"name": "Ward 7", "parentTeamId": directorate}})
    team = data["createTeam"]["team"]["id"]
    await Planner(api, team).approved_plan(year=datetime.now(UTC).year if datetime.now(UTC).month >= 4
                                           else datetime.now(UTC).year - 1)
    measure = await api.define_measure(team, name="Falls")
    assert (await record(api, measure, observations([3, 4, 5]), team))["errors"] == []
    given = await api.gql(GIVE, {"i": {"teamId": team, "comment": "Kind staff", "rating": 5}},
                          token=api.tokens.issue("patient-1", "SERVICE_USER", [team]))
    assert given["giveFeedback"]["errors"] == []
    return directorate, team


def by_aspect(balance: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {a["aspect"]: (a["events"], a["people"], a["serviceUsers"]) for a in balance["aspects"]}


async def raw(api: Api, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    response = await api.http.post(f"{api.base}/graphql", json={"query": query, "variables": variables},
                                   headers={"Authorization": f"Bearer {token}", "X-QMS-After": str(api.position)})
    return dict(response.json())


async def test_a_team_s_balance_counts_each_aspect_s_events_people_and_service_users(api: Api) -> None:
    directorate, team = await ward(api)
    b = (await api.gql(BALANCE, {"t": team, **window()}, role="TEAM_MEMBER", teams=[team]))["balance"]
    assert b["team"] == {"id": team}
    # planning: the ward created (tester), its plan drafted, submitted (leader), approved (director); control: the
    # measure defined, observations recorded (tester), feedback (patient-1)
    assert by_aspect(b) == {"PLANNING": (4, 3, 0), "CONTROL": (3, 2, 1), "ASSURANCE": (0, 0, 0),
                            "IMPROVEMENT": (0, 0, 0)}
    assert [a["share"] for a in b["aspects"]] == [4 / 7, 3 / 7, 0.0, 0.0]
    states = {i["name"]: i["state"] for i in b["indicators"]}
    assert states["approved plan for the current year"] == "GOOD"
    assert {i["aspect"] for i in b["indicators"]} == {"PLANNING", "CONTROL", "ASSURANCE", "IMPROVEMENT"}
    assert "service users: take no part in planning" in b["profile"]
    # the directorate's balance holds its ward's; the organisation's holds every team's
    d = (await api.gql(BALANCE, {"t": directorate, **window()}))["balance"]
    assert by_aspect(d)["PLANNING"][0] >= 3 and by_aspect(d)["CONTROL"][0] >= 3
    org = (await api.gql(BALANCE, {"t": None, **window()}, role="AUDITOR"))["balance"]
    assert org["team"] is None and by_aspect(org)["PLANNING"][0] >= 3


async def test_contribution_by_role_shows_who_takes_part_in_which_aspect(api: Api) -> None:
    _, team = await ward(api)
    b = (await api.gql(DETAIL, {"t": team, **window()}, role="TEAM_LEADER", teams=[team]))["balance"]
    seen = {(c["role"], c["aspect"]): c["events"] for c in b["contribution"]}
    assert seen[("SERVICE_USER", "CONTROL")] == 1 and seen[("SERVICE_USER", "ASSURANCE")] == 0
    assert seen[("SENIOR_LEADER", "PLANNING")] == 2  # the ward created, its plan approved
    assert sum(a["events"] for p in b["periods"] for a in p["aspects"]) == 7


async def test_the_organisation_view_ranks_every_team_with_its_drivers_and_four_quarters(api: Api) -> None:
    _, team = await ward(api)
    ranking = (await api.gql(RANKING, window()))["balanceRanking"]
    assert [r["rank"] for r in ranking] == list(range(1, len(ranking) + 1))
    mine = next(r for r in ranking if r["balance"]["team"] == {"id": team})
    assert len(mine["trend"]) == 4 and all(d["state"] in ("WATCH", "CONCERN") for d in mine["drivers"])
    scores = [r["balance"]["score"] for r in ranking if r["balance"]["score"] is not None]
    assert scores == sorted(scores, reverse=True)


async def test_team_roles_read_only_their_team_s_balance_and_only_leaders_and_auditors_the_organisation(
        api: Api) -> None:
    _, team = await ward(api)
    other = await api.create_team("Elsewhere")
    denied = await raw(api, BALANCE, {"t": team, **window()}, api.tokens.issue("m", "TEAM_MEMBER", [other]))
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for role in ("TEAM_LEADER", "SERVICE_USER", "INTEGRATION"):
        body = await raw(api, BALANCE, {"t": None, **window()}, api.tokens.issue("x", role, [team]))
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    body = await raw(api, RANKING, window(), api.tokens.issue("x", "TEAM_LEADER", [team]))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for role in ("SENIOR_LEADER", "AUDITOR", "ADMIN"):
        assert "errors" not in await raw(api, RANKING, window(), api.tokens.issue("x", role, []))


async def test_a_window_that_ends_before_it_starts_is_refused(api: Api) -> None:
    body = await raw(api, BALANCE, {"t": None, "f": "2026-02-01", "to": "2026-01-01"}, api.token())
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_rebuild_from_zero_gives_the_same_figures_as_the_live_projection(api: Api, services: Services) -> None:
    await ward(api)
    await ward(api)
    assert await services.wait_for_projections(await services.store.head(), ("balance",))
    queries = ["SELECT team_id, day, aspect, event_type, actor, role, events FROM balance_activity "
               "ORDER BY 1, 2, 3, 4, 5, 6", "SELECT measure_id, team_id, day FROM balance_measure_days ORDER BY 1, 3"]
    async with services.pool.acquire() as conn:
        before = [[tuple(r) for r in await conn.fetch(q)] for q in queries]
    assert before[0] and before[1]
    live = (await api.gql(BALANCE, {"t": None, **window()}))["balance"]
    projection = next(x for x in services.projections if x.name == "balance")
    await rebuild(services.pool, projection)
    services.notifier.positions["balance"] = 0
    # a rebuild replays the whole session's log: wait on state, as long as that takes
    assert await services.notifier.wait_for(("balance",), await services.store.head(), timeout=300)
    async with services.pool.acquire() as conn:
        assert [[tuple(r) for r in await conn.fetch(q)] for q in queries] == before
    assert (await api.gql(BALANCE, {"t": None, **window()}))["balance"] == live
