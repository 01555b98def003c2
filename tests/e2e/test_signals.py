"""Signals end to end: observations posted through bulk intake make a special cause of concern; the service raises
one signal; a team leader acknowledges it; an action on it is completed with evidence and shows on the chart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import pytest

from projections.signals.projection import SignalProjection
from schema.live import Feed
from schema.signals import ALL_TEAMS, raised_signals
from service.bootstrap import Services
from service.eventstore.notifications import Change
from tests.conftest import Api
from tests.e2e.control_helpers import create_action, log_head, mutate
from tests.e2e.test_ingest import post
from tests.schema.test_live_updates import announce
from tests.schema.test_websocket import opened, watched

SIGNAL = "id period kind rules status note basis measure { id } actionId"
STABLE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]


def monthly(measure: str, start: int, values: list[float]) -> list[dict[str, Any]]:
    return [{"measureId": measure, "period": f"{2020 + (start + i) // 12}-{(start + i) % 12 + 1:02d}-01", "value": v}
            for i, v in enumerate(values)]


async def signals(api: Api, team: str, open: bool | None = True, **who: Any) -> list[dict[str, Any]]:
    data = await api.gql("query($t: ID!, $o: Boolean) { signals(teamId: $t, open: $o) { " + SIGNAL + " } }",
                         {"t": team, "o": open}, **who)
    return data["signals"]


async def given_a_concern(api: Api, name: str) -> tuple[str, str, str]:
    team = await api.create_team(name)
    measure = await api.define_measure(team)
    for part in (monthly(measure, 0, STABLE), monthly(measure, 12, [30])):
        response = await post(api, {"observations": part}, teams=[team])
        assert response.status_code == 200, response.text
    [signal] = await signals(api, team)
    return team, measure, signal["id"]


async def acknowledge(api: Api, signal: str, note: str, team: str, role: str = "TEAM_LEADER") -> dict[str, Any]:
    return await mutate(api, "acknowledgeSignal", "AcknowledgeSignalInput", {"signalId": signal, "note": note},
                        f"signal {{ {SIGNAL} }}", role=role, teams=[team])


async def test_a_special_cause_from_intake_is_signalled_once_acknowledged_and_acted_on(api: Api,
                                                                                        database_url: str) -> None:
    team, measure, signal_id = await given_a_concern(api, "Signals e2e ward")
    [signal] = await signals(api, team)
    assert (signal["kind"], signal["period"], signal["rules"], signal["status"], signal["measure"]["id"]) == (
        "CONCERN", "2021-01-01", ["SINGLE_POINT"], "OPEN", measure)
    # more of the same concern raises nothing while the signal is open
    await post(api, {"observations": monthly(measure, 13, [31])}, teams=[team])
    assert [s["id"] for s in await signals(api, team, None)] == [signal_id]

    answer = await acknowledge(api, signal_id, "Seen at the safety huddle", team)
    assert answer["errors"] == []
    assert (answer["signal"]["status"], answer["signal"]["note"]) == ("ACKNOWLEDGED", "Seen at the safety huddle")
    assert await signals(api, team) == []
    assert [s["id"] for s in await signals(api, team, False)] == [signal_id]

    action = await create_action(api, team, "Review the falls bundle", source=signal_id, role="TEAM_LEADER",
                                 teams=[team])
    assert action["errors"] == [] and action["action"]["sourceKind"] == "Signal"
    done = await mutate(api, "completeAction", "CompleteActionInput",
                        {"actionId": action["action"]["id"], "evidence": "Bundle re-audited: 95%"},
                        "action { status }", role="TEAM_LEADER", teams=[team])
    assert done["action"]["status"] == "DONE"
    chart = await api.gql("query($id: ID!) { measure(id: $id) { spc { annotations { kind text } } } }",
                          {"id": measure})
    notes = [n for n in chart["measure"]["spc"]["annotations"] if n["kind"] == "ACTION"]
    assert [n["text"].split(":")[0] for n in notes] == ["Action agreed", "Action done"]
    assert "Bundle re-audited: 95%" in notes[1]["text"]


async def test_acknowledging_an_acknowledged_signal_is_invalid_state_and_stores_nothing(api: Api,
                                                                                         database_url: str) -> None:
    team, _, signal_id = await given_a_concern(api, "Signals twice ward")
    assert (await acknowledge(api, signal_id, "Seen", team))["errors"] == []
    head = await log_head(database_url)
    again = await acknowledge(api, signal_id, "Seen again", team)
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"] and again["signal"] is None
    assert await log_head(database_url) == head


async def test_an_action_on_a_signal_attends_to_it(api: Api) -> None:
    team, _, signal_id = await given_a_concern(api, "Signals action ward")
    action = await create_action(api, team, "Check the sensor", source=signal_id, role="TEAM_MEMBER", teams=[team])
    assert action["errors"] == []
    assert await signals(api, team) == []
    [signal] = await signals(api, team, False)
    assert (signal["status"], signal["actionId"]) == ("ACKNOWLEDGED", action["action"]["id"])


async def test_team_members_may_not_acknowledge_and_service_users_read_without_names(api: Api) -> None:
    team, _, signal_id = await given_a_concern(api, "Signals roles ward")
    refused = await acknowledge(api, signal_id, "Seen", team, role="TEAM_MEMBER")
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert (await acknowledge(api, signal_id, "Seen", team, role="SENIOR_CLINICIAN"))["errors"] == []
    data = await api.gql("query($t: ID!) { team(id: $t) { signals(open: null) { acknowledgedBy } } }", {"t": team},
                         role="SERVICE_USER", teams=[team])
    assert data["team"]["signals"] == [{"acknowledgedBy": "(withheld)"}]
    assert await signals(api, team, None, role="TEAM_MEMBER", teams=["another-team"]) == []


RAISED = "subscription($t: ID) { signalRaised(teamId: $t) { id kind period measure { id } } }"


async def test_a_subscriber_hears_each_signal_once_and_only_of_teams_it_may_read(api: Api, server: str) -> None:
    team, other = await api.create_team("Signals live ward"), await api.create_team("Signals live other")
    measure, hidden = await api.define_measure(team), await api.define_measure(other)
    ws = await opened(server, api.token("TEAM_MEMBER", [team]))
    try:
        await ws.send(orjson.dumps({"id": "s", "type": "subscribe", "payload": {"query": RAISED,
                                                                                "variables": {"t": None}}}).decode())
        await watched(ALL_TEAMS)  # listening before the writes
        for m, t in ((hidden, other), (measure, team)):
            await post(api, {"observations": monthly(m, 0, STABLE)}, teams=[t])
            await post(api, {"observations": monthly(m, 12, [30])}, teams=[t])
        message = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
        assert message["type"] == "next"
        heard = message["payload"]["data"]["signalRaised"]
        assert (heard["kind"], heard["period"], heard["measure"]["id"]) == ("CONCERN", "2021-01-01", measure)
        with pytest.raises(TimeoutError):  # not again when its event is applied, nor the other team's
            await asyncio.wait_for(ws.recv(), 1.5)
    finally:
        await ws.close()


async def test_one_read_serves_every_signal_subscriber_and_an_older_signal_acknowledged_is_not_raised_again(
        services: Services, api: Api) -> None:
    reads: list[frozenset[str]] = []

    async def counted(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                      since: dict[str, int]) -> dict[str, list[Any]]:
        found = await raised_signals(pool, change, watched, since)
        reads.append(frozenset(found))
        return found

    team, _, older = await given_a_concern(api, "Signals shared read ward")
    feed: Feed[Any] = Feed(services.notifier, services.pool, SignalProjection.name, counted)
    began = datetime.now(UTC)
    watchers = [feed.watch(team, int(began.timestamp() * 1e6)) for _ in range(40)]
    everyone = feed.watch(ALL_TEAMS, int(began.timestamp() * 1e6))
    try:
        # as the signals projection names a signal it changed
        await announce(services, SignalProjection.name, [older], [team])
        views = [await asyncio.wait_for(w.next(), 10) for w in [*watchers, everyone]]
        assert {v.id for v in views} == {older}
        assert reads == [frozenset({team, ALL_TEAMS})]  # one read for all 41
        assert all(v.raised_at < began for v in views)  # what signals_raised leaves out: raised before it began
        everyone.close()
        # a change of another team's signal: nothing for this team
        await announce(services, SignalProjection.name, ["elsewhere"], ["another-team"])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(watchers[0].next(), 0.5)
        assert set(reads[1:]) <= {frozenset()}
    finally:
        for w in [*watchers, everyone]:
            w.close()
    assert feed.watchers == {}
