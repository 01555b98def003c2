"""Subscriptions over graphql-transport-ws at /graphql: authenticated in connection_init, fed from any process
through PostgreSQL's notifications, with the permissions of queries, and a slow reader dropped, not buffered."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from schema.websocket import TOO_SLOW, GraphQLWebSocket, _Close, _Connection
from tests.conftest import Api, serving, settings_for

UPDATED = "subscription($id: ID!) { measureUpdated(measureId: $id) { id spc { points { period value } } } }"


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


async def exchange(ws: Any, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(orjson.dumps(message).decode())
    return orjson.loads(await asyncio.wait_for(ws.recv(), 30))


async def opened(base: str, token: str) -> Any:
    ws = await connect(ws_url(base), subprotocols=["graphql-transport-ws"])
    ack = await exchange(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert ack == {"type": "connection_ack"}
    return ws


async def watched(key: str, count: int = 1) -> None:
    """Until `count` subscriptions of the apps in this process watch `key` (each then listens): a state to wait
    for before writing, where a sleep would race a loaded machine."""
    from schema.live import _FEEDS

    def watchers() -> int:
        return sum(len(f.watchers.get(key, ())) for feeds in list(_FEEDS.values()) for f in feeds.values())

    async def until() -> None:
        while watchers() < count:
            await asyncio.sleep(0.01)
    await asyncio.wait_for(until(), 30)


async def test_a_subscriber_on_one_process_hears_a_write_made_through_another(api: Api, database_url: str) -> None:
    team = await api.create_team("Live ward")
    measure = await api.define_measure(team)
    async with serving(settings_for(database_url, run_projections=False)) as other:
        ws = await opened(other, api.token("TEAM_MEMBER", [team]))
        try:
            await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": UPDATED, "variables": {"id": measure}}}).decode())
            await watched(measure)  # the subscription is listening before the write
            r = await api.http.post(f"{api.base}/ingest/observations", headers={
                "Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}, json={"observations": [
                    {"measureId": measure, "period": "2024-01-01", "value": 7}]})
            assert r.json()["accepted"] == 1
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
            assert message["type"] == "next" and message["id"] == "1"
            assert message["payload"]["data"]["measureUpdated"]["spc"]["points"] == [
                {"period": "2024-01-01", "value": 7.0}]
            await ws.send(orjson.dumps({"id": "1", "type": "complete"}).decode())
            assert await exchange(ws, {"type": "ping"}) == {"type": "pong"}
        finally:
            await ws.close()


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-token"}])
async def test_a_connection_without_a_valid_token_is_closed_with_4401(server: str, payload: dict) -> None:
    async with connect(ws_url(server), subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 30)
        assert closed.value.rcvd.code == 4401


async def test_another_teams_measure_is_an_error_and_a_repeated_id_closes_the_socket(api: Api, server: str) -> None:
    ours, theirs = await api.create_team("Live ours"), await api.create_team("Live theirs")
    measure = await api.define_measure(theirs)
    ws = await opened(server, api.token("TEAM_MEMBER", [ours]))
    try:
        error = await exchange(ws, {"id": "a", "type": "subscribe", "payload": {
            "query": UPDATED, "variables": {"id": measure}}})
        assert error["type"] == "error" and error["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        query = await exchange(ws, {"id": "q", "type": "subscribe", "payload": {"query": "{ teams(first: 1) { "
                                                                                "pageInfo { hasNextPage } } }"}})
        assert query["type"] == "next" and "teams" in query["payload"]["data"]
        assert orjson.loads(await ws.recv()) == {"id": "q", "type": "complete"}
        mine = await api.define_measure(ours)
        await ws.send(orjson.dumps({"id": "m", "type": "subscribe", "payload": {
            "query": UPDATED, "variables": {"id": mine}}}).decode())
        await ws.send(orjson.dumps({"id": "m", "type": "subscribe", "payload": {
            "query": UPDATED, "variables": {"id": mine}}}).decode())
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 30)
        assert closed.value.rcvd.code == 4409
    finally:
        await ws.close()


async def test_a_socket_without_the_protocol_is_refused(server: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the handshake is refused, however the client reports it
        async with connect(ws_url(server), subprotocols=["graphql-ws"]) as ws:
            await asyncio.wait_for(ws.recv(), 30)


async def test_a_reader_that_does_not_take_its_messages_is_dropped_with_4429() -> None:
    class Stuck:  # a socket whose peer never reads: sending never completes
        app = type("App", (), {"state": type("State", (), {"services": None})()})()

        async def send_text(self, _: str) -> None:
            await asyncio.Event().wait()

    connection = _Connection(GraphQLWebSocket(executor=None, send_timeout=0.05), Stuck())  # type: ignore[arg-type]
    with pytest.raises(_Close) as closed:
        await connection.send({"type": "next"})
    assert closed.value.code == TOO_SLOW
