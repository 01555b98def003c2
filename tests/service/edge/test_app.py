"""The ASGI application's own routes: readiness that means each projection has examined the log up to its head."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from service.auth.identity import TokenService
from service.bootstrap import make_projections, start_services
from service.edge.app import create_app
from tests.conftest import TEST_SECRET, Api, serving, settings_for

PROJECTIONS = [p.name for p in make_projections()]


async def readiness_once_caught_up(http: httpx.AsyncClient, base: str, head: int, timeout: float) -> dict:
    """/readyz's answer once it shows no lag at `head` or later, or its last answer after `timeout` seconds."""
    body: dict = {}
    for _ in range(int(timeout / 0.05)):
        body = (await http.get(f"{base}/readyz")).json()
        if body["head"] >= head and not any(body["lag"].values()):
            break
        await asyncio.sleep(0.05)
    return body


async def write_what_feedback_and_erasures_ignore(api: Api) -> None:
    team = await api.create_team("Ward 9")
    for _ in range(3):
        await api.define_measure(team)


async def test_readiness_reports_no_lag_for_a_projection_that_has_looked_past_events_it_ignores(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    # The API process runs no projections; they run elsewhere, as beside `qms serve`, and tell it over NOTIFY.
    async with serving(create_app(settings_for(url, run_projections=False))) as base, \
            httpx.AsyncClient(timeout=30) as http:
        elsewhere = await start_services(settings_for(url))
        try:
            await write_what_feedback_and_erasures_ignore(Api(base, TokenService(TEST_SECRET), http))
            body = await readiness_once_caught_up(http, base, 4, timeout=15)
            assert body["status"] == "ready" and body["head"] >= 4
            assert body["lag"] == dict.fromkeys(PROJECTIONS, 0)
            async with elsewhere.pool.acquire() as conn:  # ... though they never wrote a position past 0
                tracked = dict(await conn.fetch("SELECT name, position FROM projection_tracking"))
            assert tracked["feedback"] == 0 and tracked["erasures"] == 0
        finally:
            await elsewhere.close()


async def test_an_api_process_started_after_the_projections_looked_reports_no_lag_once_the_log_is_quiet(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    elsewhere = await start_services(settings_for(url))
    try:
        async with serving(create_app(settings_for(url, run_projections=False))) as base, \
                httpx.AsyncClient(timeout=30) as http:
            await write_what_feedback_and_erasures_ignore(Api(base, TokenService(TEST_SECRET), http))
            assert (await readiness_once_caught_up(http, base, 4, timeout=15))["lag"]["feedback"] == 0
        # This one missed the projections' word on what they examined: it reads positions from the tracking table,
        # which the runners write once the log has been quiet for their idle wait (5 s).
        async with serving(create_app(settings_for(url, run_projections=False))) as base, \
                httpx.AsyncClient(timeout=30) as http:
            body = await readiness_once_caught_up(http, base, 4, timeout=20)
            assert body["lag"] == dict.fromkeys(PROJECTIONS, 0)
    finally:
        await elsewhere.close()
