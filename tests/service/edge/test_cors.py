"""CORS: browser applications on the configured origins may call the API; others are refused by the browser,
shown by preflights and by a real browser page on another origin."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.conftest import Api, free_port, serving, settings_for
from tests.schema.test_graphiql import DEAD_PROXY, OFFLINE_FLAGS, chromium


@contextlib.asynccontextmanager
async def a_front_end() -> AsyncIterator[str]:
    """A front end's page on an origin of its own (another port)."""
    import asyncio

    app = Starlette(routes=[Route("/", lambda _: HTMLResponse("<!doctype html><title>front end</title>"))])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def front_ends() -> AsyncIterator[tuple[str, str]]:
    async with a_front_end() as allowed, a_front_end() as other:
        yield allowed, other


async def test_preflights_are_answered_for_allowed_origins_only(database_url: str,
                                                                front_ends: tuple[str, str]) -> None:
    allowed, other = front_ends
    settings = settings_for(database_url, cors_origins=(allowed,), run_projections=False)
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-qms-after"}
    async with serving(settings) as api, httpx.AsyncClient(base_url=api) as http:
        ok = await http.options("/graphql", headers={"Origin": allowed, **preflight})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        refused = await http.options("/graphql", headers={"Origin": other, **preflight})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


async def test_without_configured_origins_no_cors_headers_are_sent(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        r = await http.options("/graphql", headers={"Origin": "http://127.0.0.1:1",
                                                    "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers


async def test_a_page_on_an_allowed_origin_calls_the_api_and_one_on_another_origin_cannot(
        database_url: str, api: Api, front_ends: tuple[str, str]) -> None:
    from playwright.async_api import async_playwright

    allowed, other = front_ends
    settings = settings_for(database_url, cors_origins=(allowed,), run_projections=False)
    call = """async ([url, token]) => {
        try {
            const r = await fetch(url + "/graphql", {method: "POST", body: JSON.stringify({query: "{ teams(first: 1) "
                + "{ pageInfo { hasNextPage } } }"}), headers: {"Authorization": "Bearer " + token,
                "Content-Type": "application/json"}});
            return [r.status, r.headers.get("X-Request-Id") !== null, JSON.stringify(await r.json())];
        } catch (e) { return ["refused", String(e)]; }
    }"""
    async with serving(settings) as url, async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium(), args=OFFLINE_FLAGS, proxy=DEAD_PROXY)
        try:
            page = await browser.new_page()
            await page.goto(allowed)
            status, exposed, body = await page.evaluate(call, [url, api.token()])
            assert (status, exposed) == (200, True) and '"teams"' in body
            await page.goto(other)
            assert (await page.evaluate(call, [url, api.token()]))[0] == "refused"
        finally:
            await browser.close()
