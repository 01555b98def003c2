"""A special cause posted through FHIR to one process reaches a subscriber of another process on the same
database (graphql-transport-ws, fed by PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio

import orjson
from websockets.asyncio.client import connect

from tests.conftest import Api, serving, settings_for
from tests.e2e.fhir_helpers import LOINC, bundle, new_code, observation, post_fhir
from tests.schema.test_websocket import watched

RAISED = "subscription($t: ID) { signalRaised(teamId: $t) { kind period measure { id } } }"
STABLE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]


async def test_a_subscriber_on_another_process_hears_a_special_cause_posted_through_fhir(
        api: Api, database_url: str) -> None:
    team = await api.create_team("FHIR live ward")
    code = new_code()
    measure = await api.define_measure(team, codes=[{"system": LOINC, "code": code}])  # monthly; lower is better
    async with serving(settings_for(database_url, run_projections=False)) as other:
        ws = await connect(other.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])
        try:
            await ws.send(orjson.dumps({"type": "connection_init", "payload": {
                "Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}}).decode())
            assert orjson.loads(await asyncio.wait_for(ws.recv(), 30)) == {"type": "connection_ack"}
            await ws.send(orjson.dumps({"id": "s", "type": "subscribe", "payload": {
                "query": RAISED, "variables": {"t": team}}}).decode())
            await watched(team)  # listening before the writes
            baseline = [observation(code, f"2020-{m + 1:02d}-01", v, f"live-{m}") for m, v in enumerate(STABLE)]
            response = await post_fhir(api, "/fhir", bundle("transaction", baseline), teams=[team])
            assert response.status_code == 200, response.text
            response = await post_fhir(api, "/fhir/Observation", observation(code, "2021-01-01", 30, "live-12"),
                                       teams=[team])
            assert response.status_code == 201, response.text
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
            assert message["type"] == "next" and message["id"] == "s", message
            heard = message["payload"]["data"]["signalRaised"]
            assert (heard["kind"], heard["period"], heard["measure"]["id"]) == ("CONCERN", "2021-01-01", measure)
        finally:
            await ws.close()
