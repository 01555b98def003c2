"""The ASGI application's own routes: readiness that means each projection has examined the log up to its head."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from service.auth.identity import TokenService
from service.bootstrap import start_services
from service.edge.app import create_app
from tests.conftest import TEST_SECRET, Api, serving, settings_for


async def test_readiness_reports_no_lag_for_a_projection_that_has_looked_past_events_it_ignores(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    # The API process runs no projections; they run elsewhere, as beside `qms serve`, and tell it over NOTIFY.
    async with serving(create_app(settings_for(url, run_projections=False))) as base, \
            httpx.AsyncClient(timeout=30) as http:
        elsewhere = await start_services(settings_for(url))
        try:
            api = Api(base, TokenService(TEST_SECRET), http)
            team = await api.create_team("Ward 9")
            for _ in range(3):  # events the feedback and erasure projections have no interest in
                await api.define_measure(team)
            body: dict = {}
            for _ in range(300):
                body = (await http.get(f"{base}/readyz")).json()
                if body["head"] >= 4 and not any(body["lag"].values()):
                    break
                await asyncio.sleep(0.05)
            assert body["status"] == "ready" and body["head"] >= 4
            assert body["lag"] == {"catalog": 0, "spc": 0, "feedback": 0, "erasures": 0}
            async with elsewhere.pool.acquire() as conn:  # ... though they never wrote a position past 0
                tracked = dict(await conn.fetch("SELECT name, position FROM projection_tracking"))
            assert tracked["feedback"] == 0 and tracked["erasures"] == 0
        finally:
            await elsewhere.close()
