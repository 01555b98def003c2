"""Live updates' fan-out and a project's PDSA updates: every subscriber of a measure gets every change, read once
for all of them; a reader that falls behind is dropped with 4429; `cycleUpdated` in one process hears the cycles
written through another, with the permissions of `project(id)`."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from schema.live import QUEUE_LIMIT, READ_ATTEMPTS, Feed
from schema.subscriptions import measure_states
from service.bootstrap import Services
from service.edge.app import create_app
from service.eventstore.notifications import PROJECTIONS_CHANNEL, Change, FellBehind
from service.eventstore.notifications import payload as notification
from service.reads.catalog import charts_by_measure
from tests.conftest import Api, serving, settings_for
from tests.e2e.improvement_helpers import Improver, improver
from tests.schema.test_websocket import opened, watched

POINTS = "subscription($id: ID!) { measureUpdated(measureId: $id) { id spc { points { period value } } } }"
CYCLES = "subscription($p: ID!) { cycleUpdated(projectId: $p) { id projectId changeIdea stage decision } }"


async def announce(services: Services, projection: str, streams: list[str], teams: list[str] | None = None) -> None:
    """A notification as the projection sends one, naming these streams and teams, at a position it has already
    reached: a made-up position ahead of it would make every process's notifier believe the projection that far on,
    and read-your-writes waits in later tests would end before their writes were applied."""
    at = services.notifier.positions.get(projection, 0)
    async with services.pool.acquire() as conn:
        await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, notification(projection, at, streams,
                                                                                          teams or ()))


async def subscribe(ws: Any, op: str, query: str, variables: dict[str, Any]) -> None:
    await ws.send(orjson.dumps({"id": op, "type": "subscribe", "payload": {"query": query,
                                                                             "variables": variables}}).decode())


async def received(ws: Any, timeout: float = 30) -> dict[str, Any]:
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def post(api: Api, team: str, measure: str, period: str, value: float) -> None:
    r = await api.http.post(f"{api.base}/ingest/observations", headers={
        "Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}, json={"observations": [
            {"measureId": measure, "period": period, "value": value}]})
    assert r.json()["accepted"] == 1, r.text


async def test_every_subscriber_of_each_measure_hears_every_change_to_it_and_nothing_of_others(api: Api,
                                                                                              server: str) -> None:
    team = await api.create_team("Fan-out ward")
    measures = [await api.define_measure(team), await api.define_measure(team)]
    token = api.token("TEAM_MEMBER", [team])
    sockets = [await opened(server, token) for _ in range(12)]
    try:
        for i, ws in enumerate(sockets):  # six subscribers on each measure, two sockets with both
            await subscribe(ws, "a", POINTS, {"id": measures[i % 2]})
            if i < 2:
                await subscribe(ws, "b", POINTS, {"id": measures[(i + 1) % 2]})
        await watched(measures[0], 7)  # listening before the writes
        await watched(measures[1], 7)
        written: dict[str, list[dict[str, Any]]] = {m: [] for m in measures}
        for day in range(1, 6):
            for n, m in enumerate(measures):
                value = float(day * 10 + n)
                await post(api, team, m, f"2024-{day:02d}-01", value)
                written[m].append({"period": f"2024-{day:02d}-01", "value": value})
        for i, ws in enumerate(sockets):
            wanted = {"a": measures[i % 2]} | ({"b": measures[(i + 1) % 2]} if i < 2 else {})
            last: dict[str, list[dict[str, Any]]] = {}
            while any(last.get(op) != written[m] for op, m in wanted.items()):
                message = await received(ws)
                assert message["type"] == "next", message
                update = message["payload"]["data"]["measureUpdated"]
                assert update["id"] == wanted[message["id"]]  # never another measure's change
                points = update["spc"]["points"]
                assert points == written[update["id"]][:len(points)]  # in order, each a state that was written
                last[message["id"]] = points
            with pytest.raises(TimeoutError):  # nothing more: each change once
                await asyncio.wait_for(ws.recv(), 0.5)
    finally:
        for ws in sockets:
            await ws.close()


async def test_one_read_serves_every_subscriber_of_a_change(services: Services, api: Api) -> None:
    team = await api.create_team("Shared read ward")
    measure, other = await api.define_measure(team), await api.define_measure(team)
    reads: list[frozenset[str]] = []

    async def counted(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                      seen: dict[str, int]) -> dict[str, list[Any]]:
        found = await measure_states(pool, change, watched, seen)
        reads.append(frozenset(found))
        return found

    feed: Feed[Any] = Feed(services.notifier, services.pool, "spc", counted)
    known = await charts_by_measure(services.pool, [other])  # as a subscriber reads it before it listens
    watchers = [feed.watch(measure) for _ in range(50)] + [feed.watch(other, known[other].position)]
    try:
        await announce(services, "spc", [measure])  # a real notification, as the SPC projection sends one
        states = [await asyncio.wait_for(w.next(), 10) for w in watchers[:50]]
        assert {view.id for view, _ in states} == {measure}
        assert reads == [frozenset({measure})]  # one read, and only of the measure the change named
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(watchers[-1].next(), 0.3)
        # too much to name (bulk intake): only moved charts go out
        await announce(services, "spc", [f"other-{i}" for i in range(100)])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(watchers[0].next(), 0.5)
        assert reads[1:] == [frozenset()]
        r = await api.http.post(f"{api.base}/ingest/observations", headers={
            "Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}, json={"observations": [
                {"measureId": other, "period": "2024-01-01", "value": 3}]})
        assert r.json()["accepted"] == 1
        view, chart = await asyncio.wait_for(watchers[-1].next(), 30)
        assert view.id == other and chart is not None and [str(p) for p in chart.periods] == ["2024-01-01"]
    finally:
        for w in watchers:
            w.close()
    assert feed.watchers == {}


async def test_a_subscriber_with_too_many_unread_updates_is_told_it_fell_behind(services: Services) -> None:
    feed: Feed[int] = Feed(services.notifier, services.pool, "spc", measure_states)
    with feed.watch("m") as watcher:
        for i in range(QUEUE_LIMIT):
            watcher.offer(i)
        assert await watcher.next() == 0  # bounded, not lossy, up to the limit
        watcher.offer(QUEUE_LIMIT)
        watcher.offer(QUEUE_LIMIT + 1)
        with pytest.raises(FellBehind):
            await watcher.next()


async def test_a_websocket_subscriber_that_falls_behind_is_closed_with_4429(api: Api, database_url: str) -> None:
    team = await api.create_team("Slow reader ward")
    measure = await api.define_measure(team)
    app = create_app(settings_for(database_url, run_projections=False))
    async with serving(app) as other:
        ws = await opened(other, api.token("TEAM_MEMBER", [team]))
        try:
            await subscribe(ws, "1", POINTS, {"id": measure})
            from schema.live import _FEEDS  # this process's feed, as the subscription made it

            async def watching() -> Feed[Any]:
                while not (found := _FEEDS.get(app.state.services.notifier, {}).get(measure_states)) \
                        or measure not in found.watchers:
                    await asyncio.sleep(0.01)
                return found
            feed = await asyncio.wait_for(watching(), 30)
            (watcher,) = feed.watchers[measure]
            views = await measure_states(app.state.services.pool, None, frozenset({measure}), {})
            for _ in range(QUEUE_LIMIT + 1):  # more updates at once than a reader may leave unread
                watcher.offer(views[measure][0])
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await received(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
            assert feed.watchers == {}  # dropped, and no longer fed
        finally:
            await ws.close()


async def test_a_cycle_subscriber_in_one_process_hears_each_stage_written_through_another(
        api: Api, database_url: str) -> None:
    team: Improver = await improver(api, "Live improvement ward")
    measure = await api.define_measure(team.team)
    project = (await team.create_project([measure]))["project"]["id"]
    elsewhere = (await team.create_project([measure], title="Another project"))["project"]["id"]
    async with serving(settings_for(database_url, run_projections=False)) as other:
        ws = await opened(other, team.member["token"])
        try:
            await subscribe(ws, "c", CYCLES, {"p": project})
            await watched(project)
            await team.plan_cycle(elsewhere, "Not this one", "2025-01-01")
            cycle = await team.full_cycle(project, "Night-time checks", "2025-02-01", "ADOPT")
            stages = []
            while len(stages) < 4:
                message = await received(ws)
                assert message["type"] == "next", message
                got = message["payload"]["data"]["cycleUpdated"]
                assert (got["id"], got["projectId"], got["changeIdea"]) == (cycle, project, "Night-time checks")
                stages.append((got["stage"], got["decision"]))
            assert stages == [("PLAN", None), ("DO", None), ("STUDY", None), ("ACT", "ADOPT")]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)
        finally:
            await ws.close()


async def test_a_cycle_subscription_has_the_permissions_of_the_project_query(api: Api, server: str) -> None:
    team: Improver = await improver(api, "Guarded improvement ward")
    project = (await team.create_project([await api.define_measure(team.team)]))["project"]["id"]
    outsider = api.token("TEAM_MEMBER", [await api.create_team("Outsiders")])
    ws = await opened(server, outsider)
    try:
        await subscribe(ws, "x", CYCLES, {"p": project})
        error = await received(ws)
        assert error["type"] == "error" and error["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        await subscribe(ws, "y", CYCLES, {"p": measure_id_that_is_not_a_project()})
        error = await received(ws)
        assert error["type"] == "error" and error["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        await ws.close()
    ws = await opened(server, team.director["token"])  # a senior leader reads every team's projects
    try:
        await subscribe(ws, "z", CYCLES, {"p": project})
        await watched(project)
        await team.plan_cycle(project, "Seen by the director", "2025-03-01")
        message = await received(ws)
        assert message["payload"]["data"]["cycleUpdated"]["changeIdea"] == "Seen by the director"
    finally:
        await ws.close()


def measure_id_that_is_not_a_project() -> str:
    return "00000000-0000-4000-8000-000000000000"


async def test_a_read_that_fails_is_tried_again_and_only_a_lasting_failure_reaches_the_subscribers(
        services: Services) -> None:
    attempts: list[Change | None] = []
    fail_times = 1

    async def flaky(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                    seen: dict[str, int]) -> dict[str, list[Any]]:
        attempts.append(change)
        if len(attempts) <= fail_times:
            raise OSError("connection refused")
        return {k: ["state"] for k in watched}

    feed: Feed[Any] = Feed(services.notifier, services.pool, "spc", flaky)
    with feed.watch("m") as watcher:
        await announce(services, "spc", ["m"])
        assert await asyncio.wait_for(watcher.next(), 10) == "state"
        assert attempts[0] is not None and attempts[1] is None  # tried again, re-reading everything watched
        attempts.clear()
        fail_times = READ_ATTEMPTS
        await announce(services, "spc", ["m"])
        with pytest.raises(OSError):
            await asyncio.wait_for(watcher.next(), 10)
        assert len(attempts) == READ_ATTEMPTS
